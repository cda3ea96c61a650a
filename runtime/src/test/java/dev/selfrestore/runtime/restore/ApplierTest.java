package dev.selfrestore.runtime.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.NulStrings;
import dev.selfrestore.runtime.TestDescriptors;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.validate.KernelLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The applier against a stand-in kernel: which PR_SET_MM calls it makes for a plan, and what it
 * does with each of the kernel's answers. exe is not asked for here (the plans skip it), so the
 * launcher's mappings are never touched; ExeRefusedByKernelIT and PartialFailureIT hold the rest on
 * the real kernel.
 */
class ApplierTest {
    private static final KernelLimits LIMITS = new KernelLimits(104, 416, true, 4096, (1L << 47) - 4096, -1, 4096,
            "x86_64", "6.1.0", 8L << 20);

    private final MmDescriptor d = TestDescriptors.sample();
    private final List<String> calls = new ArrayList<>();

    /** A kernel that answers setMmMap with {@code answer} (null: takes it) and records what it was asked. */
    private Syscalls kernel(Function<Integer, NativeCallException> answer) {
        return ProxyKernel.of((proxy, method, args) -> {
            switch (method.getName()) {
                case "setMmMap" -> {
                    long[] fields = (long[]) args[0];
                    assertArrayEquals(d.fields().toArray(), fields, "the plan's map, in struct order");
                    assertArrayEquals(d.auxv(), (long[]) args[1], "the saved auxv words, verbatim");
                    int n = (int) calls.stream().filter(c -> c.startsWith("setMmMap")).count() + 1;
                    calls.add("setMmMap exe_fd=" + args[2]);
                    NativeCallException refusal = answer.apply(n);
                    if (refusal != null) {
                        throw refusal;
                    }
                    return null;
                }
                case "writeFile" -> {
                    calls.add("writeFile " + new String((byte[]) args[0], StandardCharsets.ISO_8859_1));
                    return null;
                }
                default -> throw new AssertionError("unexpected call " + method.getName());
            }
        });
    }

    private RestorePlan plan(List<FieldByField.Step> steps, String noPrctl) {
        RestoreOptions options = RestoreOptions.defaults().withChangeExe(false).withLibcEnvironment(false);
        return new RestorePlan(d, options, ProcPid.self(), LIMITS, d.fields(), NulStrings.of(d.cmdline()),
                NulStrings.of(d.environ()), ExePlan.skip("not requested"), d.fields(), steps, noPrctl);
    }

    private Applier.Applied apply(Syscalls sys, RestorePlan plan) throws RestoreException {
        try (Rollback rollback = new Rollback(sys)) {
            rollback.hold(plan.exe());
            return new Applier(sys).apply(plan, rollback);
        }
    }

    @Test
    void oneCallOfPrSetMmMapThenComm() throws Exception {
        Applier.Applied a = apply(kernel(n -> null), plan(null, null));
        assertTrue(a.changed());
        assertNull(a.kernelNote());
        assertNull(a.commNote());
        assertEquals(List.of("setMmMap exe_fd=-1", "writeFile /proc/self/task/" + ProcPid.self().pid() + "/comm"),
                calls, "comm goes to the thread-group leader's task, not PR_SET_NAME of this thread");
    }

    @Test
    void aKernelThatRefusesTheCallItselfChangesNothingOfProcAndSaysWhy() throws Exception {
        Applier.Applied a = apply(kernel(n -> new NativeCallException("prctl(PR_SET_MM, PR_SET_MM_MAP)", Errno.EPERM)),
                plan(null, null));
        assertFalse(a.changed());
        assertTrue(a.kernelNote().startsWith("cmdline, environ in /proc and auxv not changed: the kernel refuses "
                + "PR_SET_MM_MAP itself with EPERM, even without exe_fd"), a.kernelNote());
        assertTrue(a.kernelNote().contains("CAP_CHECKPOINT_RESTORE"), a.kernelNote());
        assertEquals(2, calls.size(), "one call, then comm: what needs no prctl is still done: " + calls);
        assertNull(a.commNote());
    }

    @Test
    void anyOtherRefusalOfTheCallIsThrown() {
        NativeCallException einval = new NativeCallException("prctl(PR_SET_MM, PR_SET_MM_MAP)", Errno.EINVAL);
        NativeCallException thrown = assertThrows(NativeCallException.class,
                () -> apply(kernel(n -> einval), plan(null, null)));
        assertSame(einval, thrown);
        assertEquals(List.of("setMmMap exe_fd=-1"), calls, "nothing after the refused call");
    }

    @Test
    void whereNoPrctlWorksNoneIsMade() throws Exception {
        Applier.Applied a = apply(kernel(n -> null), plan(List.of(), "gVisor says no"));
        assertFalse(a.changed());
        assertEquals("cmdline, environ in /proc and auxv not changed: gVisor says no", a.kernelNote());
        assertEquals(1, calls.size(), "comm only: " + calls);
    }

    @Test
    void commThatCannotBeWrittenIsANote() throws Exception {
        Syscalls sys = ProxyKernel.of((proxy, method, args) -> {
            if (method.getName().equals("writeFile")) {
                throw new NativeCallException("write(/proc/self/task/1/comm, 10 bytes)", 5); // EIO
            }
            return null;
        });
        Applier.Applied a = apply(sys, plan(null, null));
        assertTrue(a.changed());
        assertTrue(a.commNote().startsWith("comm not set: write(/proc/self/task/1/comm, 10 bytes) failed: EIO"),
                a.commNote());
    }
}
