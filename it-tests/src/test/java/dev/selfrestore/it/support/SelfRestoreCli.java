package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.app.ShowIdentity;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The two ways selfrestore is used: the capture command and the agent on a JVM's command line. */
public final class SelfRestoreCli {

    private final Processes processes;
    private final Path java;
    private final Path jar;
    private final Path classes;

    /** The JDK under test, the built agent jar and the compiled test applications, as the build passed them. */
    public SelfRestoreCli(Processes processes) {
        this(processes, ItConfig.java(), ItConfig.agentJar(), ItConfig.testClasses());
    }

    private SelfRestoreCli(Processes processes, Path java, Path jar, Path classes) {
        this.processes = processes;
        this.java = java;
        this.jar = jar;
        this.classes = classes;
    }

    /**
     * The same, with the agent jar and the test classes copied into {@code dir} and readable by every
     * user: for restoring JVMs that do not run as root.
     */
    public SelfRestoreCli readableByAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path jarCopy = dir.resolve("selfrestore.jar");
        Path classesCopy = dir.resolve("classes");
        Fixtures.copyReadableByAll(jar, jarCopy);
        Fixtures.copyReadableByAll(classes, classesCopy);
        Fixtures.makeReadableByAll(dir);
        return new SelfRestoreCli(processes, java, jarCopy, classesCopy);
    }

    /** The same with the testing jar ({@link ItConfig#testingJar()}): for the agent option {@code test-faults=}. */
    public SelfRestoreCli withTestingJar() {
        return new SelfRestoreCli(processes, java, ItConfig.testingJar(), classes);
    }

    /** {@code java -jar selfrestore.jar capture --pid PID --out FILE [options]}, run to its end. */
    public CommandResult capture(long pid, Path out, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(ItConfig.jvmOptions());
        command.addAll(List.of("-jar", jar.toString(), "capture", "--pid", Long.toString(pid), "--out", out.toString()));
        command.addAll(List.of(options));
        return processes.run(ItConfig.PROCESS_TIMEOUT, command.toArray(String[]::new));
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

    /**
     * {@code java -javaagent:JAR=DESCRIPTOR[,OPTIONS] -cp CLASSES:APP_JNA MAIN ARGS…}; with a null
     * descriptor, the same JVM without the agent.
     */
    public List<String> appCommand(Path descriptor, String agentOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(ItConfig.jvmOptions());
        if (descriptor != null) {
            command.add("-javaagent:" + jar + "=" + descriptor + (agentOptions.isEmpty() ? "" : "," + agentOptions));
        }
        command.addAll(List.of("-cp", classes + File.pathSeparator + ItConfig.appJna(), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * {@code java -javaagent:JAR=DESCRIPTOR[,OPTIONS] [JVM options] -cp CLASSES ShowIdentity
     * restoring-jvm-argument}; {@code agentOptions} may be empty.
     */
    public List<String> restoredAppCommand(Path descriptor, String agentOptions, String... jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(ItConfig.jvmOptions());
        command.add("-javaagent:" + jar + "=" + descriptor + (agentOptions.isEmpty() ? "" : "," + agentOptions));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", classes.toString(), ShowIdentity.class.getName(), "restoring-jvm-argument"));
        return command;
    }

    /**
     * {@code java -javaagent:JAR=ARGS -cp CLASSES ShowIdentity capturing}: the agent given any
     * argument (options only, such as {@code capture=FILE}), the JDK and jar under test.
     */
    public static List<String> jvmWithAgent(String agentArgs) {
        List<String> command = new ArrayList<>(List.of(ItConfig.java().toString()));
        command.addAll(ItConfig.jvmOptions());
        command.add("-javaagent:" + ItConfig.agentJar() + "=" + agentArgs);
        command.addAll(List.of("-cp", ItConfig.testClasses().toString(), ShowIdentity.class.getName(), "capturing"));
        return command;
    }
}
