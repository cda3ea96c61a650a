package dev.selfrestore.runtime.restore;

/**
 * The restore did not happen. {@link #changed()} says whether anything in the process had been
 * changed before the failure (the message then says what).
 */
public final class RestoreException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean changed;

    public RestoreException(String message, boolean changed, Throwable cause) {
        super(message, cause);
        this.changed = changed;
    }

    public boolean changed() {
        return changed;
    }
}
