package dev.selfrestore.runtime.trust;

import dev.selfrestore.nativeshim.Fcntl;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.runtime.trust.TrustException.Kind;
import java.nio.file.Path;

/**
 * A file opened once, checked on the descriptor it was opened as, and read through that
 * descriptor: what is read is what was checked, whatever happens to its name meanwhile.
 *
 * <p>The path is walked from {@code /} component by component (see {@link PathWalk} for the walk
 * and the rules: every directory owned by root or this user and not writable by others unless
 * sticky; the file owned by root or this user, not group- or other-writable, and with one link
 * unless it is this user's).
 */
public final class TrustedFile implements AutoCloseable {
    private final FileCalls fs;
    private final Statx stat;
    private final String shown;
    private final String skipped;
    private int fd;

    TrustedFile(FileCalls fs, int fd, Statx stat, String shown, String skipped) {
        this.fs = fs;
        this.fd = fd;
        this.stat = stat;
        this.shown = shown;
        this.skipped = skipped;
    }

    /**
     * Opens {@code file} for reading.
     *
     * @param euid    this process's effective user ID
     * @param enforce false to open a file that breaks a rule anyway; {@link #skipped()} then says which
     * @throws TrustException naming the first component that fails, its owner and mode, and the rule
     */
    public static TrustedFile open(FileCalls fs, Path file, int euid, boolean enforce) throws TrustException {
        byte[] path = PathWalk.bytes(file.toAbsolutePath().toString());
        try (PathWalk w = new PathWalk(fs, euid, enforce)) {
            Statx[] st = new Statx[1];
            int fd = w.toFile(path, Fcntl.O_RDONLY, st);
            return new TrustedFile(fs, fd, st[0], file.toString(), w.skipped);
        }
    }

    /** The open descriptor (owned by this object until {@link #close}). */
    public int fd() {
        return fd;
    }

    /** The file's status, taken on {@link #fd()}. */
    public Statx stat() {
        return stat;
    }

    /** The first rule not enforced (when opened with {@code enforce} false and a rule failed), or null. */
    public String skipped() {
        return skipped;
    }

    /**
     * The whole file, read through {@link #fd()} from its current offset.
     *
     * @throws TrustException {@link Kind#TOO_LARGE} over {@code maxBytes}; {@link Kind#UNREADABLE}
     *                        for an I/O error or a file that grew while being read
     */
    public byte[] readAll(int maxBytes) throws TrustException {
        long size = stat.size();
        if (size > maxBytes) {
            throw new TrustException(Kind.TOO_LARGE, "is " + size + " bytes, over the " + maxBytes + " allowed");
        }
        byte[] data;
        boolean grew;
        try {
            // The size, then one byte more: enough to see a file that grew since the fstat, without
            // reading into an array one byte too long (a megabyte copied again to trim it).
            data = fs.read(fd, (int) size);
            grew = data.length == size && fs.read(fd, 1).length > 0;
        } catch (NativeCallException e) {
            throw new TrustException(Kind.UNREADABLE, "cannot be read: " + e.getMessage());
        }
        if (grew) {
            throw new TrustException(Kind.UNREADABLE, "changed while being read (it grew past the " + size
                    + " bytes it had)");
        }
        return data;
    }

    /**
     * {@code length} bytes from {@code offset}, read through {@link #fd()} by position (its offset
     * stays where it is); fewer where the file ends first.
     *
     * @throws TrustException {@link Kind#UNREADABLE} for an I/O error
     */
    public byte[] readRange(long offset, int length) throws TrustException {
        try {
            return fs.pread(fd, length, offset);
        } catch (NativeCallException e) {
            throw new TrustException(Kind.UNREADABLE, "cannot be read: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (fd >= 0) {
            int f = fd;
            fd = -1;
            fs.close(f);
        }
    }

    @Override
    public String toString() {
        return shown;
    }
}
