package dev.selfrestore.runtime.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What this machine and this process allow a restore, probed from /proc, /proc/sys and by trying:
 * nothing is assumed and nothing changed. {@code doctor} reports these beside
 * the kernel's limits ({@code KernelLimits.probe}); each probe answers a value meaning
 * "absent" rather than failing.
 */
public final class KernelProbe {
    private KernelProbe() {
    }

    /** The kernel's sysctls about user namespaces; -1 for one this kernel does not have. */
    public record UserNamespaceSettings(int maxUserNamespaces, int unprivilegedUsernsClone,
                                        int apparmorRestrictUnprivilegedUserns) {
    }

    /** What running {@code unshare -Ur true} gave. */
    public record UnshareTest(Outcome outcome, String detail) {
        public enum Outcome {
            /** This user can make a user namespace and be root in it; {@code detail} is null. */
            WORKS,
            /** It was refused; {@code detail} says how (its output, its exit status, or the error). */
            FAILS,
            /** It could not be tried; {@code detail} says why. */
            NOT_TRIED
        }
    }

    /** A /proc/sys number (read in one read(2): see Sysctl), or {@code absent} when missing or unreadable. */
    public static int sysctl(Path p, int absent) {
        try {
            return (int) Sysctl.readLong(p, absent);
        } catch (IOException e) {
            return absent;
        }
    }

    /** The highest capability number this kernel knows ({@code /proc/sys/kernel/cap_last_cap}), or -1. */
    public static int capLastCap() {
        return sysctl(Path.of("/proc/sys/kernel/cap_last_cap"), -1);
    }

    /** Null in the initial user namespace (or when it cannot be read), else this process's uid_map on one line. */
    public static String userNamespaceOfSelf() {
        try {
            String map = Files.readString(Path.of("/proc/self/uid_map"), StandardCharsets.ISO_8859_1).trim();
            if (map.matches("0\\s+0\\s+4294967295")) {
                return null;
            }
            return map.replaceAll("\\s+", " ");
        } catch (IOException e) {
            return null;
        }
    }

    /** prctl_set_mm's single-field operations ask capable(CAP_SYS_RESOURCE): the initial user namespace. */
    public static boolean capSysResourceInInitialNamespace() {
        try {
            return userNamespaceOfSelf() == null
                    && Capabilities.has(ProcPid.self().effectiveCapabilities(), Capabilities.CAP_SYS_RESOURCE);
        } catch (IOException e) {
            return false;
        }
    }

    /** The number of entries of this process's own auxv, or -1 when it cannot be read. */
    public static int ownAuxvEntries() {
        try {
            return ProcPid.self().auxv().length / 2;
        } catch (IOException e) {
            return -1;
        }
    }

    public static UserNamespaceSettings userNamespaceSettings() {
        return new UserNamespaceSettings(sysctl(Path.of("/proc/sys/user/max_user_namespaces"), -1),
                sysctl(Path.of("/proc/sys/kernel/unprivileged_userns_clone"), -1),
                sysctl(Path.of("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"), -1));
    }

    /** Runs {@code unshare -Ur true}: whether this user can make a user namespace and be root in it. */
    public static UnshareTest tryUnshare() {
        Path unshare = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "unshare");
            if (Files.isExecutable(p)) {
                unshare = p;
                break;
            }
        }
        if (unshare == null) {
            return new UnshareTest(UnshareTest.Outcome.NOT_TRIED, "no unshare on PATH");
        }
        try {
            Process p = new ProcessBuilder(unshare.toString(), "-Ur", "true").redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new UnshareTest(UnshareTest.Outcome.FAILS, "no answer in 10 s");
            }
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 ? new UnshareTest(UnshareTest.Outcome.WORKS, null)
                    : new UnshareTest(UnshareTest.Outcome.FAILS,
                            said.isEmpty() ? "exit status " + p.exitValue() : said.replace('\n', ' '));
        } catch (IOException e) {
            return new UnshareTest(UnshareTest.Outcome.FAILS, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new UnshareTest(UnshareTest.Outcome.NOT_TRIED, "interrupted");
        }
    }
}
