package dev.selfrestore.runtime.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.RawBytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EditTextTest {
    @Test
    void escapesAreBytesAndEverythingElseIsUtf8() {
        assertArrayEquals(new byte[] {'a', (byte) 0xff, '\\', ',', (byte) 0xc3, (byte) 0xa9, 0x0a},
                EditText.bytes("a\\xff\\\\\\x2cé\\x0A"));
        assertArrayEquals(new byte[0], EditText.bytes(""));
    }

    @Test
    void whatInspectShowsGivesBackTheSameBytes() {
        byte[] raw = {'x', (byte) 0xfe, '\\', 0x01, (byte) 0xe2, (byte) 0x82, (byte) 0xac, 0x7f};
        assertArrayEquals(raw, EditText.bytes(RawBytes.escape(raw)));
    }

    @Test
    void aLoneBackslashOrAReplacementCharacterIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> EditText.bytes("a\\n"));
        assertThrows(IllegalArgumentException.class, () -> EditText.bytes("a\\"));
        assertThrows(IllegalArgumentException.class, () -> EditText.bytes("\\xg0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EditText.bytes("a\uFFFDb"));
        assertTrue(e.getMessage().contains("write those bytes as \\xHH"), e.getMessage());
    }

    @Test
    void envFileLinesAndNulSeparated() throws Exception {
        byte[] lines = "# comment\nA=1\n\nB=x=y\r\nC=\u00ff\n".getBytes(StandardCharsets.ISO_8859_1);
        List<Edit> edits = EnvFile.parse("f", lines, false);
        assertEquals(3, edits.size());
        assertArrayEquals("A=1".getBytes(StandardCharsets.US_ASCII), edits.get(0).operand());
        assertArrayEquals("B=x=y\r".getBytes(StandardCharsets.US_ASCII), edits.get(1).operand());
        assertArrayEquals(new byte[] {'C', '=', (byte) 0xff}, edits.get(2).operand());

        byte[] nul = {'A', '=', '1', '\n', '2', 0, 0, '#', 'B', '=', 0};
        edits = EnvFile.parse("f", nul, true);
        assertEquals(2, edits.size());
        assertArrayEquals(new byte[] {'A', '=', '1', '\n', '2'}, edits.get(0).operand());
        assertArrayEquals(new byte[] {'#', 'B', '='}, edits.get(1).operand());
    }

    @Test
    void envFileProblemsNameTheLine() {
        EditException e = assertThrows(EditException.class, () -> EnvFile.parse("vars.env", "A=1\nbad\n".getBytes(
                StandardCharsets.US_ASCII), false));
        assertEquals("vars.env:2: \"bad\" is not NAME=VALUE", e.getMessage());
        e = assertThrows(EditException.class, () -> EnvFile.parse("vars.env", new byte[] {'A', '=', 0, 'B', '=', '\n'},
                false));
        assertTrue(e.getMessage().startsWith("vars.env:1: ") && e.getMessage().endsWith("needs --null"), e.getMessage());
    }
}
