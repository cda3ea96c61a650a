package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.it.support.SleepOriginal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Twenty JVMs started at the same moment restore one descriptor file: each reads it, swaps its own
 * launcher and changes its own identity, and each ends complete, checked from outside byte for byte
 * and by {@code selfrestore verify --pid}.
 */
class ManyJvmsIT {

    private static final int JVMS = 20;
    /** Twenty JVM start-ups at once share what few cores a test machine may have: bounded generously. */
    private static final Duration ALL_STARTED = Duration.ofMinutes(4);

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void twentyJvmsRestoreOneDescriptorAtTheSameTime(Cli selfrestore, SleepOriginal original) throws Exception {
        ProcIdentity before = ProcIdentity.of(original.pid());
        Path descriptor = selfrestore.captureOk(original.pid(), it.dir().resolve("original.mmd"));
        original.stop();

        List<String> command = JavaCommand.java().restoredApp(descriptor, "",
                "-Xmx32m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:-UsePerfData");
        List<RunningProcess> jvms = new ArrayList<>();
        for (int i = 0; i < JVMS; i++) {
            jvms.add(it.processes().start("restored-" + i, command, ItConfig.restorerEnvironment()));
        }
        for (RunningProcess jvm : jvms) {
            jvm.awaitStdoutLine("READY", ALL_STARTED);
        }

        Cli cli = it.cli();
        for (RunningProcess jvm : jvms) {
            assertSameIdentity(before, ProcIdentity.of(jvm.pid()));
        }
        for (RunningProcess jvm : jvms) {
            cli.run("verify", "--pid", Long.toString(jvm.pid()), descriptor.toString()).assertStatus(0);
        }
        for (RunningProcess jvm : jvms) {
            assertEquals(0, jvm.closeStdinAndAwaitExit(ItConfig.PROCESS_TIMEOUT), jvm::describe);
            List<String> lines = jvm.stderrLines();
            assertTrue(lines.size() == 1 && lines.get(0).startsWith("selfrestore: restored pid " + original.pid() + " ("
                    + original.name() + ", " + original.exe() + "): exe, "), jvm::describe);
        }
    }
}
