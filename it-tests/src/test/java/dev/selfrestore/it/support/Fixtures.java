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

    /**
     * Waits until {@code process} has finished exec'ing {@code exe} and sleeps in it, so that everything
     * /proc shows of it is final. /proc/PID/exe naming {@code exe} is not enough: execve switches exe
     * (begin_new_exec) before it fills the saved auxv and the argument and environment areas
     * (create_elf_tables) and before it sets the code, data and heap fields. So this waits until
     * exe names {@code exe}, the saved auxv holds AT_PHDR and AT_ENTRY, arg_end is past arg_start,
     * start_code and start_brk are set, and two reads of all of it, one after the other, are equal
     * and both find the process blocked (state S): execve does not block after create_elf_tables
     * returns, so a blocked process with a filled argument area has returned to its program.
     * For programs that block soon after starting, such as sleep.
     */
    public static void awaitExe(RunningProcess process, Path exe, Duration timeout) throws InterruptedException {
        awaitExe(process.pid(), exe, timeout, process::describe);
    }

    /**
     * As {@link #awaitExe(RunningProcess, Path, Duration)} for a process that is not a child of the
     * test JVM, such as a container's init; {@code exe} is what /proc/PID/exe shows of it here, and
     * {@code describe} what a failure shows.
     */
    public static void awaitExe(long pid, Path exe, Duration timeout, java.util.function.Supplier<String> describe)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String seen = "(nothing)";
        String previous = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                seen = execState(pid, exe);
                if (seen.equals(previous) && seen.startsWith("settled ")) {
                    return;
                }
                previous = seen;
            } catch (IOException e) {
                seen = e.toString();
                previous = null;
            }
            Thread.sleep(previous != null && previous.startsWith("settled ") ? 5 : 20);
        }
        fail("pid " + pid + " did not finish exec'ing " + exe + " within " + timeout + "; last seen: " + seen
                + ": " + describe.get());
    }

    /** "settled " and everything read, or what is still missing. */
    private static String execState(long pid, Path exe) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        String link = Files.readSymbolicLink(proc.resolve("exe")).toString();
        if (!link.equals(exe.toString())) {
            return "exe " + link;
        }
        String stat = Files.readString(proc.resolve("stat"), StandardCharsets.ISO_8859_1);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).strip().split(" "); // f[0] is field 3
        byte[] auxv = Files.readAllBytes(proc.resolve("auxv"));
        java.nio.ByteBuffer words = java.nio.ByteBuffer.wrap(auxv).order(java.nio.ByteOrder.nativeOrder());
        boolean phdr = false;
        boolean entry = false;
        while (words.remaining() >= 16) {
            long type = words.getLong();
            words.getLong();
            phdr |= type == 3; // AT_PHDR
            entry |= type == 9; // AT_ENTRY
        }
        if (!phdr || !entry) {
            return "auxv without AT_PHDR or AT_ENTRY (" + auxv.length + " bytes)";
        }
        if (Long.parseUnsignedLong(f[49 - 3]) <= Long.parseUnsignedLong(f[48 - 3])) {
            return "arg_end " + f[49 - 3] + " not past arg_start " + f[48 - 3];
        }
        if (f[26 - 3].equals("0") || f[47 - 3].equals("0")) {
            return "start_code " + f[26 - 3] + ", start_brk " + f[47 - 3];
        }
        if (!f[0].equals("S")) {
            return "state " + f[0];
        }
        // Fields 26-28 and 45-51 (the layout), 22 (start time); the bytes of cmdline, environ, auxv, comm.
        return "settled " + String.join(" ", f[26 - 3], f[27 - 3], f[28 - 3], f[22 - 3])
                + " " + String.join(" ", java.util.Arrays.asList(f).subList(45 - 3, 52 - 3))
                + " cmdline " + java.util.HexFormat.of().formatHex(Files.readAllBytes(proc.resolve("cmdline")))
                + " environ " + java.util.HexFormat.of().formatHex(Files.readAllBytes(proc.resolve("environ")))
                + " auxv " + java.util.HexFormat.of().formatHex(auxv)
                + " comm " + java.util.HexFormat.of().formatHex(Files.readAllBytes(proc.resolve("comm")));
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
