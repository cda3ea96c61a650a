package dev.selfrestore.nativeshim.internal;

import static dev.selfrestore.nativeshim.internal.Libc.check;
import static dev.selfrestore.nativeshim.internal.Libc.cString;
import static dev.selfrestore.nativeshim.internal.Libc.fail;
import static dev.selfrestore.nativeshim.internal.Libc.show;
import static dev.selfrestore.nativeshim.internal.Libc.readInto;

import com.sun.jna.Native;
import dev.selfrestore.nativeshim.Fcntl;
import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.internal.Libc.Scratch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@link FileCalls} through JNA: files and directories, with raw-bytes paths. */
final class JnaFiles implements FileCalls {

    @Override
    public int open(byte[] path, int flags) {
        return check(Libc.open(cString(path), flags, 0), "open(" + show(path) + ")");
    }

    @Override
    public void writeFile(byte[] path, byte[] data) {
        int fd = check(Libc.open(cString(path), Fcntl.O_WRONLY | Fcntl.O_CLOEXEC, 0), "open(" + show(path) + ", O_WRONLY)");
        try {
            long n = Libc.write(fd, data, data.length);
            if (n == -1) {
                throw fail("write(" + show(path) + ", " + data.length + " bytes)");
            }
            if (n != data.length) {
                throw new IllegalStateException("write(" + show(path) + ") wrote " + n + " of " + data.length + " bytes");
            }
        } finally {
            Libc.close(fd);
        }
    }

    @Override
    public void close(int fd) {
        check(Libc.close(fd), "close(" + fd + ")");
    }

    @Override
    public byte[] readlink(byte[] path) {
        byte[] c = cString(path);
        for (int size = 256; ; size *= 2) {
            byte[] buf = new byte[size];
            long n = Libc.readlink(c, buf, size);
            if (n == -1) {
                throw fail("readlink(" + show(path) + ")");
            }
            if (n < size) {
                byte[] out = new byte[(int) n];
                System.arraycopy(buf, 0, out, 0, (int) n);
                return out;
            }
            if (size >= 1 << 20) {
                throw new NativeCallException("readlink(" + show(path) + ")", 36);
            }
        }
    }

    private static final int STATX_BASIC_STATS = 0x7ff;

    @Override
    public Statx statx(byte[] path, int flags) {
        byte[] buf = new byte[256];
        check(Libc.statx(Fcntl.AT_FDCWD, cString(path), flags, STATX_BASIC_STATS, buf), "statx(" + show(path) + ")");
        return decodeStatx(buf);
    }

    @Override
    public Statx fstat(int fd) {
        byte[] buf = new byte[256];
        check(Libc.statx(fd, new byte[1], Fcntl.AT_EMPTY_PATH, STATX_BASIC_STATS, buf), "statx(fd " + fd + ")");
        return decodeStatx(buf);
    }

    /** struct statx (include/uapi/linux/stat.h): the same layout on every architecture. */
    private static Statx decodeStatx(byte[] buf) {
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        int uid = b.getInt(20);
        int gid = b.getInt(24);
        int mode = b.getShort(28) & 0xffff;
        long ino = b.getLong(32);
        long size = b.getLong(40);
        long mtime = b.getLong(112) * 1_000_000_000L + (b.getInt(120) & 0xffffffffL);
        int devMajor = b.getInt(136);
        int devMinor = b.getInt(140);
        int nlink = b.getInt(16);
        return new Statx(mode, uid, gid, size, ino, mtime, devMajor, devMinor, nlink);
    }

    @Override
    public int openat(int dirfd, byte[] name, int flags, int mode) {
        return check(Libc.openat(dirfd, cString(name), flags, mode), "openat(" + dirfd + ", " + show(name) + ")");
    }

    @Override
    public byte[] readlinkat(int dirfd, byte[] name) {
        byte[] c = cString(name);
        for (int size = 256; ; size *= 2) {
            byte[] buf = new byte[size];
            long n = Libc.readlinkat(dirfd, c, buf, size);
            if (n == -1) {
                throw fail("readlinkat(" + dirfd + ", " + show(name) + ")");
            }
            if (n < size) {
                return java.util.Arrays.copyOf(buf, (int) n);
            }
            if (size >= 1 << 20) {
                throw new NativeCallException("readlinkat(" + dirfd + ", " + show(name) + ")", 36);
            }
        }
    }

    @Override
    public byte[] read(int fd, int count) {
        int chunk = Math.max(1, Math.min(count, READ_CHUNK));
        try (Scratch buf = new Scratch(chunk, false)) {
            // Part by part into the one array: a scratch of the whole count would be fresh pages
            // (malloc maps them), each faulted in by the kernel's copy, then unmapped again.
            byte[] data = new byte[count];
            int done = 0;
            while (done < count) {
                int want = Math.min(chunk, count - done);
                int n = (int) readInto(fd, buf.address, want);
                buf.memory.read(0, data, done, n);
                done += n;
                if (n < want) {
                    break; // end of file
                }
            }
            return done == count ? data : java.util.Arrays.copyOf(data, done);
        }
    }

    /** The scratch buffer of a read larger than this is reused for each part of it. */
    private static final int READ_CHUNK = 64 * 1024;

    @Override
    public byte[] pread(int fd, int count, long offset) {
        byte[] data = new byte[count];
        byte[] chunk = new byte[Math.max(1, Math.min(count, READ_CHUNK))];
        int done = 0;
        while (done < count) {
            int want = Math.min(chunk.length, count - done);
            long n = Libc.pread(fd, chunk, want, offset + done);
            if (n == -1) {
                if (Native.getLastError() == 4) { // EINTR
                    continue;
                }
                throw fail("pread(fd " + fd + ", " + count + ", " + offset + ")");
            }
            if (n == 0) {
                break; // end of file
            }
            System.arraycopy(chunk, 0, data, done, (int) n);
            done += (int) n;
        }
        return done == count ? data : java.util.Arrays.copyOf(data, done);
    }

    @Override
    public void write(int fd, byte[] data) {
        long done = 0;
        while (done < data.length) {
            byte[] rest = done == 0 ? data : java.util.Arrays.copyOfRange(data, (int) done, data.length);
            long n = Libc.write(fd, rest, rest.length);
            if (n == -1) {
                if (Native.getLastError() == 4) { // EINTR
                    continue;
                }
                throw fail("write(fd " + fd + ", " + data.length + " bytes)");
            }
            done += n;
        }
    }

    @Override
    public void fsync(int fd) {
        check(Libc.fsync(fd), "fsync(fd " + fd + ")");
    }

    @Override
    public void fchmod(int fd, int mode) {
        check(Libc.fchmod(fd, mode), "fchmod(fd " + fd + ", 0" + Integer.toOctalString(mode) + ")");
    }

    @Override
    public void renameat(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName) {
        check(Libc.renameat(oldDirfd, cString(oldName), newDirfd, cString(newName)),
                "renameat(" + show(oldName) + ", " + show(newName) + ")");
    }

    @Override
    public void linkat(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName) {
        check(Libc.linkat(oldDirfd, cString(oldName), newDirfd, cString(newName), 0),
                "linkat(" + show(oldName) + ", " + show(newName) + ")");
    }

    @Override
    public void unlinkat(int dirfd, byte[] name, int flags) {
        check(Libc.unlinkat(dirfd, cString(name), flags), "unlinkat(" + dirfd + ", " + show(name) + ")");
    }
}
