package dev.selfrestore.runtime.trust;

/**
 * A file or directory that is missing, of the wrong kind, unreadable, too large, or that another
 * user could have changed. {@link #getMessage()} is one line naming the component and the rule,
 * without the path the caller asked for (the caller puts that first).
 */
public final class TrustException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Kind {
        /** No such file, or a component on the way is not a directory. */
        MISSING,
        /** A directory where a file was asked for, a FIFO, socket or device, or a file where a directory was. */
        NOT_A_FILE,
        /** Another user could have written it: owner, mode or link count (see {@link TrustedFile}). */
        UNTRUSTED,
        /** Permission denied, an I/O error, too many symbolic links. */
        UNREADABLE,
        /** Larger than the caller's limit. */
        TOO_LARGE
    }

    private final Kind kind;

    public TrustException(Kind kind, String detail) {
        super(detail);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
