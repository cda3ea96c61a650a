package dev.selfrestore.runtime.restore;

import dev.selfrestore.runtime.verify.Difference;
import java.util.List;

/**
 * What a restore did.
 *
 * @param exe          what happened to /proc/PID/exe
 * @param exeNote      why exe was not changed, or null when it was (or already was the original, or
 *                     {@code kernelNote} says why)
 * @param args         number of command line arguments restored
 * @param envVars      number of environment entries restored
 * @param auxvEntries  number of auxv entries restored, AT_NULL included
 * @param comm         the task name set, for display
 * @param commNote     why comm was not set, or null
 * @param envNote      why the C library's environment was not pointed at the restored one, or null
 * @param kernelNote   why cmdline, environ and auxv (and exe) were not changed in /proc although comm
 *                     and the environments inside the process were (no PR_SET_MM_MAP and no
 *                     CAP_SYS_RESOURCE), or null when they were
 * @param differences  what verification found /proc showing differently from the intent (empty: all as intended)
 * @param exeBytesCopied bytes of the launcher copied to anonymous memory so exe could change
 * @param nanos        time the restore took
 */
public record RestoreResult(ExeOutcome exe, String exeNote, int args, int envVars, int auxvEntries,
                            String comm, String commNote, String envNote, String kernelNote, List<Difference> differences, long exeBytesCopied,
                            long nanos) {

    /** What happened to /proc/PID/exe. */
    public enum ExeOutcome {
        /** Now the original executable. */
        CHANGED,
        /** The process already ran the original executable; nothing to change. */
        ALREADY,
        /** Left as it was: see {@link RestoreResult#exeNote()}. */
        UNCHANGED
    }

    /** Everything restored and verified. */
    public boolean complete() {
        return exe != ExeOutcome.UNCHANGED && commNote == null && envNote == null && kernelNote == null
                && differences.isEmpty();
    }
}
