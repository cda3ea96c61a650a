package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.SleepOriginal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The capture command keeps an existing file unless told --force. */
class CaptureCliIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void refusesToOverwriteAFileUnlessForced(Cli cli, SleepOriginal original) throws Exception {
        ProcIdentity before = ProcIdentity.of(original.pid());
        Path out = it.dir().resolve("existing.mmd");
        byte[] existing = "not a descriptor\n".getBytes(US_ASCII);
        Files.write(out, existing);

        CommandResult refused = cli.capture(original.pid(), out);
        assertEquals(2, refused.status(), () -> "capture onto an existing file without --force: " + refused.description());
        assertSameBytes(out + " after the refused capture", existing, Files.readAllBytes(out));

        CommandResult forced = cli.capture(original.pid(), out, "--force");
        assertEquals(0, forced.status(), () -> "capture --force: " + forced.description());
        original.stop();

        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(out, ""));
        assertSameIdentity(before, ProcIdentity.of(restored.pid()));
        restored.stopAndAssertOneStderrLine("selfrestore: restored");
    }
}
