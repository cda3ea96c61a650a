package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a system that is not Linux the agent does nothing and says so in one line. Simulated with
 * {@code -Dos.name=...} on the command line, which since JDK 17 takes precedence over the
 * platform's value (the agent's line quotes the value it saw, which proves it). Nothing native
 * is loaded: the class-loading log of the JVM shows no JNA class, and its maps no JNA library.
 */
class NotLinuxIT {
    private static final String OS = "Windows 11";

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void oneLineNothingNativeAndMainRuns() throws Exception {
        Path classLog = it.dir().resolve("classes.log");
        List<String> command = JavaCommand.java().restoredApp(it.captured().descriptor(),
                "capture=" + it.dir().resolve("self.mmd"), "-Dos.name=" + OS, "-Xlog:class+load=info:file=" + classLog);
        RestoredApp app = RestoredApp.start(it.processes(), command);
        long pid = app.pid();
        ProcIdentity after = ProcIdentity.of(pid);
        String maps = Files.readString(Path.of("/proc", Long.toString(pid), "maps"));
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: selfrestore works on Linux only, this is "
                + OS + " (application continues)");

        List<String> loaded = Files.readAllLines(classLog);
        assertAll(line,
                () -> assertSameBytes("cmdline stays the JVM's own", Fixtures.cmdlineOf(command), after.cmdline()),
                () -> assertEquals(ItConfig.javaRealPath().toString(), after.exe()),
                () -> assertTrue(loaded.stream().anyMatch(l -> l.contains(" dev.selfrestore.agent.internal.AgentRunner ")),
                        "the agent ran (test set-up: the log records the classes it loads)"),
                () -> assertEquals(List.of(), loaded.stream().filter(l -> l.contains("com.sun.jna")).toList(),
                        "JNA classes loaded"),
                () -> assertFalse(maps.contains("jnidispatch"), "JNA's native library is mapped"),
                () -> assertFalse(Files.exists(it.dir().resolve("self.mmd")), "capture= wrote a descriptor"));
    }

    @Test
    void captureOnlySaysNotCaptured() throws Exception {
        List<String> command = JavaCommand.java().options("-Dos.name=" + OS).agent("capture=" + it.dir().resolve("c.mmd"))
                .main(dev.selfrestore.it.app.ShowIdentity.class.getName());
        RestoredApp app = RestoredApp.start(it.processes(), command);
        app.stopAndAssertOneStderrLine("selfrestore: not captured: selfrestore works on Linux only, this is " + OS);
        assertFalse(Files.exists(it.dir().resolve("c.mmd")));
    }

    @Test
    void strictExitsBeforeMain() throws Exception {
        RunningProcess jvm = it.processes().start("strict", JavaCommand.java().restoredApp(it.captured().descriptor(),
                "strict=true", "-Dos.name=" + OS), ItConfig.restorerEnvironment());
        int status = jvm.closeStdinAndAwaitExit(PROCESS_TIMEOUT);
        assertEquals(1, status, () -> "exit status with strict=true: " + jvm.describe());
        assertFalse(jvm.stdout().contains("EXE="), () -> "main ran: " + jvm.describe());
        assertEquals(List.of("selfrestore: not restored: selfrestore works on Linux only, this is " + OS,
                "selfrestore: strict=true: exiting before main"), jvm.stderrLines(), jvm::describe);
    }
}
