package dev.selfrestore.nativeshim;

/**
 * The calls on this process's memory descriptor, the fields /proc shows as its identity:
 * {@code prctl(PR_SET_MM, ...)} and its relatives, and the program break. Every method throws
 * {@link NativeCallException} naming the call, its target and the errno when the kernel refuses.
 */
public interface MmCalls {

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

    /** {@code syscall(SYS_brk, 0)}: the kernel's current program break. */
    long currentBrk();
}
