package dev.selfrestore.testing;

import dev.selfrestore.nativeshim.Syscalls;

/**
 * The {@link Syscalls.Decorator} of the testing jar: {@link FaultInjectingSyscalls} with the spec
 * of the agent option {@code test-faults=SPEC}. Registered in
 * {@code META-INF/services/dev.selfrestore.nativeshim.Syscalls$Decorator}.
 */
public final class FaultInjection implements Syscalls.Decorator {

    @Override
    public void check(String spec) {
        FaultInjectingSyscalls.checkSpec(spec);
    }

    @Override
    public Syscalls decorate(Syscalls real, String spec) {
        return new FaultInjectingSyscalls(real, spec);
    }
}
