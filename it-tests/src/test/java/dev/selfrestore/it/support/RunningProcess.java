package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A child process whose stdout and stderr are drained on threads. Closing it destroys it (and anything
 * it started) forcibly; {@link ItProcesses} does that after every test.
 */
public final class RunningProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Process process;
    private final OutputDrain stdout;
    private final OutputDrain stderr;

    private RunningProcess(String name, List<String> command, Process process) {
        this.name = name;
        this.command = List.copyOf(command);
        this.process = process;
        this.stdout = new OutputDrain(name + "-stdout", process.getInputStream());
        this.stderr = new OutputDrain(name + "-stderr", process.getErrorStream());
    }

    static RunningProcess start(String name, ProcessBuilder builder) throws IOException {
        return new RunningProcess(name, builder.command(), builder.start());
    }

    public long pid() {
        return process.pid();
    }

    public List<String> command() {
        return command;
    }

    /** Waits for a line of stdout starting with {@code prefix}; fails with everything the process printed. */
    public String awaitStdoutLine(String prefix, Duration timeout) throws InterruptedException {
        return stdout.awaitLine(line -> line.startsWith(prefix), Instant.now().plus(timeout))
                .orElseGet(() -> fail("no line starting with '" + prefix + "' on stdout within " + timeout
                        + " from " + describe()));
    }

    /** Waits for the process to end and its output to be read; fails (after destroying it) on timeout. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            String state = describe();
            close();
            fail("did not exit within " + timeout + ": " + state);
        }
        stdout.awaitEnd(Duration.ofSeconds(10));
        stderr.awaitEnd(Duration.ofSeconds(10));
        return process.exitValue();
    }

    /** Closes stdin, which tells the test applications to end, and waits for the exit status. */
    public int closeStdinAndAwaitExit(Duration timeout) throws InterruptedException {
        closeStdin();
        return awaitExit(timeout);
    }

    public String stdout() {
        return stdout.text();
    }

    public String stderr() {
        return stderr.text();
    }

    public List<String> stdoutLines() {
        return stdout.completeLines();
    }

    public List<String> stderrLines() {
        return stderr.completeLines();
    }

    /** Name, pid, state, command and all output so far: for failure messages. */
    public String describe() {
        String state = process.isAlive() ? "running" : "exit status " + process.exitValue();
        return name + " (pid " + pid() + ", " + state + ")\n  command: "
                + command.stream().map(RunningProcess::quote).collect(Collectors.joining(" "))
                + "\n  stdout: " + indent(stdout()) + "\n  stderr: " + indent(stderr());
    }

    private static String quote(String arg) {
        return arg.isEmpty() || arg.matches(".*[\\s'\"].*") ? "'" + arg.replace("'", "'\\''") + "'" : arg;
    }

    private static String indent(String text) {
        return text.isEmpty() ? "(nothing)" : "\n    | " + text.stripTrailing().replace("\n", "\n    | ");
    }

    private void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed, or the process is gone
        }
    }

    /** Destroys the process and anything it started, forcibly, and waits for it to be gone. */
    @Override
    public void close() {
        closeStdin();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            stdout.awaitEnd(Duration.ofSeconds(2));
            stderr.awaitEnd(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // destroyed all the same; let the caller see the interrupt
        }
    }
}
