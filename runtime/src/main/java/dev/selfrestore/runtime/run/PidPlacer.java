package dev.selfrestore.runtime.run;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.Placement;
import dev.selfrestore.nativeshim.Placement.Failure;
import dev.selfrestore.nativeshim.ProcessCalls;
import dev.selfrestore.runtime.proc.Capabilities;
import dev.selfrestore.runtime.proc.CapabilityRemedy;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.proc.Sysctl;
import dev.selfrestore.runtime.proc.Whereabouts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts a command at a chosen PID, or refuses in one line with nothing started: the PID is in
 * use (naming its holder), beyond {@code pid_max}, this process lacks the capability, the kernel
 * has neither {@code clone3}'s {@code set_tid} nor a usable {@code ns_last_pid}, or the command
 * cannot be executed. The checks before the placement give the clear line; the kernel's own
 * answer (a PID taken in between, say) is mapped to the same lines.
 */
public final class PidPlacer {
    private static final Path PROC = Path.of("/proc");
    /** The kernel's bound on pid_max on 64-bit machines (include/linux/threads.h). */
    private static final long PID_MAX_LIMIT = 4L * 1024 * 1024;

    private final ProcessCalls processes;
    private final Path proc;

    public PidPlacer(ProcessCalls processes) {
        this(processes, PROC);
    }

    PidPlacer(ProcessCalls processes, Path proc) {
        this.processes = processes;
        this.proc = proc;
    }

    /**
     * A command started at its PID.
     *
     * @param pid        the command's PID in its own pid namespace (the one asked for)
     * @param hostPid    the command's PID as this process's namespace numbers it ({@code pid} but
     *                   with a new pid namespace)
     * @param childPid   this process's child: the command, or the new namespace's init
     * @param method     how the PID was obtained
     * @param lostRaces  how many times another process took the PID first (ns_last_pid only)
     */
    public record Placed(long pid, long hostPid, long childPid, Placement.Method method, int lostRaces) {

        /** Whether an init of selfrestore's stands between this process and the command. */
        public boolean underInit() {
            return childPid != hostPid;
        }
    }

    /**
     * Starts {@code request}'s command at its PID.
     *
     * @param command the command as the user gave it, for the lines
     */
    public Placed place(Placement.Request request, String command) throws RunRefusal {
        check(request.pid(), request.newPidNamespace());
        Placement p = processes.place(request);
        if (p.failure() != null) {
            throw refusal(p.failure(), request, command);
        }
        long host = p.pid();
        if (request.newPidNamespace() && request.pid() != 1) {
            host = onlyChild(p.pid());
        }
        return new Placed(request.pid(), host, p.pid(), p.method(), p.lost().size());
    }

    /** The refusals that need no attempt: a PID out of range, taken, or a capability missing. */
    void check(long pid, boolean newPidNamespace) throws RunRefusal {
        if (pid < 1) {
            throw new RunRefusal("pid " + pid + " is no PID: a PID is 1 or more");
        }
        long max = pidMax();
        if (pid >= max) {
            String raise = pid < PID_MAX_LIMIT ? "raise it (sysctl -w kernel.pid_max=" + (pid + 1) + "), or give another "
                    + "PID with --pid" : "no Linux PID is above " + (PID_MAX_LIMIT - 1) + ": give another PID with --pid";
            throw new RunRefusal("pid " + pid + " is above this kernel's largest PID, " + (max - 1) + " (" + proc
                    + "/sys/kernel/pid_max is " + max + "): " + raise + "; nothing was started");
        }
        if (!newPidNamespace) {
            PidHolder holder = PidHolder.of(proc, pid);
            if (holder != null) {
                throw inUse(holder);
            }
        }
        long caps = capabilities();
        if (newPidNamespace && !Capabilities.has(caps, Capabilities.CAP_SYS_ADMIN)) {
            throw new RunRefusal("a new pid namespace needs CAP_SYS_ADMIN, which this process lacks: run as root, or "
                    + "in a user namespace of your own (unshare -Ur selfrestore run --new-pid-namespace ...); "
                    + "nothing was started");
        }
        if (!newPidNamespace && !Capabilities.has(caps, Capabilities.CAP_CHECKPOINT_RESTORE)
                && !Capabilities.has(caps, Capabilities.CAP_SYS_ADMIN)) {
            throw noCapability(pid, "this process's effective set lacks both");
        }
    }

    private static RunRefusal inUse(PidHolder holder) {
        return new RunRefusal("pid " + holder.pid() + " is in use by " + holder.describe()
                + ": stop it, or give another PID with --pid; nothing was started");
    }

    private static RunRefusal noCapability(long pid, String why) {
        return new RunRefusal("placing the command at pid " + pid + " needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN "
                + "over this pid namespace (" + why + "): " + CapabilityRemedy.checkpointRestore(Whereabouts.ofSelf())
                + "; or give it a pid namespace of its own (--new-pid-namespace, in a user namespace of its own: "
                + "unshare -Ur selfrestore run --new-pid-namespace ...); nothing was started");
    }

    private RunRefusal refusal(Failure f, Placement.Request request, String command) {
        long pid = request.pid();
        String errno = Errno.name(f.errno()) + " (" + Errno.describe(f.errno()) + ")";
        return switch (f.step()) {
            case CLONE3, NAMESPACE_CLONE3 -> switch (f.errno()) {
                case Errno.EEXIST -> {
                    PidHolder holder = PidHolder.of(proc, pid);
                    yield holder != null ? inUse(holder) : new RunRefusal("pid " + pid
                            + " was taken while the command was being placed (clone3: EEXIST), by a process that has "
                            + "ended since: try again; nothing was started");
                }
                case Errno.EPERM -> noCapability(pid, "clone3: EPERM");
                default -> new RunRefusal("clone3 of the command at pid " + pid + " failed: " + errno
                        + "; nothing was started");
            };
            case NS_LAST_PID -> f.errno() == Errno.EPERM || f.errno() == Errno.EACCES
                    ? noCapability(pid, "writing /proc/sys/kernel/ns_last_pid: " + Errno.name(f.errno()))
                    : new RunRefusal("this kernel cannot place a process at a chosen PID: clone3 has no set_tid "
                            + "(Linux 5.5+) and /proc/sys/kernel/ns_last_pid cannot be "
                            + (f.value() == 0 ? "opened" : f.value() == 1 ? "locked" : "written") + ": " + errno
                            + "; run on Linux 5.5 or later, or where /proc/sys is mounted read-write; "
                            + "nothing was started");
            case CLONE -> new RunRefusal("clone of the command failed: " + errno + "; nothing was started");
            case RACE -> new RunRefusal("other processes took pid " + pid + " first " + f.value()
                    + " times while ns_last_pid pointed at it (this kernel has no clone3 set_tid): try again when "
                    + "fewer processes start; nothing was started");
            case CHILD_PID -> new RunRefusal("the command's process got pid " + f.value() + ", not " + pid
                    + ", and ended before executing anything: try again; nothing was started");
            case EXEC -> new RunRefusal("cannot execute " + command + ": " + new String(request.path(),
                    StandardCharsets.UTF_8) + ": " + errno + "; nothing was started");
            case SETSID -> new RunRefusal("the command's process could not start a session of its own (setsid: "
                    + errno + "); nothing was started");
            case HELPER -> new RunRefusal("selfrestore's native helper ended (status " + f.value()
                    + ") without saying where the command is; nothing was started");
        };
    }

    /** The one child of the new namespace's init: the command, as this namespace numbers it. */
    private long onlyChild(long init) throws RunRefusal {
        Path children = proc.resolve(init + "/task/" + init + "/children");
        try {
            String s = Files.readString(children, StandardCharsets.US_ASCII).trim();
            return Long.parseLong(s.split(" ")[0]);
        } catch (IOException | NumberFormatException e) {
            throw new RunRefusal("cannot find the command under its init, pid " + init + ": " + children + ": " + e);
        }
    }

    private long pidMax() throws RunRefusal {
        Path file = proc.resolve("sys/kernel/pid_max");
        try {
            return Sysctl.readLong(file, 32768);
        } catch (IOException e) {
            throw new RunRefusal("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static long capabilities() throws RunRefusal {
        try {
            return ProcPid.self().effectiveCapabilities();
        } catch (IOException e) {
            throw new RunRefusal("cannot read /proc/self/status: " + e.getMessage());
        }
    }
}
