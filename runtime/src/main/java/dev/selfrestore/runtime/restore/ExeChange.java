package dev.selfrestore.runtime.restore;

/**
 * What becomes of the {@link ExePlan}'s change of exe while the {@link Applier} carries it out: the
 * one place of exe's handling whose state changes, and the applier's alone. The change is still
 * wanted until the applier gives it up (the launcher's mappings could not be replaced, the kernel
 * refused the file, or nothing of /proc can change); whether the launcher's mappings were replaced
 * is kept for the {@link Rollback}, which says so if the restore then fails.
 */
final class ExeChange {
    private final ExePlan plan;
    private boolean givenUp;
    private String note;
    private boolean launcherSwapped;

    ExeChange(ExePlan plan) {
        this.plan = plan;
        this.note = plan.note();
    }

    ExePlan plan() {
        return plan;
    }

    /** Whether exe is still to change. */
    boolean wanted() {
        return !givenUp && plan.wanted();
    }

    /** The descriptor to change exe to, or -1 once the change is not (or no longer) wanted. */
    int fd() {
        return wanted() ? plan.fd() : -1;
    }

    /** Leaves exe as it is; {@code why} null when another note says why. */
    void giveUp(String why) {
        givenUp = true;
        note = why;
    }

    /** The launcher's mappings are now anonymous copies with the same bytes (which stay whatever follows). */
    void launcherSwapped() {
        launcherSwapped = true;
    }

    boolean isLauncherSwapped() {
        return launcherSwapped;
    }

    /** What happened to exe. */
    RestoreResult.ExeOutcome outcome() {
        return givenUp ? RestoreResult.ExeOutcome.UNCHANGED : plan.outcome();
    }

    /** Why exe was not changed, or null (changed, already the original, or another note says why). */
    String note() {
        return note;
    }
}
