package dev.selfrestore.nativeshim.internal;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import dev.selfrestore.nativeshim.Fcntl;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.Spawned;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.Syscalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@link Syscalls} on the real kernel through JNA.
 *
 * <p>libc's functions are called through {@link Function} objects looked up once (see {@link Lib}
 * for why not direct mapping). The C functions that are variadic ({@code prctl}, {@code open},
 * {@code mremap}, {@code syscall}) are called with a fixed arity of 64-bit integer arguments. That
 * is correct on the two supported ABIs: on x86_64 SysV a variadic callee reads integer arguments
 * from the same registers as a fixed one (libffi also sets {@code %al}, which a variadic prologue
 * reads); on aarch64 Linux (AAPCS64, unlike Apple's variant) variadic arguments are passed exactly
 * like named ones. Other platforms are refused.
 *
 * <p>Pointers are passed as {@code long} addresses: on these LP64 ABIs a pointer and a
 * {@code long} travel the same way, and no JNA {@code Pointer} objects are made for memory this
 * process does not own through JNA.
 */
public final class JnaSyscalls implements Syscalls {

    private static volatile JnaSyscalls instance;

    private final long sysBrk;
    private final long environ;

    private JnaSyscalls(long sysBrk, long environ) {
        this.sysBrk = sysBrk;
        this.environ = environ;
    }

    /** Binds libc on first use. */
    public static Syscalls instance() {
        JnaSyscalls s = instance;
        if (s == null) {
            synchronized (JnaSyscalls.class) {
                s = instance;
                if (s == null) {
                    s = bind(checkPlatform());
                    instance = s;
                }
            }
        }
        return s;
    }

    /**
     * Binds the C library, leaving no trace of JNA's set-up in the application:
     * <ul>
     *   <li>JNA records {@code jna.loaded}, {@code jnidispatch.path} and
     *       {@code jna.platform.library.path} as system properties: whatever it adds is removed.</li>
     *   <li>Without {@code jna.platform.library.path}, NativeLibrary's initialiser runs
     *       {@code ldconfig -p}-style probes in a child process (and so starts the JDK's
     *       "process reaper" thread); libc is opened by its soname and needs no search path, so
     *       the property is set, empty, for the duration.</li>
     *   <li>A NativeLibrary registers with JNA's Cleaner, whose thread lives while anything is
     *       registered (and 30 s beyond). The Function objects keep the addresses they were
     *       looked up at, and libc cannot be unloaded from a running JVM, so the library object is
     *       closed once bound (the address of {@code environ} read before), which leaves our
     *       Cleaner with nothing to do, and its thread is ended (it returns when interrupted).
     *       Only our JNA's thread: an application's own JNA has a Cleaner of its own.</li>
     * </ul>
     */
    private static JnaSyscalls bind(long sysBrk) {
        // Only JNA's own keys are saved and put back: another thread of ours may set and restore
        // properties of its own meanwhile (Chronicle's initialisation, see ChronicleStartup).
        String[] values = new String[JNA_PROPERTIES.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = System.getProperty(JNA_PROPERTIES[i]);
        }
        try {
            System.setProperty("jna.platform.library.path", "");
            if (values[TMPDIR] == null) {
                System.setProperty("jna.tmpdir", jnaTempDir());
            }
            NativeLibrary libc = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
            Lib.bind(libc);
            long environ = com.sun.jna.Pointer.nativeValue(libc.getGlobalVariableAddress("environ"));
            libc.close();
            endCleanerThread();
            return new JnaSyscalls(sysBrk, environ);
        } finally {
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) {
                    System.clearProperty(JNA_PROPERTIES[i]);
                } else {
                    System.setProperty(JNA_PROPERTIES[i], values[i]);
                }
            }
        }
    }

    /**
     * The system properties JNA 5 sets while it loads (Native and NativeLibrary write no others;
     * NoTraceIT compares every property with and without the agent).
     */
    private static final String[] JNA_PROPERTIES = {"jna.loaded", "jnidispatch.path", "jna.platform.library.path", "jna.nounpack",
        "jna.tmpdir"};
    private static final int TMPDIR = 4;

    /**
     * The directory JNA's {@code Native.getTempDir} chooses on Linux ({@code $XDG_CACHE_HOME/JNA/temp},
     * else {@code ~/.cache/JNA/temp}, made if missing; {@code java.io.tmpdir} when that cannot be made
     * or written), given to it as {@code jna.tmpdir} while it loads: otherwise it
     * asks {@code System.getenv}, whose first use makes the JDK decode and keep the whole environment
     * (ProcessEnvironment), which a restore would then have to refill, one variable at a time; left
     * alone, the JDK reads the restored environment when the application first asks for it. The
     * variable is read from /proc/self/environ, the environment this process started with.
     */
    private static String jnaTempDir() {
        String xdg = null;
        try {
            byte[] env = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/environ"));
            byte[] key = "XDG_CACHE_HOME=".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            for (int i = 0; i < env.length && xdg == null; ) {
                int end = i;
                while (end < env.length && env[end] != 0) {
                    end++;
                }
                if (end - i >= key.length && java.util.Arrays.equals(env, i, i + key.length, key, 0, key.length)) {
                    xdg = new String(env, i + key.length, end - i - key.length, jnuCharset());
                }
                i = end + 1;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // as if unset
        }
        java.io.File cache = xdg == null || xdg.trim().isEmpty()
                ? new java.io.File(System.getProperty("user.home"), ".cache") : new java.io.File(xdg);
        java.io.File dir = new java.io.File(cache, "JNA/temp");
        dir.mkdirs();
        return dir.exists() && dir.canWrite() ? dir.getPath() : System.getProperty("java.io.tmpdir");
    }

    private static java.nio.charset.Charset jnuCharset() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding"));
        } catch (RuntimeException e) {
            return java.nio.charset.Charset.defaultCharset();
        }
    }

    private static void endCleanerThread() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 8];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            Thread t = threads[i];
            if (t.getName().equals("JNA Cleaner") && t.getClass().getClassLoader() == JnaSyscalls.class.getClassLoader()) {
                t.interrupt();
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Returns the brk syscall number of this architecture, or refuses the platform. */
    private static long checkPlatform() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux")) {
            throw new UnsupportedOperationException("Unsupported platform: " + os + " (selfrestore needs Linux)");
        }
        switch (arch) {
            case "amd64":
            case "x86_64":
                return 12;
            case "aarch64":
                return 214;
            default:
                throw new UnsupportedOperationException(
                        "Unsupported platform: Linux/" + arch + " (selfrestore supports x86_64 and aarch64)");
        }
    }

    /**
     * libc's entry points, called through JNA's {@link Function} rather than bound by direct
     * mapping ({@link Native#register}): registering even one method makes JNA initialise its
     * {@code Structure.FFIType} table, which reflects over annotated fields and, on JDK 22+, spins
     * classes through the JDK's class-file generator; a restore makes a few dozen calls, so what
     * {@code Function} adds to each (an argument array, a conversion check per argument) weighs far
     * less than that initialisation (bench/README.md, "JNA binding").
     *
     * <p>The C functions that are variadic ({@code prctl}, {@code open}, {@code mremap},
     * {@code syscall}) are called with a fixed arity of 64-bit integer arguments, correct on the two
     * supported ABIs (see the class comment).
     */
    static final class Lib {
        private Lib() {
        }
        private static Function PRCTL;
        private static Function MMAP;
        private static Function MUNMAP;
        private static Function MPROTECT;
        private static Function MREMAP;
        private static Function MEMCPY;
        private static Function MEMCMP;
        private static Function OPEN;
        private static Function CLOSE;
        private static Function WRITE;
        private static Function READLINK;
        private static Function STATX;
        private static Function SYSCALL;
        private static Function OPENAT;
        private static Function READLINKAT;
        private static Function READ;
        private static Function FSYNC;
        private static Function FCHMOD;
        private static Function RENAMEAT;
        private static Function LINKAT;
        private static Function UNLINKAT;
        private static Function GETPAGESIZE;
        private static Function UNAME;
        private static Function POSIX_SPAWN_FILE_ACTIONS_INIT;
        private static Function POSIX_SPAWN_FILE_ACTIONS_ADDDUP2;
        private static Function MEMFD_CREATE;
        private static Function PREAD;
        private static Function POSIX_SPAWN_FILE_ACTIONS_DESTROY;
        private static Function POSIX_SPAWN;
        private static Function WAITPID;
        /** glibc's argz functions, or null in a C library without them. */
        private static Function ARGZ_COUNT;
        private static Function ARGZ_EXTRACT;

        /** Looks every function up in {@code libc}; the addresses stay valid once the library object is closed. */
        static void bind(NativeLibrary libc) {
            PRCTL = libc.getFunction("prctl");
            MMAP = libc.getFunction("mmap");
            MUNMAP = libc.getFunction("munmap");
            MPROTECT = libc.getFunction("mprotect");
            MREMAP = libc.getFunction("mremap");
            MEMCPY = libc.getFunction("memcpy");
            MEMCMP = libc.getFunction("memcmp");
            OPEN = libc.getFunction("open");
            CLOSE = libc.getFunction("close");
            WRITE = libc.getFunction("write");
            READLINK = libc.getFunction("readlink");
            STATX = libc.getFunction("statx");
            SYSCALL = libc.getFunction("syscall");
            OPENAT = libc.getFunction("openat");
            READLINKAT = libc.getFunction("readlinkat");
            READ = libc.getFunction("read");
            FSYNC = libc.getFunction("fsync");
            FCHMOD = libc.getFunction("fchmod");
            RENAMEAT = libc.getFunction("renameat");
            LINKAT = libc.getFunction("linkat");
            UNLINKAT = libc.getFunction("unlinkat");
            GETPAGESIZE = libc.getFunction("getpagesize");
            UNAME = libc.getFunction("uname");
            POSIX_SPAWN_FILE_ACTIONS_INIT = libc.getFunction("posix_spawn_file_actions_init");
            POSIX_SPAWN_FILE_ACTIONS_ADDDUP2 = libc.getFunction("posix_spawn_file_actions_adddup2");
            MEMFD_CREATE = libc.getFunction("memfd_create");
            PREAD = libc.getFunction("pread");
            POSIX_SPAWN_FILE_ACTIONS_DESTROY = libc.getFunction("posix_spawn_file_actions_destroy");
            POSIX_SPAWN = libc.getFunction("posix_spawn");
            WAITPID = libc.getFunction("waitpid");
            ARGZ_COUNT = optional(libc, "argz_count");
            ARGZ_EXTRACT = ARGZ_COUNT == null ? null : optional(libc, "argz_extract");
        }

        /** A function this C library may lack (a GNU extension), or null. */
        private static Function optional(NativeLibrary libc, String name) {
            try {
                return libc.getFunction(name);
            } catch (UnsatisfiedLinkError e) {
                return null;
            }
        }

        static boolean hasArgz() {
            return ARGZ_EXTRACT != null;
        }

        static long argzCount(long argz, long length) {
            return ARGZ_COUNT.invokeLong(new Object[] {argz, length});
        }

        static void argzExtract(long argz, long length, long argv) {
            ARGZ_EXTRACT.invokeVoid(new Object[] {argz, length, argv});
        }

        static int prctl(int option, long arg2, long arg3, long arg4, long arg5) {
            return PRCTL.invokeInt(new Object[] {option, arg2, arg3, arg4, arg5});
        }

        static long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
            return MMAP.invokeLong(new Object[] {addr, length, prot, flags, fd, offset});
        }

        static int munmap(long addr, long length) {
            return MUNMAP.invokeInt(new Object[] {addr, length});
        }

        static int mprotect(long addr, long length, int prot) {
            return MPROTECT.invokeInt(new Object[] {addr, length, prot});
        }

        static long mremap(long oldAddr, long oldSize, long newSize, int flags, long newAddr) {
            return MREMAP.invokeLong(new Object[] {oldAddr, oldSize, newSize, flags, newAddr});
        }

        static long memcpy(long dst, long src, long n) {
            return MEMCPY.invokeLong(new Object[] {dst, src, n});
        }

        static int memcmp(byte[] a, byte[] b, long n) {
            return MEMCMP.invokeInt(new Object[] {a, b, n});
        }

        static int memcmp(long a, long b, long n) {
            return MEMCMP.invokeInt(new Object[] {a, b, n});
        }

        static int open(byte[] path, int flags, int mode) {
            return OPEN.invokeInt(new Object[] {path, flags, mode});
        }

        static int close(int fd) {
            return CLOSE.invokeInt(new Object[] {fd});
        }

        static long write(int fd, byte[] buf, long count) {
            return WRITE.invokeLong(new Object[] {fd, buf, count});
        }

        static long readlink(byte[] path, byte[] buf, long size) {
            return READLINK.invokeLong(new Object[] {path, buf, size});
        }

        static int statx(int dirfd, byte[] path, int flags, int mask, byte[] buf) {
            return STATX.invokeInt(new Object[] {dirfd, path, flags, mask, buf});
        }

        static long syscall(long number, long arg1) {
            return SYSCALL.invokeLong(new Object[] {number, arg1});
        }

        static int openat(int dirfd, byte[] name, int flags, int mode) {
            return OPENAT.invokeInt(new Object[] {dirfd, name, flags, mode});
        }

        static long readlinkat(int dirfd, byte[] name, byte[] buf, long size) {
            return READLINKAT.invokeLong(new Object[] {dirfd, name, buf, size});
        }

        static long read(int fd, long buf, long count) {
            return READ.invokeLong(new Object[] {fd, buf, count});
        }

        static int fsync(int fd) {
            return FSYNC.invokeInt(new Object[] {fd});
        }

        static int fchmod(int fd, int mode) {
            return FCHMOD.invokeInt(new Object[] {fd, mode});
        }

        static int renameat(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName) {
            return RENAMEAT.invokeInt(new Object[] {oldDirfd, oldName, newDirfd, newName});
        }

        static int linkat(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName, int flags) {
            return LINKAT.invokeInt(new Object[] {oldDirfd, oldName, newDirfd, newName, flags});
        }

        static int unlinkat(int dirfd, byte[] name, int flags) {
            return UNLINKAT.invokeInt(new Object[] {dirfd, name, flags});
        }

        static int getpagesize() {
            return GETPAGESIZE.invokeInt(new Object[] {});
        }

        static int uname(byte[] buf) {
            return UNAME.invokeInt(new Object[] {buf});
        }

        static int posix_spawn_file_actions_init(long actions) {
            return POSIX_SPAWN_FILE_ACTIONS_INIT.invokeInt(new Object[] {actions});
        }

        static int posix_spawn_file_actions_adddup2(long actions, int fd, int newFd) {
            return POSIX_SPAWN_FILE_ACTIONS_ADDDUP2.invokeInt(new Object[] {actions, fd, newFd});
        }

        static int memfd_create(byte[] name, int flags) {
            return MEMFD_CREATE.invokeInt(new Object[] {name, flags});
        }

        static long pread(int fd, byte[] buf, long count, long offset) {
            return PREAD.invokeLong(new Object[] {fd, buf, count, offset});
        }

        static int posix_spawn_file_actions_destroy(long actions) {
            return POSIX_SPAWN_FILE_ACTIONS_DESTROY.invokeInt(new Object[] {actions});
        }

        static int posix_spawn(long pid, byte[] path, long actions, long attributes, long argv, long envp) {
            return POSIX_SPAWN.invokeInt(new Object[] {pid, path, actions, attributes, argv, envp});
        }

        static int waitpid(int pid, long status, int options) {
            return WAITPID.invokeInt(new Object[] {pid, status, options});
        }
    }

    private static NativeCallException fail(String operation) {
        return new NativeCallException(operation, Native.getLastError());
    }

    private static int check(int rc, String operation) {
        if (rc == -1) {
            throw fail(operation);
        }
        return rc;
    }

    @Override
    public int mmMapSize() {
        try (Scratch size = new Scratch(4)) {
            check(Lib.prctl(Prctl.PR_SET_MM, Prctl.PR_SET_MM_MAP_SIZE, size.address, 0, 0),
                    "prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE)");
            return size.memory.getInt(0);
        }
    }

    @Override
    public void setMmMap(long[] fields, long[] auxv, int exeFd) {
        if (fields.length != 11) {
            throw new IllegalArgumentException("prctl_mm_map has 11 address fields, got " + fields.length);
        }
        int auxvBytes = auxv == null ? 0 : auxv.length * 8;
        try (Scratch map = new Scratch(Prctl.MM_MAP_STRUCT_SIZE); Scratch words = new Scratch(Math.max(8, auxvBytes))) {
            for (int i = 0; i < 11; i++) {
                map.memory.setLong(i * 8L, fields[i]);
            }
            if (auxv != null) {
                for (int i = 0; i < auxv.length; i++) {
                    words.memory.setLong(i * 8L, auxv[i]);
                }
            }
            map.memory.setLong(88, auxv == null ? 0 : words.address);
            map.memory.setInt(96, auxvBytes);
            map.memory.setInt(100, exeFd);
            check(Lib.prctl(Prctl.PR_SET_MM, Prctl.PR_SET_MM_MAP, map.address, Prctl.MM_MAP_STRUCT_SIZE, 0),
                    "prctl(PR_SET_MM, PR_SET_MM_MAP" + (exeFd >= 0 ? ", exe_fd=" + exeFd : "")
                            + (auxv != null ? ", auxv_size=" + auxvBytes : "") + ")");
        }
    }

    @Override
    public void setMmField(int op, long value) {
        check(Lib.prctl(Prctl.PR_SET_MM, op, value, 0, 0), "prctl(PR_SET_MM, " + op + ", 0x" + Long.toHexString(value) + ")");
    }

    @Override
    public void setMmAuxv(long[] auxv) {
        try (Scratch words = new Scratch(auxv.length * 8L)) {
            for (int i = 0; i < auxv.length; i++) {
                words.memory.setLong(i * 8L, auxv[i]);
            }
            check(Lib.prctl(Prctl.PR_SET_MM, Prctl.PR_SET_MM_AUXV, words.address, auxv.length * 8L, 0),
                    "prctl(PR_SET_MM, PR_SET_MM_AUXV, size=" + auxv.length * 8 + ")");
        }
    }

    @Override
    public int savedAuxvSize() {
        return check(Lib.prctl(Prctl.PR_GET_AUXV, 0, 0, 0, 0), "prctl(PR_GET_AUXV)");
    }

    @Override
    public void nameAnonymousMapping(long addr, long len, String name) {
        try (Scratch s = new Scratch(name.length() + 1L)) {
            s.memory.setString(0, name, "US-ASCII");
            check(Lib.prctl(Prctl.PR_SET_VMA, Prctl.PR_SET_VMA_ANON_NAME, addr, len, s.address),
                    "prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x" + Long.toHexString(addr) + ", " + name + ")");
        }
    }

    @Override
    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        long p = Lib.mmap(addr, length, prot, flags, fd, offset);
        if (p == -1L) {
            throw fail("mmap(0x" + Long.toHexString(addr) + ", " + length + ", prot=" + prot + ", flags=0x"
                    + Integer.toHexString(flags) + ")");
        }
        return p;
    }

    @Override
    public void munmap(long addr, long length) {
        check(Lib.munmap(addr, length), "munmap(0x" + Long.toHexString(addr) + ", " + length + ")");
    }

    @Override
    public void mprotect(long addr, long length, int prot) {
        check(Lib.mprotect(addr, length, prot), "mprotect(0x" + Long.toHexString(addr) + ", " + length + ", " + prot + ")");
    }

    @Override
    public long mremap(long oldAddr, long oldSize, long newSize, int flags, long newAddr) {
        long p = Lib.mremap(oldAddr, oldSize, newSize, flags, newAddr);
        if (p == -1L) {
            throw fail("mremap(0x" + Long.toHexString(oldAddr) + ", " + oldSize + " -> 0x" + Long.toHexString(newAddr) + ")");
        }
        return p;
    }

    @Override
    public void copyMemory(long dst, long src, long length) {
        Lib.memcpy(dst, src, length);
    }

    @Override
    public void writeMemory(long addr, byte[] data) {
        new com.sun.jna.Pointer(addr).write(0, data, 0, data.length);
    }

    @Override
    public void writeMemory(long addr, byte[] data, int from, int length) {
        java.util.Objects.checkFromIndexSize(from, length, data.length);
        new com.sun.jna.Pointer(addr).write(0, data, from, length);
    }

    @Override
    public boolean equalBytes(byte[] a, byte[] b) {
        return a.length == b.length && (a.length == 0 || Lib.memcmp(a, b, a.length) == 0);
    }

    @Override
    public long crc32c(long addr, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        if (length > 0) {
            crc.update(new com.sun.jna.Pointer(addr).getByteBuffer(0, length));
        }
        return crc.getValue();
    }

    @Override
    public boolean fileHolds(byte[] path, long addr, int length) {
        int fd = check(Lib.open(cString(path), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0), "open(" + show(path) + ")");
        try (Scratch buf = new Scratch(length + 1L, false)) {
            long done = readInto(fd, buf.address, length + 1L);
            return done == length && (length == 0 || Lib.memcmp(buf.address, addr, length) == 0);
        } finally {
            Lib.close(fd);
        }
    }

    /** {@code read(2)} into native memory until {@code count} bytes or end of file; the bytes read. */
    private static long readInto(int fd, long address, long count) {
        long done = 0;
        while (done < count) {
            long n = Lib.read(fd, address + done, count - done);
            if (n == -1) {
                if (Native.getLastError() == EINTR) {
                    continue;
                }
                throw fail("read(fd " + fd + ", " + count + " bytes)");
            }
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    @Override
    public int[] nulStringOffsets(long addr, int length, int maxCount) {
        if (!Lib.hasArgz()) {
            return null;
        }
        if (length <= 0) {
            return new int[0];
        }
        long count = Lib.argzCount(addr, length);
        if (count > maxCount) {
            return null;
        }
        int n = (int) count;
        long[] starts = new long[n];
        try (Scratch argv = new Scratch((n + 1L) * Long.BYTES, false)) {
            Lib.argzExtract(addr, length, argv.address); // n pointers and a NULL
            argv.memory.read(0, starts, 0, n);
        }
        int[] offsets = new int[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = (int) (starts[i] - addr);
        }
        return offsets;
    }

    @Override
    public void writeWords(long addr, long[] words) {
        new com.sun.jna.Pointer(addr).write(0, words, 0, words.length);
    }

    @Override
    public void writeWord(long addr, long value) {
        if ((addr & 7) != 0) {
            throw new IllegalArgumentException("0x" + Long.toHexString(addr) + " is not 8-byte aligned");
        }
        new com.sun.jna.Pointer(addr).setLong(0, value);
    }

    @Override
    public byte[] readMemory(long addr, int length) {
        return new com.sun.jna.Pointer(addr).getByteArray(0, length);
    }

    @Override
    public long libcEnvironVariable() {
        return environ;
    }

    @Override
    public int open(byte[] path, int flags) {
        return check(Lib.open(cString(path), flags, 0), "open(" + show(path) + ")");
    }

    @Override
    public void writeFile(byte[] path, byte[] data) {
        int fd = check(Lib.open(cString(path), Fcntl.O_WRONLY | Fcntl.O_CLOEXEC, 0), "open(" + show(path) + ", O_WRONLY)");
        try {
            long n = Lib.write(fd, data, data.length);
            if (n == -1) {
                throw fail("write(" + show(path) + ", " + data.length + " bytes)");
            }
            if (n != data.length) {
                throw new IllegalStateException("write(" + show(path) + ") wrote " + n + " of " + data.length + " bytes");
            }
        } finally {
            Lib.close(fd);
        }
    }

    @Override
    public void close(int fd) {
        check(Lib.close(fd), "close(" + fd + ")");
    }

    @Override
    public byte[] readlink(byte[] path) {
        byte[] c = cString(path);
        for (int size = 256; ; size *= 2) {
            byte[] buf = new byte[size];
            long n = Lib.readlink(c, buf, size);
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
        check(Lib.statx(Fcntl.AT_FDCWD, cString(path), flags, STATX_BASIC_STATS, buf), "statx(" + show(path) + ")");
        return decodeStatx(buf);
    }

    @Override
    public Statx fstat(int fd) {
        byte[] buf = new byte[256];
        check(Lib.statx(fd, new byte[1], Fcntl.AT_EMPTY_PATH, STATX_BASIC_STATS, buf), "statx(fd " + fd + ")");
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
        return check(Lib.openat(dirfd, cString(name), flags, mode), "openat(" + dirfd + ", " + show(name) + ")");
    }

    @Override
    public byte[] readlinkat(int dirfd, byte[] name) {
        byte[] c = cString(name);
        for (int size = 256; ; size *= 2) {
            byte[] buf = new byte[size];
            long n = Lib.readlinkat(dirfd, c, buf, size);
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
    public void write(int fd, byte[] data) {
        long done = 0;
        while (done < data.length) {
            byte[] rest = done == 0 ? data : java.util.Arrays.copyOfRange(data, (int) done, data.length);
            long n = Lib.write(fd, rest, rest.length);
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
        check(Lib.fsync(fd), "fsync(fd " + fd + ")");
    }

    @Override
    public void fchmod(int fd, int mode) {
        check(Lib.fchmod(fd, mode), "fchmod(fd " + fd + ", 0" + Integer.toOctalString(mode) + ")");
    }

    @Override
    public void renameat(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName) {
        check(Lib.renameat(oldDirfd, cString(oldName), newDirfd, cString(newName)),
                "renameat(" + show(oldName) + ", " + show(newName) + ")");
    }

    @Override
    public void linkat(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName) {
        check(Lib.linkat(oldDirfd, cString(oldName), newDirfd, cString(newName), 0),
                "linkat(" + show(oldName) + ", " + show(newName) + ")");
    }

    @Override
    public void unlinkat(int dirfd, byte[] name, int flags) {
        check(Lib.unlinkat(dirfd, cString(name), flags), "unlinkat(" + dirfd + ", " + show(name) + ")");
    }

    /** Room for glibc's posix_spawn_file_actions_t (80 bytes on LP64) and then some. */
    private static final int SPAWN_ACTIONS_SIZE = 256;
    private static final int EINTR = 4;
    private static final int MFD_CLOEXEC = 1;
    private static final byte[] OUTPUT_NAME = "selfrestore-child-output\0".getBytes(StandardCharsets.US_ASCII);

    @Override
    public Spawned spawnAndWait(byte[] path, byte[][] argv, byte[][] envp) {
        int out = check(Lib.memfd_create(OUTPUT_NAME, MFD_CLOEXEC), "memfd_create()");
        try (Scratch actions = new Scratch(SPAWN_ACTIONS_SIZE); Scratch pid = new Scratch(8);
                Scratch args = strings(argv); Scratch env = strings(envp)) {
            int rc = Lib.posix_spawn_file_actions_init(actions.address);
            if (rc != 0) {
                throw new NativeCallException("posix_spawn_file_actions_init", rc);
            }
            try {
                for (int fd = 1; fd <= 2 && rc == 0; fd++) {
                    rc = Lib.posix_spawn_file_actions_adddup2(actions.address, out, fd);
                }
                if (rc != 0) {
                    throw new NativeCallException("posix_spawn_file_actions_adddup2", rc);
                }
                rc = Lib.posix_spawn(pid.address, cString(path), actions.address, 0, args.address, env.address);
                if (rc != 0) {
                    throw new NativeCallException("posix_spawn(" + show(path) + ")", rc);
                }
            } finally {
                Lib.posix_spawn_file_actions_destroy(actions.address);
            }
            int child = pid.memory.getInt(0);
            while (Lib.waitpid(child, pid.address, 0) == -1) {
                int errno = Native.getLastError();
                if (errno != EINTR) {
                    throw new NativeCallException("waitpid(" + child + ")", errno);
                }
            }
            int status = pid.memory.getInt(0);
            return new Spawned((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), readAll(out));
        } finally {
            Lib.close(out);
        }
    }

    private static byte[] readAll(int fd) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        for (long offset = 0; ; ) {
            long n = Lib.pread(fd, buf, buf.length, offset);
            if (n == -1) {
                throw fail("pread(memfd)");
            }
            if (n == 0) {
                return all.toByteArray();
            }
            all.write(buf, 0, (int) n);
            offset += n;
        }
    }

    /** A NULL-terminated array of C strings, in one block: the pointers, then the strings. */
    private static Scratch strings(byte[][] values) {
        long size = (values.length + 1L) * 8;
        for (byte[] v : values) {
            size += v.length + 1;
        }
        Scratch s = new Scratch(size);
        long next = (values.length + 1L) * 8;
        for (int i = 0; i < values.length; i++) {
            byte[] c = cString(values[i]);
            s.memory.write(next, c, 0, c.length);
            s.memory.setLong(i * 8L, s.address + next);
            next += c.length;
        }
        return s;
    }

    @Override
    public long currentBrk() {
        return Lib.syscall(sysBrk, 0);
    }

    @Override
    public int pageSize() {
        return Lib.getpagesize();
    }

    @Override
    public String kernelRelease() {
        return utsField(2);
    }

    @Override
    public String machine() {
        return utsField(4);
    }

    /** struct utsname on Linux: six fields of 65 bytes (sysname, nodename, release, version, machine, domainname). */
    private static String utsField(int index) {
        byte[] buf = new byte[6 * 65];
        check(Lib.uname(buf), "uname()");
        int start = index * 65;
        int end = start;
        while (end < start + 65 && buf[end] != 0) {
            end++;
        }
        return new String(buf, start, end - start, StandardCharsets.UTF_8);
    }

    private static byte[] cString(byte[] s) {
        for (byte b : s) {
            if (b == 0) {
                throw new IllegalArgumentException("path contains a NUL byte: " + show(s));
            }
        }
        byte[] c = new byte[s.length + 1];
        System.arraycopy(s, 0, c, 0, s.length);
        return c;
    }

    private static String show(byte[] path) {
        return new String(path, StandardCharsets.UTF_8);
    }

    /**
     * Native scratch memory for one call, freed when the call returns. malloc/free directly, not
     * JNA's Memory: Memory registers with JNA's Cleaner, whose thread would outlive the restore.
     */
    private static final class Scratch implements AutoCloseable {
        final com.sun.jna.Pointer memory;
        final long address;

        Scratch(long size) {
            this(size, true);
        }

        /** {@code zeroed} false for memory the call fills before anything reads it. */
        Scratch(long size, boolean zeroed) {
            address = Native.malloc(size);
            if (address == 0) {
                throw new OutOfMemoryError("malloc(" + size + ") failed");
            }
            memory = new com.sun.jna.Pointer(address);
            if (zeroed) {
                memory.setMemory(0, size, (byte) 0);
            }
        }

        @Override
        public void close() {
            Native.free(address);
        }
    }
}
