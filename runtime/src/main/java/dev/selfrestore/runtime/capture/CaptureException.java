package dev.selfrestore.runtime.capture;

/** A capture could not be made; the message names the process, the file and the reason. */
public final class CaptureException extends Exception {
    private static final long serialVersionUID = 1L;

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }

    public CaptureException(String message) {
        super(message);
    }
}
