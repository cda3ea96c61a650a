package dev.selfrestore.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AgentRunnerTest {
    @Test
    void millisecondsWithOneDecimalRounded() {
        assertEquals("0.0", AgentRunner.millis(0));
        assertEquals("0.1", AgentRunner.millis(50_000));
        assertEquals("12.3", AgentRunner.millis(12_345_678));
        assertEquals("100.0", AgentRunner.millis(99_960_000));
    }
}
