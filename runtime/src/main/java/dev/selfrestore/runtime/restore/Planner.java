package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmDescriptor.Slice;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.NulStrings;
import dev.selfrestore.runtime.edit.IdentityEditor;
import dev.selfrestore.runtime.proc.Mapping;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.proc.Whereabouts;
import dev.selfrestore.runtime.proc.KernelLimits;
import dev.selfrestore.runtime.validate.Problem;
import dev.selfrestore.runtime.validate.ValidationException;
import dev.selfrestore.runtime.validate.Validator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
            live = self.statFields(sys.mm().currentBrk());
            maps = self.maps();
        } catch (IOException | NativeCallException e) {
            throw new RestoreException("cannot read this process's state: " + e.getMessage(), false, e);
        }
        // Without PR_SET_MM_MAP (no CONFIG_CHECKPOINT_RESTORE, or a sandbox) the fields are set one at a time.
        boolean oneByOne = limits.mmMapSize() == 0;
        String noPrctl = oneByOne ? noPrctlHere() : null;
        if (!oneByOne && limits.mmMapSize() != Prctl.MM_MAP_STRUCT_SIZE) {
            throw new RestoreException("this kernel's struct prctl_mm_map is " + limits.mmMapSize()
                    + " bytes; selfrestore lays out " + Prctl.MM_MAP_STRUCT_SIZE + " and will not guess", false, null);
        }
        Problem edited = options.mode() == RestoreOptions.Mode.EXACT ? IdentityEditor.exactRefusal(d) : null;
        if (edited != null) {
            throw new ValidationException("mode=exact refused", List.of(edited));
        }
        // In relocate mode the command line and environment are put in their area first (or found
        // there from an earlier restore), so that a large one is scanned there, by the C library
        // (inMemory). A descriptor refused below leaves the area to the Rollback, which unmaps it.
        Slice cmdline = d.cmdlineArea();
        Slice environ = d.environArea();
        boolean relocate = options.mode() == RestoreOptions.Mode.RELOCATE;
        MmFields map = null;
        if (relocate && (long) cmdline.length() + environ.length() <= Validator.argsAndEnvLimit(limits.rlimitStack())) {
            map = place(live, maps, cmdline, environ, limits, rollback); // never more than execve could have had
        }
        // One pass over the command line and environment (the descriptor's own bytes or the area's,
        // not copies) serves validation, the C library's environ array and the summary's counts.
        NulStrings args = map != null ? inMemory(cmdline, map.argStart(), limits) : Validator.cmdlineStrings(d, limits);
        NulStrings vars = map != null ? inMemory(environ, map.envStart(), limits) : Validator.environStrings(d, limits);
        List<Problem> problems = new ArrayList<>(Validator.descriptor(d, limits, args, vars));
        if (noPrctl != null) {
            // Only the strings and comm are restored: the kernel's rules on fields it cannot take do not apply.
            problems.removeIf(p -> !NO_PRCTL_RULES.contains(p.field()));
        }
        if (!problems.isEmpty()) {
            throw new ValidationException("descriptor breaks " + problems.size() + " rule(s)", problems);
        }

        ExePlan exe = rollback.hold(options.changeExe()
                ? ExePlan.decide(sys, d.exe(), self, maps, oneByOne) : ExePlan.skip("not requested"));

        if (relocate) {
            if (map == null) {
                map = place(live, maps, cmdline, environ, limits, rollback);
            }
            // Read again after a new area: it must be there, as the kernel sees it.
            problems = Validator.map(map, map == live ? maps : self.maps(), limits);
        } else {
            map = d.fields();
            problems = new ArrayList<>(Validator.map(map, maps, limits));
            problems.addAll(ExactLayout.check(sys, d, maps, limits.pageSize()));
        }
        List<FieldByField.Step> steps = null;
        if (noPrctl != null) {
            problems = List.of(); // nothing of the map reaches the kernel
            steps = List.of();
        } else if (problems.isEmpty() && oneByOne) {
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
        return new RestorePlan(d, options, self, limits, live, args, vars, exe, map, steps, noPrctl);
    }

    /** The descriptor's rules that still matter where no PR_SET_MM call works: those of what is restored. */
    private static final Set<String> NO_PRCTL_RULES = Set.of("cmdline", "environ", "cmdline+environ", "comm");

    /**
     * Without PR_SET_MM_MAP, why no single-field PR_SET_MM call can work either, or null: gVisor's
     * kernel implements neither (asked only on a kernel without PR_SET_MM_MAP).
     */
    private static String noPrctlHere() {
        Whereabouts w = Whereabouts.ofSelf();
        if (w.kind() != Whereabouts.Kind.GVISOR) {
            return null;
        }
        return "this JVM runs under " + w.kind().text() + ", whose kernel implements no PR_SET_MM_MAP and no "
                + "single-field PR_SET_MM operations (" + w.evidence().get(0) + "): run it with a runtime that "
                + "uses the host's kernel (runc, crun) for these";
    }

    /**
     * The fields with the command line and environment in an area that holds them: this process's
     * own when it already does (restored before from the same bytes), else a new one.
     */
    private MmFields place(MmFields live, List<Mapping> maps, Slice cmdline, Slice environ, KernelLimits limits,
                           Rollback rollback) {
        if (ArgEnvArea.alreadyHolds(sys, live, maps, cmdline, environ)) {
            return live;
        }
        ArgEnvArea area = rollback.hold(ArgEnvArea.create(sys, cmdline, environ, limits.pageSize()));
        return live.withArgsAndEnv(area.argStart, area.argEnd, area.envStart, area.envEnd);
    }

    /** Areas from this size are scanned by the C library rather than in Java (see {@link #inMemory}). */
    static final int SCANNED_NATIVELY_FROM = 64 << 10;

    /**
     * The strings of {@code bytes}, which also lie in this process's memory at {@code addr} (the
     * area the restore filled, or found holding them). From {@link #SCANNED_NATIVELY_FROM} bytes,
     * found there by the C library ({@link Syscalls#nulStringOffsets}): a Java scan of a megabyte in
     * a cold JVM runs interpreted and then compiled twice, and the second compile alone costs a
     * compiler thread more than the whole native scan takes (bench/README.md, "Environment size").
     * A smaller area, or one whose last byte is
     * not NUL (which validation refuses, with the scan's findings), is scanned in Java.
     */
    private NulStrings inMemory(Slice bytes, long addr, KernelLimits limits) {
        if (bytes.length() >= SCANNED_NATIVELY_FROM && bytes.array()[bytes.from() + bytes.length() - 1] == 0) {
            int[] starts = sys.memory().nulStringOffsets(addr, bytes.length(), Validator.MAX_STRINGS);
            if (starts != null) {
                return NulStrings.ofStarts(bytes.array(), bytes.from(), bytes.length(), starts, Validator.maxString(limits));
            }
        }
        return NulStrings.of(bytes.array(), bytes.from(), bytes.length(), Validator.MAX_STRINGS,
                Validator.maxString(limits));
    }
}
