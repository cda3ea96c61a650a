package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentityExceptExe;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A restore that fails part-way, at each step in turn (a native call made to fail through the
 * agent option {@code test-faults=CALL:N:ERRNO}; every other call reaches the kernel): the
 * process is left in the state the table of docs/restore.md documents, the agent's one line and
 * {@code selfrestore verify --pid} say what is and is not restored, and main runs.
 */
class PartialFailureIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private RestoredApp start(String faults) throws Exception {
        return RestoredApp.start(it.processes(), JavaCommand.withTestingJar().restoredApp(it.captured().descriptor(), "test-faults=" + faults));
    }

    /** {@code selfrestore verify --json --pid PID}: which items match, and the exit status that goes with it. */
    private void assertVerify(long pid, Map<String, Boolean> expected) throws Exception {
        boolean all = expected.values().stream().allMatch(b -> b);
        JsonNode json = it.cli().run("verify", "--json", "--pid", Long.toString(pid), it.captured().descriptor().toString())
                .assertStatus(all ? 0 : 1).json();
        assertAll(json.toPrettyString(), expected.entrySet().stream().map(e -> () -> assertEquals(e.getValue(),
                json.get("items").get(e.getKey()).get("match").asBoolean(), e.getKey())));
    }

    private static void assertJvmsOwn(long pid, List<String> command) throws Exception {
        ProcIdentity after = ProcIdentity.of(pid);
        assertAll("/proc/" + pid + " shows the JVM's own identity",
                () -> assertSameBytes("cmdline", Fixtures.cmdlineOf(command), after.cmdline()),
                () -> assertSameBytes("comm", "java\n".getBytes(), after.comm()),
                () -> assertEquals(ItConfig.javaRealPath().toString(), after.exe()));
    }

    /** How many of the process's mappings are of the JVM's launcher file. */
    private static long launcherMappings(long pid) throws Exception {
        String launcher = ItConfig.javaRealPath().toString();
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps")).stream()
                .filter(l -> l.endsWith(" " + launcher)).count();
    }

    @Test
    void argumentAreaCannotBeMappedNothingChanges() throws Exception {
        RestoredApp app = start("mmap:1:ENOMEM");
        assertJvmsOwn(app.pid(), app.process().command());
        assertTrue(launcherMappings(app.pid()) > 0, "the launcher stays mapped from its file");
        assertVerify(app.pid(), Map.of("exe", false, "cmdline", false, "environ", false, "auxv", false, "comm", false));
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: " + it.captured().descriptor() + ": nothing applied: mmap");
        assertTrue(line.endsWith("(application continues)"), line);
    }

    @Test
    void launcherSwapFailsPartWayEverythingButExeIsRestored() throws Exception {
        RestoredApp app = start("mremap:2:ENOMEM");
        assertSameIdentityExceptExe(it.captured().identity(), ProcIdentity.of(app.pid()));
        assertEquals(ItConfig.javaRealPath().toString(), ProcIdentity.of(app.pid()).exe());
        assertTrue(launcherMappings(app.pid()) > 0, "the launcher's later mappings stay mapped from its file");
        assertVerify(app.pid(), Map.of("exe", false, "cmdline", true, "environ", true, "auxv", true, "comm", true));
        String line = app.stopAndAssertOneStderrLine("selfrestore: partly restored pid ");
        assertTrue(line.contains("exe not changed: replacing the running executable's mappings by anonymous copies "
                + "failed at 2 of ") && line.contains("ENOMEM") && line.contains("the 1 replaced before stay anonymous "
                + "copies with the same bytes"), line);
    }

    @Test
    void prSetMmMapFailsAfterTheSwapNothingVisibleChanges() throws Exception {
        RestoredApp app = start("setMmMap:1:EINVAL");
        assertJvmsOwn(app.pid(), app.process().command());
        assertEquals(0, launcherMappings(app.pid()), "every launcher mapping was replaced by an anonymous copy");
        assertVerify(app.pid(), Map.of("exe", false, "cmdline", false, "environ", false, "auxv", false, "comm", false));
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: " + it.captured().descriptor() + ": nothing applied: "
                + "prctl(PR_SET_MM, PR_SET_MM_MAP)");
        assertTrue(line.contains("EINVAL") && line.contains("the launcher's mappings are now anonymous copies"), line);
    }

    @Test
    void cLibraryEnvironmentFailsProcShowsEverything() throws Exception {
        RestoredApp app = start("writeWord:1:EFAULT");
        assertSameIdentity(it.captured().identity(), ProcIdentity.of(app.pid()));
        assertVerify(app.pid(), Map.of("exe", true, "cmdline", true, "environ", true, "auxv", true, "comm", true));
        String line = app.stopAndAssertOneStderrLine("selfrestore: partly restored pid ");
        assertTrue(line.contains("; the C library's environment not changed: ") && line.contains("EFAULT"), line);
    }

    @Test
    void commFailsEverythingElseIsRestored() throws Exception {
        RestoredApp app = start("writeFile:1:EACCES");
        ProcIdentity after = ProcIdentity.of(app.pid());
        assertAll(() -> assertEquals(it.captured().identity().exe(), after.exe()),
                () -> assertSameBytes("cmdline", it.captured().identity().cmdline(), after.cmdline()),
                () -> assertSameBytes("environ", it.captured().identity().environ(), after.environ()),
                () -> assertSameBytes("auxv", it.captured().identity().auxv(), after.auxv()),
                () -> assertSameBytes("comm stays the JVM's", "java\n".getBytes(), after.comm()));
        assertVerify(app.pid(), Map.of("exe", true, "cmdline", true, "environ", true, "auxv", true, "comm", false));
        String line = app.stopAndAssertOneStderrLine("selfrestore: partly restored pid ");
        assertTrue(line.contains("; comm not set: ") && line.contains("EACCES") && !line.contains(", comm in "), line);
    }
}
