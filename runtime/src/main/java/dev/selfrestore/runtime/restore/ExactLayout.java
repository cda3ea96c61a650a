package dev.selfrestore.runtime.restore;

import static dev.selfrestore.runtime.validate.Problem.hex;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.proc.Mapping;
import dev.selfrestore.runtime.validate.Problem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks, for {@code mode=exact}, that this process's memory really is at the descriptor's layout:
 * beyond the kernel's rules ({@code Validator.map}), that the command line and environment areas
 * hold the descriptor's bytes, that code and stack lie in mappings, and that the heap ends where
 * the saved brk says (brk(2) and malloc grow it from there).
 */
final class ExactLayout {
    private ExactLayout() {
    }

    static List<Problem> check(Syscalls sys, MmDescriptor d, List<Mapping> maps, int pageSize) {
        List<Problem> p = new ArrayList<>();
        MmFields f = d.fields();
        content(p, sys, maps, "arg_start", f.argStart(), f.argEnd(), d.cmdline(), "cmdline");
        content(p, sys, maps, "env_start", f.envStart(), f.envEnd(), d.environ(), "environ");
        Mapping code = Mapping.containing(maps, f.startCode());
        if (code == null || !code.executable()) {
            p.add(new Problem("start_code", hex(f.startCode()), code == null
                    ? "must lie in a mapping: nothing is mapped there"
                    : "must lie in executable memory: " + code + " is not"));
        }
        if (Mapping.containing(maps, f.startStack()) == null) {
            p.add(new Problem("start_stack", hex(f.startStack()), "must lie in a mapping: nothing is mapped there"));
        }
        if (Long.compareUnsigned(f.brk(), f.startBrk()) > 0) {
            Mapping heap = Mapping.containing(maps, f.brk() - 1);
            long end = (f.brk() + pageSize - 1) / pageSize * pageSize;
            if (heap == null || Mapping.containing(maps, f.startBrk()) == null) {
                p.add(new Problem("brk", hex(f.brk()), "[start_brk " + hex(f.startBrk()) + ", brk) must be mapped: "
                        + "it is not, so the heap is not at the saved layout"));
            } else if (heap.end() != end) {
                p.add(new Problem("brk", hex(f.brk()), "the heap mapping must end at the page after brk ("
                        + hex(end) + "), it ends at " + hex(heap.end()) + ": brk(2) would grow the wrong heap"));
            }
        }
        return p;
    }

    private static void content(List<Problem> p, Syscalls sys, List<Mapping> maps, String field, long start, long end,
                                byte[] expected, String item) {
        long len = end - start;
        if (len != expected.length) {
            p.add(new Problem(field, hex(start), "[" + hex(start) + ", " + hex(end) + ") is " + len + " bytes, the "
                    + item + " is " + expected.length));
            return;
        }
        if (len == 0 || !readable(maps, start, end)) {
            return; // an unmapped or unreadable area is already a Validator.map problem
        }
        byte[] actual = sys.memory().readMemory(start, (int) len);
        int at = Arrays.mismatch(actual, expected);
        if (at >= 0) {
            p.add(new Problem(field, hex(start), "must hold the descriptor's " + item + ": byte " + at
                    + " differs, so this memory is not at the saved layout"));
        }
    }

    private static boolean readable(List<Mapping> maps, long start, long end) {
        long at = start;
        while (Long.compareUnsigned(at, end) < 0) {
            Mapping m = Mapping.containing(maps, at);
            if (m == null || !m.readable()) {
                return false;
            }
            at = m.end();
        }
        return true;
    }
}
