package dev.selfrestore.testing;

import dev.selfrestore.nativeshim.Syscalls;

/**
 * The {@link Syscalls.Decorator} of the testing jar: {@link FaultInjectingSyscalls} with the spec
 * of the agent option {@code test-faults=SPEC}, or for the command line with the spec of the
 * environment variable {@value #COMMAND_LINE_VARIABLE} (the command line has no agent options; the
 * product jar has no decorator and never reads the variable). Registered in
 * {@code META-INF/services/dev.selfrestore.nativeshim.Syscalls$Decorator}.
 */
public final class FaultInjection implements Syscalls.Decorator {

    /** The command line's spec, in the same form as {@code test-faults=SPEC}; unset or empty for none. */
    public static final String COMMAND_LINE_VARIABLE = "SELFRESTORE_TEST_FAULTS";

    @Override
    public void check(String spec) {
        FaultInjectingSyscalls.checkSpec(spec);
    }

    @Override
    public Syscalls decorate(Syscalls real, String spec) {
        return FaultInjectingSyscalls.decorate(real, spec);
    }

    @Override
    public Syscalls forCommandLine(Syscalls real) {
        String spec = System.getenv(COMMAND_LINE_VARIABLE);
        if (spec == null || spec.isEmpty()) {
            return real;
        }
        try {
            return FaultInjectingSyscalls.decorate(real, spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(COMMAND_LINE_VARIABLE + "=" + spec + ": " + e.getMessage(), e);
        }
    }
}
