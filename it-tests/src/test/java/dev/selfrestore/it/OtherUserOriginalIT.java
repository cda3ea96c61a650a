package dev.selfrestore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.SleepOriginal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An original running as another user (nobody) is captured by root and restored by root. */
class OtherUserOriginalIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void originalRunningAsNobody() throws Exception {
        Fixtures.makeReadableByAll(it.dir()); // nobody runs the copy of sleep and the script in it
        Cli cli = it.cli();
        SleepOriginal original = it.sleepOriginal(Fixtures.AS_NOBODY.toArray(String[]::new));
        assertEquals("65534\t65534\t65534\t65534", ProcIdentity.statusField(original.pid(), "Uid"),
                "Uid of the original (test set-up)");
        ProcIdentity before = ProcIdentity.of(original.pid());

        Path descriptor = cli.captureOk(original.pid(), it.dir().resolve("original.mmd"));
        original.stop();

        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, ""))
                .assertPresents(before);
        restored.stopAndAssertOneStderrLine("selfrestore: restored");
    }
}
