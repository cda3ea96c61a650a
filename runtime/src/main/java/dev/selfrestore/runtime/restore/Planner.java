package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.NulStrings;
import dev.selfrestore.runtime.edit.IdentityEditor;
import dev.selfrestore.runtime.proc.Mapping;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.validate.KernelLimits;
import dev.selfrestore.runtime.validate.Problem;
import dev.selfrestore.runtime.validate.ValidationException;
import dev.selfrestore.runtime.validate.Validator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides a restore without changing /proc: probes the kernel and this process, checks the
 * descriptor against the kernel's rules, decides about exe, and works out the fields to apply
 * (in {@code relocate} mode placing the command line and environment in a new area) and checks
 * them against /proc/self/maps. What it opens or maps is handed to the {@link Rollback}.
 */
final class Planner {
    private final Syscalls sys;

    Planner(Syscalls sys) {
        this.sys = sys;
    }

    RestorePlan plan(MmDescriptor d, RestoreOptions options, Rollback rollback)
            throws RestoreException, ValidationException, IOException {
        ProcPid self = ProcPid.self();
        KernelLimits limits;
        MmFields live;
        List<Mapping> maps;
        try {
            limits = KernelLimits.probe(sys);
            live = self.statFields(sys.currentBrk());
            maps = self.maps();
        } catch (IOException | NativeCallException e) {
            throw new RestoreException("cannot read this process's state: " + e.getMessage(), false, e);
        }
        // Without PR_SET_MM_MAP (no CONFIG_CHECKPOINT_RESTORE, or a sandbox) the fields are set one at a time.
        boolean oneByOne = limits.mmMapSize() == 0;
        if (!oneByOne && limits.mmMapSize() != Prctl.MM_MAP_STRUCT_SIZE) {
            throw new RestoreException("this kernel's struct prctl_mm_map is " + limits.mmMapSize()
                    + " bytes; selfrestore lays out " + Prctl.MM_MAP_STRUCT_SIZE + " and will not guess", false, null);
        }
        // One pass over the descriptor's own command line and environment (not copies) serves
        // validation, the C library's environ array and the summary's counts.
        NulStrings args = Validator.cmdlineStrings(d, limits);
        NulStrings vars = Validator.environStrings(d, limits);
        List<Problem> problems = Validator.descriptor(d, limits, args, vars);
        Problem edited = options.mode() == RestoreOptions.Mode.EXACT ? IdentityEditor.exactRefusal(d) : null;
        if (edited != null) {
            throw new ValidationException("mode=exact refused", List.of(edited));
        }
        if (!problems.isEmpty()) {
            throw new ValidationException("descriptor breaks " + problems.size() + " rule(s)", problems);
        }

        ExePlan exe = rollback.hold(options.changeExe()
                ? ExePlan.decide(sys, d.exe(), self, maps, oneByOne) : ExePlan.skip("not requested"));

        MmFields map;
        List<Mapping> current = maps;
        if (options.mode() == RestoreOptions.Mode.RELOCATE) {
            if (ArgEnvArea.alreadyHolds(sys, live, maps, args, vars)) {
                map = live; // restored before from the same bytes: no new area
            } else {
                ArgEnvArea area = rollback.hold(ArgEnvArea.create(sys, args, vars, limits.pageSize()));
                map = live.withArgsAndEnv(area.argStart, area.argEnd, area.envStart, area.envEnd);
                current = self.maps(); // read again: the new area must be there, as the kernel sees it
            }
            problems = Validator.map(map, current, limits);
        } else {
            map = d.fields();
            problems = new ArrayList<>(Validator.map(map, current, limits));
            problems.addAll(ExactLayout.check(sys, d, current, limits.pageSize()));
        }
        List<FieldByField.Step> steps = null;
        if (problems.isEmpty() && oneByOne) {
            steps = FieldByField.plan(live, map, limits);
            if (steps == null) {
                problems = List.of(new Problem("prctl_mm_map", map.toString(), "cannot be reached one field at a time "
                        + "(" + FieldByField.NO_MM_MAP + "): every order passes through a state the kernel refuses "
                        + "(RLIMIT_DATA " + limits.rlimitData() + ")"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ValidationException((options.mode() == RestoreOptions.Mode.EXACT
                    ? "mode=exact refused: this process's memory is not at the descriptor's layout, "
                    : "planned prctl_mm_map breaks ") + problems.size() + " rule(s)", problems);
        }
        return new RestorePlan(d, options, self, limits, live, args, vars, exe, map, steps);
    }
}
