package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.app.LaunchViews;
import dev.selfrestore.it.app.Sleeper;
import dev.selfrestore.it.support.CommandResult;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an application prints when selfrestore is loaded with nothing on its command line but the
 * agent: selfrestore's own lines and nothing else, on every JDK — no {@code sun.misc.Unsafe}
 * warning (JDK 24+), no native-access warning (JDK 24+), no SLF4J or Chronicle output. The same
 * for the command line started through its launcher script. None of the JVM options the other
 * tests pass ({@link ItConfig#jvmOptions()}) is given here.
 */
class JdkWarningsIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    /** The application's command line with the agent given {@code agentArgument}, and no other JVM option. */
    private static List<String> appWithAgent(String agentArgument, String... jvmOptions) {
        return JavaCommand.bareJava().agent(agentArgument).options(jvmOptions).showIdentity("an-argument");
    }

    /** Ends the application and asserts that its stderr holds exactly {@code prefixes}' lines, in order, and nothing else. */
    private static void assertOnlyOwnLines(RestoredApp app, String... prefixes) throws InterruptedException {
        app.stopAndAssertExitedNormally();
        RunningProcess p = app.process();
        List<String> lines = p.stderrLines().stream().filter(l -> !l.isBlank()).toList();
        assertEquals(prefixes.length, lines.size(), () -> "selfrestore's lines only, on JDK " + ItConfig.javaFeature()
                + ": " + p.describe());
        for (int i = 0; i < prefixes.length; i++) {
            assertTrue(lines.get(i).startsWith(prefixes[i]), "line " + i + " starts with '" + prefixes[i] + "': " + p.describe());
        }
        assertTrue(p.stdoutLines().stream().noneMatch(l -> l.contains("WARNING") || l.startsWith("selfrestore")),
                () -> "the application's stdout is its own: " + p.describe());
    }

    @Test
    void restore() throws Exception {
        RestoredApp app = RestoredApp.start(it.processes(), appWithAgent(it.captured().descriptor().toString()));
        assertSameIdentity(it.captured().identity(), ProcIdentity.of(app.pid()));
        assertOnlyOwnLines(app, "selfrestore: restored");
    }

    @Test
    void restoreWithTheOriginalsMainArguments() throws Exception {
        RestoredApp app = RestoredApp.start(it.processes(), appWithAgent(it.captured().descriptor() + ",main-args=restore"));
        assertOnlyOwnLines(app, "selfrestore: restored");
    }

    /** jvm=restore of a JVM original: in premain, and by attach into a JVM whose RuntimeMXBean has read its list. */
    @Test
    void restoreTheJvmViews() throws Exception {
        RunningProcess jvmOriginal = it.processes().start("jvm original", JavaCommand.bareJava().options("-Dledger.name=ledger-7")
                .main(Sleeper.class.getName(), "--shard=7"), Map.of("PATH", "/usr/bin:/bin"));
        jvmOriginal.awaitStdoutLine("READY", ItConfig.PROCESS_TIMEOUT);
        Path descriptor = it.cli().captureOk(jvmOriginal.pid(), it.dir().resolve("jvm.mmd"));
        jvmOriginal.close();
        RestoredApp app = RestoredApp.start(it.processes(), appWithAgent(descriptor + ",jvm=restore"));
        assertOnlyOwnLines(app, "selfrestore: restored");

        JavaCommand java = JavaCommand.bareJava();
        if (ItConfig.javaFeature() >= 21) {
            java.options("-XX:+EnableDynamicAgentLoading");
        }
        // jvmstat strings of a running JVM keep their length: these fit the original's
        java.options("-Dpadding=" + "x".repeat(40));
        RunningProcess target = it.processes().start("target", java.main(LaunchViews.class.getName(), "y".repeat(40)),
                Map.of("PATH", "/usr/bin:/bin"));
        target.awaitStdoutLine("READY", ItConfig.PROCESS_TIMEOUT);
        CommandResult attach = launcherScript("attach", "--pid", Long.toString(target.pid()), "--option", "jvm=restore",
                descriptor.toString()).assertStatus(0);
        assertNoJdkWarning(attach);
        assertEquals(0, target.closeStdinAndAwaitExit(ItConfig.PROCESS_TIMEOUT));
        List<String> lines = target.stderrLines().stream().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), target::describe);
        assertTrue(lines.get(0).startsWith("selfrestore: restored"), target::describe);
    }

    @Test
    void captureOnly() throws Exception {
        Path file = it.dir().resolve("self.mmd");
        RestoredApp app = RestoredApp.start(it.processes(), appWithAgent("capture=" + file));
        assertOnlyOwnLines(app, "selfrestore: captured pid " + app.pid());
        assertTrue(Files.size(file) > 0);
        it.cli().run("inspect", file.toString()).assertStatus(0);
    }

    @Test
    void restoreThenCapture() throws Exception {
        Path file = it.dir().resolve("restored.mmd");
        RestoredApp app = RestoredApp.start(it.processes(), appWithAgent(it.captured().descriptor() + ",capture=" + file));
        assertOnlyOwnLines(app, "selfrestore: restored", "selfrestore: captured pid " + app.pid());
        // What was captured is the restored identity, with the exact brk of the JVM itself.
        CommandResult inspect = it.cli().run("inspect", "--json", file.toString()).assertStatus(0);
        assertEquals("exact", inspect.json().get("brk_source").asText(), inspect::description);
        assertEquals(it.captured().identity().exe(), inspect.json().get("exe").get("path").get("text").asText(),
                inspect::description);
    }

    @Test
    void attachToAJvmThatAllowsDynamicAgents() throws Exception {
        JavaCommand java = JavaCommand.bareJava();
        if (ItConfig.javaFeature() >= 21) {
            java.options("-XX:+EnableDynamicAgentLoading"); // without it the JDK itself warns (AttachIT)
        }
        List<String> command = java.showIdentity("attached");
        RestoredApp target = RestoredApp.start(it.processes(), command);
        CommandResult attach = launcherScript("attach", "--pid", Long.toString(target.pid()), it.captured().descriptor().toString());
        attach.assertStatus(0);
        assertNoJdkWarning(attach);
        assertSameIdentity(it.captured().identity(), ProcIdentity.of(target.pid()));
        assertOnlyOwnLines(target, "selfrestore: restored");
    }

    @Test
    void theLauncherScriptPrintsNoJdkWarning() throws Exception {
        assertNoJdkWarning(launcherScript("doctor"));
        assertNoJdkWarning(launcherScript("inspect", it.captured().descriptor().toString()).assertStatus(0));
        Path again = it.dir().resolve("again.mmd");
        RestoredApp app = RestoredApp.start(it.processes(), appWithAgent("capture=" + it.dir().resolve("app.mmd")));
        assertNoJdkWarning(launcherScript("capture", "--pid", Long.toString(app.pid()), "--out", again.toString())
                .assertStatus(0));
        app.stopAndAssertExitedNormally();
    }

    /** {@code agent/target/selfrestore ARGS…}, the launcher script beside the jar, with the JDK under test. */
    private CommandResult launcherScript(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ItConfig.agentJar().resolveSibling("selfrestore").toString()));
        command.addAll(List.of(args));
        return it.cli().runWithEnvironment(
                Map.of("PATH", "/usr/bin:/bin", "SELFRESTORE_JAVA", ItConfig.java().toString()), command);
    }

    private static void assertNoJdkWarning(CommandResult r) {
        assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("WARNING")), r::description);
        assertTrue(r.stdout().lines().noneMatch(l -> l.startsWith("WARNING")), r::description);
    }
}
