package dev.selfrestore.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code import criu …}: descriptors from other tools' checkpoints. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Writes a descriptor from another tool's checkpoint.",
        subcommands = {ImportCriuCommand.class},
        commandListHeading = "%nFormats:%n",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:written", "2:usage error, or the checkpoint could not be read or the file written"})
final class ImportCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a format is required: import criu IMAGE_DIR ...");
    }
}
