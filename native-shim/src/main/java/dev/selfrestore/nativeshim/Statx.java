package dev.selfrestore.nativeshim;

/**
 * The parts of {@code struct statx} selfrestore reads. statx(2) is used rather than stat(2) because
 * its layout is the same on every architecture.
 *
 * @param mode       st_mode: file type and permission bits
 * @param uid        owner
 * @param gid        group
 * @param size       size in bytes
 * @param inode      inode number
 * @param mtimeNanos modification time, nanoseconds since the epoch
 * @param devMajor   major number of the device holding the file (as /proc/PID/maps prints it)
 * @param devMinor   minor number of that device
 * @param nlink      number of hard links
 */
public record Statx(int mode, int uid, int gid, long size, long inode, long mtimeNanos, int devMajor, int devMinor,
                    int nlink) {
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;
    public static final int S_ISVTX = 01000;

    /** Without the link count, which most callers do not need (one link). */
    public Statx(int mode, int uid, int gid, long size, long inode, long mtimeNanos, int devMajor, int devMinor) {
        this(mode, uid, gid, size, inode, mtimeNanos, devMajor, devMinor, 1);
    }

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isSymbolicLink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /** Same file as {@code other}: same device and inode. */
    public boolean sameFileAs(Statx other) {
        return devMajor == other.devMajor && devMinor == other.devMinor && inode == other.inode;
    }
}
