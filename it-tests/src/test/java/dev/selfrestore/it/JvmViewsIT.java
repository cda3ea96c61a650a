package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.fixtures.CriuFixtures;
import dev.selfrestore.it.app.LaunchViews;
import dev.selfrestore.it.app.Sleeper;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.Processes;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.it.support.ViewsReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * jvm=restore: the JVM's own views of its launch show the checkpointed JVM's, from inside
 * (main's arguments, RuntimeMXBean.getInputArguments(), sun.java.command, the -D properties) and
 * from outside with the tools of the JDK under test (jcmd VM.command_line, jps -lvm); each view
 * that cannot be changed is named in the agent's line.
 */
class JvmViewsIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private Processes processes;
    private Path dir;

    private static final String SLEEPER = Sleeper.class.getName();
    /** What HotSpot recorded of the original's options: --add-opens X becomes --add-opens=X, -cp is left out. */
    private static final List<String> ORIGINAL_JVM_ARGS = List.of("-Xmx64m", "-XX:+UseSerialGC", "-Dledger.name=ledger-7",
            "-Dshared.prop=checkpointed", "-Dviews.properties=ledger.name,shared.prop",
            "--add-opens=java.base/java.lang=ALL-UNNAMED");
    private static final List<String> APP_ARGS = List.of("--shard=7", "two words");
    private static final String ORIGINAL_COMMAND = SLEEPER + " --shard=7 two words";

    private Cli cli;
    private Path descriptor;

    @BeforeEach
    void captureAJvm() throws Exception {
        processes = it.processes();
        dir = it.dir();
        cli = it.cli();
        Fixtures.makeReadableByAll(dir);
        List<String> command = JavaCommand.bareJava().options("-Xmx64m", "-XX:+UseSerialGC", "-Dledger.name=ledger-7",
                "-Dshared.prop=checkpointed", "-Dviews.properties=ledger.name,shared.prop", "--add-opens",
                "java.base/java.lang=ALL-UNNAMED").main(SLEEPER, APP_ARGS.toArray(String[]::new));
        RunningProcess original = processes.start("original", command, Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"));
        original.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        descriptor = cli.captureOk(original.pid(), dir.resolve("original.mmd"));
        Fixtures.makeReadableByAll(descriptor);
        original.close();
    }

    private RunningProcess restored(JavaCommand java, String options) throws Exception {
        RunningProcess app = processes.start("restored", java.restoring(descriptor, options)
                .options("-Xmx128m", "-Dshared.prop=fresh").main(LaunchViews.class.getName(), "its", "own"),
                ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        return app;
    }

    @Test
    void everyViewShowsTheCheckpointedJvm() throws Exception {
        RunningProcess app = restored(JavaCommand.java(), "jvm=restore");
        ViewsReport inside = new ViewsReport(app.stdoutLines());
        assertEquals(APP_ARGS, text(inside.all("ARG")), "main(String[])");
        assertEquals(ORIGINAL_JVM_ARGS, text(inside.all("INPUT")), "RuntimeMXBean.getInputArguments()");
        assertEquals(List.of(ORIGINAL_COMMAND), text(inside.all("COMMAND")), "sun.java.command");
        assertEquals(List.of("ledger.name=ledger-7", "shared.prop=checkpointed"), text(inside.all("PROP")), "-D properties");
        assertOutsideShowsTheOriginal(app.pid());
        String verify = cli.run("verify", "--pid", Long.toString(app.pid()), descriptor.toString()).assertStatus(0).stdout();
        assertTrue(verify.contains("\n  jvm      sun.rt.javaCommand matches (jps; not in the exit status)\n"
                + "  jvm      java.rt.vmArgs matches (jps; not in the exit status)\n"), verify);

        assertEquals(0, app.closeStdinAndAwaitExit(PROCESS_TIMEOUT));
        String line = agentLine(app);
        assertTrue(line.startsWith("selfrestore: restored pid ") && line.contains(", main args (2), JVM views (6 options, "
                + "3 properties, replaced shared.prop, RuntimeMXBean, jcmd, jps: "), app::describe);
        assertTrue(line.contains("; JVM options differ: -Xmx64m -XX:+UseSerialGC --add-opens=java.base/java.lang=ALL-UNNAMED "
                + "(checkpointed) vs "), app::describe);
        assertTrue(line.endsWith("-Xmx128m (this JVM)"), app::describe);
        assertFalse(line.contains("javaagent"), app::describe);
    }

    @Test
    void inspectShowsTheLaunchersSplit() throws Exception {
        String out = cli.run("inspect", descriptor.toString()).assertStatus(0).stdout();
        assertTrue(out.contains("\n  jvm_args     " + String.join(" ", ORIGINAL_JVM_ARGS.stream().map(a -> "\"" + a + "\"")
                .toList()) + "\n"), out);
        assertTrue(out.contains("\n  main         \"" + SLEEPER + "\"\n  app args     \"--shard=7\" \"two words\"\n"
                + "  java_command \"" + ORIGINAL_COMMAND + "\"\n"), out);
    }

    /** jcmd VM.command_line and jps -lvm, of the JDK under test, from another process. */
    private void assertOutsideShowsTheOriginal(long pid) throws Exception {
        CommandResult jcmd = processes.run(PROCESS_TIMEOUT, tool("jcmd"), Long.toString(pid), "VM.command_line");
        assertTrue(jcmd.stdout().contains("jvm_args: " + String.join(" ", ORIGINAL_JVM_ARGS) + "\n")
                || jcmd.stdout().contains("jvm_args: " + String.join(" ", ORIGINAL_JVM_ARGS) + " \n"), jcmd::description);
        assertTrue(jcmd.stdout().contains("java_command: " + ORIGINAL_COMMAND + "\n"), jcmd::description);
        assertFalse(jcmd.stdout().contains("javaagent"), jcmd::description);
        assertEquals(pid + " " + ORIGINAL_COMMAND + " " + String.join(" ", ORIGINAL_JVM_ARGS), jpsLine(pid));
    }

    private String jpsLine(long pid) throws Exception {
        CommandResult jps = processes.run(PROCESS_TIMEOUT, tool("jps"), "-lvm");
        return jps.stdout().lines().filter(l -> l.startsWith(pid + " ")).findFirst().orElse(jps.description()).strip();
    }

    @Test
    void aLayoutNotFoundLeavesThoseViewsAndNamesThem() throws Exception {
        RunningProcess app = restored(JavaCommand.withTestingJar(), "jvm=restore,test-faults=no-hotspot-layout");
        ViewsReport inside = new ViewsReport(app.stdoutLines());
        assertEquals(APP_ARGS, text(inside.all("ARG")), "main(String[])");
        assertEquals(List.of(ORIGINAL_COMMAND), text(inside.all("COMMAND")), "sun.java.command");
        assertTrue(text(inside.all("INPUT")).contains("-Xmx128m"), "RuntimeMXBean.getInputArguments() left as it was");
        String verify = cli.run("verify", "--pid", Long.toString(app.pid()), descriptor.toString()).assertStatus(0).stdout();
        assertTrue(verify.contains("\n  jvm      java.rt.vmArgs differs (jps; not in the exit status)\n    - \"-Xmx64m "), verify);
        assertEquals(0, app.closeStdinAndAwaitExit(PROCESS_TIMEOUT));
        String line = agentLine(app);
        assertTrue(line.startsWith("selfrestore: partly restored pid ") && line.endsWith("; RuntimeMXBean.getInputArguments(), "
                + "jcmd VM.command_line and jps left as they were: gHotSpotVMStructs not found [fault injected]"),
                app::describe);
    }

    @Test
    void strictStopsBeforeMainWhenAViewIsLeft() throws Exception {
        RunningProcess app = processes.start("restored", JavaCommand.withTestingJar()
                .restoring(descriptor, "jvm=restore,strict=true,test-faults=short-jvmstat")
                .main(LaunchViews.class.getName()), ItConfig.restorerEnvironment());
        assertEquals(1, app.awaitExit(PROCESS_TIMEOUT), app::describe);
        assertFalse(app.stdout().contains("READY"), app::describe);
        assertTrue(app.stderr().contains("jvmstat sun.rt.javaCommand left as it was: the original's "
                + ORIGINAL_COMMAND.length() + " bytes do not fit its"), app::describe);
        assertTrue(app.stderr().contains("jvmstat java.rt.vmArgs left as it was"), app::describe);
        assertTrue(app.stderr().contains("strict=true: exiting before main"), app::describe);
    }

    @Test
    void attachChangesTheViewsOfARunningJvm() throws Exception {
        Path again = dir.resolve("again");
        // a running JVM's jvmstat strings keep their length: these are long enough for the original's
        List<String> options = new ArrayList<>(ItConfig.javaFeature() >= 21 ? List.of("-XX:+EnableDynamicAgentLoading")
                : List.of());
        options.addAll(List.of("-Dviews.again=" + again, "-Dviews.properties=ledger.name", "-Dpadding=" + "x".repeat(120)));
        RunningProcess target = processes.start("target", JavaCommand.java().options(options)
                .main(LaunchViews.class.getName(), "padding-" + "y".repeat(60)), ItConfig.restorerEnvironment());
        target.awaitStdoutLine("READY", PROCESS_TIMEOUT); // RuntimeMXBean has read and kept its list

        CommandResult attach = cli.run("attach", "--pid", Long.toString(target.pid()), "--option", "jvm=restore",
                descriptor.toString()).assertStatus(0);
        assertTrue(attach.stdout().contains("JVM views (6 options, 3 properties, replaced views.properties, RuntimeMXBean, "
                + "jcmd, jps: "),
                attach::description);
        Files.writeString(again, "");
        target.awaitStdoutLine("DONE", PROCESS_TIMEOUT);
        List<String> lines = target.stdoutLines();
        ViewsReport after = new ViewsReport(lines.subList(lines.indexOf("AGAIN"), lines.size()));
        assertEquals(ORIGINAL_JVM_ARGS, text(after.all("INPUT")), "RuntimeMXBean.getInputArguments() read before the attach");
        assertEquals(List.of(ORIGINAL_COMMAND), text(after.all("COMMAND")), "sun.java.command");
        assertEquals(List.of("ledger.name=ledger-7", "shared.prop=checkpointed"), text(after.all("PROP")),
                "-D properties (the original's views.properties names both)");
        assertOutsideShowsTheOriginal(target.pid());
    }

    /** The CRIU image of a JDK 17 JVM: {@code java -Xmx32m -XX:+UseSerialGC -XX:-UseContainerSupport -Dledger.name=ledger-7 -cp …/svc Ledger …}. */
    @Test
    void aJvmCriuImage() throws Exception {
        Path fixture = CriuFixtures.dir("jvm17");
        RunningProcess app = processes.start("restored", JavaCommand.java().restoring(fixture.resolve("images"),
                "jvm=restore").main(LaunchViews.class.getName()), ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        ViewsReport inside = new ViewsReport(app.stdoutLines());
        List<String> jvmArgs = List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:-UseContainerSupport", "-Dledger.name=ledger-7");
        assertEquals(List.of("--shard=7", "--listen=:9090"), text(inside.all("ARG")));
        assertEquals(jvmArgs, text(inside.all("INPUT")));
        assertEquals(List.of("Ledger --shard=7 --listen=:9090"), text(inside.all("COMMAND")));
        assertEquals(app.pid() + " Ledger --shard=7 --listen=:9090 " + String.join(" ", jvmArgs), jpsLine(app.pid()));
        assertEquals(0, app.closeStdinAndAwaitExit(PROCESS_TIMEOUT));
        assertTrue(agentLine(app).startsWith("selfrestore: restored pid 31787 "), app::describe);
    }

    private static String agentLine(RunningProcess app) {
        return app.stderrLines().stream().filter(l -> l.startsWith("selfrestore: ")).findFirst().orElse("");
    }

    private static String tool(String name) {
        return ItConfig.java().resolveSibling(name).toString();
    }

    private static List<String> text(List<byte[]> values) {
        return values.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

}
