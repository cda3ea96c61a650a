package dev.selfrestore.runtime.run;

/** {@code selfrestore run} cannot start the command; nothing was started. The message is one line. */
public final class RunRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    RunRefusal(String message) {
        super(message);
    }
}
