package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.SleepOriginal;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** inspect, for people and for machines, on a descriptor whose environment is not all UTF-8. */
class InspectIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private Cli.Captured captured;

    @BeforeEach
    void captureOriginal() throws Exception {
        captured = it.captured();
    }

    @Test
    void forPeopleEveryByteIsShownAndNonUtf8BytesAreEscaped() throws Exception {
        CommandResult r = it.cli().run("inspect", captured.descriptor().toString()).assertStatus(0);
        List<String> lines = r.stdout().lines().toList();
        assertAll(r.description(),
                () -> assertTrue(lines.get(0).matches(".*: selfrestore descriptor, format 1\\.\\d+, \\d+ bytes, CRC32C 0x[0-9a-f]{8} ok")),
                // valid UTF-8 as is, other bytes as \xNN, nothing dropped
                () -> assertTrue(lines.contains("  BIN=\\xff\\xfex")),
                () -> assertTrue(lines.contains("  LONE=\\x80\\xc0end")),
                () -> assertTrue(lines.contains("  UTF8=caf\u00e9")),
                () -> assertTrue(lines.contains("  EQ=a=b=c")),
                () -> assertTrue(lines.contains("  EMPTY=")),
                () -> assertTrue(lines.contains("  argv[0]  \"" + captured.original().exe() + "\"")),
                () -> assertTrue(lines.contains("  argv[1]  \"600\"")),
                () -> assertTrue(lines.contains("comm          \"" + captured.original().name() + "\"")),
                () -> assertTrue(lines.contains("  path         " + captured.original().exe())),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  build-id     [0-9a-f]{40}"))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  brk          0x[0-9a-f]+   \\(approximated: .*"))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  arg_start    0x[0-9a-f]+"))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  AT_PAGESZ +0x1000 \\(4096\\)"))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  AT_RANDOM +0x[0-9a-f]+"))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  AT_NULL +0x0"))),
                () -> assertTrue(lines.contains("environ (7 entries, " + SleepOriginal.expectedEnviron().length + " bytes)")));
    }

    @Test
    void forMachinesEveryByteStringIsGivenExactly() throws Exception {
        JsonNode json = it.cli().run("inspect", "--json", captured.descriptor().toString()).assertStatus(0).json();
        assertSameBytes("environ.bytes", SleepOriginal.expectedEnviron(),
                java.util.HexFormat.of().parseHex(json.get("environ").get("bytes").asText()));
        assertSameBytes("cmdline.bytes", captured.original().expectedCmdline(),
                java.util.HexFormat.of().parseHex(json.get("cmdline").get("bytes").asText()));
        List<byte[]> expectedVars = split(SleepOriginal.expectedEnviron());
        JsonNode vars = json.get("environ").get("vars");
        assertEquals(expectedVars.size(), vars.size(), json::toPrettyString);
        for (int i = 0; i < vars.size(); i++) {
            assertSameBytes("environ.vars[" + i + "].entry", expectedVars.get(i), Cli.bytes(vars.get(i).get("entry")));
        }
        JsonNode bin = vars.get(0);
        assertAll(json.toPrettyString(),
                () -> assertEquals("BIN", bin.get("name").get("text").asText()),
                () -> assertEquals("\\xff\\xfex", bin.get("value").get("text").asText()),
                () -> assertEquals("fffe78", bin.get("value").get("hex").asText()),
                () -> assertEquals("caf\u00e9", vars.get(2).get("value").get("text").asText()),
                () -> assertEquals(captured.original().exe().toString(), json.get("exe").get("path").get("text").asText()),
                () -> assertEquals(captured.identity().exe(), new String(Cli.bytes(json.get("exe").get("path")), StandardCharsets.UTF_8)),
                () -> assertEquals(captured.original().name(), json.get("comm").get("text").asText()),
                () -> assertEquals(2, json.get("cmdline").get("argv").size()),
                () -> assertEquals(captured.original().pid(), json.get("capture").get("pid").asLong()),
                () -> assertEquals("approximated", json.get("brk_source").asText()),
                () -> assertEquals(11, json.get("fields").size()),
                () -> assertTrue(json.get("fields").get("start_stack").asText().matches("0x[0-9a-f]+")),
                () -> assertTrue(json.get("format").get("checksum").get("ok").asBoolean()),
                () -> assertEquals(1, json.get("format").get("major").asInt()),
                () -> assertEquals(captured.identity().auxv().length / 16, json.get("auxv").size()),
                () -> assertEquals("AT_NULL", json.get("auxv").get(json.get("auxv").size() - 1).get("name").asText()));
        // the auxv entries are /proc/PID/auxv word for word
        ByteArrayOutputStream words = new ByteArrayOutputStream();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.nativeOrder());
        for (JsonNode e : json.get("auxv")) {
            bb.clear();
            bb.putLong(e.get("type").asLong()).putLong(Long.parseUnsignedLong(e.get("value").asText().substring(2), 16));
            words.write(bb.array(), 0, 16);
        }
        assertSameBytes("auxv entries against /proc/PID/auxv of the original", captured.identity().auxv(), words.toByteArray());
    }

    @Test
    void aDamagedFileShowsItsHeaderAndFailsTheCheck() throws Exception {
        byte[] record = Files.readAllBytes(captured.descriptor());
        record[record.length / 2] ^= 0x20;
        Path damaged = it.dir().resolve("damaged.mmd");
        Files.write(damaged, record);

        CommandResult human = it.cli().run("inspect", damaged.toString()).assertStatus(1);
        assertTrue(human.stdout().contains("checksum mismatch"), human::description);
        assertFalse(human.stdout().contains("environ"), human::description);
        JsonNode json = it.cli().run("inspect", "--json", damaged.toString()).assertStatus(1).json();
        assertFalse(json.get("format").get("checksum").get("ok").asBoolean(), json::toPrettyString);
        assertFalse(json.has("exe"), json::toPrettyString);
    }

    @Test
    void notADescriptorIsAnInputError() throws Exception {
        Path text = it.dir().resolve("notes.txt");
        Files.writeString(text, "hello\n");
        CommandResult r = it.cli().run("inspect", text.toString()).assertStatus(2);
        assertTrue(r.stderr().contains(text.toString()) && r.stderr().contains("not a selfrestore descriptor"), r::description);
        it.cli().run("inspect", it.dir().resolve("missing.mmd").toString()).assertStatus(2);
        it.cli().run("inspect").assertStatus(2);
        Fixtures.makeReadableByAll(it.dir());
    }

    private static List<byte[]> split(byte[] area) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < area.length; i++) {
            if (area[i] == 0) {
                out.add(java.util.Arrays.copyOfRange(area, start, i));
                start = i + 1;
            }
        }
        return out;
    }
}
