package dev.selfrestore.it.support;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The lines {@code IdentityViews} prints, decoded back to bytes. */
public final class ViewsReport {
    private final List<String> lines;

    public ViewsReport(List<String> lines) {
        this.lines = List.copyOf(lines);
    }

    /** Every value printed after {@code KEY=}, as bytes. */
    public List<byte[]> all(String key) {
        List<byte[]> out = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith(key + "=")) {
                out.add(HexFormat.of().parseHex(l.substring(key.length() + 1)));
            }
        }
        return out;
    }

    /** The one value printed after {@code KEY=}, as bytes. */
    public byte[] one(String key) {
        List<byte[]> all = all(key);
        if (all.size() != 1) {
            throw new AssertionError("expected one line " + key + "=, found " + all.size() + " in " + lines);
        }
        return all.get(0);
    }

    /** The raw text lines starting with {@code KEY=}, without the key. */
    public List<String> text(String key) {
        return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).toList();
    }

    /** NUL-terminated entries of an environment block. */
    public static List<String> entries(byte[] block) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < block.length; i++) {
            if (block[i] == 0) {
                out.add(HexFormat.of().formatHex(block, start, i));
                start = i + 1;
            }
        }
        return out;
    }
}
