package dev.selfrestore.runtime.edit;

import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.RawBytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An environment file: {@code NAME=VALUE} entries, each becoming a {@link Edit.Kind#SET_ENV} edit
 * in file order. Its bytes are taken as they are: no escapes, no quotes, no trimming.
 *
 * <ul>
 *   <li>Lines (the default): entries end at {@code \n}; empty lines and lines starting with
 *       {@code #} are skipped. A value cannot hold a newline, and a NUL byte is refused.</li>
 *   <li>NUL-separated ({@code /proc/PID/environ}'s own format, {@code env -0}): entries end at a
 *       NUL byte, any other byte (newlines included) belongs to the value; empty entries are
 *       skipped.</li>
 * </ul>
 */
public final class EnvFile {
    private EnvFile() {
    }

    /**
     * @param name      the file, for messages
     * @param content   its bytes
     * @param nulSeparated whether entries end at NUL bytes rather than newlines
     */
    public static List<Edit> parse(String name, byte[] content, boolean nulSeparated) throws EditException {
        List<Edit> out = new ArrayList<>();
        byte end = nulSeparated ? (byte) 0 : (byte) '\n';
        int start = 0;
        int line = 1;
        for (int i = 0; i <= content.length; i++) {
            if (i < content.length && content[i] != end) {
                continue;
            }
            byte[] entry = Arrays.copyOfRange(content, start, i);
            String where = name + (nulSeparated ? " entry " + line : ":" + line);
            start = i + 1;
            line++;
            if (entry.length == 0 || !nulSeparated && entry[0] == '#') {
                continue;
            }
            if (!nulSeparated) {
                for (byte b : entry) {
                    if (b == 0) {
                        throw new EditException(where + ": \"" + RawBytes.escape(entry) + "\" holds a NUL byte; a "
                                + "NUL-separated file needs --null");
                    }
                }
            }
            int eq = RawBytes.indexOf(entry, (byte) '=');
            if (eq <= 0) {
                throw new EditException(where + ": \"" + RawBytes.escape(entry) + "\" is not NAME=VALUE");
            }
            out.add(new Edit(Edit.Kind.SET_ENV, entry));
        }
        return out;
    }

}
