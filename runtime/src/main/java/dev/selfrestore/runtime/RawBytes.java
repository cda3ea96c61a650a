package dev.selfrestore.runtime;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Helpers for the raw byte strings the kernel deals in. */
public final class RawBytes {
    private RawBytes() {
    }

    /**
     * Shows bytes as text for people: valid UTF-8 as is, every other byte as {@code \xNN};
     * a backslash is shown as {@code \\} and control characters as {@code \xNN}, so the
     * rendering is unambiguous and no byte is dropped.
     */
    public static String escape(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int len = utf8SequenceLength(b, i);
            if (len == 1) {
                int c = b[i] & 0xff;
                if (c == '\\') {
                    sb.append("\\\\");
                } else if (c < 0x20 || c == 0x7f) {
                    sb.append(String.format("\\x%02x", c));
                } else {
                    sb.append((char) c);
                }
                i++;
            } else if (len > 1) {
                sb.append(new String(b, i, len, StandardCharsets.UTF_8));
                i += len;
            } else {
                sb.append(String.format("\\x%02x", b[i] & 0xff));
                i++;
            }
        }
        return sb.toString();
    }

    /** Length of the well-formed UTF-8 sequence at {@code i}, or 0 if the byte there starts none. */
    private static int utf8SequenceLength(byte[] b, int i) {
        int c = b[i] & 0xff;
        if (c < 0x80) {
            return 1;
        }
        int len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (len == 0 || i + len > b.length) {
            return 0;
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            d.decode(ByteBuffer.wrap(b, i, len));
            return len;
        } catch (CharacterCodingException e) {
            return 0;
        }
    }

    /** Splits a NUL-separated area (cmdline, environ) into its strings; a trailing NUL ends the last. */
    /** Whether {@code b} ends with the bytes of {@code suffix}. */
    public static boolean endsWith(byte[] b, byte[] suffix) {
        return b.length >= suffix.length
                && java.util.Arrays.equals(b, b.length - suffix.length, b.length, suffix, 0, suffix.length);
    }

    /** The first index of {@code v} in {@code b}, or -1. */
    public static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** The last index of {@code v} in {@code b}, or -1. */
    public static int lastIndexOf(byte[] b, byte v) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    public static List<byte[]> splitNul(byte[] area) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < area.length; i++) {
            if (area[i] == 0) {
                out.add(Arrays.copyOfRange(area, start, i));
                start = i + 1;
            }
        }
        if (start < area.length) {
            out.add(Arrays.copyOfRange(area, start, area.length));
        }
        return out;
    }

    /** Joins strings into a NUL-separated area, each string followed by a NUL. */
    public static byte[] joinNul(List<byte[]> parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length + 1;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length + 1;
        }
        return out;
    }
}
