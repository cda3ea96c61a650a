package dev.selfrestore.agent.cli;

/** A command cannot go on: the message for stderr and the exit code. */
final class CliFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
