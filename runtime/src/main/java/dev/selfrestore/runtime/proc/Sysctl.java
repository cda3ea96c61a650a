package dev.selfrestore.runtime.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads /proc/sys files in one read(2).
 *
 * <p>Why not {@code Files.readString}: a sysctl file reports size 0, so the JDK reads it with a
 * zero-length buffer, then one byte, then the rest at offset 1 — and the kernel's integer
 * handlers (proc_dointvec and friends) answer any read at a non-zero offset with end of file.
 * {@code Files.readString(Path.of("/proc/sys/vm/mmap_min_addr"))} gives {@code "4"} where the
 * file holds {@code "4096\n"} (seen on JDK 17 and 25, Linux 6.18).
 */
public final class Sysctl {
    private Sysctl() {
    }

    /** The file's text without surrounding white space, read with one 4 KiB read(2). */
    public static String read(Path file) throws IOException {
        return new String(ProcFiles.readOnce(file), StandardCharsets.ISO_8859_1).trim();
    }

    /** A number in a /proc/sys file, or {@code absent} when the file does not exist. */
    public static long readLong(Path file, long absent) throws IOException {
        try {
            return Long.parseLong(read(file));
        } catch (NoSuchFileException e) {
            return absent;
        } catch (NumberFormatException e) {
            throw new IOException(file + ": not a number", e);
        }
    }
}
