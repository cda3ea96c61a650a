package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Mman;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor.Slice;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.proc.Mapping;
import java.util.Arrays;
import java.util.List;

/**
 * A new anonymous mapping that holds the restored command line followed by the environment, as
 * the kernel laid them out at execve: {@code [arg_start, arg_end)} then
 * {@code [env_start = arg_end, env_end)}.
 *
 * <p>It lives as long as the process: /proc/PID/cmdline and environ read it on every access, so it
 * is never unmapped once installed. It is made read-only after it is filled (nothing in a JVM
 * writes its argv area) and named {@code [anon:selfrestore:args]} where the kernel supports names.
 * /proc reads these areas only from anonymous memory (FOLL_ANON), which is why a file-backed or
 * stack copy would not do.
 *
 * <p>A restore in a process that was restored before (premain and then attach, or attach twice)
 * makes a new area, because native code may still hold pointers that getenv(3) returned into the
 * old one: freeing it could crash the application, so each restore with a new command line or
 * environment keeps one more area (its size rounded up to pages) for the life of the process. A
 * restore of the same bytes again makes none: {@link #alreadyHolds} finds them where /proc already
 * reads them.
 */
final class ArgEnvArea {
    static final String NAME = "selfrestore:args";

    final long address;
    final long length;
    final long argStart;
    final long argEnd;
    final long envStart;
    final long envEnd;

    private ArgEnvArea(long address, long length, int cmdlineLength, int environLength) {
        this.address = address;
        this.length = length;
        this.argStart = address;
        this.argEnd = address + cmdlineLength;
        this.envStart = argEnd;
        this.envEnd = envStart + environLength;
    }

    static ArgEnvArea create(Syscalls sys, Slice cmdline, Slice environ, int pageSize) {
        long used = (long) cmdline.length() + environ.length();
        long length = Math.max(pageSize, (used + pageSize - 1) / pageSize * pageSize);
        // Populated: the kernel faults the pages in at once rather than one by one as they are written.
        long addr = sys.memory().mmap(0, length, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_POPULATE, -1, 0);
        try {
            sys.memory().writeMemory(addr, cmdline.array(), cmdline.from(), cmdline.length());
            sys.memory().writeMemory(addr + cmdline.length(), environ.array(), environ.from(), environ.length());
            sys.memory().mprotect(addr, length, Mman.PROT_READ);
        } catch (RuntimeException e) {
            sys.memory().munmap(addr, length);
            throw e;
        }
        try {
            sys.mm().nameAnonymousMapping(addr, length, NAME);
        } catch (NativeCallException ignored) {
            // Kernels without CONFIG_ANON_VMA_NAME (or before 5.17) answer EINVAL: the name is cosmetic.
        }
        return new ArgEnvArea(addr, length, cmdline.length(), environ.length());
    }

    /**
     * Whether the process's current argument and environment areas ({@code live}, as
     * /proc/self/stat shows them) are one anonymous, readable run that already holds exactly these
     * bytes, as after an earlier restore of the same descriptor: then they are used again and no
     * new area is made.
     */
    static boolean alreadyHolds(Syscalls sys, MmFields live, List<Mapping> maps, Slice cmdline, Slice environ) {
        long start = live.argStart();
        long length = (long) cmdline.length() + environ.length();
        if (length == 0 || live.argEnd() - start != cmdline.length() || live.envStart() != live.argEnd()
                || live.envEnd() - live.envStart() != environ.length()) {
            return false;
        }
        for (long at = start; at < start + length; ) {
            Mapping m = Mapping.containing(maps, at);
            if (m == null || m.fileBacked() || !m.readable()) {
                return false; // never read memory that is not there
            }
            at = m.end();
        }
        byte[] held = sys.memory().readMemory(start, (int) length);
        return Arrays.equals(held, 0, cmdline.length(), cmdline.array(), cmdline.from(), cmdline.from() + cmdline.length())
                && Arrays.equals(held, cmdline.length(), held.length, environ.array(), environ.from(),
                environ.from() + environ.length());
    }

    /** Gives the memory back; only while the kernel does not point at it yet. */
    void release(Syscalls sys) {
        sys.memory().munmap(address, length);
    }
}
