package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.app.Sleeper;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.runtime.proc.Sysctl;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code selfrestore run}: the restored JVM comes back at the checkpointed process's PID, with its
 * identity, seen from outside byte for byte; in a new pid namespace as PID 1 and as PID 7 under
 * selfrestore's init; the foreground's signals and exit status; each refusal with nothing started;
 * and a PID placed while other processes fork as fast as they can.
 */
class SamePidIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    /** A test run for a native original and for a JVM original ({@link #original}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ParameterizedTest(name = "{0} original")
    @ValueSource(strings = {"native", "jvm"})
    @interface EachOriginal {
    }

    /** {@code selfrestore run ARGS... -- java -cp CLASSES ShowIdentity run}: the agent is added by run. */
    private RunningProcess run(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(List.of(args));
        all.add("--");
        all.addAll(JavaCommand.bareJava().classes(ItConfig.testClasses()).showIdentity("run"));
        return it.cli().start(all.toArray(String[]::new));
    }

    /** The PID main printed, and the line run printed on stderr: the command is running. */
    private static long mainPid(RunningProcess run) throws InterruptedException {
        long pid = Long.parseLong(run.awaitStdoutLine("PID=", PROCESS_TIMEOUT).substring(4));
        run.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        return pid;
    }

    /** Ends the command (its stdin is run's) and returns run's status, the command's. */
    private static int stop(RunningProcess run) throws InterruptedException {
        return run.closeStdinAndAwaitExit(PROCESS_TIMEOUT);
    }

    /** A checkpointed process: its PID, what /proc showed of it, its descriptor. It has ended. */
    private record Original(long pid, ProcIdentity identity, Path descriptor) {
    }

    /** A native original (a renamed sleep) or a JVM original, captured and ended. */
    private Original original(String kind) throws Exception {
        if (kind.equals("native")) {
            Cli.Captured c = it.captured();
            return new Original(c.original().pid(), c.identity(), c.descriptor());
        }
        List<String> command = JavaCommand.bareJava().options("-Dsrit.role=original").classes(ItConfig.testClasses())
                .main(Sleeper.class.getName(), "alpha", "two words");
        RunningProcess jvm = it.processes().start("original", command,
                Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "SRIT_ROLE", "original"));
        jvm.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        ProcIdentity before = ProcIdentity.of(jvm.pid());
        Path descriptor = it.cli().captureOk(jvm.pid(), it.dir().resolve("jvm.mmd"));
        jvm.close();
        return new Original(jvm.pid(), before, descriptor);
    }

    @EachOriginal
    void anOriginalComesBackAtItsPidWithItsIdentity(String kind) throws Exception {
        Original original = original(kind);
        RunningProcess run = run(original.descriptor().toString());
        long pid = original.pid();
        assertEquals(pid, mainPid(run), "the PID main sees");
        assertSameIdentity(original.identity(), ProcIdentity.of(pid));
        assertEquals(Long.toString(run.pid()), ProcIdentity.statusField(pid, "PPid"), "its parent is run (the waiter)");
        assertEquals("selfrestore\n", Files.readString(Path.of("/proc/" + run.pid() + "/comm")),
                "run became the native waiter: no JVM stays behind");
        it.cli().run("verify", "--require-pid", "--pid", Long.toString(pid), original.descriptor().toString())
                .assertStatus(0);
        assertEquals(0, stop(run));
        List<String> lines = run.stderrLines();
        assertEquals("selfrestore: run: " + ItConfig.java() + " runs as pid " + pid + " (clone3 set_tid)", lines.get(0),
                run::describe);
        assertTrue(lines.get(1).startsWith("selfrestore: restored pid " + pid + " "), run::describe);
        assertEquals(2, lines.size(), run::describe);
    }

    /** {@code run --new-pid-namespace --pid PID} of the original, main running at PID there. */
    private RunningProcess runInNewPidNamespace(Original original, int pid) throws Exception {
        RunningProcess run = run("--new-pid-namespace", "--pid", Integer.toString(pid), original.descriptor().toString());
        assertEquals(pid, mainPid(run), "the PID main sees");
        return run;
    }

    @EachOriginal
    void pidOneOfANewPidNamespace(String kind) throws Exception {
        Original original = original(kind);
        RunningProcess run = runInNewPidNamespace(original, 1);
        long host = onlyChild(run.pid());
        assertEquals("1", innermostPid(host), "NSpid, seen from outside");
        assertSameIdentity(original.identity(), ProcIdentity.of(host));
        assertEquals(0, stop(run));
        assertEquals("selfrestore: run: " + ItConfig.java() + " runs as pid 1 of a new pid namespace (pid " + host
                + " here)", run.stderrLines().get(0), run::describe);
    }

    @EachOriginal
    void pidSevenOfANewPidNamespaceUnderSelfrestoresInit(String kind) throws Exception {
        Original original = original(kind);
        RunningProcess run = runInNewPidNamespace(original, 7);
        long init = onlyChild(run.pid());
        long host = onlyChild(init);
        assertAll("what ps shows",
                () -> assertEquals("1", innermostPid(init), "the init is PID 1 there"),
                () -> assertEquals("7", innermostPid(host)),
                () -> assertEquals("selfrestore\n", Files.readString(Path.of("/proc/" + init + "/comm"))),
                () -> assertTrue(new String(Files.readAllBytes(Path.of("/proc/" + init + "/cmdline")),
                        StandardCharsets.UTF_8).startsWith("selfrestore-init\0place\0"), "the init's cmdline"));
        assertSameIdentity(original.identity(), ProcIdentity.of(host));
        it.cli().run("verify", "--require-pid", "--pid", Long.toString(host), original.descriptor().toString())
                .assertStatus(1);
        // TERM to run reaches the JVM through the init; the JVM's own exit status comes back out
        it.processes().run(PROCESS_TIMEOUT, "kill", "-TERM", Long.toString(run.pid())).assertStatus(0);
        assertEquals(143, run.awaitExit(PROCESS_TIMEOUT));
        assertFalse(Files.exists(Path.of("/proc/" + init)), "the init ended with its command");
    }

    @Test
    void detachPrintsThePidAndLeavesTheCommandRunningInItsOwnSession() throws Exception {
        Cli.Captured original = it.captured();
        long pid = original.original().pid();
        Path pidFile = it.dir().resolve("service.pid");
        // as a service started so would, it lets go of run's output (which the test reads to its end)
        RunningProcess run = it.cli().start("run", "--detach", "--pid-file", pidFile.toString(),
                original.descriptor().toString(), "--", "/bin/sh", "-c", "exec sleep 120 >/dev/null 2>&1");
        assertEquals(0, run.awaitExit(PROCESS_TIMEOUT), run::describe);
        try {
            assertEquals(List.of(Long.toString(pid)), run.stdoutLines(), "stdout: the PID alone");
            assertEquals(pid + "\n", Files.readString(pidFile));
            assertEquals(Long.toString(pid), ProcIdentity.statusField(pid, "NSsid"), "a session of its own");
            // the shell at that PID executes sleep in its own time
            byte[] sleep = ("sleep" + '\0' + "120" + '\0').getBytes(StandardCharsets.US_ASCII);
            Instant end = Instant.now().plus(PROCESS_TIMEOUT);
            while (!java.util.Arrays.equals(sleep, ProcIdentity.of(pid).cmdline()) && Instant.now().isBefore(end)) {
                Thread.sleep(20);
            }
            assertArrayEquals(sleep, ProcIdentity.of(pid).cmdline(), "the command at that PID");
        } finally {
            it.processes().run(PROCESS_TIMEOUT, "kill", Long.toString(pid));
        }
    }

    /** Each signal run forwards, and the command's exit status as run's. */
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "HUP", "QUIT", "USR1", "USR2"})
    void theForegroundPassesSignalsOnAndExitsWithTheCommandsStatus(String signal) throws Exception {
        Cli.Captured original = it.captured();
        String script = "trap 'echo GOT-" + signal + "; exit 42' " + signal + "; echo READY; "
                + "while :; do sleep 0.1; done";
        RunningProcess run = it.cli().start("run", original.descriptor().toString(), "--", "/bin/sh", "-c", script);
        run.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        awaitWaiter(run);
        it.processes().run(PROCESS_TIMEOUT, "kill", "-" + signal, Long.toString(run.pid())).assertStatus(0);
        assertEquals(42, run.awaitExit(PROCESS_TIMEOUT), run::describe);
        assertTrue(run.stdoutLines().contains("GOT-" + signal), run::describe);
    }

    @Test
    void aCommandEndedBySignalEndsRunWithTheSameSignal() throws Exception {
        Cli.Captured original = it.captured();
        RunningProcess run = it.cli().start("run", original.descriptor().toString(), "--", "/bin/sh", "-c",
                "echo READY; kill -KILL $$");
        assertEquals(128 + 9, run.awaitExit(PROCESS_TIMEOUT), run::describe);
        CommandResult shell = it.processes().run(PROCESS_TIMEOUT, "sh", "-c", "java -jar " + it.cli().jar() + " run "
                + original.descriptor() + " -- /bin/sh -c 'kill -TERM $$' 2>/dev/null; kill -l $?");
        assertEquals("TERM", shell.stdout().trim(), "run died of the command's signal: " + shell.description());
    }

    // ---- refusals: one line, exit 2, nothing started ---------------------------------------------------

    private CommandResult refused(Cli cli, Path marker, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(List.of(args));
        all.addAll(List.of("--", "/bin/sh", "-c", "touch " + marker));
        CommandResult r = cli.run(all.toArray(String[]::new)).assertStatus(2);
        assertEquals(1, r.stderr().lines().count(), r::description);
        assertTrue(r.stderr().endsWith("; nothing was started\n"), r::description);
        assertEquals("", r.stdout(), r::description);
        Thread.sleep(200);
        assertFalse(Files.exists(marker), "the command ran: " + r.description());
        return r;
    }

    @Test
    void aPidInUseIsRefusedNamingItsHolder() throws Exception {
        Cli.Captured original = it.captured();
        RunningProcess holder = it.processes().start("holder", List.of("sleep", "60"));
        CommandResult r = refused(it.cli(), it.dir().resolve("ran"), "--pid", Long.toString(holder.pid()),
                original.descriptor().toString());
        assertEquals("selfrestore: run: pid " + holder.pid() + " is in use by pid " + holder.pid()
                + " (comm \"sleep\", uid 0): stop it, or give another PID with --pid; nothing was started\n", r.stderr());
    }

    @Test
    void aThreadsIdIsInUseToo() throws Exception {
        Cli.Captured original = it.captured();
        RunningProcess jvm = it.processes().start("jvm", JavaCommand.bareJava().classes(ItConfig.testClasses())
                .showIdentity("holder"));
        jvm.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        long thread = Files.list(Path.of("/proc/" + jvm.pid() + "/task")).map(p -> Long.parseLong(p.getFileName().toString()))
                .filter(t -> t != jvm.pid()).findFirst().orElseThrow();
        CommandResult r = refused(it.cli(), it.dir().resolve("ran"), "--pid", Long.toString(thread),
                original.descriptor().toString());
        assertTrue(r.stderr().contains("is in use by a thread of pid " + jvm.pid() + " (comm \"java\", uid 0)"),
                r::description);
    }

    @Test
    void aPidAbovePidMaxIsRefused() throws Exception {
        Cli.Captured original = it.captured();
        long max = sysctl("pid_max");
        CommandResult r = refused(it.cli(), it.dir().resolve("ran"), "--pid", Long.toString(max),
                original.descriptor().toString());
        assertTrue(r.stderr().startsWith("selfrestore: run: pid " + max + " is above this kernel's largest PID, "
                + (max - 1) + " (/proc/sys/kernel/pid_max is " + max + ")"), r::description);
    }

    @Test
    void withoutTheCapabilityItIsRefusedNamingIt() throws Exception {
        Fixtures.makeReadableByAll(it.dir());
        Cli.Captured original = it.captured();
        Fixtures.makeReadableByAll(original.descriptor());
        JavaCommand.ReadableCopy readable = JavaCommand.readableByAll(it.dir().resolve("readable"));
        Cli nobody = it.cli().through(Fixtures.AS_NOBODY_WITHOUT_CAPABILITIES, readable.jar());
        CommandResult r = refused(nobody, it.dir().resolve("ran"), "--pid", Long.toString(freePid()),
                original.descriptor().toString());
        assertTrue(r.stderr().contains("needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN over this pid namespace "
                + "(this process's effective set lacks both)"), r::description);
        assertTrue(r.stderr().contains("unshare -Ur"), r::description);
        r = refused(nobody, it.dir().resolve("ran"), "--new-pid-namespace", "--pid", "1", original.descriptor().toString());
        assertTrue(r.stderr().startsWith("selfrestore: run: a new pid namespace needs CAP_SYS_ADMIN"), r::description);
    }

    @Test
    void aKernelWithNeitherSetTidNorNsLastPidIsRefused() throws Exception {
        Cli.Captured original = it.captured();
        CommandResult r = refused(Cli.withTestFaults(it.processes(), "no-clone3+no-ns-last-pid"), it.dir().resolve("ran"),
                "--pid", Long.toString(freePid()), original.descriptor().toString());
        assertTrue(r.stderr().startsWith("selfrestore: run: this kernel cannot place a process at a chosen PID: clone3 "
                + "has no set_tid (Linux 5.5+) and /proc/sys/kernel/ns_last_pid cannot be opened: ENOSYS"), r::description);
    }

    @Test
    void aCommandThatCannotBeExecutedIsRefused() throws Exception {
        Cli.Captured original = it.captured();
        Path notExecutable = Files.writeString(it.dir().resolve("not-executable"), "#!/bin/sh\n");
        CommandResult r = it.cli().run("run", "--pid", Long.toString(freePid()), original.descriptor().toString(), "--",
                notExecutable.toString()).assertStatus(2);
        assertEquals("selfrestore: run: cannot execute " + notExecutable + ": " + notExecutable
                + ": EACCES (Permission denied); nothing was started\n", r.stderr());
        r = it.cli().run("run", original.descriptor().toString(), "--", "no-such-command-here").assertStatus(2);
        assertTrue(r.stderr().startsWith("selfrestore: run: cannot execute no-such-command-here: no executable file "
                + "of that name in PATH ("), r::description);
    }

    // ---- a race --------------------------------------------------------------------------------------

    /**
     * Two shells fork as fast as they can while run places a PID a little ahead of the kernel's
     * next one, by clone3 and by ns_last_pid: run either starts the command at exactly that PID or
     * refuses, and never starts it anywhere else.
     */
    @ParameterizedTest
    @ValueSource(strings = {"clone3", "ns_last_pid"})
    void aPidPlacedWhileOthersForkIsThatPidOrRefused(String way) throws Exception {
        Cli.Captured original = it.captured();
        Cli cli = way.equals("clone3") ? it.cli() : Cli.withTestFaults(it.processes(), "no-clone3");
        List<RunningProcess> forkers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            forkers.add(it.processes().start("forker", List.of("sh", "-c", "while :; do /bin/true; done")));
        }
        int placed = 0;
        for (int round = 0; round < 5; round++) {
            long want = freePid(40);
            Path out = it.dir().resolve("pid-" + round);
            CommandResult r = cli.run("run", "--pid", Long.toString(want), original.descriptor().toString(), "--",
                    "/bin/sh", "-c", "echo $$ > " + out);
            if (r.status() == 0) {
                placed++;
                assertEquals(want + "\n", Files.readString(out), r::description);
            } else {
                assertEquals(2, r.status(), r::description);
                assertTrue(r.stderr().contains("in use by") || r.stderr().contains("was taken while")
                        || r.stderr().contains("took pid " + want + " first"), r::description);
                assertFalse(Files.exists(out), r::description);
            }
        }
        forkers.forEach(RunningProcess::close);
        assertTrue(placed > 0, "not one of 5 placements succeeded");
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** A sysctl's number (in one read at offset 0: see {@link Sysctl}). */
    private static long sysctl(String name) throws IOException {
        return Sysctl.readLong(Path.of("/proc/sys/kernel", name), -1);
    }

    private static long lastPid() throws IOException {
        return sysctl("ns_last_pid");
    }

    /** A PID no task has, a little ahead of the kernel's next one. */
    private static long freePid() throws IOException {
        return freePid(300);
    }

    /**
     * A PID no task has, about {@code ahead} past the kernel's last one. Near pid_max it is past the
     * kernel's wrap, from 300 up, as the kernel's own next PIDs will be: a PID above pid_max - 1 is
     * one run refuses (the machine's PIDs reach there in a long test run when pid_max is 32768).
     */
    private static long freePid(int ahead) throws IOException {
        long max = sysctl("pid_max");
        long pid = lastPid() + ahead;
        while (pid >= max || Files.exists(Path.of("/proc/" + pid))) {
            pid = pid >= max ? 300 : pid + 1;
        }
        return pid;
    }

    /** Waits until run has become the native waiter (its comm is selfrestore's). */
    private static void awaitWaiter(RunningProcess run) throws Exception {
        Instant end = Instant.now().plus(PROCESS_TIMEOUT);
        while (!Files.readString(Path.of("/proc/" + run.pid() + "/comm")).equals("selfrestore\n")) {
            assertTrue(Instant.now().isBefore(end), "run did not become the waiter: " + run.describe());
            Thread.sleep(20);
        }
    }

    /** The one child of {@code pid}. */
    private static long onlyChild(long pid) throws IOException {
        String children = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).trim();
        assertFalse(children.isEmpty() || children.contains(" "), "children of " + pid + ": '" + children + "'");
        return Long.parseLong(children);
    }

    private static String innermostPid(long pid) throws IOException {
        String[] nspid = ProcIdentity.statusField(pid, "NSpid").trim().split("\\s+");
        return nspid[nspid.length - 1];
    }
}
