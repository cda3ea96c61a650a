package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The set-up every integration test relies on: a directory of its own, and after the test every
 * process it started gone and the directory deleted, whatever the test left behind. JUnit calls
 * {@code afterEach} after a failed test as after a passed one: one test here runs a failing test
 * through JUnit's launcher, the others call the two callbacks as JUnit does.
 */
class ItProcessesTest {

    /** A test that starts a process and fails; run only by {@link #aFailedTestLeavesNoProcessNorDirectory}. */
    static class FailsAfterStartingAProcess {
        static volatile boolean launched;
        static volatile long pid;
        static volatile Path dir;

        @RegisterExtension
        final ItProcesses it = new ItProcesses();

        @Test
        void startsAProcessAndFails() throws Exception {
            Assumptions.assumeTrue(launched, "run by ItProcessesTest only");
            dir = it.dir();
            pid = it.processes().start("sleeper", List.of("/bin/sleep", "600")).pid();
            fail("fails on purpose");
        }
    }

    @Test
    void aFailedTestLeavesNoProcessNorDirectory() {
        FailsAfterStartingAProcess.launched = true;
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(FailsAfterStartingAProcess.class)).build(), listener);
        } finally {
            FailsAfterStartingAProcess.launched = false;
        }
        TestExecutionSummary summary = listener.getSummary();
        assertEquals(1, summary.getTestsFailedCount(), "the test failed (test set-up)");
        assertEquals("fails on purpose", summary.getFailures().get(0).getException().getMessage());
        long pid = FailsAfterStartingAProcess.pid;
        assertTrue(pid > 0, "the test started its process (test set-up)");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " is gone");
        Path dir = FailsAfterStartingAProcess.dir;
        assertTrue(Files.notExists(dir), () -> dir + " still exists");
    }

    @Test
    void eachTestGetsAnEmptyPrivateDirectoryOfItsOwn() throws Exception {
        ItProcesses first = new ItProcesses();
        ItProcesses second = new ItProcesses();
        first.beforeEach(null);
        second.beforeEach(null);
        try {
            assertNotEquals(first.dir(), second.dir());
            try (var entries = Files.list(first.dir())) {
                assertEquals(0, entries.count());
            }
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.dir())));
        } finally {
            first.afterEach(null);
            second.afterEach(null);
        }
    }

    @Test
    void afterTheTestEveryProcessIsGoneAndTheDirectoryIsDeleted() throws Exception {
        ItProcesses it = new ItProcesses();
        it.beforeEach(null);
        Path dir = it.dir();
        RunningProcess sleeper = it.processes().start("sleeper", List.of("/bin/sh", "-c", "sleep 600 & wait"));
        ProcessHandle handle = ProcessHandle.of(sleeper.pid()).orElseThrow();
        SleepOriginal original = it.sleepOriginal();
        ProcessHandle originalHandle = ProcessHandle.of(original.pid()).orElseThrow();
        Path locked = Files.createDirectories(dir.resolve("a/locked"));
        Files.writeString(locked.resolve("file"), "left behind");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Files.createSymbolicLink(dir.resolve("link"), Path.of("/usr/bin"));

        it.afterEach(null);

        assertFalse(handle.isAlive(), "the process the test started");
        assertFalse(originalHandle.isAlive(), "the original the test started");
        assertTrue(Files.notExists(dir), () -> dir + " still exists");
        assertTrue(Files.isDirectory(Path.of("/usr/bin")), "a link is deleted, not what it points to");
    }

    @Test
    void outsideATestThereIsNoDirectoryNorCommandLine() {
        ItProcesses it = new ItProcesses();
        assertThrows(IllegalStateException.class, it::dir);
        assertThrows(IllegalStateException.class, it::cli);
    }
}
