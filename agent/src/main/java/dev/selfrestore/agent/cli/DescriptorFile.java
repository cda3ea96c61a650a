package dev.selfrestore.agent.cli;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.codec.RecordHeader;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A descriptor file as the commands read it: its header (format version, checksum status) and,
 * when the checksum matches, its content.
 *
 * @param path       the file as given
 * @param header     format version, record length, checksums
 * @param descriptor the content, or null when the checksum does not match
 * @param source     what kind of file it is, as an edit's provenance records it
 * @param sha256     SHA-256 of the bytes read (for a CRIU image: of its mm file), for provenance
 */
record DescriptorFile(Path path, RecordHeader header, MmDescriptor descriptor, Provenance.Source source, byte[] sha256) {

    /**
     * Reads a file. A damaged file (checksum mismatch) is returned without content; anything that
     * is not a descriptor at all is a {@link CliFailure} with exit code 2.
     */
    static DescriptorFile read(Path path) throws CliFailure {
        try {
            byte[] data = DescriptorCodec.readFile(path);
            RecordHeader header = DescriptorCodec.header(data, path.toString());
            MmDescriptor d = header.checksumOk() ? DescriptorCodec.decode(data, path.toString()) : null;
            return new DescriptorFile(path, header, d, Provenance.Source.DESCRIPTOR, sha256(data));
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
