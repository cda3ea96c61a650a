package dev.selfrestore.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The strings of a NUL-separated area (a command line, an environment), found in one pass over its
 * bytes: how many there are, where each starts, and which are longer than a limit. Everything a
 * restore needs to know about them (the count, execve's limits, the offsets for the C library's
 * {@code environ} array) comes from this one pass: in a cold JVM each pass over a megabyte of
 * environment runs as interpreted code (bench/README.md, "Environment size").
 *
 * <p>A last string without its NUL counts as a string (as {@link RawBytes#splitNul} splits it).
 * Offsets are kept only while the count stays within {@code maxOffsets}, so that a hostile area of
 * many empty strings cannot make a large array; {@link #offsets()} is null beyond it.
 *
 * <p>It keeps the area it scanned, not a copy ({@link #array()}, {@link #from()}, {@link #length()}):
 * a restore scans the descriptor's own bytes (each accessor of MmDescriptor copies) and hands this
 * around. Offsets are from the area's start.
 */
public final class NulStrings {
    private final byte[] array;
    private final int from;
    private final int length;
    private final int count;
    private final int[] offsets;
    private final int over;
    private final int firstOver;
    private final int firstOverStart;
    private final int firstOverLength;

    private NulStrings(byte[] array, int from, int length, int count, int[] offsets, int over, int firstOver,
                       int firstOverStart, int firstOverLength) {
        this.array = array;
        this.from = from;
        this.length = length;
        this.count = count;
        this.offsets = offsets;
        this.over = over;
        this.firstOver = firstOver;
        this.firstOverStart = firstOverStart;
        this.firstOverLength = firstOverLength;
    }

    /**
     * Scans {@code area}, keeping at most {@code maxOffsets} string offsets and noting the strings
     * longer than {@code maxLength} bytes, NUL included.
     */
    public static NulStrings of(byte[] area, int maxOffsets, long maxLength) {
        return of(area, 0, area.length, maxOffsets, maxLength);
    }

    /** The same of the {@code areaLength} bytes of {@code array} from {@code areaFrom}. */
    public static NulStrings of(byte[] array, int areaFrom, int areaLength, int maxOffsets, long maxLength) {
        java.util.Objects.checkFromIndexSize(areaFrom, areaLength, array.length);
        int[] offsets = new int[Math.max(0, Math.min(maxOffsets, 256))];
        int count = 0;
        int over = 0;
        int firstOver = -1;
        int firstOverStart = 0;
        int firstOverLength = 0;
        int end = areaFrom + areaLength;
        ByteBuffer words = ByteBuffer.wrap(array).order(ByteOrder.LITTLE_ENDIAN);
        int i = areaFrom;
        while (i < end) {
            int start = i - areaFrom;
            i = nextNul(array, words, i, end);
            int length = i - areaFrom - start + 1; // the NUL, or the end of the area, included
            if (length > maxLength) {
                if (over++ == 0) {
                    firstOver = count;
                    firstOverStart = start;
                    firstOverLength = length;
                }
            }
            if (offsets != null && count == offsets.length) {
                offsets = count >= maxOffsets ? null : Arrays.copyOf(offsets, (int) Math.min(maxOffsets, 2L * count));
            }
            if (offsets != null) {
                offsets[count] = start;
            }
            count++;
            i++;
        }
        if (offsets != null && offsets.length != count) {
            offsets = Arrays.copyOf(offsets, count);
        }
        return new NulStrings(array, areaFrom, areaLength, count, offsets, over, firstOver, firstOverStart,
                firstOverLength);
    }

    /**
     * The same from the start of each string, found elsewhere ({@code Syscalls.nulStringOffsets},
     * the C library's scan of the same bytes in native memory): {@code starts} must be where
     * {@link #of(byte[], int, int, int, long)} finds the strings of an area whose last byte is NUL,
     * all of them, and is kept, not copied. Only the strings' lengths are worked out here, one step
     * per string rather than per byte.
     */
    public static NulStrings ofStarts(byte[] array, int areaFrom, int areaLength, int[] starts, long maxLength) {
        java.util.Objects.checkFromIndexSize(areaFrom, areaLength, array.length);
        if (areaLength > 0 ? array[areaFrom + areaLength - 1] != 0 || starts.length == 0 || starts[0] != 0
                : starts.length != 0) {
            throw new IllegalArgumentException("not the starts of a NUL-terminated area's strings");
        }
        int over = 0;
        int firstOver = -1;
        int firstOverStart = 0;
        int firstOverLength = 0;
        for (int i = 0; i < starts.length; i++) {
            int next = i + 1 < starts.length ? starts[i + 1] : areaLength;
            if (next <= starts[i] || next > areaLength) {
                throw new IllegalArgumentException("string " + i + " starts at " + starts[i] + ", the next at " + next);
            }
            int length = next - starts[i]; // its NUL included
            if (length > maxLength && over++ == 0) {
                firstOver = i;
                firstOverStart = starts[i];
                firstOverLength = length;
            }
        }
        return new NulStrings(array, areaFrom, areaLength, starts.length, starts, over, firstOver, firstOverStart,
                firstOverLength);
    }

    /**
     * The index of the first NUL at or after {@code i} and before {@code end}, or {@code end}: eight bytes at a time
     * (a word has a zero byte where {@code (w - 0x01..01) & ~w & 0x80..80} is not zero, and its
     * lowest set bit, little-endian, marks the first one), then byte by byte for the tail. An
     * environment's strings are hundreds of bytes long, and this scan runs interpreted or
     * barely compiled in a cold JVM, where each iteration counts.
     */
    static int nextNul(byte[] area, ByteBuffer words, int i, int end) {
        while (i <= end - Long.BYTES) {
            long w = words.getLong(i);
            long zero = (w - 0x0101010101010101L) & ~w & 0x8080808080808080L;
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
            i += Long.BYTES;
        }
        while (i < end && area[i] != 0) {
            i++;
        }
        return i;
    }

    /** Scans {@code area}, keeping every offset. */
    public static NulStrings of(byte[] area) {
        return of(area, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /** The array that holds the area scanned, itself (not a copy): not to be changed. */
    public byte[] array() {
        return array;
    }

    /** Where the area starts in {@link #array()}. */
    public int from() {
        return from;
    }

    /** The area's length in bytes. */
    public int length() {
        return length;
    }

    /** The area's bytes, copied. */
    public byte[] copy() {
        return Arrays.copyOfRange(array, from, from + length);
    }

    /** The area's last byte; the area must not be empty. */
    public byte last() {
        return array[from + length - 1];
    }

    /** The number of strings. */
    public int count() {
        return count;
    }

    /** The offset of each string from the area's start, or null when there were more than the scan kept. */
    public int[] offsets() {
        return offsets;
    }

    /** How many strings are longer than the scan's {@code maxLength}. */
    public int over() {
        return over;
    }

    /** The index of the first string longer than {@code maxLength}, or -1. */
    public int firstOver() {
        return firstOver;
    }

    /** Where that string starts, from the area's start. */
    public int firstOverStart() {
        return firstOverStart;
    }

    /** Its length, NUL included. */
    public int firstOverLength() {
        return firstOverLength;
    }
}
