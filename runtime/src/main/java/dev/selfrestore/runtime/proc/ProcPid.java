package dev.selfrestore.runtime.proc;

import dev.selfrestore.runtime.MmFields;
import java.io.FileInputStream;
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
     * up the process reaper's executor, class loading for one number;
     * bench/README.md, "Where the time goes".)
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
        return ProcFiles.read(dir.resolve(name));
    }

    /**
     * Reads a /proc file expected to hold {@code expected} bytes: into one array of that size, with no
     * growing copies as for a file of unknown size (the kernel shows no size for these files), and no
     * trimming copy when the file holds what was expected. Read through FileInputStream, which reads
     * into a temporary native buffer and frees it, where a channel would keep a direct buffer of the
     * file's size cached for the thread.
     */
    public byte[] read(String name, int expected) throws IOException {
        try (FileInputStream in = new FileInputStream(dir.resolve(name).toString())) {
            byte[] buf = new byte[Math.max(expected, 0)];
            int n = 0;
            int r;
            while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) {
                n += r;
            }
            if (n < buf.length) {
                return Arrays.copyOf(buf, n);
            }
            int next = in.read();
            if (next < 0) {
                return buf;
            }
            // longer than expected: the rest as for a file of unknown size
            byte[] rest = in.readAllBytes();
            byte[] all = Arrays.copyOf(buf, n + 1 + rest.length);
            all[n] = (byte) next;
            System.arraycopy(rest, 0, all, n + 1, rest.length);
            return all;
        }
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

    /**
     * {@code start-end perms offset major:minor inode   path}; the path may contain spaces.
     *
     * <p>One method, no helper called per field, and numbers parsed in place: a restore parses this
     * JVM's few hundred mappings three times, and a helper called five times a line is called often
     * enough for the JIT's optimising compiler to take it on in a cold JVM (compiler memory out of
     * all proportion to the parsing; bench/README.md, "Peak RSS").
     */
    static Mapping parseMapsLine(String line) {
        int n = line.length();
        int[] field = new int[10]; // begin and end of the five fields before the path
        int i = 0;
        for (int f = 0; f < 5; f++) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            int end = line.indexOf(' ', i);
            end = end < 0 ? n : end;
            field[2 * f] = i;
            field[2 * f + 1] = end;
            i = end;
        }
        while (i < n && line.charAt(i) == ' ') {
            i++;
        }
        int dash = line.indexOf('-', field[0]);
        int colon = line.indexOf(':', field[6]);
        if (dash < 0 || dash >= field[1] || colon < 0 || colon >= field[7]) {
            throw new NumberFormatException("not a line of /proc/PID/maps: " + line);
        }
        return new Mapping(
                Long.parseUnsignedLong(line, field[0], dash, 16),
                Long.parseUnsignedLong(line, dash + 1, field[1], 16),
                line.substring(field[2], field[3]),
                Long.parseUnsignedLong(line, field[4], field[5], 16),
                Integer.parseInt(line, field[6], colon, 16),
                Integer.parseInt(line, colon + 1, field[7], 16),
                Long.parseUnsignedLong(line, field[8], field[9], 10),
                line.substring(i).getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * /proc/PID/status read once: several of its lines about the same moment of the task, where a
     * {@link #status(String)} per line would read the file again for each and could mix two tasks
     * if the PID were reused between the reads.
     */
    public Status status() throws IOException {
        return new Status(file("status"), new String(read("status"), StandardCharsets.ISO_8859_1));
    }

    /** A line {@code Key:\tvalue…} of /proc/PID/status, the value trimmed; null when absent. */
    public String status(String key) throws IOException {
        return status().get(key);
    }

    /** Real UID (first number of the {@code Uid:} line). */
    public int realUid() throws IOException {
        return status().realUid();
    }

    /** Effective UID (second number of the {@code Uid:} line). */
    public int effectiveUid() throws IOException {
        return status().effectiveUid();
    }

    /** Effective capability set ({@code CapEff:}) as a bit mask. */
    public long effectiveCapabilities() throws IOException {
        return status().effectiveCapabilities();
    }

    /** The lines of one read of /proc/PID/status. */
    public static final class Status {
        private final Path file;
        private final String text;

        Status(Path file, String text) {
            this.file = file;
            this.text = text;
        }

        /** The value of the line {@code Key:\tvalue…}, trimmed; null when absent. */
        public String get(String key) {
            for (String line : text.split("\n")) {
                if (line.length() > key.length() && line.charAt(key.length()) == ':' && line.startsWith(key)) {
                    return line.substring(key.length() + 1).trim();
                }
            }
            return null;
        }

        /** Real UID (first number of the {@code Uid:} line). */
        public int realUid() throws IOException {
            return Integer.parseInt(ProcFiles.fields(uidLine())[0]);
        }

        /** Effective UID (second number of the {@code Uid:} line). */
        public int effectiveUid() throws IOException {
            return Integer.parseInt(ProcFiles.fields(uidLine())[1]);
        }

        /** Effective capability set ({@code CapEff:}) as a bit mask; 0 when the line is absent. */
        public long effectiveCapabilities() {
            String cap = get("CapEff");
            return cap == null ? 0 : Long.parseUnsignedLong(cap, 16);
        }

        private String uidLine() throws IOException {
            String uid = get("Uid");
            if (uid == null) {
                throw new IOException(file + ": no Uid line");
            }
            return uid;
        }
    }
}
