package dev.selfrestore.nativeshim;

/**
 * This process's memory: mappings ({@code sys/mman.h}), reads and writes of native memory, and
 * the C library's {@code string.h} functions over it. Every call that can fail throws
 * {@link NativeCallException} naming the call, its target and the errno.
 *
 * <p>Addresses are user-space addresses held in {@code long}s.
 */
public interface MemoryCalls {

    /** {@code mmap(2)}; returns the address of the new mapping. */
    long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    /** {@code munmap(2)}. */
    void munmap(long addr, long length);

    /** {@code mprotect(2)}. */
    void mprotect(long addr, long length, int prot);

    /** {@code mremap(2)} with a new address (used with {@code MREMAP_MAYMOVE|MREMAP_FIXED}). */
    long mremap(long oldAddr, long oldSize, long newSize, int flags, long newAddr);

    /** {@code getpagesize()}. */
    int pageSize();

    /** Copies {@code length} bytes of this process's memory from {@code src} to {@code dst}. */
    void copyMemory(long dst, long src, long length);

    /** Writes bytes into this process's memory at {@code addr}. */
    void writeMemory(long addr, byte[] data);

    /** Writes {@code length} bytes of {@code data} from {@code from} into this process's memory at {@code addr}. */
    default void writeMemory(long addr, byte[] data, int from, int length) {
        writeMemory(addr, java.util.Arrays.copyOfRange(data, from, from + length));
    }

    /**
     * Writes 64-bit words, in this machine's byte order, into this process's memory at {@code addr}:
     * one copy, however many words.
     */
    default void writeWords(long addr, long[] words) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(words.length * 8).order(java.nio.ByteOrder.nativeOrder());
        b.asLongBuffer().put(words);
        writeMemory(addr, b.array());
    }

    /** Stores one aligned 64-bit word at {@code addr} in a single store (other threads see old or new). */
    void writeWord(long addr, long value);

    /** Reads {@code length} bytes of this process's memory at {@code addr}. */
    byte[] readMemory(long addr, int length);

    /** The address of the C library's global variable {@code environ} ({@code char **}). */
    long libcEnvironVariable();

    /**
     * Whether two byte arrays hold the same bytes: the C library's memcmp, which compares a megabyte
     * at memory speed, where a cold JVM interprets Arrays.equals (bench/README.md, "Environment size").
     */
    default boolean equalBytes(byte[] a, byte[] b) {
        return java.util.Arrays.equals(a, b);
    }

    /**
     * The CRC-32C ({@link java.util.zip.CRC32C}) of {@code length} bytes of this process's memory at
     * {@code addr}. The real implementation reads the memory in place (the JDK computes CRC-32C
     * with the processor's instruction even before the JIT runs); this default copies it into an
     * array first.
     */
    default long crc32c(long addr, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(readMemory(addr, length));
        return crc.getValue();
    }

    /**
     * Whether the file at {@code path} holds exactly the {@code length} bytes of this process's memory
     * at {@code addr}: what a restore's own check asks of {@code /proc/self/cmdline} and
     * {@code environ} against the area it filled. The file is read into native memory and compared
     * there, so a megabyte of environment never reaches the Java heap.
     */
    boolean fileHolds(byte[] path, long addr, int length);

    /**
     * Where each string of the NUL-separated area of {@code length} bytes at {@code addr} (a command
     * line, an environment) starts, as offsets from {@code addr}, found by the C library: glibc's
     * argz_count(3) and argz_extract(3), strlen at memory speed, where a scan of a megabyte in a
     * cold JVM runs interpreted and then keeps a compiler thread busy compiling it
     * (bench/README.md, "Environment size"). The area's last byte must be NUL, as the caller checks: the C library reads up to it. Null when
     * the area holds more than {@code maxCount} strings or this C library has no argz functions
     * (not glibc): the caller then scans the bytes itself, as this default has it do.
     */
    default int[] nulStringOffsets(long addr, int length, int maxCount) {
        return null;
    }
}
