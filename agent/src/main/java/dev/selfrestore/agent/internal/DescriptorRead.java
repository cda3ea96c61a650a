package dev.selfrestore.agent.internal;

import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.codec.DescriptorReader;
import dev.selfrestore.runtime.criu.ImportedTask;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.trust.DescriptorTrust;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent's read of its input: a descriptor file, or a CRIU image directory. The file is opened
 * and checked through libc, and its bytes come from the descriptor that was checked
 * ({@link DescriptorTrust#read}): nothing is read from a file that fails the check. A descriptor
 * file is decoded with the plain reader ({@link DescriptorReader}), which keeps Chronicle's
 * initialisation off premain's path.
 *
 * <p>Read on premain's thread, after the C library is bound: a second thread reading meanwhile
 * saved nothing on two cores, where the JIT's compiler threads want the other core, and its
 * warm-ups repeated work (bench/README.md, "History").
 */
final class DescriptorRead {
    private final MmDescriptor descriptor;
    private final String skipped;
    private final String exeDeleted;

    private DescriptorRead(MmDescriptor descriptor, String skipped, String exeDeleted) {
        this.descriptor = descriptor;
        this.skipped = skipped;
        this.exeDeleted = exeDeleted;
    }

    /**
     * What can be told of {@code file} before the C library is bound, so that a problem with the
     * input is reported before one with the binding: whether it is a CRIU image directory, and a
     * {@code pid=} that selects a process of one given for a descriptor file.
     *
     * @return true for an image directory
     */
    static boolean precheck(Path file, long pid) throws DescriptorFormatException {
        if (Files.isDirectory(file)) { // a CRIU image directory: process pid of it (0: its root)
            return true;
        }
        if (pid != 0) {
            throw new DescriptorFormatException(DescriptorFormatException.Problem.MALFORMED, file.toString(),
                    "pid=" + pid + " selects a process of a CRIU image directory, and this is a descriptor file");
        }
        return false;
    }

    /**
     * Reads {@code file} (an image directory when {@code image}) through {@code files}; with
     * {@code enforce} false (insecure-descriptor=true) a rule the file breaks is not refused but
     * returned by {@link #skipped}.
     */
    static DescriptorRead read(FileCalls files, Path file, boolean image, boolean enforce, long pid)
            throws IOException, DescriptorFormatException {
        if (image) {
            String[] skippedRule = new String[1];
            ImportedTask t = TrustedImageImport.read(files, file, pid, enforce, skippedRule);
            return new DescriptorRead(t.descriptor(), skippedRule[0], t.exeDeleted());
        }
        DescriptorTrust.Read read = DescriptorTrust.read(files, file, ProcPid.self().effectiveUid(), enforce);
        // The file's bytes are the descriptor's alone: it keeps its environment in them.
        return new DescriptorRead(DescriptorReader.decodeSharing(read.data(), file.toString()), read.skipped(), null);
    }

    MmDescriptor descriptor() {
        return descriptor;
    }

    /** The rule the file broke, read anyway with insecure-descriptor=true, or null. */
    String skipped() {
        return skipped;
    }

    /** Null, or why exe cannot be restored (an image's exe deleted at checkpoint time). */
    String exeDeleted() {
        return exeDeleted;
    }
}
