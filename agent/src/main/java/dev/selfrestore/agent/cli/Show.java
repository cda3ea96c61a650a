package dev.selfrestore.agent.cli;

import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.verify.Change;
import dev.selfrestore.runtime.verify.FileMode;
import dev.selfrestore.runtime.verify.Item;
import dev.selfrestore.runtime.verify.Word;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * How values are shown. Raw bytes (paths, arguments, environment, comm) are shown to people with
 * {@link RawBytes#escape} (valid UTF-8 as is, every other byte as {@code \xNN}, never dropped) and
 * given to machines twice: the same escaped text, and the exact bytes in hex.
 */
final class Show {
    private Show() {
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

    /** A value of a {@link Change} or a field, for people. */
    static String human(Object v) {
        if (v == null) {
            return "(none)";
        }
        if (v instanceof byte[] b) {
            return quoted(b);
        }
        if (v instanceof FileMode m) {
            return mode(m.bits());
        }
        return v.toString();
    }

    /** The same value for JSON. */
    static Object json(Object v) {
        if (v instanceof byte[] b) {
            return bytes(b);
        }
        if (v instanceof Word w) {
            return w.toString();
        }
        if (v instanceof FileMode m) {
            return mode(m.bits());
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

    /**
     * Changes for people: one line per change, grouped by item, {@code name  OLD -> NEW} for a change,
     * {@code name  - OLD} for an entry only on the first side, {@code name  + NEW} only on the second.
     */
    static List<String> lines(List<Change> changes, String indent) {
        List<String> out = new ArrayList<>();
        Item item = null;
        int width = 0;
        for (Change c : changes) {
            if (c.item() != item) {
                item = c.item();
                out.add(indent + item.label());
                width = 0;
                for (Change d : changes) {
                    if (d.item() == item) {
                        width = Math.max(width, d.name().length());
                    }
                }
            }
            String name = String.format("%-" + width + "s", c.name());
            String text = switch (c.kind()) {
                case CHANGED -> human(c.before()) + " -> " + human(c.after());
                case ADDED -> "+ " + human(c.after());
                case REMOVED -> "- " + human(c.before());
            };
            out.add(indent + "  " + name + "  " + text);
        }
        return out;
    }

    /** Changes for machines: one object per change; {@code beforeKey}/{@code afterKey} name the sides. */
    static List<Object> json(List<Change> changes, String beforeKey, String afterKey) {
        List<Object> out = Json.array();
        for (Change c : changes) {
            Map<String, Object> m = Json.object();
            m.put("item", c.item().label());
            m.put("name", c.name());
            m.put("change", c.kind().name().toLowerCase(java.util.Locale.ROOT));
            m.put(beforeKey, json(c.before()));
            m.put(afterKey, json(c.after()));
            out.add(m);
        }
        return out;
    }
}
