package dev.selfrestore.nativeshim;

/**
 * The Linux system calls and libc functions selfrestore uses, typed. Every method throws
 * {@link NativeCallException} naming the call, its target and the errno when the kernel refuses.
 *
 * <p>Addresses are user-space addresses held in {@code long}s. Only 64-bit Linux is supported
 * (x86_64 and aarch64); {@link #linux()} refuses anything else with an
 * {@link UnsupportedOperationException}.
 *
 * <p>This is an interface so that a test can stand in for one call the machine cannot make fail
 * (an old kernel without {@code PR_SET_MM_MAP}, say) while every other call reaches the kernel.
 */
public interface Syscalls {

    /** The real kernel, through JNA. JNA is loaded on the first call, not before. */
    static Syscalls linux() {
        return dev.selfrestore.nativeshim.internal.JnaSyscalls.instance();
    }

    /**
     * A strategy that puts other calls in front of the real ones, chosen by a spec: how a build for
     * testing makes calls fail as a kernel or machine this one is not would, while every other call
     * reaches the kernel. The product holds no implementation; the agent looks one up only when
     * its option {@code test-faults=SPEC} is given.
     */
    interface Decorator {

        /**
         * Checks a spec without making anything.
         *
         * @throws IllegalArgumentException naming what is wrong and the form expected
         */
        void check(String spec);

        /** The calls to make instead of {@code real}'s, as {@code spec} says. */
        Syscalls decorate(Syscalls real, String spec);
    }

    /** {@code prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE)}: the kernel's {@code sizeof(struct prctl_mm_map)}. */
    int mmMapSize();

    /**
     * {@code prctl(PR_SET_MM, PR_SET_MM_MAP, &map, sizeof map, 0)}.
     *
     * @param fields the 11 address fields in struct order
     * @param auxv   auxv words to install, or {@code null} to leave the saved auxv as it is
     * @param exeFd  a descriptor open on the new executable, or -1 to leave /proc/PID/exe
     */
    void setMmMap(long[] fields, long[] auxv, int exeFd);

    /** {@code prctl(PR_SET_MM, op, value, 0, 0)}: one field at a time (needs CAP_SYS_RESOURCE). */
    void setMmField(int op, long value);

    /** {@code prctl(PR_SET_MM, PR_SET_MM_AUXV, auxv, size, 0)} (needs CAP_SYS_RESOURCE). */
    void setMmAuxv(long[] auxv);

    /** {@code prctl(PR_GET_AUXV, NULL, 0, 0, 0)}: the size in bytes of the kernel's saved auxv (6.4+). */
    int savedAuxvSize();

    /** {@code prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name)}: name an anonymous mapping. */
    void nameAnonymousMapping(long addr, long len, String name);

    /** {@code mmap(2)}; returns the address of the new mapping. */
    long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    /** {@code munmap(2)}. */
    void munmap(long addr, long length);

    /** {@code mprotect(2)}. */
    void mprotect(long addr, long length, int prot);

    /** {@code mremap(2)} with a new address (used with {@code MREMAP_MAYMOVE|MREMAP_FIXED}). */
    long mremap(long oldAddr, long oldSize, long newSize, int flags, long newAddr);

    /** Copies {@code length} bytes of this process's memory from {@code src} to {@code dst}. */
    void copyMemory(long dst, long src, long length);

    /** Writes bytes into this process's memory at {@code addr}. */
    void writeMemory(long addr, byte[] data);

    /** Writes {@code length} bytes of {@code data} from {@code from} into this process's memory at {@code addr}. */
    default void writeMemory(long addr, byte[] data, int from, int length) {
        writeMemory(addr, java.util.Arrays.copyOfRange(data, from, from + length));
    }

    /**
     * Writes 64-bit words, in this machine's byte order, into this process's memory at {@code addr}:
     * one copy, however many words.
     */
    default void writeWords(long addr, long[] words) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(words.length * 8).order(java.nio.ByteOrder.nativeOrder());
        b.asLongBuffer().put(words);
        writeMemory(addr, b.array());
    }

    /**
     * Whether two byte arrays hold the same bytes. The C library's memcmp compares a megabyte at
     * memory speed, where a cold JVM interprets Arrays.equals (bench/README.md, "Environment size").
     */
    default boolean equalBytes(byte[] a, byte[] b) {
        return java.util.Arrays.equals(a, b);
    }

    /**
     * The CRC-32C ({@link java.util.zip.CRC32C}) of {@code length} bytes of this process's memory at
     * {@code addr}. The real implementation reads the memory in place (the JDK computes CRC-32C
     * with the processor's instruction even before the JIT runs); this default copies it into an
     * array first.
     */
    default long crc32c(long addr, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(readMemory(addr, length));
        return crc.getValue();
    }

    /**
     * Whether the file at {@code path} holds exactly the {@code length} bytes of this process's memory
     * at {@code addr}: what a restore's own check asks of {@code /proc/self/cmdline} and
     * {@code environ} against the area it filled. The real implementation reads into native memory
     * and compares there, so a megabyte of environment never reaches the Java heap; this default
     * reads both sides into arrays.
     */
    default boolean fileHolds(byte[] path, long addr, int length) {
        int fd = open(path, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
        try {
            byte[] file = read(fd, length + 1);
            return file.length == length && equalBytes(file, readMemory(addr, length));
        } finally {
            close(fd);
        }
    }

    /**
     * Where each string of the NUL-separated area of {@code length} bytes at {@code addr} (a command
     * line, an environment) starts, as offsets from {@code addr}, found by the C library: glibc's
     * argz_count(3) and argz_extract(3), strlen at memory speed, where a scan of a megabyte in a
     * cold JVM runs interpreted and then keeps a compiler thread busy compiling it
     * (bench/README.md, "Environment size"). The
     * area's last byte must be NUL, as the caller checks: the C library reads up to it. Null when
     * the area holds more than {@code maxCount} strings or this C library has no argz functions
     * (not glibc): the caller then scans the bytes itself, as this default has it do.
     */
    default int[] nulStringOffsets(long addr, int length, int maxCount) {
        return null;
    }

    /** Stores one aligned 64-bit word at {@code addr} in a single store (other threads see old or new). */
    void writeWord(long addr, long value);

    /** Reads {@code length} bytes of this process's memory at {@code addr}. */
    byte[] readMemory(long addr, int length);

    /** The address of the C library's global variable {@code environ} ({@code char **}). */
    long libcEnvironVariable();

    /** {@code open(path, flags)} with a raw-bytes path; returns the descriptor. */
    int open(byte[] path, int flags);

    /** {@code open(path, O_WRONLY|O_CLOEXEC)}, one {@code write(2)} of all of {@code data}, {@code close(2)}. */
    void writeFile(byte[] path, byte[] data);

    /** {@code close(2)}. */
    void close(int fd);

    /** {@code readlink(2)}: the link's target as raw bytes. */
    byte[] readlink(byte[] path);

    /** {@code statx(AT_FDCWD, path, flags, STATX_BASIC_STATS)}. */
    Statx statx(byte[] path, int flags);

    /** {@code statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS)}: the file an open descriptor refers to. */
    Statx fstat(int fd);

    // Descriptor-relative file calls: a path walked one component at a time, each checked on the
    // descriptor it was opened as, and files read or written through that same descriptor.

    /** {@code openat(dirfd, name, flags, mode)} with a raw-bytes name; returns the descriptor. */
    int openat(int dirfd, byte[] name, int flags, int mode);

    /** {@code readlinkat(dirfd, name)}; an empty name reads the link an {@code O_PATH|O_NOFOLLOW} descriptor is open on. */
    byte[] readlinkat(int dirfd, byte[] name);

    /** {@code read(2)} repeated until {@code count} bytes or end of file: the bytes read, fewer at end of file. */
    byte[] read(int fd, int count);

    /** {@code write(2)} repeated until all of {@code data} is written. */
    void write(int fd, byte[] data);

    /** {@code fsync(2)}. */
    void fsync(int fd);

    /** {@code fchmod(2)}. */
    void fchmod(int fd, int mode);

    /** {@code renameat(2)}: replaces {@code newName} if it exists. */
    void renameat(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName);

    /** {@code linkat(2)} without flags: fails with EEXIST rather than replace {@code newName}. */
    void linkat(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName);

    /** {@code unlinkat(2)}. */
    void unlinkat(int dirfd, byte[] name, int flags);

    /**
     * {@code posix_spawn(3)} of {@code path} with {@code argv} and {@code envp}, its standard output
     * and error going to a memory file ({@code memfd_create(2)}) and its other descriptors
     * inherited, then {@code waitpid(2)} for it. No thread is started (the JDK's ProcessBuilder
     * would leave its "process reaper" thread behind) and no file is created.
     */
    Spawned spawnAndWait(byte[] path, byte[][] argv, byte[][] envp);

    /** {@code syscall(SYS_brk, 0)}: the kernel's current program break. */
    long currentBrk();

    /** {@code getpagesize()}. */
    int pageSize();

    /** {@code uname(2)}: release ({@code uname -r}). */
    String kernelRelease();

    /** {@code uname(2)}: machine ({@code uname -m}). */
    String machine();
}
