package dev.selfrestore.nativeshim;

import java.util.List;

/**
 * What selfrestore's native helper ({@code native-shim/src/main/c/spawn.c}) reported when asked to
 * start a command at a chosen PID ({@link ProcessCalls#place}): the PID it placed, how, the races
 * it lost on the way, or the one step that failed. Whatever failed was reaped before this returns:
 * no process is left behind.
 *
 * @param pid       the started process, as this process's pid namespace numbers it (with a new pid
 *                  namespace and a PID other than 1, the namespace's init, whose one child is the
 *                  command); 0 when nothing runs
 * @param method    how the PID was obtained, or null when nothing runs
 * @param lost      the PIDs other processes took while {@code ns_last_pid} pointed at the one
 *                  asked for (their children ended without executing anything)
 * @param failure   the step that failed, or null
 */
public record Placement(long pid, Method method, List<Long> lost, Failure failure) {

    public Placement {
        lost = List.copyOf(lost);
    }

    /** How the helper obtained the PID. */
    public enum Method {
        /** {@code clone3(2)} with {@code set_tid} (Linux 5.5+). */
        CLONE3_SET_TID,
        /** {@code /proc/sys/kernel/ns_last_pid} under its file lock, then {@code clone(2)}, checked. */
        NS_LAST_PID,
        /** The first process of a new pid namespace ({@code CLONE_NEWPID}), PID 1 there. */
        NEW_PID_NAMESPACE
    }

    /** The step that failed. */
    public enum Step {
        /** clone3 itself (errno: EEXIST the PID is taken, EPERM no capability, ...). */
        CLONE3,
        /** clone, on the ns_last_pid way. */
        CLONE,
        /** opening {@code ns_last_pid} (value 0), locking it (1) or writing it (2). */
        NS_LAST_PID,
        /** every attempt on the ns_last_pid way saw another process take the PID; value: attempts. */
        RACE,
        /** the child's own PID was not the one asked for; value: its PID. */
        CHILD_PID,
        /** the child could not execute the command. */
        EXEC,
        /** the new namespace's init could not create the command at its PID. */
        NAMESPACE_CLONE3,
        /** the child could not start a session of its own ({@code setsid}). */
        SETSID,
        /** the helper itself could not run, or ended without a report. */
        HELPER
    }

    /** @param value what {@link Step} says of it */
    public record Failure(Step step, int errno, long value) {
    }

    /**
     * What to start.
     *
     * @param pid              the PID to give it (in the new pid namespace with
     *                         {@code newPidNamespace}, where 1 means the command is the init)
     * @param newPidNamespace  in a new pid namespace
     * @param newSession       in a session of its own ({@code setsid}), as a detached service is
     * @param path             the executable
     * @param argv             its arguments, argv[0] first
     * @param envp             its environment
     * @param clone3           false to behave as on a kernel without {@code clone3} (a test seam)
     * @param nsLastPid        false to behave as where {@code ns_last_pid} cannot be opened (a test seam)
     */
    public record Request(long pid, boolean newPidNamespace, boolean newSession, byte[] path, byte[][] argv,
                          byte[][] envp, boolean clone3, boolean nsLastPid) {

        public Request(long pid, boolean newPidNamespace, boolean newSession, byte[] path, byte[][] argv,
                       byte[][] envp) {
            this(pid, newPidNamespace, newSession, path, argv, envp, true, true);
        }

        /** This request as a kernel without clone3 ({@code clone3}) or without ns_last_pid would see it. */
        public Request without(boolean noClone3, boolean noNsLastPid) {
            return new Request(pid, newPidNamespace, newSession, path, argv, envp, clone3 && !noClone3,
                    nsLastPid && !noNsLastPid);
        }
    }
}
