package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.app.OwnLibraries;
import dev.selfrestore.it.support.ClassLoadLog;
import dev.selfrestore.it.support.ClassLoadLog.Loaded;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.it.support.SleepOriginal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application that brings its own Byte Buddy, JNA and Chronicle Bytes (other versions than the
 * agent's, with SLF4J for its Chronicle) runs unchanged with the agent, and the agent never loads
 * the application's copies: the JVM's own class loading log, of a run without the agent and of a
 * run with it, shows which class came from which jar and which loader defined it. The application
 * ({@link OwnLibraries}) uses all three libraries in main and prints, for the classes it used, the
 * version, loader and code source it got, then its live threads. With the agent its stderr holds
 * the agent's one line only (no SLF4J warning, no Chronicle output), no thread of the agent is
 * left, and java.util.logging's LogManager and java.lang.SecurityManager are set up only when the
 * application's own JNA sets them up.
 * Checked for the default restore and for {@code main-args=restore}, with which the agent uses its
 * own Byte Buddy beside the application's.
 */
class IsolationIT {

    /** Packages of the libraries that the agent and the application both have. */
    private static final List<String> LIBRARIES = List.of("com.sun.jna.", "net.bytebuddy.", "net.openhft.", "org.slf4j.");

    private static final String MAIN_CLASS = OwnLibraries.class.getName();

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void defaultRestore() throws Exception {
        checkIsolation("", List.of("com.sun.jna."));
    }

    @Test
    void mainArgsRestoreWithTheAgentsOwnByteBuddy() throws Exception {
        checkIsolation("main-args=restore", List.of("com.sun.jna.", "net.bytebuddy."));
    }

    /**
     * Restores a native original into the application with {@code agentOptions} and compares that
     * run with one of the same application without the agent. {@code agentLibraries}: packages of
     * which the agent must have loaded its own copies (never Chronicle: premain reads descriptors
     * without it).
     */
    private void checkIsolation(String agentOptions, List<String> agentLibraries) throws Exception {
        Cli cli = it.cli();
        SleepOriginal original = it.sleepOriginal();
        Path descriptor = cli.captureOk(original.pid(), it.dir().resolve("original.mmd"));
        original.stop();

        Run without = run("without", null, agentOptions);
        Run with = run("with", descriptor, agentOptions);

        assertAll("the application with the agent, against the same without it",
                // The application's view: its own libraries, and the same output with the agent as without.
                () -> assertApplicationsOwnLibraries(without.stdout()),
                () -> assertEquals(without.threads(), with.threads(),
                        "live threads at the end of main, without vs with the agent"),
                () -> assertEquals(without.stdout(), with.stdout(), "what the application printed, without vs with the agent"),
                () -> assertEquals("", without.stderr(), "stderr of the application without the agent"),
                () -> {
                    List<String> stderr = with.stderr().lines().toList();
                    assertTrue(stderr.size() == 1 && stderr.get(0).startsWith("selfrestore: restored pid " + original.pid() + " ")
                                    && with.stderr().endsWith("\n"),
                            () -> "stderr with the agent must be the agent's one line and nothing else: " + with.description());
                },
                // The restore happened: /proc seen from outside while main waited.
                () -> assertSameBytes("/proc/PID/cmdline of the application", original.expectedCmdline(),
                        with.identity().cmdline()),
                () -> assertSameBytes("/proc/PID/comm of the application",
                        (original.name() + "\n").getBytes(StandardCharsets.US_ASCII), with.identity().comm()),
                // The JVM's account of every class.
                () -> assertAgentNeverLoadedTheApplicationsCopies(without.log(), with.log(), agentLibraries),
                () -> assertMadeByTheApplication(without.log(), "without the agent"),
                () -> assertMadeByTheApplication(with.log(), "with the agent"));
    }

    /** The application got its own versions of each library, from its own jars, through the class path. */
    private static void assertApplicationsOwnLibraries(List<String> stdout) throws IOException {
        Map<String, Path> jarOf = Map.of(
                "net.bytebuddy.", ItConfig.appByteBuddy(),
                "net.openhft.chronicle.bytes.", ItConfig.appChronicleBytes().get(0),
                "com.sun.jna.", ItConfig.appJna());
        List<String> classes = stdout.stream().filter(l -> l.startsWith("CLASS=")).toList();
        assertEquals(7, classes.size(), () -> "CLASS lines: " + stdout);
        for (String line : classes) {
            String[] f = line.substring("CLASS=".length()).split(" ", 4);
            Path jar = jarOf.entrySet().stream().filter(e -> f[0].startsWith(e.getKey())).map(Map.Entry::getValue)
                    .findFirst().orElseThrow(() -> new AssertionError("unexpected class: " + line));
            assertEquals(List.of(f[0], bundleVersion(jar), "app", jar.toUri().toURL().toString()), List.of(f),
                    "name, version, class loader and code source the application saw");
        }
        assertTrue(stdout.contains("BYTEBUDDY=hello from the application's Byte Buddy (" + MAIN_CLASS
                + "$MadeByByteBuddy, loader app)"), () -> "Byte Buddy's class was made and called: " + stdout);
        assertTrue(stdout.contains("CHRONICLE=42 1099511627776 written by the application's Chronicle Bytes"),
                () -> "Chronicle Bytes read back what it wrote: " + stdout);
        assertTrue(stdout.stream().anyMatch(l -> l.startsWith("JNA=getpid is this process's pid; JNA ")),
                () -> "JNA called getpid: " + stdout);
    }

    private static String bundleVersion(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
    }

    /**
     * No class of the application's jars was loaded for the agent, every copy of a shared library
     * that is not the application's came from the agent's jar through a loader of the agent's, and
     * every class of the agent came from its jar.
     */
    private static void assertAgentNeverLoadedTheApplicationsCopies(ClassLoadLog without, ClassLoadLog with,
            List<String> agentLibraries) {
        Path agentJar = ItConfig.agentJar();
        List<Path> appJars = applicationJars();
        Set<String> appLoadedWithout = namesFrom(without, appJars);
        for (String library : LIBRARIES) {
            assertTrue(appLoadedWithout.stream().anyMatch(n -> n.startsWith(library)),
                    () -> "without the agent the application loads classes of " + library + " from its jars; "
                            + "classes from them, by library: " + LIBRARIES.stream().collect(Collectors.toMap(l -> l,
                                    l -> appLoadedWithout.stream().filter(n -> n.startsWith(l)).count(), (x, y) -> x,
                                    LinkedHashMap::new)) + ", in " + without.describe());
        }
        int mainAt = with.firstLoaded(MAIN_CLASS)
                .orElseThrow(() -> new AssertionError(MAIN_CLASS + " not loaded: " + with.describe())).order();
        List<Loaded> fromAppJars = with.loaded().stream().filter(c -> appJars.stream().anyMatch(c::from)).toList();
        // Loaders that defined classes from the agent jar, but for the class path's own loader (which
        // defines only the agent's entry class and bootstrap package): the agent's.
        Set<String> agentLoaders = with.loaded().stream().filter(c -> c.from(agentJar))
                .map(Loaded::loader).filter(l -> !l.equals(ClassLoadLog.APP_LOADER)).collect(Collectors.toSet());

        assertAll("classes loaded with the agent",
                () -> assertEquals(List.of(), fromAppJars.stream().filter(c -> c.order() < mainAt).toList(),
                        "classes of the application's jars loaded before its main class, while only the agent ran"),
                () -> assertEquals(Set.of(), difference(namesFrom(with, appJars), appLoadedWithout),
                        "classes of the application's jars loaded with the agent but not without it"),
                () -> assertEquals(Set.of(), difference(definitionsFrom(with, appJars), definitionsFrom(without, appJars)),
                        "classes of the application's jars defined by a loader that did not define them without "
                                + "the agent (the class path's, or Byte Buddy's own for its dispatchers)"),
                () -> assertEquals(List.of(), fromAppJars.stream().filter(c -> agentLoaders.contains(c.loader())).toList(),
                        "classes of the application's jars defined by the agent's loader " + agentLoaders),
                () -> assertEquals(List.of(), with.loaded().stream()
                        .filter(c -> isLibrary(c.name()) && c.file().isPresent() && appJars.stream().noneMatch(c::from))
                        .filter(c -> !c.from(agentJar) || !agentLoaders.contains(c.loader())).toList(),
                        "classes of " + LIBRARIES + " from a file that is neither the application's jars nor "
                                + "the agent's jar through the agent's loader"),
                () -> assertEquals(List.of(), with.loaded().stream()
                        .filter(c -> (agentLoaders.contains(c.loader()) || isAgents(c.name())) && c.file().isPresent()
                                && !c.from(agentJar)).toList(),
                        "classes of the agent (its packages, or defined by its loaders) read from another file than "
                                + agentJar),
                () -> assertEquals(List.of(), with.loaded().stream()
                        .filter(c -> c.name().startsWith("net.openhft.") && c.from(agentJar)).toList(),
                        "classes of the agent's own Chronicle: a restore reads its descriptor without it"),
                () -> {
                    for (String library : agentLibraries) {
                        assertTrue(with.loaded().stream().anyMatch(c -> c.name().startsWith(library) && c.from(agentJar)
                                && agentLoaders.contains(c.loader())),
                                () -> "the agent's own copy of " + library + " was loaded from " + agentJar
                                        + " through the agent's loader " + agentLoaders);
                    }
                });
    }

    /**
     * Two parts of the JDK that JNA's initialiser sets up are set up only when the application's own
     * JNA does so, after main began, not by the agent before main: java.util.logging's LogManager
     * (JNA logs through it) and, where the JDK initialises it at all (JDK 17 does, 25 does not),
     * {@code java.lang.SecurityManager} (JNA loads its Java 8 way to find its caller, a subclass; the
     * agent's loader does not serve that class, see InstClassLoader).
     */
    private static void assertMadeByTheApplication(ClassLoadLog log, String run) {
        int mainInitialised = log.initialisedAt(MAIN_CLASS)
                .orElseThrow(() -> new AssertionError(run + ": " + MAIN_CLASS + " was never initialised: " + log.describe()));
        Loaded appJna = log.loaded().stream().filter(c -> c.name().equals("com.sun.jna.Native") && c.from(ItConfig.appJna()))
                .findFirst().orElseThrow(() -> new AssertionError(run + ": the application's com.sun.jna.Native was not "
                        + "loaded: " + log.describe()));
        int logManager = log.initialisedAt("java.util.logging.LogManager")
                .orElseThrow(() -> new AssertionError(run + ": java.util.logging.LogManager was never initialised, yet "
                        + "the application's JNA logs through java.util.logging: " + log.describe()));
        assertInitialisedAfterMain(log, run, "java.util.logging.LogManager", logManager, mainInitialised, appJna);
        log.initialisedAt("java.lang.SecurityManager").ifPresent(at ->
                assertInitialisedAfterMain(log, run, "java.lang.SecurityManager", at, mainInitialised, appJna));
    }

    private static void assertInitialisedAfterMain(ClassLoadLog log, String run, String jdkClass, int initialised,
            int mainInitialised, Loaded appJna) {
        assertTrue(initialised > mainInitialised && initialised > appJna.order(),
                () -> run + ": " + jdkClass + " initialised at log line " + initialised + ", before " + MAIN_CLASS
                        + " (line " + mainInitialised + ") or the application's JNA (line " + appJna.order() + ") in "
                        + log.describe());
    }

    private static boolean isLibrary(String name) {
        return LIBRARIES.stream().anyMatch(name::startsWith);
    }

    private static boolean isAgents(String name) {
        return name.startsWith("dev.selfrestore.") && !name.startsWith("dev.selfrestore.it.");
    }

    private static Set<String> namesFrom(ClassLoadLog log, List<Path> jars) {
        return log.loaded().stream().filter(c -> jars.stream().anyMatch(c::from)).map(Loaded::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** "name by loader" for each class read from one of {@code jars}. */
    private static Set<String> definitionsFrom(ClassLoadLog log, List<Path> jars) {
        return log.loaded().stream().filter(c -> jars.stream().anyMatch(c::from)).map(c -> c.name() + " by " + c.loader())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    private static List<Path> applicationJars() {
        return Stream.concat(Stream.of(ItConfig.appJna(), ItConfig.appByteBuddy()), ItConfig.appChronicleBytes().stream())
                .toList();
    }

    /** One run of the application, with the agent when {@code descriptor} is not null. */
    private Run run(String name, Path descriptor, String agentOptions) throws Exception {
        Path log = it.dir().resolve(name + "-classes.log");
        JavaCommand java = JavaCommand.java();
        // The application's own options, for its own libraries (as their documentation asks).
        java.options("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED"); // Chronicle Core
        if (ItConfig.javaFeature() >= 22) {
            java.options("--enable-native-access=ALL-UNNAMED"); // JNA
        }
        if (descriptor != null) {
            java.restoring(descriptor, agentOptions);
        }
        List<String> command = java.options(ClassLoadLog.jvmOption(log))
                .classPath(applicationJars().toArray(Path[]::new)).main(MAIN_CLASS);

        RunningProcess app = it.processes().start(name, command, ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        ProcIdentity identity = ProcIdentity.of(app.pid());
        List<String> stdout = app.stdoutLines();
        assertEquals(0, app.closeStdinAndAwaitExit(PROCESS_TIMEOUT), () -> "exit status of " + app.describe());
        return new Run(stdout, app.stderr(), identity, ClassLoadLog.read(log), app.describe());
    }

    private record Run(List<String> stdout, String stderr, ProcIdentity identity, ClassLoadLog log, String description) {

        List<String> threads() {
            List<String> threads = stdout.stream().filter(l -> l.startsWith("THREAD=")).toList();
            assertFalse(threads.isEmpty(), () -> "no THREAD lines: " + description);
            return threads;
        }
    }
}
