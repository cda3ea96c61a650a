package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.verify.Difference;
import dev.selfrestore.runtime.verify.Item;
import dev.selfrestore.runtime.verify.Verifier;
import java.io.IOException;
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
        return new Verifier(sys).compare(plan.self(), plan.descriptor(), items, plan.args().bytes(), plan.vars().bytes());
    }
}
