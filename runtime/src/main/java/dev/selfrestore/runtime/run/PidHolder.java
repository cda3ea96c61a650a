package dev.selfrestore.runtime.run;

import dev.selfrestore.runtime.proc.ProcPid;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The task that holds a PID, from {@code /proc/PID/status}: a process, or a thread of one (a
 * thread's ID is a PID too, and the kernel gives neither to a new process).
 *
 * @param pid  the PID asked about
 * @param tgid the process it belongs to ({@code Tgid}); {@code pid} itself for a process
 * @param comm its task name
 * @param uid  its real UID
 */
public record PidHolder(long pid, long tgid, String comm, int uid) {

    /** Who holds {@code pid} under {@code proc}, or null when no task has it. */
    static PidHolder of(Path proc, long pid) {
        ProcPid p = ProcPid.at(proc.resolve(Long.toString(pid)), pid);
        try {
            ProcPid.Status status = p.status();
            String tgid = status.get("Tgid");
            String name = status.get("Name");
            return new PidHolder(pid, tgid == null ? pid : Long.parseLong(tgid), name == null ? "?" : name, status.realUid());
        } catch (IOException | NumberFormatException e) {
            return null; // gone, or never there
        }
    }

    /** {@code pid 4242 (comm "sleep", uid 0)}, or {@code a thread of pid 4242 (...)}. */
    public String describe() {
        String who = "comm \"" + comm + "\", uid " + uid;
        return tgid == pid ? "pid " + pid + " (" + who + ")" : "a thread of pid " + tgid + " (" + who + ")";
    }
}
