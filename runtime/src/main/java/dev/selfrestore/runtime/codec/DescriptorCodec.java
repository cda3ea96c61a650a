package dev.selfrestore.runtime.codec;

import static dev.selfrestore.runtime.codec.Layout.CHECKSUM_LENGTH;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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

    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

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
     * Writes a descriptor file atomically: a temporary file in the same directory is written,
     * fsync'd, renamed over the target, and the directory fsync'd. Readers see the old file or
     * the whole new one, never a part; the file has mode 0600.
     *
     * @param overwrite whether an existing file may be replaced
     * @throws FileAlreadyExistsException if the file exists and {@code overwrite} is false
     * @throws IllegalArgumentException   if the descriptor is over the format's limits (nothing is
     *                                    written then)
     */
    public static void write(MmDescriptor d, Path file, boolean overwrite) throws IOException {
        byte[] record = encode(d);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null) {
            throw new IOException(file + ": not a file path");
        }
        if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(file.toString(), null, "exists; overwrite was not requested");
        }
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
        try {
            // The umask may have taken bits from the creation mode; set it exactly.
            Files.setPosixFilePermissions(tmp, OWNER_READ_WRITE);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(record);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (overwrite) {
                // rename(2): atomically replaces the target.
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } else {
                publishWithoutReplacing(tmp, target, file);
            }
            tmp = null;
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
        fsyncDirectory(dir);
    }

    /**
     * link(2) fails with EEXIST rather than replace, so a file created by someone else after the
     * check above is not lost. Where the file system has no hard links, rename after a last check.
     */
    private static void publishWithoutReplacing(Path tmp, Path target, Path file) throws IOException {
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(file.toString(), null, "exists; overwrite was not requested");
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(file.toString(), null, "exists; overwrite was not requested");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.delete(tmp);
    }

    /** Makes the rename durable: fsync(2) on the directory (Linux allows it on a read-only fd). */
    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, EnumSet.of(StandardOpenOption.READ))) {
            ch.force(true);
        }
    }
}
