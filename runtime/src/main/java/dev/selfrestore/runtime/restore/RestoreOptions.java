package dev.selfrestore.runtime.restore;

/**
 * How to restore.
 *
 * @param changeExe whether to change /proc/PID/exe (needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN)
 * @param setComm   whether to set the task name
 */
public record RestoreOptions(boolean changeExe, boolean setComm) {
    public static RestoreOptions defaults() {
        return new RestoreOptions(true, true);
    }
}
