package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Mman;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;

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

    static ArgEnvArea create(Syscalls sys, byte[] cmdline, byte[] environ, int pageSize) {
        long used = (long) cmdline.length + environ.length;
        long length = Math.max(pageSize, (used + pageSize - 1) / pageSize * pageSize);
        long addr = sys.mmap(0, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            sys.writeMemory(addr, cmdline);
            sys.writeMemory(addr + cmdline.length, environ);
            sys.mprotect(addr, length, Mman.PROT_READ);
        } catch (RuntimeException e) {
            sys.munmap(addr, length);
            throw e;
        }
        try {
            sys.nameAnonymousMapping(addr, length, NAME);
        } catch (NativeCallException ignored) {
            // Kernels without CONFIG_ANON_VMA_NAME (or before 5.17) answer EINVAL: the name is cosmetic.
        }
        return new ArgEnvArea(addr, length, cmdline.length, environ.length);
    }

    /** Gives the memory back; only while the kernel does not point at it yet. */
    void release(Syscalls sys) {
        sys.munmap(address, length);
    }
}
