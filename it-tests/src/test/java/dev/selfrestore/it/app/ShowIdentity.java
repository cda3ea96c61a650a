package dev.selfrestore.it.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The application started with the agent. Prints what main sees as its executable, its pid and
 * {@code READY}, then lives until its stdin is closed (at most 120 s) so that a test can look at it
 * from outside. Exits with status 0.
 */
public final class ShowIdentity {

    private ShowIdentity() {
    }

    public static void main(String[] args) throws Exception {
        // First statement on purpose: the agent must have finished before main starts.
        Path exe = Files.readSymbolicLink(Path.of("/proc/self/exe"));
        System.out.println("EXE=" + exe);
        System.out.println("PID=" + ProcessHandle.current().pid());
        System.out.println("READY");
        System.out.flush();
        StdinWatch.awaitClosed(Duration.ofSeconds(120));
    }
}
