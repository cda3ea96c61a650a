package dev.selfrestore.runtime.trust;

import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import dev.selfrestore.runtime.codec.DescriptorLimits;
import java.nio.file.Path;

/**
 * Refuses a descriptor that someone other than this process's user (or root) could have written:
 * a descriptor decides which executable /proc shows and what environment the application reads,
 * so it deserves the care ssh gives an authorized_keys file.
 *
 * <p>The file is opened once and checked on that descriptor, and its bytes are read through that
 * same descriptor ({@link TrustedFile}): the check and the read are one open file, so renaming,
 * exchanging or re-linking names meanwhile changes nothing. The rules:
 * <ul>
 *   <li>it is owned by this process's effective user or by root, and writable by neither its
 *       group nor others;</li>
 *   <li>it has one hard link, unless it is owned by this process's effective user;</li>
 *   <li>every directory on the path (symbolic links resolved component by component) is owned
 *       by root or this user, and is writable by neither group nor others unless it has the
 *       sticky bit (as /tmp has: there others may create files but not replace ours); a symbolic
 *       link in a sticky directory is owned by root or this user.</li>
 * </ul>
 */
public final class DescriptorTrust {
    private DescriptorTrust() {
    }

    /** A descriptor's bytes, read from the descriptor that was checked. */
    public record Read(byte[] data, String skipped) {
        /**
         * @param data    the file's bytes
         * @param skipped the first rule the file broke when read with {@code enforce} false, or null
         */
        public Read {
        }
    }

    /**
     * Opens, checks and reads a descriptor file.
     *
     * @param file    the descriptor path as given
     * @param euid    this process's effective user ID
     * @param enforce false for {@code insecure-descriptor=true}: a rule that fails is returned in
     *                {@link Read#skipped()} instead of refused
     * @throws DescriptorFormatException {@link Problem#UNTRUSTED} naming the file or directory, its
     *                                   owner and mode, and the rule; {@link Problem#MISSING},
     *                                   {@link Problem#NOT_A_FILE}, {@link Problem#TOO_LARGE},
     *                                   {@link Problem#UNREADABLE} as {@link DescriptorCodec#readFile}
     */
    public static Read read(FileCalls fs, Path file, int euid, boolean enforce) throws DescriptorFormatException {
        String source = file.toString();
        try (TrustedFile f = TrustedFile.open(fs, file, euid, enforce)) {
            long size = f.stat().size();
            if (size > DescriptorLimits.MAX_FILE_LENGTH) {
                throw new DescriptorFormatException(Problem.TOO_LARGE, source, DescriptorLimits.tooLarge(size));
            }
            return new Read(f.readAll(DescriptorLimits.MAX_FILE_LENGTH), f.skipped());
        } catch (TrustException e) {
            throw refusal(source, e);
        }
    }

    /**
     * Opens and checks a directory given in place of a descriptor (a CRIU image directory) by the
     * same rules, every directory above it included; its files are then opened relative to the
     * checked descriptor ({@link TrustedDirectory#openFile}). With
     * {@code enforce} false a rule it breaks is not refused but named by {@code skipped()}.
     */
    public static TrustedDirectory openDirectory(FileCalls fs, Path dir, int euid, boolean enforce)
            throws DescriptorFormatException {
        try {
            return TrustedDirectory.open(fs, dir, euid, enforce);
        } catch (TrustException e) {
            throw refusal(dir.toString(), e);
        }
    }

    private static DescriptorFormatException refusal(String source, TrustException e) {
        switch (e.kind()) {
            case MISSING:
                return new DescriptorFormatException(Problem.MISSING, source, e.getMessage());
            case NOT_A_FILE:
                return new DescriptorFormatException(Problem.NOT_A_FILE, source, e.getMessage().equals("is a directory")
                        ? "is a directory; give the path of a descriptor file"
                        : e.getMessage() + "; a descriptor is a regular file");
            case UNTRUSTED:
                return new DescriptorFormatException(Problem.UNTRUSTED, source,
                        "refusing a descriptor others could have written: " + e.getMessage()
                                + "; or pass insecure-descriptor=true");
            case TOO_LARGE:
                return new DescriptorFormatException(Problem.TOO_LARGE, source, e.getMessage());
            default:
                return new DescriptorFormatException(Problem.UNREADABLE, source, e.getMessage());
        }
    }
}
