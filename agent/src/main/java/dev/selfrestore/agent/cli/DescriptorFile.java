package dev.selfrestore.agent.cli;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.codec.RecordHeader;
import dev.selfrestore.runtime.criu.ImportedTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A descriptor file as the commands read it: its header (format version, checksum status) and,
 * when the checksum matches, its content. A CRIU image directory stands for the descriptor of
 * its root process.
 *
 * @param path       the file as given
 * @param header     format version, record length, checksums; null for an image directory
 * @param descriptor the content, or null when the checksum does not match
 * @param source     what kind of file it is, as an edit's provenance records it
 * @param sha256     SHA-256 of the bytes read (for a CRIU image: of its mm file), for provenance
 * @param image      what the image directory held, or null for a descriptor file
 */
record DescriptorFile(Path path, RecordHeader header, MmDescriptor descriptor, Provenance.Source source, byte[] sha256,
                      ImportedTask image) {

    /**
     * Reads a file, or the root process of a CRIU image directory. A damaged file (checksum
     * mismatch) is returned without content; anything that is not a descriptor at all, or an image
     * that cannot be read, is a {@link CliFailure} with exit code 2.
     */
    static DescriptorFile read(Path path) throws CliFailure {
        if (Files.isDirectory(path)) {
            ImportedTask t = ImportCriuCommand.read(path, 0);
            Path mm = path.resolve("mm-" + t.descriptor().capture().pid() + ".img");
            try {
                return new DescriptorFile(path, null, t.descriptor(), Provenance.Source.CRIU_IMAGE,
                        sha256(Files.readAllBytes(mm)), t);
            } catch (IOException e) {
                throw new CliFailure(Main.USAGE, mm + ": cannot read: " + e);
            }
        }
        try {
            byte[] data = DescriptorCodec.readFile(path);
            RecordHeader header = DescriptorCodec.header(data, path.toString());
            MmDescriptor d = header.checksumOk() ? DescriptorCodec.decode(data, path.toString()) : null;
            return new DescriptorFile(path, header, d, Provenance.Source.DESCRIPTOR, sha256(data), null);
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

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
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
