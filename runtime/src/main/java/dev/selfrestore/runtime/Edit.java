package dev.selfrestore.runtime;

import java.util.Arrays;
import java.util.Objects;

/**
 * One change an operator made to an identity, as given: the option and its operand, in raw bytes.
 *
 * <p>Operands: {@link Kind#SET_ENV} {@code NAME=VALUE}; {@link Kind#UNSET_ENV} {@code NAME};
 * {@link Kind#SET_ARG} {@code INDEX=VALUE} (INDEX in decimal ASCII); {@link Kind#APPEND_ARG},
 * {@link Kind#ARGV0} the value; {@link Kind#COMM} the name; {@link Kind#EXE} the path of the new
 * executable (whose identity the descriptor's exe fields then hold).
 *
 * @param kind    what is changed
 * @param operand the operand's bytes, never decoded
 */
public record Edit(Kind kind, byte[] operand) {

    /** The edits, with the code each has in the descriptor format (1.2) and its command-line option. */
    public enum Kind {
        SET_ENV(1, "--set-env"),
        UNSET_ENV(2, "--unset-env"),
        SET_ARG(3, "--set-arg"),
        APPEND_ARG(4, "--append-arg"),
        ARGV0(5, "--argv0"),
        COMM(6, "--comm"),
        EXE(7, "--exe");

        private final int code;
        private final String option;

        Kind(int code, String option) {
            this.code = code;
            this.option = option;
        }

        /** The byte that stands for this kind in a descriptor record. */
        public int code() {
            return code;
        }

        /** The {@code selfrestore edit} option. */
        public String option() {
            return option;
        }

        /** The kind with this code, or null. */
        public static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    public Edit {
        Objects.requireNonNull(kind, "kind");
        operand = operand.clone();
    }

    @Override
    public byte[] operand() {
        return operand.clone();
    }

    /** For people: {@code --set-env HOSTNAME=web-2}, the operand escaped as {@link RawBytes#escape} does. */
    @Override
    public String toString() {
        return kind.option() + " " + RawBytes.escape(operand);
    }

    /** {@link #toString()}, with an operand over 60 bytes cut short and its length given: for messages. */
    public String brief() {
        if (operand.length <= 60) {
            return toString();
        }
        return kind.option() + " " + RawBytes.escape(java.util.Arrays.copyOf(operand, 48)) + "... (" + operand.length
                + " bytes)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Edit e && kind == e.kind && Arrays.equals(operand, e.operand);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(operand);
    }
}
