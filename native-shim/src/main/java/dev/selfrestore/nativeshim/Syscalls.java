package dev.selfrestore.nativeshim;

/**
 * The Linux system calls and libc functions selfrestore uses, typed, one interface per area:
 * {@link MmCalls} (the memory descriptor: prctl, brk), {@link MemoryCalls} (mappings and native
 * memory), {@link FileCalls} (files and directories) and {@link ProcessCalls} (other processes,
 * the machine). Every call throws {@link NativeCallException} naming the call, its target and the
 * errno when the kernel refuses.
 *
 * <p>Only 64-bit Linux is supported (x86_64 and aarch64); {@link #linux()} refuses anything else
 * with an {@link UnsupportedOperationException}.
 *
 * <p>One instance is made where the program starts (the agent's runner, the command line's
 * {@code main}) and handed to everything that calls the kernel, so that a test can stand in for
 * one call the machine cannot make fail (an old kernel without {@code PR_SET_MM_MAP}, say) while
 * every other call reaches the kernel.
 *
 * @param mm        the calls on this process's memory descriptor
 * @param memory    mappings and this process's native memory
 * @param files     files and directories
 * @param processes other processes and the machine
 */
public record Syscalls(MmCalls mm, MemoryCalls memory, FileCalls files, ProcessCalls processes) {

    public Syscalls {
        java.util.Objects.requireNonNull(mm, "mm");
        java.util.Objects.requireNonNull(memory, "memory");
        java.util.Objects.requireNonNull(files, "files");
        java.util.Objects.requireNonNull(processes, "processes");
    }

    /**
     * The real kernel, through JNA, bound on the first call (not before). For the program's entry
     * points only: everything else is handed the instance they made.
     */
    public static Syscalls linux() {
        return dev.selfrestore.nativeshim.internal.JnaSyscalls.instance();
    }

    /**
     * A strategy that puts other calls in front of the real ones, chosen by a spec: how a build for
     * testing makes calls fail as a kernel or machine this one is not would, while every other call
     * reaches the kernel. The product holds no implementation; the agent looks one up only when
     * its option {@code test-faults=SPEC} is given, the command line only when its jar registers
     * one.
     */
    public interface Decorator {

        /**
         * Checks a spec without making anything.
         *
         * @throws IllegalArgumentException naming what is wrong and the form expected
         */
        void check(String spec);

        /** The calls to make instead of {@code real}'s, as {@code spec} says. */
        Syscalls decorate(Syscalls real, String spec);

        /**
         * The calls the command line is to make instead of {@code real}'s: where its spec comes
         * from is the implementation's choice (the command line has no agent options). By default
         * {@code real} itself.
         *
         * @throws IllegalArgumentException naming what is wrong with the spec found
         */
        default Syscalls forCommandLine(Syscalls real) {
            return real;
        }
    }
}
