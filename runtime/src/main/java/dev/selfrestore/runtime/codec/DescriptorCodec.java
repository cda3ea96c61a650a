package dev.selfrestore.runtime.codec;

import static dev.selfrestore.runtime.codec.Layout.CHECKSUM_LENGTH;

import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.trust.TrustException;
import dev.selfrestore.runtime.trust.TrustedDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import net.openhft.chronicle.bytes.Bytes;

/**
 * Reads and writes mm descriptor files: a versioned, length-prefixed, CRC32C-checked binary
 * record, marshalled field by field with Chronicle Bytes. The layout is in
 * {@code package-info.java}.
 */
public final class DescriptorCodec {
    /** Format major version: a reader refuses any other. */
    public static final int FORMAT_MAJOR = 1;
    /** Format minor version: a newer minor only appends fields, which older readers skip. */
    public static final int FORMAT_MINOR = 2;

    private DescriptorCodec() {
    }

    /**
     * The record for a descriptor.
     *
     * @throws IllegalArgumentException if a field is over the format's limits (a byte string over
     *                                  16 MiB, an auxv over 1024 words, a record over 64 MiB) or a
     *                                  text field is not valid Unicode
     */
    public static byte[] encode(MmDescriptor d) {
        RecordWriter writer = new RecordWriter(d);
        int length = writer.recordLength();
        ChronicleStartup.ensureInitialised();
        byte[] record = new byte[length];
        Bytes<byte[]> out = Bytes.wrapForWrite(record);
        try {
            writer.writeTo(out);
            RecordWriter.writeChecksum(out, Layout.crc32c(record, 0, length - CHECKSUM_LENGTH));
            if (out.writePosition() != length) {
                throw new IllegalStateException("descriptor record sized " + length + " bytes but "
                        + out.writePosition() + " were written");
            }
        } finally {
            out.releaseLast();
        }
        return record;
    }

    /**
     * The descriptor in a record, read with Chronicle Bytes. {@link DescriptorReader#decode} reads
     * the same format, with the same checks, without Chronicle.
     *
     * @param source names the file (or {@code "<bytes>"}) in error messages
     * @throws DescriptorFormatException for any record that is not a well-formed descriptor of a
     *                                   format version this reader knows; nothing else is thrown
     */
    public static MmDescriptor decode(byte[] data, String source) throws DescriptorFormatException {
        return RecordReader.decode(data, source == null ? "<bytes>" : source, true);
    }

    /**
     * Initialises the codec's library now (its first use otherwise pays for it): for a caller that
     * has the time on another thread before the bytes arrive.
     */
    public static void initialise() {
        ChronicleStartup.ensureInitialised();
    }

    /**
     * Reads a descriptor file.
     *
     * <p>Only regular files are opened (a FIFO would block the caller in open(2)), and no more than
     * the format's 64 MiB limit is ever read.
     *
     * @throws DescriptorFormatException for a missing file, a directory or other non-regular file,
     *                                   an unreadable, empty or oversized file, and any content
     *                                   {@link #decode} refuses; the message names the file
     */
    public static MmDescriptor read(Path file) throws DescriptorFormatException {
        return decode(readFile(file), file.toString());
    }

    /**
     * The bytes of a descriptor file, read with the same care as {@link #read} (regular files only,
     * at most the format's 64 MiB) but not decoded: for {@link #header} and {@link #decode}.
     *
     * @throws DescriptorFormatException for a missing, non-regular, unreadable or oversized file
     */
    public static byte[] readFile(Path file) throws DescriptorFormatException {
        return DescriptorReader.readFile(file);
    }

    /**
     * The header of a record and the status of its checksum, without parsing a field. A record
     * whose checksum does not match is answered here (see {@link RecordHeader#checksumOk()});
     * {@link #decode} refuses it.
     *
     * @throws DescriptorFormatException for anything that is not a record of a known major
     *                                   version whose length matches the bytes present
     */
    public static RecordHeader header(byte[] data, String source) throws DescriptorFormatException {
        return RecordReader.header(data, source == null ? "<bytes>" : source, true);
    }

    /**
     * Writes a descriptor file atomically, with mode 0600, through {@link TrustedDirectory#writeFile}:
     * the directory is opened and checked on its descriptor first (refused if another user could
     * change what it holds), then a temporary file is created in it with {@code O_EXCL|O_NOFOLLOW},
     * written, fsync'd and renamed to the target within that directory, and the directory fsync'd.
     * Readers see the old file or the whole new one, never a part.
     *
     * @param fs        the calls that open the directory and write the file
     * @param overwrite whether an existing file may be replaced
     * @throws FileAlreadyExistsException if the file exists and {@code overwrite} is false
     * @throws TrustException             if the directory, or one above it, could be changed by
     *                                    another user (the message names it, its owner and mode)
     * @throws IllegalArgumentException   if the descriptor is over the format's limits (nothing is
     *                                    written then)
     */
    public static void write(FileCalls fs, MmDescriptor d, Path file, boolean overwrite) throws IOException {
        byte[] record = encode(d);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || target.getFileName() == null) {
            throw new IOException(file + ": not a file path");
        }
        TrustedDirectory out;
        try {
            out = TrustedDirectory.open(fs, dir, ProcPid.self().effectiveUid(), true);
        } catch (TrustException e) {
            if (e.kind() == TrustException.Kind.MISSING) {
                throw new NoSuchFileException(dir.toString(), null, e.getMessage());
            }
            throw e.kind() == TrustException.Kind.UNTRUSTED
                    ? new TrustException(e.kind(), "refusing to write into a directory another user could change: "
                            + e.getMessage())
                    : new TrustException(e.kind(), "cannot open its directory " + dir + ": " + e.getMessage());
        }
        try (out) {
            out.writeFile(target.getFileName().toString(), record, 0600, overwrite);
        }
    }
}
