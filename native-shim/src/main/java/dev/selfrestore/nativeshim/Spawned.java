package dev.selfrestore.nativeshim;

/**
 * A child process that has ended: its exit status (128 + the signal's number when a signal ended
 * it) and what it wrote on its standard output and error, interleaved as written.
 */
public record Spawned(int status, byte[] output) {
}
