package dev.selfrestore.runtime.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfrestore.runtime.verify.Change.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DifferenceTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] words(long... w) {
        ByteBuffer bb = ByteBuffer.allocate(w.length * 8).order(ByteOrder.nativeOrder());
        for (long x : w) {
            bb.putLong(x);
        }
        return bb.array();
    }

    @Test
    void oneLineForTheReportShowsShortValuesLongOnesByLengthAndAuxvByEntries() {
        assertEquals("comm: expected \"orders\", /proc shows \"java\"",
                new Difference(Item.COMM, b("orders"), b("java")).toString());
        byte[] a = new byte[200];
        byte[] c = a.clone();
        c[150] = 1;
        assertEquals("environ: expected 200 bytes, first difference at offset 150, /proc shows 200 bytes, first "
                + "difference at offset 150", new Difference(Item.ENVIRON, a, c).toString());
        assertEquals("auxv: expected 2 entries, /proc shows 1 entries",
                new Difference(Item.AUXV, words(6, 4096, 0, 0), words(0, 0)).toString());
    }

    @Test
    void changesEntryByEntry() {
        List<Change> env = new Difference(Item.ENVIRON, b("A=1\0B=2\0"), b("A=1\0B=3\0C=4\0")).changes();
        assertEquals(2, env.size());
        assertEquals(new Change(Item.ENVIRON, "C", Kind.ADDED, null, env.get(1).after()), env.get(1));
        assertEquals("B", env.get(0).name());
        assertEquals(Kind.CHANGED, env.get(0).kind());
        List<Change> auxv = new Difference(Item.AUXV, words(6, 4096, 25, 16, 0, 0), words(6, 4096, 25, 32, 0, 0))
                .changes();
        assertEquals(List.of(new Change(Item.AUXV, "AT_RANDOM", Kind.CHANGED, new Word(16), new Word(32))), auxv);
        List<Change> argv = new Difference(Item.CMDLINE, b("a\0b\0"), b("a\0")).changes();
        assertEquals("argv[1]", argv.get(0).name());
        assertEquals(Kind.REMOVED, argv.get(0).kind());
        assertEquals("b", new String((byte[]) argv.get(0).before(), StandardCharsets.ISO_8859_1));
        assertEquals(true, Arrays.equals(b("a\0b\0"), new Difference(Item.CMDLINE, b("a\0b\0"), b("a\0")).expected()));
    }
}
