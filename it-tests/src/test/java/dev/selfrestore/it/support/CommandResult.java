package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;

/**
 * A finished short-lived command (selfrestore's command line, pgrep, a compiler): exit status, stdout
 * and stderr apart, and a description with everything it printed for failure messages.
 */
public record CommandResult(int status, String stdout, String stderr, String description) {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** stdout parsed as one JSON document by a strict, independent parser; fails the test if it is not valid JSON. */
    public JsonNode json() {
        try {
            return MAPPER.readTree(stdout);
        } catch (JsonProcessingException e) {
            return fail("stdout is not valid JSON (" + e.getOriginalMessage() + "): " + description);
        }
    }

    /** Asserts the exit status, showing everything the command printed when it differs. */
    public CommandResult assertStatus(int expected) {
        assertEquals(expected, status, () -> "exit status of " + description);
        return this;
    }

    /** The whitespace-separated numbers on stdout, as printed by pgrep and pidof. */
    public List<Long> pids() {
        String trimmed = stdout.strip();
        return trimmed.isEmpty() ? List.of() : Arrays.stream(trimmed.split("\\s+")).map(Long::valueOf).toList();
    }
}
