package dev.selfrestore.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TestFaultsTest {

    @Test
    void aJarWithoutTheServiceEntryHasNoTestFaults() {
        ClassLoader product = new ClassLoader(null) {
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestFaults.decorator(product));
        assertEquals("test faults are unavailable in this jar (only the testing jar the integration tests build "
                + "has them)", e.getMessage());
    }

    @Test
    void theTestingBuildsDecoratorIsFoundThroughItsEntry() {
        assertEquals("dev.selfrestore.testing.FaultInjection",
                TestFaults.decorator(TestFaults.class.getClassLoader()).getClass().getName());
    }
}
