package dev.selfrestore.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SysctlTest {
    /** What cat(1), which reads with a large buffer from offset 0, shows. */
    private static String cat(String file) throws Exception {
        Process p = new ProcessBuilder("cat", file).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1).trim();
        assertEquals(0, p.waitFor());
        return out;
    }

    @Test
    void readsTheWholeValueWhereFilesReadStringGetsOneByte() throws Exception {
        for (String f : new String[] {"/proc/sys/vm/mmap_min_addr", "/proc/sys/kernel/pid_max"}) {
            assertEquals(cat(f), Sysctl.read(Path.of(f)), f);
            assertEquals(Long.parseLong(cat(f)), Sysctl.readLong(Path.of(f), -1), f);
        }
    }

    @Test
    void aMissingFileIsAbsent() throws Exception {
        assertEquals(-7, Sysctl.readLong(Path.of("/proc/sys/kernel/no_such_sysctl_here"), -7));
    }
}
