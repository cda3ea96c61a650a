package dev.selfrestore.nativeshim.internal;

import static dev.selfrestore.nativeshim.internal.Libc.check;
import static dev.selfrestore.nativeshim.internal.Libc.cString;
import static dev.selfrestore.nativeshim.internal.Libc.fail;
import static dev.selfrestore.nativeshim.internal.Libc.show;

import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Placement;
import dev.selfrestore.nativeshim.ProcessCalls;
import dev.selfrestore.nativeshim.Spawned;
import dev.selfrestore.nativeshim.internal.Libc.Scratch;
import java.nio.charset.StandardCharsets;

/** {@link ProcessCalls} through JNA: posix_spawn and waitpid, uname. */
final class JnaProcesses implements ProcessCalls {

    /** Room for glibc's posix_spawn_file_actions_t (80 bytes on LP64) and then some. */
    private static final int SPAWN_ACTIONS_SIZE = 256;
    private static final int MFD_CLOEXEC = 1;
    private static final int WNOHANG = 1;
    private static final byte[] OUTPUT_NAME = "selfrestore-child-output\0".getBytes(StandardCharsets.US_ASCII);

    @Override
    public Spawned spawnAndWait(byte[] path, byte[][] argv, byte[][] envp) {
        int out = check(Libc.memfd_create(OUTPUT_NAME, MFD_CLOEXEC), "memfd_create()");
        try (Scratch actions = new Scratch(SPAWN_ACTIONS_SIZE); Scratch pid = new Scratch(8);
                Scratch args = strings(argv); Scratch env = strings(envp)) {
            int rc = Libc.posix_spawn_file_actions_init(actions.address);
            if (rc != 0) {
                throw new NativeCallException("posix_spawn_file_actions_init", rc);
            }
            try {
                for (int fd = 1; fd <= 2 && rc == 0; fd++) {
                    rc = Libc.posix_spawn_file_actions_adddup2(actions.address, out, fd);
                }
                if (rc != 0) {
                    throw new NativeCallException("posix_spawn_file_actions_adddup2", rc);
                }
                rc = Libc.posix_spawn(pid.address, cString(path), actions.address, 0, args.address, env.address);
                if (rc != 0) {
                    throw new NativeCallException("posix_spawn(" + show(path) + ")", rc);
                }
            } finally {
                Libc.posix_spawn_file_actions_destroy(actions.address);
            }
            int status = NativeHelper.waitFor(pid.memory.getInt(0));
            return new Spawned((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), readAll(out));
        } finally {
            Libc.close(out);
        }
    }

    private static byte[] readAll(int fd) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        for (long offset = 0; ; ) {
            long n = Libc.pread(fd, buf, buf.length, offset);
            if (n == -1) {
                throw fail("pread(memfd)");
            }
            if (n == 0) {
                return all.toByteArray();
            }
            all.write(buf, 0, (int) n);
            offset += n;
        }
    }

    /** A NULL-terminated array of C strings, in one block: the pointers, then the strings. */
    static Scratch strings(byte[][] values) {
        long size = (values.length + 1L) * 8;
        for (byte[] v : values) {
            size += v.length + 1;
        }
        Scratch s = new Scratch(size);
        long next = (values.length + 1L) * 8;
        for (int i = 0; i < values.length; i++) {
            byte[] c = cString(values[i]);
            s.memory.write(next, c, 0, c.length);
            s.memory.setLong(i * 8L, s.address + next);
            next += c.length;
        }
        return s;
    }

    @Override
    public Placement place(Placement.Request request) {
        return NativeHelper.place(machine(), request);
    }

    @Override
    public int waitpid(long pid, boolean block) {
        if (block) {
            return NativeHelper.waitFor(pid);
        }
        try (Scratch status = new Scratch(8)) {
            int rc = check(Libc.waitpid((int) pid, status.address, WNOHANG), "waitpid(" + pid + ")");
            return rc == 0 ? -1 : status.memory.getInt(0);
        }
    }

    @Override
    public void kill(long pid, int signal) {
        check(Libc.kill((int) pid, signal), "kill(" + pid + ", " + signal + ")");
    }

    @Override
    public void becomeWaiter(long pid) {
        NativeHelper.becomeWaiter(machine(), pid, new byte[0][]);
    }

    @Override
    public String kernelRelease() {
        return utsField(2);
    }

    @Override
    public String machine() {
        return utsField(4);
    }

    /** struct utsname on Linux: six fields of 65 bytes (sysname, nodename, release, version, machine, domainname). */
    private static String utsField(int index) {
        byte[] buf = new byte[6 * 65];
        check(Libc.uname(buf), "uname()");
        int start = index * 65;
        int end = start;
        while (end < start + 65 && buf[end] != 0) {
            end++;
        }
        return new String(buf, start, end - start, StandardCharsets.UTF_8);
    }
}
