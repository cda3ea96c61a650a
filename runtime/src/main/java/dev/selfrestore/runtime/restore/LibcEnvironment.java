package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Mman;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.NulStrings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Points the C library's {@code environ} at the restored environment, so that getenv(3) in
 * native code, and every child started without an explicit environment, see what
 * /proc/PID/environ shows.
 *
 * <p>glibc copies nothing at start-up: {@code environ} is an array of pointers to the strings the
 * kernel placed on the stack. The new array points at the strings of the restored environment
 * area itself (one copy of the bytes in the process, read by /proc and libc alike). The array
 * lives in its own writable anonymous mapping, because unsetenv(3) shifts entries in place;
 * setenv(3) and putenv(3) allocate a new array of their own when they grow it. Neither is ever
 * freed: like the kernel's original, it lasts as long as the process. A later restore with another
 * environment makes a new array (one page) and leaves the old one, which another thread may be
 * reading; a restore of the same environment keeps the array it finds.
 */
final class LibcEnvironment {
    static final String NAME = "selfrestore:environ";

    private LibcEnvironment() {
    }

    /**
     * @param envStart address of the first byte of the environment area
     * @param environ  its strings: where each starts ({@link NulStrings#offsets()}, all of them)
     * @return the number of entries installed
     */
    static int install(Syscalls sys, long envStart, NulStrings environ, int pageSize) {
        int[] offsets = environ.offsets();
        int count = offsets.length;
        long[] array = new long[count + 1]; // the last entry stays NULL
        for (int i = 0; i < count; i++) {
            array[i] = envStart + offsets[i];
        }
        if (alreadyInstalled(sys, array)) {
            return count; // a restore of the same environment again: keep the array, make no new one
        }
        long length = Math.max(pageSize, (array.length * 8L + pageSize - 1) / pageSize * pageSize);
        long addr = sys.memory().mmap(0, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            sys.memory().writeWords(addr, array);
            try {
                sys.mm().nameAnonymousMapping(addr, length, NAME);
            } catch (NativeCallException ignored) {
                // Without CONFIG_ANON_VMA_NAME the mapping just has no name.
            }
            // One aligned store: a thread calling getenv meanwhile sees the old array or the new one.
            sys.memory().writeWord(sys.memory().libcEnvironVariable(), addr);
        } catch (RuntimeException e) {
            // environ still points at the old array: this one is nobody's.
            sys.memory().munmap(addr, length);
            throw e;
        }
        return count;
    }

    /**
     * Whether {@code environ} already points at an array holding exactly these pointers. Read entry
     * by entry, stopping at the first difference or NULL, so nothing past the array's end is read.
     */
    private static boolean alreadyInstalled(Syscalls sys, long[] want) {
        long current = word(sys, sys.memory().libcEnvironVariable());
        if (current == 0) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            long entry = word(sys, current + 8L * i);
            if (entry != want[i]) {
                return false;
            }
            if (entry == 0) {
                return true;
            }
        }
        return false;
    }

    private static long word(Syscalls sys, long addr) {
        return ByteBuffer.wrap(sys.memory().readMemory(addr, 8)).order(ByteOrder.nativeOrder()).getLong();
    }
}
