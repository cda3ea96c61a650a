package dev.selfrestore.agent.internal;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.trust.DescriptorTrust;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.codec.DescriptorReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the descriptor on a second thread while premain's own thread binds the C library (JNA's initialisation, the largest cost of a cold restore). The
 * reading no longer initialises Chronicle (it uses DescriptorReader); reading inline instead was
 * no faster (the same CPU time; bench/README.md, "Where the time goes"), so the overlap stays. Neither touches what the other uses
 * (system properties are saved and put back per key by each, see ChronicleStartup and
 * JnaSyscalls).
 *
 * <p>The file is opened and checked through libc, so the reading thread can begin to read only once
 * premain's thread has bound it and handed it the calls to make ({@link #provide}: the same,
 * possibly decorated, instance the restore then uses); until then it loads and first runs the
 * reading path ({@link WarmUp}), which needs no libc.
 *
 * <p>The reading thread opens, checks and reads the file in one go ({@link DescriptorTrust#read}:
 * the bytes come from the descriptor that was checked, and nothing is read from a file that fails
 * the check), then decodes those bytes.
 *
 * <p>The thread is joined before {@link #join} returns, whatever happened, so no thread of ours is
 * left running when the application starts.
 */
final class ParallelRead implements Runnable {
    private final Path file;
    private final boolean enforce;
    private final long pid;
    private final Thread thread;
    private MmDescriptor descriptor;
    private String skipped;
    private String exeDeleted;
    private Throwable failure;
    /** Guarded by {@code this}: the calls to read with, once {@link #provide}d; null with {@code provided} when none. */
    private Syscalls sys;
    private boolean provided;

    private ParallelRead(Path file, boolean enforce, long pid) {
        this.file = file;
        this.enforce = enforce;
        this.pid = pid;
        this.thread = new Thread(this, "selfrestore-read");
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading {@code file}; with {@code enforce} false (insecure-descriptor=true) a rule the
     * file breaks is not refused but returned by {@link #skipped}.
     */
    static ParallelRead start(Path file, boolean enforce, long pid) {
        ParallelRead r = new ParallelRead(file, enforce, pid);
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
                int euid = ProcPid.self().effectiveUid();
                WarmUp.classes(DescriptorReader.classes());
                WarmUp.strings();
                DescriptorTrust.Read read = DescriptorTrust.read(provided().files(), file, euid, enforce);
                skipped = read.skipped();
                // The plain reader: Chronicle's initialisation stays off premain's path.
                // The file's bytes are this thread's alone: the descriptor keeps its environment in them.
                descriptor = DescriptorReader.decodeSharing(read.data(), file.toString());
            }
        } catch (Throwable t) { // handed to the caller's thread, as if read there
            failure = t;
        }
    }

    private void readImage() throws DescriptorFormatException {
        String[] skippedRule = new String[1];
        dev.selfrestore.runtime.criu.ImportedTask t = TrustedImageImport.read(provided().files(), file, pid, enforce, skippedRule);
        skipped = skippedRule[0];
        descriptor = t.descriptor();
        exeDeleted = t.exeDeleted();
    }

    /**
     * Hands the reading thread the calls to read with, once premain's thread has bound the C library;
     * null when binding failed (the reading thread then gives up, and the binding's failure is reported).
     * Called exactly once, whatever happens.
     */
    synchronized void provide(Syscalls calls) {
        sys = calls;
        provided = true;
        notifyAll();
    }

    /** Waits for {@link #provide}. */
    private synchronized Syscalls provided() {
        boolean interrupted = false;
        while (!provided) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (sys == null) {
            throw new IllegalStateException("the C library could not be bound");
        }
        return sys;
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

    /** After {@link #join}: the rule the file broke, read anyway with insecure-descriptor=true, or null. */
    String skipped() {
        return skipped;
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
