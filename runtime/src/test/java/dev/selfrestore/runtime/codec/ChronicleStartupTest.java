package dev.selfrestore.runtime.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec's first use in a fresh JVM, as in an agent's premain: it must leave no thread, no
 * system property change, no shutdown hook and no output behind, and need no net.openhft:posix.
 *
 * <p>Runs {@link StartupProbe} in a child JVM (Chronicle skips part of its start-up when it sees
 * JUnit on a stack, so the test JVM itself would not show the real behaviour). The child's working
 * directory holds a {@code system.properties} file, and it is given the properties an application
 * might set for its own Chronicle and SLF4J, to show that they reach neither ours nor theirs.
 */
class ChronicleStartupTest {
    @TempDir
    Path cwd;

    private record Run(int exit, List<String> stdout, String stderr) {
    }

    private Run probe(String... args) throws IOException, InterruptedException {
        Files.writeString(cwd.resolve("system.properties"), "selfrestore.probe.merged=yes\n");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-Djava.util.logging.manager=" + StartupProbe.ProbeLogManager.class.getName(),
                "-Djavax.management.builder.initial=" + StartupProbe.ProbeMBeanServerBuilder.class.getName(),
                "-Dchronicle.postinit.runnable=com.example.app.ChronicleSetup",
                "-Dslf4j.provider=com.example.app.LoggingProvider",
                StartupProbe.class.getName()));
        if (Runtime.version().feature() >= 23) {
            // JDK 24+ itself warns on stderr when Chronicle first calls sun.misc.Unsafe (JEP 498);
            // only this command-line flag stops it, nothing a library can do. The project targets 17.
            cmd.add(1, "--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of(args));
        Path out = cwd.resolve("stdout.txt");
        Path err = cwd.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("probe JVM did not finish in 60 s");
        }
        return new Run(p.exitValue(), Files.readAllLines(out), Files.readString(err));
    }

    @Test
    void firstUseOfTheCodecLeavesNothingBehind() throws Exception {
        Run r = probe();
        assertEquals(0, r.exit(), () -> r.stdout() + r.stderr());
        assertEquals("", r.stderr(), "nothing on stderr (SLF4J, Chronicle)");
        assertEquals(List.of(
                "new threads: []",
                "changed properties: []",
                "new shutdown hooks: 0",
                "net.openhft:posix: absent"), r.stdout(), "and nothing else on stdout: no JUL, no JMX");
    }

    /**
     * What Chronicle does when used directly. This pins Chronicle's behaviour, not ours: when an
     * upgrade changes it, revisit ChronicleStartup.
     */
    @Test
    void chronicleUsedDirectlyHasTheSideEffectsChronicleStartupPrevents() throws Exception {
        Run r = probe("raw");
        assertEquals(0, r.exit(), () -> r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("SLF4J(W): No SLF4J providers were found."), r.stderr());
        assertTrue(r.stderr().contains("java.lang.ClassNotFoundException: com.example.app.ChronicleSetup"), r.stderr());
        assertTrue(r.stderr().contains("Failed to instantiate the specified SLF4JServiceProvider"), r.stderr());
        assertTrue(r.stdout().contains("new threads: [background~resource~releaser]"), r.stdout().toString());
        assertTrue(r.stdout().contains("changed properties: [selfrestore.probe.merged=yes]"), r.stdout().toString());
        assertTrue(r.stdout().contains("new shutdown hooks: 1"), r.stdout().toString());
    }
}
