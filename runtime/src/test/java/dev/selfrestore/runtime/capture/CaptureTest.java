package dev.selfrestore.runtime.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.BrkSource;
import dev.selfrestore.runtime.MmDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CaptureTest {
    private final Capture capture = new Capture(Syscalls.linux());

    @Test
    void capturesAnotherProcessAsProcShowsIt() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/sleep", "30");
        pb.environment().clear();
        pb.environment().put("K", "v=w");
        Process p = pb.start();
        try {
            MmDescriptor d = capture.ofPid(p.pid());
            Path proc = Path.of("/proc", Long.toString(p.pid()));
            assertArrayEquals(Files.readAllBytes(proc.resolve("cmdline")), d.cmdline());
            assertArrayEquals("K=v=w\0".getBytes(StandardCharsets.UTF_8), d.environ());
            assertArrayEquals(Files.readAllBytes(proc.resolve("auxv")), d.auxvBytes());
            assertArrayEquals("sleep".getBytes(StandardCharsets.UTF_8), d.comm());
            assertArrayEquals("/usr/bin/sleep".getBytes(StandardCharsets.UTF_8), d.exe().path());
            assertEquals(Files.size(Path.of("/usr/bin/sleep")), d.exe().size());
            assertEquals(20, d.exe().buildId().length);
            assertEquals(BrkSource.APPROXIMATED, d.brkSource());
            assertEquals(p.pid(), d.capture().pid());
            assertEquals(0, d.capture().uid());
            assertTrue(Long.compareUnsigned(d.fields().startBrk(), d.fields().brk()) <= 0);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void capturesItselfWithTheExactBrk() throws Exception {
        MmDescriptor d = capture.ofSelf();
        assertEquals(BrkSource.EXACT, d.brkSource());
        assertEquals(Syscalls.linux().mm().currentBrk(), d.fields().brk());
        assertEquals(ProcessHandle.current().pid(), d.capture().pid());
    }

    @Test
    void aMissingProcessIsNamed() {
        CaptureException e = assertThrows(CaptureException.class, () -> capture.ofPid(999_999_999L));
        assertTrue(e.getMessage().startsWith("process 999999999 does not exist"), e.getMessage());
    }
}
