package dev.selfrestore.agent.internal;

import java.util.List;

/**
 * The agent's verdict on a restore, from the runtime's {@code RestoreResult} or the failure that
 * stopped it: restored, partly restored or not, and the one line that says so. The agent prints
 * the line on stderr, and its report ({@link AgentReport}) records it under the kind, which is
 * what {@code attach} reads.
 *
 * @param kind    restored, partly restored, or not restored
 * @param message the line, without the {@code selfrestore: } prefix and the notes
 * @param notes   what was not restored, each with why (a partial restore that ran to its end)
 * @param stopped whether a failure stopped the restore (the line then says that the application
 *                continues, unless {@code strict=true} ends it)
 * @param cause   the failure, for {@code debug=true}'s stack trace; null when there is none
 */
record RestoreVerdict(Kind kind, String message, List<String> notes, boolean stopped, Throwable cause) {

    /** The end of a failure's line, unless strict=true ends the JVM instead. */
    static final String CONTINUES = " (application continues)";

    enum Kind {
        RESTORED,
        PARTLY,
        NOT_RESTORED
    }

    RestoreVerdict {
        notes = List.copyOf(notes);
    }

    /** Everything restored and verified; {@code summary} says what. */
    static RestoreVerdict restored(String summary) {
        return new RestoreVerdict(Kind.RESTORED, "restored " + summary, List.of(), false, null);
    }

    /** The restore ran to its end, and {@code notes} say what it could not change and why. */
    static RestoreVerdict partly(String summary, List<String> notes) {
        return new RestoreVerdict(Kind.PARTLY, "partly restored " + summary, notes, false, null);
    }

    /** Nothing changed: {@code why} names the file, field, value or rule. */
    static RestoreVerdict notRestored(String why, Throwable cause) {
        return new RestoreVerdict(Kind.NOT_RESTORED, "not restored: " + why, List.of(), true, cause);
    }

    /** A failure stopped the restore after it had changed something: {@code message} says what. */
    static RestoreVerdict stoppedPartway(String message, Throwable cause) {
        return new RestoreVerdict(Kind.PARTLY, message, List.of(), true, cause);
    }

    /** The line the agent prints, without its prefix. */
    String line(boolean strict) {
        return message + (notes.isEmpty() ? "" : "; " + String.join("; ", notes))
                + (stopped && !strict ? CONTINUES : "");
    }
}
