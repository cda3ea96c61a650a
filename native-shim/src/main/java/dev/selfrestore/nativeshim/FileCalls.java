package dev.selfrestore.nativeshim;

/**
 * Files and directories ({@code fcntl.h}, {@code unistd.h}, {@code sys/stat.h}), with raw-bytes
 * paths. Every method throws {@link NativeCallException} naming the call, its target and the errno
 * when the kernel refuses.
 */
public interface FileCalls {

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

    /**
     * {@code pread(2)} repeated until {@code count} bytes or end of file: the bytes at {@code offset},
     * fewer at end of file. The descriptor's own offset is left as it is.
     */
    byte[] pread(int fd, int count, long offset);

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
}
