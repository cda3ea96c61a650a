package dev.selfrestore.nativeshim;

/**
 * Other processes ({@code spawn.h}, {@code sys/wait.h}) and the machine they run on
 * ({@code sys/utsname.h}). Every method throws {@link NativeCallException} naming the call and the
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

    /** {@code uname(2)}: release ({@code uname -r}). */
    String kernelRelease();

    /** {@code uname(2)}: machine ({@code uname -m}). */
    String machine();
}
