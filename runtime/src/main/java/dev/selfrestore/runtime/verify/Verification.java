package dev.selfrestore.runtime.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * What one look at /proc found: for each item checked, what was intended and what /proc showed, and
 * the items that differ. Each /proc file is read once; the arrays are not to be changed.
 */
public final class Verification {
    private final byte[][] expected = new byte[Item.RESTORED.size()][];
    private final byte[][] actual = new byte[Item.RESTORED.size()][];
    private final List<Difference> differences = new ArrayList<>();

    void add(Item item, byte[] intended, byte[] shown, boolean same) {
        expected[item.ordinal()] = intended;
        actual[item.ordinal()] = shown;
        if (!same) {
            differences.add(new Difference(item, intended, shown));
        }
    }

    /** Whether every item checked shows what was intended. */
    public boolean matches() {
        return differences.isEmpty();
    }

    /** The items that differ, in the order of {@link Item#RESTORED}. */
    public List<Difference> differences() {
        return differences;
    }

    /** The difference of one item, or null when it matches (or was not checked). */
    public Difference difference(Item item) {
        for (Difference d : differences) {
            if (d.item() == item) {
                return d;
            }
        }
        return null;
    }

    /** What was intended of an item, or null when it was not checked. */
    public byte[] expected(Item item) {
        return item.ordinal() < expected.length ? expected[item.ordinal()] : null;
    }

    /** What /proc showed of an item, or null when it was not checked. */
    public byte[] actual(Item item) {
        return item.ordinal() < actual.length ? actual[item.ordinal()] : null;
    }
}
