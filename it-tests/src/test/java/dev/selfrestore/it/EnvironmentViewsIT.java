package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.app.IdentityViews;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.it.support.ViewsReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The application sees the environment tools outside see: /proc/self/environ, the C library's
 * getenv(3), System.getenv(), and what child processes inherit, whether started as they are or with
 * an environment changed through ProcessBuilder. The original's environment holds bytes that are not
 * UTF-8 and values with '='.
 */
class EnvironmentViewsIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private byte[] environ;
    private RunningProcess app;

    /** Captures a native original with raw environment bytes, restores it with the agent options. */
    private ViewsReport restore(String agentOptions) throws Exception {
        Cli.Captured original = it.capturedSleepOriginal("original.mmd");
        environ = original.identity().environ();
        Path descriptor = original.descriptor();

        app = it.processes().start("views", JavaCommand.java().app(descriptor, agentOptions, IdentityViews.class.getName()),
                ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        return new ViewsReport(app.stdoutLines());
    }

    @Test
    void allViewsShowTheOriginalsEnvironment() throws Exception {
        ViewsReport report = restore("");
        List<String> expected = ViewsReport.entries(environ);

        assertSameBytes("/proc/" + app.pid() + "/environ", environ, ProcIdentity.of(app.pid()).environ());
        assertSameBytes("what a child started with no change inherits (the C library's environ)", environ,
                report.one("CHILD_INHERITED"));
        List<String> withExtra = new ArrayList<>(expected);
        withExtra.add(HexFormat.of().formatHex("SRIT_EXTRA=1".getBytes()));
        assertEquals(new TreeSet<>(withExtra), new TreeSet<>(ViewsReport.entries(report.one("CHILD_MODIFIED"))),
                "what a child gets from ProcessBuilder.environment() plus one variable (Java's copy, raw bytes)");
        assertEquals(nativeExpectations(expected), new TreeSet<>(report.text("NATIVE_ENV")),
                "getenv(3) for every name of the original's environment");
        assertEquals(namesOf(expected), namesOf(report.all("JAVA_ENV").stream().map(HexFormat.of()::formatHex).toList()),
                "the names System.getenv() shows");
        for (String entry : expected) {
            if (isAscii(entry)) {
                assertTrue(report.all("JAVA_ENV").stream().map(HexFormat.of()::formatHex).anyMatch(entry::equals),
                        () -> "System.getenv() shows " + new String(HexFormat.of().parseHex(entry)));
            }
        }
        app.closeStdinAndAwaitExit(PROCESS_TIMEOUT);
    }

    @Test
    void envProcChangesOnlyProc() throws Exception {
        ViewsReport report = restore("env=proc");
        assertSameBytes("/proc/" + app.pid() + "/environ", environ, ProcIdentity.of(app.pid()).environ());
        assertEquals(new TreeSet<>(List.of(hex("PATH=/usr/bin:/bin"), hex("SRIT_ROLE=restoring-jvm"))),
                new TreeSet<>(ViewsReport.entries(report.one("CHILD_INHERITED"))),
                "with env=proc a child inherits the JVM's own environment");
        assertEquals(List.of(hex("PATH=/usr/bin:/bin"), hex("SRIT_ROLE=restoring-jvm")),
                report.all("JAVA_ENV").stream().map(HexFormat.of()::formatHex).toList(),
                "with env=proc System.getenv() is the JVM's own environment");
        app.closeStdinAndAwaitExit(PROCESS_TIMEOUT);
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes());
    }

    /** "hex(name)=hex(value)" for each entry, the first of a name winning, as getenv(3) finds it. */
    private static TreeSet<String> nativeExpectations(List<String> entries) {
        TreeSet<String> out = new TreeSet<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String e : entries) {
            byte[] b = HexFormat.of().parseHex(e);
            int eq = 0;
            while (eq < b.length && b[eq] != '=') {
                eq++;
            }
            String name = HexFormat.of().formatHex(b, 0, eq);
            if (seen.add(name)) {
                out.add(name + "=" + HexFormat.of().formatHex(b, Math.min(eq + 1, b.length), b.length));
            }
        }
        return out;
    }

    private static TreeSet<String> namesOf(List<String> hexEntries) {
        TreeSet<String> names = new TreeSet<>();
        for (String e : hexEntries) {
            String s = new String(HexFormat.of().parseHex(e), java.nio.charset.StandardCharsets.ISO_8859_1);
            names.add(s.substring(0, Math.max(0, s.indexOf('='))));
        }
        return names;
    }

    private static boolean isAscii(String hexEntry) {
        for (byte b : HexFormat.of().parseHex(hexEntry)) {
            if (b < 0x20 || b > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
