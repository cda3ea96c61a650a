package dev.selfrestore.runtime.exe;

import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.runtime.ExecutableIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Works out the identity of an executable from a file descriptor open on it. The file is read
 * through /proc/self/fd/N so that a path of any bytes, or a deleted file kept open, works.
 */
public final class ExecutableInspector {
    private ExecutableInspector() {
    }

    /**
     * @param path the path to record (raw bytes)
     * @param fd   a descriptor open on that file
     * @param st   its statx
     */
    public static ExecutableIdentity identify(byte[] path, int fd, Statx st) throws IOException {
        byte[] buildId;
        byte[] sha = new byte[0];
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ)) {
            buildId = ElfBuildId.read(ch);
            if (buildId.length == 0) {
                sha = sha256(ch);
            }
        }
        return new ExecutableIdentity(path, st.size(), st.mtimeNanos(), st.devMajor(), st.devMinor(), st.inode(),
                st.mode(), buildId, sha);
    }

    /**
     * Reads the build-id only (cheap), for checking a file against a recorded identity: from
     * {@code fd} itself, {@code size} bytes long, through {@code files}.
     */
    public static byte[] buildId(FileCalls files, int fd, long size) throws IOException {
        return ElfBuildId.read(files, fd, size);
    }

    /** SHA-256 of the whole file open on {@code fd}. */
    public static byte[] sha256(int fd) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ)) {
            return sha256(ch);
        }
    }

    private static byte[] sha256(FileChannel ch) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        ch.position(0);
        InputStream in = Channels.newInputStream(ch);
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return md.digest();
    }
}
