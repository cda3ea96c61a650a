package dev.selfrestore.runtime.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.NulStrings;
import dev.selfrestore.runtime.TestDescriptors;
import dev.selfrestore.runtime.proc.KernelLimits;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.verify.Difference;
import dev.selfrestore.runtime.verify.Item;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The restore's own re-read against a stand-in kernel, in this test's JVM, which was restored to
 * nothing: its /proc/self shows none of the sample descriptor. What the restore left alone on
 * purpose (a note says why) is not reported; everything else that /proc shows differently is; in
 * relocate mode, /proc showing the memory the restore filled is taken as showing the descriptor.
 */
class SelfCheckTest {
    private static final KernelLimits LIMITS = new KernelLimits(104, 416, true, 4096, (1L << 47) - 4096, -1, 4096,
            "x86_64", "6.1.0", 8L << 20);

    private final MmDescriptor d = TestDescriptors.sample();
    private final List<String> asked = new ArrayList<>();
    /** What the stand-in answers when asked whether /proc/self/cmdline holds the area's memory. */
    private boolean cmdlineHoldsArea;
    /** What the stand-in gives as the CRC-32C of the environment's area. */
    private long environCrc;

    /** Answers fileHolds and crc32c as told; readlink and equalBytes go to the real kernel. */
    private final Syscalls sys = ProxyKernel.of((proxy, method, args) -> switch (method.getName()) {
        case "fileHolds" -> {
            asked.add("fileHolds " + new String((byte[]) args[0], StandardCharsets.ISO_8859_1));
            yield cmdlineHoldsArea;
        }
        case "crc32c" -> {
            asked.add("crc32c");
            yield environCrc;
        }
        case "readlink", "equalBytes" -> ProxyKernel.real(method, args);
        default -> throw new AssertionError("unexpected call " + method.getName());
    });

    private RestorePlan plan(RestoreOptions.Mode mode, MmFields map) {
        return new RestorePlan(d, RestoreOptions.defaults().withMode(mode), ProcPid.self(), LIMITS, map,
                NulStrings.of(d.cmdline()), NulStrings.of(d.environ()), ExePlan.skip("not requested"), map, null, null);
    }

    private static Applier.Applied applied(RestoreResult.ExeOutcome exe, String kernelNote, String commNote) {
        return new Applier.Applied(kernelNote == null, 0, exe, null, kernelNote, null, commNote);
    }

    private List<Item> differences(RestorePlan plan, Applier.Applied applied) throws Exception {
        return new SelfCheck(sys).differences(plan, applied).stream().map(Difference::item).toList();
    }

    @Test
    void whatProcShowsDifferentlyIsReportedItemByItem() throws Exception {
        List<Item> found = differences(plan(RestoreOptions.Mode.EXACT, d.fields()),
                applied(RestoreResult.ExeOutcome.CHANGED, null, null));
        assertEquals(Item.RESTORED, found, "this JVM shows none of the descriptor");
    }

    @Test
    void whatTheRestoreLeftAloneOnPurposeIsNotReported() throws Exception {
        RestorePlan plan = plan(RestoreOptions.Mode.EXACT, d.fields());
        assertEquals(List.of(Item.CMDLINE, Item.ENVIRON, Item.AUXV, Item.COMM),
                differences(plan, applied(RestoreResult.ExeOutcome.UNCHANGED, null, null)), "exe given up");
        assertEquals(List.of(Item.CMDLINE, Item.ENVIRON, Item.AUXV),
                differences(plan, applied(RestoreResult.ExeOutcome.ALREADY, null, "comm not set: EIO")),
                "exe already the original is not compared either; comm with a note is not");
        assertEquals(List.of(Item.EXE, Item.COMM), differences(plan, applied(RestoreResult.ExeOutcome.CHANGED,
                "cmdline, environ in /proc and auxv not changed: gVisor", null)), "the kernel took none of the fields");
        assertEquals(List.of(), differences(plan, applied(RestoreResult.ExeOutcome.UNCHANGED, "no prctl", "not requested")));
        assertEquals(List.of(), asked, "exact mode compares what /proc shows, not the memory");
    }

    @Test
    void relocatedStringsThatProcShowsFromTheFilledAreaAreNotReadAgain() throws Exception {
        // The environment where the kernel holds this process's now, as if a relocate restore had put it there.
        MmFields now = ProcPid.self().statFields(0);
        byte[] environ = Arrays.copyOf(d.environ(), (int) (now.envEnd() - now.envStart()));
        MmFields map = now.withArgsAndEnv(now.envStart() - d.cmdline().length, now.envStart(), now.envStart(),
                now.envEnd());
        RestorePlan plan = new RestorePlan(d, RestoreOptions.defaults(), ProcPid.self(), LIMITS, now,
                NulStrings.of(d.cmdline()), NulStrings.of(environ), ExePlan.skip("not requested"), map, null, null);
        cmdlineHoldsArea = true;
        CRC32C crc = new CRC32C();
        crc.update(environ);
        environCrc = crc.getValue();
        assertEquals(List.of(Item.AUXV, Item.COMM), differences(plan, applied(RestoreResult.ExeOutcome.UNCHANGED, null,
                null)), "cmdline and environ as the area holds them");
        assertEquals(List.of("fileHolds " + ProcPid.self().file("cmdline"), "crc32c"), asked);

        asked.clear();
        cmdlineHoldsArea = false;
        environCrc++;
        assertEquals(List.of(Item.CMDLINE, Item.ENVIRON, Item.AUXV, Item.COMM), differences(plan,
                applied(RestoreResult.ExeOutcome.UNCHANGED, null, null)), "read again from /proc, and reported");
    }

    @Test
    void relocatedStringsOfAnotherLengthThanTheAreaAreReadFromProc() throws Exception {
        long argStart = 0x10000;
        long envStart = argStart + d.cmdline().length + 1;
        MmFields map = ProcPid.self().statFields(0).withArgsAndEnv(argStart, envStart, envStart, envStart + 4096);
        cmdlineHoldsArea = true;
        assertEquals(List.of(Item.CMDLINE, Item.ENVIRON, Item.AUXV), differences(plan(RestoreOptions.Mode.RELOCATE, map),
                applied(RestoreResult.ExeOutcome.UNCHANGED, null, "not requested")));
        assertTrue(asked.isEmpty(), "an area of another length cannot show the strings: " + asked);
    }
}
