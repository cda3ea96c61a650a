package dev.selfrestore.runtime.trust;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.Fcntl;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.runtime.trust.TrustException.Kind;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A directory opened once and checked on its descriptor (with every directory above it, see
 * {@link PathWalk}), in which files are then opened, read and written relative to that
 * descriptor, by a name of one component that is never followed if it is a symbolic link. Another
 * user cannot redirect a name inside it, and renaming or replacing a directory above it after the
 * check changes nothing: the descriptor holds the directory that was checked.
 */
public final class TrustedDirectory implements AutoCloseable {
    private final FileCalls fs;
    private final Path path;
    private final PathWalk walk;

    private TrustedDirectory(FileCalls fs, Path path, PathWalk walk) {
        this.fs = fs;
        this.path = path;
        this.walk = walk;
    }

    /**
     * Opens {@code dir} (symbolic links on the way followed only out of directories that pass).
     *
     * @param euid    this process's effective user ID
     * @param enforce false to open a directory that breaks a rule anyway; {@link #skipped()} says which
     * @throws TrustException naming the first component that fails, its owner and mode, and the rule
     */
    public static TrustedDirectory open(FileCalls fs, Path dir, int euid, boolean enforce) throws TrustException {
        PathWalk w = new PathWalk(fs, euid, enforce);
        try {
            w.toDirectory(PathWalk.bytes(dir.toAbsolutePath().toString()));
            w.keepOnlyDirectory();
            return new TrustedDirectory(fs, dir, w);
        } catch (TrustException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** The path this directory was opened by, as given. */
    public Path path() {
        return path;
    }

    /** The directory's descriptor ({@code O_PATH}; usable as the {@code dirfd} of the *at calls). */
    public int fd() {
        return walk.dirFd();
    }

    /** The directory's status, taken on {@link #fd()}. */
    public Statx stat() {
        return walk.dirStat();
    }

    /** The first rule not enforced on the way here (when opened with {@code enforce} false), or null. */
    public String skipped() {
        return walk.skipped;
    }

    /**
     * Opens the file {@code name} (one component, not a symbolic link) in this directory for
     * reading and checks it on its descriptor by the same rules as {@link TrustedFile}.
     */
    public TrustedFile openFile(String name) throws TrustException {
        byte[] n = PathWalk.bytes(name);
        Statx[] st = new Statx[1];
        int fd = walk.openIn(n, Fcntl.O_RDONLY, st);
        return new TrustedFile(fs, fd, st[0], path.resolve(name).toString(), walk.skipped);
    }

    /** {@link #openFile}, the whole file read through its descriptor, closed. */
    public byte[] readFile(String name, int maxBytes) throws TrustException {
        try (TrustedFile f = openFile(name)) {
            return f.readAll(maxBytes);
        }
    }

    /**
     * Writes {@code name} in this directory atomically: a temporary file is created next to it
     * with {@code O_CREAT|O_EXCL|O_NOFOLLOW} relative to this directory's descriptor (so no link,
     * and nothing already there, is ever written through), given {@code mode}, written, fsync'd,
     * and renamed to {@code name} within the directory (or, without {@code overwrite}, linked
     * there, which fails rather than replace); the directory is then fsync'd. Readers see the old
     * file or the whole new one.
     *
     * @throws FileAlreadyExistsException if {@code name} exists and {@code overwrite} is false
     * @throws IOException                for a system call that fails, naming it and the errno
     */
    public void writeFile(String name, byte[] data, int mode, boolean overwrite) throws IOException {
        byte[] n = PathWalk.bytes(name);
        if (n.length == 0 || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
            throw new TrustException(Kind.MISSING, "'" + name + "' is not a file name in " + path);
        }
        int dir = fd();
        if (!overwrite && exists(n)) {
            throw new FileAlreadyExistsException(path.resolve(name).toString(), null, "exists; overwrite was not requested");
        }
        byte[] tmp = PathWalk.bytes("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
        try {
            int fd = fs.openat(dir, tmp, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_NOFOLLOW
                    | Fcntl.O_CLOEXEC, mode);
            boolean published = false;
            try {
                try {
                    fs.fchmod(fd, mode); // the umask may have taken bits from the creation mode
                    fs.write(fd, data);
                    fs.fsync(fd);
                } finally {
                    fs.close(fd);
                }
                if (overwrite) {
                    fs.renameat(dir, tmp, dir, n);
                } else {
                    publishWithoutReplacing(dir, tmp, n, name);
                }
                published = true;
            } finally {
                if (!published) {
                    try {
                        fs.unlinkat(dir, tmp, 0);
                    } catch (NativeCallException e) {
                        // already gone
                    }
                }
            }
            // Makes the rename durable: fsync(2) on the directory (a read-only descriptor of it,
            // opened as "." of the checked one, since an O_PATH descriptor cannot be synced).
            int sync = fs.openat(dir, new byte[] {'.'}, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
            try {
                fs.fsync(sync);
            } finally {
                fs.close(sync);
            }
        } catch (NativeCallException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** link(2) fails with EEXIST rather than replace; where the file system has no hard links, rename after a last look. */
    private void publishWithoutReplacing(int dir, byte[] tmp, byte[] n, String name) throws IOException {
        try {
            fs.linkat(dir, tmp, dir, n);
        } catch (NativeCallException e) {
            if (e.errno() == Errno.EEXIST || exists(n)) {
                throw new FileAlreadyExistsException(path.resolve(name).toString(), null, "exists; overwrite was not requested");
            }
            fs.renameat(dir, tmp, dir, n);
            return;
        }
        fs.unlinkat(dir, tmp, 0);
    }

    private boolean exists(byte[] n) {
        try {
            fs.close(fs.openat(fd(), n, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0));
            return true;
        } catch (NativeCallException e) {
            return e.errno() != Errno.ENOENT;
        }
    }

    @Override
    public void close() {
        walk.close();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
