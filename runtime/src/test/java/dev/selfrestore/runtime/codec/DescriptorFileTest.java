package dev.selfrestore.runtime.codec;

import dev.selfrestore.nativeshim.Syscalls;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescriptorFileTest {
    @TempDir
    Path dir;

    private DescriptorFormatException readRefused(Path p) {
        return assertThrows(DescriptorFormatException.class, () -> DescriptorCodec.read(p));
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void writeThenReadGivesTheSameDescriptor() throws Exception {
        Path f = dir.resolve("app.mmd");
        MmDescriptor d = CodecFixtures.realistic();
        DescriptorCodec.write(Syscalls.linux().files(), d, f, false);
        assertEquals(d, DescriptorCodec.read(f));
        assertArrayEquals(DescriptorCodec.encode(d), Files.readAllBytes(f));
    }

    @Test
    void writtenFileHasMode0600AndNoTemporaryFileIsLeft() throws Exception {
        Path f = dir.resolve("app.mmd");
        DescriptorCodec.write(Syscalls.linux().files(), CodecFixtures.realistic(), f, false);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(List.of("app.mmd"), listing());

        // Replacing a file with looser permissions: the new file is 0600 too.
        Path g = dir.resolve("other.mmd");
        Files.write(g, new byte[] {1});
        Files.setPosixFilePermissions(g, PosixFilePermissions.fromString("rw-rw-rw-"));
        DescriptorCodec.write(Syscalls.linux().files(), CodecFixtures.golden(), g, true);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(g)));
        assertEquals(List.of("app.mmd", "other.mmd"), listing());
    }

    @Test
    void existingFileIsKeptWithoutOverwrite() throws Exception {
        Path f = dir.resolve("app.mmd");
        Files.write(f, new byte[] {1, 2, 3});
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> DescriptorCodec.write(Syscalls.linux().files(), CodecFixtures.realistic(), f, false));
        assertTrue(e.getMessage().contains("app.mmd"), e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of("app.mmd"), listing());
    }

    @Test
    void overwriteReplacesTheWholeFile() throws Exception {
        Path f = dir.resolve("app.mmd");
        DescriptorCodec.write(Syscalls.linux().files(), CodecFixtures.realistic(), f, false);
        DescriptorCodec.write(Syscalls.linux().files(), CodecFixtures.golden(), f, true);
        assertEquals(CodecFixtures.golden(), DescriptorCodec.read(f));
        assertEquals(List.of("app.mmd"), listing());
    }

    @Test
    void aDescriptorOverTheLimitsWritesNothing() throws Exception {
        Path f = dir.resolve("app.mmd");
        DescriptorCodec.write(Syscalls.linux().files(), CodecFixtures.golden(), f, false);
        MmDescriptor base = CodecFixtures.golden();
        MmDescriptor tooBig = new MmDescriptor(base.fields(), base.brkSource(), new long[2000], base.exe(),
                base.cmdline(), base.environ(), base.comm(), base.capture());
        assertThrows(IllegalArgumentException.class, () -> DescriptorCodec.write(Syscalls.linux().files(), tooBig, f, true));
        assertEquals(base, DescriptorCodec.read(f));
        assertEquals(List.of("app.mmd"), listing());
    }

    @Test
    void writeIntoAMissingDirectoryFailsAndLeavesNothing() {
        Path f = dir.resolve("no/such/dir/app.mmd");
        assertThrows(NoSuchFileException.class, () -> DescriptorCodec.write(Syscalls.linux().files(), CodecFixtures.golden(), f, false));
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("absent.mmd");
        DescriptorFormatException e = readRefused(f);
        assertEquals(Problem.MISSING, e.problem());
        assertEquals(f + ": no such file", e.getMessage());
        assertEquals(f.toString(), e.source());
    }

    @Test
    void directory() {
        DescriptorFormatException e = readRefused(dir);
        assertEquals(Problem.NOT_A_FILE, e.problem());
        assertEquals(dir + ": is a directory; give the path of a descriptor file", e.getMessage());
    }

    @Test
    void emptyFile() throws Exception {
        Path f = Files.createFile(dir.resolve("empty.mmd"));
        DescriptorFormatException e = readRefused(f);
        assertEquals(Problem.EMPTY, e.problem());
        assertEquals(f + ": is empty (0 bytes); a descriptor starts with the 8-byte magic \"SRMMDESC\"",
                e.getMessage());
    }

    @Test
    void fifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("pipe.mmd");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        DescriptorFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> readRefused(fifo));
        assertEquals(Problem.NOT_A_FILE, e.problem());
    }

    @Test
    void fileOverTheLimitIsRefusedBeforeReading() throws Exception {
        Path f = dir.resolve("huge.mmd");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(Layout.MAX_RECORD_LENGTH + 1L); // sparse
        }
        DescriptorFormatException e = readRefused(f);
        assertEquals(Problem.TOO_LARGE, e.problem());
        assertEquals(f + ": is 67108865 bytes; a descriptor is at most 64 MiB", e.getMessage());
    }

    @Test
    void truncatedFileNamesTheFile() throws Exception {
        Path f = dir.resolve("cut.mmd");
        byte[] r = DescriptorCodec.encode(CodecFixtures.realistic());
        Files.write(f, java.util.Arrays.copyOf(r, r.length - 1));
        DescriptorFormatException e = readRefused(f);
        assertEquals(Problem.TRUNCATED, e.problem());
        assertEquals(f + ": truncated: the header gives a record length of " + r.length + " bytes but only "
                + (r.length - 1) + " are present", e.getMessage());
    }

    @Test
    void symlinkToADescriptorIsFollowed() throws Exception {
        Path f = dir.resolve("real.mmd");
        DescriptorCodec.write(Syscalls.linux().files(), CodecFixtures.golden(), f, false);
        Path link = Files.createSymbolicLink(dir.resolve("link.mmd"), f);
        assertEquals(CodecFixtures.golden(), DescriptorCodec.read(link));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.mmd"), dir.resolve("gone"));
        assertEquals(Problem.MISSING, readRefused(dangling).problem());
    }
}
