package dev.selfrestore.runtime.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.proc.ProcPid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process caught half-way through execve, as /proc shows it between begin_new_exec and the end of
 * load_elf_binary. The machine cannot hold a real process there for a second, so a directory laid out
 * as /proc/PID shows that state; the completed state is this JVM's own.
 */
class HalfBuiltProcessTest {
    @TempDir
    Path dir;

    /** A /proc/PID/stat line with fields 3 to 52, all 0 but those given (field number, value). */
    private static String stat(long pid, String state, long... fieldAndValue) {
        List<String> f = new ArrayList<>(Collections.nCopies(50, "0"));
        f.set(0, state);
        for (int i = 0; i < fieldAndValue.length; i += 2) {
            f.set((int) fieldAndValue[i] - 3, Long.toUnsignedString(fieldAndValue[i + 1]));
        }
        return pid + " (srsleep) " + String.join(" ", f) + "\n";
    }

    /** The new mm right after exec switched exe: arg_start and start_stack set, auxv AT_NULL alone. */
    private ProcPid halfBuilt(long pid) throws Exception {
        Files.writeString(dir.resolve("stat"), stat(pid, "R", 22, 1234, 28, 0x7ffd_0000_1000L, 48, 0x7ffd_0000_2000L));
        Files.write(dir.resolve("auxv"), new byte[16]);
        Path program = Files.copy(Path.of("/usr/bin/sleep"), dir.resolve("srsleep"));
        Files.createSymbolicLink(dir.resolve("exe"), program);
        return ProcPid.at(dir, pid);
    }

    @Test
    void aHalfBuiltProcessIsRefusedInOneLineNamingWhatIsMissing() throws Exception {
        Capture capture = new Capture(Syscalls.linux());
        long before = System.nanoTime();
        CaptureException e = assertThrows(CaptureException.class,
                () -> capture.settled(halfBuilt(4242), OptionalLong.empty(), TimeUnit.MILLISECONDS.toNanos(200)));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
        String m = e.getMessage();
        assertTrue(m.startsWith("process 4242 has not finished execve after "), m);
        assertTrue(m.contains("its saved auxv has 1 entries and no AT_PHDR or AT_ENTRY"), m);
        assertTrue(m.contains("its argument area is empty (arg_start 0x7ffd00002000, arg_end 0x0)"), m);
        assertTrue(m.contains("start_code is 0"), m);
        assertFalse(m.contains("\n"), m);
        assertTrue(waitedMillis >= 200 && waitedMillis < 5_000, "waited " + waitedMillis + " ms");
        assertEquals(1, capture.halfBuiltSeen.get());
    }

    @Test
    void eachStepOfCreateElfTablesIsSeen() throws Exception {
        long[] onlyPhdr = {3, 0x5555_0000_0040L, 0, 0};
        long[] phdrAndEntry = {3, 0x5555_0000_0040L, 9, 0x5555_0000_1000L, 0, 0};
        MmFields noArgs = new MmFields(0, 0, 0, 0, 0, 0, 0x7ffd_0000_1000L, 0x7ffd_0000_2000L, 0x7ffd_0000_2000L, 0, 0);
        MmFields argsNoCode = new MmFields(0, 0, 0, 0, 0, 0, 0x7ffd_0000_1000L, 0x7ffd_0000_2000L, 0x7ffd_0000_2010L,
                0x7ffd_0000_2010L, 0x7ffd_0000_2020L);
        MmFields done = new MmFields(0x5555_0000_1000L, 0x5555_0000_2000L, 0x5555_0000_3000L, 0x5555_0000_3100L,
                0x5555_0000_4000L, 0, 0x7ffd_0000_1000L, 0x7ffd_0000_2000L, 0x7ffd_0000_2010L,
                0x7ffd_0000_2010L, 0x7ffd_0000_2020L);
        byte[] exe = "/usr/bin/sleep".getBytes();
        assertEquals("its saved auxv has 2 entries and no AT_ENTRY, its argument area is empty"
                + " (arg_start 0x7ffd00002000, arg_end 0x7ffd00002000), start_code is 0",
                new ExecState('R', 0, 1, noArgs, onlyPhdr, exe).missing());
        assertEquals("start_code is 0", new ExecState('R', 0, 1, argsNoCode, phdrAndEntry, exe).missing());
        MmFields noBrk = new MmFields(done.startCode(), done.endCode(), done.startData(), done.endData(), 0, 0,
                done.startStack(), done.argStart(), done.argEnd(), done.envStart(), done.envEnd());
        assertEquals("start_brk is 0", new ExecState('R', 0, 1, noBrk, phdrAndEntry, exe).missing());
        assertNull(new ExecState('S', 0, 1, done, phdrAndEntry, exe).missing());
    }

    @Test
    void theCapturingJvmItselfIsComplete() throws Exception {
        ProcPid self = ProcPid.self();
        ExecState state = ExecState.read(self, () -> new byte[0]);
        assertNull(state.missing());
        assertFalse(state.hasNoImage());
        assertTrue(state.sameImage(ExecState.read(self, () -> new byte[0])));
    }

    @Test
    void aKernelThreadIsRefusedAtOnce() throws Exception {
        Files.writeString(dir.resolve("stat"), stat(2, "S", 9, 0x00208040));
        Files.write(dir.resolve("auxv"), new byte[0]);
        CaptureException e = assertThrows(CaptureException.class,
                () -> new Capture(Syscalls.linux()).settled(ProcPid.at(dir, 2), OptionalLong.empty(), TimeUnit.SECONDS.toNanos(10)));
        assertTrue(e.getMessage().startsWith("process 2 shows no memory layout in "), e.getMessage());
    }
}
