package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentityExceptExe;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The restoring JVM runs as an ordinary user. Setting exe needs CAP_CHECKPOINT_RESTORE (or
 * CAP_SYS_ADMIN) in the process's user namespace; everything else needs no capability.
 */
class UnprivilegedRestoreIT {

    private static final String NO_CAPABILITY = "0000000000000000";

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private ProcIdentity before;
    private Path descriptor;
    private JavaCommand.ReadableCopy readable;

    /** A root original, captured by root into a descriptor given to nobody, and the agent and classes copied for nobody. */
    @BeforeEach
    void captureOriginal() throws Exception {
        Fixtures.makeReadableByAll(it.dir());
        Cli.Captured original = it.capturedSleepOriginal("original.mmd");
        before = original.identity();
        descriptor = original.descriptor();
        Fixtures.makeReadableByAll(descriptor);
        // The user restores a descriptor of its own: inside `unshare -Ur` a file of real root shows as
        // owned by the overflow uid, which the agent rightly does not trust.
        java.nio.file.Files.setAttribute(descriptor, "unix:uid", 65534);
        readable = JavaCommand.readableByAll(it.dir().resolve("readable"));
    }

    @Test
    void withoutAnyCapabilityEverythingButExeIsRestored() throws Exception {
        List<String> command = new ArrayList<>(Fixtures.AS_NOBODY_WITHOUT_CAPABILITIES);
        command.addAll(readable.java().restoredApp(descriptor, "", "-XX:-UsePerfData"));
        RestoredApp restored = RestoredApp.start(it.processes(), command);
        long pid = restored.pid();
        assertAll("the restoring JVM runs as nobody without any capability (test set-up)",
                () -> assertEquals("65534\t65534\t65534\t65534", ProcIdentity.statusField(pid, "Uid")),
                () -> assertEquals(NO_CAPABILITY, ProcIdentity.statusField(pid, "CapEff")),
                () -> assertEquals(NO_CAPABILITY, ProcIdentity.statusField(pid, "CapPrm")),
                () -> assertEquals(NO_CAPABILITY, ProcIdentity.statusField(pid, "CapBnd")));

        ProcIdentity after = ProcIdentity.of(pid);
        assertSameIdentityExceptExe(before, after);
        String launcher = ItConfig.javaRealPath().toString();
        assertEquals(launcher, after.exe(), "readlink /proc/" + pid + "/exe: exe cannot change without the capability");
        assertEquals(launcher, restored.exeSeenByMain(), "readlink /proc/self/exe at the first line of main");

        String line = restored.stopAndAssertOneStderrLine("selfrestore: ");
        assertTrue(line.contains("CAP_CHECKPOINT_RESTORE"), () -> "the agent's line names the missing capability: " + line);
    }

    @Test
    void insideItsOwnUserNamespaceEverythingIsRestored() throws Exception {
        List<String> command = new ArrayList<>(Fixtures.AS_NOBODY);
        command.addAll(List.of("unshare", "-Ur"));
        command.addAll(readable.java().restoredApp(descriptor, "", "-XX:-UsePerfData"));
        RestoredApp restored = RestoredApp.start(it.processes(), command);
        long pid = restored.pid();
        assertAll("the restoring JVM is nobody, mapped to root in a user namespace of its own (test set-up)",
                () -> assertEquals("65534\t65534\t65534\t65534", ProcIdentity.statusField(pid, "Uid")),
                () -> assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")),
                        Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "user"))));

        restored.assertPresents(before);
        restored.stopAndAssertOneStderrLine("selfrestore: restored");
    }
}
