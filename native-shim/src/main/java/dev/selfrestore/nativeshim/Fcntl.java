package dev.selfrestore.nativeshim;

/**
 * Constants of {@code <fcntl.h>} (generic Linux values, identical on x86_64 and aarch64, except
 * {@link #O_NOFOLLOW}, which aarch64 numbers differently).
 */
public final class Fcntl {
    private Fcntl() {
    }

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_CLOEXEC = 0x80000;
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_EMPTY_PATH = 0x1000;

    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_NONBLOCK = 04000;
    /** Opens a location only (no read or write): for walking a path one component at a time. */
    public static final int O_PATH = 010000000;
    /** 0400000 on x86_64 (asm-generic), 0100000 on aarch64 (arch/arm64/include/uapi/asm/fcntl.h). */
    public static final int O_NOFOLLOW = "aarch64".equals(System.getProperty("os.arch")) ? 0100000 : 0400000;
    /** unlinkat(2): remove a directory. */
    public static final int AT_REMOVEDIR = 0x200;
}
