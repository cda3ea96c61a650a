package dev.selfrestore.agent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.selfrestore.agent.internal.AgentReport;
import dev.selfrestore.runtime.proc.ProcPid;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code attach --pid PID FILE [--option KEY=VALUE]... [--json]}: loads the agent into a running
 * JVM through the JDK's attach mechanism; its {@code agentmain} restores as {@code premain} does,
 * and writes its own result to a report file ({@code report=}) that this command reads and shows.
 */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = {"Restores the identity in FILE into the running JVM PID: loads this jar into it as an agent "
                + "(com.sun.tools.attach), whose agentmain runs the same restore as -javaagent does before main, "
                + "and shows the target's own result: restored, partly restored and why, or not restored and why.",
            "Supported: a HotSpot JVM (17+) of the same user as this command (or any user's, run as root), on this "
                + "machine and in the same mount namespace, not started with -XX:+DisableAttachMechanism. Changing "
                + "exe needs CAP_CHECKPOINT_RESTORE in the TARGET (see 'selfrestore doctor').",
            "A JDK 21+ target prints a warning about a dynamically loaded agent unless it was started with "
                + "-XX:+EnableDynamicAgentLoading; a JDK 24+ target warns about sun.misc.Unsafe unless started with "
                + "--sun-misc-unsafe-memory-access=allow."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the target reports the identity restored",
            "1:the target reports it partly restored or not restored (the reason is shown), or reports nothing",
            "2:usage error; FILE is not a readable descriptor; PID is no JVM this user can attach to"})
final class AttachCommand extends CliCommand {
    @Option(names = "--pid", required = true, paramLabel = "PID", description = "the running JVM")
    long pid;

    @Parameters(paramLabel = "FILE", description = "the descriptor file (the target reads it)")
    Path file;

    @Mixin
    AgentOptionsInput agentOptions;

    @Override
    int run() throws CliFailure {
        Path descriptor = file.toAbsolutePath().normalize();
        DescriptorFile.readWhole(descriptor);
        agentOptions.check("report", " (report= is set by attach)");
        if (ModuleLayer.boot().findModule("jdk.attach").isEmpty()) {
            throw new CliFailure(Main.USAGE, "this JVM has no module jdk.attach: run the command line with a full JDK "
                    + "(not a JRE or an image without jdk.attach), or add --add-modules jdk.attach");
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new CliFailure(Main.USAGE, "pid " + pid + " is this command itself: give another JVM's pid");
        }
        ProcPid target = ProcPid.of(pid);
        int targetUid;
        try {
            targetUid = target.realUid();
        } catch (NoSuchFileException e) {
            throw new CliFailure(Main.USAGE, "no process " + pid);
        } catch (IOException e) {
            throw new CliFailure(Main.USAGE, "cannot read " + target.file("status") + ": " + e.getMessage());
        }
        Path jar = ownJar();
        Path dir = reportDirectory(targetUid);
        Path report = dir.resolve("report");
        try {
            String agentArgs = descriptor + ",report=" + report + agentOptions.suffix();
            load(jar, agentArgs);
            return show(jar, descriptor, readReport(report));
        } finally {
            deleteQuietly(dir);
        }
    }

    private void load(Path jar, String agentArgs) throws CliFailure {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException e) {
            throw new CliFailure(Main.USAGE, "cannot attach to pid " + pid + ": " + e.getMessage()
                    + " (it must be a HotSpot JVM of this user, or this command must run as root, and it must not "
                    + "have been started with -XX:+DisableAttachMechanism)");
        }
        try {
            vm.loadAgent(jar.toString(), agentArgs);
        } catch (AgentLoadException | AgentInitializationException e) {
            throw new CliFailure(Main.CHECK_FAILED, "pid " + pid + " could not load " + jar + ": " + e.getMessage());
        } catch (IOException e) {
            throw new CliFailure(Main.CHECK_FAILED, "pid " + pid + ": loading " + jar + " failed: " + e.getMessage());
        } finally {
            try {
                vm.detach();
            } catch (IOException e) {
                // the agent ran; the connection is gone either way
            }
        }
    }

    /**
     * A directory of its own for the target's report, mode 0700. When the target runs as another
     * user (this command then runs as root), the directory is given to that user.
     */
    private static Path reportDirectory(int targetUid) throws CliFailure {
        try {
            Path dir = Files.createTempDirectory("selfrestore-attach-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            int ownUid = (Integer) Files.getAttribute(dir, "unix:uid");
            if (ownUid != targetUid) {
                Files.setAttribute(dir, "unix:uid", targetUid);
            }
            return dir;
        } catch (IOException | UnsupportedOperationException e) {
            throw new CliFailure(Main.USAGE, "cannot make a directory for the target's report: " + e);
        }
    }

    /** The report's lines; none when the target wrote nothing. */
    private static List<AgentReport.Line> readReport(Path report) {
        try {
            return AgentReport.read(report);
        } catch (IOException e) {
            return List.of();
        }
    }

    private int show(Path jar, Path descriptor, List<AgentReport.Line> lines) {
        AgentReport.Kind outcome = null; // the restore's: the kind of its line
        for (AgentReport.Line l : lines) {
            if (l.kind().ofRestore()) {
                outcome = l.kind();
            }
        }
        Set<AgentReport.Kind> fine = EnumSet.of(AgentReport.Kind.RESTORED, AgentReport.Kind.CAPTURED,
                AgentReport.Kind.DETAIL);
        boolean ok = outcome == AgentReport.Kind.RESTORED && lines.stream().allMatch(l -> fine.contains(l.kind()));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> root = Json.object();
            root.put("pid", pid);
            root.put("descriptor", descriptor.toString());
            root.put("agent", jar.toString());
            root.put("outcome", outcome == null ? "none" : outcome.word());
            List<Object> list = Json.array();
            for (AgentReport.Line l : lines) {
                Map<String, Object> m = Json.object();
                m.put("outcome", l.kind().word());
                m.put("line", l.text());
                list.add(m);
            }
            root.put("report", list);
            out.print(Json.write(root));
        } else if (lines.isEmpty()) {
            out.println("pid " + pid + " loaded the agent but reported nothing: look at its stderr");
        } else {
            out.println("pid " + pid + " loaded the agent and reports:");
            for (AgentReport.Line l : lines) {
                out.println("  " + l.text());
            }
        }
        out.flush();
        return ok ? Main.OK : Main.CHECK_FAILED;
    }

    /** The jar this command runs from: the one the target loads. */
    static Path ownJar() throws CliFailure {
        try {
            return Path.of(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new CliFailure(Main.USAGE, "cannot locate the selfrestore jar: " + e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary directory left behind; nothing else to do
        }
    }
}
