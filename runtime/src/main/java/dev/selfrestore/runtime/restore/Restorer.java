package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.NulStrings;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.edit.IdentityEditor;
import dev.selfrestore.runtime.proc.Mapping;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.validate.KernelLimits;
import dev.selfrestore.runtime.validate.Problem;
import dev.selfrestore.runtime.validate.ValidationException;
import dev.selfrestore.runtime.validate.Validator;
import dev.selfrestore.runtime.verify.Difference;
import dev.selfrestore.runtime.verify.Verifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
 *   <li>probe the kernel and validate the descriptor: nothing has changed yet;
 *   <li>decide about exe (file identity, capability) without changing anything;
 *   <li>build the argument area and validate the full map against /proc/self/maps;
 *   <li>swap the launcher's mappings for anonymous copies (same bytes, same addresses);
 *   <li>one PR_SET_MM_MAP call, which the kernel applies all or nothing; on a kernel without it,
 *       {@link FieldByField}: one call per field in a valid order, put back if one fails, then
 *       the auxv, then exe last (PR_SET_MM_EXE_FILE);
 *   <li>set comm, then re-read /proc/self and report any difference.
 * </ol>
 * A failure after step 4 gives up exe and goes on; a failure of step 5 leaves /proc as it was;
 * a failure after it is reported as a note (partly restored). README, "If restore fails
 * part-way", lists the state each step leaves.
 */
public final class Restorer {
    private final Syscalls sys;

    public Restorer(Syscalls sys) {
        this.sys = sys;
    }

    public RestoreResult restore(MmDescriptor d, RestoreOptions options)
            throws RestoreException, ValidationException {
        long t0 = System.nanoTime();
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
        // The descriptor's command line and environment are taken once (each accessor copies), and one
        // pass over each serves validation, the C library's environ array and the summary's counts.
        NulStrings args = Validator.strings(d.cmdline(), limits);
        NulStrings vars = Validator.strings(d.environ(), limits);
        List<Problem> problems = Validator.descriptor(d, limits, args, vars);
        Problem edited = options.mode() == RestoreOptions.Mode.EXACT ? IdentityEditor.exactRefusal(d) : null;
        if (edited != null) {
            throw new ValidationException("mode=exact refused", List.of(edited));
        }
        if (!problems.isEmpty()) {
            throw new ValidationException("descriptor breaks " + problems.size() + " rule(s)", problems);
        }

        ExePlan exe = options.changeExe() ? ExePlan.decide(sys, d.exe(), self, maps, oneByOne) : ExePlan.skip("not requested");
        ArgEnvArea area = null;
        boolean changed = false;
        boolean areaInUse = false;
        try {
            MmFields map;
            List<Mapping> current = maps;
            if (options.mode() == RestoreOptions.Mode.RELOCATE) {
                if (ArgEnvArea.alreadyHolds(sys, live, maps, args.bytes(), vars.bytes())) {
                    map = live; // restored before from the same bytes: no new area
                } else {
                    area = ArgEnvArea.create(sys, args.bytes(), vars.bytes(), limits.pageSize());
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
                            + "(" + FieldByField.NO_MM_MAP + "): every order passes through a state the kernel refuses (RLIMIT_DATA "
                            + limits.rlimitData() + ")"));
                }
            }
            if (!problems.isEmpty()) {
                throw new ValidationException((options.mode() == RestoreOptions.Mode.EXACT
                        ? "mode=exact refused: this process's memory is not at the descriptor's layout, "
                        : "planned prctl_mm_map breaks ") + problems.size() + " rule(s)", problems);
            }
            long[] auxv = d.auxv().length == 0 ? null : d.auxv();
            long copied = 0;
            String kernelNote = null;
            if (!oneByOne) {
                copied = swapLauncher(exe);
                try {
                    sys.setMmMap(map.toArray(), auxv, exe.fd);
                } catch (NativeCallException e) {
                    if (exe.fd >= 0 && (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES || e.errno() == Errno.EBUSY)) {
                        // The kernel refuses the whole call when exe_fd is refused: apply the rest without it.
                        exe.giveUp(sys, "exe not changed: "
                                + ExeRefusals.kernelRefusal(sys, RawBytes.escape(d.exe().path()), e, exe.file));
                        sys.setMmMap(map.toArray(), auxv, -1);
                    } else {
                        throw e;
                    }
                }
                changed = true;
            } else {
                try {
                    FieldByField.apply(sys, live, steps, auxv);
                    changed = true;
                } catch (FieldByField.NotApplied e) {
                    if (!e.notPermitted()) {
                        throw new RestoreException("nothing applied: " + e.getMessage(), false, e);
                    }
                    // No CAP_SYS_RESOURCE: nothing of /proc can change; what needs no prctl still can.
                    boolean exeWanted = exe.fd >= 0;
                    if (exeWanted) {
                        exe.giveUp(sys, null); // the note below says why
                    }
                    kernelNote = (exeWanted ? "exe, " : "") + "cmdline, environ in /proc and auxv not changed: " + FieldByField.NO_MM_MAP
                            + ", and the single-field PR_SET_MM operations need CAP_SYS_RESOURCE in the initial user "
                            + "namespace, which this process lacks (" + e.getCause().getMessage() + ")";
                } catch (FieldByField.LeftPartly e) {
                    changed = true;
                    areaInUse = true;
                    throw new RestoreException("left part-way: " + e.getMessage(), true, e);
                }
                if (changed && exe.fd >= 0) {
                    // exe last, as CRIU's restorer does: the fields are in place whatever happens to it.
                    copied = swapLauncher(exe);
                    if (exe.fd >= 0) {
                        try {
                            sys.setMmField(Prctl.PR_SET_MM_EXE_FILE, exe.fd);
                        } catch (NativeCallException e) {
                            exe.giveUp(sys, "exe not changed: "
                                    + ExeRefusals.kernelRefusal(sys, RawBytes.escape(d.exe().path()), e, exe.file));
                        }
                    }
                }
            }
            areaInUse = true;
            exe.close(sys);
            String envNote = null;
            if (options.libcEnvironment()) {
                try {
                    LibcEnvironment.install(sys, map.envStart(), vars, limits.pageSize());
                } catch (NativeCallException | UnsupportedOperationException e) {
                    envNote = "the C library's environment not changed: " + e.getMessage();
                }
            }
            String commNote = options.setComm() ? setComm(self, d.comm()) : "not requested";
            Set<String> items = new HashSet<>(Verifier.ITEMS);
            if (exe.outcome != RestoreResult.ExeOutcome.CHANGED) {
                items.remove("exe");
            }
            if (commNote != null) {
                items.remove("comm");
            }
            if (kernelNote != null) {
                items.removeAll(List.of("cmdline", "environ", "auxv"));
            }
            List<Difference> diffs = new Verifier(sys).compare(self, d, items, args.bytes(), vars.bytes());
            return new RestoreResult(exe.outcome, exe.note, args.count(), vars.count(), d.auxv().length / 2, RawBytes.escape(d.comm()), commNote,
                    envNote, kernelNote, diffs, copied, System.nanoTime() - t0);
        } catch (NativeCallException | IOException e) {
            exe.close(sys);
            if (!areaInUse && area != null) {
                area.release(sys);
            }
            throw new RestoreException((changed ? "identity applied, then " : "nothing applied: ") + e.getMessage()
                    + (!changed && exe.swapped ? " (the launcher's mappings are now anonymous copies with the same bytes)"
                    : ""), changed, e);
        } catch (RestoreException e) {
            exe.close(sys);
            if (!areaInUse && area != null) {
                area.release(sys);
            }
            throw e;
        } catch (ValidationException e) {
            exe.close(sys);
            if (area != null) {
                area.release(sys);
            }
            throw e;
        }
    }

    /**
     * Replaces the launcher's mappings so the kernel lets exe change; if that fails part-way, exe is
     * given up (the mappings already replaced hold the same bytes) and the rest of the restore goes on.
     */
    private long swapLauncher(ExePlan exe) {
        if (exe.fd < 0) {
            return 0;
        }
        String refusal = ExeSwap.refusal(exe.currentMappings);
        if (refusal != null) {
            exe.giveUp(sys, "exe not changed: " + refusal);
            return 0;
        }
        try {
            long copied = ExeSwap.replace(sys, exe.currentMappings);
            exe.swapped = true;
            return copied;
        } catch (ExeSwap.Incomplete e) {
            exe.giveUp(sys, "exe not changed: " + e.getMessage());
            return 0;
        }
    }

    /** Writes the thread-group leader's name; returns null on success or why not. */
    private String setComm(ProcPid self, byte[] comm) {
        // premain does not run on the leader thread (the launcher's main thread waits in pthread_join),
        // so PR_SET_NAME would rename the wrong thread; the leader's task entry renames the right one.
        String leader = "/proc/self/task/" + self.pid() + "/comm";
        try {
            sys.writeFile(leader.getBytes(StandardCharsets.ISO_8859_1), comm);
            return null;
        } catch (NativeCallException e) {
            return "comm not set: " + e.getMessage();
        }
    }
}
