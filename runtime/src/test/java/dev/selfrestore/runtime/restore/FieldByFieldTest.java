package dev.selfrestore.runtime.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.validate.KernelLimits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The single-field fallback against a model of the kernel's prctl_set_mm (kernel/sys.c): each
 * call replaces one field of the current set and the kernel refuses, with EINVAL, any set that
 * breaks validate_prctl_map_addr, and with EFAULT a stack, argument or environment address above
 * every mapping. The model refuses every invalid intermediate state, so an order that passes
 * through one fails the test.
 */
class FieldByFieldTest {
    private static final long UNLIMITED = -1;

    private static KernelLimits limits(long rlimitData) {
        return new KernelLimits(0, 448, true, 0x1000, (1L << 47) - 4096, rlimitData, 4096, "x86_64", "test");
    }

    /** A kernel that holds the eleven fields and the saved auxv, and checks each single-field call. */
    private static final class KernelModel {
        final long[] fields;
        final KernelLimits limits;
        final long lastMappingEnd;
        final List<long[]> states = new ArrayList<>();
        final Map<Integer, Integer> failCall; // n-th setMmField -> errno
        long[] auxv = {6, 4096, 0, 0};
        int calls;

        KernelModel(MmFields start, KernelLimits limits, Map<Integer, Integer> failCall) {
            this.fields = start.toArray();
            this.limits = limits;
            this.lastMappingEnd = 0x7ffffffde000L;
            this.failCall = failCall;
            assertNull(invalid(fields), "the starting state must be valid");
        }

        Syscalls syscalls() {
            return ProxyKernel.of((proxy, method, args) -> {
                        switch (method.getName()) {
                            case "setMmField":
                                setField((Integer) args[0], (Long) args[1]);
                                return null;
                            case "setMmAuxv":
                                auxv = ((long[]) args[0]).clone();
                                return null;
                            default:
                                throw new AssertionError("the fallback called " + method.getName());
                        }
                    });
        }

        private void setField(int op, long value) {
            calls++;
            Integer errno = failCall.get(calls);
            if (errno != null) {
                throw new NativeCallException("prctl(PR_SET_MM, " + op + ") [model]", errno);
            }
            int index = indexOf(op);
            if (Long.compareUnsigned(value, limits.taskSize()) >= 0 || Long.compareUnsigned(value, limits.mmapMinAddr()) < 0) {
                throw new NativeCallException("prctl(PR_SET_MM, " + op + ") out of range [model]", Errno.EINVAL);
            }
            long[] next = fields.clone();
            next[index] = value;
            String broken = invalid(next);
            if (broken != null) {
                throw new AssertionError("an invalid intermediate state (" + broken + ") after op " + op + "=0x"
                        + Long.toHexString(value) + ": " + MmFields.ofArray(next));
            }
            boolean needsVma = op == Prctl.PR_SET_MM_START_STACK || (op >= Prctl.PR_SET_MM_ARG_START && op <= Prctl.PR_SET_MM_ENV_END);
            if (needsVma && Long.compareUnsigned(value, lastMappingEnd) >= 0) {
                throw new NativeCallException("prctl(PR_SET_MM, " + op + ") no vma [model]", Errno.EFAULT);
            }
            System.arraycopy(next, 0, fields, 0, fields.length);
            states.add(next);
        }

        private static int indexOf(int op) {
            int[] ops = {Prctl.PR_SET_MM_START_CODE, Prctl.PR_SET_MM_END_CODE, Prctl.PR_SET_MM_START_DATA,
                Prctl.PR_SET_MM_END_DATA, Prctl.PR_SET_MM_START_BRK, Prctl.PR_SET_MM_BRK, Prctl.PR_SET_MM_START_STACK,
                Prctl.PR_SET_MM_ARG_START, Prctl.PR_SET_MM_ARG_END, Prctl.PR_SET_MM_ENV_START, Prctl.PR_SET_MM_ENV_END};
            for (int i = 0; i < ops.length; i++) {
                if (ops[i] == op) {
                    return i;
                }
            }
            throw new AssertionError("not a single-field op: " + op);
        }

        /** The kernel's checks, written out here independently of the code under test. */
        private String invalid(long[] f) {
            for (long v : f) {
                if (Long.compareUnsigned(v, limits.mmapMinAddr()) < 0 || Long.compareUnsigned(v, limits.taskSize()) >= 0) {
                    return "range";
                }
            }
            if (!(Long.compareUnsigned(f[0], f[1]) < 0)) {
                return "start_code < end_code";
            }
            if (!(Long.compareUnsigned(f[2], f[3]) <= 0)) {
                return "start_data <= end_data";
            }
            if (!(Long.compareUnsigned(f[4], f[5]) <= 0)) {
                return "start_brk <= brk";
            }
            if (!(Long.compareUnsigned(f[7], f[8]) <= 0)) {
                return "arg_start <= arg_end";
            }
            if (!(Long.compareUnsigned(f[9], f[10]) <= 0)) {
                return "env_start <= env_end";
            }
            if (limits.rlimitData() >= 0 && (f[5] - f[4]) + (f[3] - f[2]) > limits.rlimitData()) {
                return "RLIMIT_DATA";
            }
            return null;
        }
    }

    /** A JVM-like layout: launcher code low, heap after it, arguments on the stack at the top. */
    private static final MmFields LIVE = new MmFields(0x55550000_0000L, 0x55550000_1000L, 0x55550000_3000L,
            0x55550000_3100L, 0x55550100_0000L, 0x55550102_1000L, 0x7ffd0000_f000L,
            0x7ffd0000_f100L, 0x7ffd0000_f400L, 0x7ffd0000_f400L, 0x7ffd0000_ff00L);

    private static KernelModel restore(MmFields from, MmFields to, KernelLimits limits) throws Exception {
        List<FieldByField.Step> plan = FieldByField.plan(from, to, limits);
        assertNotNull(plan, "no order found from " + from + " to " + to);
        KernelModel kernel = new KernelModel(from, limits, Map.of());
        long[] auxv = {33, 0x7ffd1000, 6, 4096, 0, 0};
        FieldByField.apply(kernel.syscalls(), from, plan, auxv);
        assertArrayEquals(to.toArray(), kernel.fields, "the kernel's fields at the end");
        assertArrayEquals(auxv, kernel.auxv, "the kernel's saved auxv at the end");
        return kernel;
    }

    @Test
    void argumentsMovedDownIntoANewMappingStartFirst() throws Exception {
        // relocate mode: a new anonymous mapping below the stack.
        MmFields to = LIVE.withArgsAndEnv(0x7f000000_0000L, 0x7f000000_0040L, 0x7f000000_0040L, 0x7f000000_0400L);
        KernelModel kernel = restore(LIVE, to, limits(UNLIMITED));
        assertEquals(4, kernel.states.size(), "four calls, one per changed field");
    }

    @Test
    void argumentsMovedUpPastTheirOwnEndSetTheEndFirst() throws Exception {
        MmFields from = LIVE.withArgsAndEnv(0x7f000000_0000L, 0x7f000000_0040L, 0x7f000000_0040L, 0x7f000000_0400L);
        MmFields to = LIVE.withArgsAndEnv(0x7f100000_0000L, 0x7f100000_0080L, 0x7f100000_0080L, 0x7f100000_0900L);
        List<FieldByField.Step> plan = FieldByField.plan(from, to, limits(UNLIMITED));
        assertEquals(List.of("arg_end", "arg_start", "env_end", "env_start"),
                plan.stream().map(FieldByField.Step::name).toList());
        restore(from, to, limits(UNLIMITED));
    }

    @Test
    void overlappingAreasAndAnEnvironmentThatCrossesTheArguments() throws Exception {
        MmFields from = LIVE.withArgsAndEnv(0x10000, 0x13000, 0x13000, 0x18000);
        restore(from, from.withArgsAndEnv(0x12000, 0x15000, 0x15000, 0x16000), limits(UNLIMITED)); // up, overlapping
        restore(from, from.withArgsAndEnv(0x11000, 0x12000, 0x12000, 0x17000), limits(UNLIMITED)); // shrink inside
        restore(from, from.withArgsAndEnv(0x19000, 0x1a000, 0x8000, 0x9000), limits(UNLIMITED)); // swap places
        restore(from, from.withArgsAndEnv(0x13000, 0x13000, 0x13000, 0x13000), limits(UNLIMITED)); // empty areas
    }

    @Test
    void exactModeMovesEveryFieldOfAnotherLayout() throws Exception {
        MmFields original = new MmFields(0x400000, 0x401000, 0x402000, 0x403000, 0x404000, 0x425000, 0x7ffe0000_0000L,
                0x7ffe0000_0100L, 0x7ffe0000_0200L, 0x7ffe0000_0200L, 0x7ffe0000_0f00L);
        KernelModel up = restore(original, LIVE, limits(UNLIMITED));
        assertEquals(11, up.states.size());
        restore(LIVE, original, limits(UNLIMITED));
    }

    @Test
    void aFiniteRlimitDataForcesTheShrinkingSpanFirst() throws Exception {
        // Data grows by 0x1000 while the heap shrinks by 0x1000: in struct order the data span
        // would grow first and the sum pass RLIMIT_DATA for one step.
        MmFields from = new MmFields(0x400000, 0x401000, 0x500000, 0x501000, 0x600000, 0x603000, 0x7ffe0000_0000L,
                0x7ffe0000_0100L, 0x7ffe0000_0200L, 0x7ffe0000_0200L, 0x7ffe0000_0f00L);
        MmFields to = new MmFields(0x400000, 0x401000, 0x500000, 0x502000, 0x600000, 0x602000, 0x7ffe0000_0000L,
                0x7ffe0000_0100L, 0x7ffe0000_0200L, 0x7ffe0000_0200L, 0x7ffe0000_0f00L);
        List<FieldByField.Step> plan = FieldByField.plan(from, to, limits(0x4000));
        assertEquals(List.of("brk", "end_data"), plan.stream().map(FieldByField.Step::name).toList());
        restore(from, to, limits(0x4000));
    }

    @Test
    void noValidOrderIsSaidBeforeAnythingChanges() {
        // The data area moves up past its own end: every order passes through start_data..new end_data,
        // a span RLIMIT_DATA does not allow.
        MmFields from = new MmFields(0x400000, 0x401000, 0x500000, 0x502000, 0x600000, 0x600000, 0x7ffe0000_0000L,
                0x7ffe0000_0100L, 0x7ffe0000_0200L, 0x7ffe0000_0200L, 0x7ffe0000_0f00L);
        MmFields to = new MmFields(0x400000, 0x401000, 0x510000, 0x512000, 0x600000, 0x600000, 0x7ffe0000_0000L,
                0x7ffe0000_0100L, 0x7ffe0000_0200L, 0x7ffe0000_0200L, 0x7ffe0000_0f00L);
        assertNull(FieldByField.plan(from, to, limits(0x4000)));
        assertNotNull(FieldByField.plan(from, to, limits(UNLIMITED)));
        assertEquals(List.of(), FieldByField.plan(LIVE, LIVE, limits(UNLIMITED)), "nothing to change");
    }

    @Test
    void aFailedCallPutsBackEveryFieldAlreadySet() {
        MmFields to = LIVE.withArgsAndEnv(0x7f000000_0000L, 0x7f000000_0040L, 0x7f000000_0040L, 0x7f000000_0400L);
        List<FieldByField.Step> plan = FieldByField.plan(LIVE, to, limits(UNLIMITED));
        KernelModel kernel = new KernelModel(LIVE, limits(UNLIMITED), Map.of(3, Errno.ENOMEM));
        long[] auxvBefore = kernel.auxv.clone();
        FieldByField.NotApplied e = assertThrows(FieldByField.NotApplied.class,
                () -> FieldByField.apply(kernel.syscalls(), LIVE, plan, new long[] {33, 1, 0, 0}));
        assertArrayEquals(LIVE.toArray(), kernel.fields, "every field back as it was");
        assertArrayEquals(auxvBefore, kernel.auxv, "auxv untouched");
        assertFalse(e.notPermitted());
        assertTrue(e.getMessage().contains("ENOMEM") && e.getMessage().contains("2 field(s) set before were put back"),
                e.getMessage());
    }

    @Test
    void eintrOnTheFirstCallIsNotTakenForAMissingCapabilityButEpermIs() {
        MmFields to = LIVE.withArgsAndEnv(0x7f000000_0000L, 0x7f000000_0040L, 0x7f000000_0040L, 0x7f000000_0400L);
        List<FieldByField.Step> plan = FieldByField.plan(LIVE, to, limits(UNLIMITED));
        KernelModel refusing = new KernelModel(LIVE, limits(UNLIMITED), Map.of(1, Errno.EPERM));
        assertTrue(assertThrows(FieldByField.NotApplied.class,
                () -> FieldByField.apply(refusing.syscalls(), LIVE, plan, null)).notPermitted());
        KernelModel failing = new KernelModel(LIVE, limits(UNLIMITED), Map.of(1, Errno.EINTR));
        assertFalse(assertThrows(FieldByField.NotApplied.class,
                () -> FieldByField.apply(failing.syscalls(), LIVE, plan, null)).notPermitted());
    }

    @Test
    void whenPuttingBackFailsTooTheFieldsLeftChangedAreNamed() {
        MmFields to = LIVE.withArgsAndEnv(0x7f000000_0000L, 0x7f000000_0040L, 0x7f000000_0040L, 0x7f000000_0400L);
        List<FieldByField.Step> plan = FieldByField.plan(LIVE, to, limits(UNLIMITED));
        // calls 1 and 2 set two fields, call 3 fails, call 4 (putting the second back) fails.
        KernelModel kernel = new KernelModel(LIVE, limits(UNLIMITED), Map.of(3, Errno.ENOMEM, 4, 5 /* EIO */));
        FieldByField.LeftPartly e = assertThrows(FieldByField.LeftPartly.class,
                () -> FieldByField.apply(kernel.syscalls(), LIVE, plan, null));
        String first = plan.get(0).toString();
        String second = plan.get(1).toString();
        assertTrue(e.getMessage().contains("the kernel now has " + first + ", " + second + " and the rest as before"),
                e.getMessage());
        long[] expected = LIVE.toArray();
        expected[plan.get(0).field()] = plan.get(0).value();
        expected[plan.get(1).field()] = plan.get(1).value();
        assertEquals(Arrays.toString(expected), Arrays.toString(kernel.fields));
    }
}
