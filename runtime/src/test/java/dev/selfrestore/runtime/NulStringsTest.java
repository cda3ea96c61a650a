package dev.selfrestore.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NulStringsTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void findsEveryStringAsSplitNulDoes() {
        for (String area : new String[] {"", "\0", "a\0", "a\0\0b\0", "A=1\0B=22\0C", "\0\0\0", "abc"}) {
            NulStrings s = NulStrings.of(bytes(area));
            assertEquals(RawBytes.splitNul(bytes(area)).size(), s.count(), area);
            int[] offsets = s.offsets();
            assertEquals(s.count(), offsets.length, area);
            int at = 0;
            for (int i = 0; i < offsets.length; i++) {
                assertEquals(at, offsets[i], area);
                at += RawBytes.splitNul(bytes(area)).get(i).length + 1;
            }
        }
        assertArrayEquals(new int[] {0, 4, 9}, NulStrings.of(bytes("A=1\0B=22\0C=3\0")).offsets());
    }

    @Test
    void stringsLongerThanTheLimitNulIncluded() {
        NulStrings s = NulStrings.of(bytes("ab\0abcd\0abc\0abcde\0"), 100, 4);
        assertEquals(2, s.over());
        assertEquals(1, s.firstOver());
        assertEquals(3, s.firstOverStart());
        assertEquals(5, s.firstOverLength());
        assertEquals(0, NulStrings.of(bytes("abc\0abc"), 100, 4).over(), "an unterminated last string counts its end");
    }

    @Test
    void offsetsOnlyWhileTheCountIsWithinTheirLimit() {
        byte[] empties = new byte[1000];
        NulStrings few = NulStrings.of(empties, 1000, Long.MAX_VALUE);
        assertEquals(1000, few.count());
        assertEquals(1000, few.offsets().length);
        assertEquals(999, few.offsets()[999]);
        NulStrings many = NulStrings.of(empties, 999, Long.MAX_VALUE);
        assertEquals(1000, many.count());
        assertNull(many.offsets());
    }

    /**
     * The word-at-a-time search finds the same NUL as a byte-by-byte one from every position, in
     * areas of every length up to 40 whose bytes are drawn from the values that trip word tricks
     * up (0x00, 0x01, 0x7f, 0x80, 0x81, 0xff) and from all others.
     */
    @Test
    void wordSearchFindsTheFirstNulAsAByteSearchDoes() {
        byte[] tricky = {0, 1, 0x7f, (byte) 0x80, (byte) 0x81, (byte) 0xff, 'A', '='};
        java.util.Random random = new java.util.Random(20261204);
        for (int round = 0; round < 20_000; round++) {
            byte[] area = new byte[random.nextInt(41)];
            for (int i = 0; i < area.length; i++) {
                area[i] = random.nextBoolean() ? tricky[random.nextInt(tricky.length)] : (byte) random.nextInt(256);
            }
            java.nio.ByteBuffer words = java.nio.ByteBuffer.wrap(area).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int from = 0; from <= area.length; from++) {
                int expected = from;
                while (expected < area.length && area[expected] != 0) {
                    expected++;
                }
                assertEquals(expected, NulStrings.nextNul(area, words, from, area.length),
                        () -> java.util.Arrays.toString(area));
            }
            NulStrings s = NulStrings.of(area);
            assertEquals(RawBytes.splitNul(area).size(), s.count(), () -> java.util.Arrays.toString(area));
        }
    }

    /**
     * An area inside a larger array (the agent leaves the environment in the descriptor file's
     * bytes) scans as the same bytes copied out would: the bytes around it, NULs or not, are not
     * part of it, and offsets count from its start.
     */
    @Test
    void anAreaInsideALargerArrayScansAsItsBytesAlone() {
        java.util.Random random = new java.util.Random(20261205);
        for (int round = 0; round < 5_000; round++) {
            byte[] array = new byte[random.nextInt(60)];
            for (int i = 0; i < array.length; i++) {
                array[i] = random.nextInt(4) == 0 ? 0 : (byte) ('a' + random.nextInt(26));
            }
            int from = random.nextInt(array.length + 1);
            int length = random.nextInt(array.length - from + 1);
            byte[] alone = java.util.Arrays.copyOfRange(array, from, from + length);
            NulStrings inside = NulStrings.of(array, from, length, 1000, 5);
            NulStrings copied = NulStrings.of(alone, 1000, 5);
            String what = java.util.Arrays.toString(array) + " from " + from + " length " + length;
            assertEquals(copied.count(), inside.count(), what);
            assertArrayEquals(copied.offsets(), inside.offsets(), what);
            assertEquals(copied.over(), inside.over(), what);
            assertEquals(copied.firstOver(), inside.firstOver(), what);
            assertEquals(copied.firstOverStart(), inside.firstOverStart(), what);
            assertEquals(copied.firstOverLength(), inside.firstOverLength(), what);
            assertArrayEquals(alone, inside.copy(), what);
            assertEquals(length, inside.length(), what);
        }
    }
}
