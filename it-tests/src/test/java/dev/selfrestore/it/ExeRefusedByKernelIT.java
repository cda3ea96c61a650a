package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentityExceptExe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The original executable is the captured file, executable, and still the kernel refuses it as exe
 * (EACCES): it lies on a noexec mount, or a process holds it open for writing. exe is not swapped,
 * everything else is restored, and the one line says which of the two it is.
 */
class ExeRefusedByKernelIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private Cli.Captured captured;

    /** The original runs from {@code dir/bin}, a directory of its own that a mount can cover. */
    @BeforeEach
    void captureOriginal() throws Exception {
        captured = it.cli().captureSleepOriginal(Files.createDirectory(it.dir().resolve("bin")),
                it.dir().resolve("original.mmd"));
    }

    private void assertEverythingButExe(RestoredApp app, String reason) throws Exception {
        ProcIdentity after = ProcIdentity.of(app.pid());
        assertSameIdentityExceptExe(captured.identity(), after);
        assertEquals(ItConfig.javaRealPath().toString(), after.exe(), "exe stays the JVM's launcher");
        CommandResult verify = it.cli().run("verify", "--pid", Long.toString(app.pid()), captured.descriptor().toString())
                .assertStatus(1);
        assertTrue(verify.stdout().lines().anyMatch(l -> l.equals("  exe      differs")), verify::description);
        String line = app.stopAndAssertOneStderrLine("selfrestore: partly restored pid " + captured.original().pid());
        assertTrue(line.contains("exe not changed: " + captured.original().exe() + " " + reason), () -> "'" + reason + "' in: " + line);
    }

    @Test
    void onANoexecMount() throws Exception {
        // In a mount namespace of its own, the JVM finds the same file at the same path, on a noexec tmpfs.
        Path saved = Files.copy(captured.original().exe(), it.dir().resolve("saved-exe"));
        Path bin = captured.original().exe().getParent();
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                "mount -t tmpfs -o noexec,mode=755 srit-noexec \"$1\" && cp \"$2\" \"$3\" && chmod 755 \"$3\""
                        + " && shift 3 && exec \"$@\"",
                "sh", bin.toString(), saved.toString(), captured.original().exe().toString()));
        command.addAll(JavaCommand.java().restoredApp(captured.descriptor(), ""));
        RestoredApp app = RestoredApp.start(it.processes(), command);
        assertTrue(Files.readString(Path.of("/proc", Long.toString(app.pid()), "mountinfo"))
                .contains(" " + bin + " "), "the tmpfs is mounted in the JVM's namespace");
        assertEverythingButExe(app, "is on a noexec mount (" + bin + ")");
    }

    @Test
    void openForWritingByAnotherProcess() throws Exception {
        // The shell opens the file for appending (O_WRONLY, nothing truncated) on fd 3; sleep inherits it.
        RunningProcess writer = it.processes().start("writer", List.of("/bin/sh", "-c",
                "exec 3>>\"$1\" && echo open && exec sleep 600", "sh", captured.original().exe().toString()));
        writer.awaitStdoutLine("open", ItConfig.PROCESS_TIMEOUT);
        // "open" comes before the exec: wait until the writer is sleep, the name the line gives.
        Fixtures.awaitExe(writer, Path.of("/usr/bin/sleep").toRealPath(), ItConfig.PROCESS_TIMEOUT);
        RestoredApp app = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(captured.descriptor(), ""));
        assertEverythingButExe(app, "is open for writing (pid " + writer.pid() + " (sleep) fd 3)");
    }
}
