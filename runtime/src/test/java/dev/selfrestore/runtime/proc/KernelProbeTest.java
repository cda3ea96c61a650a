package dev.selfrestore.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KernelProbeTest {
    @Test
    void capLastCapIsTheKernelsAndAMissingSysctlIsAbsent() throws Exception {
        // what cat(1) shows: it reads from offset 0 in one go
        Process cat = new ProcessBuilder("cat", "/proc/sys/kernel/cap_last_cap").start();
        String text = new String(cat.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1).trim();
        assertEquals(0, cat.waitFor());
        assertEquals(Integer.parseInt(text), KernelProbe.capLastCap());
        assertTrue(KernelProbe.capLastCap() >= Capabilities.CAP_SYS_ADMIN);
        assertEquals(-3, KernelProbe.sysctl(Path.of("/proc/sys/kernel/no_such_sysctl_here"), -3));
    }

    @Test
    void ownAuxvEndsWithItsNullEntry() throws Exception {
        long[] auxv = ProcPid.self().auxv();
        assertEquals(auxv.length / 2, KernelProbe.ownAuxvEntries());
    }
}
