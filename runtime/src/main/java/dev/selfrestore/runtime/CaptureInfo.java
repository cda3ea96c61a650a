package dev.selfrestore.runtime;

/**
 * Where and when a descriptor was captured.
 *
 * @param pid           the captured process's PID
 * @param timeMillis    capture time, milliseconds since the epoch
 * @param kernelRelease {@code uname -r} of the capturing machine
 * @param arch          {@code uname -m} of the capturing machine (x86_64, aarch64, …)
 * @param pageSize      page size in bytes
 * @param uid           real UID of the captured process
 */
public record CaptureInfo(long pid, long timeMillis, String kernelRelease, String arch, int pageSize, int uid) {
}
