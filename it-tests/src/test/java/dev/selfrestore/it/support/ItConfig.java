package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the build passes to the tests (see the failsafe configuration in it-tests/pom.xml). A missing
 * jar fails the test: these tests are never skipped.
 */
public final class ItConfig {

    /**
     * Bound for anything that should take a second: a JVM reaching main, a capture, pgrep. 60 s, or
     * {@code -Dselfrestore.it.processTimeoutSeconds} where everything is slower (an emulated machine).
     */
    public static final Duration PROCESS_TIMEOUT =
            Duration.ofSeconds(Long.getLong("selfrestore.it.processTimeoutSeconds", 60));

    private ItConfig() {
    }

    /** The shaded agent jar, {@code agent/target/selfrestore.jar}. */
    public static Path agentJar() {
        return builtJar("selfrestore.jar", "agent jar");
    }

    /**
     * The testing jar, {@code it-tests/target/selfrestore-testing.jar}: every entry of
     * {@link #agentJar()} plus the test seams behind the agent option {@code test-faults=}; the
     * build makes it (it-tests/pom.xml).
     */
    public static Path testingJar() {
        return builtJar("selfrestore.testingJar", "testing jar");
    }

    /** The jar a system property names, which the build must have made. */
    private static Path builtJar(String property, String what) {
        String value = System.getProperty(property);
        if (value == null) {
            fail("system property " + property + " is not set; run the tests with: mvn -B -pl it-tests -am verify");
        }
        Path jar = Path.of(value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            fail(what + " " + jar + " does not exist; build it with: mvn -B -pl it-tests -am verify");
        }
        return jar;
    }

    /** The launcher of the JDK under test (system property selfrestore.java), as given. */
    public static Path java() {
        Path java = Path.of(System.getProperty("selfrestore.java",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (!Files.isExecutable(java)) {
            fail("selfrestore.java=" + java + " is not an executable file");
        }
        return java;
    }

    /** The launcher of the JDK under test with every symbolic link resolved: what /proc/PID/exe shows. */
    public static Path javaRealPath() {
        try {
            return java().toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The feature release of the JDK under test, from its {@code release} file. */
    public static int javaFeature() {
        Path release = javaRealPath().getParent().getParent().resolve("release");
        try {
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    int dot = v.indexOf('.');
                    return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException(release + " has no JAVA_VERSION line");
    }

    /**
     * JVM options every test JVM that loads selfrestore gets: on JDK 24+ the recipe of docs/restore.md
     * {@code --sun-misc-unsafe-memory-access=allow}, without which the JVM itself warns, once, that
     * Chronicle Bytes (inside the agent) uses sun.misc.Unsafe. {@code JdkWarningsIT} pins exactly
     * what appears without it.
     */
    public static List<String> jvmOptions() {
        return javaFeature() >= 24 ? List.of("--sun-misc-unsafe-memory-access=allow") : List.of();
    }

    /** The test applications' own JNA jar (another version than the agent's). */
    public static Path appJna() {
        String property = System.getProperty("selfrestore.appJna");
        if (property == null || !Files.isRegularFile(Path.of(property))) {
            fail("system property selfrestore.appJna does not name the JNA jar: " + property);
        }
        return Path.of(property);
    }

    /** The test applications' own Byte Buddy jar (another version than the agent's). */
    public static Path appByteBuddy() {
        List<Path> jars = jars("selfrestore.appByteBuddy");
        if (jars.size() != 1) {
            fail("system property selfrestore.appByteBuddy names more than one jar: " + jars);
        }
        return jars.get(0);
    }

    /**
     * The test applications' own Chronicle Bytes (another version than the agent's): its jar first,
     * then those it needs, Chronicle Core and SLF4J with its no-operation provider.
     */
    public static List<Path> appChronicleBytes() {
        return jars("selfrestore.appChronicleBytes");
    }

    private static List<Path> jars(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isEmpty()) {
            fail("system property " + property + " is not set; run the tests with: mvn -B -pl it-tests -am verify");
        }
        List<Path> jars = new ArrayList<>();
        for (String item : value.split(java.io.File.pathSeparator)) {
            Path jar = Path.of(item);
            if (!item.endsWith(".jar") || !Files.isRegularFile(jar)) {
                fail("system property " + property + " names something that is not a jar: " + item);
            }
            jars.add(jar);
        }
        return List.copyOf(jars);
    }

    /** Compiled test classes: the applications in {@code dev.selfrestore.it.app}. */
    public static Path testClasses() {
        String property = System.getProperty("selfrestore.testClasses");
        if (property != null) {
            return Path.of(property);
        }
        try {
            return Path.of(ItConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The environment of every restoring JVM: deliberately unlike any original's, so a restore that
     * leaves /proc/PID/environ alone fails the comparison.
     */
    public static Map<String, String> restorerEnvironment() {
        return Map.of("PATH", "/usr/bin:/bin", "SRIT_ROLE", "restoring-jvm");
    }
}
