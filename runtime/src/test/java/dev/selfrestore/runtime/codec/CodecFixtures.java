package dev.selfrestore.runtime.codec;

import dev.selfrestore.runtime.BrkSource;
import dev.selfrestore.runtime.CaptureInfo;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Descriptors for the codec tests, and a writer of hand-made records.
 *
 * <p>{@link HandRecord} lays records out with a plain little-endian ByteBuffer, independently of the
 * codec, so tests can build what the codec never writes: huge declared lengths with a valid
 * checksum, newer versions, extra fields.
 */
final class CodecFixtures {
    private CodecFixtures() {
    }

    static final long[] AUXV = {
        33, 0x7ffd5c7f1000L, 51, 0xd30, 16, 0x178bfbffL, 6, 4096, 17, 100, 3, 0x5581f7a4a040L, 4, 56, 5, 13,
        7, 0x7f3a1c6e3000L, 8, 0, 9, 0x5581f7a4c4c0L, 11, 1000, 12, 1000, 13, 1000, 14, 1000, 23, 0,
        25, 0x7ffd5c6e4ef9L, 26, 2, 31, 0x7ffd5c6e5fe8L, 15, 0x7ffd5c6e4f09L, 0, 0};

    /** A descriptor as a capture of a real JVM would give: non-UTF-8 bytes, '=' in values, no sha256. */
    static MmDescriptor realistic() {
        MmFields f = new MmFields(0x5581f7a4a000L, 0x5581f7a4b0c8L, 0x5581f7a4dd90L, 0x5581f7a4e010L,
                0x5581f9312000L, 0x5581f9333000L, 0x7ffd5c6e2f10L, 0x7ffd5c6e3f1aL, 0x7ffd5c6e3f6eL,
                0x7ffd5c6e3f6eL, 0x7ffd5c6e4fe0L);
        byte[] path = {'/', 'o', 'p', 't', '/', 'j', (byte) 0xe9, 'v', 'a', '/', 'b', 'i', 'n', '/',
            'j', 'a', 'v', 'a'};
        byte[] buildId = hex("9f4b2c1d0e3a5b6c7d8e9fa0b1c2d3e4f5061728");
        ExecutableIdentity exe = new ExecutableIdentity(path, 12_816, 1_731_000_000_123_456_789L, 259, 2,
                0x1_0000_0001L, 0100755, buildId, new byte[0]);
        byte[] cmdline = bytes("java\0-Xmx64m\0-javaagent:selfrestore.jar=descriptor=/tmp/a.mmd\0-cp\0app.jar\0Main\0");
        ByteArrayOutputStream env = new ByteArrayOutputStream();
        env.writeBytes(bytes("PATH=/usr/bin:/bin\0"));
        env.writeBytes(bytes("JAVA_OPTS=-Da=b -Dc==d\0"));
        env.writeBytes(new byte[] {'L', 'A', 'T', '1', '=', (byte) 0xe9, (byte) 0xff, (byte) 0x80, 0});
        env.writeBytes(bytes("EMPTY=\0=\0"));
        return new MmDescriptor(f, BrkSource.EXACT, AUXV, exe, cmdline, env.toByteArray(), bytes("java"),
                new CaptureInfo(123_456, 1_731_000_100_000L, "6.1.0-28-amd64", "x86_64", 4096, 1000));
    }

    /** Every array empty, every number at an edge: unsigned addresses over 2^63, uid 0xffffffff. */
    static MmDescriptor edges() {
        MmFields f = new MmFields(0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xffff_8000_0000_0000L, 1, 2, 3, 4, 5,
                0xffff_ffff_ffff_f000L);
        ExecutableIdentity exe = new ExecutableIdentity(new byte[0], -1, Long.MIN_VALUE, -1, Integer.MIN_VALUE,
                -1, -1, new byte[0], new byte[0]);
        return new MmDescriptor(f, BrkSource.APPROXIMATED, new long[0], exe, new byte[0], new byte[0], new byte[0],
                new CaptureInfo(-1, Long.MIN_VALUE, "", "", 0, -1));
    }

    /** Small and fixed, for the golden file. Changing it changes the golden file. */
    static MmDescriptor golden() {
        MmFields f = new MmFields(0x400000L, 0x401000L, 0x402000L, 0x403000L, 0x404000L, 0x405000L,
                0x7ffc00000000L, 0x7ffc00001000L, 0x7ffc00001010L, 0x7ffc00001010L, 0x7ffc00001020L);
        ExecutableIdentity exe = new ExecutableIdentity(bytes("/bin/x"), 4096, 1_700_000_000_000_000_000L, 8, 1,
                42, 0100755, new byte[] {(byte) 0xab, (byte) 0xcd}, new byte[0]);
        return new MmDescriptor(f, BrkSource.EXACT, new long[] {6, 4096, 0, 0}, exe, bytes("x\0-v\0"),
                new byte[] {'A', '=', 'b', '=', (byte) 0xff, 0}, bytes("x"),
                new CaptureInfo(7, 1_700_000_000_000L, "6.1", "x86_64", 4096, 0));
    }

    /** {@link #golden()} after two edits, for the 1.2 golden file of an edited descriptor. */
    static MmDescriptor goldenEdited() {
        MmDescriptor g = golden();
        byte[] sha = new byte[32];
        for (int i = 0; i < sha.length; i++) {
            sha[i] = (byte) i;
        }
        MmFields f = g.fields().withArgsAndEnv(0x7ffc00001011L, 0x7ffc00001016L, 0x7ffc00001016L, 0x7ffc00001020L);
        return new MmDescriptor(f, g.brkSource(), g.auxv(), g.exe(), bytes("y\0-v\0"),
                new byte[] {'A', '=', 'b', '=', (byte) 0xff, 0, 'H', '=', 'h', 0}, g.comm(), g.capture(), null,
                new dev.selfrestore.runtime.Provenance(dev.selfrestore.runtime.Provenance.Source.DESCRIPTOR, sha,
                        1_700_000_100_000L, java.util.List.of(
                                new dev.selfrestore.runtime.Edit(dev.selfrestore.runtime.Edit.Kind.ARGV0, bytes("y")),
                                new dev.selfrestore.runtime.Edit(dev.selfrestore.runtime.Edit.Kind.SET_ENV, bytes("H=h")))));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }

    static int crc32c(byte[] b, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(b, from, to - from);
        return (int) crc.getValue();
    }

    /** Sets the version, fixes up the record length and checksum of an encoded record. */
    static byte[] reseal(byte[] record, int major, int minor) {
        ByteBuffer bb = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort(8, (short) major).putShort(10, (short) minor).putInt(12, record.length);
        bb.putInt(record.length - 4, crc32c(record, 0, record.length - 4));
        return record;
    }

    /** A record written by hand: header, then fields, then length and checksum filled in by {@link #seal()}. */
    static final class HandRecord {
        private final ByteBuffer bb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        HandRecord(int major, int minor) {
            bb.put(CodecFixtures.bytes("SRMMDESC")).putShort((short) major).putShort((short) minor).putInt(0);
        }

        HandRecord u8(int v) {
            bb.put((byte) v);
            return this;
        }

        HandRecord u32(int v) {
            bb.putInt(v);
            return this;
        }

        HandRecord u64(long v) {
            bb.putLong(v);
            return this;
        }

        /** Stop-bit encoding of a non-negative value, 7 bits a byte, low bits first. */
        HandRecord stopBit(long v) {
            while ((v >>> 7) != 0) {
                bb.put((byte) (0x80 | (v & 0x7f)));
                v >>>= 7;
            }
            bb.put((byte) v);
            return this;
        }

        HandRecord raw(byte... b) {
            bb.put(b);
            return this;
        }

        HandRecord bytes(byte[] b) {
            return stopBit(b.length).raw(b);
        }

        /** All fields of a 1.0 record up to (not including) the exe path. */
        HandRecord mmBrkAuxv(long[] auxv) {
            for (int i = 0; i < 11; i++) {
                u64(0x1000L * (i + 1));
            }
            u8(0).stopBit(auxv.length);
            for (long w : auxv) {
                u64(w);
            }
            return this;
        }

        /** The exe fields after the path. */
        HandRecord exeRest() {
            return u64(100).u64(200).u32(8).u32(1).u64(42).u32(0100755).bytes(new byte[] {1}).bytes(new byte[0]);
        }

        /** The capture fields. */
        HandRecord capture() {
            return u64(7).u64(8).bytes(CodecFixtures.bytes("6.1")).bytes(CodecFixtures.bytes("x86_64"))
                    .u32(4096).u32(0);
        }

        /** A complete, valid 1.0 body. */
        HandRecord validBody() {
            return mmBrkAuxv(new long[] {0, 0}).bytes(CodecFixtures.bytes("/x")).exeRest()
                    .bytes(CodecFixtures.bytes("x\0")).bytes(new byte[0]).bytes(CodecFixtures.bytes("x")).capture();
        }

        byte[] seal() {
            int length = bb.position() + 4;
            bb.putInt(12, length);
            byte[] out = new byte[length];
            bb.get(0, out, 0, length - 4);
            ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(length - 4, crc32c(out, 0, length - 4));
            return out;
        }
    }
}
