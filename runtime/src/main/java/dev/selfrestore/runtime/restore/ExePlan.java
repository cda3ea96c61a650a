package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.Fcntl;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.capture.ExecutableInspector;
import dev.selfrestore.runtime.proc.Capabilities;
import dev.selfrestore.runtime.proc.Mapping;
import dev.selfrestore.runtime.proc.ProcPid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** The decision about exe and the open descriptor it needs. */
final class ExePlan {
    int fd;
    RestoreResult.ExeOutcome outcome;
    String note;
    List<Mapping> currentMappings = new ArrayList<>();
    boolean swapped;
    Statx file;

    private ExePlan(int fd) {
        this.fd = fd;
        this.outcome = RestoreResult.ExeOutcome.CHANGED;
    }

    static ExePlan skip(String why) {
        ExePlan p = new ExePlan(-1);
        p.outcome = RestoreResult.ExeOutcome.UNCHANGED;
        p.note = why;
        return p;
    }

    static ExePlan already() {
        ExePlan p = new ExePlan(-1);
        p.outcome = RestoreResult.ExeOutcome.ALREADY;
        return p;
    }

    /** Decides about exe before anything changes: opens the original, checks it and the capability. */
    static ExePlan decide(Syscalls sys, ExecutableIdentity want, ProcPid self, List<Mapping> maps, boolean oneByOne) {
        byte[] path = want.path();
        String shown = RawBytes.escape(path);
        Statx current;
        try {
            current = sys.files().statx("/proc/self/exe".getBytes(StandardCharsets.ISO_8859_1), 0);
        } catch (NativeCallException e) {
            return skip("exe not changed: cannot stat the running executable: " + e.getMessage());
        }
        int fd;
        try {
            fd = sys.files().open(path, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
        } catch (NativeCallException e) {
            return skip("exe not changed: cannot open " + shown + ": " + e.errnoName() + " ("
                    + Errno.describe(e.errno()) + ")");
        }
        ExePlan plan = new ExePlan(fd);
        try {
            Statx st = sys.files().fstat(fd);
            if (!st.isRegularFile()) {
                return plan.giveUp(sys, "exe not changed: " + shown + " is not a regular file");
            }
            if ((st.mode() & 0111) == 0) {
                return plan.giveUp(sys, "exe not changed: " + shown + " is not executable (mode 0"
                        + Integer.toOctalString(st.mode() & 07777) + ")");
            }
            String noexec = ExeRefusals.noexecMountOf(fd);
            if (noexec != null) {
                return plan.giveUp(sys, "exe not changed: " + shown + " is on a noexec mount (" + noexec
                        + "), and the kernel refuses an executable there (EACCES)");
            }
            String mismatch = identityMismatch(want, fd, st);
            if (mismatch != null) {
                return plan.giveUp(sys, "exe not changed: " + shown + " " + mismatch + " since capture");
            }
            if (st.sameFileAs(current)) {
                plan.close(sys);
                return already();
            }
            long caps = self.effectiveCapabilities();
            // PR_SET_MM_EXE_FILE (no PR_SET_MM_MAP) needs CAP_SYS_RESOURCE, which the field calls before it probe.
            if (!oneByOne && !Capabilities.mayChangeExe(caps)) {
                return plan.giveUp(sys, "exe not changed: this process lacks CAP_CHECKPOINT_RESTORE; "
                        + ExeRefusals.noCapability());
            }
            plan.currentMappings = ExeSwap.mappingsOf(maps, current);
            plan.file = st;
            return plan;
        } catch (IOException | NativeCallException e) {
            return plan.giveUp(sys, "exe not changed: cannot check " + shown + ": " + e.getMessage());
        }
    }

    /** Null when the file is the one captured; otherwise what differs (CRIU's --file-validation rules). */
    private static String identityMismatch(ExecutableIdentity want, int fd, Statx st) throws IOException {
        if (st.size() != want.size()) {
            return "has size " + st.size() + ", not " + want.size() + " as captured: it changed";
        }
        if (want.buildId().length > 0) {
            byte[] id = ExecutableInspector.buildId(fd);
            if (!Arrays.equals(id, want.buildId())) {
                return "has build-id " + HexFormat.of().formatHex(id) + ", not " + want.buildIdHex()
                        + " as captured: it changed";
            }
        } else if (want.sha256().length > 0) {
            byte[] sha = ExecutableInspector.sha256(fd);
            if (!Arrays.equals(sha, want.sha256())) {
                return "has a different SHA-256 than captured: it changed";
            }
        }
        return null;
    }

    /** Whether the original is open and exe is still to be changed. */
    boolean wanted() {
        return fd >= 0;
    }

    /** Closes the descriptor and leaves exe as it is; {@code why} null when another note says why. */
    ExePlan giveUp(Syscalls sys, String why) {
        close(sys);
        outcome = RestoreResult.ExeOutcome.UNCHANGED;
        note = why;
        return this;
    }

    void close(Syscalls sys) {
        if (fd >= 0) {
            int f = fd;
            fd = -1;
            sys.files().close(f);
        }
    }
}
