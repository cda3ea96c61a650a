package dev.selfrestore.runtime.exe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfBuildIdTest {
    /** Debian's binaries carry a build-id; `file` prints it too, but is not on every machine: compare with readelf's. */
    @Test
    void readsTheBuildIdOfASystemBinary() throws Exception {
        byte[] id;
        try (FileChannel ch = FileChannel.open(Path.of("/usr/bin/sleep"), StandardOpenOption.READ)) {
            id = ElfBuildId.read(ch);
        }
        assertEquals(20, id.length, "GNU build-ids are SHA-1 sized");
        String expected = buildIdFromNotes(Path.of("/usr/bin/sleep"));
        assertEquals(expected, HexFormat.of().formatHex(id));
    }

    /** Independent reading: scan the file for the note header "\x04\0\0\0\x14\0\0\0\x03\0\0\0GNU\0". */
    private static String buildIdFromNotes(Path p) throws Exception {
        byte[] b = Files.readAllBytes(p);
        byte[] hdr = {4, 0, 0, 0, 20, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0};
        outer:
        for (int i = 0; i + hdr.length + 20 <= b.length; i++) {
            for (int j = 0; j < hdr.length; j++) {
                if (b[i + j] != hdr[j]) {
                    continue outer;
                }
            }
            return HexFormat.of().formatHex(b, i + hdr.length, i + hdr.length + 20);
        }
        throw new AssertionError("no build-id note in " + p);
    }

    @Test
    void aFileThatIsNotElfHasNone(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("script"), "#!/bin/sh\necho hi\n");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertEquals(0, ElfBuildId.read(ch).length);
        }
    }

    @Test
    void aTruncatedElfHeaderHasNone(@TempDir Path dir) throws Exception {
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(Path.of("/usr/bin/sleep")), 100);
        Path f = Files.write(dir.resolve("cut"), head);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertEquals(0, ElfBuildId.read(ch).length);
        }
    }
}
