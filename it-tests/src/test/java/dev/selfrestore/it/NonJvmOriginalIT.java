package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.SleepOriginal;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A native program whose environment is not UTF-8 is captured; a JVM with the agent becomes it in /proc. */
class NonJvmOriginalIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void sleepWithRawEnvironmentBytes(Cli cli, SleepOriginal original) throws Exception {
        ProcIdentity before = ProcIdentity.of(original.pid());
        assertSameBytes("environ of the original (test set-up)", SleepOriginal.expectedEnviron(), before.environ());
        assertSameBytes("cmdline of the original (test set-up)", original.expectedCmdline(), before.cmdline());

        Path descriptor = cli.captureOk(original.pid(), it.dir().resolve("original.mmd"));
        assertSameIdentity(before, ProcIdentity.of(original.pid()));
        original.stop();

        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, ""))
                .assertPresents(before);

        List<Long> only = List.of(restored.pid());
        assertEquals(only, it.processes().run(PROCESS_TIMEOUT, "pidof", original.name()).pids(), "pidof " + original.name());
        assertEquals(only, it.processes().run(PROCESS_TIMEOUT, "pgrep", "-f", original.name()).pids(), "pgrep -f " + original.name());
        assertEquals(original.name(), it.processes().run(PROCESS_TIMEOUT, "ps", "-o", "comm=", "-p", Long.toString(restored.pid()))
                .stdout().strip(), "ps -o comm=");
        assertEquals(Optional.of(before.exe()), ProcessHandle.of(restored.pid()).orElseThrow().info().command(),
                "ProcessHandle.Info.command()");

        restored.stopAndAssertOneStderrLine("selfrestore: restored");
    }
}
