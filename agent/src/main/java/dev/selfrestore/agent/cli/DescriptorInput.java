package dev.selfrestore.agent.cli;

import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** {@code FILE}, for the commands that read one descriptor (inspect, verify): a file or a CRIU image directory. */
final class DescriptorInput {
    @Parameters(paramLabel = "FILE", description = "the descriptor file, or a CRIU image directory (its root process)")
    Path file;
}
