package dev.selfrestore.runtime.verify;

/** An executable's st_mode, a value of its own so that it is shown as a mode, not as a number. */
public record FileMode(int bits) {
}
