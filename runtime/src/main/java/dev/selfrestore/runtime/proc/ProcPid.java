package dev.selfrestore.runtime.proc;

import dev.selfrestore.runtime.MmFields;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one process's /proc files. {@code ProcPid.self()} reads /proc/self.
 *
 * <p>Everything is read as bytes; text files are parsed as ISO-8859-1 so that no byte of a
 * pathname is changed.
 */
public final class ProcPid {
    private final Path dir;
    private final long pid;

    private ProcPid(Path dir, long pid) {
        this.dir = dir;
        this.pid = pid;
    }

    public static ProcPid of(long pid) {
        return new ProcPid(Path.of("/proc", Long.toString(pid)), pid);
    }

    /** A directory laid out as /proc/PID, for process {@code pid}: tests build one to show a state on demand. */
    public static ProcPid at(Path dir, long pid) {
        return new ProcPid(dir, pid);
    }

    /**
     * /proc/self, with the real PID recorded for messages and for task paths: the PID as this /proc
     * numbers it, read from the {@code /proc/self} link. (Not {@code ProcessHandle.current()}:
     * in the agent's premain it would be the first use of ProcessHandleImpl, whose initialiser sets
     * up the process reaper's executor, a few milliseconds of class loading for one number.)
     */
    public static ProcPid self() {
        Path self = Path.of("/proc/self");
        long pid;
        try {
            pid = Long.parseLong(Files.readSymbolicLink(self).toString());
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            pid = ProcessHandle.current().pid();
        }
        return new ProcPid(self, pid);
    }

    public long pid() {
        return pid;
    }

    public Path dir() {
        return dir;
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public byte[] read(String name) throws IOException {
        return Files.readAllBytes(dir.resolve(name));
    }

    public byte[] cmdline() throws IOException {
        return read("cmdline");
    }

    public byte[] environ() throws IOException {
        return read("environ");
    }

    public byte[] auxvBytes() throws IOException {
        return read("auxv");
    }

    /** /proc/PID/auxv as machine words. */
    public long[] auxv() throws IOException {
        return auxvWords(auxvBytes());
    }

    public static long[] auxvWords(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        long[] words = new long[b.length / 8];
        for (int i = 0; i < words.length; i++) {
            words[i] = bb.getLong();
        }
        return words;
    }

    /** /proc/PID/comm without the newline the kernel appends. */
    public byte[] comm() throws IOException {
        byte[] b = read("comm");
        return b.length > 0 && b[b.length - 1] == '\n' ? Arrays.copyOf(b, b.length - 1) : b;
    }

    /** The whitespace-separated fields of /proc/PID/stat after the command name; index 0 is field 3. */
    public String[] statFieldsFrom3() throws IOException {
        String s = new String(read("stat"), StandardCharsets.ISO_8859_1);
        int close = s.lastIndexOf(')');
        if (close < 0) {
            throw new IOException(file("stat") + ": no ')' after the command name");
        }
        return s.substring(close + 1).trim().split(" ");
    }

    /**
     * The mm fields /proc/PID/stat shows (fields 26-28 and 45-51). brk is not shown anywhere in
     * /proc; {@code brk} is passed in by the caller.
     */
    public MmFields statFields(long brk) throws IOException {
        return statFields(statFieldsFrom3(), brk);
    }

    /** {@link #statFields(long)} from fields already read with {@link #statFieldsFrom3()}. */
    public MmFields statFields(String[] f, long brk) throws IOException {
        if (f.length < 49) {
            throw new IOException(file("stat") + ": " + (f.length + 2) + " fields, need 51 (kernel 3.5+)");
        }
        return new MmFields(
                field(f, 26), field(f, 27),
                field(f, 45), field(f, 46),
                field(f, 47), brk,
                field(f, 28),
                field(f, 48), field(f, 49),
                field(f, 50), field(f, 51));
    }

    private static long field(String[] from3, int n) {
        return Long.parseUnsignedLong(from3[n - 3]);
    }

    /** The mappings of /proc/PID/maps, in address order. */
    public List<Mapping> maps() throws IOException {
        return parseMaps(read("maps"));
    }

    public static List<Mapping> parseMaps(byte[] raw) {
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        List<Mapping> out = new ArrayList<>();
        int pos = 0;
        while (pos < s.length()) {
            int nl = s.indexOf('\n', pos);
            if (nl < 0) {
                nl = s.length();
            }
            String line = s.substring(pos, nl);
            pos = nl + 1;
            if (!line.isEmpty()) {
                out.add(parseMapsLine(line));
            }
        }
        return out;
    }

    /** {@code start-end perms offset major:minor inode   path}; the path may contain spaces. */
    static Mapping parseMapsLine(String line) {
        int[] at = {0};
        String range = token(line, at);
        String perms = token(line, at);
        String offset = token(line, at);
        String dev = token(line, at);
        String inode = token(line, at);
        while (at[0] < line.length() && line.charAt(at[0]) == ' ') {
            at[0]++;
        }
        String path = line.substring(at[0]);
        int dash = range.indexOf('-');
        int colon = dev.indexOf(':');
        return new Mapping(
                Long.parseUnsignedLong(range.substring(0, dash), 16),
                Long.parseUnsignedLong(range.substring(dash + 1), 16),
                perms,
                Long.parseUnsignedLong(offset, 16),
                Integer.parseInt(dev.substring(0, colon), 16),
                Integer.parseInt(dev.substring(colon + 1), 16),
                Long.parseUnsignedLong(inode),
                path.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String token(String line, int[] at) {
        int i = at[0];
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        int j = i;
        while (j < line.length() && line.charAt(j) != ' ') {
            j++;
        }
        at[0] = j;
        return line.substring(i, j);
    }

    /** A line {@code Key:\tvalue…} of /proc/PID/status, the value trimmed; null when absent. */
    public String status(String key) throws IOException {
        String s = new String(read("status"), StandardCharsets.ISO_8859_1);
        for (String line : s.split("\n")) {
            if (line.startsWith(key + ":")) {
                return line.substring(key.length() + 1).trim();
            }
        }
        return null;
    }

    /** Real UID (first number of the {@code Uid:} line). */
    public int realUid() throws IOException {
        String uid = status("Uid");
        if (uid == null) {
            throw new IOException(file("status") + ": no Uid line");
        }
        return Integer.parseInt(uid.split("\\s+")[0]);
    }

    /** Effective UID (second number of the {@code Uid:} line). */
    public int effectiveUid() throws IOException {
        String uid = status("Uid");
        if (uid == null) {
            throw new IOException(file("status") + ": no Uid line");
        }
        return Integer.parseInt(uid.split("\\s+")[1]);
    }

    /** Effective capability set ({@code CapEff:}) as a bit mask. */
    public long effectiveCapabilities() throws IOException {
        String cap = status("CapEff");
        return cap == null ? 0 : Long.parseUnsignedLong(cap, 16);
    }
}
