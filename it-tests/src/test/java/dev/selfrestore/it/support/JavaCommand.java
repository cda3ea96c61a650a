package dev.selfrestore.it.support;

import dev.selfrestore.it.app.ShowIdentity;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code java} command line of the JDK under test, the one way the tests write one: the launcher,
 * {@link ItConfig#jvmOptions()}, then options and {@code -javaagent:JAR=ARGS} options in the order
 * added, then {@code -cp CLASS_PATH MAIN ARGS…} or {@code -jar JAR ARGS…}. The agent jar is the
 * product jar unless another is given (the testing jar, a copy another user can read).
 */
public final class JavaCommand {

    private final List<String> command = new ArrayList<>();
    private Path agentJar;
    private Path classes;
    private final List<Path> classPath = new ArrayList<>();

    private JavaCommand(boolean commonOptions) {
        command.add(ItConfig.java().toString());
        if (commonOptions) {
            command.addAll(ItConfig.jvmOptions());
        }
    }

    /** {@code java} with the options every test JVM that loads selfrestore gets ({@link ItConfig#jvmOptions()}). */
    public static JavaCommand java() {
        return new JavaCommand(true);
    }

    /** {@code java} without {@link ItConfig#jvmOptions()}: for tests that pin what the JVM itself prints. */
    public static JavaCommand bareJava() {
        return new JavaCommand(false);
    }

    /** {@link #java()} with the testing jar ({@link ItConfig#testingJar()}) as the agent: for {@code test-faults=}. */
    public static JavaCommand withTestingJar() {
        return java().agentJar(ItConfig.testingJar());
    }

    /** The agent jar of the {@code -javaagent:} options added after this (the product jar by default). */
    public JavaCommand agentJar(Path jar) {
        this.agentJar = jar;
        return this;
    }

    /** The compiled test applications the class path starts with ({@link ItConfig#testClasses()} by default). */
    public JavaCommand classes(Path classes) {
        this.classes = classes;
        return this;
    }

    /** More class path entries, after the test classes. */
    public JavaCommand classPath(Path... entries) {
        classPath.addAll(List.of(entries));
        return this;
    }

    /** JVM options, here in the order given. */
    public JavaCommand options(String... options) {
        command.addAll(List.of(options));
        return this;
    }

    /** JVM options, here in the order given. */
    public JavaCommand options(List<String> options) {
        command.addAll(options);
        return this;
    }

    /** {@code -javaagent:JAR=ARGS}: the agent given any argument (options only, such as {@code capture=FILE}). */
    public JavaCommand agent(String args) {
        command.add("-javaagent:" + (agentJar != null ? agentJar : ItConfig.agentJar()) + "=" + args);
        return this;
    }

    /** {@code -javaagent:JAR=DESCRIPTOR[,OPTIONS]}; {@code agentOptions} may be empty. */
    public JavaCommand restoring(Path descriptor, String agentOptions) {
        return agent(descriptor + (agentOptions.isEmpty() ? "" : "," + agentOptions));
    }

    /** Ends the command with {@code -cp CLASSES[:MORE] MAIN ARGS…}. */
    public List<String> main(String mainClass, String... args) {
        List<String> entries = new ArrayList<>(List.of((classes != null ? classes : ItConfig.testClasses()).toString()));
        classPath.forEach(p -> entries.add(p.toString()));
        command.addAll(List.of("-cp", String.join(File.pathSeparator, entries), mainClass));
        command.addAll(List.of(args));
        return List.copyOf(command);
    }

    /** Ends the command with {@code -jar JAR ARGS…}. */
    public List<String> jar(Path jar, String... args) {
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        return List.copyOf(command);
    }

    /** Ends the command with {@code -cp CLASSES ShowIdentity ARGUMENT}. */
    public List<String> showIdentity(String argument) {
        return main(ShowIdentity.class.getName(), argument);
    }

    /**
     * {@code java -javaagent:JAR=DESCRIPTOR[,OPTIONS] [JVM options] -cp CLASSES ShowIdentity
     * restoring-jvm-argument}; {@code agentOptions} may be empty.
     */
    public List<String> restoredApp(Path descriptor, String agentOptions, String... jvmOptions) {
        return restoring(descriptor, agentOptions).options(jvmOptions).showIdentity("restoring-jvm-argument");
    }

    /**
     * {@code java -javaagent:JAR=DESCRIPTOR[,OPTIONS] -cp CLASSES:APP_JNA MAIN ARGS…}; with a null
     * descriptor, the same JVM without the agent.
     */
    public List<String> app(Path descriptor, String agentOptions, String mainClass, String... args) {
        if (descriptor != null) {
            restoring(descriptor, agentOptions);
        }
        return classPath(ItConfig.appJna()).main(mainClass, args);
    }

    /** {@code java -javaagent:JAR=ARGS -cp CLASSES ShowIdentity capturing}. */
    public List<String> capturing(String agentArgs) {
        return agent(agentArgs).showIdentity("capturing");
    }

    /**
     * The product jar and the test classes copied into {@code dir}, readable by every user: for JVMs
     * that do not run as root.
     */
    public static ReadableCopy readableByAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path jar = dir.resolve("selfrestore.jar");
        Path classes = dir.resolve("classes");
        Fixtures.copyReadableByAll(ItConfig.agentJar(), jar);
        Fixtures.copyReadableByAll(ItConfig.testClasses(), classes);
        Fixtures.makeReadableByAll(dir);
        return new ReadableCopy(jar, classes);
    }

    /** What {@link #readableByAll} copied. */
    public record ReadableCopy(Path jar, Path classes) {

        /** {@link JavaCommand#java()} with the copies as agent jar and test classes. */
        public JavaCommand java() {
            return JavaCommand.java().agentJar(jar).classes(classes);
        }
    }
}
