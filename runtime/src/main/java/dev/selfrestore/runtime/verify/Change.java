package dev.selfrestore.runtime.verify;

/**
 * One entry that differs between two identities.
 *
 * @param item   the part of the identity
 * @param name   the entry within it: a field name, an AT_* name, argv[N], a variable name
 * @param before the first side's value (byte[], {@link Word}, {@link FileMode}, an Instant, a number or
 *               a string), null when absent
 * @param after  the second side's value, null when absent
 */
public record Change(Item item, String name, Kind kind, Object before, Object after) {
    public enum Kind {
        /** In both, with different values. */
        CHANGED,
        /** Only in the second (the later file, or what /proc shows). */
        ADDED,
        /** Only in the first (the earlier file, or the descriptor). */
        REMOVED
    }
}
