package dev.selfrestore.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfrestore.runtime.verify.Changes;
import dev.selfrestore.runtime.verify.Item;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangesTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void environVariablesByName() {
        Changes c = new Changes();
        c.environ(Item.ENVIRON, b("A=1\0B=\u00ff\0C=3\0"), b("A=2\0C=3\0D=4\0"));
        assertEquals(List.of("environ",
                "  A  \"A=1\" -> \"A=2\"",
                "  B  - \"B=\\xff\"",
                "  D  + \"D=4\""), Show.lines(c.list(), ""));
    }

    @Test
    void argumentsByPositionAndTheWholeAreaWhenOnlyTheLayoutDiffers() {
        Changes c = new Changes();
        c.argv(Item.CMDLINE, b("java\0-jar\0a.jar\0"), b("java\0-jar\0"));
        assertEquals(List.of("cmdline", "  argv[2]  - \"a.jar\""), Show.lines(c.list(), ""));
        Changes d = new Changes();
        d.argv(Item.CMDLINE, b("java\0x\0"), b("java\0x"));
        assertEquals(List.of("cmdline", "  (bytes)  \"java\\x00x\\x00\" -> \"java\\x00x\""), Show.lines(d.list(), ""));
    }

    @Test
    void auxvEntriesByType() {
        Changes c = new Changes();
        c.auxv(Item.AUXV, new long[] {6, 4096, 25, 0x1000, 0, 0}, new long[] {6, 4096, 25, 0x2000, 51, 3376, 0, 0});
        assertEquals(List.of("auxv",
                "  AT_RANDOM       0x1000 -> 0x2000",
                "  AT_MINSIGSTKSZ  + 0xd30"), Show.lines(c.list(), ""));
    }
}
