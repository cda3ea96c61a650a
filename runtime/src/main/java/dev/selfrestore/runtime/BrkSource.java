package dev.selfrestore.runtime;

/** How the {@code brk} field of a descriptor was obtained. */
public enum BrkSource {
    /** Read with brk(0) inside the process itself: the kernel's own value. */
    EXACT,
    /**
     * Read from outside: /proc shows no brk, so the end of the {@code [heap]} mapping stands for it
     * (or start_brk when the process has no heap). It may differ from the kernel's value by less
     * than a page.
     */
    APPROXIMATED
}
