package dev.selfrestore.runtime.capture;

import dev.selfrestore.nativeshim.Fcntl;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.BrkSource;
import dev.selfrestore.runtime.CaptureInfo;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.proc.Mapping;
import dev.selfrestore.runtime.proc.ProcPid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Captures a process's mm descriptor from /proc.
 *
 * <p>From another process ({@link #ofPid}) brk cannot be read: /proc shows none, so the end of the
 * {@code [heap]} mapping stands for it and the descriptor says so ({@link BrkSource#APPROXIMATED}).
 * From the process itself ({@link #ofSelf}) brk(0) gives the kernel's value.
 *
 * <p>Reading another process's cmdline, environ and auxv needs ptrace-read access to it (same user,
 * or CAP_SYS_PTRACE); without it the kernel shows the stat address fields as 0, which is refused here.
 */
public final class Capture {
    private static final byte[] DELETED = " (deleted)".getBytes(StandardCharsets.ISO_8859_1);

    private final Syscalls sys;

    public Capture(Syscalls sys) {
        this.sys = sys;
    }

    public MmDescriptor ofPid(long pid) throws CaptureException {
        return settled(ProcPid.of(pid), OptionalLong.empty(), SETTLE_NANOS);
    }

    /**
     * How long a capture waits for a process that is still in execve to finish it: far longer than
     * an exec takes unless the machine is loaded or the program's files are slow to read.
     */
    static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Captures that found the process half-way through execve at their first read (tests read this). */
    final AtomicInteger halfBuiltSeen = new AtomicInteger();

    /** Reads that found the process changed by the time the rest was read, and were done again (tests read this). */
    final AtomicInteger changedSeen = new AtomicInteger();

    /**
     * Captures the process {@code proc} shows, once it is complete and did not change while it was read:
     * a process still in execve is read again, with short pauses, for up to {@code settleNanos}. brk is
     * {@code exactBrk} if given, else approximated by the end of the [heap] mapping.
     */
    MmDescriptor settled(ProcPid proc, OptionalLong exactBrk, long settleNanos) throws CaptureException {
        long pid = proc.pid();
        long start = System.nanoTime();
        long pauseMillis = 1;
        boolean first = true;
        try {
            while (true) {
                ExecState before = ExecState.read(proc, () -> exeLink(proc));
                if (before.hasNoImage()) {
                    throw new CaptureException("process " + pid + " shows no memory layout in " + proc.file("stat")
                            + ": it is a kernel thread or a zombie");
                }
                String missing = before.missing();
                if (missing == null) {
                    List<Mapping> maps = proc.maps();
                    long brk = exactBrk.orElse(approximateBrk(maps, before.fields().startBrk()));
                    MmDescriptor d = capture(proc, pid, before.fields().withBrk(brk),
                            exactBrk.isPresent() ? BrkSource.EXACT : BrkSource.APPROXIMATED, isJvm(maps), before.auxv());
                    ExecState after = ExecState.read(proc, () -> exeLink(proc));
                    if (after.sameImage(before) && Arrays.equals(before.exe(), d.exe().path())) {
                        return d;
                    }
                    changedSeen.incrementAndGet();
                    missing = null;
                } else if (first) {
                    halfBuiltSeen.incrementAndGet();
                }
                first = false;
                long waited = System.nanoTime() - start;
                if (waited >= settleNanos) {
                    long ms = TimeUnit.NANOSECONDS.toMillis(waited);
                    throw new CaptureException(missing != null
                            ? "process " + pid + " has not finished execve after " + ms + " ms: " + missing
                                    + "; not captured (a half-built process is not one that ever ran)"
                            : "process " + pid + " changed while it was read, again and again for " + ms
                                    + " ms (it exec'd again, or its pid was reused); not captured");
                }
                Thread.sleep(Math.min(pauseMillis, Math.max(1, TimeUnit.NANOSECONDS.toMillis(settleNanos - waited))));
                pauseMillis = Math.min(pauseMillis * 2, 64);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("capture of process " + pid + " interrupted", e);
        } catch (IOException | RuntimeException e) {
            throw wrap(pid, e);
        }
    }

    /** /proc/PID/exe as raw bytes, or null if it cannot be read now. */
    private byte[] exeLink(ProcPid proc) {
        try {
            return sys.files().readlink(proc.file("exe").toString().getBytes(StandardCharsets.ISO_8859_1));
        } catch (NativeCallException e) {
            return null;
        }
    }

    /**
     * A process from outside, with the brk it reported itself (only the process can read its
     * brk: brk(0)). A JVM on JDK 24+ captures itself this way, from a child process, so that the
     * codec never runs inside it (see the agent's SelfCapture).
     */
    public MmDescriptor ofPid(long pid, long exactBrk) throws CaptureException {
        return settled(ProcPid.of(pid), OptionalLong.of(exactBrk), SETTLE_NANOS);
    }

    public MmDescriptor ofSelf() throws CaptureException {
        ProcPid proc = ProcPid.self();
        try {
            MmFields stat = proc.statFields(sys.mm().currentBrk());
            long[] auxv = proc.auxv();
            // This code runs in the image, so its execve has returned; the check only refuses an image that
            // a PR_SET_MM left without an argument area or auxv entries.
            String missing = new ExecState('R', 0, 0, stat, auxv, new byte[0]).missing();
            if (missing != null) {
                throw new CaptureException("process " + proc.pid() + " (this JVM) cannot be captured: " + missing);
            }
            return capture(proc, proc.pid(), stat, BrkSource.EXACT, true, auxv);
        } catch (IOException | RuntimeException e) {
            throw wrap(proc.pid(), e);
        }
    }

    private static CaptureException wrap(long pid, Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return new CaptureException("process " + pid + " does not exist (no " + e.getMessage() + ")", e);
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return new CaptureException("cannot read " + e.getMessage() + " of process " + pid
                    + ": capturing needs ptrace-read access to it (same user, or CAP_SYS_PTRACE)", e);
        }
        return new CaptureException("cannot capture process " + pid + ": " + e.getMessage(), e);
    }

    /** The end of the [heap] mapping, or start_brk when the process has none. */
    private static long approximateBrk(List<Mapping> maps, long startBrk) {
        for (Mapping m : maps) {
            if (m.isPseudo("[heap]")) {
                return m.end();
            }
        }
        return startBrk;
    }

    private static final byte[] LIBJVM = "/libjvm.so".getBytes(StandardCharsets.ISO_8859_1);

    /** A JVM is a process that has HotSpot's libjvm.so mapped, whatever its launcher is called. */
    private static boolean isJvm(List<Mapping> maps) {
        for (Mapping m : maps) {
            if (m.fileBacked() && RawBytes.endsWith(m.path(), LIBJVM)) {
                return true;
            }
        }
        return false;
    }

    private MmDescriptor capture(ProcPid proc, long pid, MmFields fields, BrkSource brkSource, boolean jvmProcess,
            long[] auxv) throws IOException, CaptureException {
        if (fields.argStart() == 0 && fields.envEnd() == 0 && fields.startStack() == 0) {
            throw new CaptureException("process " + pid + " shows no memory layout in " + proc.file("stat")
                    + ": it is a kernel thread or a zombie, or this user lacks ptrace-read access to it");
        }
        byte[] cmdline = proc.cmdline();
        byte[] environ = proc.environ();
        byte[] comm = proc.comm();
        int uid = proc.realUid();
        ExecutableIdentity exe = executable(proc, pid);
        CaptureInfo info = new CaptureInfo(pid, System.currentTimeMillis(), sys.processes().kernelRelease(), sys.processes().machine(),
                sys.memory().pageSize(), uid);
        JvmLaunch jvm = jvmProcess ? JvmCommandLine.parse(cmdline) : null;
        return new MmDescriptor(fields, brkSource, auxv, exe, cmdline, environ, comm, info, jvm);
    }

    private ExecutableIdentity executable(ProcPid proc, long pid) throws IOException, CaptureException {
        byte[] exeLink = proc.file("exe").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] path;
        try {
            path = sys.files().readlink(exeLink);
        } catch (NativeCallException e) {
            throw new CaptureException("cannot read " + proc.file("exe") + " of process " + pid + ": "
                    + e.errnoName() + " (capturing needs ptrace-read access to it)", e);
        }
        if (RawBytes.endsWith(path, DELETED)) {
            throw new CaptureException("the executable of process " + pid + " (" + RawBytes.escape(path)
                    + ") was deleted or replaced since it started: a restore could not open it");
        }
        int fd;
        try {
            fd = sys.files().open(exeLink, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
        } catch (NativeCallException e) {
            throw new CaptureException("cannot open the executable of process " + pid + " ("
                    + RawBytes.escape(path) + "): " + e.getMessage(), e);
        }
        try {
            Statx st = sys.files().fstat(fd);
            return ExecutableInspector.identify(path, fd, st);
        } finally {
            sys.files().close(fd);
        }
    }
}
