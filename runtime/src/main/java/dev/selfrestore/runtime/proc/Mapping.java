package dev.selfrestore.runtime.proc;

import java.util.Arrays;

/**
 * One line of /proc/PID/maps.
 *
 * @param start    first address
 * @param end      end address (exclusive)
 * @param perms    the four permission characters, e.g. {@code r-xp}
 * @param offset   file offset
 * @param devMajor device major number (0 for anonymous memory)
 * @param devMinor device minor number
 * @param inode    inode (0 for anonymous memory)
 * @param path     pathname or pseudo-name ({@code [heap]}, {@code [stack]}, {@code [anon:NAME]}) as
 *                 raw bytes; empty for plain anonymous memory
 */
public record Mapping(long start, long end, String perms, long offset, int devMajor, int devMinor, long inode, byte[] path) {

    public Mapping {
        path = path.clone();
    }

    @Override
    public byte[] path() {
        return path.clone();
    }

    public long size() {
        return end - start;
    }

    public boolean readable() {
        return perms.charAt(0) == 'r';
    }

    public boolean writable() {
        return perms.charAt(1) == 'w';
    }

    public boolean executable() {
        return perms.charAt(2) == 'x';
    }

    public boolean shared() {
        return perms.charAt(3) == 's';
    }

    /** Backed by a file (the kernel shows a device and inode), as opposed to anonymous memory. */
    public boolean fileBacked() {
        return inode != 0 || devMajor != 0 || devMinor != 0;
    }

    /** Whether {@code [addr, addr+len)} lies inside this mapping. */
    public boolean contains(long addr, long len) {
        return Long.compareUnsigned(addr, start) >= 0 && Long.compareUnsigned(addr + len, end) <= 0;
    }

    /** The mapping of {@code maps} that contains {@code addr}, or null. */
    public static Mapping containing(java.util.List<Mapping> maps, long addr) {
        for (Mapping m : maps) {
            if (Long.compareUnsigned(addr, m.start) >= 0 && Long.compareUnsigned(addr, m.end) < 0) {
                return m;
            }
        }
        return null;
    }

    public boolean isPseudo(String name) {
        return Arrays.equals(path, name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mapping m && start == m.start && end == m.end && perms.equals(m.perms)
                && offset == m.offset && devMajor == m.devMajor && devMinor == m.devMinor && inode == m.inode
                && Arrays.equals(path, m.path);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(start) * 31 + Long.hashCode(end);
    }

    @Override
    public String toString() {
        return String.format("%x-%x %s %x %02x:%02x %d %s", start, end, perms, offset, devMajor, devMinor, inode,
                dev.selfrestore.runtime.RawBytes.escape(path));
    }
}
