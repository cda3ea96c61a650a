package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.app.IdentityViews;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.it.support.ViewsReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where no PR_SET_MM call can change /proc: under gVisor (runsc, a real sandbox: its user-space
 * kernel implements no PR_SET_MM), and on a kernel that asks a capability for PR_SET_MM_MAP itself,
 * not only for exe_fd (simulated: {@code setMmMap} answers EPERM with and without exe_fd). The agent
 * says where it is and why in its one line, restores what needs no prctl (the C library's and
 * Java's environment, comm where the kernel lets it) and main runs; {@code doctor} names gVisor.
 */
class NoPrctlIT {
    private static final Path RUNSC = Path.of("/usr/bin/runsc");
    /** ptrace: no KVM needed; no network and no cgroups, which these tests do not use. */
    private static final List<String> RUNSC_DO = List.of(RUNSC.toString(), "--platform=ptrace", "--network=none",
            "--ignore-cgroups", "do");

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void underGvisorTheEnvironmentInsideIsRestoredAndTheLineNamesGvisor() throws Exception {
        List<String> command = underGvisor(views(JavaCommand.java()).app(it.captured().descriptor(), "",
                IdentityViews.class.getName()));
        RunningProcess app = it.processes().start("gvisor", command, ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        ViewsReport report = new ViewsReport(app.stdoutLines());
        assertEquals(0, app.closeStdinAndAwaitExit(PROCESS_TIMEOUT), app::describe);

        assertSameBytes("what a child inherits: the C library's environ", it.captured().identity().environ(),
                report.one("CHILD_INHERITED"));
        assertEquals(names(ViewsReport.entries(it.captured().identity().environ())), names(report.all("JAVA_ENV")),
                "the names System.getenv() shows");
        String line = oneLine(app, "selfrestore: partly restored pid ");
        assertAll(line,
                () -> assertTrue(line.contains("environ (") && line.contains("C library and Java only"), "environment"),
                () -> assertTrue(line.contains("exe, cmdline, environ in /proc and auxv not changed: this JVM runs "
                        + "under gVisor (runsc), whose kernel implements no PR_SET_MM_MAP"), "where, and why"),
                () -> assertTrue(line.contains("/proc/version: Linux version "), "the evidence"));
    }

    @Test
    void doctorUnderGvisorNamesGvisorAndPrSetMmMap() throws Exception {
        List<String> command = underGvisor(List.of(ItConfig.java().toString(), "-jar", ItConfig.agentJar().toString(),
                "doctor"));
        RunningProcess doctor = it.processes().start("doctor", command, ItConfig.restorerEnvironment());
        assertEquals(1, doctor.closeStdinAndAwaitExit(PROCESS_TIMEOUT), doctor::describe);
        String out = doctor.stdout();
        assertAll(out,
                () -> assertTrue(out.contains("INFO  where ") && out.contains("gVisor (runsc) (/proc/version: Linux")),
                () -> assertTrue(out.contains("FAIL  kernel ") && out.contains("gVisor (runsc) implements no "
                        + "PR_SET_MM_MAP and no single-field PR_SET_MM operations")),
                () -> assertFalse(out.contains("/proc/sys mounted"), "not blamed on a missing /proc"));
    }

    @Test
    void aKernelThatRefusesPrSetMmMapItselfRestoresTheRestInsideTheProcess() throws Exception {
        List<String> command = views(JavaCommand.withTestingJar()).app(it.captured().descriptor(),
                "test-faults=setMmMap:1:EPERM+setMmMap:2:EPERM", IdentityViews.class.getName());
        RunningProcess app = it.processes().start("gated", command, ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        ViewsReport report = new ViewsReport(app.stdoutLines());
        ProcIdentity after = ProcIdentity.of(app.pid());
        assertEquals(0, app.closeStdinAndAwaitExit(PROCESS_TIMEOUT), app::describe);

        assertAll("/proc/" + app.pid() + " when PR_SET_MM_MAP itself is refused",
                () -> assertSameBytes("comm is the original's", it.captured().identity().comm(), after.comm()),
                () -> assertSameBytes("cmdline stays the JVM's own", Fixtures.cmdlineOf(command), after.cmdline()),
                () -> assertEquals(ItConfig.javaRealPath().toString(), after.exe(), "exe stays the launcher"),
                () -> assertFalse(java.util.Arrays.equals(it.captured().identity().environ(), after.environ()),
                        "/proc environ stays the JVM's own"),
                () -> assertSameBytes("what a child inherits: the C library's environ", it.captured().identity().environ(),
                        report.one("CHILD_INHERITED")));
        String line = oneLine(app, "selfrestore: partly restored pid ");
        assertAll(line,
                () -> assertTrue(line.contains("comm in "), "comm restored"),
                () -> assertTrue(line.contains("exe, cmdline, environ in /proc and auxv not changed: the kernel refuses "
                        + "PR_SET_MM_MAP itself with EPERM, even without exe_fd"), "why"),
                () -> assertTrue(line.contains("CAP_CHECKPOINT_RESTORE"), "the capability"),
                () -> assertTrue(line.contains("[fault injected: call 2 of setMmMap]"), "the kernel's answer"));
    }

    @Test
    void strictStopsBeforeMainWhenPrSetMmMapItselfIsRefused() throws Exception {
        RunningProcess jvm = it.processes().start("gated-strict", JavaCommand.withTestingJar().restoredApp(
                it.captured().descriptor(), "test-faults=setMmMap:1:EPERM+setMmMap:2:EPERM,strict=true"),
                ItConfig.restorerEnvironment());
        assertEquals(1, jvm.closeStdinAndAwaitExit(PROCESS_TIMEOUT), jvm::describe);
        assertFalse(jvm.stdout().contains("EXE="), () -> "main ran: " + jvm.describe());
        assertTrue(jvm.stderr().contains("refuses PR_SET_MM_MAP itself with EPERM"), jvm::describe);
    }

    /** The application's own option for its own JNA (as JNA asks on JDK 22+), so its stderr is the agent's alone. */
    private static JavaCommand views(JavaCommand java) {
        return ItConfig.javaFeature() >= 22 ? java.options("--enable-native-access=ALL-UNNAMED") : java;
    }

    private static List<String> underGvisor(List<String> command) {
        assertTrue(Files.isExecutable(RUNSC), "runsc is not installed (Debian package runsc): .ci/run installs it");
        List<String> all = new ArrayList<>(RUNSC_DO);
        all.addAll(command);
        return all;
    }

    private static String oneLine(RunningProcess p, String prefix) {
        List<String> lines = p.stderrLines();
        assertTrue(lines.size() == 1 && lines.get(0).startsWith(prefix),
                () -> "expected one line on stderr starting with '" + prefix + "': " + p.describe());
        return lines.get(0);
    }

    private static List<String> names(List<?> entries) {
        List<String> names = new ArrayList<>();
        for (Object e : entries) {
            String s = e instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.ISO_8859_1)
                    : new String(java.util.HexFormat.of().parseHex((String) e), java.nio.charset.StandardCharsets.ISO_8859_1);
            names.add(s.substring(0, Math.max(0, s.indexOf('='))));
        }
        names.sort(null);
        return names;
    }
}
