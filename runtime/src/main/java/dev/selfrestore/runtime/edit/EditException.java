package dev.selfrestore.runtime.edit;

/** An edit cannot be applied: the message names the edit, the value and the rule it breaks. */
public final class EditException extends Exception {
    private static final long serialVersionUID = 1L;

    public EditException(String message) {
        super(message);
    }

    public EditException(String message, Throwable cause) {
        super(message, cause);
    }
}
