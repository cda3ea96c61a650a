package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.verify.Difference;
import dev.selfrestore.runtime.verify.Item;
import dev.selfrestore.runtime.verify.Verifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads /proc/self again after a restore and compares it with the descriptor, item by item
 * ({@link Verifier}), leaving out the items the restore did not change on purpose: the notes of
 * {@link Applier.Applied} and the {@link ExePlan} say why.
 */
final class SelfCheck {
    private final Syscalls sys;

    SelfCheck(Syscalls sys) {
        this.sys = sys;
    }

    List<Difference> differences(RestorePlan plan, Applier.Applied applied) throws IOException {
        Set<Item> items = EnumSet.copyOf(Item.RESTORED);
        if (plan.exe().outcome != RestoreResult.ExeOutcome.CHANGED) {
            items.remove(Item.EXE);
        }
        if (applied.commNote() != null) {
            items.remove(Item.COMM);
        }
        if (applied.kernelNote() != null) {
            items.removeAll(List.of(Item.CMDLINE, Item.ENVIRON, Item.AUXV));
        }
        if (plan.options().mode() == RestoreOptions.Mode.RELOCATE) {
            // The area holds the descriptor's bytes (written from them, or found holding them): /proc
            // showing exactly that memory shows the descriptor. Compared in native memory, so that a
            // megabyte of environment is not brought into the heap and compared there; on any
            // difference the Verifier below compares with the descriptor and says what differs.
            MmFields map = plan.map();
            if (items.contains(Item.CMDLINE) && shows(plan, "cmdline", map.argStart(), map.argEnd(), plan.args().bytes())) {
                items.remove(Item.CMDLINE);
            }
            if (items.contains(Item.ENVIRON) && shows(plan, "environ", map.envStart(), map.envEnd(), plan.vars().bytes())) {
                items.remove(Item.ENVIRON);
            }
        }
        return new Verifier(sys).compare(plan.self(), plan.descriptor(), items, plan.args().bytes(), plan.vars().bytes());
    }

    /** Whether /proc/self/{@code name} shows exactly the memory [start, end), which holds {@code bytes}. */
    private boolean shows(RestorePlan plan, String name, long start, long end, byte[] bytes) {
        if (end - start != bytes.length) {
            return false;
        }
        try {
            return sys.fileHolds(plan.self().file(name).toString().getBytes(StandardCharsets.ISO_8859_1), start,
                    bytes.length);
        } catch (NativeCallException e) {
            return false; // the Verifier reads it again and reports
        }
    }
}
