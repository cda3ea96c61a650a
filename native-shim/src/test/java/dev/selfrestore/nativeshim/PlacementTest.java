package dev.selfrestore.nativeshim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native helper against the real kernel: the PID asked for, every way of obtaining it, every
 * step's failure, and no child left behind. Run as root with CAP_CHECKPOINT_RESTORE, as the
 * project's machines and CI do.
 */
class PlacementTest {
    private final ProcessCalls processes = Syscalls.linux().processes();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A PID no task has, well ahead of the kernel's next one. */
    private static long freePid(int ahead) throws IOException {
        long pid;
        // one read at offset 0: a sysctl's integer handler answers a read further on with end of file
        try (var in = Files.newInputStream(Path.of("/proc/sys/kernel/ns_last_pid"))) {
            pid = Long.parseLong(new String(in.readNBytes(64), StandardCharsets.US_ASCII).trim()) + ahead;
        }
        long max;
        try (var in = Files.newInputStream(Path.of("/proc/sys/kernel/pid_max"))) {
            max = Long.parseLong(new String(in.readNBytes(64), StandardCharsets.US_ASCII).trim());
        }
        if (pid >= max) {
            pid = 1000;
        }
        while (Files.exists(Path.of("/proc/" + pid))) {
            pid++;
        }
        return pid;
    }

    private static Placement.Request sh(long pid, boolean newNs, String script) {
        return new Placement.Request(pid, newNs, false, b("/bin/sh"), new byte[][] {b("sh"), b("-c"), b(script)},
                new byte[][] {b("PATH=/usr/bin:/bin")});
    }

    private int exitCode(long pid) {
        int status = processes.waitpid(pid, true);
        assertEquals(0, status & 0x7f, "ended by signal " + (status & 0x7f));
        return (status >> 8) & 0xff;
    }

    @Test
    void startsTheCommandAtThePidAskedForByClone3() throws IOException {
        long pid = freePid(700);
        Placement p = processes.place(sh(pid, false, "test $$ = " + pid + " && exit 3"));
        assertNull(p.failure());
        assertEquals(pid, p.pid());
        assertEquals(Placement.Method.CLONE3_SET_TID, p.method());
        assertEquals(3, exitCode(pid));
    }

    @Test
    void theEnvironmentAndArgumentsReachTheCommandByteForByte(@TempDir Path dir) throws IOException {
        long pid = freePid(710);
        byte[] odd = {'X', '=', (byte) 0xff, (byte) 0xfe, 'a'};
        Path out = dir.resolve("env");
        Placement p = processes.place(new Placement.Request(pid, false, false, b("/bin/sh"),
                new byte[][] {b("sh"), b("-c"), b("cat /proc/$$/environ > " + out)}, new byte[][] {odd, b("Y=2")}));
        assertNull(p.failure());
        assertEquals(0, exitCode(pid));
        assertArrayEquals(new byte[] {'X', '=', (byte) 0xff, (byte) 0xfe, 'a', 0, 'Y', '=', '2', 0}, Files.readAllBytes(out));
    }

    @Test
    void aTakenPidIsRefusedWithEexistAndNothingRuns() throws Exception {
        Process holder = new ProcessBuilder("sleep", "30").start();
        try {
            Placement p = processes.place(sh(holder.pid(), false, "exit 0"));
            assertEquals(new Placement.Failure(Placement.Step.CLONE3, Errno.EEXIST, 0), p.failure());
            assertEquals(0, p.pid());
            assertNoChildLeft(holder.pid());
        } finally {
            holder.destroy();
            holder.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutClone3NsLastPidPlacesIt() throws IOException {
        long pid = freePid(720);
        Placement p = processes.place(sh(pid, false, "test $$ = " + pid).without(true, false));
        assertNull(p.failure());
        assertEquals(Placement.Method.NS_LAST_PID, p.method());
        assertEquals(pid, p.pid());
        assertEquals(0, exitCode(pid));
    }

    @Test
    void withNeitherWayTheNsLastPidStepFails() throws IOException {
        Placement p = processes.place(sh(freePid(730), false, "exit 0").without(true, true));
        assertEquals(Placement.Step.NS_LAST_PID, p.failure().step());
        assertEquals(Errno.ENOSYS, p.failure().errno());
        assertNoChildLeft();
    }

    @Test
    void aCommandThatCannotBeExecutedIsReportedAndReaped() throws IOException {
        Placement p = processes.place(new Placement.Request(freePid(740), false, false, b("/nonexistent/cmd"),
                new byte[][] {b("cmd")}, new byte[0][]));
        assertEquals(Placement.Step.EXEC, p.failure().step());
        assertEquals(Errno.ENOENT, p.failure().errno());
        assertNoChildLeft();
    }

    @Test
    void pidOneOfANewPidNamespace() {
        Placement p = processes.place(sh(1, true, "test $$ = 1 || exit 9; exit 4"));
        assertNull(p.failure());
        assertEquals(Placement.Method.NEW_PID_NAMESPACE, p.method());
        assertEquals(4, exitCode(p.pid()));
    }

    @Test
    void pidSevenOfANewPidNamespaceUnderAnInit() throws IOException {
        Placement p = processes.place(sh(7, true, "test $$ = 7 || exit 9; exit 5"));
        assertNull(p.failure());
        assertNotNull(p.method());
        // the init ends with its child's status
        assertEquals(5, exitCode(p.pid()));
    }

    @Test
    void theJarCarriesTheHelperForBothArchitectures() throws IOException {
        for (String machine : List.of("x86_64", "aarch64")) {
            try (var in = getClass().getResourceAsStream("/dev/selfrestore/nativeshim/selfrestore-spawn-" + machine)) {
                assertNotNull(in, machine);
                byte[] elf = in.readAllBytes();
                assertEquals(0x7f, elf[0]);
                assertEquals('E', elf[1]);
                // e_machine: EM_X86_64 62, EM_AARCH64 183
                assertEquals(machine.equals("x86_64") ? 62 : 183, (elf[18] & 0xff) | (elf[19] & 0xff) << 8);
            }
        }
    }

    @Test
    void theCommittedHelpersAreWhatTheirSourceBuilds(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("gcc") && onPath("aarch64-linux-gnu-gcc"),
                "needs gcc and gcc-aarch64-linux-gnu (Debian's packages; .ci/run installs them)");
        Path script = Path.of("src/main/c/build.sh").toAbsolutePath();
        Process build = new ProcessBuilder("sh", script.toString(), dir.toString()).inheritIO().start();
        assertEquals(0, build.waitFor());
        for (String machine : List.of("x86_64", "aarch64")) {
            Path committed = Path.of("src/main/resources/dev/selfrestore/nativeshim/selfrestore-spawn-" + machine);
            assertArrayEquals(Files.readAllBytes(committed), Files.readAllBytes(dir.resolve("selfrestore-spawn-" + machine)),
                    machine + ": run native-shim/src/main/c/build.sh and commit its output");
        }
    }

    private static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }

    /** No child of this JVM but {@code except} is left, running or unreaped. */
    private static void assertNoChildLeft(long... except) {
        try {
            // every task's children: the thread that started a child is not always the main one
            StringBuilder children = new StringBuilder();
            for (Path task : Files.list(Path.of("/proc/self/task")).toList()) {
                for (String c : Files.readString(task.resolve("children")).trim().split(" +")) {
                    if (!c.isEmpty() && java.util.Arrays.stream(except).noneMatch(e -> Long.toString(e).equals(c))) {
                        children.append(c).append(' ');
                    }
                }
            }
            assertEquals("", children.toString().trim(), "a child was left behind");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
