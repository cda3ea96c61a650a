package dev.selfrestore.agent.internal;

import java.util.List;

/**
 * What a restore by the agent came to: the agent prints it as one line on stderr, and its report
 * ({@link AgentReport}) records that line under the kind, which is what {@code attach} reads.
 *
 * @param kind    restored, partly restored, or not restored
 * @param message the line, without the {@code selfrestore: } prefix and the notes
 * @param notes   what was not restored, each with why (a partial restore that ran to its end)
 * @param stopped whether a failure stopped the restore (the line then says that the application
 *                continues, unless {@code strict=true} ends it)
 * @param cause   the failure, for {@code debug=true}'s stack trace; null when there is none
 */
record RestoreOutcome(Kind kind, String message, List<String> notes, boolean stopped, Throwable cause) {

    /** The end of a failure's line, unless strict=true ends the JVM instead. */
    static final String CONTINUES = " (application continues)";

    enum Kind {
        RESTORED,
        PARTLY,
        NOT_RESTORED
    }

    RestoreOutcome {
        notes = List.copyOf(notes);
    }

    /** Everything restored and verified; {@code summary} says what. */
    static RestoreOutcome restored(String summary) {
        return new RestoreOutcome(Kind.RESTORED, "restored " + summary, List.of(), false, null);
    }

    /** The restore ran to its end, and {@code notes} say what it could not change and why. */
    static RestoreOutcome partly(String summary, List<String> notes) {
        return new RestoreOutcome(Kind.PARTLY, "partly restored " + summary, notes, false, null);
    }

    /** Nothing changed: {@code why} names the file, field, value or rule. */
    static RestoreOutcome notRestored(String why, Throwable cause) {
        return new RestoreOutcome(Kind.NOT_RESTORED, "not restored: " + why, List.of(), true, cause);
    }

    /** A failure stopped the restore after it had changed something: {@code message} says what. */
    static RestoreOutcome stoppedPartway(String message, Throwable cause) {
        return new RestoreOutcome(Kind.PARTLY, message, List.of(), true, cause);
    }

    /** The line the agent prints, without its prefix. */
    String line(boolean strict) {
        return message + (notes.isEmpty() ? "" : "; " + String.join("; ", notes))
                + (stopped && !strict ? CONTINUES : "");
    }
}
