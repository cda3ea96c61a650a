package dev.selfrestore.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.runtime.restore.RestoreOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {
    @Test
    void descriptorThenOptions() {
        AgentOptions o = AgentOptions.parse("/var/lib/app/id.mmd,quiet=true,strict=true,debug=false,mode=relocate");
        assertEquals(List.of(), o.errors);
        assertEquals("/var/lib/app/id.mmd", o.descriptor);
        assertTrue(o.quiet && o.strict && !o.debug);
    }

    @Test
    void everyMistakeIsNamed() {
        AgentOptions o = AgentOptions.parse("x.mmd,quiet=yes,colour=red,strict");
        assertEquals(List.of("agent option quiet=yes must be true or false",
                "unknown agent option 'colour' (known: quiet, strict, debug, mode, env, main-args, jvm, capture, capture-force, set-env, env-file, report, insecure-descriptor, pid)",
                "agent option 'strict' is not key=value"), o.errors);
    }

    @Test
    void jvmIsRestoreOrKeep() {
        assertFalse(AgentOptions.parse("x.mmd").restoreJvm);
        AgentOptions o = AgentOptions.parse("x.mmd,jvm=restore");
        assertEquals(List.of(), o.errors);
        assertTrue(o.restoreJvm);
        assertEquals("x.mmd,jvm=restore", o.raw);
        assertEquals(List.of("agent option jvm=yes must be keep or restore"), AgentOptions.parse("x.mmd,jvm=yes").errors);
    }

    @Test
    void modeAndEnvironmentAreChoices() {
        AgentOptions defaults = AgentOptions.parse("x.mmd");
        assertEquals(RestoreOptions.Mode.RELOCATE, defaults.mode);
        assertEquals(AgentOptions.Env.ALL, defaults.env);
        AgentOptions o = AgentOptions.parse("x.mmd,mode=exact,env=proc");
        assertEquals(List.of(), o.errors);
        assertEquals(RestoreOptions.Mode.EXACT, o.mode);
        assertEquals(AgentOptions.Env.PROC, o.env);
        assertEquals(List.of("agent option mode=EXACT must be relocate or exact", "agent option env=none must be all or proc"),
                AgentOptions.parse("x.mmd,mode=EXACT,env=none").errors);
    }

    @Test
    void testFaultsAreCheckedWhenParsed() {
        assertEquals("no-mm-map+mremap:2:ENOMEM", AgentOptions.parse("x.mmd,test-faults=no-mm-map+mremap:2:ENOMEM").testFaults);
        AgentOptions bad = AgentOptions.parse("x.mmd,test-faults=fork:1:EPERM");
        assertEquals(1, bad.errors.size());
        assertTrue(bad.errors.get(0).startsWith("agent option test-faults=fork:1:EPERM: fault 'fork:1:EPERM'"),
                bad.errors.get(0));
    }

    @Test
    void restoreTimeEditsKeepTheirOrder() {
        AgentOptions o = AgentOptions.parse("x.mmd,set-env=A=1\\x2c2,env-file=/etc/app.env,set-env=B==,quiet=true");
        assertEquals(List.of(), o.errors);
        assertEquals(List.of("set-env A=1\\x2c2", "env-file /etc/app.env", "set-env B=="),
                o.edits.stream().map(e -> e[0] + " " + e[1]).toList());
        AgentOptions bad = AgentOptions.parse("x.mmd,set-env=NOVALUE,set-env==x,env-file=");
        assertEquals(List.of("agent option set-env=NOVALUE must be set-env=NAME=VALUE",
                "agent option set-env==x must be set-env=NAME=VALUE", "agent option env-file= needs a file path"),
                bad.errors);
    }

    @Test
    void missingDescriptor() {
        assertEquals(1, AgentOptions.parse(null).errors.size());
        assertEquals(1, AgentOptions.parse("quiet=true").errors.size());
    }
}
