package dev.selfrestore.runtime.jvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The jvmstat memory of a HotSpot JVM (what {@code /tmp/hsperfdata_USER/PID} maps), in the v2.0
 * format {@code sun.jvmstat.perfdata.monitor.v2_0} reads: a prologue (magic {@code 0xcafec0c0},
 * byte order, version 2.x, used size, the first entry's offset and the number of entries), then
 * the entries, each with its length, name offset, vector length, data type, and data offset from
 * the entry. A string counter is a byte vector ({@code 'B'}) of fixed length, NUL-padded.
 */
public final class PerfData {

    /** A byte-vector counter: its name and where its bytes are, from the start of the memory. */
    public record Entry(String name, int dataOffset, int length) {
    }

    private static final int MAGIC = 0xcafec0c0;
    private static final byte T_BYTE = 'B';

    private final ByteBuffer buf;
    private final Map<String, Entry> strings;

    private PerfData(ByteBuffer buf, Map<String, Entry> strings) {
        this.buf = buf;
        this.strings = strings;
    }

    /** The length of the prologue: enough to read {@link #usedSize}. */
    public static final int PROLOGUE = 32;

    /**
     * The bytes the prologue says are in use.
     *
     * @throws IllegalStateException when {@code prologue} is not a v2 jvmstat prologue
     */
    public static int usedSize(byte[] prologue) {
        return order(ByteBuffer.wrap(prologue)).getInt(8);
    }

    /**
     * Parses the memory's string counters.
     *
     * @throws IllegalStateException naming what is not as the format says
     */
    public static PerfData parse(byte[] memory) {
        ByteBuffer b = order(ByteBuffer.wrap(memory));
        int used = Math.min(b.getInt(8), memory.length);
        int offset = b.getInt(24);
        int count = b.getInt(28);
        Map<String, Entry> strings = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            if (offset < PROLOGUE || offset + 20 > used) {
                throw new IllegalStateException("jvmstat entry " + i + " at " + offset + " lies outside the " + used
                        + " bytes in use");
            }
            int length = b.getInt(offset);
            int nameOffset = b.getInt(offset + 4);
            int vector = b.getInt(offset + 8);
            byte type = b.get(offset + 12);
            int data = b.getInt(offset + 16);
            if (length <= 0 || offset + length > used || nameOffset <= 0 || nameOffset >= length) {
                throw new IllegalStateException("jvmstat entry " + i + " at " + offset + " has a length or name offset "
                        + "outside itself");
            }
            String name = cString(memory, offset + nameOffset, offset + length);
            if (type == T_BYTE && vector > 0 && data > 0 && data + (long) vector <= length) {
                strings.put(name, new Entry(name, offset + data, vector));
            }
            offset += length;
        }
        return new PerfData(b, strings);
    }

    private static ByteBuffer order(ByteBuffer b) {
        if (b.capacity() < PROLOGUE || b.order(ByteOrder.BIG_ENDIAN).getInt(0) != MAGIC) {
            throw new IllegalStateException("not jvmstat memory (no 0xcafec0c0 magic)");
        }
        b.order(b.get(4) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (b.get(5) != 2) {
            throw new IllegalStateException("jvmstat memory of version " + b.get(5) + "." + b.get(6) + ", not 2.x");
        }
        return b;
    }

    private static String cString(byte[] m, int from, int limit) {
        int end = from;
        while (end < limit && m[end] != 0) {
            end++;
        }
        return new String(m, from, end - from, StandardCharsets.ISO_8859_1);
    }

    /** The string counter {@code name}, or null. */
    public Entry string(String name) {
        return strings.get(name);
    }

    /** The bytes of string counter {@code name} up to its first NUL, or null when there is no such counter. */
    public byte[] value(String name) {
        Entry e = strings.get(name);
        if (e == null) {
            return null;
        }
        int end = e.dataOffset();
        while (end < e.dataOffset() + e.length() && buf.get(end) != 0) {
            end++;
        }
        byte[] v = new byte[end - e.dataOffset()];
        buf.get(e.dataOffset(), v);
        return v;
    }

    /**
     * What to write over {@code e}'s bytes to make its value {@code value}: the value, NUL-padded
     * to the counter's fixed length; null when it does not fit (the last byte stays a NUL).
     */
    public static byte[] padded(Entry e, byte[] value) {
        if (value.length >= e.length()) {
            return null;
        }
        return java.util.Arrays.copyOf(value, e.length());
    }
}
