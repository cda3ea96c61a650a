package dev.selfrestore.runtime.codec;

/**
 * {@link RecordInput} over a {@code byte[]} in plain Java: the agent's premain reads descriptors
 * through it, so that a restore loads no Chronicle class. No lambda, stream or formatter here:
 * each would cost class loading in a cold JVM.
 *
 * <p>Decodes exactly as Chronicle Bytes does (little endian; stop-bit numbers as
 * {@code BytesInternal.readStopBit}, including its encoding of negative values, which the reader
 * then refuses); {@code DescriptorDifferentialFuzzTest} holds it to that.
 */
final class ArrayInput extends RecordInput {
    private final byte[] data;
    private int position;
    private int limit;

    ArrayInput(byte[] data) {
        this.data = data;
        this.limit = data.length;
    }

    @Override
    int size() {
        return data.length;
    }

    @Override
    byte byteAt(long offset) {
        return data[(int) offset];
    }

    @Override
    int u16At(long offset) {
        int o = (int) offset;
        return (data[o] & 0xff) | (data[o + 1] & 0xff) << 8;
    }

    @Override
    int i32At(long offset) {
        int o = (int) offset;
        return (data[o] & 0xff) | (data[o + 1] & 0xff) << 8 | (data[o + 2] & 0xff) << 16 | (data[o + 3] & 0xff) << 24;
    }

    @Override
    void window(long from, long length) {
        position = (int) from;
        limit = (int) (from + length);
    }

    @Override
    long position() {
        return position;
    }

    @Override
    long limit() {
        return limit;
    }

    @Override
    int readU8() {
        return data[position++] & 0xff;
    }

    @Override
    int readI32() {
        int v = i32At(position);
        position += 4;
        return v;
    }

    @Override
    long readI64() {
        long lo = i32At(position) & 0xffff_ffffL;
        long hi = i32At(position + 4) & 0xffff_ffffL;
        position += 8;
        return lo | hi << 32;
    }

    @Override
    long readStopBit() {
        // 7 bits a byte, low bits first, high bit set on all but the last byte; a last byte of 0
        // after a continued one marks the complement of a negative value.
        long first = data[position++];
        if (first >= 0) {
            return first;
        }
        long value = first & 0x7f;
        int shift = 7;
        long b;
        while ((b = data[position++]) < 0) {
            value |= (b & 0x7f) << shift;
            shift += 7;
        }
        if (b == 0) {
            return ~value;
        }
        if (shift > 56) {
            throw new IllegalArgumentException("more than 63 bits");
        }
        return value | b << shift;
    }

    @Override
    void readFully(byte[] b) {
        System.arraycopy(data, position, b, 0, b.length);
        position += b.length;
    }

    @Override
    void skip(long n) {
        position += (int) n;
    }

    @Override
    void release() {
        // nothing held
    }
}
