package dev.selfrestore.agent.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --out FILE [--force]}, for the commands that write a new descriptor (capture, import criu):
 * an existing FILE is kept unless {@code --force} is given.
 */
final class DescriptorOutput {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the descriptor file to write")
    Path out;

    @Option(names = "--force", description = "overwrite FILE if it exists")
    boolean force;
}
