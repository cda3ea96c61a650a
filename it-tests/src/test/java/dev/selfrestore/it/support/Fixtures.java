package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/** Files and users the tests set up. */
public final class Fixtures {

    /** Runs the rest of a command as uid/gid 65534 (nobody) with no supplementary groups. */
    public static final List<String> AS_NOBODY =
            List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    /** As {@link #AS_NOBODY}, and with no capability left anywhere: none inheritable, an empty bounding set. */
    public static final List<String> AS_NOBODY_WITHOUT_CAPABILITIES =
            List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private Fixtures() {
    }

    /** {@code length} random lower-case letters and digits: makes names unique on this machine. */
    public static String randomToken(int length) {
        StringBuilder token = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            token.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return token.toString();
    }

    /** Copies a file or a directory tree, making it readable by every user (directories 755, files 644). */
    public static void copyReadableByAll(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path from : (Iterable<Path>) paths::iterator) {
                Path to = target.resolve(source.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                }
                makeReadableByAll(to);
            }
        }
    }

    /** chmod 755 for a directory, 644 for a file. */
    public static void makeReadableByAll(Path path) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
    }

    /** chmod 755. */
    public static void makeExecutableByAll(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * A copy of the launcher {@code java} under a unique name ({@code dir/jdk/bin/srjava-XXXXXX}) beside
     * a link {@code dir/jdk/lib} to its JDK's lib: a JVM original whose exe and comm differ from those of
     * any restoring JVM. The launcher finds lib through its own path; the JVM then finds its real home.
     * Delete the link with {@link #deleteRenamedJavaLauncherLink} (JUnit warns about links out of a temp dir).
     */
    public static Path renamedJavaLauncher(Path dir, Path java) throws IOException {
        Path realJava = java.toRealPath();
        Path home = dir.resolve("jdk");
        Files.createDirectories(home.resolve("bin"));
        Files.createSymbolicLink(home.resolve("lib"), realJava.getParent().resolveSibling("lib"));
        Path launcher = home.resolve("bin").resolve("srjava-" + randomToken(6));
        Files.copy(realJava, launcher);
        makeExecutableByAll(launcher);
        return launcher;
    }

    public static void deleteRenamedJavaLauncherLink(Path launcher) throws IOException {
        Files.deleteIfExists(launcher.getParent().resolveSibling("lib"));
    }

    /** Waits until /proc/PID/exe of {@code process} is {@code exe}: it has exec'd the program. */
    public static void awaitExe(RunningProcess process, Path exe, Duration timeout) throws InterruptedException {
        Path link = Path.of("/proc", Long.toString(process.pid()), "exe");
        Instant deadline = Instant.now().plus(timeout);
        String seen = "(nothing)";
        while (Instant.now().isBefore(deadline)) {
            try {
                seen = Files.readSymbolicLink(link).toString();
                if (seen.equals(exe.toString())) {
                    return;
                }
            } catch (IOException e) {
                seen = e.toString();
            }
            Thread.sleep(20);
        }
        fail("pid " + process.pid() + " did not exec " + exe + " within " + timeout + "; exe was " + seen
                + ": " + process.describe());
    }

    /** {@code args} as /proc/PID/cmdline shows them: each ended by NUL. */
    public static byte[] cmdlineOf(List<String> args) {
        return nulTerminated(args.stream().map(a -> a.getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** The items one after another, each ended by NUL: the layout of /proc/PID/cmdline and environ. */
    public static byte[] nulTerminated(List<byte[]> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] item : items) {
            out.writeBytes(item);
            out.write(0);
        }
        return out.toByteArray();
    }
}
