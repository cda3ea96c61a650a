package dev.selfrestore.nativeshim;

/** Constants of {@code <sys/mman.h>} (identical on x86_64 and aarch64 Linux). */
public final class Mman {
    private Mman() {
    }

    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;

    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;

    /** The value mmap returns on failure. */
    public static final long MAP_FAILED = -1L;
}
