package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Mman;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.proc.Mapping;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces every mapping of the running executable by an anonymous copy at the same address.
 *
 * <p>Why: the kernel refuses to change /proc/PID/exe with EBUSY while any mapping of the current
 * executable remains (kernel/fork.c, replace_mm_exe_file). A JVM's launcher ({@code bin/java})
 * stays mapped for the life of the process. Each of its mappings is copied into a fresh anonymous
 * mapping, given the original protection, and moved over the original with
 * {@code mremap(MREMAP_MAYMOVE|MREMAP_FIXED)}, which swaps the pages in one step. The launcher's
 * main thread only waits in pthread_join meanwhile, so no thread runs code that changes under it:
 * the bytes at every address stay the same.
 *
 * <p>Mappings are matched by device and inode, not by path text (a path can be reached many ways).
 */
final class ExeSwap {
    private ExeSwap() {
    }

    /** The mappings of the file {@code exe}. */
    static List<Mapping> mappingsOf(List<Mapping> maps, Statx exe) {
        List<Mapping> out = new ArrayList<>();
        for (Mapping m : maps) {
            if (m.inode() == exe.inode() && m.devMajor() == exe.devMajor() && m.devMinor() == exe.devMinor()) {
                out.add(m);
            }
        }
        return out;
    }

    /** Returns a reason the swap cannot be done, or null. */
    static String refusal(List<Mapping> exeMappings) {
        for (Mapping m : exeMappings) {
            if (m.shared()) {
                return "the running executable is mapped shared at " + m + "; only private mappings can be copied";
            }
        }
        return null;
    }

    /**
     * A mapping could not be replaced. Those before it already are anonymous copies (the same bytes
     * at the same addresses, so the process runs on unchanged); it and those after it are untouched.
     */
    static final class Incomplete extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int replaced;
        final int total;

        Incomplete(int replaced, int total, RuntimeException cause) {
            super("replacing the running executable's mappings by anonymous copies failed at " + (replaced + 1) + " of "
                    + total + " (" + cause.getMessage() + ")" + (replaced > 0 ? "; the " + replaced
                    + " replaced before stay anonymous copies with the same bytes" : ""), cause, false, false);
            this.replaced = replaced;
            this.total = total;
        }
    }

    /** Replaces each mapping; returns how many bytes were copied. */
    static long replace(Syscalls sys, List<Mapping> exeMappings) {
        long copied = 0;
        int replaced = 0;
        for (Mapping m : exeMappings) {
            long size = m.size();
            long copy;
            try {
                copy = sys.memory().mmap(0, size, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
            } catch (RuntimeException e) {
                throw new Incomplete(replaced, exeMappings.size(), e);
            }
            try {
                if (m.readable()) {
                    sys.memory().copyMemory(copy, m.start(), size);
                }
                sys.memory().mprotect(copy, size, protection(m));
                sys.memory().mremap(copy, size, size, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, m.start());
            } catch (RuntimeException e) {
                // A failed mremap leaves both mappings where they were: drop the copy, keep the original.
                sys.memory().munmap(copy, size);
                throw new Incomplete(replaced, exeMappings.size(), e);
            }
            if (m.readable()) {
                copied += size;
            }
            replaced++;
        }
        return copied;
    }

    private static int protection(Mapping m) {
        return (m.readable() ? Mman.PROT_READ : 0) | (m.writable() ? Mman.PROT_WRITE : 0)
                | (m.executable() ? Mman.PROT_EXEC : 0);
    }
}
