package dev.selfrestore.runtime.codec;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Constants of the descriptor format and the little-endian helpers both directions share.
 * The layout itself is described in {@code package-info.java}.
 */
final class Layout {
    private Layout() {
    }

    static final byte[] MAGIC = "SRMMDESC".getBytes(StandardCharsets.US_ASCII);
    static final int MAGIC_LENGTH = 8;
    static final int OFFSET_MAJOR = 8;
    static final int OFFSET_MINOR = 10;
    static final int OFFSET_RECORD_LENGTH = 12;
    static final int HEADER_LENGTH = 16;
    static final int CHECKSUM_LENGTH = 4;

    /** Largest byte string (path, cmdline, environ, ...) a record may hold. */
    static final int MAX_BYTE_STRING = 16 << 20;
    /** Largest auxv, in 64-bit words (the kernel's saved_auxv has 2 * AT_VECTOR_SIZE, about 50). */
    static final int MAX_AUXV_WORDS = 1024;
    /**
     * Largest record. Smaller than the sum of the field limits on purpose: it bounds what one read
     * allocates; cmdline and environ at their 16 MiB limit still fit together.
     */
    static final int MAX_RECORD_LENGTH = 64 << 20;

    static final int BRK_EXACT = 0;
    static final int BRK_APPROXIMATED = 1;
    /** Format 1.1 jvm launch kind: the original is not a JVM. Kinds 1.. are JvmLaunch.Kind ordinal + 1. */
    static final int JVM_NONE = 0;

    /** Format 1.2 provenance flag: 0 a capture, 1 edited (the provenance follows). */
    static final int PROVENANCE_NONE = 0;
    static final int PROVENANCE_EDITED = 1;
    /** Most edits a provenance lists. */
    static final int MAX_EDITS = 4096;
    /** Bytes of a SHA-256. */
    static final int SHA256_LENGTH = 32;

    /** The file format is little endian on every machine; Chronicle Bytes writes native order. */
    private static final boolean NATIVE_BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    static long le64(long v) {
        return NATIVE_BIG_ENDIAN ? Long.reverseBytes(v) : v;
    }

    static int le32(int v) {
        return NATIVE_BIG_ENDIAN ? Integer.reverseBytes(v) : v;
    }

    static int le16(int v) {
        return NATIVE_BIG_ENDIAN ? Short.reverseBytes((short) v) & 0xffff : v & 0xffff;
    }

    /** Bytes Chronicle's stop-bit encoding takes for a non-negative value: 7 bits a byte. */
    static int stopBitLength(long nonNegative) {
        if (nonNegative < 0) {
            throw new IllegalArgumentException("negative: " + nonNegative);
        }
        int bits = 64 - Long.numberOfLeadingZeros(nonNegative);
        return bits == 0 ? 1 : (bits + 6) / 7;
    }

    static int crc32c(byte[] data, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, from, length);
        return (int) crc.getValue();
    }

    static String mib(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }
}
