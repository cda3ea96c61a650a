package dev.selfrestore.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar selfrestore.jar <command>}: the operator's command line. Runs in its own JVM,
 * so nothing here is on the agent's start-up path.
 *
 * <p>Exit codes: 0 ok, 1 a check failed, 2 usage or input error.
 */
@Command(name = "selfrestore", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Gives a freshly started JVM the /proc identity of a checkpointed process.",
        subcommands = {CaptureCommand.class})
public final class Main implements Runnable {
    static final int OK = 0;
    static final int CHECK_FAILED = 1;
    static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(t -> USAGE);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("selfrestore: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return USAGE;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"selfrestore " + (v == null ? "(development build)" : v)};
        }
    }
}
