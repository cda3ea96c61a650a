package dev.selfrestore.runtime.edit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Edit values given as text (command-line options, agent options) to bytes: {@code \xHH} is the
 * byte HH, {@code \\} a backslash, and every other character its UTF-8 encoding. This is the
 * inverse of how {@code inspect} shows bytes, so a value shown can be given back as it is shown.
 */
public final class EditText {
    private EditText() {
    }

    /**
     * @throws IllegalArgumentException for a backslash that starts neither {@code \xHH} nor
     *                                  {@code \\}, and for U+FFFD: a byte the JVM could not decode in
     *                                  this locale, which would otherwise be replaced silently
     */
    public static byte[] bytes(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '\\') {
                    out.write('\\');
                    i += 2;
                    continue;
                }
                if (i + 3 < text.length() && text.charAt(i + 1) == 'x' && hex(text.charAt(i + 2)) >= 0
                        && hex(text.charAt(i + 3)) >= 0) {
                    out.write(hex(text.charAt(i + 2)) * 16 + hex(text.charAt(i + 3)));
                    i += 4;
                    continue;
                }
                throw new IllegalArgumentException("'\\' at character " + i + " starts no escape: write a byte as \\xHH "
                        + "(two hex digits) and a backslash as \\\\");
            }
            if (c == '\uFFFD') {
                throw new IllegalArgumentException("character " + i + " is U+FFFD, what the JVM puts for bytes this locale "
                        + "cannot decode: write those bytes as \\xHH");
            }
            int cp = text.codePointAt(i);
            if (Character.isSurrogate(c) && cp == c) {
                throw new IllegalArgumentException("character " + i + " is an unpaired surrogate");
            }
            byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }

    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
