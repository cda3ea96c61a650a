package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentityExceptExe;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * attach: a JVM started without the agent is given the identity while it runs, and the command
 * shows the target's own result.
 */
class AttachIT {

    private static final String DYNAMIC_AGENT_WARNING = "WARNING: A Java agent has been loaded dynamically";

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private Cli.Captured captured;

    @BeforeEach
    void captureOriginal() throws Exception {
        Fixtures.makeReadableByAll(it.dir());
        captured = it.captured();
        Fixtures.makeReadableByAll(captured.descriptor());
    }

    /** {@code java [options] -cp CLASSES ShowIdentity}: no agent on the command line. */
    private static List<String> plainJvm(Path classes, List<String> options) {
        return JavaCommand.java().options(options).classes(classes).showIdentity("started-without-agent");
    }

    /** JDK 21+ warns when an agent is loaded into a running JVM unless the JVM allows it. */
    private static List<String> allowDynamicAgent() {
        return ItConfig.javaFeature() >= 21 ? List.of("-XX:+EnableDynamicAgentLoading") : List.of();
    }

    @Test
    void aRunningJvmBecomesTheOriginalAndVerifyPasses() throws Exception {
        RestoredApp target = RestoredApp.start(it.processes(), plainJvm(ItConfig.testClasses(), allowDynamicAgent()));
        String pid = Long.toString(target.pid());
        it.cli().run("verify", "--pid", pid, captured.descriptor().toString()).assertStatus(1);

        CommandResult attach = it.cli().run("attach", "--pid", pid, captured.descriptor().toString()).assertStatus(0);
        List<String> lines = attach.stdout().lines().toList();
        assertEquals("pid " + pid + " loaded the agent and reports:", lines.get(0), attach::description);
        assertTrue(lines.get(1).startsWith("  selfrestore: restored pid " + captured.original().pid() + " (" + captured.original().name() + ", "
                + captured.original().exe() + "): exe, "), attach::description);

        assertSameIdentity(captured.identity(), ProcIdentity.of(target.pid()));
        it.cli().run("verify", "--pid", pid, captured.descriptor().toString()).assertStatus(0);
        // The target's own stderr holds the same line, and no warning.
        String line = target.stopAndAssertOneStderrLine("selfrestore: restored");
        assertEquals(lines.get(1).strip(), line);
    }

    @Test
    void withoutCapabilitiesTheTargetReportsWhyExeWasNotChanged() throws Exception {
        // The command runs as root; the target runs as nobody without capabilities, from copies it can read.
        JavaCommand.ReadableCopy readable = JavaCommand.readableByAll(it.dir().resolve("readable"));
        Cli rootCli = it.cli().through(List.of(), readable.jar());
        List<String> options = new ArrayList<>(allowDynamicAgent());
        options.add("-XX:-UsePerfData");
        List<String> command = new ArrayList<>(Fixtures.AS_NOBODY_WITHOUT_CAPABILITIES);
        command.addAll(plainJvm(readable.classes(), options));
        RestoredApp target = RestoredApp.start(it.processes(), command);
        String pid = Long.toString(target.pid());
        assertEquals("65534\t65534\t65534\t65534", ProcIdentity.statusField(target.pid(), "Uid"));

        JsonNode json = rootCli.run("attach", "--json", "--pid", pid, captured.descriptor().toString()).assertStatus(1).json();
        String reported = json.get("report").get(0).get("line").asText();
        assertAll(json.toPrettyString(),
                () -> assertEquals("partly-restored", json.get("outcome").asText()),
                () -> assertTrue(reported.startsWith("selfrestore: partly restored pid " + captured.original().pid())),
                () -> assertTrue(reported.contains("exe not changed") && reported.contains("CAP_CHECKPOINT_RESTORE")));
        assertSameIdentityExceptExe(captured.identity(), ProcIdentity.of(target.pid()));
        assertEquals(ItConfig.javaRealPath().toString(), ProcIdentity.of(target.pid()).exe());
        CommandResult verify = it.cli().run("verify", "--pid", pid, captured.descriptor().toString()).assertStatus(1);
        assertTrue(verify.stdout().lines().anyMatch(l -> l.equals("  exe      differs")), verify::description);
        assertTrue(verify.stdout().lines().anyMatch(l -> l.equals("  environ  matches")), verify::description);
        target.stopAndAssertOneStderrLine("selfrestore: partly restored");
    }

    @Test
    void jdk21AndLaterWarnAboutTheDynamicAgentUnlessTheTargetAllowsIt() throws Exception {
        RestoredApp target = RestoredApp.start(it.processes(), plainJvm(ItConfig.testClasses(), List.of()));
        it.cli().run("attach", "--pid", Long.toString(target.pid()), captured.descriptor().toString()).assertStatus(0);
        target.stopAndAssertExitedNormally();
        String stderr = target.process().stderr();
        if (ItConfig.javaFeature() >= 21) {
            assertTrue(stderr.contains(DYNAMIC_AGENT_WARNING), () -> "the JVM's warning: " + target.process().describe());
        } else {
            assertFalse(stderr.contains("WARNING"), () -> "no warning before JDK 21: " + target.process().describe());
        }
        assertTrue(stderr.lines().anyMatch(l -> l.startsWith("selfrestore: restored")), () -> target.process().describe());
    }

    @Test
    void noJvmThereIsAnInputError() throws Exception {
        CommandResult r = it.cli().run("attach", "--pid", "999999999", captured.descriptor().toString()).assertStatus(2);
        assertTrue(r.stderr().contains("no process 999999999"), r::description);
        // a process that is not a JVM
        CommandResult sleep = it.cli().run("attach", "--pid", Long.toString(it.sleepOriginal().pid()),
                captured.descriptor().toString()).assertStatus(2);
        assertTrue(sleep.stderr().contains("cannot attach"), sleep::description);
    }
}
