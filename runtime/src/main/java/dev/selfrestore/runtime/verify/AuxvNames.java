package dev.selfrestore.runtime.verify;

import java.util.Map;

/**
 * The names of the auxiliary vector's entry types on Linux x86_64 and aarch64:
 * include/uapi/linux/auxvec.h, plus arch/x86/include/uapi/asm/auxvec.h and
 * arch/arm64/include/uapi/asm/auxvec.h (AT_SYSINFO_EHDR, AT_MINSIGSTKSZ). AT_SYSINFO (32) is
 * 32-bit x86 only and never seen in a 64-bit process. Unknown types are shown by number.
 */
public final class AuxvNames {
    private AuxvNames() {
    }

    private static final Map<Long, String> NAMES = Map.ofEntries(
            Map.entry(0L, "AT_NULL"),
            Map.entry(1L, "AT_IGNORE"),
            Map.entry(2L, "AT_EXECFD"),
            Map.entry(3L, "AT_PHDR"),
            Map.entry(4L, "AT_PHENT"),
            Map.entry(5L, "AT_PHNUM"),
            Map.entry(6L, "AT_PAGESZ"),
            Map.entry(7L, "AT_BASE"),
            Map.entry(8L, "AT_FLAGS"),
            Map.entry(9L, "AT_ENTRY"),
            Map.entry(10L, "AT_NOTELF"),
            Map.entry(11L, "AT_UID"),
            Map.entry(12L, "AT_EUID"),
            Map.entry(13L, "AT_GID"),
            Map.entry(14L, "AT_EGID"),
            Map.entry(15L, "AT_PLATFORM"),
            Map.entry(16L, "AT_HWCAP"),
            Map.entry(17L, "AT_CLKTCK"),
            Map.entry(23L, "AT_SECURE"),
            Map.entry(24L, "AT_BASE_PLATFORM"),
            Map.entry(25L, "AT_RANDOM"),
            Map.entry(26L, "AT_HWCAP2"),
            Map.entry(27L, "AT_RSEQ_FEATURE_SIZE"),
            Map.entry(28L, "AT_RSEQ_ALIGN"),
            Map.entry(29L, "AT_HWCAP3"),
            Map.entry(30L, "AT_HWCAP4"),
            Map.entry(31L, "AT_EXECFN"),
            Map.entry(32L, "AT_SYSINFO"),
            Map.entry(33L, "AT_SYSINFO_EHDR"),
            Map.entry(51L, "AT_MINSIGSTKSZ"));

    /** Types whose value is a count or an id, worth showing in decimal too. */
    private static final java.util.Set<Long> NUMERIC = java.util.Set.of(4L, 5L, 6L, 11L, 12L, 13L, 14L, 17L, 23L,
            27L, 28L, 51L);

    /** {@code AT_PAGESZ}, or {@code AT_#<n>} for a type this table does not know. */
    public static String name(long type) {
        String n = NAMES.get(type);
        return n != null ? n : "AT_#" + Long.toUnsignedString(type);
    }

    /** Whether this type's value is a number rather than an address or a bit mask. */
    public static boolean numeric(long type) {
        return NUMERIC.contains(type);
    }
}
