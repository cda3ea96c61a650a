package dev.selfrestore.runtime.run;

import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.runtime.RawBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command {@code run} starts, as bytes: found on {@code PATH} as {@code execvp(3)} finds it,
 * and, when it is a {@code java} launcher that names no selfrestore agent, given one.
 */
public final class Launch {
    private static final byte[] DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin".getBytes(StandardCharsets.US_ASCII);
    private static final String JAVAAGENT = "-javaagent:";

    private Launch() {
    }

    /**
     * The executable of {@code name}: itself when it holds a '/', else the first regular file with
     * an execute bit of that name in {@code PATH} of {@code env} (an empty entry is the current
     * directory), as execvp does.
     */
    public static byte[] resolve(byte[] name, byte[][] env, FileCalls files) throws RunRefusal {
        if (RawBytes.indexOf(name, (byte) '/') >= 0) {
            return name;
        }
        byte[] path = variable(env, "PATH");
        byte[] searched = path == null ? DEFAULT_PATH : path;
        int start = 0;
        for (int i = 0; i <= searched.length; i++) {
            if (i < searched.length && searched[i] != ':') {
                continue;
            }
            byte[] dir = i == start ? new byte[] {'.'} : Arrays.copyOfRange(searched, start, i);
            start = i + 1;
            byte[] candidate = new byte[dir.length + 1 + name.length];
            System.arraycopy(dir, 0, candidate, 0, dir.length);
            candidate[dir.length] = '/';
            System.arraycopy(name, 0, candidate, dir.length + 1, name.length);
            try {
                Statx st = files.statx(candidate, 0);
                if (st.isRegularFile() && (st.mode() & 0111) != 0) {
                    return candidate;
                }
            } catch (NativeCallException e) {
                // not there: the next directory
            }
        }
        throw new RunRefusal("cannot execute " + RawBytes.escape(name) + ": no executable file of that name in PATH ("
                + RawBytes.escape(searched) + "); nothing was started");
    }

    /** Whether the executable's file name is {@code java}. */
    public static boolean isJavaLauncher(byte[] path) {
        byte[] base = Arrays.copyOfRange(path, RawBytes.lastIndexOf(path, (byte) '/') + 1, path.length);
        return Arrays.equals(base, "java".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Whether a {@code -javaagent:} of a jar whose file name starts with {@code selfrestore} is in
     * the arguments (after argv[0]) or in the launcher's {@code JAVA_TOOL_OPTIONS} or
     * {@code JDK_JAVA_OPTIONS}.
     */
    public static boolean namesSelfrestoreAgent(byte[][] argv, byte[][] env) {
        List<String> words = new ArrayList<>();
        for (int i = 1; i < argv.length; i++) {
            words.add(new String(argv[i], StandardCharsets.UTF_8));
        }
        for (String name : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            byte[] v = variable(env, name);
            if (v != null) {
                words.addAll(List.of(new String(v, StandardCharsets.UTF_8).split("\\s+")));
            }
        }
        for (String w : words) {
            if (w.startsWith(JAVAAGENT)) {
                Path jar = Path.of(w.substring(JAVAAGENT.length()).split("=", 2)[0]).getFileName();
                if (jar != null && jar.toString().startsWith("selfrestore")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code argv} with {@code option} as its first option (after argv[0]). */
    public static byte[][] withFirstOption(byte[][] argv, byte[] option) {
        byte[][] out = new byte[argv.length + 1][];
        out[0] = argv[0];
        out[1] = option;
        System.arraycopy(argv, 1, out, 2, argv.length - 1);
        return out;
    }

    /** The value of variable {@code name} in {@code env}, or null. */
    public static byte[] variable(byte[][] env, String name) {
        byte[] prefix = (name + "=").getBytes(StandardCharsets.US_ASCII);
        for (byte[] e : env) {
            if (e.length >= prefix.length && Arrays.equals(e, 0, prefix.length, prefix, 0, prefix.length)) {
                return Arrays.copyOfRange(e, prefix.length, e.length);
            }
        }
        return null;
    }
}
