package dev.selfrestore.runtime.verify;

import dev.selfrestore.runtime.RawBytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The entries of an identity's areas: environment variables and auxv entries (the arguments are
 * {@link RawBytes#splitNul}'s strings).
 */
public final class Entries {
    private Entries() {
    }

    /** One environment entry; {@code value} is null for an entry without {@code =}. */
    public record EnvVar(byte[] name, byte[] value, byte[] raw) {
    }

    /** One auxv entry. */
    public record AuxvEntry(long type, long value) {
        public String name() {
            return AuxvNames.name(type);
        }
    }

    /** The entries of an environ area, split at the first {@code =} of each. */
    public static List<EnvVar> environ(byte[] environ) {
        List<EnvVar> out = new ArrayList<>();
        for (byte[] e : RawBytes.splitNul(environ)) {
            int eq = -1;
            for (int i = 0; i < e.length; i++) {
                if (e[i] == '=') {
                    eq = i;
                    break;
                }
            }
            out.add(eq < 0 ? new EnvVar(e, null, e)
                    : new EnvVar(Arrays.copyOfRange(e, 0, eq), Arrays.copyOfRange(e, eq + 1, e.length), e));
        }
        return out;
    }

    /** The (type, value) pairs of an auxv in words; an odd last word is shown as a pair with value 0. */
    public static List<AuxvEntry> auxv(long[] words) {
        List<AuxvEntry> out = new ArrayList<>();
        for (int i = 0; i < words.length; i += 2) {
            out.add(new AuxvEntry(words[i], i + 1 < words.length ? words[i + 1] : 0));
        }
        return out;
    }
}
