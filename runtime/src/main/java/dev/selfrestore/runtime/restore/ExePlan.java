package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.Fcntl;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.exe.ExecutableInspector;
import dev.selfrestore.runtime.proc.Capabilities;
import dev.selfrestore.runtime.proc.Mapping;
import dev.selfrestore.runtime.proc.ProcPid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The decision about exe, made before anything changes, and never changed after: leave exe as it
 * is (and why), it already is the original, or change it to the original, open as {@code fd}.
 * What becomes of a change while the restore is applied is the {@link ExeChange}'s.
 *
 * @param outcome         {@code CHANGED} when exe is to change, else what happens to it
 * @param note            why exe is left as it is, or null
 * @param fd              the open original when exe is to change, else -1 (closed by the {@link Rollback})
 * @param file            the original's status when exe is to change, else null
 * @param currentMappings the mappings of the running executable, to replace before exe can change
 */
record ExePlan(RestoreResult.ExeOutcome outcome, String note, int fd, Statx file, List<Mapping> currentMappings) {

    ExePlan {
        currentMappings = List.copyOf(currentMappings);
    }

    static ExePlan skip(String why) {
        return new ExePlan(RestoreResult.ExeOutcome.UNCHANGED, why, -1, null, List.of());
    }

    static ExePlan already() {
        return new ExePlan(RestoreResult.ExeOutcome.ALREADY, null, -1, null, List.of());
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
        ExePlan plan;
        try {
            plan = check(sys, want, shown, fd, current, self, maps, oneByOne);
        } catch (IOException | NativeCallException e) {
            plan = skip("exe not changed: cannot check " + shown + ": " + e.getMessage());
        }
        if (!plan.wanted()) {
            sys.files().close(fd); // opened for a change that is not to be
        }
        return plan;
    }

    /** The decision about the original, open as {@code fd}: a change (keeping {@code fd}) or why not. */
    private static ExePlan check(Syscalls sys, ExecutableIdentity want, String shown, int fd, Statx current,
                                 ProcPid self, List<Mapping> maps, boolean oneByOne) throws IOException {
        Statx st = sys.files().fstat(fd);
        if (!st.isRegularFile()) {
            return skip("exe not changed: " + shown + " is not a regular file");
        }
        if ((st.mode() & 0111) == 0) {
            return skip("exe not changed: " + shown + " is not executable (mode 0"
                    + Integer.toOctalString(st.mode() & 07777) + ")");
        }
        String noexec = ExeRefusals.noexecMountOf(fd);
        if (noexec != null) {
            return skip("exe not changed: " + shown + " is on a noexec mount (" + noexec
                    + "), and the kernel refuses an executable there (EACCES)");
        }
        String mismatch = identityMismatch(sys, want, fd, st);
        if (mismatch != null) {
            return skip("exe not changed: " + shown + " " + mismatch + " since capture");
        }
        if (st.sameFileAs(current)) {
            return already();
        }
        long caps = self.effectiveCapabilities();
        // PR_SET_MM_EXE_FILE (no PR_SET_MM_MAP) needs CAP_SYS_RESOURCE, which the field calls before it probe.
        if (!oneByOne && !Capabilities.mayChangeExe(caps)) {
            return skip("exe not changed: this process lacks CAP_CHECKPOINT_RESTORE; " + ExeRefusals.noCapability());
        }
        return new ExePlan(RestoreResult.ExeOutcome.CHANGED, null, fd, st, ExeSwap.mappingsOf(maps, current));
    }

    /** Null when the file is the one captured; otherwise what differs (CRIU's --file-validation rules). */
    private static String identityMismatch(Syscalls sys, ExecutableIdentity want, int fd, Statx st) throws IOException {
        if (st.size() != want.size()) {
            return "has size " + st.size() + ", not " + want.size() + " as captured: it changed";
        }
        if (want.buildId().length > 0) {
            byte[] id = ExecutableInspector.buildId(sys.files(), fd, st.size());
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

    /** Whether exe is to change (the original is open). */
    boolean wanted() {
        return fd >= 0;
    }
}
