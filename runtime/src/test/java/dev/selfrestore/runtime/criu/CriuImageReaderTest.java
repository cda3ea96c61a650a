package dev.selfrestore.runtime.criu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.fixtures.CriuFixtures;
import dev.selfrestore.runtime.BrkSource;
import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.RawBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader against the real images and what /proc showed just before each dump. */
class CriuImageReaderTest {

    @Test
    void nativeProcessWithANonUtf8Environment() throws Exception {
        Path dir = CriuFixtures.dir("native");
        ImportedTask t = CriuImageReader.read(ImageFiles.of(dir.resolve("images")), 0);
        assertMatchesExpected(dir, t.descriptor());
        assertEquals(List.of(31688L), t.pids());
        assertNull(t.exeDeleted());
        assertNull(t.descriptor().jvm(), "billing-daemon is no JVM");
        assertTrue(RawBytes.escape(t.descriptor().environ()).contains("RAW=\\xff\\xfex"));
    }

    @Test
    void processTreeRootByDefaultAndAWorkerByPid() throws Exception {
        Path dir = CriuFixtures.dir("tree");
        ImageFiles images = ImageFiles.of(dir.resolve("images"));
        ImportedTask root = CriuImageReader.read(images, 0);
        assertMatchesExpected(dir, root.descriptor());
        assertEquals(List.of(31719L, 31724L, 31725L), root.pids());
        for (String w : List.of("worker-a", "worker-b")) {
            long pid = Long.parseLong(Files.readString(dir.resolve(w).resolve("expected.pid")).strip());
            assertMatchesExpected(dir.resolve(w), CriuImageReader.read(images, pid).descriptor());
        }
    }

    @Test
    void jvmWithManyThreadsUsesTheLeadersNameAndKnowsItsLaunch() throws Exception {
        Path dir = CriuFixtures.dir("jvm17");
        MmDescriptor d = CriuImageReader.read(ImageFiles.of(dir.resolve("images")), 0).descriptor();
        assertMatchesExpected(dir, d);
        JvmLaunch jvm = d.jvm();
        assertNotNull(jvm, "a process with libjvm.so mapped is a JVM");
        assertEquals("Ledger", new String(jvm.main(d.cmdline()), StandardCharsets.UTF_8));
        assertEquals(List.of("--shard=7", "--listen=:9090"), jvm.applicationArguments(d.cmdline()).stream()
                .map(b -> new String(b, StandardCharsets.UTF_8)).toList());
    }

    static void assertMatchesExpected(Path dir, MmDescriptor d) throws Exception {
        assertArrayEquals(Files.readAllBytes(dir.resolve("expected.cmdline")), d.cmdline(), "cmdline");
        assertArrayEquals(Files.readAllBytes(dir.resolve("expected.environ")), d.environ(), "environ");
        assertArrayEquals(Files.readAllBytes(dir.resolve("expected.auxv")), d.auxvBytes(), "auxv");
        byte[] comm = Files.readAllBytes(dir.resolve("expected.comm"));
        assertArrayEquals(Arrays.copyOf(comm, comm.length - 1), d.comm(), "comm");
        byte[] exe = Files.readAllBytes(dir.resolve("expected.exe"));
        assertArrayEquals(Arrays.copyOf(exe, exe.length - 1), d.exe().path(), "exe");
        assertEquals(Long.parseLong(Files.readString(dir.resolve("expected.pid")).strip()), d.capture().pid());
        assertEquals(Files.size(Path.of(new String(d.exe().path(), StandardCharsets.ISO_8859_1))), d.exe().size());
        assertEquals(20, d.exe().buildId().length);
        assertEquals(BrkSource.EXACT, d.brkSource());
    }
}
