package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The operator's command line, {@code java -jar selfrestore.jar COMMAND ...}, run to its end with
 * the JDK under test: the one launcher of the jar's commands, capture included.
 */
public final class Cli {

    private final Processes processes;
    private final Path jar;
    private final List<String> wrapper;
    private final String faults;

    /** The JDK under test and the built jar, run as the test's user. */
    public Cli(Processes processes) {
        this(processes, ItConfig.agentJar(), List.of());
    }

    private Cli(Processes processes, Path jar, List<String> wrapper) {
        this(processes, jar, wrapper, null);
    }

    private Cli(Processes processes, Path jar, List<String> wrapper, String faults) {
        this.processes = processes;
        this.jar = jar;
        this.wrapper = List.copyOf(wrapper);
        this.faults = faults;
    }

    /** The same command line, started through {@code wrapper} (such as setpriv) from a copy of the jar. */
    public Cli through(List<String> wrapper, Path readableJar) {
        return new Cli(processes, readableJar, wrapper);
    }

    public Path jar() {
        return jar;
    }

    /**
     * The command line of the testing jar ({@link ItConfig#testingJar()}), its native calls failing
     * as {@code faults} says: the spec of the agent option {@code test-faults=}, which the testing
     * jar's command line reads from the environment variable {@value #TEST_FAULTS_VARIABLE}.
     */
    public static Cli withTestFaults(Processes processes, String faults) {
        return new Cli(processes, ItConfig.testingJar(), List.of(), faults);
    }

    /** Where the testing jar's command line takes its fault spec from (the product jar reads nothing). */
    public static final String TEST_FAULTS_VARIABLE = "SELFRESTORE_TEST_FAULTS";

    /** Runs {@code selfrestore ARGS...} to its end (at most {@link ItConfig#PROCESS_TIMEOUT}). */
    public CommandResult run(String... args) throws IOException, InterruptedException {
        return finish(start(args));
    }

    /** Starts {@code selfrestore ARGS...} and returns at once; {@link #finish} waits for it. */
    public RunningProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(JavaCommand.java().jar(jar, args));
        String name = "selfrestore " + (args.length > 0 ? args[0] : "");
        if (faults == null) {
            return processes.start(name, command);
        }
        Map<String, String> environment = new java.util.HashMap<>(System.getenv());
        environment.put(TEST_FAULTS_VARIABLE, faults);
        return processes.start(name, command, environment);
    }

    /** Waits for a command {@link #start} started to end (at most {@link ItConfig#PROCESS_TIMEOUT}). */
    public CommandResult finish(RunningProcess p) throws InterruptedException {
        int status = p.closeStdinAndAwaitExit(ItConfig.PROCESS_TIMEOUT);
        return new CommandResult(status, p.stdout(), p.stderr(), p.describe());
    }

    /** Runs a command with an environment of exactly {@code environment}. */
    public CommandResult runWithEnvironment(Map<String, String> environment, List<String> command)
            throws IOException, InterruptedException {
        RunningProcess p = processes.start(command.get(0), command, environment);
        int status = p.closeStdinAndAwaitExit(ItConfig.PROCESS_TIMEOUT);
        return new CommandResult(status, p.stdout(), p.stderr(), p.describe());
    }

    /** {@code selfrestore capture --pid PID --out FILE [options]}, run to its end. */
    public CommandResult capture(long pid, Path out, String... options) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("capture", "--pid", Long.toString(pid), "--out", out.toString()));
        args.addAll(List.of(options));
        return run(args.toArray(String[]::new));
    }

    /** Captures {@code pid} into {@code out} and fails unless that worked. */
    public Path captureOk(long pid, Path out) throws IOException, InterruptedException {
        CommandResult result = capture(pid, out);
        assertEquals(0, result.status(), () -> "capture failed: " + result.description());
        assertTrue(Files.isRegularFile(out) && Files.size(out) > 0,
                () -> "capture exited 0 but wrote no descriptor to " + out + ": " + result.description());
        return out;
    }

    /** A sleep original, seen from outside while it runs and captured to {@code dir/name}, then stopped. */
    public Captured captureSleepOriginal(Path dir, String name) throws Exception {
        return captureSleepOriginal(dir, dir.resolve(name));
    }

    /** The same, the original started from {@code runIn} and captured to {@code file}. */
    public Captured captureSleepOriginal(Path runIn, Path file) throws Exception {
        SleepOriginal sleep = SleepOriginal.start(processes, runIn);
        ProcIdentity identity = ProcIdentity.of(sleep.pid());
        Path descriptor = captureOk(sleep.pid(), file);
        sleep.stop();
        return new Captured(sleep, identity, descriptor);
    }

    /** What {@link #captureSleepOriginal} leaves: the stopped original, its identity and its descriptor file. */
    public record Captured(SleepOriginal original, ProcIdentity identity, Path descriptor) {
    }

    /** The exact bytes of a {@code {"text": ..., "hex": ...}} value of the command line's JSON. */
    public static byte[] bytes(JsonNode value) {
        return HexFormat.of().parseHex(value.get("hex").asText());
    }
}
