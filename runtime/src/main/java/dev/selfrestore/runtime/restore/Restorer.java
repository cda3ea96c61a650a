package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.validate.ValidationException;
import dev.selfrestore.runtime.verify.Difference;
import java.io.IOException;
import java.util.List;

/**
 * Makes this process present a descriptor's identity.
 *
 * <p>In {@code relocate} mode (the default) the process's own memory layout is kept (code, data,
 * stack and brk fields stay live, because brk(2) and the kernel's stack accounting use them) and
 * the command line and environment are placed in a new anonymous mapping. In {@code exact} mode
 * every saved field is applied as it is, once {@link ExactLayout} has found the memory at the
 * saved layout. Either way the saved auxv words are installed verbatim, /proc/PID/exe is pointed
 * at the original executable, the C library's {@code environ} at the restored environment (unless
 * only /proc is asked for), and the thread-group leader's comm is set.
 *
 * <p>Order of work, so that a failure leaves the process consistent:
 * <ol>
 *   <li>probe the kernel; in relocate mode put the command line and environment in a new
 *       anonymous area (or find them in this process's own from an earlier restore), then validate
 *       the descriptor, scanning the strings where they now lie. The area is the one thing made
 *       before validation, so that a large command line or environment is copied and scanned once,
 *       in the memory the kernel will read; /proc has not changed, and a refused descriptor's area
 *       is unmapped by the {@link Rollback};
 *   <li>decide about exe (file identity, capability) without changing anything;
 *   <li>validate the full map against /proc/self/maps, as the kernel will see it;
 *   <li>swap the launcher's mappings for anonymous copies (same bytes, same addresses);
 *   <li>one PR_SET_MM_MAP call, which the kernel applies all or nothing; on a kernel without it,
 *       {@link FieldByField}: one call per field in a valid order, put back if one fails, then
 *       the auxv, then exe last (PR_SET_MM_EXE_FILE);
 *   <li>set comm, then re-read /proc/self and report any difference.
 * </ol>
 * A failure after step 4 gives up exe and goes on; a failure of step 5 leaves /proc as it was;
 * a failure after it is reported as a note (partly restored). docs/restore.md, "If restore fails
 * part-way", lists the state each step leaves.
 *
 * <p>{@link Planner} does steps 1 to 3, {@link Applier} 4 to 6 (comm included) and {@link SelfCheck}
 * the last re-read. What the plan opens or maps (the original executable, the new area) is held by
 * one {@link Rollback}, which gives it back when the restore ends unless the restore committed to it.
 */
public final class Restorer {
    private final Syscalls sys;

    public Restorer(Syscalls sys) {
        this.sys = sys;
    }

    public RestoreResult restore(MmDescriptor d, RestoreOptions options)
            throws RestoreException, ValidationException {
        long t0 = System.nanoTime();
        Rollback rollback = new Rollback(sys);
        Applier.Applied applied = null;
        try {
            RestorePlan plan = new Planner(sys).plan(d, options, rollback);
            applied = new Applier(sys).apply(plan, rollback);
            List<Difference> diffs = new SelfCheck(sys).differences(plan, applied);
            return new RestoreResult(applied.exe(), applied.exeNote(), plan.args().count(), plan.vars().count(), d.auxv().length / 2,
                    RawBytes.escape(d.comm()), applied.commNote(), applied.envNote(), applied.kernelNote(), diffs,
                    applied.exeBytesCopied(), System.nanoTime() - t0);
        } catch (NativeCallException | IOException e) {
            boolean changed = applied != null && applied.changed();
            throw new RestoreException((changed ? "identity applied, then " : "nothing applied: ") + e.getMessage()
                    + (!changed && rollback.launcherSwapped()
                    ? " (the launcher's mappings are now anonymous copies with the same bytes)" : ""), changed, e);
        } finally {
            rollback.close();
        }
    }
}
