package dev.selfrestore.runtime.verify;

/**
 * One item of identity that a process does not present as intended.
 *
 * @param item     exe, cmdline, environ, auxv or comm
 * @param expected what was intended, shown for people (non-UTF-8 bytes escaped)
 * @param actual   what /proc shows, likewise
 */
public record Difference(String item, String expected, String actual) {
    @Override
    public String toString() {
        return item + ": expected " + expected + ", /proc shows " + actual;
    }
}
