package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.proc.CapabilityRemedy;
import dev.selfrestore.runtime.proc.Whereabouts;
import java.nio.charset.StandardCharsets;

/**
 * Carries out a {@link RestorePlan}: swaps the launcher's mappings so that exe may change, applies
 * the fields, the auxv and exe (one PR_SET_MM_MAP call, or one call per field and exe last),
 * commits the {@link Rollback}, then points the C library's {@code environ} at the restored
 * environment and sets comm. A failure of the kernel's calls leaves /proc as it was and is
 * thrown; exe refused alone is given up and the rest applied; anything after is a note. What
 * becomes of exe meanwhile is the applier's {@link ExeChange}, which the {@link Rollback} is given.
 */
final class Applier {
    private final Syscalls sys;

    Applier(Syscalls sys) {
        this.sys = sys;
    }

    /**
     * What was applied.
     *
     * @param changed        whether the kernel took the fields (false only with {@code kernelNote})
     * @param exeBytesCopied bytes of the launcher copied to anonymous memory so exe could change
     * @param exe            what happened to exe: the plan's decision, or {@code UNCHANGED} once given up
     * @param exeNote        why exe was not changed, or null (changed, already, or {@code kernelNote} says why)
     * @param kernelNote     why /proc's cmdline, environ and auxv (and exe) were not changed, or null
     * @param envNote        why the C library's environment was not changed, or null
     * @param commNote       why comm was not set, or null
     */
    record Applied(boolean changed, long exeBytesCopied, RestoreResult.ExeOutcome exe, String exeNote,
                   String kernelNote, String envNote, String commNote) {
    }

    Applied apply(RestorePlan plan, Rollback rollback) throws RestoreException {
        ExeChange exe = rollback.hold(new ExeChange(plan.exe()));
        long[] auxv = plan.descriptor().auxv().length == 0 ? null : plan.descriptor().auxv();
        long copied = 0;
        String kernelNote;
        if (!plan.oneByOne()) {
            copied = swapLauncher(exe);
            kernelNote = mmMap(plan, exe, auxv);
        } else if (plan.noPrctl() != null) {
            kernelNote = noProcChange(exe, plan.noPrctl());
        } else {
            kernelNote = fieldByField(plan, auxv, exe, rollback);
            if (kernelNote == null && exe.wanted()) {
                // exe last, as CRIU's restorer does: the fields are in place whatever happens to it.
                copied = swapLauncher(exe);
                setExeFile(plan, exe);
            }
        }
        rollback.commit();
        String envNote = null;
        if (plan.options().libcEnvironment()) {
            try {
                LibcEnvironment.install(sys, plan.map().envStart(), plan.vars(), plan.limits().pageSize());
            } catch (NativeCallException | UnsupportedOperationException e) {
                envNote = "the C library's environment not changed: " + e.getMessage();
            }
        }
        String commNote = plan.options().setComm() ? setComm(plan, plan.descriptor().comm()) : "not requested";
        return new Applied(kernelNote == null, copied, exe.outcome(), exe.note(), kernelNote, envNote, commNote);
    }

    /**
     * The fields one PR_SET_MM call at a time ({@link FieldByField}), then the auxv; returns why
     * nothing of /proc changed (no CAP_SYS_RESOURCE), or null when the kernel took them.
     */
    private String fieldByField(RestorePlan plan, long[] auxv, ExeChange exe, Rollback rollback)
            throws RestoreException {
        try {
            FieldByField.apply(sys, plan.live(), plan.steps(), auxv);
            return null;
        } catch (FieldByField.NotApplied e) {
            if (!e.notPermitted()) {
                throw new RestoreException("nothing applied: " + e.getMessage(), false, e);
            }
            // No CAP_SYS_RESOURCE: nothing of /proc can change; what needs no prctl still can.
            return noProcChange(exe, FieldByField.NO_MM_MAP + ", and the single-field PR_SET_MM operations "
                    + "need CAP_SYS_RESOURCE in the initial user namespace, which this process lacks ("
                    + e.getCause().getMessage() + ")");
        } catch (FieldByField.LeftPartly e) {
            rollback.commit();
            throw new RestoreException("left part-way: " + e.getMessage(), true, e);
        }
    }

    /** PR_SET_MM_EXE_FILE, unless the launcher's mappings could not be replaced; a refusal gives exe up. */
    private void setExeFile(RestorePlan plan, ExeChange exe) {
        if (!exe.wanted()) {
            return;
        }
        try {
            sys.mm().setMmField(Prctl.PR_SET_MM_EXE_FILE, exe.fd());
        } catch (NativeCallException e) {
            exe.giveUp(refused(plan, e));
        }
    }

    /** The note for exe that the kernel refused with {@code e}. */
    private String refused(RestorePlan plan, NativeCallException e) {
        return "exe not changed: "
                + ExeRefusals.kernelRefusal(sys, RawBytes.escape(plan.descriptor().exe().path()), e, plan.exe().file());
    }

    /**
     * The one PR_SET_MM_MAP call. The kernel refuses the whole call when it refuses exe_fd: then the
     * rest is applied without it. A kernel that refuses the call itself with EPERM (one that asks a
     * capability for PR_SET_MM_MAP, not only for exe_fd) changes nothing of /proc, and what needs
     * no prctl is restored; returns why, or null when the kernel took the fields.
     */
    private String mmMap(RestorePlan plan, ExeChange exe, long[] auxv) {
        long[] fields = plan.map().toArray();
        try {
            sys.mm().setMmMap(fields, auxv, exe.fd());
            return null;
        } catch (NativeCallException e) {
            boolean exeRefused = exe.wanted()
                    && (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES || e.errno() == Errno.EBUSY);
            if (!exeRefused && e.errno() != Errno.EPERM) {
                throw e;
            }
            NativeCallException without = exeRefused ? withoutExe(fields, auxv) : e;
            if (without == null) {
                exe.giveUp(refused(plan, e));
                return null;
            }
            if (without.errno() != Errno.EPERM) {
                throw without;
            }
            return noProcChange(exe, "the kernel refuses PR_SET_MM_MAP itself with EPERM, even without exe_fd: it "
                    + "asks CAP_CHECKPOINT_RESTORE (or CAP_SYS_ADMIN) for the whole call; "
                    + CapabilityRemedy.checkpointRestore(Whereabouts.ofSelf()) + " (" + without.getMessage() + ")");
        }
    }

    /** PR_SET_MM_MAP without exe_fd; null when the kernel took it, else its refusal. */
    private NativeCallException withoutExe(long[] fields, long[] auxv) {
        try {
            sys.mm().setMmMap(fields, auxv, -1);
            return null;
        } catch (NativeCallException e) {
            return e;
        }
    }

    /** Nothing of /proc changes, for the reason {@code why}; exe is given up, and the note says so. */
    private String noProcChange(ExeChange exe, String why) {
        boolean exeWanted = exe.wanted();
        if (exeWanted) {
            exe.giveUp(null); // the note says why
        }
        return (exeWanted ? "exe, " : "") + "cmdline, environ in /proc and auxv not changed: " + why;
    }

    /**
     * Replaces the launcher's mappings so the kernel lets exe change; if that fails part-way, exe is
     * given up (the mappings already replaced hold the same bytes) and the rest of the restore goes on.
     */
    private long swapLauncher(ExeChange exe) {
        if (!exe.wanted()) {
            return 0;
        }
        String refusal = ExeSwap.refusal(exe.plan().currentMappings());
        if (refusal != null) {
            exe.giveUp("exe not changed: " + refusal);
            return 0;
        }
        try {
            long copied = ExeSwap.replace(sys, exe.plan().currentMappings());
            exe.launcherSwapped();
            return copied;
        } catch (ExeSwap.Incomplete e) {
            exe.giveUp("exe not changed: " + e.getMessage());
            return 0;
        }
    }

    /** Writes the thread-group leader's name; returns null on success or why not. */
    private String setComm(RestorePlan plan, byte[] comm) {
        // premain does not run on the leader thread (the launcher's main thread waits in pthread_join),
        // so PR_SET_NAME would rename the wrong thread; the leader's task entry renames the right one.
        String leader = "/proc/self/task/" + plan.self().pid() + "/comm";
        try {
            sys.files().writeFile(leader.getBytes(StandardCharsets.ISO_8859_1), comm);
            return null;
        } catch (NativeCallException e) {
            return "comm not set: " + e.getMessage();
        }
    }
}
