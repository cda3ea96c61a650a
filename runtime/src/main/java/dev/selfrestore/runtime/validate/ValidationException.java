package dev.selfrestore.runtime.validate;

import java.util.List;
import java.util.stream.Collectors;

/** The descriptor or the planned prctl_mm_map breaks rules; nothing was changed. Lists every problem. */
public final class ValidationException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public ValidationException(String what, List<Problem> problems) {
        super(what + ": " + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
