package dev.selfrestore.runtime.restore;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.NulStrings;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.validate.KernelLimits;
import java.util.List;

/**
 * Everything decided before anything of /proc changes ({@link Planner}), for {@link Applier}.
 *
 * @param descriptor the identity to restore
 * @param options    how
 * @param self       this process
 * @param limits     this kernel's limits
 * @param live       this process's fields now
 * @param args       the descriptor's command line, taken once
 * @param vars       the descriptor's environment, taken once
 * @param exe        the decision about exe (and the open original, held by the {@link Rollback})
 * @param map        the fields to apply
 * @param steps      on a kernel without PR_SET_MM_MAP, the order of single-field calls that reaches
 *                   {@code map}; null when PR_SET_MM_MAP applies it in one call
 * @param noPrctl    why no PR_SET_MM call can change anything here (gVisor implements none), so that
 *                   only what needs no prctl is restored; null where the kernel has them
 */
record RestorePlan(MmDescriptor descriptor, RestoreOptions options, ProcPid self, KernelLimits limits, MmFields live,
                   NulStrings args, NulStrings vars, ExePlan exe, MmFields map, List<FieldByField.Step> steps,
                   String noPrctl) {

    /** Whether the fields are set one at a time (no PR_SET_MM_MAP: no CONFIG_CHECKPOINT_RESTORE, or a sandbox). */
    boolean oneByOne() {
        return steps != null;
    }
}
