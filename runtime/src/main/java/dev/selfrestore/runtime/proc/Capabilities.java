package dev.selfrestore.runtime.proc;

/** The capability numbers of {@code <linux/capability.h>} that matter to a restore. */
public final class Capabilities {
    private Capabilities() {
    }

    /** Lets a process read another's cmdline, environ and auxv whatever its user (ptrace-read access). */
    public static final int CAP_SYS_PTRACE = 19;
    public static final int CAP_SYS_ADMIN = 21;
    public static final int CAP_SYS_RESOURCE = 24;
    public static final int CAP_CHECKPOINT_RESTORE = 40;

    public static boolean has(long mask, int cap) {
        return (mask & (1L << cap)) != 0;
    }

    /** Whether a process with this effective set may pass exe_fd (kernel/sys.c, checkpoint_restore_ns_capable). */
    public static boolean mayChangeExe(long mask) {
        return has(mask, CAP_CHECKPOINT_RESTORE) || has(mask, CAP_SYS_ADMIN);
    }
}
