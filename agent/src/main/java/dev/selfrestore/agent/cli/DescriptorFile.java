package dev.selfrestore.agent.cli;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.codec.RecordHeader;
import dev.selfrestore.runtime.criu.ImportedTask;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A descriptor file as the commands read it: its header (format version, checksum status) and,
 * when the checksum matches, its content. A CRIU image directory stands for the descriptor of
 * its root process.
 *
 * @param path       the file as given
 * @param header     format version, record length, checksums; null for an image directory
 * @param descriptor the content, or null when the checksum does not match
 * @param image      what the image directory held, or null for a descriptor file
 */
record DescriptorFile(Path path, RecordHeader header, MmDescriptor descriptor, ImportedTask image) {

    /**
     * Reads a file, or the root process of a CRIU image directory. A damaged file (checksum
     * mismatch) is returned without content; anything that is not a descriptor at all, or an image
     * that cannot be read, is a {@link CliFailure} with exit code 2.
     */
    static DescriptorFile read(Path path) throws CliFailure {
        if (Files.isDirectory(path)) {
            ImportedTask t = ImportCriuCommand.read(path, 0);
            return new DescriptorFile(path, null, t.descriptor(), t);
        }
        try {
            byte[] data = DescriptorCodec.readFile(path);
            RecordHeader header = DescriptorCodec.header(data, path.toString());
            MmDescriptor d = header.checksumOk() ? DescriptorCodec.decode(data, path.toString()) : null;
            return new DescriptorFile(path, header, d, null);
        } catch (DescriptorFormatException e) {
            throw new CliFailure(Main.USAGE, e.getMessage());
        }
    }

    /** Reads a file whose content is needed: a damaged file is a {@link CliFailure} too. */
    static DescriptorFile readWhole(Path path) throws CliFailure {
        DescriptorFile f = read(path);
        if (f.descriptor == null) {
            throw new CliFailure(Main.USAGE, path + ": " + f.checksumText() + "; the file is damaged");
        }
        return f;
    }

    /** The format, for people: {@code 1.1} or {@code CRIU image 2}. */
    String formatVersion() {
        return image != null ? "CRIU image " + image.imageVersion() : header.version();
    }

    /** {@code CRC32C 0x1a2b3c4d ok}, or the mismatch. */
    String checksumText() {
        return header.checksumOk() ? "CRC32C " + hex32(header.storedChecksum()) + " ok"
                : "checksum mismatch: the record says CRC32C " + hex32(header.storedChecksum()) + ", its content has "
                        + hex32(header.computedChecksum());
    }

    static String hex32(int v) {
        return String.format("0x%08x", v);
    }
}
