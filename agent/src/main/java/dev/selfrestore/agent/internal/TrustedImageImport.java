package dev.selfrestore.agent.internal;

import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.criu.CriuImageReader;
import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.runtime.trust.DescriptorTrust;
import dev.selfrestore.runtime.criu.TrustedImageFiles;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.criu.ImportedTask;
import java.nio.file.Path;

/**
 * Imports a CRIU image directory given to the agent in place of a descriptor: opens it by the trust
 * rules a descriptor file is opened by, and hands its checked files to {@link CriuImageReader},
 * which decodes them. A class of its own, so
 * that protobuf and the generated image classes are loaded only when an image directory is given,
 * never on the start-up path of a descriptor.
 */
final class TrustedImageImport {
    private TrustedImageImport() {
    }

    /**
     * The directory is opened once and checked on its descriptor, every directory above it
     * included, and each image file is opened relative to it and checked before it is read.
     *
     * @param fs      the calls that open and read the files
     * @param skipped receives the rule not enforced with {@code enforce} false, or null
     */
    static ImportedTask read(FileCalls fs, Path dir, long pid, boolean enforce, String[] skipped) throws DescriptorFormatException {
        int euid;
        try {
            euid = ProcPid.self().effectiveUid();
        } catch (java.io.IOException e) {
            throw new DescriptorFormatException(DescriptorFormatException.Problem.UNREADABLE, dir.toString(),
                    "cannot read this process's user: " + e.getMessage());
        }
        try (TrustedImageFiles files = new TrustedImageFiles(fs, DescriptorTrust.openDirectory(fs, dir, euid, enforce),
                euid, enforce)) {
            skipped[0] = files.skipped();
            return CriuImageReader.read(files, pid);
        }
    }
}
