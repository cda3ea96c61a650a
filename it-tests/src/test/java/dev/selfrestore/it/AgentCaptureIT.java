package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The agent option capture=FILE: a JVM writes its own descriptor, with the exact brk. */
class AgentCaptureIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void captureOnlyWritesThisJvmsDescriptorWithTheExactBrk() throws Exception {
        Path file = it.dir().resolve("self.mmd");
        RestoredApp app = RestoredApp.start(it.processes(), JavaCommand.java().capturing("capture=" + file));
        Cli cli = it.cli();
        JsonNode json = cli.run("inspect", "--json", file.toString()).assertStatus(0).json();
        ProcIdentity identity = ProcIdentity.of(app.pid());
        assertAll(json.toPrettyString(),
                () -> assertEquals("exact", json.get("brk_source").asText()),
                () -> assertEquals(app.pid(), json.get("capture").get("pid").asLong()),
                () -> assertEquals(ItConfig.javaRealPath().toString(), json.get("exe").get("path").get("text").asText()),
                () -> assertSameBytes("cmdline in the descriptor", identity.cmdline(),
                        java.util.HexFormat.of().parseHex(json.get("cmdline").get("bytes").asText())));
        cli.run("verify", "--pid", Long.toString(app.pid()), file.toString()).assertStatus(0);
        String line = app.stopAndAssertOneStderrLine("selfrestore: captured pid " + app.pid());
        assertTrue(line.endsWith("ms") && line.contains(" to " + file + ", brk exact"), line);
    }

    @Test
    void anExistingFileIsKeptUnlessCaptureForce() throws Exception {
        Path file = it.dir().resolve("existing.mmd");
        byte[] existing = "keep me\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(file, existing);

        RestoredApp refused = RestoredApp.start(it.processes(), JavaCommand.java().capturing("capture=" + file));
        String line = refused.stopAndAssertOneStderrLine("selfrestore: not captured: ");
        assertTrue(line.contains(file + " exists; capture-force=true overwrites it"), line);
        assertSameBytes(file + " after the refused capture", existing, Files.readAllBytes(file));

        RestoredApp forced = RestoredApp.start(it.processes(), JavaCommand.java().capturing("capture=" + file + ",capture-force=true"));
        it.cli().run("verify", "--pid", Long.toString(forced.pid()), file.toString()).assertStatus(0);
        forced.stopAndAssertOneStderrLine("selfrestore: captured");
    }

    @Test
    void afterARestoreTheCaptureRecordsTheRestoredIdentity() throws Exception {
        Cli.Captured original = it.capturedSleepOriginal("original.mmd");
        ProcIdentity before = original.identity();
        Path descriptor = original.descriptor();
        Path again = it.dir().resolve("again.mmd");

        RestoredApp app = RestoredApp.start(it.processes(), JavaCommand.java().capturing(descriptor + ",capture=" + again));
        Cli cli = it.cli();
        JsonNode json = cli.run("inspect", "--json", again.toString()).assertStatus(0).json();
        assertEquals(before.exe(), json.get("exe").get("path").get("text").asText(), json::toPrettyString);
        assertSameBytes("environ captured after the restore", before.environ(),
                java.util.HexFormat.of().parseHex(json.get("environ").get("bytes").asText()));
        cli.run("verify", "--pid", Long.toString(app.pid()), again.toString()).assertStatus(0);
        app.stopAndAssertExitedNormally();
        List<String> lines = app.process().stderrLines();
        assertEquals(2, lines.size(), app.process()::describe);
        assertTrue(lines.get(0).startsWith("selfrestore: restored") && lines.get(1).startsWith("selfrestore: captured"),
                app.process()::describe);
    }
}
