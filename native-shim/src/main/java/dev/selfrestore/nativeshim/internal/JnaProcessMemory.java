package dev.selfrestore.nativeshim.internal;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.ProcessMemory;
import java.nio.charset.StandardCharsets;

/**
 * {@link ProcessMemory} through JNA. The C library is bound as {@link JnaSyscalls} binds it (which
 * this binds first, so that JNA is loaded the way that class takes care to load it): three
 * {@link Function}s are looked up and the library object closed again, so that JNA's Cleaner has
 * nothing to keep its thread for. Memory is read and written with JNA's {@link Pointer} at plain
 * addresses.
 */
public final class JnaProcessMemory implements ProcessMemory {

    private static volatile JnaProcessMemory instance;

    private final Function dlsym;
    private final Function malloc;
    private final Function calloc;

    private JnaProcessMemory(Function dlsym, Function malloc, Function calloc) {
        this.dlsym = dlsym;
        this.malloc = malloc;
        this.calloc = calloc;
    }

    /** Binds on first use. */
    public static ProcessMemory instance() {
        JnaProcessMemory m = instance;
        if (m == null) {
            synchronized (JnaProcessMemory.class) {
                m = instance;
                if (m == null) {
                    JnaSyscalls.instance();
                    NativeLibrary libc = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
                    m = new JnaProcessMemory(libc.getFunction("dlsym"), libc.getFunction("malloc"),
                            libc.getFunction("calloc"));
                    libc.close();
                    JnaCleaner.end(JnaProcessMemory.class.getClassLoader());
                    instance = m;
                }
            }
        }
        return m;
    }

    /** glibc's {@code RTLD_DEFAULT}: the global scope. */
    private static final long RTLD_DEFAULT = 0L;

    @Override
    public long globalSymbol(String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        byte[] z = java.util.Arrays.copyOf(b, b.length + 1);
        return dlsym.invokeLong(new Object[] {RTLD_DEFAULT, z});
    }

    @Override
    public long readLong(long address) {
        return new Pointer(address).getLong(0);
    }

    @Override
    public int readInt(long address) {
        return new Pointer(address).getInt(0);
    }

    @Override
    public byte[] read(long address, int length) {
        return new Pointer(address).getByteArray(0, length);
    }

    /**
     * Reads in pieces that end at a page boundary at the latest, so that no read reaches past the
     * page that holds the string's last byte.
     */
    @Override
    public byte[] readCString(long address, int max) {
        if (address == 0) {
            return null;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long at = address;
        while (out.size() < max) {
            int piece = (int) Math.min(Math.min(256, PAGE - (at & (PAGE - 1))), max - out.size());
            byte[] b = new Pointer(at).getByteArray(0, piece);
            for (int i = 0; i < piece; i++) {
                if (b[i] == 0) {
                    out.write(b, 0, i);
                    return out.toByteArray();
                }
            }
            out.write(b, 0, piece);
            at += piece;
        }
        return null;
    }

    /** The smallest page of the supported platforms: a boundary of it is one of every larger page. */
    private static final long PAGE = 4096;

    @Override
    public void write(long address, byte[] bytes) {
        new Pointer(address).write(0, bytes, 0, bytes.length);
    }

    @Override
    public void writeLong(long address, long value) {
        new Pointer(address).setLong(0, value);
    }

    @Override
    public void writeInt(long address, int value) {
        new Pointer(address).setInt(0, value);
    }

    @Override
    public long newCString(byte[] bytes) {
        long p = malloc.invokeLong(new Object[] {(long) bytes.length + 1});
        if (p == 0) {
            throw new NativeCallException("malloc(" + (bytes.length + 1) + ")", 12);
        }
        Pointer ptr = new Pointer(p);
        ptr.write(0, bytes, 0, bytes.length);
        ptr.setByte(bytes.length, (byte) 0);
        return p;
    }

    @Override
    public long allocate(long size) {
        long p = calloc.invokeLong(new Object[] {1L, Math.max(1L, size)});
        if (p == 0) {
            throw new NativeCallException("calloc(" + size + ")", 12);
        }
        return p;
    }
}
