package dev.selfrestore.runtime.codec;

import static dev.selfrestore.runtime.codec.Layout.le16;
import static dev.selfrestore.runtime.codec.Layout.le32;
import static dev.selfrestore.runtime.codec.Layout.le64;

import net.openhft.chronicle.bytes.Bytes;

/** {@link RecordInput} through Chronicle Bytes, the codec of record. */
final class ChronicleInput extends RecordInput {
    private final Bytes<byte[]> in;
    private final int size;
    private boolean released;

    private ChronicleInput(byte[] data) {
        this.in = Bytes.wrapForRead(data);
        this.size = data.length;
    }

    /** Initialises Chronicle on first use (see ChronicleStartup), then wraps {@code data}. */
    static RecordInput wrap(byte[] data) {
        ChronicleStartup.ensureInitialised();
        return new ChronicleInput(data);
    }

    @Override
    int size() {
        return size;
    }

    @Override
    byte byteAt(long offset) {
        return in.readByte(offset);
    }

    @Override
    int u16At(long offset) {
        return le16(in.readUnsignedShort(offset));
    }

    @Override
    int i32At(long offset) {
        return le32(in.readInt(offset));
    }

    @Override
    void window(long from, long length) {
        in.readPositionRemaining(from, length);
    }

    @Override
    long position() {
        return in.readPosition();
    }

    @Override
    long limit() {
        return in.readLimit();
    }

    @Override
    int readU8() {
        return in.readUnsignedByte();
    }

    @Override
    int readI32() {
        return le32(in.readInt());
    }

    @Override
    long readI64() {
        return le64(in.readLong());
    }

    @Override
    long readStopBit() {
        try {
            return in.readStopBit();
        } catch (RuntimeException e) {
            // Chronicle refuses more than 63 bits of value ("Cannot read more than 9 stop bits").
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    void readFully(byte[] b) {
        if (b.length > 0 && in.read(b) != b.length) {
            throw new IllegalStateException("short read of " + b.length + " bytes");
        }
    }

    @Override
    void skip(long n) {
        in.readSkip(n);
    }

    @Override
    void release() {
        if (!released) {
            released = true;
            in.releaseLast();
        }
    }
}
