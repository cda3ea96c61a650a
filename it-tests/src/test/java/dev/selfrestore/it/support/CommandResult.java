package dev.selfrestore.it.support;

import java.util.Arrays;
import java.util.List;

/** A finished short-lived command: its exit status, its stdout and a description (with stderr) for failure messages. */
public record CommandResult(int exitStatus, String stdout, String description) {

    /** The whitespace-separated numbers on stdout, as printed by pgrep and pidof. */
    public List<Long> pids() {
        String trimmed = stdout.strip();
        return trimmed.isEmpty() ? List.of() : Arrays.stream(trimmed.split("\\s+")).map(Long::valueOf).toList();
    }
}
