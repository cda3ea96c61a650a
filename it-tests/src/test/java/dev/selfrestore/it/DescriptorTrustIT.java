package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A descriptor that another user could have written is refused, in one line that names the file
 * or directory and the rule, and the application starts with its own identity; insecure-descriptor=true
 * accepts it; a sticky directory such as /tmp is fine.
 *
 * <p>Another user is real: nobody (uid 65534), through setpriv, owns directories and links and
 * swaps files (rename, renameat2 RENAME_EXCHANGE, from a small C program built here with gcc)
 * while JVMs start, and no start may apply a descriptor that was not checked.
 */
class DescriptorTrustIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private Path captured;

    @BeforeEach
    void capture() throws Exception {
        captured = it.capturedSleepOriginal("original.mmd").descriptor();
    }

    private Path placed(String dirMode, String fileMode) throws Exception {
        Path d = Files.createDirectory(it.dir().resolve("d" + Fixtures.randomToken(6)));
        Path f = Files.copy(captured, d.resolve("id.mmd"));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(fileMode));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(dirMode));
        return f;
    }

    private void assertRefused(Path descriptor, String options, String... expected) throws Exception {
        List<String> command = JavaCommand.java().restoredApp(descriptor, options);
        RestoredApp app = RestoredApp.start(it.processes(), command);
        assertSameBytes("/proc/" + app.pid() + "/cmdline: the JVM's own", Fixtures.cmdlineOf(command),
                ProcIdentity.of(app.pid()).cmdline());
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: " + descriptor);
        for (String e : expected) {
            assertTrue(line.contains(e), () -> "'" + e + "' in: " + line);
        }
    }

    private String assertRestored(Path descriptor, String options) throws Exception {
        RestoredApp app = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, options));
        return app.stopAndAssertOneStderrLine("selfrestore: restored");
    }

    @Test
    void groupWritableFileIsRefusedUnlessInsecureIsAsked() throws Exception {
        Path f = placed("rwxr-xr-x", "rw-rw-r--");
        assertRefused(f, "", "writable by its group (mode 0664)", "insecure-descriptor=true");
        String line = assertRestored(f, "insecure-descriptor=true");
        assertTrue(line.endsWith("(insecure-descriptor=true: read although " + f + " is writable by its group (mode 0664): "
                + "chmod go-w it)"), line);
    }

    @Test
    void worldWritableDirectoryWithoutStickyBitIsRefused() throws Exception {
        Path f = placed("rwxrwxrwx", "rw-------");
        assertRefused(f, "", "directory " + f.getParent(), "without the sticky bit");
    }

    @Test
    void stickyDirectoryLikeTmpIsFine() throws Exception {
        Path f = placed("rwxrwxrwx", "rw-------");
        Files.setAttribute(f.getParent(), "unix:mode", 01777);
        assertRestored(f, "");
    }

    @Test
    void fileOwnedByAnotherUserIsRefused() throws Exception {
        Path f = placed("rwxr-xr-x", "rw-r--r--");
        Files.setAttribute(f, "unix:uid", 65534);
        assertRefused(f, "", "owned by uid 65534");
    }

    private static final int NOBODY = 65534;

    /** A directory owned by nobody, mode 0755. */
    private Path foreignDirectory(Path parent, String name) throws Exception {
        Path d = Files.createDirectory(parent.resolve(name));
        Fixtures.makeReadableByAll(d);
        Files.setAttribute(d, "unix:uid", NOBODY);
        return d;
    }

    private static void chownNobody(Path p) throws Exception {
        Files.setAttribute(p, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void aDirectoryOwnedByAnotherUserAnywhereOnThePathIsRefused() throws Exception {
        Fixtures.makeReadableByAll(it.dir());
        Path foreign = foreignDirectory(it.dir(), "foreign");
        Path sub = Files.createDirectory(foreign.resolve("sub")); // root's, 0755, inside nobody's
        Path deep = Files.copy(captured, sub.resolve("id.mmd"));
        Fixtures.makeReadableByAll(deep);
        assertRefused(deep, "", "directory " + foreign + " is owned by uid 65534 (mode 0755)");
        Path direct = Files.copy(captured, foreign.resolve("id.mmd"));
        Fixtures.makeReadableByAll(direct);
        assertRefused(direct, "", "directory " + foreign + " is owned by uid 65534 (mode 0755)",
                "its owner could replace what it holds");
    }

    @Test
    void aSymbolicLinkIsFollowedOnlyOutOfADirectoryThatPasses() throws Exception {
        Fixtures.makeReadableByAll(it.dir());
        Path good = placed("rwxr-xr-x", "rw-r--r--");
        // A link in a good directory to the good file: followed.
        Path viaGood = Files.createSymbolicLink(good.getParent().resolve("link.mmd"), good);
        assertRestored(viaGood, "");
        // The same link in nobody's directory: its owner chooses where it points, so it is not read.
        Path foreign = foreignDirectory(it.dir(), "foreign");
        Path link = Files.createSymbolicLink(foreign.resolve("id.mmd"), good);
        chownNobody(link);
        assertRefused(link, "", "directory " + foreign + " is owned by uid 65534");
        // A good link into nobody's directory: refused there.
        Path theirs = Files.copy(captured, foreign.resolve("theirs.mmd"));
        Fixtures.makeReadableByAll(theirs);
        Path intoForeign = Files.createSymbolicLink(good.getParent().resolve("into.mmd"), theirs);
        assertRefused(intoForeign, "", "directory " + foreign + " is owned by uid 65534");
        // A link nobody made in a sticky directory.
        Path sticky = Files.createDirectory(it.dir().resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path planted = Files.createSymbolicLink(sticky.resolve("id.mmd"), good);
        chownNobody(planted);
        assertRefused(planted, "", "symbolic link " + planted + " in sticky directory " + sticky + " is owned by uid 65534");
    }

    @Test
    void aHardLinkToARootOwnedFileIsRefusedToAnotherUser() throws Exception {
        Fixtures.makeReadableByAll(it.dir());
        JavaCommand.ReadableCopy readable = JavaCommand.readableByAll(it.dir().resolve("readable"));
        Path rootsFile = Files.copy(captured, it.dir().resolve("roots.mmd")); // root's, 0644, readable by nobody
        Fixtures.makeReadableByAll(rootsFile);
        Path home = foreignDirectory(it.dir(), "home"); // nobody's own directory: fine for nobody
        Path link = Files.createLink(home.resolve("id.mmd"), rootsFile);
        List<String> command = new ArrayList<>(Fixtures.AS_NOBODY_WITHOUT_CAPABILITIES);
        command.addAll(readable.java().restoredApp(link, "", "-XX:-UsePerfData"));
        RestoredApp app = RestoredApp.start(it.processes(), command);
        assertSameBytes("/proc/" + app.pid() + "/cmdline: the JVM's own", Fixtures.cmdlineOf(command.subList(
                Fixtures.AS_NOBODY_WITHOUT_CAPABILITIES.size(), command.size())), ProcIdentity.of(app.pid()).cmdline());
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: " + link);
        assertTrue(line.contains(link + " has 2 hard links and is owned by uid 0, not by this process's uid 65534"), line);
    }

    /** Compiles the swapper: {@code swap DIR exchange A B} or {@code swap DIR rename TARGET ONE TWO}, until killed. */
    private Path swapper() throws Exception {
        Path src = it.dir().resolve("swap.c");
        Files.writeString(src, """
                #define _GNU_SOURCE
                #include <fcntl.h>
                #include <stdio.h>
                #include <string.h>
                #include <unistd.h>
                #include <sys/syscall.h>
                #ifndef RENAME_EXCHANGE
                #define RENAME_EXCHANGE (1 << 1)
                #endif
                int main(int argc, char **argv) {
                    int d = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
                    if (d < 0) { perror(argv[1]); return 2; }
                    int exchange = strcmp(argv[2], "exchange") == 0;
                    printf("SWAPPING\\n");
                    fflush(stdout);
                    for (unsigned long n = 0;; n++) {
                        if (exchange) {
                            if (syscall(SYS_renameat2, d, argv[3], d, argv[4], RENAME_EXCHANGE) != 0) {
                                perror("renameat2");
                                return 1;
                            }
                        } else {
                            unlinkat(d, ".swap", 0);
                            if (linkat(d, (n & 1) ? argv[5] : argv[4], d, ".swap", 0) != 0
                                    || renameat(d, ".swap", d, argv[3]) != 0) {
                                perror("rename");
                                return 1;
                            }
                        }
                    }
                }
                """);
        Path bin = it.dir().resolve("swap");
        var gcc = it.processes().run(ItConfig.PROCESS_TIMEOUT, "gcc", "-O2", "-o", bin.toString(), src.toString());
        assertEquals(0, gcc.status(), gcc::description);
        Fixtures.makeExecutableByAll(bin);
        return bin;
    }

    private RunningProcess startSwapper(List<String> wrapper, String... args) throws Exception {
        List<String> command = new ArrayList<>(wrapper);
        command.add(swapper().toString());
        command.addAll(List.of(args));
        RunningProcess p = it.processes().start("swap", command);
        p.awaitStdoutLine("SWAPPING", ItConfig.PROCESS_TIMEOUT);
        return p;
    }

    /**
     * Starts {@code n} JVMs on {@code descriptor} while it is being swapped; each must either
     * restore {@code goodPid}'s descriptor or refuse in one line naming nobody's ownership.
     */
    private int startsWhileSwapping(RunningProcess swap, Path descriptor, long goodPid, long foreignPid, int n)
            throws Exception {
        int restored = 0;
        for (int i = 0; i < n; i++) {
            RestoredApp app = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, ""));
            app.stopAndAssertExitedNormally();
            List<String> lines = app.process().stderrLines();
            String line = lines.size() == 1 ? lines.get(0) : app.process().describe();
            assertFalse(line.contains("restored pid " + foreignPid + " "), () -> "a start applied nobody's descriptor: "
                    + line);
            if (line.startsWith("selfrestore: restored pid " + goodPid + " ")) {
                restored++;
            } else {
                assertTrue(line.startsWith("selfrestore: not restored: " + descriptor + ": refusing a descriptor others "
                        + "could have written: ") && line.contains("uid 65534"), line);
            }
            assertTrue(ProcessHandle.of(swap.pid()).map(ProcessHandle::isAlive).orElse(false), swap::describe);
        }
        return restored;
    }

    @Test
    void aFileSwappedWhileTheAgentStartsIsNeverAppliedUnchecked() throws Exception {
        Fixtures.makeReadableByAll(it.dir());
        Cli.Captured other = it.capturedSleepOriginal("foreign-original.mmd");
        long goodPid = pidOf(captured);
        long foreignPid = pidOf(other.descriptor());
        int n = Integer.getInteger("it.trust.race.starts", 25);

        // 1. In root's directory, a file exchanged with nobody's (RENAME_EXCHANGE, as fast as the
        //    kernel allows): each start reads the file it checked, so nobody's is never applied.
        Path race = Files.createDirectory(it.dir().resolve("race"));
        Fixtures.makeReadableByAll(race);
        Path id = Files.copy(captured, race.resolve("id.mmd"));
        Fixtures.makeReadableByAll(id);
        Path theirs = Files.copy(other.descriptor(), race.resolve("theirs.mmd"));
        Fixtures.makeReadableByAll(theirs);
        chownNobody(theirs);
        RunningProcess swap = startSwapper(List.of(), race.toString(), "exchange", "id.mmd", "theirs.mmd");
        int restored = startsWhileSwapping(swap, id, goodPid, foreignPid, n);
        swap.close();

        // 2. The same by rename over the name (linkat + renameat).
        Fixtures.makeReadableByAll(Files.copy(captured, race.resolve("good.mmd")));
        swap = startSwapper(List.of(), race.toString(), "rename", "id.mmd", "theirs.mmd", "good.mmd");
        restored += startsWhileSwapping(swap, id, goodPid, foreignPid, (n + 1) / 2);
        swap.close();

        // 3. nobody exchanging in nobody's directory: the directory itself is refused, every time.
        Path foreign = foreignDirectory(it.dir(), "foreign");
        Path fid = Files.copy(captured, foreign.resolve("id.mmd"));
        Fixtures.makeReadableByAll(fid);
        Path fTheirs = Files.copy(other.descriptor(), foreign.resolve("theirs.mmd"));
        Fixtures.makeReadableByAll(fTheirs);
        chownNobody(fTheirs);
        swap = startSwapper(Fixtures.AS_NOBODY, foreign.toString(), "exchange", "id.mmd", "theirs.mmd");
        assertEquals(0, startsWhileSwapping(swap, fid, goodPid, foreignPid, (n + 4) / 5), "nobody's directory is never trusted");
        swap.close();
        System.out.println("DescriptorTrustIT: " + restored + " of " + (n + (n + 1) / 2) + " starts in root's directory restored the "
                + "checked file, the others refused nobody's; none applied nobody's");
    }

    private long pidOf(Path descriptor) throws Exception {
        return new dev.selfrestore.it.support.Cli(it.processes()).run("inspect", "--json", descriptor.toString()).assertStatus(0)
                .json().get("capture").get("pid").asLong();
    }

    @Test
    void captureNeverWritesIntoADirectoryAnotherUserCouldChangeNorThroughALink() throws Exception {
        Fixtures.makeReadableByAll(it.dir());
        Path victim = Files.createDirectory(it.dir().resolve("victim")); // root's, 0700: nobody cannot write here
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rwx------"));
        Path sticky = Files.createDirectory(it.dir().resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);

        // nobody's directory: refused, nothing written.
        Path foreign = foreignDirectory(sticky, "d");
        Path out = foreign.resolve("out.mmd");
        RestoredApp app = RestoredApp.start(it.processes(), JavaCommand.java().capturing("capture=" + out));
        String line = app.stopAndAssertOneStderrLine("selfrestore: not captured: cannot write " + out
                + ": refusing to write into a directory another user could change: directory " + foreign
                + " is owned by uid 65534 (mode 0755)");
        assertFalse(Files.exists(out, LinkOption.NOFOLLOW_LINKS), line);

        // nobody's link where the file is to be written, in a sticky directory: replaced, never written through.
        Path planted = sticky.resolve("planted.mmd");
        Path target = Files.write(victim.resolve("target"), "root's".getBytes(StandardCharsets.US_ASCII));
        Files.createSymbolicLink(planted, target);
        chownNobody(planted);
        app = RestoredApp.start(it.processes(), JavaCommand.java().capturing("capture=" + planted + ",capture-force=true"));
        app.stopAndAssertOneStderrLine("selfrestore: captured");
        assertFalse(Files.isSymbolicLink(planted));
        assertEquals(0, (Integer) Files.getAttribute(planted, "unix:uid"));
        assertEquals("root's", Files.readString(target));

        // nobody exchanging their directory with their link to root's directory while JVMs capture into it.
        Path link = Files.createSymbolicLink(sticky.resolve("l"), victim);
        chownNobody(link);
        Files.delete(target);
        RunningProcess swap = startSwapper(Fixtures.AS_NOBODY, sticky.toString(), "exchange", "d", "l");
        int n = (Integer.getInteger("it.trust.race.starts", 25) + 1) / 2;
        for (int i = 0; i < n; i++) {
            app = RestoredApp.start(it.processes(), JavaCommand.java().capturing("capture=" + out + ",capture-force=true"));
            line = app.stopAndAssertOneStderrLine("selfrestore: not captured: cannot write " + out + ": refusing to write "
                    + "into a directory another user could change: ");
            assertTrue(line.contains(" is owned by uid 65534"), line);
            assertTrue(ProcessHandle.of(swap.pid()).map(ProcessHandle::isAlive).orElse(false), swap::describe);
        }
        swap.close();
        try (Stream<Path> written = Files.list(victim)) {
            assertEquals(List.of(), written.toList(), "nothing written into root's directory through nobody's link");
        }
        try (Stream<Path> written = Files.list(sticky.resolve("d"))) {
            assertEquals(List.of(), written.toList(), "nothing written into nobody's directory");
        }
    }
}
