package dev.selfrestore.nativeshim.internal;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.selfrestore.nativeshim.NativeCallException;
import java.nio.charset.StandardCharsets;

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
 * supported ABIs (see {@link JnaSyscalls}).
 *
 * <p>Also what the areas share: the errno of a failed call, C strings, and native scratch memory.
 */
final class Libc {
    private Libc() {
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
    private static Function PIPE2;
    private static Function KILL;
    private static Function EXECVE;
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
        PIPE2 = libc.getFunction("pipe2");
        KILL = libc.getFunction("kill");
        EXECVE = libc.getFunction("execve");
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

    static int pipe2(int[] fds, int flags) {
        return PIPE2.invokeInt(new Object[] {fds, flags});
    }

    static int kill(int pid, int signal) {
        return KILL.invokeInt(new Object[] {pid, signal});
    }

    static int execve(byte[] path, long argv, long envp) {
        return EXECVE.invokeInt(new Object[] {path, argv, envp});
    }

    static NativeCallException fail(String operation) {
        return new NativeCallException(operation, Native.getLastError());
    }

    static int check(int rc, String operation) {
        if (rc == -1) {
            throw fail(operation);
        }
        return rc;
    }

    /** {@code read(2)} into native memory until {@code count} bytes or end of file; the bytes read. */
    static long readInto(int fd, long address, long count) {
        long done = 0;
        while (done < count) {
            long n = read(fd, address + done, count - done);
            if (n == -1) {
                if (Native.getLastError() == 4 /* EINTR */) {
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

    static byte[] cString(byte[] s) {
        for (byte b : s) {
            if (b == 0) {
                throw new IllegalArgumentException("path contains a NUL byte: " + show(s));
            }
        }
        byte[] c = new byte[s.length + 1];
        System.arraycopy(s, 0, c, 0, s.length);
        return c;
    }

    static String show(byte[] path) {
        return new String(path, StandardCharsets.UTF_8);
    }

    /**
     * Native scratch memory for one call, freed when the call returns. malloc/free directly, not
     * JNA's Memory: Memory registers with JNA's Cleaner, whose thread would outlive the restore.
     */
    static final class Scratch implements AutoCloseable {
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
