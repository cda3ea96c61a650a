package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The capture command, run to its end. */
public final class SelfRestoreCli {

    private final Processes processes;
    private final Path jar;

    /** The JDK under test and the built agent jar, as the build passed them. */
    public SelfRestoreCli(Processes processes) {
        this.processes = processes;
        this.jar = ItConfig.agentJar();
    }

    /** {@code java -jar selfrestore.jar capture --pid PID --out FILE [options]}, run to its end. */
    public CommandResult capture(long pid, Path out, String... options) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("capture", "--pid", Long.toString(pid), "--out", out.toString()));
        args.addAll(List.of(options));
        return processes.run(ItConfig.PROCESS_TIMEOUT, JavaCommand.java().jar(jar, args.toArray(String[]::new))
                .toArray(String[]::new));
    }

    /** Captures {@code pid} into {@code out} and fails unless that worked. */
    /** A sleep original, seen from outside while it runs and captured to {@code dir/name}, then stopped. */
    public Captured captureSleepOriginal(Path dir, String name) throws Exception {
        SleepOriginal sleep = SleepOriginal.start(processes, dir);
        ProcIdentity identity = ProcIdentity.of(sleep.pid());
        Path descriptor = captureOk(sleep.pid(), dir.resolve(name));
        sleep.stop();
        return new Captured(identity, descriptor);
    }

    /** What {@link #captureSleepOriginal} leaves: the original's identity and its descriptor file. */
    public record Captured(ProcIdentity identity, Path descriptor) {
    }

    public Path captureOk(long pid, Path out) throws IOException, InterruptedException {
        CommandResult result = capture(pid, out);
        assertEquals(0, result.exitStatus(), () -> "capture failed: " + result.description());
        assertTrue(Files.isRegularFile(out) && Files.size(out) > 0,
                () -> "capture exited 0 but wrote no descriptor to " + out + ": " + result.description());
        return out;
    }
}
