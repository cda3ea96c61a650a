package dev.selfrestore.runtime.exe;

import dev.selfrestore.nativeshim.FileCalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Reads the {@code NT_GNU_BUILD_ID} note of an ELF file from its program headers, as the loader
 * and CRIU's --file-validation=buildid see it. Reads a few hundred bytes, never the whole file.
 */
public final class ElfBuildId {
    private ElfBuildId() {
    }

    private static final int PT_NOTE = 4;
    private static final int NT_GNU_BUILD_ID = 3;
    private static final int MAX_PHNUM = 256;
    private static final int MAX_NOTE_SEGMENT = 64 * 1024;

    /** The build-id bytes, or an empty array when the file is not ELF or has no build-id note. */
    public static byte[] read(FileChannel ch) throws IOException {
        return read(new ChannelSource(ch));
    }

    /**
     * The same, read with pread(2) on {@code fd} itself through {@code files} (the descriptor the
     * restore checked and hands the kernel as exe), {@code size} bytes long.
     */
    public static byte[] read(FileCalls files, int fd, long size) throws IOException {
        return read(new DescriptorSource(files, fd, size));
    }

    /** Where the file's bytes come from: a channel, or a descriptor read through the system-call seam. */
    private abstract static class Source {
        abstract long size() throws IOException;

        /** Up to {@code len} bytes at {@code pos}, fewer at the end of the file, flipped for reading. */
        abstract ByteBuffer at(long pos, int len) throws IOException;
    }

    private static final class ChannelSource extends Source {
        private final FileChannel ch;

        ChannelSource(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        long size() throws IOException {
            return ch.size();
        }

        @Override
        ByteBuffer at(long pos, int len) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(len);
            while (b.hasRemaining()) {
                int n = ch.read(b, pos + b.position());
                if (n < 0) {
                    break;
                }
            }
            b.flip();
            return b;
        }
    }

    private static final class DescriptorSource extends Source {
        private final FileCalls files;
        private final int fd;
        private final long size;

        DescriptorSource(FileCalls files, int fd, long size) {
            this.files = files;
            this.fd = fd;
            this.size = size;
        }

        @Override
        long size() {
            return size;
        }

        @Override
        ByteBuffer at(long pos, int len) {
            return ByteBuffer.wrap(files.pread(fd, len, pos)); // pread reads until len or end of file
        }
    }

    private static byte[] read(Source ch) throws IOException {
        ByteBuffer eh = ch.at(0, 64);
        if (eh.remaining() < 64 || eh.getInt(0) != 0x7f454c46) { // "\177ELF", read big-endian
            return new byte[0];
        }
        boolean is64 = eh.get(4) == 2;
        ByteOrder order = eh.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        eh.order(order);
        long phoff = is64 ? eh.getLong(32) : eh.getInt(28) & 0xffffffffL;
        int phentsize = eh.getShort(is64 ? 54 : 42) & 0xffff;
        int phnum = eh.getShort(is64 ? 56 : 44) & 0xffff;
        if (phnum == 0 || phnum > MAX_PHNUM || phentsize < (is64 ? 56 : 32) || phoff <= 0 || phoff > ch.size()) {
            return new byte[0];
        }
        ByteBuffer ph = ch.at(phoff, phentsize * phnum).order(order);
        for (int i = 0; i < phnum && (i + 1) * phentsize <= ph.limit(); i++) {
            int base = i * phentsize;
            if (ph.getInt(base) != PT_NOTE) {
                continue;
            }
            long off = is64 ? ph.getLong(base + 8) : ph.getInt(base + 4) & 0xffffffffL;
            long size = is64 ? ph.getLong(base + 32) : ph.getInt(base + 16) & 0xffffffffL;
            if (off < 0 || size <= 0 || size > MAX_NOTE_SEGMENT || off > ch.size()) {
                continue;
            }
            byte[] id = findBuildId(ch.at(off, (int) size).order(order));
            if (id != null) {
                return id;
            }
        }
        return new byte[0];
    }

    /** Walks the notes of one PT_NOTE segment: namesz, descsz, type, name (4-aligned), desc (4-aligned). */
    private static byte[] findBuildId(ByteBuffer notes) {
        int p = 0;
        int end = notes.limit();
        while (p + 12 <= end) {
            long namesz = notes.getInt(p) & 0xffffffffL;
            long descsz = notes.getInt(p + 4) & 0xffffffffL;
            int type = notes.getInt(p + 8);
            long nameAt = p + 12L;
            long descAt = nameAt + align4(namesz);
            long next = descAt + align4(descsz);
            if (next > end) {
                return null;
            }
            if (type == NT_GNU_BUILD_ID && namesz == 4 && notes.get((int) nameAt) == 'G'
                    && notes.get((int) nameAt + 1) == 'N' && notes.get((int) nameAt + 2) == 'U'
                    && notes.get((int) nameAt + 3) == 0 && descsz > 0) {
                byte[] id = new byte[(int) descsz];
                notes.get((int) descAt, id);
                return id;
            }
            p = (int) next;
        }
        return null;
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }
}
