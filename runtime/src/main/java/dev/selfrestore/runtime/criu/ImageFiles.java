package dev.selfrestore.runtime.criu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

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

    /**
     * The files of directory {@code dir}, opened by path with the JDK's own file I/O: for the
     * command line's {@code import criu}, which reads the directory it is given as the operator's
     * tool, and for tests. The agent reads an image directory given in place of a descriptor through
     * {@link TrustedImageFiles}, every call of it a {@code FileCalls} call.
     */
    static ImageFiles of(Path dir) {
        return new ImageFiles() {
            @Override
            public byte[] read(String name) throws IOException {
                return Files.readAllBytes(dir.resolve(name));
            }

            @Override
            public byte[] read(String name, long offset, int length) throws IOException {
                try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.READ)) {
                    ByteBuffer buf = ByteBuffer.allocate(length);
                    for (long at = offset; buf.hasRemaining(); ) {
                        int n = ch.read(buf, at);
                        if (n < 0) {
                            break;
                        }
                        at += n;
                    }
                    return buf.position() == length ? buf.array() : Arrays.copyOf(buf.array(), buf.position());
                }
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
