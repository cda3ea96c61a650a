package dev.selfrestore.testing;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Spawned;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.Syscalls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Syscalls} that passes every call to the real kernel except those a spec names, which fail
 * as a kernel or machine this one is not would. For tests only: it lets a test reach the paths of
 * an old kernel or of a failure half-way through a restore, on a machine where neither happens,
 * while every other call still reaches the kernel. Nothing in this class uses JNA. It is not part
 * of the product jar: the integration tests' testing jar adds it, with {@link FaultInjection}
 * registered as the {@link Syscalls.Decorator} the agent option {@code test-faults=SPEC} uses.
 *
 * <p>The spec is one or more items separated by {@code +}:
 * <ul>
 *   <li>{@code no-mm-map}: {@code PR_SET_MM_MAP} and {@code PR_SET_MM_MAP_SIZE} fail with EINVAL,
 *       as on a kernel built without {@code CONFIG_CHECKPOINT_RESTORE}
 *       ({@link #mmMapSize()}, {@link #setMmMap}); the single-field operations reach the kernel.</li>
 *   <li>{@code CALL:N:ERRNO}: the N-th call (from 1) of the method {@code CALL} of {@link Syscalls}
 *       fails with {@code ERRNO} (a name such as {@code ENOMEM}, or a number) without reaching the
 *       kernel; its other calls reach it. For example {@code mremap:2:ENOMEM}.</li>
 * </ul>
 * Calls are counted per method, in this process, from the moment the decorator is made.
 */
public final class FaultInjectingSyscalls implements Syscalls {

    /** The methods of {@link Syscalls} a spec may name. */
    static final Set<String> CALLS = Set.of("mmMapSize", "setMmMap", "setMmField", "setMmAuxv", "savedAuxvSize",
            "nameAnonymousMapping", "mmap", "munmap", "mprotect", "mremap", "copyMemory", "writeMemory", "writeWords", "writeWord", "equalBytes", "crc32c", "fileHolds",
            "nulStringOffsets",
            "readMemory", "libcEnvironVariable", "open", "writeFile", "close", "readlink", "statx", "fstat", "spawnAndWait",
            "openat", "readlinkat", "read", "write", "fsync", "fchmod", "renameat", "linkat", "unlinkat",
            "currentBrk", "pageSize", "kernelRelease", "machine");

    /**
     * Faults of jvm=restore's views that the agent itself reads from the spec: the HotSpot layout
     * is not found, or every jvmstat string is too short for its new value.
     */
    static final Set<String> JVM_VIEW_FAULTS = Set.of("no-hotspot-layout", "short-jvmstat");

    private record Fault(String call, int nth, int errno) {
    }

    private final Syscalls real;
    private final boolean noMmMap;
    private final List<Fault> faults;
    private final Map<String, Integer> counts = new HashMap<>();

    FaultInjectingSyscalls(Syscalls real, String spec) {
        this.real = real;
        List<Fault> parsed = new ArrayList<>();
        this.noMmMap = parse(spec, parsed);
        this.faults = List.copyOf(parsed);
    }

    /**
     * Checks a spec without making anything.
     *
     * @throws IllegalArgumentException naming the item that is wrong and the form expected
     */
    public static void checkSpec(String spec) {
        parse(spec, new ArrayList<>());
    }

    private static boolean parse(String spec, List<Fault> out) {
        boolean noMmMap = false;
        if (spec == null || spec.isEmpty()) {
            throw new IllegalArgumentException("an empty fault spec");
        }
        for (String item : spec.split("\\+", -1)) {
            if (item.equals("no-mm-map")) {
                noMmMap = true;
                continue;
            }
            if (JVM_VIEW_FAULTS.contains(item)) {
                continue; // read by the agent's jvm=restore, not a call of Syscalls
            }
            String[] p = item.split(":", -1);
            if (p.length != 3 || !CALLS.contains(p[0])) {
                throw new IllegalArgumentException("fault '" + item + "' is not no-mm-map or CALL:N:ERRNO with CALL a "
                        + "method of Syscalls (such as mremap:2:ENOMEM)");
            }
            int nth;
            try {
                nth = Integer.parseInt(p[1]);
            } catch (NumberFormatException e) {
                nth = 0;
            }
            if (nth < 1) {
                throw new IllegalArgumentException("fault '" + item + "': N must be a number from 1, got '" + p[1] + "'");
            }
            out.add(new Fault(p[0], nth, errno(item, p[2])));
        }
        return noMmMap;
    }

    private static int errno(String item, String name) {
        for (int e = 1; e < 200; e++) {
            if (Errno.name(e).equals(name)) {
                return e;
            }
        }
        try {
            int e = Integer.parseInt(name);
            if (e > 0) {
                return e;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("fault '" + item + "': '" + name + "' is not an errno name or number");
    }

    /** Counts the call and throws if the spec makes this one fail. */
    private synchronized void enter(String call, String operation) {
        int n = counts.merge(call, 1, Integer::sum);
        for (Fault f : faults) {
            if (f.call.equals(call) && f.nth == n) {
                throw new NativeCallException(operation + " [fault injected: call " + n + " of " + call + "]", f.errno);
            }
        }
    }

    private void noMmMap(String operation) {
        if (noMmMap) {
            throw new NativeCallException(operation + " [fault injected: no PR_SET_MM_MAP]", Errno.EINVAL);
        }
    }

    @Override
    public int mmMapSize() {
        enter("mmMapSize", "prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE)");
        noMmMap("prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE)");
        return real.mmMapSize();
    }

    @Override
    public void setMmMap(long[] fields, long[] auxv, int exeFd) {
        enter("setMmMap", "prctl(PR_SET_MM, PR_SET_MM_MAP)");
        noMmMap("prctl(PR_SET_MM, PR_SET_MM_MAP)");
        real.setMmMap(fields, auxv, exeFd);
    }

    @Override
    public void setMmField(int op, long value) {
        enter("setMmField", "prctl(PR_SET_MM, " + op + ", 0x" + Long.toHexString(value) + ")");
        real.setMmField(op, value);
    }

    @Override
    public void setMmAuxv(long[] auxv) {
        enter("setMmAuxv", "prctl(PR_SET_MM, PR_SET_MM_AUXV)");
        real.setMmAuxv(auxv);
    }

    @Override
    public int savedAuxvSize() {
        enter("savedAuxvSize", "prctl(PR_GET_AUXV)");
        return real.savedAuxvSize();
    }

    @Override
    public void nameAnonymousMapping(long addr, long len, String name) {
        enter("nameAnonymousMapping", "prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x" + Long.toHexString(addr) + ")");
        real.nameAnonymousMapping(addr, len, name);
    }

    @Override
    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        enter("mmap", "mmap(0x" + Long.toHexString(addr) + ", " + length + ")");
        return real.mmap(addr, length, prot, flags, fd, offset);
    }

    @Override
    public void munmap(long addr, long length) {
        enter("munmap", "munmap(0x" + Long.toHexString(addr) + ", " + length + ")");
        real.munmap(addr, length);
    }

    @Override
    public void mprotect(long addr, long length, int prot) {
        enter("mprotect", "mprotect(0x" + Long.toHexString(addr) + ", " + length + ")");
        real.mprotect(addr, length, prot);
    }

    @Override
    public long mremap(long oldAddr, long oldSize, long newSize, int flags, long newAddr) {
        enter("mremap", "mremap(0x" + Long.toHexString(oldAddr) + ", " + oldSize + " -> 0x" + Long.toHexString(newAddr) + ")");
        return real.mremap(oldAddr, oldSize, newSize, flags, newAddr);
    }

    @Override
    public void copyMemory(long dst, long src, long length) {
        enter("copyMemory", "memcpy(0x" + Long.toHexString(dst) + ", 0x" + Long.toHexString(src) + ", " + length + ")");
        real.copyMemory(dst, src, length);
    }

    @Override
    public void writeMemory(long addr, byte[] data) {
        enter("writeMemory", "write memory at 0x" + Long.toHexString(addr));
        real.writeMemory(addr, data);
    }

    @Override
    public boolean equalBytes(byte[] a, byte[] b) {
        enter("equalBytes", "compare " + a.length + " bytes");
        return real.equalBytes(a, b);
    }

    @Override
    public void writeWords(long addr, long[] words) {
        enter("writeWords", "write memory at 0x" + Long.toHexString(addr));
        real.writeWords(addr, words);
    }

    @Override
    public void writeWord(long addr, long value) {
        enter("writeWord", "store at 0x" + Long.toHexString(addr));
        real.writeWord(addr, value);
    }

    @Override
    public long crc32c(long addr, int length) {
        enter("crc32c", "CRC-32C of " + length + " bytes of memory");
        return real.crc32c(addr, length);
    }

    @Override
    public int[] nulStringOffsets(long addr, int length, int maxCount) {
        enter("nulStringOffsets", "find the strings of " + length + " bytes of memory");
        return real.nulStringOffsets(addr, length, maxCount);
    }

    @Override
    public boolean fileHolds(byte[] path, long addr, int length) {
        enter("fileHolds", "compare " + new String(path, java.nio.charset.StandardCharsets.UTF_8) + " with memory");
        return real.fileHolds(path, addr, length);
    }

    @Override
    public byte[] readMemory(long addr, int length) {
        enter("readMemory", "read memory at 0x" + Long.toHexString(addr));
        return real.readMemory(addr, length);
    }

    @Override
    public long libcEnvironVariable() {
        enter("libcEnvironVariable", "dlsym(environ)");
        return real.libcEnvironVariable();
    }

    @Override
    public int open(byte[] path, int flags) {
        enter("open", "open(" + new String(path, java.nio.charset.StandardCharsets.UTF_8) + ")");
        return real.open(path, flags);
    }

    @Override
    public void writeFile(byte[] path, byte[] data) {
        enter("writeFile", "write(" + new String(path, java.nio.charset.StandardCharsets.UTF_8) + ")");
        real.writeFile(path, data);
    }

    @Override
    public void close(int fd) {
        enter("close", "close(" + fd + ")");
        real.close(fd);
    }

    @Override
    public byte[] readlink(byte[] path) {
        enter("readlink", "readlink(" + new String(path, java.nio.charset.StandardCharsets.UTF_8) + ")");
        return real.readlink(path);
    }

    @Override
    public Statx statx(byte[] path, int flags) {
        enter("statx", "statx(" + new String(path, java.nio.charset.StandardCharsets.UTF_8) + ")");
        return real.statx(path, flags);
    }

    @Override
    public Statx fstat(int fd) {
        enter("fstat", "statx(fd " + fd + ")");
        return real.fstat(fd);
    }

    @Override
    public int openat(int dirfd, byte[] name, int flags, int mode) {
        enter("openat", "openat(" + dirfd + ", " + new String(name, java.nio.charset.StandardCharsets.UTF_8) + ")");
        return real.openat(dirfd, name, flags, mode);
    }

    @Override
    public byte[] readlinkat(int dirfd, byte[] name) {
        enter("readlinkat", "readlinkat(" + dirfd + ", " + new String(name, java.nio.charset.StandardCharsets.UTF_8) + ")");
        return real.readlinkat(dirfd, name);
    }

    @Override
    public byte[] read(int fd, int count) {
        enter("read", "read(fd " + fd + ")");
        return real.read(fd, count);
    }

    @Override
    public void write(int fd, byte[] data) {
        enter("write", "write(fd " + fd + ")");
        real.write(fd, data);
    }

    @Override
    public void fsync(int fd) {
        enter("fsync", "fsync(fd " + fd + ")");
        real.fsync(fd);
    }

    @Override
    public void fchmod(int fd, int mode) {
        enter("fchmod", "fchmod(fd " + fd + ")");
        real.fchmod(fd, mode);
    }

    @Override
    public void renameat(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName) {
        enter("renameat", "renameat(" + new String(newName, java.nio.charset.StandardCharsets.UTF_8) + ")");
        real.renameat(oldDirfd, oldName, newDirfd, newName);
    }

    @Override
    public void linkat(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName) {
        enter("linkat", "linkat(" + new String(newName, java.nio.charset.StandardCharsets.UTF_8) + ")");
        real.linkat(oldDirfd, oldName, newDirfd, newName);
    }

    @Override
    public void unlinkat(int dirfd, byte[] name, int flags) {
        enter("unlinkat", "unlinkat(" + new String(name, java.nio.charset.StandardCharsets.UTF_8) + ")");
        real.unlinkat(dirfd, name, flags);
    }

    @Override
    public Spawned spawnAndWait(byte[] path, byte[][] argv, byte[][] envp) {
        enter("spawnAndWait", "posix_spawn(" + new String(path, java.nio.charset.StandardCharsets.UTF_8) + ")");
        return real.spawnAndWait(path, argv, envp);
    }

    @Override
    public long currentBrk() {
        enter("currentBrk", "brk(0)");
        return real.currentBrk();
    }

    @Override
    public int pageSize() {
        enter("pageSize", "getpagesize()");
        return real.pageSize();
    }

    @Override
    public String kernelRelease() {
        enter("kernelRelease", "uname()");
        return real.kernelRelease();
    }

    @Override
    public String machine() {
        enter("machine", "uname()");
        return real.machine();
    }
}
