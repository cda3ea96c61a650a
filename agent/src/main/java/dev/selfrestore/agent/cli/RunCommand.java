package dev.selfrestore.agent.cli;

import dev.selfrestore.agent.internal.JnuCharset;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Placement;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.run.Launch;
import dev.selfrestore.runtime.run.PidPlacer;
import dev.selfrestore.runtime.run.RunRefusal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code run DESCRIPTOR [--pid PID] [--detach] [--new-pid-namespace] -- COMMAND [ARG...]}: starts
 * COMMAND at the PID the descriptor records, with this jar as its agent when it is a {@code java}
 * launcher that names none. The PID is placed by selfrestore's native helper (no Java runs between
 * the fork and the exec); in the foreground this command then becomes the helper's waiter, which
 * forwards signals and ends with the command's status.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Starts COMMAND as a process whose PID is the one DESCRIPTOR records (or --pid): with clone3's "
                + "set_tid (Linux 5.5+), else ns_last_pid under its lock, checked before COMMAND runs. When COMMAND "
                + "is a java launcher that names no selfrestore agent, -javaagent:<this jar>=DESCRIPTOR is added as "
                + "its first option, so the JVM gets the identity too.",
            "In the foreground this command waits: it forwards TERM, INT, HUP, QUIT, USR1 and USR2 to COMMAND and "
                + "exits with its status (dying of the same signal when a signal ended it). With --detach it prints "
                + "COMMAND's PID on standard output and exits, leaving it running in a session of its own.",
            "Needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN over the pid namespace (root, or a container with the "
                + "capability); --new-pid-namespace needs CAP_SYS_ADMIN, which a user namespace of one's own gives "
                + "(unshare -Ur)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"COMMAND's:in the foreground, once COMMAND runs (128+N when signal N ended it and it "
                + "could not be passed on)",
            "0:with --detach, COMMAND runs",
            "2:usage error; DESCRIPTOR unreadable; the PID is in use, above pid_max, or cannot be placed here; "
                + "COMMAND cannot be executed (nothing was started)"})
final class RunCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "DESCRIPTOR",
            description = "the descriptor file, or a CRIU image directory (its root process)")
    Path file;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "the command and its arguments, after --")
    List<String> command = new ArrayList<>();

    @Option(names = "--pid", paramLabel = "PID", description = "the PID to start COMMAND at (default: the descriptor's)")
    Long pid;

    @Option(names = "--detach", description = "print COMMAND's PID and exit, leaving it running in a session of its own")
    boolean detach;

    @Option(names = "--pid-file", paramLabel = "FILE",
            description = "write COMMAND's PID to FILE (replaced atomically) once it runs: for a supervisor's PIDFile=")
    Path pidFile;

    @Option(names = "--new-pid-namespace",
            description = "start COMMAND in a new pid namespace: as its PID 1, or under selfrestore's init when the PID "
                    + "is another")
    boolean newPidNamespace;

    @Mixin
    AgentOptionsInput agentOptions;

    @Override
    int run() throws CliFailure {
        Path descriptor = file.toAbsolutePath().normalize();
        long want = pid != null ? pid : DescriptorFile.readWhole(descriptor).descriptor().capture().pid();
        agentOptions.check(null, "");
        byte[][] env = ownEnvironment();
        byte[][] argv = rawCommand();
        PidPlacer.Placed placed;
        try {
            byte[] path = Launch.resolve(argv[0], env, sys().files());
            if (Launch.isJavaLauncher(path) && !Launch.namesSelfrestoreAgent(argv, env)) {
                String agent = "-javaagent:" + AttachCommand.ownJar() + "=" + descriptor + agentOptions.suffix();
                argv = Launch.withFirstOption(argv, agent.getBytes(JnuCharset.get()));
            }
            placed = new PidPlacer(sys().processes()).place(
                    new Placement.Request(want, newPidNamespace, detach, path, argv, env), command.get(0));
        } catch (RunRefusal e) {
            throw new CliFailure(Main.USAGE, e.getMessage());
        }
        spec.commandLine().getErr().println("selfrestore: run: " + started(placed));
        if (pidFile != null) {
            writePidFile(placed.hostPid());
        }
        if (detach) {
            spec.commandLine().getOut().println(placed.hostPid());
            return Main.OK;
        }
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().flush();
        System.out.flush();
        System.err.flush();
        return waitFor(placed.childPid());
    }

    private String started(PidPlacer.Placed p) {
        String how = switch (p.method()) {
            case CLONE3_SET_TID -> "clone3 set_tid";
            case NS_LAST_PID -> "ns_last_pid" + (p.lostRaces() > 0 ? ", after " + p.lostRaces() + " lost races" : "");
            case NEW_PID_NAMESPACE -> null;
        };
        String where = !newPidNamespace ? "pid " + p.pid()
                : "pid " + p.pid() + " of a new pid namespace (pid " + p.hostPid() + " here"
                        + (p.underInit() ? ", under selfrestore's init, pid " + p.childPid() + " here" : "") + ")";
        return command.get(0) + " runs as " + where + (how == null ? "" : " (" + how + ")");
    }

    /**
     * FILE holds the PID and a newline, replaced by a rename. A failure leaves the command running
     * (it is not stopped for a file): the line says so, and the exit status is 2.
     */
    private void writePidFile(long hostPid) throws CliFailure {
        Path target = pidFile.toAbsolutePath();
        Path temp = target.resolveSibling("." + target.getFileName() + ".selfrestore-" + ProcessHandle.current().pid());
        try {
            Files.write(temp, (hostPid + "\n").getBytes(StandardCharsets.US_ASCII));
            Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the line below names the file
            }
            throw new CliFailure(Main.USAGE, "cannot write --pid-file " + target + ": " + e.getMessage()
                    + "; the command runs as pid " + hostPid);
        }
    }

    /**
     * Becomes the native waiter; if this JVM cannot exec it, waits here instead (without passing
     * signals on) and returns the status as a shell reports it.
     */
    private int waitFor(long child) {
        try {
            sys().processes().becomeWaiter(child);
        } catch (NativeCallException e) {
            spec.commandLine().getErr().println("selfrestore: run: cannot become the waiter (" + e.getMessage()
                    + "): waiting for pid " + child + " without passing signals on");
        }
        int status = sys().processes().waitpid(child, true);
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
    }

    /** COMMAND and its arguments as bytes: from /proc/self/cmdline, where the JVM's decoding lost nothing. */
    private byte[][] rawCommand() {
        java.nio.charset.Charset jnu = JnuCharset.get();
        byte[][] given = command.stream().map(s -> s.getBytes(jnu)).toArray(byte[][]::new);
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
            List<byte[]> all = RawBytes.splitNul(cmdline);
            if (all.size() < given.length) {
                return given;
            }
            byte[][] tail = all.subList(all.size() - given.length, all.size()).toArray(new byte[0][]);
            for (int i = 0; i < tail.length; i++) {
                if (!new String(tail[i], jnu).equals(command.get(i))) {
                    return given; // not this JVM's own arguments (run in-process, as a test does)
                }
            }
            return tail;
        } catch (IOException e) {
            return given;
        }
    }

    private static byte[][] ownEnvironment() throws CliFailure {
        try {
            return RawBytes.splitNul(Files.readAllBytes(Path.of("/proc/self/environ"))).toArray(new byte[0][]);
        } catch (IOException e) {
            throw new CliFailure(Main.USAGE, "cannot read /proc/self/environ: " + e.getMessage());
        }
    }
}
