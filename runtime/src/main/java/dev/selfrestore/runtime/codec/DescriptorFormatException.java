package dev.selfrestore.runtime.codec;

import java.util.Objects;

/**
 * A descriptor file or byte array that cannot be read: what is wrong, and with what.
 *
 * <p>{@link #getMessage()} is one line, {@code "<source>: <what is wrong, with the offending value and
 * the rule>"}, for example {@code "/tmp/x.mmd: format version 2.0 is newer than this selfrestore reads
 * (1.x)"}. The reader throws nothing else for any input, so a caller can show the message as is.
 */
public final class DescriptorFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of problem, from the outside in: the file, then the header, then the content. */
    public enum Problem {
        /** No file at the path. */
        MISSING,
        /** The path names a directory, FIFO, device or socket rather than a regular file. */
        NOT_A_FILE,
        /** The file exists but could not be read (permissions, I/O error). */
        UNREADABLE,
        /** Zero bytes. */
        EMPTY,
        /** Fewer bytes than the header or the record length says. */
        TRUNCATED,
        /** Does not start with the descriptor magic: not a descriptor file at all. */
        WRONG_MAGIC,
        /** A major format version this reader does not know. */
        UNSUPPORTED_VERSION,
        /** The CRC32C does not match the content: the file was damaged. */
        BAD_CHECKSUM,
        /** The checksum matches but the content breaks the format's rules. */
        MALFORMED,
        /** A size (the file, the record, a field) is over the format's limits. */
        TOO_LARGE,
        /** Another user could have written the file (see DescriptorTrust). */
        UNTRUSTED
    }

    private final Problem problem;
    private final String source;

    /**
     * @param problem what kind of problem
     * @param source  the file, or {@code "<bytes>"}
     * @param detail  what is wrong, with the offending value and the rule; one line
     */
    public DescriptorFormatException(Problem problem, String source, String detail) {
        this(problem, source, detail, null);
    }

    DescriptorFormatException(Problem problem, String source, String detail, Throwable cause) {
        super(source + ": " + detail, cause);
        this.problem = Objects.requireNonNull(problem, "problem");
        this.source = source;
    }

    /** What kind of problem. */
    public Problem problem() {
        return problem;
    }

    /** The file (as given) or {@code "<bytes>"}. */
    public String source() {
        return source;
    }
}
