package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * quiet and strict, what the application sees when the agent cannot restore, and test-faults= given
 * to the product jar.
 */
class AgentOptionsIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void quietRestoresWithoutPrintingAnything() throws Exception {
        Cli.Captured original = it.capturedSleepOriginal("original.mmd");
        ProcIdentity before = original.identity();
        Path descriptor = original.descriptor();

        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, "quiet=true"));
        assertSameIdentity(before, ProcIdentity.of(restored.pid()));
        restored.stopAndAssertExitedNormally();
        assertEquals("", restored.process().stderr(), () -> "stderr with quiet=true: " + restored.process().describe());
    }

    @Test
    void missingDescriptorIsReportedInOneLineAndMainRunsUnchanged() throws Exception {
        Path missing = it.dir().resolve("no-such-descriptor.mmd");
        List<String> command = JavaCommand.java().restoredApp(missing, "");
        RestoredApp app = RestoredApp.start(it.processes(), command);

        ProcIdentity identity = ProcIdentity.of(app.pid());
        assertSameBytes("/proc/" + app.pid() + "/cmdline: the JVM's own", Fixtures.cmdlineOf(command), identity.cmdline());
        assertEquals(ItConfig.javaRealPath().toString(), identity.exe(), "readlink /proc/" + app.pid() + "/exe");
        assertEquals(ItConfig.javaRealPath().toString(), app.exeSeenByMain(), "readlink /proc/self/exe in main");

        String line = app.stopAndAssertOneStderrLine("selfrestore: ");
        assertTrue(line.contains(missing.toString()), () -> "the agent's line names the descriptor " + missing + ": " + line);
        assertFalse(app.process().stderr().contains("\tat "), () -> "a stack trace on stderr: " + app.process().describe());
    }

    @Test
    void testFaultsAreUnavailableInTheProductJarAndMainRunsUnchanged() throws Exception {
        Path descriptor = it.capturedSleepOriginal("original.mmd").descriptor();
        List<String> command = JavaCommand.java().restoredApp(descriptor, "test-faults=no-mm-map");
        RestoredApp app = RestoredApp.start(it.processes(), command);

        ProcIdentity identity = ProcIdentity.of(app.pid());
        assertSameBytes("/proc/" + app.pid() + "/cmdline: the JVM's own", Fixtures.cmdlineOf(command), identity.cmdline());
        assertEquals(ItConfig.javaRealPath().toString(), app.exeSeenByMain(), "readlink /proc/self/exe in main");
        assertEquals("selfrestore: not restored: agent option test-faults=no-mm-map: test faults are unavailable in "
                + "this jar (only the testing jar the integration tests build has them) (application continues)",
                app.stopAndAssertOneStderrLine("selfrestore: "));
    }

    @Test
    void strictEndsTheJvmBeforeMainWhenTheDescriptorIsMissing() throws Exception {
        Path missing = it.dir().resolve("no-such-descriptor.mmd");
        RunningProcess jvm = it.processes().start("strict", JavaCommand.java().restoredApp(missing, "strict=true"),
                ItConfig.restorerEnvironment());

        int status = jvm.closeStdinAndAwaitExit(PROCESS_TIMEOUT); // a main that does run ends at once
        assertEquals(1, status, () -> "exit status with strict=true: " + jvm.describe());
        assertFalse(jvm.stdout().contains("EXE="), () -> "main ran: " + jvm.describe());
        assertTrue(jvm.stderrLines().stream().anyMatch(l -> l.startsWith("selfrestore: ") && l.contains(missing.toString())),
                () -> "a line 'selfrestore: ...' naming " + missing + " on stderr: " + jvm.describe());
    }
}
