package dev.selfrestore.agent.cli;

import dev.selfrestore.runtime.RawBytes;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/**
 * How values are shown. Raw bytes (paths, arguments, environment, comm) are shown to people with
 * {@link RawBytes#escape} (valid UTF-8 as is, every other byte as {@code \xNN}, never dropped) and
 * given to machines twice: the same escaped text, and the exact bytes in hex.
 */
final class Show {
    private Show() {
    }

    /** An address or a word: {@code 0x} and lower-case hex digits. */
    record Hex(long value) {
        @Override
        public String toString() {
            return "0x" + Long.toHexString(value);
        }
    }

    /** Bytes for JSON: {@code {"text": escaped, "hex": exact bytes}}. */
    static Map<String, Object> bytes(byte[] b) {
        Map<String, Object> m = Json.object();
        m.put("text", RawBytes.escape(b));
        m.put("hex", HexFormat.of().formatHex(b));
        return m;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** One edit for machines: {@code {"option": "--set-env", "operand": {text, hex}}}. */
    static Map<String, Object> edit(dev.selfrestore.runtime.Edit e) {
        Map<String, Object> m = Json.object();
        m.put("option", e.kind().option());
        m.put("operand", bytes(e.operand()));
        return m;
    }

    /** Bytes for people, in double quotes; a double quote inside is shown as {@code \"}. */
    static String quoted(byte[] b) {
        return '"' + RawBytes.escape(b).replace("\"", "\\\"") + '"';
    }

    /** A value of a {@link Changes.Change} or a field, for people. */
    static String human(Object v) {
        if (v == null) {
            return "(none)";
        }
        if (v instanceof byte[] b) {
            return quoted(b);
        }
        return v.toString();
    }

    /** The same value for JSON. */
    static Object json(Object v) {
        if (v instanceof byte[] b) {
            return bytes(b);
        }
        if (v instanceof Hex h) {
            return h.toString();
        }
        if (v == null || v instanceof String || v instanceof Long || v instanceof Integer || v instanceof Boolean) {
            return v;
        }
        return v.toString();
    }

    /** Milliseconds since the epoch as ISO-8601 UTC. */
    static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    /** Nanoseconds since the epoch as ISO-8601 UTC. */
    static String timeNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }

    /** st_mode as {@code 0100755 (regular file, rwxr-xr-x)}. */
    static String mode(int mode) {
        int type = mode & 0170000;
        String kind = type == 0100000 ? "regular file" : type == 0120000 ? "symbolic link" : type == 0040000 ? "directory"
                : "type 0" + Integer.toOctalString(type);
        StringBuilder perms = new StringBuilder();
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            perms.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return "0" + Integer.toOctalString(mode) + " (" + kind + ", " + perms + ")";
    }

    static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
