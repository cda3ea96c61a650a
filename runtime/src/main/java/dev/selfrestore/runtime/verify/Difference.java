package dev.selfrestore.runtime.verify;

import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.proc.ProcPid;
import java.util.Arrays;
import java.util.List;

/**
 * One item of identity that a process does not present as intended: the whole of each side as bytes
 * (exe as its path, auxv as /proc/PID/auxv shows it, comm without its newline), and
 * {@link #changes()} entry by entry. The arrays are the verifier's own, compared by reference in
 * {@code equals}: not to be changed.
 *
 * @param item     one of {@link Item#RESTORED}
 * @param expected what was intended
 * @param actual   what /proc shows
 */
public record Difference(Item item, byte[] expected, byte[] actual) {
    /** What differs, entry by entry: argv[N], variables by name, auxv entries by type. */
    public List<Change> changes() {
        Changes c = new Changes();
        switch (item) {
            case EXE -> c.value(item, "path", expected, actual);
            case CMDLINE -> c.argv(item, expected, actual);
            case ENVIRON -> c.environ(item, expected, actual);
            case AUXV -> c.auxv(item, ProcPid.auxvWords(expected), ProcPid.auxvWords(actual));
            case COMM -> c.value(item, "comm", expected, actual);
            default -> throw new IllegalStateException(item.label() + " is not shown in /proc");
        }
        return c.list();
    }

    /** One line for people: each side's value, or for long ones its length and the first differing offset. */
    @Override
    public String toString() {
        return item.label() + ": expected " + show(expected, actual) + ", /proc shows " + show(actual, expected);
    }

    private String show(byte[] v, byte[] other) {
        if (item == Item.AUXV) {
            return v.length / 16 + " entries";
        }
        if (v.length <= 120) {
            return '"' + RawBytes.escape(v) + '"';
        }
        int at = Arrays.mismatch(v, other);
        return v.length + " bytes, first difference at offset " + at;
    }
}
