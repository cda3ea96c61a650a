package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentityExceptExe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.SleepOriginal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The original executable is gone, changed or not executable: exe is not swapped, everything else is
 * restored, and the one line names the reason. selfrestore never shows a different binary as the
 * original.
 */
class ExeProblemsIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private interface Damage {
        void apply(Path exe) throws Exception;
    }

    private void restoreAfter(Damage damage, String reason) throws Exception {
        Cli cli = it.cli();
        SleepOriginal original = it.sleepOriginal();
        ProcIdentity before = ProcIdentity.of(original.pid());
        Path descriptor = cli.captureOk(original.pid(), it.dir().resolve("original.mmd"));
        original.stop();
        damage.apply(original.exe());

        RestoredApp app = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, ""));
        ProcIdentity after = ProcIdentity.of(app.pid());
        assertSameIdentityExceptExe(before, after);
        assertEquals(ItConfig.javaRealPath().toString(), after.exe(), "exe stays the JVM's launcher");
        String line = app.stopAndAssertOneStderrLine("selfrestore: partly restored");
        assertTrue(line.contains("exe not changed") && line.contains(reason), () -> "'" + reason + "' in: " + line);
    }

    @Test
    void deletedSinceCapture() throws Exception {
        restoreAfter(Files::delete, "No such file or directory");
    }

    @Test
    void changedSinceCapture() throws Exception {
        restoreAfter(exe -> Files.write(exe, new byte[] {0}, StandardOpenOption.APPEND), "it changed");
    }

    @Test
    void notExecutable() throws Exception {
        restoreAfter(exe -> Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rw-r--r--")),
                "is not executable (mode 0644)");
    }
}
