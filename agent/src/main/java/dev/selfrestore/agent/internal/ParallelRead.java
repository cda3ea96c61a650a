package dev.selfrestore.agent.internal;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.codec.DescriptorReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the descriptor on a second thread while premain's own thread checks that the file may be
 * trusted and binds the C library (JNA's initialisation, the largest cost of a cold restore). The
 * reading no longer initialises Chronicle (it uses DescriptorReader); reading inline instead was
 * measured no faster (same CPU time, bench/README.md), so the overlap stays. Neither touches what the other uses
 * (system properties are saved and put back per key by each, see ChronicleStartup and
 * JnaSyscalls).
 *
 * <p>The thread is joined before {@link #join} returns, whatever happened, so no thread of ours is
 * left running when the application starts.
 */
final class ParallelRead implements Runnable {
    private final Path file;
    private final long pid;
    private final Thread thread;
    private MmDescriptor descriptor;
    private String exeDeleted;
    private Throwable failure;

    private ParallelRead(Path file, long pid) {
        this.file = file;
        this.pid = pid;
        this.thread = new Thread(this, "selfrestore-read");
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading {@code file}. Reading and decoding an untrusted file is harmless (the reader is
     * fuzzed); only applying it is not, and the caller decides that after {@link #join}.
     */
    static ParallelRead start(Path file, long pid) {
        ParallelRead r = new ParallelRead(file, pid);
        r.thread.start();
        return r;
    }

    @Override
    public void run() {
        try {
            if (Files.isDirectory(file)) { // a CRIU image directory: process pid of it (0: its root)
                readImage();
            } else if (pid != 0) {
                throw new DescriptorFormatException(DescriptorFormatException.Problem.MALFORMED, file.toString(),
                        "pid=" + pid + " selects a process of a CRIU image directory, and this is a descriptor file");
            } else {
                // The plain reader: Chronicle's initialisation stays off premain's path.
                descriptor = DescriptorReader.decode(DescriptorReader.readFile(file), file.toString());
            }
        } catch (Throwable t) { // handed to the caller's thread, as if read there
            failure = t;
        }
    }

    private void readImage() throws DescriptorFormatException {
        dev.selfrestore.runtime.criu.ImportedTask t = ImageRead.read(file, pid);
        descriptor = t.descriptor();
        exeDeleted = t.exeDeleted();
    }

    /** After {@link #join}: null, or why exe cannot be restored (an image's exe deleted at checkpoint time). */
    String exeDeleted() {
        return exeDeleted;
    }

    /** Waits for the read and returns its descriptor, or throws what the read threw. */
    MmDescriptor join() throws IOException, DescriptorFormatException {
        joinQuietly();
        Throwable t = failure;
        if (t == null) {
            return descriptor;
        }
        if (t instanceof IOException) {
            throw (IOException) t;
        }
        if (t instanceof DescriptorFormatException) {
            throw (DescriptorFormatException) t;
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        throw new IllegalStateException(t);
    }

    /** Waits for the read to end, whatever its outcome. */
    void joinQuietly() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
