package dev.selfrestore.agent.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.CRC32;

/**
 * Serves a native library stored in the agent jar (JNA's {@code libjnidispatch.so}) as a file that
 * is unpacked once per user and version, instead of on every start.
 *
 * <p>JNA asks its class loader for the library as a resource. Given a {@code jar:} URL it unpacks
 * the library to a new temporary file on every start ({@code File.createTempFile}, whose first use
 * initialises {@code SecureRandom}, costly in a cold JVM), loads it and deletes it. Given a
 * {@code file:} URL it loads the file in place. So the first start unpacks the library to
 * {@code $XDG_CACHE_HOME/selfrestore/native/<crc32>-<size>/} (else {@code ~/.cache/...}; JNA itself
 * uses {@code ~/.cache/JNA}) and every start serves that file, once it has checked that:
 * <ul>
 *   <li>the cache directory belongs to this process's user and nobody else may write to it
 *       (mode 0700, made so when created), so nobody else can swap the file after the check;</li>
 *   <li>the file has the entry's size and CRC-32 (read and checked on every start: the jar's
 *       central directory holds both, so the check costs a read of the file).</li>
 * </ul>
 * If any of that fails (no home, a read-only file system, another owner, a damaged file), the jar
 * entry is served as before and JNA unpacks it itself. Nothing else changes: JNA loads the same
 * bytes, by {@code System.load}.
 */
final class NativeLibraryFile {
    private static final String CACHE = "selfrestore/native";

    private NativeLibraryFile() {
    }

    /** A {@code file:} URL of a checked copy of the entry, or null to serve the entry itself. */
    static URL cached(JarFile jar, String entryName) {
        return cached(jar, entryName, cacheRoot());
    }

    /** As {@link #cached(JarFile, String)}, under the cache root given (for tests). */
    static URL cached(JarFile jar, String entryName, Path root) {
        try {
            JarEntry e = jar.getJarEntry(entryName);
            if (e == null || root == null || e.getSize() <= 0 || e.getCrc() < 0) {
                return null;
            }
            Path dir = root.resolve(CACHE);
            Path key = dir.resolve(Long.toHexString(e.getCrc()) + "-" + e.getSize());
            Path file = key.resolve(entryName.substring(entryName.lastIndexOf('/') + 1));
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                privateDirectory(root.resolve("selfrestore"));
                privateDirectory(dir);
                privateDirectory(key);
                unpack(jar, e, key, file);
            }
            Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!ownPrivate(root.resolve("selfrestore"), self) || !ownPrivate(dir, self) || !ownPrivate(key, self)
                    || !matches(file, e)) {
                return null;
            }
            return file.toUri().toURL();
        } catch (IOException | RuntimeException ex) {
            return null;
        }
    }

    private static Path cacheRoot() {
        String xdg = startVariable("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg);
        }
        String home = System.getProperty("user.home");
        return home == null || !home.startsWith("/") ? null : Path.of(home, ".cache");
    }

    /**
     * A variable of the environment this process started with, read from /proc/self/environ. Not
     * System.getenv: its first use makes the JDK decode and keep the whole environment
     * (ProcessEnvironment), which a restore would then have to refill; left alone, the JDK reads
     * the restored environment when the application first asks. Null when absent or unreadable.
     */
    static String startVariable(String name) {
        byte[] environ;
        // A FileInputStream, not Files.readAllBytes: NIO's file channel is some thirty classes that
        // a cold JVM would load and link for this one read.
        try (InputStream in = new java.io.FileInputStream("/proc/self/environ")) {
            environ = in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return variable(environ, name);
    }

    /** The value of the first {@code name=} entry of a NUL-separated environment, or null. */
    static String variable(byte[] environ, String name) {
        byte[] key = (name + "=").getBytes(StandardCharsets.ISO_8859_1);
        int i = 0;
        while (i < environ.length) {
            int end = i;
            while (end < environ.length && environ[end] != 0) {
                end++;
            }
            if (end - i >= key.length && Arrays.equals(environ, i, i + key.length, key, 0, key.length)) {
                return new String(environ, i + key.length, end - i - key.length, jnuCharset());
            }
            i = end + 1;
        }
        return null;
    }

    /** The charset the JDK decodes the environment and file names with. */
    private static Charset jnuCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding"));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    private static void privateDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException raced) {
                // another JVM made it: checked by ownPrivate like any existing directory
            }
        }
    }

    /** A directory (not a link) of this process's user, with no access for group or others. */
    private static boolean ownPrivate(Path dir, Object self) throws IOException {
        Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        return (mode & 0170000) == 0040000 && (mode & 077) == 0 && a.get("uid").equals(self);
    }

    private static void unpack(JarFile jar, JarEntry e, Path key, Path file) throws IOException {
        // A name of our own (File.createTempFile would initialise SecureRandom, the cost avoided here).
        Path tmp = key.resolve(".unpacking-" + Files.readSymbolicLink(Path.of("/proc/self")) + "-" + System.nanoTime());
        try (InputStream in = jar.getInputStream(e);
             OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            in.transferTo(out);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean matches(Path file, JarEntry e) throws IOException {
        if (Files.size(file) != e.getSize()) {
            return false;
        }
        // Through a small buffer rather than the whole library into the heap (fresh pages in a cold JVM).
        CRC32 crc = new CRC32();
        byte[] buf = new byte[8192];
        try (InputStream in = new java.io.FileInputStream(file.toFile())) {
            for (int n; (n = in.read(buf)) > 0; ) {
                crc.update(buf, 0, n);
            }
        }
        return crc.getValue() == e.getCrc();
    }
}
