package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Syscalls;

/**
 * What a restore holds while it runs, given back when it ends however it ends: the descriptor of
 * the original executable is closed, and the new argument area is unmapped unless the restore
 * committed to it (from then on the kernel, or the C library's {@code environ}, may point into it,
 * and it lives as long as the process: see {@link ArgEnvArea}).
 */
final class Rollback implements AutoCloseable {
    private final Syscalls sys;
    private ExePlan exe;
    private ExeChange change;
    private ArgEnvArea area;
    private boolean committed;

    Rollback(Syscalls sys) {
        this.sys = sys;
    }

    ExePlan hold(ExePlan plan) {
        this.exe = plan;
        return plan;
    }

    /** The applier's change of exe, to tell afterwards whether the launcher's mappings were replaced. */
    ExeChange hold(ExeChange applying) {
        this.change = applying;
        return applying;
    }

    ArgEnvArea hold(ArgEnvArea created) {
        this.area = created;
        return created;
    }

    /** The identity is in place (or the area in use): keep the area, let go of the executable. */
    void commit() {
        committed = true;
        closeExe();
    }

    /** Whether the launcher's mappings were replaced by anonymous copies (which stay: they hold the same bytes). */
    boolean launcherSwapped() {
        return change != null && change.isLauncherSwapped();
    }

    private void closeExe() {
        if (exe != null && exe.wanted()) {
            int fd = exe.fd();
            exe = null; // closed once
            sys.files().close(fd);
        }
    }

    @Override
    public void close() {
        closeExe();
        if (!committed && area != null) {
            area.release(sys);
        }
    }
}
