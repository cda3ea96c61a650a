package dev.selfrestore.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The option keys capture=, capture-force= and report=, and the outcomes a report records. */
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
    void eachLineOfTheAgentHasAnOutcome() {
        assertEquals("restored", AgentReport.outcome("selfrestore: restored pid 1 (a, /a): exe, ... in 3.0 ms"));
        assertEquals("partly-restored", AgentReport.outcome("selfrestore: partly restored pid 1 (a, /a): ...; exe not changed"));
        assertEquals("partly-restored", AgentReport.outcome("selfrestore: partly restored: /a.mmd: identity applied, then x"));
        assertEquals("partly-restored", AgentReport.outcome("selfrestore: restore of /a.mmd incomplete: /proc differs: x"));
        assertEquals("not-restored", AgentReport.outcome("selfrestore: not restored: /a.mmd: no such file"));
        assertEquals("captured", AgentReport.outcome("selfrestore: captured pid 2 (java, /j) to /b.mmd, brk exact"));
        assertEquals("not-captured", AgentReport.outcome("selfrestore: not captured: /b.mmd exists; ..."));
        assertEquals("detail", AgentReport.outcome("selfrestore: strict=true: exiting before main"));
        assertEquals("detail", AgentReport.outcome("\tat dev.selfrestore.Foo.bar(Foo.java:1)"));
    }
}
