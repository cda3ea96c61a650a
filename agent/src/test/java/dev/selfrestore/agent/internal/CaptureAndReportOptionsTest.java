package dev.selfrestore.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The option keys capture=, capture-force= and report=, and the report: each line with the kind it was printed as. */
class CaptureAndReportOptionsTest {
    @Test
    void captureOnlyNeedsNoDescriptor() {
        AgentOptions o = AgentOptions.parse("capture=/var/lib/app/self.mmd");
        assertEquals(List.of(), o.errors);
        assertNull(o.descriptor);
        assertEquals("/var/lib/app/self.mmd", o.capture);
        assertFalse(o.captureForce);
    }

    @Test
    void restoreThenCaptureWithForceAndReport() {
        AgentOptions o = AgentOptions.parse("/a.mmd,capture=/b.mmd,capture-force=true,report=/tmp/r,quiet=true");
        assertEquals(List.of(), o.errors);
        assertEquals("/a.mmd", o.descriptor);
        assertEquals("/b.mmd", o.capture);
        assertTrue(o.captureForce && o.quiet);
        assertEquals("/tmp/r", o.report);
    }

    @Test
    void optionsWithoutDescriptorOrCaptureAreRefused() {
        AgentOptions o = AgentOptions.parse("quiet=true,report=/tmp/r");
        assertEquals(1, o.errors.size());
        assertTrue(o.errors.get(0).startsWith("no descriptor given"), o.errors.get(0));
        assertEquals(List.of("agent option capture= needs a file path"), AgentOptions.parse("capture=").errors);
        assertEquals(List.of("agent option capture-force=yes must be true or false"),
                AgentOptions.parse("capture=/x,capture-force=yes").errors);
    }

    @Test
    void eachLineIsRecordedAsTheKindItWasPrintedAs(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("report");
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        AgentReport report = new AgentReport(AgentOptions.parse("/a.mmd,debug=true,report=" + file),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        report.restore(RestoreVerdict.partly("pid 1 (a, /a): cmdline in 3.0 ms", List.of("exe not changed: x", "y")));
        report.restore(RestoreVerdict.stoppedPartway("partly restored: /a.mmd: identity applied, then x", null));
        report.restore(RestoreVerdict.stoppedPartway("restore of /a.mmd incomplete: /proc differs: x", null));
        report.restore(RestoreVerdict.notRestored("/a.mmd: no such file", new IOException("gone")));
        report.print(AgentReport.Kind.CAPTURED, "captured pid 2 (java, /j) to /b.mmd, brk exact");
        report.print(AgentReport.Kind.NOT_CAPTURED, "not captured: /b.mmd exists; ...");
        report.print(AgentReport.Kind.DETAIL, "strict=true: exiting before main");

        List<AgentReport.Line> lines = AgentReport.read(file);
        assertEquals(List.of(
                new AgentReport.Line(AgentReport.Kind.PARTLY_RESTORED,
                        "selfrestore: partly restored pid 1 (a, /a): cmdline in 3.0 ms; exe not changed: x; y"),
                new AgentReport.Line(AgentReport.Kind.PARTLY_RESTORED,
                        "selfrestore: partly restored: /a.mmd: identity applied, then x (application continues)"),
                new AgentReport.Line(AgentReport.Kind.PARTLY_RESTORED,
                        "selfrestore: restore of /a.mmd incomplete: /proc differs: x (application continues)"),
                new AgentReport.Line(AgentReport.Kind.NOT_RESTORED,
                        "selfrestore: not restored: /a.mmd: no such file (application continues)"),
                new AgentReport.Line(AgentReport.Kind.DETAIL, "java.io.IOException: gone")),
                lines.subList(0, 5));
        assertTrue(lines.get(5).text().startsWith("\tat "), lines.get(5).text());
        assertEquals(List.of(
                new AgentReport.Line(AgentReport.Kind.CAPTURED,
                        "selfrestore: captured pid 2 (java, /j) to /b.mmd, brk exact"),
                new AgentReport.Line(AgentReport.Kind.NOT_CAPTURED, "selfrestore: not captured: /b.mmd exists; ..."),
                new AgentReport.Line(AgentReport.Kind.DETAIL, "selfrestore: strict=true: exiting before main")),
                lines.subList(lines.size() - 3, lines.size()));
        // stderr shows the same lines, without the kinds
        assertEquals(lines.stream().map(AgentReport.Line::text).toList(),
                stderr.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void aQuietSuccessPrintsNothingAndIsRecorded(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("report");
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        new AgentReport(AgentOptions.parse("/a.mmd,quiet=true,report=" + file), new PrintStream(stderr, true))
                .restore(RestoreVerdict.restored("pid 1 (a, /a): exe in 3.0 ms"));
        assertEquals(0, stderr.size());
        assertEquals(List.of(new AgentReport.Line(AgentReport.Kind.RESTORED, "selfrestore: restored /a.mmd (quiet=true)")),
                AgentReport.read(file));
    }

    @Test
    void withStrictTheLineDoesNotSayTheApplicationContinues() {
        assertEquals("not restored: /a.mmd: no such file",
                RestoreVerdict.notRestored("/a.mmd: no such file", null).line(true));
        assertEquals("restored pid 1 (a, /a): exe in 3.0 ms", RestoreVerdict.restored("pid 1 (a, /a): exe in 3.0 ms").line(false));
    }

    @Test
    void reportLinesAreReadByTheirFirstColumn() {
        assertEquals(new AgentReport.Line(AgentReport.Kind.RESTORED, "selfrestore: restored pid 1"),
                AgentReport.Line.parse("restored\tselfrestore: restored pid 1"));
        assertEquals(new AgentReport.Line(AgentReport.Kind.NOT_CAPTURED, "selfrestore: not captured: x"),
                AgentReport.Line.parse("not-captured\tselfrestore: not captured: x"));
        assertEquals(new AgentReport.Line(AgentReport.Kind.DETAIL, "no column"), AgentReport.Line.parse("no column"));
        assertTrue(AgentReport.Kind.PARTLY_RESTORED.ofRestore() && !AgentReport.Kind.CAPTURED.ofRestore());
    }
}
