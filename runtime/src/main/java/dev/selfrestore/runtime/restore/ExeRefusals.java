package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.proc.CapabilityRemedy;
import dev.selfrestore.runtime.proc.ProcFiles;
import dev.selfrestore.runtime.proc.Whereabouts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Names the two reasons for which the kernel refuses a new exe with EACCES although the file is a
 * regular, executable file (kernel/sys.c, prctl_set_mm_exe_file; kernel/fork.c, replace_mm_exe_file):
 * it lies on a mount with {@code noexec} (path_noexec), or some process holds it open for writing
 * (exe_file_deny_write_access; the same rule that makes execve fail with ETXTBSY).
 *
 * <p>{@code noexec} is found before the call, from the open descriptor's mount: its {@code mnt_id}
 * in /proc/self/fdinfo and that mount's options in /proc/self/mountinfo. This is the mount the
 * kernel checks, whatever path reached the file (bind mounts included), and costs two small reads.
 *
 * <p>Whether a file is open for writing is not shown by any cheap interface (the kernel's
 * {@code i_writecount} is not exported); finding the writer means looking at every descriptor of
 * every process. That is done only after the kernel answered EACCES, never on a successful
 * restore, and sees only the processes this user may inspect.
 */
final class ExeRefusals {
    private static final int O_ACCMODE = 03;

    /** Why a process without the capability cannot change exe, and how to grant it where it runs. */
    static String noCapability() {
        return "changing exe needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN in the process's user namespace; "
                + CapabilityRemedy.checkpointRestore(Whereabouts.ofSelf());
    }

    private ExeRefusals() {
    }

    /** Why the kernel refused {@code shown} as exe, as precisely as can be found out. */
    static String kernelRefusal(Syscalls sys, String shown, NativeCallException e, Statx file) {
        String refused = "the kernel refused " + shown + " with " + e.errnoName();
        switch (e.errno()) {
            case Errno.EPERM:
                return refused + " (" + noCapability() + ")";
            case Errno.EACCES:
                // Mode and noexec were checked before the call: what is left is a writer, or a security module.
                List<String> writers = file == null ? List.of() : writersOf(sys, file);
                return writers.isEmpty()
                        ? refused + " (it is executable and not on a noexec mount, and no process this user can see "
                                + "holds it open for writing: a security module or an ACL denies it)"
                        : shown + " is open for writing (" + String.join(", ", writers) + "), and the kernel refuses "
                                + "an executable that may change under it (EACCES)";
            case Errno.EBUSY:
                return refused + " (a mapping of the running executable remained)";
            default:
                return refused;
        }
    }

    /**
     * The mount point of the mount that holds open file {@code fd} when that mount has
     * {@code noexec}; null when it does not, or when /proc does not tell.
     */
    static String noexecMountOf(int fd) {
        try {
            long mountId = -1;
            for (String line : ProcFiles.lines(ProcFiles.read(Path.of("/proc/self/fdinfo/" + fd)))) {
                if (line.startsWith("mnt_id:")) {
                    mountId = Long.parseLong(line.substring("mnt_id:".length()).trim());
                }
            }
            if (mountId < 0) {
                return null;
            }
            // mountinfo: ID PARENT MAJOR:MINOR ROOT MOUNT-POINT MOUNT-OPTIONS ... (proc(5))
            String id = Long.toString(mountId);
            for (String line : ProcFiles.lines(ProcFiles.read(Path.of("/proc/self/mountinfo")))) {
                String[] f = line.split(" ", 7);
                if (f.length >= 6 && f[0].equals(id)) {
                    return ("," + f[5] + ",").contains(",noexec,") ? f[4] : null;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unreadable or unexpected /proc: the kernel's own answer will still be reported.
        }
        return null;
    }

    /**
     * Processes that hold {@code file} open for writing, as {@code pid N (comm) fd M}, among those
     * this process may inspect; empty when none is seen.
     */
    static List<String> writersOf(Syscalls sys, Statx file) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p.getFileName().toString()))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (isWriterOf(sys, proc, fd, file)) {
                            found.add("pid " + proc.getFileName() + " (" + comm(proc) + ") fd " + fd.getFileName());
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone, or not ours to inspect
                }
            }
        } catch (IOException e) {
            // no /proc listing: nothing found
        }
        return found;
    }

    private static boolean isWriterOf(Syscalls sys, Path proc, Path fd, Statx file) throws IOException {
        Statx st;
        try {
            st = sys.files().statx(fd.toString().getBytes(StandardCharsets.ISO_8859_1), 0);
        } catch (NativeCallException e) {
            return false;
        }
        if (!st.sameFileAs(file)) {
            return false;
        }
        for (String line : Files.readAllLines(proc.resolve("fdinfo").resolve(fd.getFileName().toString()),
                StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("flags:")) {
                int flags = Integer.parseInt(line.substring("flags:".length()).trim(), 8);
                return (flags & O_ACCMODE) != 0; // O_WRONLY or O_RDWR
            }
        }
        return false;
    }

    private static String comm(Path proc) {
        try {
            return Files.readString(proc.resolve("comm"), StandardCharsets.ISO_8859_1).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
