package dev.selfrestore.runtime.criu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The files of one CRIU image directory, by name ({@code mm-4242.img}, {@code parent/pagemap-4242.img}).
 * The reader opens nothing by itself: whoever decides which directory may be trusted decides how
 * its files are opened.
 */
public interface ImageFiles {

    /** The whole file. */
    byte[] read(String name) throws IOException;

    /**
     * {@code length} bytes from {@code offset}; fewer when the file ends first (the caller reports
     * the shortfall, naming the file).
     */
    byte[] read(String name, long offset, int length) throws IOException;

    /** Whether the directory holds a file (or a link to one) by that name. */
    boolean exists(String name);

    /** The name as a user should see it in a message: the directory's path and the name. */
    String describe(String name);

    /** {@code length} bytes of {@code file} from {@code offset} (positional reads), fewer where it ends first. */
    static byte[] readRange(Path file, long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(length);
            for (long at = offset; buf.hasRemaining(); ) {
                int n = ch.read(buf, at);
                if (n < 0) {
                    break;
                }
                at += n;
            }
            return buf.position() == length ? buf.array() : java.util.Arrays.copyOf(buf.array(), buf.position());
        }
    }

    /** The files of directory {@code dir}, opened by path. */
    static ImageFiles of(Path dir) {
        return new ImageFiles() {
            @Override
            public byte[] read(String name) throws IOException {
                return Files.readAllBytes(dir.resolve(name));
            }

            @Override
            public byte[] read(String name, long offset, int length) throws IOException {
                return readRange(dir.resolve(name), offset, length);
            }

            @Override
            public boolean exists(String name) {
                return Files.exists(dir.resolve(name));
            }

            @Override
            public String describe(String name) {
                return dir.resolve(name).toString();
            }
        };
    }
}
