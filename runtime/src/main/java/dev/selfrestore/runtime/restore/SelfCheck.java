package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.NulStrings;
import dev.selfrestore.runtime.verify.Difference;
import dev.selfrestore.runtime.verify.Item;
import dev.selfrestore.runtime.verify.Verifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reads /proc/self again after a restore and compares it with the descriptor, item by item
 * ({@link Verifier}), leaving out the items the restore did not change on purpose: the notes of
 * {@link Applier.Applied} say why.
 */
final class SelfCheck {
    private final Syscalls sys;

    SelfCheck(Syscalls sys) {
        this.sys = sys;
    }

    List<Difference> differences(RestorePlan plan, Applier.Applied applied) throws IOException {
        Set<Item> items = EnumSet.copyOf(Item.RESTORED);
        if (applied.exe() != RestoreResult.ExeOutcome.CHANGED) {
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
            // showing exactly that memory shows the descriptor. On any difference the Verifier below
            // compares with the descriptor and says what differs.
            MmFields map = plan.map();
            if (items.contains(Item.CMDLINE) && shows(plan, "cmdline", map.argStart(), map.argEnd(), plan.args())) {
                items.remove(Item.CMDLINE);
            }
            if (items.contains(Item.ENVIRON) && kernelShowsEnvironment(plan, map, plan.vars())) {
                items.remove(Item.ENVIRON);
            }
        }
        // Copied only for what is still to compare: the usual restore has compared both above.
        return new Verifier(sys).compare(plan.self(), plan.descriptor(), items,
                items.contains(Item.CMDLINE) ? plan.args().copy() : null,
                items.contains(Item.ENVIRON) ? plan.vars().copy() : null);
    }

    /**
     * Whether /proc/self/{@code name} shows exactly the memory [start, end), which holds {@code bytes}:
     * compared in native memory, so that the file is not brought into the heap. For the command line,
     * whose reading has rules of its own (fs/proc/base.c, get_mm_cmdline: an argument area whose last
     * byte is not NUL reads on into the environment).
     */
    private boolean shows(RestorePlan plan, String name, long start, long end, NulStrings bytes) {
        if (end - start != bytes.length()) {
            return false;
        }
        try {
            return sys.memory().fileHolds(plan.self().file(name).toString().getBytes(StandardCharsets.ISO_8859_1), start,
                    bytes.length());
        } catch (NativeCallException e) {
            return false; // the Verifier reads it again and reports
        }
    }

    /**
     * Whether /proc/self/environ shows {@code bytes}, without the kernel copying a megabyte of
     * environment across for it (bench/README.md, "Environment size"): the file is the
     * memory [env_start, env_end) as it is, with no rule of its own (fs/proc/base.c, environ_read,
     * from anonymous memory only), so the bounds the kernel holds (/proc/self/stat fields 50 and 51,
     * since Linux 3.5) being the new area's, and that anonymous area holding {@code bytes} (its
     * CRC-32C, read in place: comparing exactly would copy the megabyte once more, into native memory
     * or the heap), is what reading the file would show. {@code selfrestore verify} reads the file
     * itself, from outside.
     */
    private boolean kernelShowsEnvironment(RestorePlan plan, MmFields map, NulStrings bytes) {
        if (map.envEnd() - map.envStart() != bytes.length()) {
            return false;
        }
        try {
            MmFields now = plan.self().statFields(map.brk()); // brk is not in stat, and not compared
            return now.envStart() == map.envStart() && now.envEnd() == map.envEnd()
                    && sys.memory().crc32c(map.envStart(), bytes.length()) == crc32c(bytes);
        } catch (IOException | RuntimeException e) {
            return false; // the Verifier reads the file and reports
        }
    }

    private static long crc32c(NulStrings bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.array(), bytes.from(), bytes.length());
        return crc.getValue();
    }
}
