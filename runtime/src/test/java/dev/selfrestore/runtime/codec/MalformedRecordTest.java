package dev.selfrestore.runtime.codec;

import static dev.selfrestore.runtime.codec.CodecFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.codec.CodecFixtures.HandRecord;
import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every damaged or hostile record ends in a DescriptorFormatException that says what is wrong. */
class MalformedRecordTest {
    private static final Set<Problem> CORRUPTION = EnumSet.of(Problem.WRONG_MAGIC, Problem.UNSUPPORTED_VERSION,
            Problem.TRUNCATED, Problem.BAD_CHECKSUM, Problem.MALFORMED);

    private static DescriptorFormatException refused(byte[] data) {
        return assertThrows(DescriptorFormatException.class, () -> BothReaders.decode(data, "x.mmd"));
    }

    @Test
    void everyTruncationIsTruncatedOrEmpty() {
        byte[] r = DescriptorCodec.encode(CodecFixtures.realistic());
        for (int n = 0; n < r.length; n++) {
            byte[] cut = Arrays.copyOf(r, n);
            DescriptorFormatException e = decodeExpectingFailure(cut, "truncated to " + n);
            assertEquals(n == 0 ? Problem.EMPTY : Problem.TRUNCATED, e.problem(),
                    "truncated to " + n + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith("x.mmd: "), e.getMessage());
        }
    }

    @Test
    void everySingleByteChangeIsRefused() throws Exception {
        MmDescriptor d = CodecFixtures.realistic();
        byte[] r = DescriptorCodec.encode(d);
        for (int mask : new int[] {0x01, 0x10, 0x80, 0xff}) {
            for (int i = 0; i < r.length; i++) {
                byte[] bad = r.clone();
                bad[i] ^= (byte) mask;
                DescriptorFormatException e = decodeExpectingFailure(bad, "byte " + i + " ^ " + mask);
                assertTrue(CORRUPTION.contains(e.problem()), "byte " + i + " ^ " + mask + ": " + e.getMessage());
                Problem expected = i < 8 ? Problem.WRONG_MAGIC : i < 10 ? Problem.UNSUPPORTED_VERSION
                        : i < 12 ? Problem.BAD_CHECKSUM : i < 16 ? null : Problem.BAD_CHECKSUM;
                if (expected != null) {
                    assertEquals(expected, e.problem(), "byte " + i + " ^ " + mask + ": " + e.getMessage());
                } else {
                    assertTrue(e.problem() == Problem.TRUNCATED || e.problem() == Problem.MALFORMED, e.getMessage());
                }
            }
        }
    }

    @Test
    void randomDamageWithARepairedChecksumNeverEscapesAsAnotherException() {
        // The checksum stops random damage; resealing it sends the damage on to the field parser.
        byte[] r = DescriptorCodec.encode(CodecFixtures.realistic());
        Random random = new Random(20260401);
        int refused = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] bad = r.clone();
            int changes = 1 + random.nextInt(4);
            for (int c = 0; c < changes; c++) {
                bad[16 + random.nextInt(bad.length - 20)] = (byte) random.nextInt(256);
            }
            CodecFixtures.reseal(bad, 1, 0);
            try {
                BothReaders.decode(bad, "x.mmd");
            } catch (DescriptorFormatException e) {
                refused++;
                assertTrue(e.problem() == Problem.MALFORMED || e.problem() == Problem.TOO_LARGE, e.getMessage());
            } catch (RuntimeException | Error e) {
                throw new AssertionError("round " + round + ": " + e, e);
            }
        }
        assertTrue(refused > 1000, "refused " + refused);
    }

    @Test
    void wrongMagicShowsWhatWasFound() {
        byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0};
        DescriptorFormatException e = refused(elf);
        assertEquals(Problem.WRONG_MAGIC, e.problem());
        assertEquals("x.mmd: not a selfrestore descriptor: it starts with 7f 45 4c 46 02 01 01 00,"
                + " a descriptor with 53 52 4d 4d 44 45 53 43 (\"SRMMDESC\")", e.getMessage());
        assertEquals(Problem.WRONG_MAGIC, refused(bytes("SRX")).problem());
        assertEquals(Problem.WRONG_MAGIC, refused(bytes("{\"pid\": 1}\n")).problem());
    }

    @Test
    void newerMajorVersionIsUnsupported() {
        byte[] r = CodecFixtures.reseal(DescriptorCodec.encode(CodecFixtures.realistic()), 2, 0);
        DescriptorFormatException e = refused(r);
        assertEquals(Problem.UNSUPPORTED_VERSION, e.problem());
        assertEquals("x.mmd: format version 2.0 is newer than this selfrestore reads (1.x)", e.getMessage());
        assertEquals("x.mmd: format version 0.9 is older than this selfrestore reads (1.x)",
                refused(CodecFixtures.reseal(DescriptorCodec.encode(CodecFixtures.realistic()), 0, 9)).getMessage());
    }

    @Test
    void versionIsCheckedBeforeLengthAndChecksum() {
        byte[] r = DescriptorCodec.encode(CodecFixtures.realistic());
        r[8] = 7; // major 7, and now the checksum is wrong too
        assertEquals(Problem.UNSUPPORTED_VERSION, refused(Arrays.copyOf(r, 20)).problem());
    }

    @Test
    void newerMinorVersionWithExtraFieldsIsRead() throws Exception {
        MmDescriptor d = CodecFixtures.golden();
        byte[] v10 = DescriptorCodec.encode(d); // the current minor
        // A 1.3 writer appended three fields this reader does not know.
        byte[] extra = {(byte) 0x83, 0x01, 'n', 'e', 'w', 0x2a, 0, 0, 0};
        byte[] v13 = new byte[v10.length + extra.length];
        System.arraycopy(v10, 0, v13, 0, v10.length - 4);
        System.arraycopy(extra, 0, v13, v10.length - 4, extra.length);
        CodecFixtures.reseal(v13, 1, 3);
        assertEquals(d, BothReaders.decode(v13, "x.mmd"));

        // The same bytes claiming to be the current minor are malformed: it has nothing after the provenance.
        DescriptorFormatException e = refused(CodecFixtures.reseal(v13.clone(), 1, DescriptorCodec.FORMAT_MINOR));
        assertEquals(Problem.MALFORMED, e.problem());
        assertTrue(e.getMessage().contains("ends at offset 237, followed by 9 bytes before the checksum"),
                e.getMessage());
    }

    @Test
    void bytesAfterTheRecordAreMalformed() {
        byte[] r = DescriptorCodec.encode(CodecFixtures.golden());
        DescriptorFormatException e = refused(Arrays.copyOf(r, r.length + 3));
        assertEquals(Problem.MALFORMED, e.problem());
        assertEquals("x.mmd: trailing data: 3 bytes after the end of the record (record length " + r.length + ", "
                + (r.length + 3) + " bytes present)", e.getMessage());
    }

    @Test
    void badChecksumSaysSo() {
        byte[] r = DescriptorCodec.encode(CodecFixtures.golden());
        r[40] ^= 1;
        DescriptorFormatException e = refused(r);
        assertEquals(Problem.BAD_CHECKSUM, e.problem());
        assertTrue(e.getMessage().matches("x\\.mmd: checksum mismatch: the record says CRC32C 0x[0-9a-f]{8},"
                + " its content has 0x[0-9a-f]{8}; the file is damaged"), e.getMessage());
    }

    @Test
    void handMadeValidRecordIsRead() throws Exception {
        MmDescriptor d = BothReaders.decode(new HandRecord(1, 0).validBody().seal(), "x.mmd");
        assertEquals("x86_64", d.capture().arch());
    }

    @Test
    void hugeDeclaredLengthsAreRefusedWithoutAllocating() {
        long[] lengths = {Layout.MAX_BYTE_STRING + 1L, Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE};
        for (long n : lengths) {
            byte[] r = new HandRecord(1, 0).mmBrkAuxv(new long[0]).bytes(bytes("/x")).exeRest()
                    .stopBit(n).raw(bytes("x")).seal();
            long allocated = allocatedBytes(() -> assertProblem(Problem.TOO_LARGE, r,
                    "cmdline length " + n + " at offset 1", "is over the limit of 16 MiB"));
            assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes");
        }
        // Within the limit but past the end of the record: malformed, and nothing sized by it allocated.
        byte[] r = new HandRecord(1, 0).mmBrkAuxv(new long[0]).bytes(bytes("/x")).exeRest()
                .stopBit(Layout.MAX_BYTE_STRING).raw(bytes("x")).seal();
        long allocated = allocatedBytes(() -> assertProblem(Problem.MALFORMED, r, "cmdline length 16777216",
                "runs past the end of the record (1 byte left before the checksum)"));
        assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes");
    }

    @Test
    void auxvCountIsCheckedAgainstTheLimitAndTheBytesLeft() {
        byte[] huge = new HandRecord(1, 0).mmBrkAuxv(new long[0]).seal();
        // Replace the count 0 (the byte after mm fields and brk source) by a 5-byte stop bit of 2^28.
        byte[] r = new HandRecord(1, 0).raw(Arrays.copyOfRange(huge, 16, 16 + 89)).stopBit(1L << 28).seal();
        assertProblem(Problem.TOO_LARGE, r, "auxv word count 268435456 at offset 105 is over the limit of 1024");

        byte[] short1024 = new HandRecord(1, 0).raw(Arrays.copyOfRange(huge, 16, 16 + 89)).stopBit(1024)
                .u64(33).u64(0).seal();
        assertProblem(Problem.MALFORMED, short1024, "auxv word count 1024 at offset 105 needs 8192 bytes",
                "; the record has 16 bytes left before the checksum");
    }

    @Test
    void stopBitNumbersThatNeverEndOrAreNegativeAreMalformed() {
        HandRecord prefix = new HandRecord(1, 0).mmBrkAuxv(new long[0]);
        assertProblem(Problem.MALFORMED, prefix.raw((byte) 0x80).seal(),
                "exe.path length at offset 106 runs past the end of the record");
        byte[] eleven = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
        assertProblem(Problem.MALFORMED, new HandRecord(1, 0).mmBrkAuxv(new long[0]).raw(eleven).seal(),
                "exe.path length at offset 106 is a stop-bit number longer than 10 bytes");
        // Chronicle encodes -1 as 80 00 and -2 as 81 00.
        assertProblem(Problem.MALFORMED, new HandRecord(1, 0).mmBrkAuxv(new long[0]).raw((byte) 0x81, (byte) 0).seal(),
                "exe.path length at offset 106 is negative (-2)");
        // Nine continuation bytes then a non-zero byte: over 63 bits, which Chronicle itself refuses.
        byte[] tooWide = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, 0x7f};
        byte[] r = new HandRecord(1, 0).mmBrkAuxv(new long[0]).raw(tooWide).seal();
        assertProblem(Problem.MALFORMED, r,
                "exe.path length at offset 106 is not a stop-bit number that fits in 64 bits");
    }

    @Test
    void unknownBrkSourceIsMalformed() {
        byte[] ok = new HandRecord(1, 0).validBody().seal();
        ok[16 + 88] = 2;
        assertProblem(Problem.MALFORMED, CodecFixtures.reseal(ok, 1, 0),
                "brk source at offset 104 is 2; it must be 0 (exact) or 1 (approximated)");
    }

    @Test
    void textThatIsNotUtf8IsMalformed() {
        byte[] r = new HandRecord(1, 0).mmBrkAuxv(new long[0]).bytes(bytes("/x")).exeRest()
                .bytes(new byte[0]).bytes(new byte[0]).bytes(new byte[0]).u64(1).u64(2)
                .bytes(new byte[] {'6', (byte) 0xc3, '('}).bytes(bytes("x86_64")).u32(4096).u32(0).seal();
        assertProblem(Problem.MALFORMED, r, "capture.kernelRelease at offset", "is not valid UTF-8: 36 c3 28");
    }

    @Test
    void missingFieldsAreMalformed() {
        byte[] full = new HandRecord(1, 0).validBody().seal();
        // Drop the body's tail but keep the record consistent: length and checksum say "complete".
        for (int cut = 16; cut < full.length - 4; cut++) {
            byte[] r = new HandRecord(1, 0).raw(Arrays.copyOfRange(full, 16, cut)).seal();
            DescriptorFormatException e = decodeExpectingFailure(r, "body cut at " + cut);
            assertEquals(Problem.MALFORMED, e.problem(), e.getMessage());
        }
        assertProblem(Problem.MALFORMED, new HandRecord(1, 0).seal(), "start_code at offset 16 needs 8 bytes");
    }

    @Test
    void recordLengthSmallerThanHeaderAndChecksumIsMalformed() {
        byte[] r = new HandRecord(1, 0).seal(); // 20 bytes: header and checksum
        java.nio.ByteBuffer.wrap(r).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(12, 19);
        assertProblem(Problem.MALFORMED, r, "record length 19 is less than header and checksum take (20 bytes)");
    }

    private static void assertProblem(Problem p, byte[] r, String... parts) {
        DescriptorFormatException e = refused(r);
        assertEquals(p, e.problem(), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), e.getMessage() + " should contain " + part);
        }
    }

    private static DescriptorFormatException decodeExpectingFailure(byte[] data, String what) {
        try {
            MmDescriptor d = BothReaders.decode(data, "x.mmd");
            fail(what + ": decoded to " + d);
            return null;
        } catch (DescriptorFormatException e) {
            return e;
        } catch (RuntimeException | Error e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    private static long allocatedBytes(Runnable r) {
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = t.getThreadAllocatedBytes(id);
        r.run();
        return t.getThreadAllocatedBytes(id) - before;
    }
}
