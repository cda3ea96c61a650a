package dev.selfrestore.runtime.codec;

import dev.selfrestore.nativeshim.Syscalls;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header and checksum status, read without decoding: what {@code inspect} shows of any file. */
class RecordHeaderTest {
    @TempDir
    Path dir;

    @Test
    void aSoundRecord() throws Exception {
        byte[] record = DescriptorCodec.encode(CodecFixtures.realistic());
        RecordHeader h = DescriptorCodec.header(record, "x");
        assertEquals(DescriptorCodec.FORMAT_MAJOR, h.major());
        assertEquals(DescriptorCodec.FORMAT_MINOR, h.minor());
        assertEquals(record.length, h.recordLength());
        assertTrue(h.checksumOk());
        assertEquals(h.storedChecksum(), h.computedChecksum());
    }

    @Test
    void aDamagedRecordIsAnsweredWithItsChecksumStatus() throws Exception {
        byte[] record = DescriptorCodec.encode(CodecFixtures.realistic());
        record[40] ^= 0x01;
        RecordHeader h = DescriptorCodec.header(record, "x");
        assertFalse(h.checksumOk());
        assertEquals(Problem.BAD_CHECKSUM,
                assertThrows(DescriptorFormatException.class, () -> DescriptorCodec.decode(record, "x")).problem());
    }

    @Test
    void notARecordIsRefusedAsDecodeRefusesIt() {
        assertEquals(Problem.WRONG_MAGIC, assertThrows(DescriptorFormatException.class,
                () -> DescriptorCodec.header("hello, world\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "x"))
                .problem());
        assertEquals(Problem.EMPTY, assertThrows(DescriptorFormatException.class,
                () -> DescriptorCodec.header(new byte[0], "x")).problem());
        byte[] record = DescriptorCodec.encode(CodecFixtures.realistic());
        byte[] cut = java.util.Arrays.copyOf(record, record.length - 1);
        assertEquals(Problem.TRUNCATED, assertThrows(DescriptorFormatException.class,
                () -> DescriptorCodec.header(cut, "x")).problem());
    }

    @Test
    void readFileGivesTheBytesReadDecodes() throws Exception {
        Path f = dir.resolve("a.mmd");
        DescriptorCodec.write(Syscalls.linux().files(), CodecFixtures.realistic(), f, false);
        assertArrayEquals(Files.readAllBytes(f), DescriptorCodec.readFile(f));
        assertEquals(Problem.MISSING, assertThrows(DescriptorFormatException.class,
                () -> DescriptorCodec.readFile(dir.resolve("none"))).problem());
    }
}
