package dev.selfrestore.runtime.codec;

import static dev.selfrestore.runtime.codec.Layout.CHECKSUM_LENGTH;
import static dev.selfrestore.runtime.codec.Layout.HEADER_LENGTH;
import static dev.selfrestore.runtime.codec.Layout.MAGIC;
import static dev.selfrestore.runtime.codec.Layout.MAX_AUXV_WORDS;
import static dev.selfrestore.runtime.codec.Layout.MAX_BYTE_STRING;
import static dev.selfrestore.runtime.codec.Layout.MAX_RECORD_LENGTH;
import static dev.selfrestore.runtime.codec.Layout.le16;
import static dev.selfrestore.runtime.codec.Layout.le32;
import static dev.selfrestore.runtime.codec.Layout.le64;
import static dev.selfrestore.runtime.codec.Layout.mib;
import static dev.selfrestore.runtime.codec.Layout.stopBitLength;

import dev.selfrestore.runtime.BrkSource;
import dev.selfrestore.runtime.CaptureInfo;
import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.Provenance;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * Writes one descriptor, field by field, in the order of the layout in {@code package-info.java}.
 *
 * <p>The record length is computed first (the header carries it), so the writer fills an exact
 * {@code byte[]} and never patches. Every field is preceded by a hex-dump description: a no-op on
 * ordinary {@code Bytes}, the annotations of the golden file on {@code HexDumpBytes}.
 */
final class RecordWriter {
    private final MmFields fields;
    private final BrkSource brkSource;
    private final long[] auxv;
    private final ExecutableIdentity exe;
    private final byte[] exePath;
    private final byte[] buildId;
    private final byte[] sha256;
    private final byte[] cmdline;
    private final byte[] environ;
    private final byte[] comm;
    private final CaptureInfo capture;
    private final byte[] kernelRelease;
    private final byte[] arch;
    private final JvmLaunch jvm;
    private final Provenance provenance;
    private final int recordLength;

    /**
     * Checks the descriptor against the format's limits and sizes the record.
     *
     * @throws IllegalArgumentException if a field is over a limit or a text is not encodable
     */
    RecordWriter(MmDescriptor d) {
        Objects.requireNonNull(d, "descriptor");
        fields = d.fields();
        brkSource = d.brkSource();
        auxv = d.auxv();
        exe = d.exe();
        exePath = checked("exe.path", exe.path());
        buildId = checked("exe.buildId", exe.buildId());
        sha256 = checked("exe.sha256", exe.sha256());
        cmdline = checked("cmdline", d.cmdline());
        environ = checked("environ", d.environ());
        comm = checked("comm", d.comm());
        capture = d.capture();
        kernelRelease = checked("capture.kernelRelease", utf8("capture.kernelRelease", capture.kernelRelease()));
        arch = checked("capture.arch", utf8("capture.arch", capture.arch()));
        jvm = d.jvm();
        provenance = d.provenance();
        if (auxv.length > MAX_AUXV_WORDS) {
            throw new IllegalArgumentException("auxv has " + auxv.length + " words; a descriptor holds at most "
                    + MAX_AUXV_WORDS);
        }
        long n = HEADER_LENGTH
                + 11 * 8L + 1                                    // mm fields, brk source
                + stopBitLength(auxv.length) + 8L * auxv.length
                + sized(exePath) + 8 + 8 + 4 + 4 + 8 + 4 + sized(buildId) + sized(sha256)
                + sized(cmdline) + sized(environ) + sized(comm)
                + 8 + 8 + sized(kernelRelease) + sized(arch) + 4 + 4
                + 1 + (jvm == null ? 0 : stopBitLength(jvm.mainIndex()))
                + provenanceLength()
                + CHECKSUM_LENGTH;
        if (n > MAX_RECORD_LENGTH) {
            throw new IllegalArgumentException("the descriptor would take " + n + " bytes; a record is at most "
                    + mib(MAX_RECORD_LENGTH));
        }
        recordLength = (int) n;
    }

    private long provenanceLength() {
        if (provenance == null) {
            return 1;
        }
        if (provenance.sourceSha256().length != Layout.SHA256_LENGTH) {
            throw new IllegalArgumentException("provenance.sourceSha256 has " + provenance.sourceSha256().length
                    + " bytes; a SHA-256 has " + Layout.SHA256_LENGTH);
        }
        if (provenance.edits().size() > Layout.MAX_EDITS) {
            throw new IllegalArgumentException("provenance lists " + provenance.edits().size()
                    + " edits; a descriptor holds at most " + Layout.MAX_EDITS);
        }
        long n = 1 + 1 + sized(provenance.sourceSha256()) + 8 + stopBitLength(provenance.edits().size());
        for (Edit e : provenance.edits()) {
            n += 1 + sized(checked("provenance edit", e.operand()));
        }
        return n;
    }

    /** Total bytes of the record, checksum included. */
    int recordLength() {
        return recordLength;
    }

    /** Writes header and body, in the format's order: everything the checksum covers. */
    void writeTo(BytesOut<?> out) {
        writeHeader(out);
        writeFieldsAndAuxv(out);
        writeExecutable(out);
        out.writeHexDumpDescription("# process areas");
        byteString(out, "cmdline", cmdline);
        byteString(out, "environ", environ);
        byteString(out, "comm", comm);
        writeCapture(out);
        writeJvmLaunch(out);
        writeProvenance(out);
    }

    private void writeHeader(BytesOut<?> out) {
        out.writeHexDumpDescription("# header");
        out.writeHexDumpDescription("magic");
        out.write(MAGIC);
        out.writeHexDumpDescription("format version major, minor (u16)");
        out.writeUnsignedShort(le16(DescriptorCodec.FORMAT_MAJOR));
        out.writeUnsignedShort(le16(DescriptorCodec.FORMAT_MINOR));
        u32(out, "record length, checksum included (u32)", recordLength);
    }

    private void writeFieldsAndAuxv(BytesOut<?> out) {
        out.writeHexDumpDescription("# prctl_mm_map address fields (u64, struct order)");
        long[] mm = fields.toArray();
        for (int i = 0; i < mm.length; i++) {
            u64(out, MmFields.NAMES.get(i), mm[i]);
        }
        out.writeHexDumpDescription("brk source: 0 exact, 1 approximated");
        out.writeByte((byte) (brkSource == BrkSource.EXACT ? Layout.BRK_EXACT : Layout.BRK_APPROXIMATED));

        out.writeHexDumpDescription("# auxv");
        out.writeHexDumpDescription("word count (stop bit)");
        out.writeStopBit(auxv.length);
        for (int i = 0; i < auxv.length; i++) {
            if (i % 2 == 0) {
                out.writeHexDumpDescription("type, value (u64)");
            }
            out.writeLong(le64(auxv[i]));
        }
    }

    private void writeExecutable(BytesOut<?> out) {
        out.writeHexDumpDescription("# executable");
        byteString(out, "path", exePath);
        u64(out, "size", exe.size());
        u64(out, "mtime, ns", exe.mtimeNanos());
        out.writeHexDumpDescription("device major, minor (u32)");
        out.writeInt(le32(exe.devMajor()));
        out.writeInt(le32(exe.devMinor()));
        u64(out, "inode", exe.inode());
        u32(out, "st_mode (u32)", exe.mode());
        byteString(out, "build-id", buildId);
        byteString(out, "sha256", sha256);
    }

    private void writeCapture(BytesOut<?> out) {
        out.writeHexDumpDescription("# capture");
        u64(out, "pid", capture.pid());
        u64(out, "time, ms since the epoch", capture.timeMillis());
        byteString(out, "kernel release (UTF-8)", kernelRelease);
        byteString(out, "arch (UTF-8)", arch);
        out.writeHexDumpDescription("page size, uid (u32)");
        out.writeInt(le32(capture.pageSize()));
        out.writeInt(le32(capture.uid()));
    }

    private void writeJvmLaunch(BytesOut<?> out) {
        out.writeHexDumpDescription("# jvm launch (1.1)");
        out.writeHexDumpDescription("kind: 0 not a JVM, 1 class, 2 jar, 3 module, 4 source");
        out.writeByte((byte) (jvm == null ? Layout.JVM_NONE : jvm.kind().ordinal() + 1));
        if (jvm != null) {
            out.writeHexDumpDescription("argv index of the main class, jar, module or source (stop bit)");
            out.writeStopBit(jvm.mainIndex());
        }
    }

    private void writeProvenance(BytesOut<?> out) {
        out.writeHexDumpDescription("# provenance (1.2)");
        out.writeHexDumpDescription("0 a capture, 1 edited");
        out.writeByte((byte) (provenance == null ? Layout.PROVENANCE_NONE : Layout.PROVENANCE_EDITED));
        if (provenance != null) {
            out.writeHexDumpDescription("source: 1 descriptor file, 2 CRIU image");
            out.writeByte((byte) provenance.source().code());
            byteString(out, "source SHA-256", provenance.sourceSha256());
            u64(out, "edit time, ms since the epoch", provenance.editedMillis());
            out.writeHexDumpDescription("edit count (stop bit)");
            out.writeStopBit(provenance.edits().size());
            for (Edit e : provenance.edits()) {
                out.writeHexDumpDescription("edit kind (" + e.kind().option() + ")");
                out.writeByte((byte) e.kind().code());
                byteString(out, "operand", e.operand());
            }
        }
    }

    /** Writes the checksum of everything {@link #writeTo} wrote. */
    static void writeChecksum(BytesOut<?> out, int crc32c) {
        out.writeHexDumpDescription("# checksum");
        u32(out, "CRC32C of all bytes before it (u32)", crc32c);
    }

    /** One u64 field, little endian, described as {@code description} in the hex dump. */
    private static void u64(BytesOut<?> out, String description, long value) {
        out.writeHexDumpDescription(description);
        out.writeLong(le64(value));
    }

    /** One u32 field, little endian, described as {@code description} in the hex dump. */
    private static void u32(BytesOut<?> out, String description, int value) {
        out.writeHexDumpDescription(description);
        out.writeInt(le32(value));
    }

    private static void byteString(BytesOut<?> out, String name, byte[] value) {
        out.writeHexDumpDescription(name);
        out.writeStopBit(value.length);
        out.write(value);
    }

    private static long sized(byte[] b) {
        return stopBitLength(b.length) + (long) b.length;
    }

    private static byte[] checked(String name, byte[] value) {
        if (value.length > MAX_BYTE_STRING) {
            throw new IllegalArgumentException(name + " has " + value.length + " bytes; a descriptor holds at most "
                    + mib(MAX_BYTE_STRING));
        }
        return value;
    }

    private static byte[] utf8(String name, String s) {
        Objects.requireNonNull(s, name);
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer bb = encoder.encode(CharBuffer.wrap(s));
            return Arrays.copyOfRange(bb.array(), bb.arrayOffset() + bb.position(), bb.arrayOffset() + bb.limit());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(name + " is not valid Unicode (an unpaired surrogate?): " + e, e);
        }
    }
}
