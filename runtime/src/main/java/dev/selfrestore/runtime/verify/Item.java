package dev.selfrestore.runtime.verify;

import java.util.List;
import java.util.Locale;

/**
 * The parts of an identity a difference is keyed by: first the five a restore sets and /proc shows
 * ({@link #RESTORED}, in the order {@code verify} shows them), then those only a descriptor holds.
 */
public enum Item {
    EXE, CMDLINE, ENVIRON, AUXV, COMM,
    /** The descriptor file's format version. */
    FORMAT,
    /** The prctl_mm_map fields and where brk came from. */
    FIELDS,
    /** How a JVM original was launched. */
    JVM,
    /** The capture's metadata. */
    CAPTURE,
    /** Whether the descriptor was edited, from what, and how. */
    PROVENANCE;

    /** The items a restore sets and /proc shows, in the order they are reported. */
    public static final List<Item> RESTORED = List.of(EXE, CMDLINE, ENVIRON, AUXV, COMM);

    /** Its name as the output spells it: {@code exe}, {@code cmdline}, … */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
