package dev.selfrestore.runtime.codec;

/**
 * The bytes of one record as the reader sees them: absolute reads for the header and checksum, a
 * window (header end to checksum) for the fields, and a read position within it. Values come back
 * in the format's byte order (little endian) whatever the machine's.
 *
 * <p>There are two: {@link ChronicleInput} (Chronicle Bytes, the codec of record, used by the
 * command line and the tests) and {@link ArrayInput} (plain Java over the {@code byte[]}, used by
 * the agent's premain, which must not pay Chronicle's initialisation). {@link RecordReader} holds
 * the format itself, its limits and every check, once, and reads through either; an input only
 * fetches bytes the reader has already checked are there. {@code DescriptorDifferentialFuzzTest}
 * feeds both the same inputs, and the golden files are decoded with both.
 */
abstract class RecordInput {
    /** Bytes in the record as given (the whole array). */
    abstract int size();

    /** The byte at an absolute offset. */
    abstract byte byteAt(long offset);

    /** The unsigned 16-bit value at an absolute offset. */
    abstract int u16At(long offset);

    /** The 32-bit value at an absolute offset. */
    abstract int i32At(long offset);

    /** Reads from {@code from} on, at most {@code length} bytes. */
    abstract void window(long from, long length);

    abstract long position();

    /** End (exclusive) of the window. */
    abstract long limit();

    final long remaining() {
        return limit() - position();
    }

    abstract int readU8();

    abstract int readI32();

    abstract long readI64();

    /**
     * The stop-bit number at the position, whose last byte the caller has found within the window.
     *
     * @throws IllegalArgumentException if its value takes more than 63 bits
     */
    abstract long readStopBit();

    /** Fills {@code b} from the position; the caller has checked the bytes are there. */
    abstract void readFully(byte[] b);

    abstract void skip(long n);

    /** Gives back what the input holds (Chronicle's reference count); idempotent. */
    abstract void release();
}
