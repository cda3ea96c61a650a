package dev.selfrestore.runtime.codec;

import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Refuses a descriptor that someone other than this process's user (or root) could have written:
 * a descriptor decides which executable /proc shows and what environment the application reads,
 * so it deserves the care ssh gives an authorized_keys file.
 *
 * <p>Rules, on the file as resolved through symbolic links:
 * <ul>
 *   <li>it is owned by this process's effective user or by root;</li>
 *   <li>it is writable by neither its group nor others;</li>
 *   <li>each directory above it is either not writable by group and others, or has the sticky bit
 *       (as /tmp does: there others may create files but not replace ours).</li>
 * </ul>
 */
public final class DescriptorTrust {
    private DescriptorTrust() {
    }

    /**
     * @param file the descriptor path as given
     * @param uid  this process's effective user ID
     * @throws DescriptorFormatException {@link Problem#UNTRUSTED} naming the file or directory and
     *                                   the rule; {@link Problem#MISSING} when there is no file
     */
    public static void check(Path file, int uid) throws DescriptorFormatException {
        String source = file.toString();
        Path real;
        try {
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            throw new DescriptorFormatException(Problem.MISSING, source, "no such file");
        } catch (IOException e) {
            throw new DescriptorFormatException(Problem.UNREADABLE, source, "cannot resolve the path: " + e.getMessage());
        }
        try {
            int owner = (Integer) Files.getAttribute(real, "unix:uid");
            int mode = (Integer) Files.getAttribute(real, "unix:mode");
            if (owner != uid && owner != 0) {
                throw untrusted(source, real + " is owned by uid " + owner + ", not by this process's uid " + uid
                        + " or root");
            }
            if ((mode & 022) != 0) {
                throw untrusted(source, real + " is writable by " + ((mode & 020) != 0 ? "its group" : "others")
                        + " (mode 0" + Integer.toOctalString(mode & 07777) + "): chmod go-w it");
            }
            for (Path dir = real.getParent(); dir != null; dir = dir.getParent()) {
                int dirMode = (Integer) Files.getAttribute(dir, "unix:mode");
                if ((dirMode & 022) != 0 && (dirMode & 01000) == 0) {
                    throw untrusted(source, "directory " + dir + " is writable by "
                            + ((dirMode & 020) != 0 ? "its group" : "others") + " without the sticky bit (mode 0"
                            + Integer.toOctalString(dirMode & 07777) + "): another user could replace the descriptor");
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new DescriptorFormatException(Problem.UNREADABLE, source, "cannot read its owner and mode: " + e);
        }
    }

    private static DescriptorFormatException untrusted(String source, String why) {
        return new DescriptorFormatException(Problem.UNTRUSTED, source, "refusing a descriptor others could have written: "
                + why + "; or pass insecure-descriptor=true");
    }
}
