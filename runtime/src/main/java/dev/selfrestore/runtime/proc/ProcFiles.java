package dev.selfrestore.runtime.proc;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads /proc files through {@link FileInputStream}, not {@code java.nio.file.Files}: in a cold
 * JVM the first NIO file read loads and links some thirty classes of its channel (FileChannel,
 * its dispatcher, thread set and buffer cache) that premain would load for nothing, where
 * FileInputStream is already loaded by the JDK's own start. A file that does not exist is a
 * {@link NoSuchFileException} and one that may not be read an {@link AccessDeniedException}, as
 * {@code Files} would say.
 */
public final class ProcFiles {
    private ProcFiles() {
    }

    /** The whole file, read until end of file (the kernel shows no size for these files). */
    public static byte[] read(Path file) throws IOException {
        try (FileInputStream in = open(file)) {
            return in.readAllBytes();
        }
    }

    /** At most {@code max} bytes from the start of the file. */
    public static byte[] readAtMost(Path file, int max) throws IOException {
        try (FileInputStream in = open(file)) {
            return in.readNBytes(max);
        }
    }

    /**
     * What one read(2) of up to 4 KiB returns: a /proc/sys file must be read in one call, since
     * its integer handlers answer a read at a non-zero offset with end of file (see {@link Sysctl}).
     */
    public static byte[] readOnce(Path file) throws IOException {
        try (FileInputStream in = open(file)) {
            byte[] buf = new byte[4096];
            int n = in.read(buf);
            return java.util.Arrays.copyOf(buf, Math.max(n, 0));
        }
    }

    /**
     * The fields of {@code line} separated by runs of white space, leading and trailing white space
     * ignored: {@code split("\\s+")} without the regular expression, whose first use in a cold JVM
     * compiles a pattern and spins classes for its character predicates.
     */
    public static String[] fields(String line) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(line.substring(start, i));
            }
        }
        return out.toArray(new String[0]);
    }

    /** The lines of a file's text, without their newlines; no empty last line for a final newline. */
    public static String[] lines(byte[] text) {
        String s = new String(text, java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (int from = 0; from < s.length(); ) {
            int nl = s.indexOf('\n', from);
            out.add(s.substring(from, nl < 0 ? s.length() : nl));
            from = nl < 0 ? s.length() : nl + 1;
        }
        return out.toArray(new String[0]);
    }

    static FileInputStream open(Path file) throws IOException {
        String name = file.toString();
        try {
            return new FileInputStream(name);
        } catch (FileNotFoundException e) {
            // FileInputStream says "not found" for every failure to open; tell the two that callers tell apart.
            if (!new File(name).exists()) {
                NoSuchFileException n = new NoSuchFileException(name);
                n.initCause(e);
                throw n;
            }
            AccessDeniedException d = new AccessDeniedException(name, null, e.getMessage());
            d.initCause(e);
            throw d;
        }
    }
}
