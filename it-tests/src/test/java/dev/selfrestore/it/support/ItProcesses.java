package dev.selfrestore.it.support;

import dev.selfrestore.fixtures.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What every integration test sets up: its {@link Processes}, a temporary directory of its own, the
 * command line run with them, and a {@link SleepOriginal} when it asks for one. Register it with
 * <pre>{@code
 * @RegisterExtension
 * final ItProcesses it = new ItProcesses();
 * }</pre>
 * and use {@code it.processes()}, {@code it.dir()}, {@code it.cli()}, {@code it.sleepOriginal()}, or
 * {@code it.captured()} for a sleep original already captured to a descriptor and stopped; a
 * test or {@code @BeforeEach} method may instead take a {@link SleepOriginal}, {@link Processes} or
 * {@link Cli} parameter (a {@code SleepOriginal} parameter is started in {@code it.dir()} before the
 * method runs).
 *
 * <p>After each test, passed or failed (or failed in its own {@code @BeforeEach}), every process it
 * started, originals included, is destroyed and reaped first, then the directory is deleted with
 * everything in it.
 */
public final class ItProcesses implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private final Processes processes = new Processes();
    private Path dir;
    private Cli cli;
    private Cli.Captured captured;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("selfrestore-it-");
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        Path created = dir;
        dir = null;
        cli = null;
        captured = null;
        try {
            processes.destroyAll();
        } finally {
            if (created != null) {
                FileTrees.delete(created);
            }
        }
    }

    /** The processes of this test: each one is destroyed after it. */
    public Processes processes() {
        return processes;
    }

    /** This test's own directory, empty at its start (mode 0700, the test's user's). */
    public Path dir() {
        if (dir == null) {
            throw new IllegalStateException("the directory exists only while a test runs");
        }
        return dir;
    }

    /** The command line, run as the test's user with the JDK under test and the built jar. */
    public Cli cli() {
        dir(); // only while a test runs
        if (cli == null) {
            cli = new Cli(processes);
        }
        return cli;
    }

    /** A {@link SleepOriginal} started from {@link #dir()}. */
    public SleepOriginal sleepOriginal() throws IOException, InterruptedException {
        return SleepOriginal.start(processes, dir());
    }

    /** A {@link SleepOriginal} started from {@link #dir()} through {@code wrapper} (such as setpriv). */
    public SleepOriginal sleepOriginal(String... wrapper) throws IOException, InterruptedException {
        return SleepOriginal.start(processes, dir(), wrapper);
    }

    /** A {@link SleepOriginal} started from {@code in}, another directory than {@link #dir()}. */
    public SleepOriginal sleepOriginalIn(Path in) throws IOException, InterruptedException {
        return SleepOriginal.start(processes, in);
    }

    /** A sleep original, seen from outside while it ran, captured to {@code dir()/name} and stopped. */
    public Cli.Captured capturedSleepOriginal(String name) throws Exception {
        return cli().captureSleepOriginal(dir(), name);
    }

    /**
     * This test's sleep original, captured to {@code dir()/original.mmd} and stopped: started and
     * captured on the first call, the same one on every later call of the test.
     */
    public Cli.Captured captured() throws Exception {
        if (captured == null) {
            captured = capturedSleepOriginal("original.mmd");
        }
        return captured;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == SleepOriginal.class || type == Processes.class || type == Cli.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == Processes.class) {
            return processes;
        }
        if (type == Cli.class) {
            return cli();
        }
        try {
            return sleepOriginal();
        } catch (IOException e) {
            throw new ParameterResolutionException("cannot start the sleep original: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParameterResolutionException("interrupted while starting the sleep original", e);
        }
    }
}
