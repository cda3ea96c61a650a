package dev.selfrestore.runtime.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.trust.TrustException.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust layer against the real kernel: files and directories opened once, checked on their
 * descriptors, read and written through them. Ownership is changed with chown, so the cases that
 * need another owner run as root; the rules are given the user to judge for ({@code euid}).
 */
class TrustedDirectoryTest {
    private static final int NOBODY = 65534;
    private final FileCalls sys = Syscalls.linux().files();

    @TempDir
    Path tmp;
    private Path dir;

    @BeforeEach
    void layout() throws Exception {
        // The @TempDir above may be inside a directory others can write with the sticky bit (/tmp): fine.
        dir = Files.createDirectory(tmp.resolve("d"));
        Files.write(dir.resolve("a.img"), bytes("image a"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private int me() throws Exception {
        return (Integer) Files.getAttribute(tmp, "unix:uid");
    }

    private TrustException refused(Kind kind, ThrowingOpen open) {
        TrustException e = assertThrows(TrustException.class, open::run);
        assertEquals(kind, e.kind(), e::getMessage);
        return e;
    }

    interface ThrowingOpen {
        void run() throws Exception;
    }

    @Test
    void readsFilesRelativeToTheCheckedDirectory() throws Exception {
        try (TrustedDirectory d = TrustedDirectory.open(sys, dir, me(), true)) {
            assertArrayEquals(bytes("image a"), d.readFile("a.img", 100));
            assertTrue(d.stat().isDirectory());
            assertNull(d.skipped());
            // Renaming the directory after the check changes nothing: the descriptor holds it.
            Files.move(dir, tmp.resolve("moved"));
            Files.createDirectory(dir);
            Files.write(dir.resolve("a.img"), bytes("other"));
            assertArrayEquals(bytes("image a"), d.readFile("a.img", 100));
            assertEquals(Kind.MISSING, refused(Kind.MISSING, () -> d.readFile("none.img", 100)).kind());
            refused(Kind.MISSING, () -> d.openFile("../d/a.img"));
            refused(Kind.TOO_LARGE, () -> d.readFile("a.img", 3));
        }
    }

    @Test
    void aSymbolicLinkInsideIsNeverFollowedByName() throws Exception {
        Files.createSymbolicLink(dir.resolve("l.img"), dir.resolve("a.img"));
        try (TrustedDirectory d = TrustedDirectory.open(sys, dir, me(), true)) {
            TrustException e = refused(Kind.NOT_A_FILE, () -> d.openFile("l.img"));
            assertTrue(e.getMessage().contains("is a symbolic link"), e::getMessage);
        }
    }

    @Test
    void aDirectoryOwnedByAnotherUserIsRefusedNamingItsOwnerAndMode() throws Exception {
        assumeTrue(root(), "chown needs root");
        Path foreign = Files.createDirectory(dir.resolve("foreign"));
        Files.createDirectory(foreign.resolve("sub"));
        Files.write(foreign.resolve("sub/f"), bytes("x"));
        Files.setAttribute(foreign, "unix:uid", NOBODY);
        TrustException e = refused(Kind.UNTRUSTED, () -> TrustedDirectory.open(sys, foreign.resolve("sub"), 0, true));
        assertEquals("directory " + foreign + " is owned by uid 65534 (mode 0755), not by root or this process's uid 0: "
                + "its owner could replace what it holds", e.getMessage());
        refused(Kind.UNTRUSTED, () -> TrustedFile.open(sys, foreign.resolve("sub/f"), 0, true));
        // Owned by the user judged for: fine.
        TrustedFile.open(sys, foreign.resolve("sub/f"), NOBODY, true).close();
        // Not enforced: opened, and what was skipped is said.
        try (TrustedFile f = TrustedFile.open(sys, foreign.resolve("sub/f"), 0, false)) {
            assertArrayEquals(bytes("x"), f.readAll(10));
            assertEquals(e.getMessage(), f.skipped());
        }
    }

    @Test
    void symbolicLinksAreFollowedOnlyOutOfDirectoriesThatPass() throws Exception {
        assumeTrue(root(), "chown needs root");
        Path other = Files.createDirectory(tmp.resolve("other"));
        Files.write(other.resolve("f"), bytes("theirs"));
        // A link in a good directory to a file in a good directory: followed, component by component.
        Files.createSymbolicLink(dir.resolve("to-other"), Path.of("../other"));
        try (TrustedFile f = TrustedFile.open(sys, dir.resolve("to-other/f"), 0, true)) {
            assertArrayEquals(bytes("theirs"), f.readAll(10));
        }
        // The directory reached through the link is another user's: refused there.
        Files.setAttribute(other, "unix:uid", NOBODY);
        TrustException e = refused(Kind.UNTRUSTED, () -> TrustedFile.open(sys, dir.resolve("to-other/f"), 0, true));
        assertTrue(e.getMessage().startsWith("directory " + tmp + "/other is owned by uid 65534"), e::getMessage);
        // A link inside another user's directory is never read.
        Files.setAttribute(other, "unix:uid", 0);
        Path foreign = Files.createDirectory(tmp.resolve("foreign"));
        Files.createSymbolicLink(foreign.resolve("l"), dir.resolve("a.img"));
        Files.setAttribute(foreign, "unix:uid", NOBODY);
        e = refused(Kind.UNTRUSTED, () -> TrustedFile.open(sys, foreign.resolve("l"), 0, true));
        assertTrue(e.getMessage().startsWith("directory " + foreign + " is owned by uid 65534"), e::getMessage);
    }

    @Test
    void aLinkInAStickyDirectoryMustBeOwnedByRootOrTheUser() throws Exception {
        assumeTrue(root(), "chown needs root");
        Path sticky = Files.createDirectory(tmp.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path link = Files.createSymbolicLink(sticky.resolve("l"), dir.resolve("a.img"));
        TrustedFile.open(sys, link, 0, true).close();
        Files.setAttribute(link, "unix:uid", NOBODY, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        TrustException e = refused(Kind.UNTRUSTED, () -> TrustedFile.open(sys, link, 0, true));
        assertTrue(e.getMessage().startsWith("symbolic link " + link + " in sticky directory " + sticky
                + " is owned by uid 65534"), e::getMessage);
    }

    @Test
    void aFileWithMoreThanOneLinkMustBeTheUsersOwn() throws Exception {
        Path twin = Files.createLink(dir.resolve("twin.img"), dir.resolve("a.img"));
        // owned by this user (root when run as root): fine
        TrustedFile.open(sys, twin, me(), true).close();
        assumeTrue(root(), "a root-owned file judged for another user");
        TrustException e = refused(Kind.UNTRUSTED, () -> TrustedFile.open(sys, twin, NOBODY, true));
        assertEquals(twin + " has 2 hard links and is owned by uid 0, not by this process's uid 65534: "
                + "another name for it may be anyone's", e.getMessage());
        Files.delete(twin);
        TrustedFile.open(sys, dir.resolve("a.img"), NOBODY, true).close();
    }

    @Test
    void modesLoopsAndKindsAreRefusedWithOneLine() throws Exception {
        Files.setAttribute(dir.resolve("a.img"), "unix:mode", 0664);
        assertEquals(dir + "/a.img is writable by its group (mode 0664): chmod go-w it",
                refused(Kind.UNTRUSTED, () -> TrustedFile.open(sys, dir.resolve("a.img"), me(), true)).getMessage());
        Files.setAttribute(dir, "unix:mode", 0777);
        assertEquals(refused(Kind.UNTRUSTED, () -> TrustedDirectory.open(sys, dir, me(), true)).getMessage(),
                ("directory " + dir + " is writable by its group without the sticky bit (mode 0777): another user "
                        + "could replace what it holds"));
        Files.setAttribute(dir, "unix:mode", 0755);
        Files.createSymbolicLink(dir.resolve("x"), Path.of("y"));
        Files.createSymbolicLink(dir.resolve("y"), Path.of("x"));
        String loop = refused(Kind.UNREADABLE, () -> TrustedFile.open(sys, dir.resolve("x"), me(), true)).getMessage();
        assertTrue(loop.startsWith("more than 40 symbolic links"), loop);
        assertEquals("is a directory", refused(Kind.NOT_A_FILE, () -> TrustedFile.open(sys, dir, me(), true)).getMessage());
        refused(Kind.MISSING, () -> TrustedFile.open(sys, dir.resolve("a.img/x"), me(), true));
        refused(Kind.MISSING, () -> TrustedFile.open(sys, dir.resolve("nothing"), me(), true));
        // . and .. are walked on the descriptors already held
        try (TrustedFile f = TrustedFile.open(sys, Path.of(dir + "/./../d/a.img"), me(), false)) {
            assertArrayEquals(bytes("image a"), f.readAll(100));
        }
    }

    @Test
    void writesCreateANewFileAndNeverWriteThroughALink() throws Exception {
        Path victim = Files.write(tmp.resolve("victim"), bytes("untouched"));
        Files.createSymbolicLink(dir.resolve("out.mmd"), victim);
        try (TrustedDirectory d = TrustedDirectory.open(sys, dir, me(), true)) {
            assertThrows(FileAlreadyExistsException.class, () -> d.writeFile("out.mmd", bytes("new"), 0600, false));
            d.writeFile("out.mmd", bytes("new"), 0600, true);
            d.writeFile("fresh.mmd", bytes("fresh"), 0600, false);
        }
        assertArrayEquals(bytes("untouched"), Files.readAllBytes(victim));
        assertFalse(Files.isSymbolicLink(dir.resolve("out.mmd")));
        assertArrayEquals(bytes("new"), Files.readAllBytes(dir.resolve("out.mmd")));
        assertEquals(0600, (Integer) Files.getAttribute(dir.resolve("fresh.mmd"), "unix:mode") & 07777);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(Set.of("a.img", "out.mmd", "fresh.mmd"),
                    s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()), "no temporary file left");
        }
    }
}
