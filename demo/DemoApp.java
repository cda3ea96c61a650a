import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's "restored service": prints, at the first line of main, what this JVM sees of its
 * own identity, then waits so it can be looked at from outside.
 */
public class DemoApp {
    public static void main(String[] args) throws Exception {
        System.out.println("  main() sees /proc/self/exe -> " + Files.readSymbolicLink(Path.of("/proc/self/exe")));
        ProcessHandle.Info info = ProcessHandle.current().info();
        System.out.println("  ProcessHandle.current().info().command() = " + info.command().orElse("?"));
        System.out.println("  ProcessHandle.current().info().arguments() = "
                + info.arguments().map(java.util.Arrays::toString).orElse("?"));
        System.out.println("READY");
        System.out.flush();
        System.in.read();
    }
}
