package dev.selfrestore.agent.internal;

import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.criu.CriuImageReader;
import dev.selfrestore.runtime.criu.ImageFiles;
import dev.selfrestore.runtime.criu.ImportedTask;
import java.nio.file.Path;

/**
 * Reads a CRIU image directory given to the agent in place of a descriptor. A class of its own, so
 * that protobuf and the generated image classes are loaded only when an image directory is given,
 * never on the start-up path of a descriptor.
 */
final class ImageRead {
    private ImageRead() {
    }

    static ImportedTask read(Path dir, long pid) throws DescriptorFormatException {
        return CriuImageReader.read(ImageFiles.of(dir), pid);
    }
}
