package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.app.ShowIdentity;
import java.io.IOException;
import java.util.List;

/**
 * A running {@link ShowIdentity}, started (usually with the agent) and waited for until main has printed
 * what it saw as its executable and its pid.
 */
public final class RestoredApp {

    private final RunningProcess process;
    private final long pid;
    private final String exeSeenByMain;

    private RestoredApp(RunningProcess process, long pid, String exeSeenByMain) {
        this.process = process;
        this.pid = pid;
        this.exeSeenByMain = exeSeenByMain;
    }

    /** Starts {@code command} with {@link ItConfig#restorerEnvironment()} and waits for main's READY. */
    public static RestoredApp start(Processes processes, List<String> command) throws IOException, InterruptedException {
        RunningProcess process = processes.start("restored", command, ItConfig.restorerEnvironment());
        String exe = process.awaitStdoutLine("EXE=", ItConfig.PROCESS_TIMEOUT).substring("EXE=".length());
        // The app reports its own pid: a wrapper such as unshare might not exec it as the same process.
        long pid = Long.parseLong(process.awaitStdoutLine("PID=", ItConfig.PROCESS_TIMEOUT).substring("PID=".length()));
        process.awaitStdoutLine("READY", ItConfig.PROCESS_TIMEOUT);
        return new RestoredApp(process, pid, exe);
    }

    /** The pid of the JVM that ran main. */
    public long pid() {
        return pid;
    }

    /** readlink /proc/self/exe as the first statement of main saw it. */
    public String exeSeenByMain() {
        return exeSeenByMain;
    }

    public RunningProcess process() {
        return process;
    }

    /**
     * Asserts that this app presents {@code original}'s identity in /proc (exe, cmdline, environ,
     * auxv, comm) and that main itself saw the original's exe; returns this app.
     */
    public RestoredApp assertPresents(ProcIdentity original) throws IOException {
        ProcAssertions.assertSameIdentity(original, ProcIdentity.of(pid));
        assertEquals(original.exe(), exeSeenByMain, "readlink /proc/self/exe at the first line of main");
        return this;
    }

    /**
     * Ends the app through its stdin, asserts that it exited with status 0 and that its whole stderr is
     * one line starting with {@code prefix}; returns that line.
     */
    public String stopAndAssertOneStderrLine(String prefix) throws InterruptedException {
        stopAndAssertExitedNormally();
        List<String> lines = process.stderrLines();
        assertTrue(lines.size() == 1 && lines.get(0).startsWith(prefix) && process.stderr().endsWith("\n"),
                () -> "expected exactly one line on stderr, starting with '" + prefix + "': " + process.describe());
        return lines.get(0);
    }

    /** Ends the app through its stdin and asserts that it exited with status 0. */
    public void stopAndAssertExitedNormally() throws InterruptedException {
        int status = process.closeStdinAndAwaitExit(ItConfig.PROCESS_TIMEOUT);
        assertEquals(0, status, () -> "exit status of " + process.describe());
    }
}
