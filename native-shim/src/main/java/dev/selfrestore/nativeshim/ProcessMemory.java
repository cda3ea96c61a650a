package dev.selfrestore.nativeshim;

/**
 * This process's own memory, read and written at addresses, and the C library's global symbol
 * lookup: what it takes to find and change the JVM's record of its launch (its exported
 * {@code gHotSpotVMStructs} table, the arguments it points to, the jvmstat memory).
 *
 * <p>Nothing here checks an address: reading or writing one that is not mapped ends the process.
 * Callers use only addresses this process's own tables gave them.
 */
public interface ProcessMemory {

    /** This process, through JNA; the C library is bound on the first call (with {@link Syscalls#linux()}). */
    static ProcessMemory self() {
        return dev.selfrestore.nativeshim.internal.JnaProcessMemory.instance();
    }

    /**
     * {@code dlsym(RTLD_DEFAULT, name)}: the address of a global symbol of the program or of a
     * library loaded with {@code RTLD_GLOBAL}, or 0 when there is none.
     */
    long globalSymbol(String name);

    long readLong(long address);

    int readInt(long address);

    byte[] read(long address, int length);

    /**
     * The bytes of the NUL-terminated string at {@code address}, without its NUL; null when
     * {@code address} is 0 or no NUL comes within {@code max} bytes.
     */
    byte[] readCString(long address, int max);

    void write(long address, byte[] bytes);

    void writeLong(long address, long value);

    void writeInt(long address, int value);

    /**
     * A new C string holding {@code bytes} and a NUL, allocated with {@code malloc} and never
     * freed: it is meant to be pointed to for the life of the process.
     *
     * @throws NativeCallException when {@code malloc} fails
     */
    long newCString(byte[] bytes);

    /** A new block of {@code size} zero bytes ({@code calloc}), never freed. */
    long allocate(long size);
}
