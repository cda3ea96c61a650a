package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.app.AgentCalls;
import dev.selfrestore.it.app.IdentityViews;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.it.support.ViewsReport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A JVM restored more than once: attach twice, two attaches at the same moment, premain and then
 * attach with the same and with another descriptor, and agentmain called on two threads at once.
 * Each ends with one complete identity, the last one applied, in /proc and in the application's own
 * views of its environment; a second restore of the same bytes makes no new argument area.
 */
class RepeatedRestoreIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private ProcIdentity first;
    private Path firstDescriptor;
    private ProcIdentity second;
    private Path secondDescriptor;

    @BeforeEach
    void captureTwoOriginals() throws Exception {
        Fixtures.makeReadableByAll(it.dir());
        Cli capture = it.cli();
        Cli.Captured original = it.capturedSleepOriginal("first.mmd");
        first = original.identity();
        firstDescriptor = original.descriptor();

        // Another program, command line, environment and name than the first.
        Path exe = it.dir().resolve("srother-" + Fixtures.randomToken(7));
        Fixtures.copyReadableByAll(Path.of("/usr/bin/sleep"), exe);
        Fixtures.makeExecutableByAll(exe);
        RunningProcess other = it.processes().start("other original",
                List.of("env", "-i", "OTHER=second original", "PATH=/bin", exe.toString(), "599"));
        Fixtures.awaitExe(other, exe, PROCESS_TIMEOUT);
        second = ProcIdentity.of(other.pid());
        secondDescriptor = capture.captureOk(other.pid(), it.dir().resolve("second.mmd"));
        other.close();
    }

    private static List<String> allowDynamicAgent() {
        return ItConfig.javaFeature() >= 21 ? List.of("-XX:+EnableDynamicAgentLoading") : List.of();
    }

    private RestoredApp plainJvm() throws Exception {
        List<String> command = JavaCommand.java().options(allowDynamicAgent()).showIdentity("plain");
        return RestoredApp.start(it.processes(), command);
    }

    private void attachOk(RestoredApp target, Path descriptor) throws Exception {
        CommandResult r = it.cli().run("attach", "--pid", Long.toString(target.pid()), descriptor.toString()).assertStatus(0);
        assertTrue(r.stdout().contains("selfrestore: restored pid"), r::description);
    }

    private void verifyOk(long pid, Path descriptor) throws Exception {
        it.cli().run("verify", "--pid", Long.toString(pid), descriptor.toString()).assertStatus(0);
    }

    /** /proc/PID/stat fields 48 to 51: arg_start, arg_end, env_start, env_end. */
    private static List<String> argAndEnvArea(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
        return Arrays.asList(fields).subList(48 - 3, 52 - 3);
    }

    /**
     * Ends the app and asserts that selfrestore printed exactly {@code count} lines, each a complete
     * restore (JDK 22+ adds its own warnings about the application's JNA, which are not counted).
     */
    private static void assertRestoredLines(RunningProcess app, int count) throws InterruptedException {
        assertEquals(0, app.closeStdinAndAwaitExit(PROCESS_TIMEOUT), app::describe);
        List<String> lines = app.stderrLines().stream().filter(l -> !l.isBlank() && !l.startsWith("WARNING: ")).toList();
        assertEquals(count, lines.size(), app::describe);
        assertTrue(lines.stream().allMatch(l -> l.startsWith("selfrestore: restored pid ")), app::describe);
    }

    @Test
    void attachTwiceWithTheSameDescriptor() throws Exception {
        RestoredApp target = plainJvm();
        attachOk(target, firstDescriptor);
        List<String> area = argAndEnvArea(target.pid());
        attachOk(target, firstDescriptor);
        assertSameIdentity(first, ProcIdentity.of(target.pid()));
        assertEquals(area, argAndEnvArea(target.pid()), "the same bytes again: the area in use is kept, none is added");
        verifyOk(target.pid(), firstDescriptor);
        assertRestoredLines(target.process(), 2);
    }

    @Test
    void twoAttachesAtTheSameMoment() throws Exception {
        RestoredApp target = plainJvm();
        String pid = Long.toString(target.pid());
        RunningProcess one = it.cli().start("attach", "--pid", pid, firstDescriptor.toString());
        RunningProcess two = it.cli().start("attach", "--pid", pid, firstDescriptor.toString());
        it.cli().finish(one).assertStatus(0);
        it.cli().finish(two).assertStatus(0);
        assertSameIdentity(first, ProcIdentity.of(target.pid()));
        verifyOk(target.pid(), firstDescriptor);
        assertRestoredLines(target.process(), 2);
    }

    @Test
    void premainThenAttachWithTheSameAndThenAnotherDescriptor() throws Exception {
        RestoredApp target = RestoredApp.start(it.processes(),
                JavaCommand.java().restoredApp(firstDescriptor, "", allowDynamicAgent().toArray(String[]::new)));
        assertSameIdentity(first, ProcIdentity.of(target.pid()));
        List<String> area = argAndEnvArea(target.pid());

        attachOk(target, firstDescriptor);
        assertSameIdentity(first, ProcIdentity.of(target.pid()));
        assertEquals(area, argAndEnvArea(target.pid()), "the same bytes again: the area in use is kept, none is added");
        verifyOk(target.pid(), firstDescriptor);

        attachOk(target, secondDescriptor);
        assertSameIdentity(second, ProcIdentity.of(target.pid()));
        assertNotEquals(area, argAndEnvArea(target.pid()), "another command line and environment: a new area");
        verifyOk(target.pid(), secondDescriptor);
        it.cli().run("verify", "--pid", Long.toString(target.pid()), firstDescriptor.toString()).assertStatus(1);
        assertRestoredLines(target.process(), 3);
    }

    /** A jar that holds only a manifest naming {@link AgentCalls} as its premain class. */
    private Path agentCallsJar() throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), AgentCalls.class.getName());
        Path jar = it.dir().resolve("agent-calls.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            j.flush();
        }
        return jar;
    }

    /** Runs {@link AgentCalls} with {@code steps} before {@link IdentityViews}; returns the app, READY. */
    private RunningProcess viewsAfter(String steps) throws Exception {
        List<String> command = JavaCommand.java().agentJar(agentCallsJar()).agent(steps)
                .classPath(ItConfig.appJna(), ItConfig.agentJar()).main(IdentityViews.class.getName());
        RunningProcess app = it.processes().start("agent calls", command, ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        return app;
    }

    /** /proc, the C library's environ (what a child inherits) and System.getenv() all show {@code expected}. */
    private static void assertEveryViewShows(ProcIdentity expected, RunningProcess app) throws IOException {
        ProcIdentity now = ProcIdentity.of(app.pid());
        assertSameIdentity(expected, now);
        ViewsReport views = new ViewsReport(app.stdoutLines());
        List<String> withExtra = new ArrayList<>(ViewsReport.entries(expected.environ()));
        withExtra.add(HexFormat.of().formatHex("SRIT_EXTRA=1".getBytes(StandardCharsets.US_ASCII)));
        assertAll("views of pid " + app.pid() + ": " + app.describe(),
                () -> assertSameBytes("what a child started with no change inherits (the C library's environ)",
                        expected.environ(), views.one("CHILD_INHERITED")),
                () -> assertEquals(new TreeSet<>(withExtra), new TreeSet<>(ViewsReport.entries(views.one("CHILD_MODIFIED"))),
                        "what a child gets from ProcessBuilder.environment() plus one variable (Java's copy, raw bytes)"),
                () -> assertEquals(ViewsReport.entries(expected.environ()).size(), views.all("JAVA_ENV").size(),
                        "how many variables System.getenv() shows"));
    }

    @Test
    void aSecondRestoreWithAnotherDescriptorMovesEveryView() throws Exception {
        RunningProcess app = viewsAfter(firstDescriptor + ";" + secondDescriptor);
        assertEveryViewShows(second, app);
        verifyOk(app.pid(), secondDescriptor);
        assertRestoredLines(app, 2);
    }

    @Test
    void agentmainOnTwoThreadsAtOnceRestoresOneAfterTheOther() throws Exception {
        int rounds = 10;
        RunningProcess app = viewsAfter(rounds + "*" + firstDescriptor + "|" + secondDescriptor);
        // Whichever ran last wins, completely: never a mixture of the two.
        byte[] cmdline = ProcIdentity.of(app.pid()).cmdline();
        boolean firstWon = Arrays.equals(first.cmdline(), cmdline);
        assertEveryViewShows(firstWon ? first : second, app);
        verifyOk(app.pid(), firstWon ? firstDescriptor : secondDescriptor);
        // Each call checks /proc after its own PR_SET_MM_MAP: interleaved calls would see the other's identity.
        assertRestoredLines(app, 2 * rounds);
    }
}
