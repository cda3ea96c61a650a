package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The operator's command line, {@code java -jar selfrestore.jar COMMAND ...}, run to its end with
 * the JDK under test; its JSON parsed by a strict, independent parser.
 */
public final class Cli {

    /** A finished command: exit status, stdout and stderr apart, and everything for failure messages. */
    public record Result(int status, String stdout, String stderr, String description) {

        /** stdout parsed as one JSON document; fails the test if it is not strictly valid JSON. */
        public JsonNode json() {
            try {
                return MAPPER.readTree(stdout);
            } catch (JsonProcessingException e) {
                return fail("stdout is not valid JSON (" + e.getOriginalMessage() + "): " + description);
            }
        }

        /** Asserts the exit status, showing everything the command printed when it differs. */
        public Result assertStatus(int expected) {
            assertEquals(expected, status, () -> "exit status of " + description);
            return this;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Processes processes;
    private final Path jar;
    private final List<String> wrapper;

    /** The JDK under test and the built jar, run as the test's user. */
    public Cli(Processes processes) {
        this(processes, ItConfig.agentJar(), List.of());
    }

    private Cli(Processes processes, Path jar, List<String> wrapper) {
        this.processes = processes;
        this.jar = jar;
        this.wrapper = List.copyOf(wrapper);
    }

    /** The same command line, started through {@code wrapper} (such as setpriv) from a copy of the jar. */
    public Cli through(List<String> wrapper, Path readableJar) {
        return new Cli(processes, readableJar, wrapper);
    }

    public Path jar() {
        return jar;
    }

    /** Runs {@code selfrestore ARGS...} to its end (at most {@link ItConfig#PROCESS_TIMEOUT}). */
    public Result run(String... args) throws IOException, InterruptedException {
        return finish(start(args));
    }

    /** Starts {@code selfrestore ARGS...} and returns at once; {@link #finish} waits for it. */
    public RunningProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(JavaCommand.java().jar(jar, args));
        return processes.start("selfrestore " + (args.length > 0 ? args[0] : ""), command);
    }

    /** Waits for a command {@link #start} started to end (at most {@link ItConfig#PROCESS_TIMEOUT}). */
    public Result finish(RunningProcess p) throws InterruptedException {
        int status = p.closeStdinAndAwaitExit(ItConfig.PROCESS_TIMEOUT);
        return new Result(status, p.stdout(), p.stderr(), p.describe());
    }

    /** Runs a command with an environment of exactly {@code environment}. */
    public Result runWithEnvironment(Map<String, String> environment, List<String> command)
            throws IOException, InterruptedException {
        RunningProcess p = processes.start(command.get(0), command, environment);
        int status = p.closeStdinAndAwaitExit(ItConfig.PROCESS_TIMEOUT);
        return new Result(status, p.stdout(), p.stderr(), p.describe());
    }

    /** The exact bytes of a {@code {"text": ..., "hex": ...}} value of the command line's JSON. */
    public static byte[] bytes(JsonNode value) {
        return HexFormat.of().parseHex(value.get("hex").asText());
    }
}
