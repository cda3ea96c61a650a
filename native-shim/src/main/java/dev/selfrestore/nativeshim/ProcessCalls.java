package dev.selfrestore.nativeshim;

/**
 * Other processes ({@code spawn.h}, {@code sys/wait.h}) and the machine they run on
 * ({@code sys/utsname.h}), and selfrestore's native helper, which starts a command at a chosen PID
 * ({@code native-shim/src/main/c/spawn.c}). Every method throws {@link NativeCallException} naming the call and the
 * errno when it fails.
 */
public interface ProcessCalls {

    /**
     * {@code posix_spawn(3)} of {@code path} with {@code argv} and {@code envp}, its standard output
     * and error going to a memory file ({@code memfd_create(2)}) and its other descriptors
     * inherited, then {@code waitpid(2)} for it. No thread is started (the JDK's ProcessBuilder
     * would leave its "process reaper" thread behind) and no file is created.
     */
    Spawned spawnAndWait(byte[] path, byte[][] argv, byte[][] envp);

    /**
     * Starts a command as a child of this process at the PID {@code request} asks for, through
     * selfrestore's native helper: a static program of system calls only, started from a memory
     * file with {@code posix_spawn(3)}, so that no Java code runs between the fork and the exec.
     * Returns once the command is executing (or nothing runs and the failure is reported).
     */
    Placement place(Placement.Request request);

    /**
     * {@code waitpid(2)} for a child: its raw wait status, or -1 when {@code block} is false and
     * it has not ended.
     */
    int waitpid(long pid, boolean block);

    /** {@code kill(2)}. */
    void kill(long pid, int signal);

    /**
     * Replaces this process ({@code execve(2)}) with the native helper's {@code wait PID}: it
     * forwards TERM, INT, HUP, QUIT, USR1 and USR2 to the child {@code pid} and ends with the
     * child's status. Returns only by throwing, when the exec failed.
     */
    void becomeWaiter(long pid);

    /** {@code uname(2)}: release ({@code uname -r}). */
    String kernelRelease();

    /** {@code uname(2)}: machine ({@code uname -m}). */
    String machine();
}
