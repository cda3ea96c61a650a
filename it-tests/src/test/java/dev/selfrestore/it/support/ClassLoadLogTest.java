package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.ClassLoadLog.Loaded;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The reader of the JVM's class loading log, on logs in the form the JVM writes them. */
class ClassLoadLogTest {

    private static final String APP_LOADER = "[loader data: 0x00007f64c80f2a10 for instance a "
            + "'jdk/internal/loader/ClassLoaders$AppClassLoader']";
    private static final String BOOT_LOADER = "[loader data: 0x00007f64c80db120 of 'bootstrap']";

    @TempDir
    Path dir;

    /**
     * Main (thread 9986) logs, then a thread whose id has one digit more (10005): unified logging pads
     * the decoration of every later line of main to {@code [9986 ]}. Those lines are main's all the same.
     */
    @Test
    void linesOfAThreadWithAShorterIdThanOneBeforeAreRead() throws IOException {
        ClassLoadLog log = ClassLoadLog.read(write(
                "[9986] dev.example.Main source: file:/app/classes/",
                "[9986]  klass: 0x00007f6448000800 super: 0x00007f6447000d68 loader: " + APP_LOADER,
                "[9986] 524 Initializing 'dev/example/Main'(no method) (0x00007f6448000800)",
                "[10005] java.util.concurrent.ForkJoinPool$ManagedBlocker source: jrt:/java.base",
                "[10005]  klass: 0x00007f6448068300 super: 0x00007f6447000d68 loader: " + BOOT_LOADER
                        + " bytes: 351 checksum: 77a1285d",
                "[9986 ] com.sun.jna.Native source: file:/app/lib/jna.jar",
                "[9986 ]  klass: 0x00007f6448100400 super: 0x00007f6447000d68 loader: " + APP_LOADER,
                "[9986 ] Start class verification for: com.sun.jna.Native",
                "[9986 ] 1497 Initializing 'java/util/logging/LogManager' (0x00007f6447282c20)"));

        assertEquals(List.of(
                new Loaded(1, "dev.example.Main", "file:/app/classes/", ClassLoadLog.APP_LOADER),
                new Loaded(4, "java.util.concurrent.ForkJoinPool$ManagedBlocker", "jrt:/java.base", "bootstrap"),
                new Loaded(6, "com.sun.jna.Native", "file:/app/lib/jna.jar", ClassLoadLog.APP_LOADER)), log.loaded());
        assertTrue(log.loaded().get(2).from(Path.of("/app/lib/jna.jar")), log.loaded().get(2)::toString);
        assertEquals(OptionalInt.of(3), log.initialisedAt("dev.example.Main"));
        assertEquals(OptionalInt.of(9), log.initialisedAt("java.util.logging.LogManager"));
    }

    /** Lines of two threads in between each other: each loader line goes with its own thread's class. */
    @Test
    void eachThreadsLoaderLineGoesWithItsOwnClass() throws IOException {
        ClassLoadLog log = ClassLoadLog.read(write(
                "[9986] dev.example.Main source: file:/app/classes/",
                "[10005] java.lang.Thread$State source: shared objects file",
                "[10005]  klass: 0x00007f6448000900 super: 0x00007f6447000d68 loader: " + BOOT_LOADER,
                "[9986 ]  klass: 0x00007f6448000800 super: 0x00007f6447000d68 loader: " + APP_LOADER));

        assertEquals(List.of(
                new Loaded(1, "dev.example.Main", "file:/app/classes/", ClassLoadLog.APP_LOADER),
                new Loaded(2, "java.lang.Thread$State", "shared objects file", "bootstrap")), log.loaded());
    }

    @Test
    void aLineWithoutAThreadIdFails() throws IOException {
        assertReadFails(file -> "line 2 of " + file + " (2 lines) does not start with a thread id",
                "[9986] dev.example.Main source: file:/app/classes/",
                "[0.052s][info][class,load] dev.example.Other source: file:/app/classes/");
    }

    /** A loader line in a form the reader does not know would otherwise drop the class without a word. */
    @Test
    void aClassWhoseLoaderLineIsNotReadFails() throws IOException {
        assertReadFails(file -> "line 1 of " + file + ": thread 9986 loaded dev.example.Main but no loader line",
                "[9986] dev.example.Main source: file:/app/classes/",
                "[9986]  klass: 0x00007f6448000800 super: 0x00007f6447000d68 defined by: app",
                "[9986] dev.example.Other source: file:/app/classes/");
    }

    /** Reading a log of {@code lines} fails, with a message that starts as {@code expected} says for the file. */
    private void assertReadFails(Function<Path, String> expected, String... lines) throws IOException {
        Path file = write(lines);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> ClassLoadLog.read(file));
        assertTrue(e.getMessage().startsWith(expected.apply(file)), e::getMessage);
    }

    /** The JVM may end while a daemon thread is between the two lines of a class: that class is left out. */
    @Test
    void aClassOfWhichOnlyTheFirstLineWasWrittenIsLeftOut() throws IOException {
        ClassLoadLog log = ClassLoadLog.read(write(
                "[9986] dev.example.Main source: file:/app/classes/",
                "[9986]  klass: 0x00007f6448000800 super: 0x00007f6447000d68 loader: " + APP_LOADER,
                "[10007] java.lang.Shutdown source: shared objects file"));

        assertEquals(List.of("dev.example.Main"), log.loaded().stream().map(Loaded::name).toList());
    }

    @Test
    void describeNamesTheFileItsSizeAndItsLastLine() throws IOException {
        Path file = write(
                "[9986] dev.example.Main source: file:/app/classes/",
                "[9986]  klass: 0x00007f6448000800 super: 0x00007f6447000d68 loader: " + APP_LOADER,
                "[9986] 524 Initializing 'dev/example/Main'(no method) (0x00007f6448000800)");

        assertEquals(file + " (3 lines, 1 classes loaded, 1 initialised; last line: "
                + "[9986] 524 Initializing 'dev/example/Main'(no method) (0x00007f6448000800))", ClassLoadLog.read(file).describe());
    }

    @Test
    void aLogWithNoClassFailsAndSaysWhatItHolds() throws IOException {
        Path file = write("[9986] Start class verification for: dev.example.Main");

        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> ClassLoadLog.read(file));
        assertTrue(e.getMessage().startsWith(file + " (1 lines, 0 classes loaded, 0 initialised; last line: "
                + "[9986] Start class verification for: dev.example.Main): no class loaded"), e::getMessage);
    }

    private Path write(String... lines) throws IOException {
        return Files.write(dir.resolve("classes.log"), List.of(lines));
    }
}
