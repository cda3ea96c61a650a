package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * mode=exact applies the saved fields as they are when the memory is at the saved layout, and
 * refuses, naming the fields, when it is not.
 *
 * <p>A JVM whose memory is at a descriptor's layout, here: the JVM itself. Three agents run in
 * order: the first captures the JVM's own descriptor ({@code capture=}), the second gives it
 * another process's identity (relocate), the third restores its own descriptor in exact mode, which
 * points every field back at the JVM's own argument and environment areas on its stack.
 */
class ExactModeIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void exactRestoresAProcessWhoseLayoutMatches() throws Exception {
        Path otherDescriptor = it.capturedSleepOriginal("other.mmd").descriptor();

        Path self = it.dir().resolve("self.mmd");
        List<String> command = JavaCommand.java().agent("capture=" + self + ",quiet=true")
                .agent(otherDescriptor + ",quiet=true").agent(self + ",mode=exact").showIdentity("exact");
        RestoredApp app = RestoredApp.start(it.processes(), command);

        ProcIdentity now = ProcIdentity.of(app.pid());
        assertSameBytes("/proc/" + app.pid() + "/cmdline: the JVM's own again", Fixtures.cmdlineOf(command), now.cmdline());
        assertEquals(ItConfig.javaRealPath().toString(), now.exe(), "exe: the JVM's own launcher again");
        String line = app.stopAndAssertOneStderrLine("selfrestore: restored");
        assertTrue(line.contains("mode=exact"), line);
    }

    @Test
    void exactRefusesAnotherProcesssLayoutAndNamesTheFields() throws Exception {
        Path descriptor = it.capturedSleepOriginal("other.mmd").descriptor();

        List<String> command = JavaCommand.java().restoredApp(descriptor, "mode=exact");
        RestoredApp app = RestoredApp.start(it.processes(), command);
        assertSameBytes("/proc/" + app.pid() + "/cmdline: unchanged", Fixtures.cmdlineOf(command),
                ProcIdentity.of(app.pid()).cmdline());
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored");
        assertTrue(line.contains("mode=exact refused") && line.contains("arg_start="), line);
    }
}
