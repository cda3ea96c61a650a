package dev.selfrestore.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every command shares: {@code --json}, picocli's model of the command, and the one line a
 * failure prints ({@code selfrestore: COMMAND: message}) with its exit code.
 */
abstract class CliCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print JSON for machines")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        try {
            return run();
        } catch (CliFailure e) {
            // "capture", or "import criu" for a subcommand's subcommand
            return Main.fail(spec, spec.qualifiedName(" ").substring(spec.root().name().length() + 1), e);
        }
    }

    /** The command's work; its exit code, or a {@link CliFailure}. */
    abstract int run() throws CliFailure;
}
