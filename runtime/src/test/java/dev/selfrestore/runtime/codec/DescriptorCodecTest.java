package dev.selfrestore.runtime.codec;

import static dev.selfrestore.runtime.codec.CodecFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.runtime.BrkSource;
import dev.selfrestore.runtime.CaptureInfo;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.MmDescriptor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DescriptorCodecTest {

    @Test
    void realisticDescriptorRoundTripsByteForByte() throws Exception {
        MmDescriptor d = CodecFixtures.realistic();
        MmDescriptor back = DescriptorCodec.decode(DescriptorCodec.encode(d), "<bytes>");
        assertEquals(d, back);
        // The equality above covers these; spelled out because they are the point of raw bytes.
        assertArrayEquals(d.environ(), back.environ());
        assertArrayEquals(d.exe().path(), back.exe().path());
        assertArrayEquals(d.auxv(), back.auxv());
        assertEquals(0, back.exe().sha256().length);
        assertTrue(new String(back.environ(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("-Dc==d"));
    }

    @Test
    void emptyArraysAndEdgeNumbersRoundTrip() throws Exception {
        MmDescriptor d = CodecFixtures.edges();
        assertEquals(d, DescriptorCodec.decode(DescriptorCodec.encode(d), null));
    }

    @Test
    void byteStringLengthsAroundStopBitBoundariesRoundTrip() throws Exception {
        for (int n : new int[] {127, 128, 16_383, 16_384, 2_097_151, 2_097_152}) {
            byte[] b = new byte[n];
            Arrays.fill(b, (byte) 0x80);
            MmDescriptor base = CodecFixtures.golden();
            MmDescriptor d = new MmDescriptor(base.fields(), base.brkSource(), new long[n % 1000], base.exe(),
                    b, base.environ(), base.comm(), base.capture());
            assertEquals(d, DescriptorCodec.decode(DescriptorCodec.encode(d), "<bytes>"), "length " + n);
        }
    }

    @Test
    void headerHoldsMagicVersionAndTheWholeLength() {
        byte[] r = DescriptorCodec.encode(CodecFixtures.realistic());
        ByteBuffer bb = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(bytes("SRMMDESC"), Arrays.copyOf(r, 8));
        assertEquals(DescriptorCodec.FORMAT_MAJOR, bb.getShort(8));
        assertEquals(DescriptorCodec.FORMAT_MINOR, bb.getShort(10));
        assertEquals(r.length, bb.getInt(12));
        assertEquals(CodecFixtures.crc32c(r, 0, r.length - 4), bb.getInt(r.length - 4));
    }

    @Test
    void encodingIsDeterministic() {
        assertArrayEquals(DescriptorCodec.encode(CodecFixtures.realistic()),
                DescriptorCodec.encode(CodecFixtures.realistic()));
    }

    @Test
    void byteStringsAtTheLimitRoundTripAndOneMoreIsRefused() throws Exception {
        MmDescriptor base = CodecFixtures.golden();
        byte[] max = new byte[Layout.MAX_BYTE_STRING];
        MmDescriptor atLimit = new MmDescriptor(base.fields(), base.brkSource(), base.auxv(), base.exe(),
                base.cmdline(), max, base.comm(), base.capture());
        assertEquals(atLimit, DescriptorCodec.decode(DescriptorCodec.encode(atLimit), "<bytes>"));

        MmDescriptor over = new MmDescriptor(base.fields(), base.brkSource(), base.auxv(), base.exe(),
                base.cmdline(), new byte[Layout.MAX_BYTE_STRING + 1], base.comm(), base.capture());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DescriptorCodec.encode(over));
        assertEquals("environ has 16777217 bytes; a descriptor holds at most 16 MiB", e.getMessage());
    }

    @Test
    void auxvOverTheLimitIsRefused() {
        MmDescriptor base = CodecFixtures.golden();
        MmDescriptor at = new MmDescriptor(base.fields(), base.brkSource(), new long[Layout.MAX_AUXV_WORDS],
                base.exe(), base.cmdline(), base.environ(), base.comm(), base.capture());
        DescriptorCodec.encode(at);
        MmDescriptor over = new MmDescriptor(base.fields(), base.brkSource(), new long[Layout.MAX_AUXV_WORDS + 1],
                base.exe(), base.cmdline(), base.environ(), base.comm(), base.capture());
        assertThrows(IllegalArgumentException.class, () -> DescriptorCodec.encode(over));
    }

    @Test
    void recordOverTheTotalLimitIsRefused() {
        MmDescriptor base = CodecFixtures.golden();
        byte[] big = new byte[Layout.MAX_BYTE_STRING];
        ExecutableIdentity exe = new ExecutableIdentity(big, 1, 2, 3, 4, 5, 6, big, big);
        MmDescriptor d = new MmDescriptor(base.fields(), base.brkSource(), base.auxv(), exe, big, big, big,
                base.capture());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DescriptorCodec.encode(d));
        assertTrue(e.getMessage().endsWith("a record is at most 64 MiB"), e.getMessage());
    }

    @Test
    void textThatIsNotUnicodeIsRefused() {
        MmDescriptor base = CodecFixtures.golden();
        MmDescriptor d = new MmDescriptor(base.fields(), BrkSource.EXACT, base.auxv(), base.exe(), base.cmdline(),
                base.environ(), base.comm(), new CaptureInfo(1, 2, "6.1", "x86\ud800", 4096, 0));
        assertThrows(IllegalArgumentException.class, () -> DescriptorCodec.encode(d));
    }

    @Test
    void unicodeTextRoundTrips() throws Exception {
        MmDescriptor base = CodecFixtures.golden();
        MmDescriptor d = new MmDescriptor(base.fields(), BrkSource.EXACT, base.auxv(), base.exe(), base.cmdline(),
                base.environ(), base.comm(),
                new CaptureInfo(1, 2, "6.1.0-rc1+ \u00e9\ud83d\ude00", "aarch64", 65536, 0));
        assertEquals(d, DescriptorCodec.decode(DescriptorCodec.encode(d), "<bytes>"));
    }
}
