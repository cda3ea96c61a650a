package dev.selfrestore.nativeshim.internal;

import static dev.selfrestore.nativeshim.internal.Libc.check;
import static dev.selfrestore.nativeshim.internal.Libc.cString;

import com.sun.jna.Native;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Placement;
import dev.selfrestore.nativeshim.Placement.Failure;
import dev.selfrestore.nativeshim.Placement.Method;
import dev.selfrestore.nativeshim.Placement.Step;
import dev.selfrestore.nativeshim.internal.Libc.Scratch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * selfrestore's native helper ({@code native-shim/src/main/c/spawn.c}, built for x86_64 and
 * aarch64 into this module's resources): loaded once into a memory file, started with
 * {@code posix_spawn(3)} with its report pipe as descriptor 3, and its 16-byte records read until
 * the pipe's end, which comes once the command executes (its end of the pipe is close-on-exec).
 */
final class NativeHelper {
    private static final int O_CLOEXEC = 0x80000;
    private static final int MFD_CLOEXEC = 1;
    /** Linux 6.3+: an executable memory file even where vm.memfd_noexec asks for sealed ones. */
    private static final int MFD_EXEC = 0x10;
    private static final int EINVAL = 22;
    private static final int EINTR = 4;
    private static final int REPORT_FD = 3;
    private static final int RECORD = 16;
    private static final int SPAWN_ACTIONS_SIZE = 256;

    // tags of spawn.c's records
    private static final int R_PLACED = 1;
    private static final int R_LOST = 2;
    private static final int R_RACE = 3;
    private static final int R_CLONE3 = 4;
    private static final int R_CLONE = 5;
    private static final int R_NS_LAST_PID = 6;
    private static final int R_CHILD_PID = 7;
    private static final int R_EXEC = 8;
    private static final int R_NS_CLONE3 = 9;
    private static final int R_SETSID = 10;

    // spawn.c's FLAGS
    private static final int F_NEWPID = 1;
    private static final int F_SETSID = 2;
    private static final int F_NO_CLONE3 = 4;
    private static final int F_NO_NS_LAST_PID = 8;

    private static int memfd = -1;

    private NativeHelper() {
    }

    /** The helper's path for exec: {@code /proc/self/fd/N} of its memory file, made on the first call. */
    private static synchronized byte[] path(String machine) {
        if (memfd < 0) {
            byte[] image = image(machine);
            byte[] name = "selfrestore-spawn\0".getBytes(StandardCharsets.US_ASCII);
            int fd = Libc.memfd_create(name, MFD_CLOEXEC | MFD_EXEC);
            if (fd == -1 && Native.getLastError() == EINVAL) {
                fd = Libc.memfd_create(name, MFD_CLOEXEC); // before Linux 6.3
            }
            check(fd, "memfd_create(selfrestore-spawn)");
            for (int off = 0; off < image.length; ) {
                byte[] rest = off == 0 ? image : java.util.Arrays.copyOfRange(image, off, image.length);
                long n = Libc.write(fd, rest, rest.length);
                if (n == -1) {
                    int errno = Native.getLastError();
                    Libc.close(fd);
                    throw new NativeCallException("write(memfd selfrestore-spawn)", errno);
                }
                off += (int) n;
            }
            memfd = fd;
        }
        return ("/proc/self/fd/" + memfd).getBytes(StandardCharsets.US_ASCII);
    }

    /** The helper built for {@code machine} (uname -m), from this module's resources. */
    static byte[] image(String machine) {
        String resource = "/dev/selfrestore/nativeshim/selfrestore-spawn-" + machine;
        try (InputStream in = NativeHelper.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsupportedOperationException("selfrestore's native helper is built for x86_64 and aarch64, "
                        + "not " + machine);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }

    static Placement place(String machine, Placement.Request r) {
        byte[] helper = path(machine);
        int flags = (r.newPidNamespace() ? F_NEWPID : 0) | (r.newSession() ? F_SETSID : 0)
                | (r.clone3() ? 0 : F_NO_CLONE3) | (r.nsLastPid() ? 0 : F_NO_NS_LAST_PID);
        long want = r.newPidNamespace() ? 0 : r.pid();
        long nsPid = r.newPidNamespace() ? r.pid() : 0;
        List<byte[]> args = new ArrayList<>();
        // what ps shows of the init when there is one (the init is the helper, forked)
        args.add(ascii(r.newPidNamespace() && r.pid() != 1 ? "selfrestore-init" : "selfrestore-spawn"));
        args.add(ascii("place"));
        args.add(ascii(Long.toString(want)));
        args.add(ascii(Integer.toString(flags)));
        args.add(ascii(Long.toString(nsPid)));
        args.add(r.path());
        args.addAll(List.of(r.argv()));
        int[] pipe = new int[2];
        check(Libc.pipe2(pipe, O_CLOEXEC), "pipe2()");
        long helperPid;
        try {
            helperPid = spawn(helper, args.toArray(new byte[0][]), r.envp(), pipe[1]);
        } catch (RuntimeException e) {
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
            throw e;
        }
        Libc.close(pipe[1]);
        byte[] records;
        try {
            records = readAll(pipe[0]);
        } finally {
            Libc.close(pipe[0]);
        }
        int helperStatus = waitFor(helperPid);
        return outcome(records, helperStatus, r.newPidNamespace());
    }

    private static Placement outcome(byte[] records, int helperStatus, boolean newPidNamespace) {
        ByteBuffer in = ByteBuffer.wrap(records).order(ByteOrder.nativeOrder());
        long pid = 0;
        Method method = null;
        List<Long> lost = new ArrayList<>();
        List<Failure> wrongPid = new ArrayList<>();
        Failure failure = null;
        while (in.remaining() >= RECORD) {
            int tag = in.getInt();
            int err = in.getInt();
            long value = in.getLong();
            switch (tag) {
                case R_PLACED -> {
                    pid = value;
                    method = newPidNamespace ? Method.NEW_PID_NAMESPACE : err == 1 ? Method.NS_LAST_PID : Method.CLONE3_SET_TID;
                }
                case R_LOST -> lost.add(value);
                // a child that got another PID says so; on the ns_last_pid way the helper reports it
                // as lost too (R_LOST) and tries again: then it is no failure
                case R_CHILD_PID -> wrongPid.add(new Failure(Step.CHILD_PID, err, value));
                default -> failure = failure != null ? failure : new Failure(step(tag), err, value);
            }
        }
        for (Failure f : wrongPid) {
            if (failure == null && !lost.contains(f.value())) {
                failure = f;
            }
        }
        for (long p : lost) {
            waitFor(p);
        }
        if (failure == null && pid == 0) {
            failure = new Failure(Step.HELPER, 0, helperStatus);
        }
        if (failure != null) {
            if (pid > 0) {
                waitFor(pid); // started, but ended without executing the command
            }
            return new Placement(0, null, lost, failure);
        }
        return new Placement(pid, method, lost, null);
    }

    private static Step step(int tag) {
        return switch (tag) {
            case R_RACE -> Step.RACE;
            case R_CLONE3 -> Step.CLONE3;
            case R_CLONE -> Step.CLONE;
            case R_NS_LAST_PID -> Step.NS_LAST_PID;
            case R_CHILD_PID -> Step.CHILD_PID;
            case R_EXEC -> Step.EXEC;
            case R_NS_CLONE3 -> Step.NAMESPACE_CLONE3;
            case R_SETSID -> Step.SETSID;
            default -> Step.HELPER;
        };
    }

    /** posix_spawn of the helper with {@code reportFd} as its descriptor 3; its PID. */
    private static long spawn(byte[] path, byte[][] argv, byte[][] envp, int reportFd) {
        try (Scratch actions = new Scratch(SPAWN_ACTIONS_SIZE); Scratch pid = new Scratch(8);
                Scratch args = JnaProcesses.strings(argv); Scratch env = JnaProcesses.strings(envp)) {
            int rc = Libc.posix_spawn_file_actions_init(actions.address);
            if (rc != 0) {
                throw new NativeCallException("posix_spawn_file_actions_init", rc);
            }
            try {
                rc = Libc.posix_spawn_file_actions_adddup2(actions.address, reportFd, REPORT_FD);
                if (rc != 0) {
                    throw new NativeCallException("posix_spawn_file_actions_adddup2", rc);
                }
                rc = Libc.posix_spawn(pid.address, cString(path), actions.address, 0, args.address, env.address);
                if (rc != 0) {
                    throw new NativeCallException("posix_spawn(selfrestore-spawn)", rc);
                }
            } finally {
                Libc.posix_spawn_file_actions_destroy(actions.address);
            }
            return pid.memory.getInt(0);
        }
    }

    static void becomeWaiter(String machine, long pid, byte[][] envp) {
        byte[] helper = path(machine);
        byte[][] argv = {ascii("selfrestore-wait"), ascii("wait"), ascii(Long.toString(pid))};
        try (Scratch args = JnaProcesses.strings(argv); Scratch env = JnaProcesses.strings(envp)) {
            Libc.execve(cString(helper), args.address, env.address);
            throw Libc.fail("execve(selfrestore-spawn wait " + pid + ")");
        }
    }

    /** Blocking waitpid, through EINTR; the raw status. */
    static int waitFor(long pid) {
        try (Scratch status = new Scratch(8)) {
            while (Libc.waitpid((int) pid, status.address, 0) == -1) {
                int errno = Native.getLastError();
                if (errno != EINTR) {
                    throw new NativeCallException("waitpid(" + pid + ")", errno);
                }
            }
            return status.memory.getInt(0);
        }
    }

    private static byte[] readAll(int fd) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        try (Scratch buf = new Scratch(4096, false)) {
            for (;;) {
                long n = Libc.read(fd, buf.address, 4096);
                if (n == -1) {
                    if (Native.getLastError() == EINTR) {
                        continue;
                    }
                    throw Libc.fail("read(selfrestore-spawn's report)");
                }
                if (n == 0) {
                    return all.toByteArray();
                }
                all.write(buf.memory.getByteArray(0, (int) n), 0, (int) n);
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** An I/O failure reading the jar's own resource. */
    static final class UncheckedIOException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedIOException(String resource, IOException cause) {
            super("cannot read " + resource + " from selfrestore's jar: " + cause.getMessage(), cause);
        }
    }
}
