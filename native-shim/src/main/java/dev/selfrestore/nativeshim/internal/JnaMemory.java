package dev.selfrestore.nativeshim.internal;

import static dev.selfrestore.nativeshim.internal.Libc.check;
import static dev.selfrestore.nativeshim.internal.Libc.cString;
import static dev.selfrestore.nativeshim.internal.Libc.fail;
import static dev.selfrestore.nativeshim.internal.Libc.show;
import static dev.selfrestore.nativeshim.internal.Libc.readInto;

import dev.selfrestore.nativeshim.Fcntl;
import dev.selfrestore.nativeshim.MemoryCalls;
import dev.selfrestore.nativeshim.internal.Libc.Scratch;

/** {@link MemoryCalls} through JNA: mappings, and native memory read and written in place. */
final class JnaMemory implements MemoryCalls {
    private final long environ;

    JnaMemory(long environ) {
        this.environ = environ;
    }

    @Override
    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        long p = Libc.mmap(addr, length, prot, flags, fd, offset);
        if (p == -1L) {
            throw fail("mmap(0x" + Long.toHexString(addr) + ", " + length + ", prot=" + prot + ", flags=0x"
                    + Integer.toHexString(flags) + ")");
        }
        return p;
    }

    @Override
    public void munmap(long addr, long length) {
        check(Libc.munmap(addr, length), "munmap(0x" + Long.toHexString(addr) + ", " + length + ")");
    }

    @Override
    public void mprotect(long addr, long length, int prot) {
        check(Libc.mprotect(addr, length, prot), "mprotect(0x" + Long.toHexString(addr) + ", " + length + ", " + prot + ")");
    }

    @Override
    public long mremap(long oldAddr, long oldSize, long newSize, int flags, long newAddr) {
        long p = Libc.mremap(oldAddr, oldSize, newSize, flags, newAddr);
        if (p == -1L) {
            throw fail("mremap(0x" + Long.toHexString(oldAddr) + ", " + oldSize + " -> 0x" + Long.toHexString(newAddr) + ")");
        }
        return p;
    }

    @Override
    public void copyMemory(long dst, long src, long length) {
        Libc.memcpy(dst, src, length);
    }

    @Override
    public void writeMemory(long addr, byte[] data) {
        new com.sun.jna.Pointer(addr).write(0, data, 0, data.length);
    }

    @Override
    public void writeMemory(long addr, byte[] data, int from, int length) {
        java.util.Objects.checkFromIndexSize(from, length, data.length);
        new com.sun.jna.Pointer(addr).write(0, data, from, length);
    }

    @Override
    public boolean equalBytes(byte[] a, byte[] b) {
        return a.length == b.length && (a.length == 0 || Libc.memcmp(a, b, a.length) == 0);
    }

    @Override
    public long crc32c(long addr, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        if (length > 0) {
            crc.update(new com.sun.jna.Pointer(addr).getByteBuffer(0, length));
        }
        return crc.getValue();
    }

    @Override
    public boolean fileHolds(byte[] path, long addr, int length) {
        int fd = check(Libc.open(cString(path), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0), "open(" + show(path) + ")");
        try (Scratch buf = new Scratch(length + 1L, false)) {
            long done = readInto(fd, buf.address, length + 1L);
            return done == length && (length == 0 || Libc.memcmp(buf.address, addr, length) == 0);
        } finally {
            Libc.close(fd);
        }
    }


    @Override
    public int[] nulStringOffsets(long addr, int length, int maxCount) {
        if (!Libc.hasArgz()) {
            return null;
        }
        if (length <= 0) {
            return new int[0];
        }
        long count = Libc.argzCount(addr, length);
        if (count > maxCount) {
            return null;
        }
        int n = (int) count;
        long[] starts = new long[n];
        try (Scratch argv = new Scratch((n + 1L) * Long.BYTES, false)) {
            Libc.argzExtract(addr, length, argv.address); // n pointers and a NULL
            argv.memory.read(0, starts, 0, n);
        }
        int[] offsets = new int[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = (int) (starts[i] - addr);
        }
        return offsets;
    }

    @Override
    public void writeWords(long addr, long[] words) {
        new com.sun.jna.Pointer(addr).write(0, words, 0, words.length);
    }

    @Override
    public void writeWord(long addr, long value) {
        if ((addr & 7) != 0) {
            throw new IllegalArgumentException("0x" + Long.toHexString(addr) + " is not 8-byte aligned");
        }
        new com.sun.jna.Pointer(addr).setLong(0, value);
    }

    @Override
    public byte[] readMemory(long addr, int length) {
        return new com.sun.jna.Pointer(addr).getByteArray(0, length);
    }

    @Override
    public long libcEnvironVariable() {
        return environ;
    }

    @Override
    public int pageSize() {
        return Libc.getpagesize();
    }
}
