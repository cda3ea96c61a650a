package dev.selfrestore.runtime.proc;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.proc.Sysctl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What this kernel accepts, probed rather than assumed.
 *
 * @param mmMapSize        the kernel's {@code sizeof(struct prctl_mm_map)}; 0 when PR_SET_MM_MAP is absent
 * @param savedAuxvBytes   {@code sizeof(mm->saved_auxv)}: the most auxv bytes PR_SET_MM_MAP takes
 * @param auxvFromKernel   whether {@code savedAuxvBytes} came from PR_GET_AUXV (6.4+) or from the architecture's table
 * @param mmapMinAddr      /proc/sys/vm/mmap_min_addr: the lowest address the kernel accepts
 * @param taskSize         the end of user address space the kernel checks fields against
 * @param rlimitData       RLIMIT_DATA soft limit in bytes, or -1 when unlimited
 * @param pageSize         page size in bytes
 * @param machine          {@code uname -m}
 * @param release          {@code uname -r}
 * @param rlimitStack      RLIMIT_STACK soft limit in bytes, or -1 when unlimited: it bounds what execve(2)
 *                         accepts as arguments and environment in this process
 */
public record KernelLimits(int mmMapSize, int savedAuxvBytes, boolean auxvFromKernel, long mmapMinAddr,
                           long taskSize, long rlimitData, int pageSize, String machine, String release,
                           long rlimitStack) {

    /** Limits with no RLIMIT_STACK (unlimited). */
    public KernelLimits(int mmMapSize, int savedAuxvBytes, boolean auxvFromKernel, long mmapMinAddr,
                        long taskSize, long rlimitData, int pageSize, String machine, String release) {
        this(mmMapSize, savedAuxvBytes, auxvFromKernel, mmapMinAddr, taskSize, rlimitData, pageSize, machine, release, -1);
    }

    public static KernelLimits probe(Syscalls sys) throws IOException {
        String machine = sys.processes().machine();
        int mmMapSize;
        try {
            mmMapSize = sys.mm().mmMapSize();
        } catch (NativeCallException e) {
            if (e.errno() != Errno.EINVAL && e.errno() != Errno.EPERM) {
                throw e;
            }
            mmMapSize = 0;
        }
        int auxv;
        boolean fromKernel;
        try {
            auxv = sys.mm().savedAuxvSize();
            fromKernel = true;
        } catch (NativeCallException e) {
            auxv = fallbackSavedAuxvBytes(machine, sys.processes().kernelRelease(), machine.equals("x86_64") && ia32Emulation());
            fromKernel = false;
        }
        long[] rlimits = readRlimits();
        return new KernelLimits(mmMapSize, auxv, fromKernel, readMmapMinAddr(), taskSize(machine), rlimits[0],
                sys.memory().pageSize(), machine, sys.processes().kernelRelease(), rlimits[1]);
    }

    /**
     * Before PR_GET_AUXV (Linux 6.4) the size can only come from the architecture and the release:
     * {@code AT_VECTOR_SIZE = 2 * (AT_VECTOR_SIZE_ARCH + AT_VECTOR_SIZE_BASE + 1)} words.
     * AT_VECTOR_SIZE_BASE is 20 before 6.3 and 22 in 6.3 (AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN).
     * AT_VECTOR_SIZE_ARCH on x86_64 is 2 with IA32 emulation (AT_SYSINFO, AT_SYSINFO_EHDR) and 1
     * without, one more since 5.14 (AT_MINSIGSTKSZ): a 5.10 kernel takes 368 bytes, not 384. On
     * arm64 it is 2 since 4.18 (AT_MINSIGSTKSZ), 1 before. A release that cannot be read gets the
     * smallest value, the one every kernel of that architecture accepts.
     */
    static int fallbackSavedAuxvBytes(String machine, String release, boolean ia32Emulation) {
        int base = atLeast(release, 6, 3) ? 22 : 20;
        int arch;
        if (machine.equals("x86_64")) {
            arch = (ia32Emulation ? 2 : 1) + (atLeast(release, 5, 14) ? 1 : 0);
        } else if (machine.equals("aarch64")) {
            arch = atLeast(release, 4, 18) ? 2 : 1;
        } else {
            arch = 0;
        }
        return 2 * (arch + base + 1) * 8;
    }

    /** Whether {@code uname -r} names at least {@code major.minor}; false when it cannot be read. */
    static boolean atLeast(String release, int major, int minor) {
        String[] parts = release.split("[^0-9]", 3);
        try {
            int ma = Integer.parseInt(parts[0]);
            int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return ma > major || (ma == major && mi >= minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** x86_64 kernels built with CONFIG_IA32_EMULATION, and only they, have the abi.vsyscall32 sysctl. */
    private static boolean ia32Emulation() {
        return Files.exists(Path.of("/proc/sys/abi/vsyscall32"));
    }

    /**
     * TASK_SIZE: x86_64 with 4-level paging ends user space at 2^47 - one page; 5-level paging
     * (la57) at 2^56 - one page; arm64 at 2^VA_BITS, taken here as 2^48 (its usual configuration).
     */
    static long taskSize(String machine) {
        if (machine.equals("x86_64")) {
            return la57() ? (1L << 56) - 4096 : (1L << 47) - 4096;
        }
        return 1L << 48;
    }

    private static boolean la57() {
        return La57.ENABLED;
    }

    /** Read once per JVM: the paging mode does not change while the system runs. */
    private static final class La57 {
        static final boolean ENABLED = readLa57();
    }

    private static boolean readLa57() {
        try {
            // The first processor's flags are within its first few KiB; the whole file of a large
            // machine is hundreds of KiB.
            String cpuinfo = new String(ProcFiles.readAtMost(Path.of("/proc/cpuinfo"), 16384), StandardCharsets.ISO_8859_1);
            int flags = cpuinfo.indexOf("\nflags");
            int end = flags < 0 ? -1 : cpuinfo.indexOf('\n', flags + 1);
            return flags >= 0 && end > 0 && cpuinfo.substring(flags, end).contains(" la57");
        } catch (IOException e) {
            return false;
        }
    }

    private static long readMmapMinAddr() throws IOException {
        // Not Files.readString: it reads sysctl files at offset 1 after the first byte and gets "4" (see Sysctl).
        return Long.parseLong(Sysctl.read(Path.of("/proc/sys/vm/mmap_min_addr")));
    }

    /** The soft limit of a /proc/self/limits line (its column from offset 26), -1 for "unlimited"; no regex, whose first use spins classes. */
    static long softLimit(String line) {
        String rest = line.length() > 26 ? line.substring(26).trim() : "";
        int end = 0;
        while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
            end++;
        }
        String soft = rest.substring(0, end);
        return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
    }

    /**
     * The soft RLIMIT_DATA and RLIMIT_STACK from /proc/self/limits ("Max data size", "Max stack
     * size"), -1 when unlimited. A kernel without the file (gVisor has none) gives -1 too: its limits
     * cannot be known, and the kernel checks them again on every call that depends on them.
     */
    private static long[] readRlimits() throws IOException {
        long[] out = {-1, -1};
        String[] lines;
        try {
            lines = ProcFiles.lines(ProcFiles.read(Path.of("/proc/self/limits")));
        } catch (NoSuchFileException e) {
            return out;
        }
        for (String line : lines) {
            int which = line.startsWith("Max data size") ? 0 : line.startsWith("Max stack size") ? 1 : -1;
            if (which >= 0) {
                out[which] = softLimit(line);
            }
        }
        return out;
    }
}
