package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.validate.KernelLimits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The fields of a prctl_mm_map applied one at a time, for kernels without {@code PR_SET_MM_MAP}
 * (built without {@code CONFIG_CHECKPOINT_RESTORE}). The single-field operations
 * ({@code PR_SET_MM_START_CODE} … {@code PR_SET_MM_ENV_END}, {@code PR_SET_MM_AUXV}) need
 * {@code CAP_SYS_RESOURCE} in the initial user namespace: kernel/sys.c, prctl_set_mm, asks
 * {@code capable()}, not {@code ns_capable()}, so a user namespace of the process's own does not
 * grant it.
 *
 * <p>For each call the kernel takes the current fields, replaces the one given and checks the
 * whole set as it checks a prctl_mm_map (validate_prctl_map_addr: every field within
 * [mmap_min_addr, TASK_SIZE), start_code &lt; end_code, start_data &lt;= end_data,
 * start_brk &lt;= brk, arg_start &lt;= arg_end, env_start &lt;= env_end, and RLIMIT_DATA). So the
 * order matters: moving [arg_start, arg_end) up past the current arg_end needs arg_end first,
 * moving it down below the current arg_start needs arg_start first, and a finite RLIMIT_DATA can
 * rule out an order that passes through a wide data or heap span. {@link #plan} finds an order in
 * which every intermediate state passes those checks, or says there is none, before anything is
 * changed. {@link #apply} makes the calls and, if one fails, puts the fields already changed back,
 * in reverse order (each step back is to a state the kernel already accepted), so the process
 * is left as it was: all or nothing, like PR_SET_MM_MAP.
 */
final class FieldByField {
    /** The single-field operation of each field, in struct prctl_mm_map order. */
    private static final int[] OPS = {
        Prctl.PR_SET_MM_START_CODE, Prctl.PR_SET_MM_END_CODE, Prctl.PR_SET_MM_START_DATA, Prctl.PR_SET_MM_END_DATA,
        Prctl.PR_SET_MM_START_BRK, Prctl.PR_SET_MM_BRK, Prctl.PR_SET_MM_START_STACK, Prctl.PR_SET_MM_ARG_START,
        Prctl.PR_SET_MM_ARG_END, Prctl.PR_SET_MM_ENV_START, Prctl.PR_SET_MM_ENV_END};

    /** Why the fields are set one at a time, for the messages that follow from it. */
    static final String NO_MM_MAP = "this kernel has no PR_SET_MM_MAP (prctl answers EINVAL: built without "
            + "CONFIG_CHECKPOINT_RESTORE, or a sandbox such as gVisor)";

    private FieldByField() {
    }

    /** One call: set field {@code field} (index in struct order) to {@code value}. */
    record Step(int field, long value) {
        int op() {
            return OPS[field];
        }

        String name() {
            return MmFields.NAMES.get(field);
        }

        @Override
        public String toString() {
            return name() + "=0x" + Long.toHexString(value);
        }
    }

    /** The process is left as it was: nothing applied. */
    static final class NotApplied extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient NativeCallException call;
        private final boolean firstCall;

        NotApplied(String message, NativeCallException call, boolean firstCall) {
            super(message, call);
            this.call = call;
            this.firstCall = firstCall;
        }

        /** The kernel refused the very first call with EPERM: no CAP_SYS_RESOURCE. */
        boolean notPermitted() {
            return firstCall && call.errno() == Errno.EPERM;
        }
    }

    /** A call failed and putting the fields back failed too: the message names each field's state. */
    static final class LeftPartly extends Exception {
        private static final long serialVersionUID = 1L;

        LeftPartly(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * An order of single-field calls that takes the kernel from {@code from} to {@code to} with
     * every intermediate state valid; fields already equal are left out. Null when there is none.
     */
    static List<Step> plan(MmFields from, MmFields to, KernelLimits limits) {
        long[] a = from.toArray();
        long[] b = to.toArray();
        List<Integer> changing = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                changing.add(i);
            }
        }
        List<Step> out = new ArrayList<>();
        // Depth-first over the set of fields changed so far (at most 2^11 states), in struct order:
        // the first order found is the one CRIU's restorer uses whenever that one is valid.
        return search(a, b, changing, 0, new HashSet<>(), out, limits) ? out : null;
    }

    private static boolean search(long[] a, long[] b, List<Integer> changing, int done, Set<Integer> dead,
            List<Step> out, KernelLimits limits) {
        if (done == (1 << changing.size()) - 1) {
            return true;
        }
        if (!dead.add(done)) {
            return false;
        }
        for (int k = 0; k < changing.size(); k++) {
            if ((done & (1 << k)) != 0) {
                continue;
            }
            int next = done | (1 << k);
            long[] state = a.clone();
            for (int j = 0; j < changing.size(); j++) {
                if ((next & (1 << j)) != 0) {
                    state[changing.get(j)] = b[changing.get(j)];
                }
            }
            if (brokenRule(state, limits) == null) {
                int field = changing.get(k);
                out.add(new Step(field, b[field]));
                if (search(a, b, changing, next, dead, out, limits)) {
                    return true;
                }
                out.remove(out.size() - 1);
            }
        }
        return false;
    }

    /** The rule of validate_prctl_map_addr a set of fields breaks, or null. */
    static String brokenRule(long[] v, KernelLimits k) {
        for (int i = 0; i < v.length; i++) {
            if (Long.compareUnsigned(v[i], k.mmapMinAddr()) < 0 || Long.compareUnsigned(v[i], k.taskSize()) >= 0) {
                return MmFields.NAMES.get(i) + " outside [mmap_min_addr, TASK_SIZE)";
            }
        }
        if (Long.compareUnsigned(v[0], v[1]) >= 0) {
            return "start_code >= end_code";
        }
        if (Long.compareUnsigned(v[2], v[3]) > 0) {
            return "start_data > end_data";
        }
        if (Long.compareUnsigned(v[4], v[5]) > 0) {
            return "start_brk > brk";
        }
        if (Long.compareUnsigned(v[7], v[8]) > 0) {
            return "arg_start > arg_end";
        }
        if (Long.compareUnsigned(v[9], v[10]) > 0) {
            return "env_start > env_end";
        }
        if (k.rlimitData() >= 0 && Long.compareUnsigned((v[5] - v[4]) + (v[3] - v[2]), k.rlimitData()) > 0) {
            return "(brk - start_brk) + (end_data - start_data) over RLIMIT_DATA";
        }
        return null;
    }

    /**
     * Makes the calls of {@code steps}, then installs {@code auxv} (unless null). If a call fails,
     * the fields already changed are put back to {@code from}'s values in reverse order and
     * {@link NotApplied} is thrown (a failed PR_SET_MM_AUXV changes nothing: the kernel checks and
     * copies before it writes). Only if putting back fails too is {@link LeftPartly} thrown.
     */
    static void apply(Syscalls sys, MmFields from, List<Step> steps, long[] auxv) throws NotApplied, LeftPartly {
        long[] before = from.toArray();
        int done = 0;
        try {
            for (Step s : steps) {
                sys.mm().setMmField(s.op(), s.value());
                done++;
            }
            if (auxv != null) {
                sys.mm().setMmAuxv(auxv);
            }
        } catch (NativeCallException e) {
            List<String> stuck = new ArrayList<>();
            NativeCallException undoFailure = null;
            for (int i = done - 1; i >= 0; i--) {
                Step s = steps.get(i);
                try {
                    sys.mm().setMmField(s.op(), before[s.field()]);
                } catch (NativeCallException u) {
                    undoFailure = u;
                    for (int j = 0; j <= i; j++) {
                        stuck.add(steps.get(j).toString());
                    }
                    break;
                }
            }
            String what = (done < steps.size() ? "setting " + steps.get(done).name() : "setting the auxv")
                    + " one field at a time failed: " + e.getMessage();
            if (undoFailure != null) {
                throw new LeftPartly(what + "; putting the fields back failed too (" + undoFailure.getMessage()
                        + "): the kernel now has " + String.join(", ", stuck) + " and the rest as before", e);
            }
            throw new NotApplied(what + (done > 0 ? "; the " + done + " field(s) set before were put back" : ""), e,
                    done == 0);
        }
    }
}
