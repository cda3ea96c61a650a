package dev.selfrestore.agent.cli;

import dev.selfrestore.nativeshim.Syscalls;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every command shares: {@code --json}, picocli's model of the command, the calls it makes
 * ({@link #sys}, handed down by {@link Main}), and the one line a failure prints
 * ({@code selfrestore: COMMAND: message}) with its exit code.
 */
abstract class CliCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print JSON for machines")
    boolean json;

    @Spec
    CommandSpec spec;

    /** Set by {@link Main}'s factory: binds the C library on the first use, not before. */
    Supplier<Syscalls> kernel;

    /** The calls this command makes. */
    final Syscalls sys() {
        return kernel.get();
    }

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
