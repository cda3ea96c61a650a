package dev.selfrestore.agent.build;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Renames one class in a class file's constant pool: every {@code CONSTANT_Utf8} that is the
 * class's internal name, or holds it as a descriptor type ({@code L…;}), is rewritten. Nothing
 * after the constant pool changes, and no other constant moves, so the class file stays valid
 * without recomputing anything. The build (agent/src/build/AgentJar.java) points JNA's logging at
 * selfrestore's own logger with it (see {@code JnaLogger} in native-shim) as it writes JNA's classes
 * into the jar: done at build time, not as each class loads, where scanning every JNA class in a cold
 * JVM cost milliseconds of each start (bench/README.md, "Where the time goes"). A build tool: this
 * package is not copied into the shipped jar.
 *
 * <p>Input that is not a class file, or ends inside its constant pool, or holds a constant pool
 * tag this class does not know, is refused with an {@link IllegalArgumentException} that says so.
 */
public final class ConstantPoolRenamer {
    private final byte[] from;
    private final byte[] fromType;
    private final byte[] to;
    private final byte[] toType;

    public ConstantPoolRenamer(String from, String to) {
        this.from = from.getBytes(StandardCharsets.US_ASCII);
        this.fromType = ("L" + from + ";").getBytes(StandardCharsets.US_ASCII);
        this.to = to.getBytes(StandardCharsets.US_ASCII);
        this.toType = ("L" + to + ";").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The class file with the class renamed, or the same array when it does not mention it.
     *
     * @throws IllegalArgumentException if {@code b} is not a class file, ends inside its constant
     *                                  pool or has a constant pool tag not known here
     */
    public byte[] rename(byte[] b) {
        if (indexOf(b, fromType, 0) < 0 && indexOf(b, from, 0) < 0) {
            return b;
        }
        if (b.length < 10 || u2(b, 0) != 0xcafe || u2(b, 2) != 0xbabe) {
            throw new IllegalArgumentException("not a class file");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 64);
        int count = u2(b, 8);
        out.write(b, 0, 10);
        int p = 10;
        for (int i = 1; i < count; i++) {
            need(b, p + 1);
            int tag = b[p] & 0xff;
            if (tag == 1) {
                need(b, p + 3);
                int len = u2(b, p + 1);
                need(b, p + 3 + len);
                byte[] value = java.util.Arrays.copyOfRange(b, p + 3, p + 3 + len);
                byte[] renamed = java.util.Arrays.equals(value, from) ? to : replaceAll(value, fromType, toType);
                out.write(1);
                out.write(renamed.length >>> 8);
                out.write(renamed.length);
                out.write(renamed, 0, renamed.length);
                p += 3 + len;
                continue;
            }
            int size = entrySize(tag);
            need(b, p + size);
            out.write(b, p, size);
            p += size;
            if (tag == 5 || tag == 6) {
                i++; // long and double take two slots
            }
        }
        out.write(b, p, b.length - p);
        return out.toByteArray();
    }

    private static int entrySize(int tag) {
        switch (tag) {
            case 7: case 8: case 16: case 19: case 20:
                return 3;
            case 15:
                return 4;
            case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
                return 5;
            case 5: case 6:
                return 9;
            default:
                throw new IllegalArgumentException("constant pool tag " + tag);
        }
    }

    private static void need(byte[] b, int end) {
        if (end > b.length) {
            throw new IllegalArgumentException("class file ends inside its constant pool");
        }
    }

    private static int u2(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static byte[] replaceAll(byte[] s, byte[] what, byte[] with) {
        int at = indexOf(s, what, 0);
        if (at < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length + with.length);
        int from = 0;
        while (at >= 0) {
            out.write(s, from, at - from);
            out.write(with, 0, with.length);
            from = at + what.length;
            at = indexOf(s, what, from);
        }
        out.write(s, from, s.length - from);
        return out.toByteArray();
    }

    private static int indexOf(byte[] s, byte[] what, int from) {
        outer:
        for (int i = from; i <= s.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (s[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
