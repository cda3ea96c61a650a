package dev.selfrestore.runtime.validate;

/**
 * One broken rule: which field, which value, and the rule it breaks.
 *
 * @param field the descriptor or prctl_mm_map field, e.g. {@code arg_end} or {@code auxv}
 * @param value the offending value as shown to people, e.g. {@code 0x7ffd1000}
 * @param rule  the rule, e.g. {@code must not be below arg_start (0x7ffd2000)}
 */
public record Problem(String field, String value, String rule) {
    @Override
    public String toString() {
        return field + "=" + value + " " + rule;
    }

    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
