package dev.selfrestore.runtime.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.Placement;
import dev.selfrestore.nativeshim.ProcessCalls;
import dev.selfrestore.nativeshim.Spawned;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refusals and the helper's answers as lines, against a /proc laid out on demand and a helper
 * that answers as told: every step's failure the machine cannot be made to produce.
 */
class PidPlacerTest {
    @TempDir
    Path proc;

    private final List<Placement.Request> asked = new ArrayList<>();
    private Placement answer;

    private final ProcessCalls helper = answering(r -> {
        asked.add(r);
        return answer;
    });

    /** A helper whose {@code place} answers as {@code f} says; nothing else is called. */
    private static ProcessCalls answering(java.util.function.Function<Placement.Request, Placement> f) {
        return new ProcessCalls() {
            @Override
            public Spawned spawnAndWait(byte[] path, byte[][] argv, byte[][] envp) {
                throw new AssertionError("not used");
            }

            @Override
            public Placement place(Placement.Request request) {
                return f.apply(request);
            }

            @Override
            public int waitpid(long pid, boolean block) {
                throw new AssertionError("not used");
            }

            @Override
            public void kill(long pid, int signal) {
                throw new AssertionError("not used");
            }

            @Override
            public void becomeWaiter(long pid) {
                throw new AssertionError("not used");
            }

            @Override
            public String kernelRelease() {
                return "6.1.0";
            }

            @Override
            public String machine() {
                return "x86_64";
            }
        };
    }

    @BeforeEach
    void layOut() throws IOException {
        Files.createDirectories(proc.resolve("sys/kernel"));
        Files.writeString(proc.resolve("sys/kernel/pid_max"), "32768\n");
    }

    private void task(long pid, long tgid, String name, int uid) throws IOException {
        Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(proc.resolve(pid + "/status"), "Name:\t" + name + "\nTgid:\t" + tgid + "\nPid:\t" + pid
                + "\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid + "\n");
    }

    private PidPlacer.Placed place(long pid, boolean newNs) throws RunRefusal {
        return new PidPlacer(helper, proc).place(new Placement.Request(pid, newNs, false, "/usr/bin/java".getBytes(
                StandardCharsets.US_ASCII), new byte[][] {"java".getBytes(StandardCharsets.US_ASCII)}, new byte[0][]), "java");
    }

    private String refusal(long pid, boolean newNs) {
        return assertThrows(RunRefusal.class, () -> place(pid, newNs)).getMessage();
    }

    private static Placement failed(Placement.Step step, int errno, long value) {
        return new Placement(0, null, List.of(), new Placement.Failure(step, errno, value));
    }

    @Test
    void placedAtThePid() throws RunRefusal {
        answer = new Placement(4242, Placement.Method.CLONE3_SET_TID, List.of(), null);
        PidPlacer.Placed p = place(4242, false);
        assertEquals(new PidPlacer.Placed(4242, 4242, 4242, Placement.Method.CLONE3_SET_TID, 0), p);
        assertEquals(4242, asked.get(0).pid());
    }

    @Test
    void aTakenPidIsRefusedBeforeTheHelperIsAsked() throws IOException {
        task(4242, 4242, "sleep", 1000);
        assertEquals("pid 4242 is in use by pid 4242 (comm \"sleep\", uid 1000): stop it, or give another PID with "
                + "--pid; nothing was started", refusal(4242, false));
        assertTrue(asked.isEmpty());
    }

    @Test
    void aThreadsIdNamesItsProcess() throws IOException {
        task(4243, 4242, "C2 CompilerThre", 0);
        assertTrue(refusal(4243, false).startsWith("pid 4243 is in use by a thread of pid 4242 (comm \"C2 CompilerThre\", "
                + "uid 0)"));
    }

    @Test
    void inANewPidNamespaceTheHostsPidsDoNotMatter() throws Exception {
        task(7, 7, "kthreadd", 0);
        answer = new Placement(900, Placement.Method.NEW_PID_NAMESPACE, List.of(), null);
        Files.createDirectories(proc.resolve("900/task/900"));
        Files.writeString(proc.resolve("900/task/900/children"), "901 ");
        PidPlacer.Placed p = place(7, true);
        assertEquals(901, p.hostPid());
        assertEquals(900, p.childPid());
        assertTrue(p.underInit());
    }

    @Test
    void aPidTakenBetweenTheCheckAndTheCloneNamesItsHolder() throws Exception {
        // the helper's clone3 says EEXIST, and the process that took it is there by then
        ProcessCalls takenMeanwhile = answering(request -> {
            try {
                task(request.pid(), request.pid(), "bash", 0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return failed(Placement.Step.CLONE3, Errno.EEXIST, 0);
        });
        RunRefusal e = assertThrows(RunRefusal.class, () -> new PidPlacer(takenMeanwhile, proc).place(
                new Placement.Request(100, false, false, new byte[] {'j'}, new byte[][] {{'j'}}, new byte[0][]), "j"));
        assertEquals("pid 100 is in use by pid 100 (comm \"bash\", uid 0): stop it, or give another PID with --pid; "
                + "nothing was started", e.getMessage());
    }

    @Test
    void theRangeIsChecked() {
        assertEquals("pid 0 is no PID: a PID is 1 or more", refusal(0, false));
        assertEquals("pid 32768 is above this kernel's largest PID, 32767 (" + proc + "/sys/kernel/pid_max is 32768): "
                + "raise it (sysctl -w kernel.pid_max=32769), or give another PID with --pid; nothing was started",
                refusal(32768, false));
        assertTrue(refusal(5_000_000, true).contains("no Linux PID is above 4194303"));
    }

    @Test
    void theHelpersAnswersAreTheSameLines() throws IOException {
        answer = failed(Placement.Step.CLONE3, Errno.EEXIST, 0);
        assertEquals("pid 100 was taken while the command was being placed (clone3: EEXIST), by a process that has "
                + "ended since: try again; nothing was started", refusal(100, false));

        answer = failed(Placement.Step.CLONE3, Errno.EPERM, 0);
        assertTrue(refusal(100, false).contains("needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN over this pid namespace "
                + "(clone3: EPERM)"));
        answer = failed(Placement.Step.NS_LAST_PID, Errno.EACCES, 2);
        assertTrue(refusal(100, false).contains("(writing /proc/sys/kernel/ns_last_pid: EACCES)"));
        answer = failed(Placement.Step.NS_LAST_PID, 30 /* EROFS */, 0);
        assertTrue(refusal(100, false).startsWith("this kernel cannot place a process at a chosen PID: clone3 has no "
                + "set_tid (Linux 5.5+) and /proc/sys/kernel/ns_last_pid cannot be opened: EROFS"));
        answer = failed(Placement.Step.RACE, 0, 64);
        assertEquals("other processes took pid 100 first 64 times while ns_last_pid pointed at it (this kernel has no "
                + "clone3 set_tid): try again when fewer processes start; nothing was started", refusal(100, false));
        answer = failed(Placement.Step.EXEC, Errno.ENOENT, 0);
        assertEquals("cannot execute java: /usr/bin/java: ENOENT (No such file or directory); nothing was started",
                refusal(100, false));
        answer = failed(Placement.Step.NAMESPACE_CLONE3, Errno.EPERM, 7);
        assertTrue(refusal(7, true).contains("(clone3: EPERM)"));
        answer = failed(Placement.Step.HELPER, 0, 139);
        assertEquals("selfrestore's native helper ended (status 139) without saying where the command is; nothing was "
                + "started", refusal(100, false));
    }
}
