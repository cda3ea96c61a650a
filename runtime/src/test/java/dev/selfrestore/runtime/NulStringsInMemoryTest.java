package dev.selfrestore.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.selfrestore.nativeshim.Mman;
import dev.selfrestore.nativeshim.Syscalls;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The C library's scan of an area in memory ({@link Syscalls#nulStringOffsets}, which a restore
 * uses for a large command line or environment in the area it filled) finds what the Java scan
 * ({@link NulStrings#of}) finds in the same bytes, on this machine's real C library.
 */
class NulStringsInMemoryTest {
    private final Syscalls sys = Syscalls.linux();
    private final int page = sys.memory().pageSize();

    /** The area's bytes placed so that they end exactly at the end of a mapping: a read past them faults. */
    private int[] scanAtMappingEnd(byte[] area, int maxCount) {
        long length = Math.max(page, (area.length + page - 1L) / page * page);
        long map = sys.memory().mmap(0, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            long at = map + length - area.length;
            sys.memory().writeMemory(at, area);
            return sys.memory().nulStringOffsets(at, area.length, maxCount);
        } finally {
            sys.memory().munmap(map, length);
        }
    }

    private static void assertSame(NulStrings expected, NulStrings actual, String what) {
        assertEquals(expected.count(), actual.count(), what);
        assertArrayEquals(expected.offsets(), actual.offsets(), what);
        assertEquals(expected.over(), actual.over(), what);
        assertEquals(expected.firstOver(), actual.firstOver(), what);
        assertEquals(expected.firstOverStart(), actual.firstOverStart(), what);
        assertEquals(expected.firstOverLength(), actual.firstOverLength(), what);
    }

    @Test
    void theCLibraryFindsTheStringsTheJavaScanFinds() {
        Random random = new Random(20261205);
        for (int round = 0; round < 2_000; round++) {
            int n = random.nextInt(round < 1_000 ? 8 : 400);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                int len = random.nextInt(10) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 12 : 3_000);
                for (int j = 0; j < len; j++) {
                    out.write(1 + random.nextInt(255)); // any byte but NUL, high bytes included
                }
                out.write(0);
            }
            byte[] area = out.toByteArray();
            int[] starts = scanAtMappingEnd(area, Integer.MAX_VALUE);
            assertNotNull(starts, "glibc has argz_count and argz_extract");
            long maxLength = 1 + random.nextInt(3_000);
            // Inside a larger array, as the descriptor file's bytes hold it.
            byte[] array = new byte[area.length + 7];
            Arrays.fill(array, (byte) 'x');
            System.arraycopy(area, 0, array, 3, area.length);
            String what = "round " + round + ", " + n + " strings, " + area.length + " bytes";
            assertSame(NulStrings.of(area, Integer.MAX_VALUE, maxLength),
                    NulStrings.ofStarts(array, 3, area.length, starts, maxLength), what);
        }
    }

    @Test
    void aMegabyteOfEnvironmentAsTheAgentMeetsIt() {
        StringBuilder env = new StringBuilder();
        for (int i = 0; env.length() < (1 << 20); i++) {
            env.append("SERVICE_").append(i).append("_PORT=").append("9".repeat(i % 700)).append('\0');
        }
        byte[] area = env.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int[] starts = scanAtMappingEnd(area, Integer.MAX_VALUE);
        assertSame(NulStrings.of(area, Integer.MAX_VALUE, 32 * 4096), NulStrings.ofStarts(area, 0, area.length, starts,
                32 * 4096), area.length + " bytes");
    }

    @Test
    void moreStringsThanTheLimitAreLeftToTheJavaScan() {
        byte[] empties = new byte[1000];
        assertEquals(1000, scanAtMappingEnd(empties, 1000).length);
        assertNull(scanAtMappingEnd(empties, 999));
        assertEquals(0, scanAtMappingEnd(new byte[0], 0).length);
    }

    @Test
    void startsThatAreNotTheAreasAreRefused() {
        byte[] area = "A=1\0B=2\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(2, NulStrings.ofStarts(area, 0, area.length, new int[] {0, 4}, 10).count());
        assertThrows(IllegalArgumentException.class, () -> NulStrings.ofStarts(area, 0, area.length, new int[] {0, 0}, 10));
        assertThrows(IllegalArgumentException.class, () -> NulStrings.ofStarts(area, 0, area.length, new int[] {1, 4}, 10));
        assertThrows(IllegalArgumentException.class, () -> NulStrings.ofStarts(area, 0, area.length, new int[] {0, 9}, 10));
        assertThrows(IllegalArgumentException.class, () -> NulStrings.ofStarts(area, 0, 7, new int[] {0, 4}, 10),
                "an area whose last byte is not NUL");
    }
}
