package dev.selfrestore.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** sizeof(mm->saved_auxv) on kernels without PR_GET_AUXV, as those kernels' sources define it. */
class KernelLimitsTest {

    @Test
    void x86_64SavedAuxvGrewWithAtMinsigstkszIn5_14AndRseqIn6_3() {
        assertEquals(368, KernelLimits.fallbackSavedAuxvBytes("x86_64", "5.10.0-35-amd64", true), "Debian 11, IA32 emulation");
        assertEquals(352, KernelLimits.fallbackSavedAuxvBytes("x86_64", "5.10.0", false), "5.10 without IA32 emulation");
        assertEquals(384, KernelLimits.fallbackSavedAuxvBytes("x86_64", "5.14.0", true));
        assertEquals(384, KernelLimits.fallbackSavedAuxvBytes("x86_64", "6.1.0-50-amd64", true), "Debian 12");
        assertEquals(368, KernelLimits.fallbackSavedAuxvBytes("x86_64", "6.1.0", false));
        assertEquals(416, KernelLimits.fallbackSavedAuxvBytes("x86_64", "6.3.13", true));
        assertEquals(352, KernelLimits.fallbackSavedAuxvBytes("x86_64", "3.18.0", false));
    }

    @Test
    void arm64SavedAuxv() {
        assertEquals(368, KernelLimits.fallbackSavedAuxvBytes("aarch64", "6.1.0-50-arm64", false), "Debian 12");
        assertEquals(352, KernelLimits.fallbackSavedAuxvBytes("aarch64", "4.14.0", false), "before AT_MINSIGSTKSZ");
        assertEquals(400, KernelLimits.fallbackSavedAuxvBytes("aarch64", "6.3.0", false));
    }

    @Test
    void anUnreadableReleaseGetsTheSmallestSize() {
        assertEquals(352, KernelLimits.fallbackSavedAuxvBytes("x86_64", "unknown", false));
        assertEquals(352, KernelLimits.fallbackSavedAuxvBytes("aarch64", "", false));
    }

    @Test
    void releaseComparison() {
        assertTrue(KernelLimits.atLeast("5.14.0-rc1", 5, 14));
        assertTrue(KernelLimits.atLeast("6.1.0-50-amd64", 5, 14));
        assertFalse(KernelLimits.atLeast("5.10.0-35-amd64", 5, 14));
        assertFalse(KernelLimits.atLeast("5.9", 5, 14));
        assertTrue(KernelLimits.atLeast("10.0", 6, 3));
        assertFalse(KernelLimits.atLeast("x", 3, 0));
    }
}
