package dev.selfrestore.agent.cli;

import dev.selfrestore.agent.internal.TestFaults;
import dev.selfrestore.nativeshim.Syscalls;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar selfrestore.jar <command>}: the operator's command line. Runs in its own JVM,
 * so nothing here is on the agent's start-up path.
 *
 * <p>Exit codes, the same for every command: 0 ok, 1 a check failed, 2 usage or input error.
 * Output is written as UTF-8 whatever the locale: the only non-ASCII characters are those of
 * valid UTF-8 in the data shown, and every other byte is escaped.
 */
@Command(name = "selfrestore", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Gives a freshly started JVM the /proc identity of a checkpointed process.",
        subcommands = {DoctorCommand.class, CaptureCommand.class, InspectCommand.class, VerifyCommand.class,
            DiffCommand.class, AttachCommand.class, RunCommand.class, EditCommand.class, ImportCommand.class},
        commandListHeading = "%nCommands:%n",
        footerHeading = "%n",
        footer = {"Run 'selfrestore COMMAND --help' for a command's options.",
            "The agent: java -javaagent:selfrestore.jar=DESCRIPTOR[,key=value...] ... (see docs/options.md)."},
        exitCodeListHeading = "%nExit codes (every command):%n",
        exitCodeList = {"0:ok", "1:a check failed", "2:usage or input error"})
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
        return execute(new Kernel(), args);
    }

    /** Runs a command that makes the calls of {@code kernel}. */
    static int execute(Supplier<Syscalls> kernel, String... args) {
        CommandLine.IFactory commands = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K command = CommandLine.defaultFactory().create(type);
                if (command instanceof CliCommand c) {
                    c.kernel = kernel;
                }
                return command;
            }
        };
        CommandLine cl = new CommandLine(new Main(), commands);
        cl.setOut(utf8(System.out));
        cl.setErr(utf8(System.err));
        cl.setExitCodeExceptionMapper(t -> USAGE);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("selfrestore: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return USAGE;
        });
        int status = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return status;
    }

    private static PrintWriter utf8(PrintStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
    }

    /** Prints {@code selfrestore: <command>: <message>} on stderr and returns the failure's exit code. */
    static int fail(CommandLine.Model.CommandSpec spec, String command, CliFailure e) {
        spec.commandLine().getErr().println("selfrestore: " + command + ": " + e.getMessage());
        return e.exitCode();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /**
     * The calls of the command line: the C library, bound on the first use (help and usage errors
     * never load JNA), as the jar's test seams decorate it if it has any ({@link TestFaults}).
     */
    static final class Kernel implements Supplier<Syscalls> {
        private Syscalls sys;

        @Override
        public synchronized Syscalls get() {
            if (sys == null) {
                sys = TestFaults.forCommandLine(Syscalls.linux());
            }
            return sys;
        }
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
