package dev.selfrestore.it.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The application as a container's init: prints what main sees as its executable ({@code EXE=},
 * readlink /proc/self/exe), its pid ({@code PID=}), and what the JDK tells it about itself,
 * {@code PH_COMMAND=} and one {@code PH_ARG=} per argument of {@code ProcessHandle.current().info()};
 * then {@code READY}, and it lives until its stdin is closed (at most 120 s).
 */
public final class ProcessHandleView {

    private ProcessHandleView() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("EXE=" + Files.readSymbolicLink(Path.of("/proc/self/exe")));
        System.out.println("PID=" + ProcessHandle.current().pid());
        ProcessHandle.Info info = ProcessHandle.current().info();
        System.out.println("PH_COMMAND=" + info.command().orElse("(none)"));
        for (String a : info.arguments().orElse(new String[0])) {
            System.out.println("PH_ARG=" + a);
        }
        System.out.println("READY");
        System.out.flush();
        StdinWatch.awaitClosed(Duration.ofSeconds(120));
    }
}
