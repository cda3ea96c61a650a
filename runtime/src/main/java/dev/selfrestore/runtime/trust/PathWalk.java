package dev.selfrestore.runtime.trust;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.Fcntl;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.runtime.proc.ProcFiles;
import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.trust.TrustException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * Resolves an absolute path from {@code /} one component at a time, each opened relative to the
 * descriptor of the directory before it with {@code O_PATH|O_NOFOLLOW} and checked with
 * {@code fstat} on its own descriptor before anything inside it is looked up. The kernel never
 * follows a symbolic link for us: a link is read through its own descriptor ({@code readlinkat}
 * with an empty name), only once the directory holding it has passed, and its target is walked
 * the same way (at most {@link #MAX_LINKS} links, the kernel's own bound). {@code ..} returns to
 * the directory descriptor already held, so nothing is looked up by name twice.
 *
 * <p>openat2(2) with {@code RESOLVE_NO_SYMLINKS} would resolve a whole path without following a
 * link, but it reports nothing about the directories it passed; they must be opened and checked
 * one by one anyway, which a single-component openat with {@code O_NOFOLLOW} does on every kernel.
 *
 * <p>The rules (OpenSSH's StrictModes, applied to every component):
 * <ul>
 *   <li>every directory is owned by root or by {@code euid}, and is writable by neither its group
 *       nor others unless it has the sticky bit;</li>
 *   <li>a symbolic link in a sticky directory is owned by root or {@code euid} (as the kernel's
 *       protected_symlinks asks);</li>
 *   <li>the file is owned by root or {@code euid}, is writable by neither its group nor others,
 *       and has one link unless it is owned by {@code euid}.</li>
 * </ul>
 * With {@code enforce} false, a rule that fails is remembered ({@link #skipped}) instead of
 * refused; everything else (missing, wrong kind, loops) still fails.
 */
final class PathWalk implements AutoCloseable {
    static final int MAX_LINKS = 40;

    private static final byte[] ROOT = {'/'};
    private static final byte[] EMPTY = new byte[0];

    private final FileCalls fs;
    private final int euid;
    private final boolean enforce;
    /** Open directory descriptors from / down to the current directory, with their display paths. */
    private final ArrayDeque<Integer> fds = new ArrayDeque<>();
    private final ArrayDeque<String> shown = new ArrayDeque<>();
    private final ArrayDeque<Statx> stats = new ArrayDeque<>();
    String skipped;

    PathWalk(FileCalls fs, int euid, boolean enforce) {
        this.fs = fs;
        this.euid = euid;
        this.enforce = enforce;
    }

    private int links;

    /** Walks to the directory {@code path} names; its descriptor is then {@link #dirFd}. */
    void toDirectory(byte[] path) throws TrustException {
        resolve(components(path), false, 0, null);
    }

    /**
     * Walks to the file {@code path} names (its last component, if a symbolic link, is followed
     * as any other) and opens it with {@code flags|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK|O_NOCTTY}, then
     * checks it on that descriptor. Returns the descriptor; {@code stat[0]} receives its status.
     */
    int toFile(byte[] path, int flags, Statx[] stat) throws TrustException {
        return resolve(components(path), true, flags, stat);
    }

    /** The directory reached: its descriptor, display path and status. */
    int dirFd() {
        return fds.peek();
    }

    String dirShown() {
        String s = shown.peek();
        return s.isEmpty() ? "/" : s;
    }

    Statx dirStat() {
        return stats.peek();
    }

    private int resolve(ArrayDeque<byte[]> todo, boolean file, int flags, Statx[] stat) throws TrustException {
        if (fds.isEmpty()) {
            openRoot();
        }
        while (true) {
            byte[] c = todo.pollFirst();
            if (c == null) {
                if (!file) {
                    return -1;
                }
                throw new TrustException(Kind.NOT_A_FILE, "is a directory");
            }
            if (isDot(c)) {
                continue;
            }
            if (isDotDot(c)) {
                if (fds.size() > 1) {
                    pop();
                }
                continue;
            }
            String path = child(c);
            if (file && todo.isEmpty()) {
                int fd;
                try {
                    fd = fs.openat(dirFd(), c, flags | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK
                            | Fcntl.O_NOCTTY, 0);
                } catch (NativeCallException e) {
                    if (e.errno() != Errno.ELOOP) {
                        throw failure(e, path);
                    }
                    // The last component is a symbolic link: open the link itself and walk its target.
                    int link = openPath(c, path);
                    try {
                        Statx st = fstat(link, path);
                        if (!st.isSymbolicLink()) { // replaced between the two calls: refuse rather than guess
                            throw new TrustException(Kind.UNTRUSTED, path + " changed while being opened");
                        }
                        followLink(link, st, path, todo);
                    } finally {
                        fs.close(link);
                    }
                    continue;
                }
                return checkedFile(fd, path, stat);
            }
            int fd = openPath(c, path);
            Statx st;
            try {
                st = fstat(fd, path);
                if (st.isSymbolicLink()) {
                    followLink(fd, st, path, todo);
                    fs.close(fd);
                    continue;
                }
                if (!st.isDirectory()) {
                    throw new TrustException(Kind.MISSING, "no such file: " + path + " is not a directory");
                }
            } catch (TrustException | RuntimeException e) {
                fs.close(fd);
                throw e;
            }
            fds.push(fd);
            shown.push(path);
            stats.push(st);
            checkDirectory(st, path);
        }
    }

    private int openPath(byte[] name, String path) throws TrustException {
        try {
            return fs.openat(dirFd(), name, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
        } catch (NativeCallException e) {
            throw failure(e, path);
        }
    }

    private Statx fstat(int fd, String path) throws TrustException {
        try {
            return fs.fstat(fd);
        } catch (NativeCallException e) {
            throw failure(e, path);
        }
    }

    /** Reads the link open on {@code fd} once its directory and owner pass, and puts its target in front of {@code todo}. */
    private void followLink(int fd, Statx st, String path, ArrayDeque<byte[]> todo) throws TrustException {
        if (++links > MAX_LINKS) {
            throw new TrustException(Kind.UNREADABLE, "more than " + MAX_LINKS + " symbolic links at " + path);
        }
        Statx dir = dirStat();
        if ((dir.mode() & Statx.S_ISVTX) != 0 && st.uid() != 0 && st.uid() != euid) {
            untrusted("symbolic link " + path + " in sticky directory " + dirShown() + " is owned by uid " + st.uid()
                    + ", not by root or this process's uid " + euid + ": its owner chooses where it points");
        }
        byte[] target;
        try {
            target = fs.readlinkat(fd, EMPTY);
        } catch (NativeCallException e) {
            throw failure(e, path);
        }
        if (target.length > 0 && target[0] == '/') {
            while (fds.size() > 1) {
                pop();
            }
        }
        ArrayDeque<byte[]> more = components(target);
        while (!more.isEmpty()) {
            todo.addFirst(more.pollLast());
        }
    }

    private void openRoot() throws TrustException {
        int fd;
        try {
            fd = fs.openat(Fcntl.AT_FDCWD, ROOT, Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0);
        } catch (NativeCallException e) {
            throw failure(e, "/");
        }
        Statx st;
        try {
            st = fs.fstat(fd);
        } catch (NativeCallException e) {
            fs.close(fd);
            throw failure(e, "/");
        }
        fds.push(fd);
        shown.push("");
        stats.push(st);
        checkDirectory(st, "/");
    }

    private void checkDirectory(Statx st, String path) throws TrustException {
        String dir = path.isEmpty() ? "/" : path;
        int mode = st.mode() & 07777;
        if (st.uid() != 0 && st.uid() != euid && !ownedOutsideThisUserNamespace(st.uid())) {
            untrusted("directory " + dir + " is owned by uid " + st.uid() + " (mode 0" + Integer.toOctalString(mode)
                    + "), not by root or this process's uid " + euid + ": its owner could replace what it holds");
        } else if ((mode & 022) != 0 && (mode & Statx.S_ISVTX) == 0) {
            untrusted("directory " + dir + " is writable by " + ((mode & 020) != 0 ? "its group" : "others")
                    + " without the sticky bit (mode 0" + Integer.toOctalString(mode)
                    + "): another user could replace what it holds");
        }
    }

    /**
     * Inside a user namespace that does not map the host's root, every directory of the host's
     * root shows as owned by the overflow uid (65534): the namespace cannot tell the host's root
     * from another unmapped user there, so a directory owned by the overflow uid is accepted in
     * such a namespace (the file itself must still be this user's or root's). Only read when a
     * directory's owner fails, so it costs nothing on the usual path.
     */
    private static boolean ownedOutsideThisUserNamespace(int uid) {
        try {
            long overflow = dev.selfrestore.runtime.proc.Sysctl.readLong(
                    java.nio.file.Path.of("/proc/sys/kernel/overflowuid"), -1);
            if (uid != overflow) {
                return false;
            }
            for (String line : ProcFiles.lines(ProcFiles.read(java.nio.file.Path.of("/proc/self/uid_map")))) {
                String[] f = ProcFiles.fields(line);
                long outside = Long.parseLong(f[1]);
                long count = Long.parseLong(f[2]);
                if (outside <= 0 && 0 < outside + count) {
                    return false; // the host's root is mapped: an overflow owner is nobody's root
                }
            }
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private void checkFile(Statx st, String path) throws TrustException {
        if (st.isDirectory()) {
            throw new TrustException(Kind.NOT_A_FILE, "is a directory");
        }
        if (!st.isRegularFile()) {
            throw new TrustException(Kind.NOT_A_FILE, "is not a regular file (a FIFO, socket or device?)");
        }
        int mode = st.mode() & 07777;
        if (st.uid() != euid && st.uid() != 0) {
            untrusted(path + " is owned by uid " + st.uid() + " (mode 0" + Integer.toOctalString(mode)
                    + "), not by this process's uid " + euid + " or root");
        } else if ((mode & 022) != 0) {
            untrusted(path + " is writable by " + ((mode & 020) != 0 ? "its group" : "others") + " (mode 0"
                    + Integer.toOctalString(mode) + "): chmod go-w it");
        } else if (st.nlink() > 1 && st.uid() != euid) {
            untrusted(path + " has " + st.nlink() + " hard links and is owned by uid " + st.uid()
                    + ", not by this process's uid " + euid + ": another name for it may be anyone's");
        }
    }

    private void untrusted(String why) throws TrustException {
        if (enforce) {
            throw new TrustException(Kind.UNTRUSTED, why);
        }
        if (skipped == null) {
            skipped = why;
        }
    }

    private String child(byte[] name) {
        return shown.peek() + "/" + RawBytes.escape(name);
    }

    private static TrustException failure(NativeCallException e, String path) {
        switch (e.errno()) {
            case Errno.ENOENT:
                return new TrustException(Kind.MISSING, "no such file" + (path.isEmpty() ? "" : " (" + path + ")"));
            case Errno.ENOTDIR:
                return new TrustException(Kind.MISSING, "no such file: a component of " + path + " is not a directory");
            case Errno.EACCES:
            case Errno.EPERM:
                return new TrustException(Kind.UNREADABLE, "cannot be read: permission denied (" + path + ")");
            default:
                return new TrustException(Kind.UNREADABLE, "cannot be read: " + path + ": " + e.getMessage());
        }
    }

    private void pop() {
        shown.pop();
        stats.pop();
        fs.close(fds.pop());
    }

    /**
     * Opens {@code name}, one component and not a symbolic link, in the directory reached, with
     * {@code flags|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK|O_NOCTTY}, and checks it on that descriptor.
     */
    int openIn(byte[] name, int flags, Statx[] stat) throws TrustException {
        if (name.length == 0 || isDots(name) || indexOf(name, (byte) '/') >= 0 || indexOf(name, (byte) 0) >= 0) {
            throw new TrustException(Kind.MISSING, "'" + RawBytes.escape(name) + "' is not a file name in "
                    + dirShown());
        }
        String path = child(name);
        int fd;
        try {
            fd = fs.openat(dirFd(), name, flags | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK
                    | Fcntl.O_NOCTTY, 0);
        } catch (NativeCallException e) {
            if (e.errno() == Errno.ELOOP) {
                throw new TrustException(Kind.NOT_A_FILE, path + " is a symbolic link, and links are not followed here");
            }
            throw failure(e, path);
        }
        return checkedFile(fd, path, stat);
    }

    /** The file open on {@code fd}, checked on that descriptor (its status in {@code stat[0]}); closed if it fails. */
    private int checkedFile(int fd, String path, Statx[] stat) throws TrustException {
        try {
            Statx st = fstat(fd, path);
            checkFile(st, path);
            stat[0] = st;
            return fd;
        } catch (TrustException | RuntimeException e) {
            fs.close(fd);
            throw e;
        }
    }

    /** Display path of {@code name} in the directory reached. */
    String shownChild(byte[] name) {
        return child(name);
    }

    /** Closes every directory descriptor but the one reached, which alone stays held. */
    void keepOnlyDirectory() {
        while (fds.size() > 1) {
            fs.close(fds.removeLast());
            shown.removeLast();
            stats.removeLast();
        }
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** Closes every directory descriptor still held. */
    @Override
    public void close() {
        while (!fds.isEmpty()) {
            pop();
        }
    }

    static ArrayDeque<byte[]> components(byte[] path) {
        ArrayDeque<byte[]> out = new ArrayDeque<>();
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                if (i > start) {
                    byte[] c = new byte[i - start];
                    System.arraycopy(path, start, c, 0, c.length);
                    out.add(c);
                }
                start = i + 1;
            }
        }
        return out;
    }

    private static boolean isDot(byte[] c) {
        return c.length == 1 && c[0] == '.';
    }

    private static boolean isDotDot(byte[] c) {
        return c.length == 2 && c[0] == '.' && c[1] == '.';
    }

    private static boolean isDots(byte[] c) {
        return isDot(c) || isDotDot(c);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
