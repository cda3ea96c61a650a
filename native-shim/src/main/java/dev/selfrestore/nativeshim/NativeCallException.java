package dev.selfrestore.nativeshim;

/**
 * A system call or libc function failed. The message says what was attempted, on what, and why,
 * e.g. {@code prctl(PR_SET_MM, PR_SET_MM_MAP) with exe_fd=/usr/bin/sleep failed: EBUSY (Device or
 * resource busy)}.
 */
public final class NativeCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;

    public NativeCallException(String operation, int errno) {
        super(operation + " failed: " + Errno.name(errno) + " (" + Errno.describe(errno) + ")", null, false, false);
        this.operation = operation;
        this.errno = errno;
    }

    /** What was attempted, on what: {@code open(/usr/bin/sleep, O_RDONLY|O_CLOEXEC)}. */
    public String operation() {
        return operation;
    }

    /** The errno value the call left. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EPERM}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
