package dev.selfrestore.runtime.codec;

import static dev.selfrestore.runtime.codec.Layout.MAX_RECORD_LENGTH;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.zip.CRC32C;

/**
 * Reads a descriptor record without Chronicle Bytes: for the agent's premain, where Chronicle
 * Core's first use (its {@code Jvm} initialiser: MXBeans, SLF4J, signal handlers, lambdas) would
 * cost more than the whole restore (bench/README.md, "Chronicle's first use").
 *
 * <p>Same format, same reader: the field order, the limits and every check (magic, version, record
 * length, CRC32C, each field's bound before anything is allocated for it) are
 * {@code RecordReader}'s, shared with {@link DescriptorCodec#decode}; only the fetching of bytes
 * differs (plain Java over the array instead of Chronicle's {@code Bytes}). A record either reader
 * accepts, the other accepts with an equal descriptor; one either refuses, the other refuses with
 * the same message ({@code DescriptorDifferentialFuzzTest}, {@code GoldenRecordTest}).
 *
 * <p>It takes bytes, never a path: how the file is opened and checked is the caller's business.
 */
public final class DescriptorReader {
    private DescriptorReader() {
    }

    /**
     * The descriptor in a record.
     *
     * @param source names the file (or {@code "<bytes>"}) in error messages
     * @throws DescriptorFormatException for any record that is not a well-formed descriptor of a
     *                                   format version this reader knows; nothing else is thrown
     */
    public static MmDescriptor decode(byte[] data, String source) throws DescriptorFormatException {
        return RecordReader.decode(data, source == null ? "<bytes>" : source, false);
    }

    /**
     * The same descriptor, with its command line and environment left in {@code data} rather than
     * copied out ({@link MmDescriptor.Slice}): for a caller that hands {@code data} over and never
     * changes it again (the agent's reading thread, which reads the file into it). A megabyte of
     * environment is then in the heap once, not twice.
     */
    public static MmDescriptor decodeSharing(byte[] data, String source) throws DescriptorFormatException {
        return RecordReader.decodeSharing(data, source == null ? "<bytes>" : source);
    }

    /**
     * The bytes of a descriptor file (regular files only, at most the format's 64 MiB), not
     * decoded; {@link DescriptorCodec#readFile} is this. Here rather than in DescriptorCodec so
     * that reading a file loads no Chronicle class either.
     *
     * @throws DescriptorFormatException for a missing, non-regular, unreadable or oversized file
     */
    public static byte[] readFile(Path file) throws DescriptorFormatException {
        String source = file.toString();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new DescriptorFormatException(Problem.MISSING, source, "no such file", e);
        } catch (IOException e) {
            throw unreadable(source, e);
        }
        if (attrs.isDirectory()) {
            throw new DescriptorFormatException(Problem.NOT_A_FILE, source,
                    "is a directory; give the path of a descriptor file");
        }
        if (!attrs.isRegularFile()) {
            throw new DescriptorFormatException(Problem.NOT_A_FILE, source,
                    "is not a regular file (a FIFO, socket or device?); a descriptor is a regular file");
        }
        if (attrs.size() > MAX_RECORD_LENGTH) {
            throw new DescriptorFormatException(Problem.TOO_LARGE, source, DescriptorLimits.tooLarge(attrs.size()));
        }
        byte[] data;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // Read at most one byte past the limit: enough to see a file that grew since the stat.
            ByteBuffer buf = ByteBuffer.allocate((int) attrs.size() + 1);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // keep reading: a regular file returns short counts only at end of file
            }
            if (buf.position() > attrs.size()) {
                throw new DescriptorFormatException(Problem.UNREADABLE, source,
                        "changed while being read (it grew past the " + attrs.size() + " bytes it had)");
            }
            data = new byte[buf.position()];
            buf.flip().get(data);
        } catch (NoSuchFileException e) {
            throw new DescriptorFormatException(Problem.MISSING, source, "no such file (removed while being read)", e);
        } catch (IOException e) {
            throw unreadable(source, e);
        }
        return data;
    }

    private static DescriptorFormatException unreadable(String source, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new DescriptorFormatException(Problem.UNREADABLE, source, "cannot be read: " + why, e);
    }
}
