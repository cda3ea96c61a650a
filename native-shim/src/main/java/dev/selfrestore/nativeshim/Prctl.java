package dev.selfrestore.nativeshim;

/** Constants of {@code <linux/prctl.h>} that selfrestore uses. */
public final class Prctl {
    private Prctl() {
    }

    /** Set the name of the calling thread. */
    public static final int PR_SET_NAME = 15;
    /** Change the mm fields of the calling process; the second argument picks the field. */
    public static final int PR_SET_MM = 35;
    public static final int PR_SET_MM_START_CODE = 1;
    public static final int PR_SET_MM_END_CODE = 2;
    public static final int PR_SET_MM_START_DATA = 3;
    public static final int PR_SET_MM_END_DATA = 4;
    public static final int PR_SET_MM_START_STACK = 5;
    public static final int PR_SET_MM_START_BRK = 6;
    public static final int PR_SET_MM_BRK = 7;
    public static final int PR_SET_MM_ARG_START = 8;
    public static final int PR_SET_MM_ARG_END = 9;
    public static final int PR_SET_MM_ENV_START = 10;
    public static final int PR_SET_MM_ENV_END = 11;
    public static final int PR_SET_MM_AUXV = 12;
    public static final int PR_SET_MM_EXE_FILE = 13;
    /** Set every field at once from a {@code struct prctl_mm_map} (Linux 3.18+, CONFIG_CHECKPOINT_RESTORE). */
    public static final int PR_SET_MM_MAP = 14;
    /** Ask the kernel for {@code sizeof(struct prctl_mm_map)}. */
    public static final int PR_SET_MM_MAP_SIZE = 15;
    /** Read the saved auxv; returns the kernel's size of it (Linux 6.4+). */
    public static final int PR_GET_AUXV = 0x41555856;
    /** Set attributes of a range of memory (Linux 5.17+). */
    public static final int PR_SET_VMA = 0x53564d41;
    /** Name an anonymous mapping, shown as {@code [anon:NAME]} in /proc/PID/maps (CONFIG_ANON_VMA_NAME). */
    public static final int PR_SET_VMA_ANON_NAME = 0;

    /** {@code sizeof(struct prctl_mm_map)} this code lays out: 11 u64 fields, a u64 pointer, two u32. */
    public static final int MM_MAP_STRUCT_SIZE = 104;
}
