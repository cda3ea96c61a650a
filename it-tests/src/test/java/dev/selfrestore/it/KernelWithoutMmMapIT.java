package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A kernel without PR_SET_MM_MAP (built without CONFIG_CHECKPOINT_RESTORE), simulated by the
 * agent option {@code test-faults=no-mm-map}; every other call reaches this machine's kernel. The
 * single-field PR_SET_MM operations the agent falls back to need CAP_SYS_RESOURCE in the initial
 * user namespace, which no process here has (root's bounding set lacks it), and which a user
 * namespace of the process's own does not give: the real kernel refuses them with EPERM in both
 * cases. The agent then says so in its one line, restores comm and the environment inside the
 * process, leaves /proc's cmdline, environ, auxv and exe as they were, and main runs.
 */
class KernelWithoutMmMapIT {
    private static final int CAP_SYS_RESOURCE = 24;

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void withoutCapSysResourceOnlyCommAndTheEnvironmentInsideTheProcessAreRestored() throws Exception {
        List<String> command = JavaCommand.withTestingJar().restoredApp(it.captured().descriptor(), "test-faults=no-mm-map");
        RestoredApp app = RestoredApp.start(it.processes(), command);
        long pid = app.pid();
        assertFalse(hasCapability(ProcIdentity.statusField(pid, "CapEff"), CAP_SYS_RESOURCE),
                "test set-up: the JVM runs without CAP_SYS_RESOURCE");

        assertUnchangedButComm(pid, command);
        assertVerifySeesOnlyComm(pid);
        assertNamesBoth(app.stopAndAssertOneStderrLine("selfrestore: partly restored pid "));
    }

    @Test
    void aUserNamespaceOfItsOwnDoesNotGiveCapSysResourceForPrSetMm() throws Exception {
        List<String> command = new ArrayList<>(List.of("unshare", "-Ur"));
        // Inside the namespace the descriptor of real root belongs to the overflow uid.
        List<String> java = JavaCommand.withTestingJar().restoredApp(it.captured().descriptor(), "test-faults=no-mm-map,insecure-descriptor=true");
        command.addAll(java);
        RestoredApp app = RestoredApp.start(it.processes(), command);
        long pid = app.pid();
        assertAll("test set-up: the JVM has every capability in a user namespace of its own",
                () -> assertTrue(hasCapability(ProcIdentity.statusField(pid, "CapEff"), CAP_SYS_RESOURCE)),
                () -> assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")),
                        Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "user"))));

        assertUnchangedButComm(pid, java);
        assertNamesBoth(app.stopAndAssertOneStderrLine("selfrestore: partly restored pid "));
    }

    @Test
    void strictExitsBeforeMain() throws Exception {
        RunningProcess jvm = it.processes().start("strict", JavaCommand.withTestingJar().restoredApp(it.captured().descriptor(),
                "test-faults=no-mm-map,strict=true"), ItConfig.restorerEnvironment());
        int status = jvm.closeStdinAndAwaitExit(PROCESS_TIMEOUT);
        assertEquals(1, status, () -> "exit status with strict=true: " + jvm.describe());
        assertFalse(jvm.stdout().contains("EXE="), () -> "main ran: " + jvm.describe());
        assertTrue(jvm.stderr().contains("CAP_SYS_RESOURCE"), jvm::describe);
    }

    private void assertUnchangedButComm(long pid, List<String> command) throws Exception {
        ProcIdentity after = ProcIdentity.of(pid);
        assertAll("/proc/" + pid + " without PR_SET_MM_MAP and CAP_SYS_RESOURCE",
                () -> assertSameBytes("comm is the original's", it.captured().identity().comm(), after.comm()),
                () -> assertSameBytes("cmdline stays the JVM's own", Fixtures.cmdlineOf(command), after.cmdline()),
                () -> assertEquals(ItConfig.javaRealPath().toString(), after.exe(), "exe stays the launcher"),
                () -> assertFalse(java.util.Arrays.equals(it.captured().identity().environ(), after.environ()),
                        "/proc environ stays the JVM's own"),
                () -> assertFalse(java.util.Arrays.equals(it.captured().identity().auxv(), after.auxv()), "auxv stays the JVM's own"));
    }

    private void assertVerifySeesOnlyComm(long pid) throws Exception {
        JsonNode json = it.cli().run("verify", "--json", "--pid", Long.toString(pid), it.captured().descriptor().toString())
                .assertStatus(1).json();
        JsonNode items = json.get("items");
        assertAll(json.toPrettyString(),
                () -> assertTrue(items.get("comm").get("match").asBoolean()),
                () -> assertFalse(items.get("cmdline").get("match").asBoolean()),
                () -> assertFalse(items.get("environ").get("match").asBoolean()),
                () -> assertFalse(items.get("auxv").get("match").asBoolean()),
                () -> assertFalse(items.get("exe").get("match").asBoolean()));
    }

    private static void assertNamesBoth(String line) {
        assertAll(line,
                () -> assertTrue(line.contains("comm in "), "comm is listed as restored"),
                () -> assertTrue(line.contains("C library and Java only"), "the environment inside the process"),
                () -> assertTrue(line.contains("exe, cmdline, environ in /proc and auxv not changed")),
                () -> assertTrue(line.contains("no PR_SET_MM_MAP")),
                () -> assertTrue(line.contains("CAP_SYS_RESOURCE in the initial user namespace")),
                () -> assertTrue(line.contains("EPERM"), "the kernel's own answer"));
    }

    private static boolean hasCapability(String hexMask, int cap) {
        return (Long.parseUnsignedLong(hexMask, 16) & (1L << cap)) != 0;
    }
}
