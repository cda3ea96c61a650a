package dev.selfrestore.it.support;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.StringJoiner;

/** Renders raw /proc bytes readably for failure messages: nothing is decoded that could hide a difference. */
public final class Escaped {

    private static final Map<Long, String> AUXV_NAMES = Map.ofEntries(
            Map.entry(0L, "AT_NULL"), Map.entry(3L, "AT_PHDR"), Map.entry(4L, "AT_PHENT"),
            Map.entry(5L, "AT_PHNUM"), Map.entry(6L, "AT_PAGESZ"), Map.entry(7L, "AT_BASE"),
            Map.entry(8L, "AT_FLAGS"), Map.entry(9L, "AT_ENTRY"), Map.entry(11L, "AT_UID"),
            Map.entry(12L, "AT_EUID"), Map.entry(13L, "AT_GID"), Map.entry(14L, "AT_EGID"),
            Map.entry(15L, "AT_PLATFORM"), Map.entry(16L, "AT_HWCAP"), Map.entry(17L, "AT_CLKTCK"),
            Map.entry(23L, "AT_SECURE"), Map.entry(24L, "AT_BASE_PLATFORM"), Map.entry(25L, "AT_RANDOM"),
            Map.entry(26L, "AT_HWCAP2"), Map.entry(27L, "AT_RSEQ_FEATURE_SIZE"), Map.entry(28L, "AT_RSEQ_ALIGN"),
            Map.entry(29L, "AT_HWCAP3"), Map.entry(30L, "AT_HWCAP4"), Map.entry(31L, "AT_EXECFN"),
            Map.entry(33L, "AT_SYSINFO_EHDR"), Map.entry(51L, "AT_MINSIGSTKSZ"));

    private Escaped() {
    }

    /**
     * Printable ASCII as itself, NUL as {@code \0}, a backslash as {@code \\}, every other byte
     * (including each byte of a UTF-8 sequence) as {@code \xNN}.
     */
    public static String text(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int v = b & 0xff;
            if (v == 0) {
                out.append("\\0");
            } else if (v == '\\') {
                out.append("\\\\");
            } else if (v >= 0x20 && v < 0x7f) {
                out.append((char) v);
            } else {
                out.append(String.format("\\x%02x", v));
            }
        }
        return out.toString();
    }

    /** An auxiliary vector as name=value pairs (native word size and byte order). */
    public static String auxv(byte[] bytes) {
        if (bytes.length % 16 != 0) {
            return text(bytes) + " (" + bytes.length + " bytes: not whole 64-bit pairs)";
        }
        ByteBuffer words = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        StringJoiner pairs = new StringJoiner(", ", "[", "]");
        while (words.remaining() >= 16) {
            long type = words.getLong();
            long value = words.getLong();
            pairs.add(AUXV_NAMES.getOrDefault(type, "AT_" + type) + "=0x" + Long.toHexString(value));
        }
        return pairs.toString();
    }
}
