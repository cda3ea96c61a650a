package dev.selfrestore.runtime;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The executable a process ran, and what recognises the same file later.
 *
 * <p>{@code path} is raw bytes as the kernel printed it in /proc/PID/exe: Linux paths are bytes,
 * not text. {@code buildId} is the ELF {@code NT_GNU_BUILD_ID} note, empty when the file has none;
 * {@code sha256} is the file's content hash, computed only when there is no build-id (so that
 * recognising a large binary costs one small read, as CRIU's --file-validation=buildid does).
 *
 * @param path      absolute path, raw bytes
 * @param size      file size in bytes
 * @param mtimeNanos modification time, nanoseconds since the epoch (informational: copies change it)
 * @param devMajor  device major number of the file's filesystem (informational)
 * @param devMinor  device minor number (informational)
 * @param inode     inode number (informational: a restore on another machine sees another)
 * @param mode      st_mode bits
 * @param buildId   ELF build-id bytes, or empty
 * @param sha256    SHA-256 of the content, or empty when a build-id identifies the file
 */
public record ExecutableIdentity(
        byte[] path, long size, long mtimeNanos, int devMajor, int devMinor, long inode, int mode,
        byte[] buildId, byte[] sha256) {

    public ExecutableIdentity {
        path = path.clone();
        buildId = buildId.clone();
        sha256 = sha256.clone();
    }

    @Override
    public byte[] path() {
        return path.clone();
    }

    @Override
    public byte[] buildId() {
        return buildId.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    /** The path for display: bytes that are not UTF-8 are shown as {@code \xNN} escapes. */
    public String displayPath() {
        return RawBytes.escape(path);
    }

    /** Build-id in hex, or the empty string. */
    public String buildIdHex() {
        return HexFormat.of().formatHex(buildId);
    }

    /** SHA-256 in hex, or the empty string. */
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExecutableIdentity e
                && Arrays.equals(path, e.path) && size == e.size && mtimeNanos == e.mtimeNanos
                && devMajor == e.devMajor && devMinor == e.devMinor && inode == e.inode
                && mode == e.mode && Arrays.equals(buildId, e.buildId) && Arrays.equals(sha256, e.sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(path), size, inode, Arrays.hashCode(buildId));
    }

    @Override
    public String toString() {
        return "ExecutableIdentity[path=" + displayPath() + ", size=" + size
                + ", dev=" + devMajor + ":" + devMinor + ", inode=" + inode
                + ", mode=0" + Integer.toOctalString(mode)
                + (buildId.length > 0 ? ", build-id=" + buildIdHex() : "")
                + (sha256.length > 0 ? ", sha256=" + sha256Hex() : "") + "]";
    }
}
