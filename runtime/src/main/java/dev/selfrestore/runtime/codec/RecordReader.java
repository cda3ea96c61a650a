package dev.selfrestore.runtime.codec;

import static dev.selfrestore.runtime.codec.Layout.CHECKSUM_LENGTH;
import static dev.selfrestore.runtime.codec.Layout.HEADER_LENGTH;
import static dev.selfrestore.runtime.codec.Layout.MAGIC;
import static dev.selfrestore.runtime.codec.Layout.MAGIC_LENGTH;
import static dev.selfrestore.runtime.codec.Layout.MAX_AUXV_WORDS;
import static dev.selfrestore.runtime.codec.Layout.MAX_BYTE_STRING;
import static dev.selfrestore.runtime.codec.Layout.MAX_RECORD_LENGTH;
import static dev.selfrestore.runtime.codec.Layout.OFFSET_MAJOR;
import static dev.selfrestore.runtime.codec.Layout.OFFSET_MINOR;
import static dev.selfrestore.runtime.codec.Layout.OFFSET_RECORD_LENGTH;
import static dev.selfrestore.runtime.codec.Layout.mib;

import dev.selfrestore.runtime.BrkSource;
import dev.selfrestore.runtime.CaptureInfo;
import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads one record, distrusting every byte: the checks run from the outside in (magic, version,
 * record length, checksum, then each field), and every length is checked against the bytes left
 * and the format's limits before anything is allocated for it.
 *
 * <p>This class is the one reader of the format: its field order, limits and checks. It reads
 * through a {@link RecordInput}, Chronicle Bytes' ({@link DescriptorCodec#decode}, the codec of
 * record) or plain Java's ({@link DescriptorReader#decode}, the agent's premain); the inputs only
 * fetch bytes this class has checked are there. Chronicle's own bounds checks
 * (BufferUnderflowException and friends) and the array's are never what stops a bad record; they
 * stay as a last line of defence, turned into {@link Problem#MALFORMED}.
 */
final class RecordReader {
    private final RecordInput in;
    private final String source;
    /** The record's array, when the command line and environment are left in it; else null. */
    private final byte[] shared;

    private RecordReader(RecordInput in, String source, byte[] shared) {
        this.in = in;
        this.source = source;
        this.shared = shared;
    }

    /** Decodes with Chronicle Bytes when {@code chronicle}, else in plain Java. */
    static MmDescriptor decode(byte[] data, String source, boolean chronicle) throws DescriptorFormatException {
        return (MmDescriptor) read(data, source, false, chronicle, false);
    }

    /**
     * Decodes in plain Java, leaving the command line and environment in {@code data}
     * ({@link MmDescriptor.Slice}) instead of copying them out: the same checks, the same
     * descriptor.
     */
    static MmDescriptor decodeSharing(byte[] data, String source) throws DescriptorFormatException {
        return (MmDescriptor) read(data, source, false, false, true);
    }

    /** The header and checksum status of a record: steps 1 to 3 of {@link #record}, then both checksums. */
    static RecordHeader header(byte[] data, String source, boolean chronicle) throws DescriptorFormatException {
        return (RecordHeader) read(data, source, true, chronicle, false);
    }

    /** The whole record, or only its header; one wrapping and one failure path for both. */
    private static Object read(byte[] data, String source, boolean headerOnly, boolean chronicle, boolean share)
            throws DescriptorFormatException {
        if (data.length == 0) {
            throw new DescriptorFormatException(Problem.EMPTY, source,
                    "is empty (0 bytes); a descriptor starts with the 8-byte magic \"SRMMDESC\"");
        }
        // ChronicleInput is named only in a static call: without Chronicle nothing loads it.
        RecordInput in = chronicle ? ChronicleInput.wrap(data) : new ArrayInput(data);
        try {
            RecordReader reader = new RecordReader(in, source, share && !chronicle ? data : null);
            if (!headerOnly) {
                return reader.record(data);
            }
            long recordLength = reader.outside(data);
            int end = (int) recordLength - CHECKSUM_LENGTH;
            return new RecordHeader(in.u16At(OFFSET_MAJOR), in.u16At(OFFSET_MINOR),
                    recordLength, in.i32At(end), Layout.crc32c(data, 0, end));
        } catch (RuntimeException e) {
            // Not reached by any input the tests know: every check above Chronicle's comes first.
            throw new DescriptorFormatException(Problem.MALFORMED, source,
                    "unreadable record (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        } finally {
            in.release();
        }
    }

    private MmDescriptor record(byte[] data) throws DescriptorFormatException {
        long recordLength = outside(data);
        int major = in.u16At(OFFSET_MAJOR);
        int minor = in.u16At(OFFSET_MINOR);
        // 4. checksum, before a single field is parsed
        int end = (int) recordLength - CHECKSUM_LENGTH;
        int stored = in.i32At(end);
        int computed = Layout.crc32c(data, 0, end);
        if (stored != computed) {
            throw new DescriptorFormatException(Problem.BAD_CHECKSUM, source,
                    "checksum mismatch: the record says CRC32C " + hex32(stored) + ", its content has "
                            + hex32(computed) + "; the file is damaged");
        }
        // 5. the fields, within header end .. checksum
        in.window(HEADER_LENGTH, end - HEADER_LENGTH);
        MmDescriptor d = body(minor);
        long left = in.remaining();
        if (left > 0) {
            if (minor <= DescriptorCodec.FORMAT_MINOR) {
                throw malformed("the last field of a " + major + "." + minor + " record ends at offset "
                        + in.position() + ", followed by " + count(left) + " before the checksum");
            }
            // A newer minor version appends fields this reader does not know: skip them.
            in.skip(left);
        }
        return d;
    }

    /** Steps 1 to 3, from the outside in: magic, version, record length. Returns the record length. */
    private long outside(byte[] data) throws DescriptorFormatException {
        int available = in.size();
        // 1. magic
        int magicBytes = Math.min(available, MAGIC_LENGTH);
        for (int i = 0; i < magicBytes; i++) {
            if (in.byteAt(i) != MAGIC[i]) {
                throw new DescriptorFormatException(Problem.WRONG_MAGIC, source,
                        "not a selfrestore descriptor: it starts with " + hex(data, magicBytes)
                                + ", a descriptor with " + hex(MAGIC, MAGIC_LENGTH) + " (\"SRMMDESC\")");
            }
        }
        if (available < OFFSET_MINOR + 2) {
            throw truncatedHeader(available);
        }
        // 2. version
        int major = in.u16At(OFFSET_MAJOR);
        int minor = in.u16At(OFFSET_MINOR);
        if (major != DescriptorCodec.FORMAT_MAJOR) {
            throw new DescriptorFormatException(Problem.UNSUPPORTED_VERSION, source,
                    "format version " + major + "." + minor + " is "
                            + (major > DescriptorCodec.FORMAT_MAJOR ? "newer than" : "older than")
                            + " this selfrestore reads (" + DescriptorCodec.FORMAT_MAJOR + ".x)");
        }
        if (available < HEADER_LENGTH) {
            throw truncatedHeader(available);
        }
        // 3. record length: truncation is found here, before any parsing
        long recordLength = in.i32At(OFFSET_RECORD_LENGTH) & 0xffff_ffffL;
        if (recordLength > available) {
            throw new DescriptorFormatException(Problem.TRUNCATED, source,
                    "truncated: the header gives a record length of " + recordLength + " bytes but only "
                            + available + " are present");
        }
        if (recordLength > MAX_RECORD_LENGTH) {
            throw new DescriptorFormatException(Problem.TOO_LARGE, source,
                    "record length " + recordLength + " is over the limit of " + mib(MAX_RECORD_LENGTH));
        }
        if (recordLength < HEADER_LENGTH + CHECKSUM_LENGTH) {
            throw new DescriptorFormatException(Problem.MALFORMED, source,
                    "record length " + recordLength + " is less than header and checksum take ("
                            + (HEADER_LENGTH + CHECKSUM_LENGTH) + " bytes)");
        }
        if (recordLength < available) {
            throw new DescriptorFormatException(Problem.MALFORMED, source,
                    "trailing data: " + count(available - recordLength) + " after the end of the record (record length "
                            + recordLength + ", " + available + " bytes present)");
        }
        return recordLength;
    }

    private MmDescriptor body(int minor) throws DescriptorFormatException {
        long[] mm = new long[11];
        for (int i = 0; i < mm.length; i++) {
            mm[i] = u64(MmFields.NAMES.get(i));
        }
        need(1, "brk source");
        long brkAt = in.position();
        int brkCode = in.readU8();
        BrkSource brkSource;
        if (brkCode == Layout.BRK_EXACT) {
            brkSource = BrkSource.EXACT;
        } else if (brkCode == Layout.BRK_APPROXIMATED) {
            brkSource = BrkSource.APPROXIMATED;
        } else {
            throw malformed("brk source at offset " + brkAt + " is " + brkCode + "; it must be "
                    + Layout.BRK_EXACT + " (exact) or " + Layout.BRK_APPROXIMATED + " (approximated)");
        }

        long auxvAt = in.position();
        long words = stopBit("auxv word count");
        if (words > MAX_AUXV_WORDS) {
            throw new DescriptorFormatException(Problem.TOO_LARGE, source,
                    "auxv word count " + words + " at offset " + auxvAt + " is over the limit of " + MAX_AUXV_WORDS);
        }
        if (words * 8 > in.remaining()) {
            throw malformed("auxv word count " + words + " at offset " + auxvAt + " needs " + count(words * 8)
                    + "; the record has " + count(in.remaining()) + " left before the checksum");
        }
        long[] auxv = new long[(int) words];
        for (int i = 0; i < auxv.length; i++) {
            auxv[i] = in.readI64();
        }

        ExecutableIdentity exe = executable();
        MmDescriptor.Slice cmdline = slice("cmdline");
        MmDescriptor.Slice environ = slice("environ");
        byte[] comm = byteString("comm");
        CaptureInfo capture = capture();
        JvmLaunch jvm = minor >= 1 ? jvmLaunch(cmdline) : null;
        Provenance provenance = minor >= 2 ? provenance() : null;

        return new MmDescriptor(MmFields.ofArray(mm), brkSource, auxv, exe, cmdline, environ, comm, capture, jvm,
                provenance);
    }

    /**
     * The executable's fields, in the record's order, which is the order of {@link ExecutableIdentity}'s
     * components (arguments are evaluated left to right).
     */
    private ExecutableIdentity executable() throws DescriptorFormatException {
        return new ExecutableIdentity(byteString("exe.path"), u64("exe.size"), u64("exe.mtimeNanos"),
                u32("exe.devMajor"), u32("exe.devMinor"), u64("exe.inode"), u32("exe.mode"), byteString("exe.buildId"),
                byteString("exe.sha256"));
    }

    /** The capture's fields, in the record's order, which is that of {@link CaptureInfo}'s components. */
    private CaptureInfo capture() throws DescriptorFormatException {
        return new CaptureInfo(u64("capture.pid"), u64("capture.timeMillis"), utf8("capture.kernelRelease"),
                utf8("capture.arch"), u32("capture.pageSize"), u32("capture.uid"));
    }

    /** Format 1.2: what an edited descriptor was made from and the edits since (flag 0: a capture). */
    private Provenance provenance() throws DescriptorFormatException {
        need(1, "provenance");
        long at = in.position();
        int flag = in.readU8();
        if (flag == Layout.PROVENANCE_NONE) {
            return null;
        }
        if (flag != Layout.PROVENANCE_EDITED) {
            throw malformed("provenance at offset " + at + " is " + flag + "; it must be 0 (a capture) or 1 (edited)");
        }
        need(1, "provenance source");
        at = in.position();
        int code = in.readU8();
        Provenance.Source from = Provenance.Source.ofCode(code);
        if (from == null) {
            throw malformed("provenance source at offset " + at + " is " + code + "; it must be 1 (descriptor) or 2 "
                    + "(CRIU image)");
        }
        at = in.position();
        byte[] sha = byteString("provenance source SHA-256");
        if (sha.length != Layout.SHA256_LENGTH) {
            throw malformed("provenance source SHA-256 at offset " + at + " has " + count(sha.length) + "; a SHA-256 has "
                    + Layout.SHA256_LENGTH);
        }
        long time = u64("provenance edit time");
        at = in.position();
        long n = stopBit("provenance edit count");
        if (n > Layout.MAX_EDITS) {
            throw new DescriptorFormatException(Problem.TOO_LARGE, source,
                    "provenance edit count " + n + " at offset " + at + " is over the limit of " + Layout.MAX_EDITS);
        }
        if (n * 2 > in.remaining()) {
            throw malformed("provenance edit count " + n + " at offset " + at + " needs at least " + count(n * 2)
                    + "; the record has " + count(in.remaining()) + " left before the checksum");
        }
        List<Edit> edits = new ArrayList<>((int) n);
        for (int i = 0; i < n; i++) {
            need(1, "provenance edit " + i + " kind");
            at = in.position();
            int k = in.readU8();
            Edit.Kind kind = Edit.Kind.ofCode(k);
            if (kind == null) {
                throw malformed("provenance edit " + i + " kind at offset " + at + " is " + k + "; it must be 1 to "
                        + Edit.Kind.values().length);
            }
            edits.add(new Edit(kind, byteString("provenance edit " + i + " operand")));
        }
        return new Provenance(from, sha, time, edits);
    }

    /** Format 1.1: how a JVM original's command line splits (kind 0: not a JVM). */
    private JvmLaunch jvmLaunch(MmDescriptor.Slice cmdline) throws DescriptorFormatException {
        need(1, "jvm launch kind");
        long at = in.position();
        int kind = in.readU8();
        if (kind == Layout.JVM_NONE) {
            return null;
        }
        JvmLaunch.Kind[] kinds = JvmLaunch.Kind.values();
        if (kind > kinds.length) {
            throw malformed("jvm launch kind at offset " + at + " is " + kind + "; it must be 0 to " + kinds.length);
        }
        long index = stopBit("jvm main index");
        long args = RawBytes.splitNul(cmdline.copy()).size();
        if (index < 1 || index >= args) {
            throw malformed("jvm main index " + index + " must name one of argv[1.." + (args - 1) + "] of the cmdline");
        }
        return new JvmLaunch(kinds[kind - 1], (int) index);
    }

    private long u64(String field) throws DescriptorFormatException {
        need(8, field);
        return in.readI64();
    }

    private int u32(String field) throws DescriptorFormatException {
        need(4, field);
        return in.readI32();
    }

    private byte[] byteString(String field) throws DescriptorFormatException {
        byte[] b = new byte[byteStringLength(field)];
        in.readFully(b);
        return b;
    }

    /** A byte string left in the record's array when sharing it, else copied out of it. */
    private MmDescriptor.Slice slice(String field) throws DescriptorFormatException {
        if (shared == null) {
            return MmDescriptor.Slice.of(byteString(field));
        }
        int length = byteStringLength(field);
        int from = (int) in.position(); // ArrayInput: an offset in the array itself
        in.skip(length);
        return new MmDescriptor.Slice(shared, from, length);
    }

    /** A byte string's length, checked against the format's limit and the bytes left. */
    private int byteStringLength(String field) throws DescriptorFormatException {
        long at = in.position();
        long length = stopBit(field + " length");
        if (length > MAX_BYTE_STRING) {
            throw new DescriptorFormatException(Problem.TOO_LARGE, source,
                    field + " length " + length + " at offset " + at + " is over the limit of " + mib(MAX_BYTE_STRING));
        }
        if (length > in.remaining()) {
            throw malformed(field + " length " + length + " at offset " + at + " runs past the end of the record ("
                    + count(in.remaining()) + " left before the checksum)");
        }
        return (int) length;
    }

    private String utf8(String field) throws DescriptorFormatException {
        long at = in.position();
        byte[] b = byteString(field);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw malformed(field + " at offset " + at + " is not valid UTF-8: " + hex(b, Math.min(b.length, 16)));
        }
    }

    /**
     * A non-negative stop-bit number. The end of the encoding is found within the record first
     * (at most 10 bytes, the longest a 64-bit value takes), so neither input's decoder reads past
     * the record.
     */
    private long stopBit(String field) throws DescriptorFormatException {
        long at = in.position();
        long limit = in.limit();
        int length = 0;
        while (true) {
            if (at + length >= limit) {
                throw malformed(field + " at offset " + at + " runs past the end of the record");
            }
            byte b = in.byteAt(at + length);
            length++;
            if (b >= 0) {
                break;
            }
            if (length == 10) {
                throw malformed(field + " at offset " + at + " is a stop-bit number longer than 10 bytes");
            }
        }
        long v;
        try {
            v = in.readStopBit();
        } catch (IllegalArgumentException e) {
            // more than 63 bits of value (Chronicle: "Cannot read more than 9 stop bits")
            throw malformed(field + " at offset " + at + " is not a stop-bit number that fits in 64 bits");
        }
        if (v < 0) {
            throw malformed(field + " at offset " + at + " is negative (" + v + ")");
        }
        return v;
    }

    private void need(int bytes, String field) throws DescriptorFormatException {
        if (in.remaining() < bytes) {
            throw malformed(field + " at offset " + in.position() + " needs " + count(bytes)
                    + "; the record has " + count(in.remaining()) + " left before the checksum");
        }
    }

    private DescriptorFormatException malformed(String detail) {
        return new DescriptorFormatException(Problem.MALFORMED, source, detail);
    }

    private DescriptorFormatException truncatedHeader(int available) {
        return new DescriptorFormatException(Problem.TRUNCATED, source,
                "truncated: " + count(available) + ", shorter than the " + HEADER_LENGTH + "-byte header");
    }

    private static String count(long bytes) {
        return bytes == 1 ? "1 byte" : bytes + " bytes";
    }

    private static String hex(byte[] b, int n) {
        return HexFormat.ofDelimiter(" ").formatHex(b, 0, n);
    }

    /** {@code 0x} and eight hex digits, without java.util.Formatter (costly to load cold). */
    private static String hex32(int v) {
        String h = Integer.toHexString(v);
        return "0x00000000".substring(0, 10 - h.length()) + h;
    }
}
