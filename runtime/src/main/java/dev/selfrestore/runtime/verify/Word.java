package dev.selfrestore.runtime.verify;

/** An address or a machine word (a prctl_mm_map field, an auxv value): shown as {@code 0x} and hex digits. */
public record Word(long value) {
    @Override
    public String toString() {
        return "0x" + Long.toHexString(value);
    }
}
