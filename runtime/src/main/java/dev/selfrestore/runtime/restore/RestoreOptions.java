package dev.selfrestore.runtime.restore;

/**
 * How to restore: {@link #defaults()} (relocate, and change everything), then a named
 * {@code with…} for each choice that differs, e.g.
 * {@code RestoreOptions.defaults().withMode(Mode.EXACT).withLibcEnvironment(false)}.
 *
 * @param mode           where the identity's memory comes from
 * @param changeExe      whether to change /proc/PID/exe (needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN)
 * @param setComm        whether to set the task name
 * @param libcEnvironment whether to point the C library's {@code environ} at the restored
 *                       environment too, so that getenv(3) and child processes see it
 */
public record RestoreOptions(Mode mode, boolean changeExe, boolean setComm, boolean libcEnvironment) {

    /** Where the restored identity's memory is. */
    public enum Mode {
        /**
         * This process's memory is not at the checkpointed layout: keep its code, data, stack and
         * brk fields, and place cmdline and environ in a new mapping.
         */
        RELOCATE,
        /**
         * The memory is at the checkpointed layout (a restore engine mapped it back, or the
         * descriptor was captured from this very process): apply every saved field as it is,
         * after checking that each area really is there.
         */
        EXACT
    }

    /** Relocate, and change exe, comm and the C library's environment. */
    public static RestoreOptions defaults() {
        return new RestoreOptions(Mode.RELOCATE, true, true, true);
    }

    public RestoreOptions withMode(Mode newMode) {
        return new RestoreOptions(newMode, changeExe, setComm, libcEnvironment);
    }

    public RestoreOptions withChangeExe(boolean change) {
        return new RestoreOptions(mode, change, setComm, libcEnvironment);
    }

    public RestoreOptions withSetComm(boolean set) {
        return new RestoreOptions(mode, changeExe, set, libcEnvironment);
    }

    public RestoreOptions withLibcEnvironment(boolean libc) {
        return new RestoreOptions(mode, changeExe, setComm, libc);
    }
}
