package dev.selfrestore.it.support;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Starts the processes of one test; {@link ItProcesses} destroys every one of them after it, passed
 * or failed.
 */
public final class Processes {

    private final Deque<RunningProcess> started = new ArrayDeque<>();

    /** Starts {@code command} with the test JVM's environment. */
    public RunningProcess start(String name, List<String> command) throws IOException {
        return start(name, new ProcessBuilder(command));
    }

    /** Starts {@code command} with exactly {@code environment}, nothing inherited. */
    public RunningProcess start(String name, List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(environment);
        return start(name, builder);
    }

    private synchronized RunningProcess start(String name, ProcessBuilder builder) throws IOException {
        RunningProcess process = RunningProcess.start(name, builder);
        started.push(process);
        return process;
    }

    /** Runs a short command to its end with stdin closed; fails if it outlives {@code timeout}. */
    public CommandResult run(Duration timeout, String... command) throws IOException, InterruptedException {
        RunningProcess process = start(command[0], List.of(command));
        int status = process.closeStdinAndAwaitExit(timeout);
        return new CommandResult(status, process.stdout(), process.stderr(), process.describe());
    }

    /** Destroys every process started so far, newest first, and waits for each to be gone. */
    void destroyAll() {
        List<Exception> failures = new ArrayList<>();
        RunningProcess process;
        while ((process = poll()) != null) {
            try {
                process.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException failure = new IllegalStateException("could not destroy every process of the test");
            failures.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private synchronized RunningProcess poll() {
        return started.poll();
    }
}
