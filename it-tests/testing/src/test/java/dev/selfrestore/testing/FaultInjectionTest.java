package dev.selfrestore.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfrestore.nativeshim.Syscalls;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class FaultInjectionTest {

    @Test
    void theServiceEntryNamesTheDecorator() {
        assertEquals(java.util.List.of(FaultInjection.class),
                ServiceLoader.load(Syscalls.Decorator.class).stream().map(ServiceLoader.Provider::type).toList());
    }
}
