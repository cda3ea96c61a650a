package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.Processes;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.SleepOriginal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** An original running as another user (nobody) is captured by root and restored by root. */
class OtherUserOriginalIT {

    @RegisterExtension
    final Processes processes = new Processes();

    @TempDir
    Path dir;

    @Test
    void originalRunningAsNobody() throws Exception {
        Fixtures.makeReadableByAll(dir); // nobody runs the copy of sleep and the script in it
        Cli cli = new Cli(processes);
        SleepOriginal original = SleepOriginal.start(processes, dir, Fixtures.AS_NOBODY.toArray(String[]::new));
        assertEquals("65534\t65534\t65534\t65534", ProcIdentity.statusField(original.pid(), "Uid"),
                "Uid of the original (test set-up)");
        ProcIdentity before = ProcIdentity.of(original.pid());

        Path descriptor = cli.captureOk(original.pid(), dir.resolve("original.mmd"));
        original.stop();

        RestoredApp restored = RestoredApp.start(processes, JavaCommand.java().restoredApp(descriptor, ""));
        assertSameIdentity(before, ProcIdentity.of(restored.pid()));
        assertEquals(before.exe(), restored.exeSeenByMain(), "readlink /proc/self/exe at the first line of main");
        restored.stopAndAssertOneStderrLine("selfrestore: restored");
    }
}
