package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.Processes;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.SelfRestoreCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A descriptor that another user could have written is refused, in one line that names the file
 * or directory and the rule, and the application starts with its own identity; insecure-descriptor=true
 * accepts it; a sticky directory such as /tmp is fine.
 */
class DescriptorTrustIT {

    @RegisterExtension
    final Processes processes = new Processes();

    @TempDir
    Path dir;

    private SelfRestoreCli cli;
    private Path captured;

    @BeforeEach
    void capture() throws Exception {
        cli = new SelfRestoreCli(processes);
        captured = cli.captureSleepOriginal(dir, "original.mmd").descriptor();
    }

    private Path placed(String dirMode, String fileMode) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d" + Fixtures.randomToken(6)));
        Path f = Files.copy(captured, d.resolve("id.mmd"));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(fileMode));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(dirMode));
        return f;
    }

    private void assertRefused(Path descriptor, String options, String... expected) throws Exception {
        List<String> command = cli.restoredAppCommand(descriptor, options);
        RestoredApp app = RestoredApp.start(processes, command);
        assertSameBytes("/proc/" + app.pid() + "/cmdline: the JVM's own", Fixtures.cmdlineOf(command),
                ProcIdentity.of(app.pid()).cmdline());
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: " + descriptor);
        for (String e : expected) {
            assertTrue(line.contains(e), () -> "'" + e + "' in: " + line);
        }
    }

    private void assertRestored(Path descriptor, String options) throws Exception {
        RestoredApp app = RestoredApp.start(processes, cli.restoredAppCommand(descriptor, options));
        app.stopAndAssertOneStderrLine("selfrestore: restored");
    }

    @Test
    void groupWritableFileIsRefusedUnlessInsecureIsAsked() throws Exception {
        Path f = placed("rwxr-xr-x", "rw-rw-r--");
        assertRefused(f, "", "writable by its group (mode 0664)", "insecure-descriptor=true");
        assertRestored(f, "insecure-descriptor=true");
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
}
