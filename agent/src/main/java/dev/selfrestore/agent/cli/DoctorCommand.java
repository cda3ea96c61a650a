package dev.selfrestore.agent.cli;

import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.proc.Capabilities;
import dev.selfrestore.runtime.proc.CapabilityRemedy;
import dev.selfrestore.runtime.proc.KernelProbe;
import dev.selfrestore.runtime.proc.KernelProbe.UnshareTest;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.proc.Whereabouts;
import dev.selfrestore.runtime.proc.KernelLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code doctor [--json] [--require-exe]}: can this machine, and this user, restore an identity?
 * Everything is probed (KernelLimits, KernelProbe, /proc/self/status), nothing assumed; nothing is
 * changed. This class only judges and renders what the probes found.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Checks whether this machine and this user can restore an identity: the kernel, "
                + "PR_SET_MM_MAP and the size of its struct, the auxv limit, mmap_min_addr, this process's "
                + "capabilities and whether it may change /proc/PID/exe, unprivileged user namespaces, the JDK.",
            "Each missing piece is named with what to do about it.",
            "Run it as the user, and with the capabilities, the restoring JVM will have."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:restore works here (perhaps without changing exe: see the report)",
            "1:restore cannot work here at all (or, with --require-exe, exe cannot be changed)",
            "2:usage error"})
final class DoctorCommand extends CliCommand {
    @Option(names = "--require-exe", description = "exit 1 also when this process could not change /proc/PID/exe")
    boolean requireExe;

    enum Status { OK, WARN, FAIL, INFO }

    /** One line of the report; {@code fix} says what to do, null when nothing is to be done. */
    record Check(String name, Status status, String value, String fix) {
    }

    private final List<Check> checks = new ArrayList<>();
    private final Map<String, Object> facts = Json.object();

    @Override
    int run() {
        boolean restorePossible = true;
        boolean exeChangeable = false;
        Syscalls sys = null;
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("aarch64"))) {
            add("platform", Status.FAIL, os + " " + arch, "selfrestore works on Linux on x86_64 and aarch64 only");
            restorePossible = false;
        } else {
            try {
                sys = sys();
                sys.memory().pageSize();
            } catch (UnsupportedOperationException | LinkageError e) {
                add("native calls", Status.FAIL, "JNA cannot be used: " + e, "check that the JVM may load native "
                        + "libraries and that java.io.tmpdir is writable and not mounted noexec");
                restorePossible = false;
                sys = null;
            }
        }
        Whereabouts where = Whereabouts.ofSelf();
        facts.put("whereabouts", where.kind().name().toLowerCase(Locale.ROOT));
        add("where", Status.INFO, where.describe(), null);
        if (sys != null && where.kind() == Whereabouts.Kind.GVISOR) {
            add("kernel", Status.FAIL, "gVisor (runsc) implements no PR_SET_MM_MAP and no single-field PR_SET_MM "
                    + "operations: exe, cmdline, environ in /proc and auxv cannot change here; a restore sets comm "
                    + "where it can and, with env=all, the C library's and Java's environment, and main runs",
                    "run the JVM with a runtime that uses the host's kernel (runc, crun) to restore its whole identity");
            restorePossible = false;
        } else if (sys != null) {
            restorePossible &= kernel(sys);
            exeChangeable = privilege(where);
        }
        userNamespaces();
        jdk();

        String verdict = !restorePossible ? "cannot-restore" : exeChangeable ? "ready" : "ready-except-exe";
        facts.put("verdict", verdict);
        facts.put("exe_changeable", exeChangeable);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            printJson(out, verdict, restorePossible, exeChangeable);
        } else {
            printHuman(out, verdict);
        }
        out.flush();
        if (!restorePossible || (requireExe && !exeChangeable)) {
            return Main.CHECK_FAILED;
        }
        return Main.OK;
    }

    private void printJson(PrintWriter out, String verdict, boolean restorePossible, boolean exeChangeable) {
        Map<String, Object> root = Json.object();
        root.put("verdict", verdict);
        root.put("restore_possible", restorePossible);
        root.put("exe_changeable", exeChangeable);
        List<Object> list = Json.array();
        for (Check c : checks) {
            Map<String, Object> m = Json.object();
            m.put("name", c.name());
            m.put("status", c.status().name().toLowerCase(Locale.ROOT));
            m.put("value", c.value());
            m.put("fix", c.fix());
            list.add(m);
        }
        root.put("checks", list);
        facts.remove("verdict");
        facts.remove("exe_changeable");
        root.put("facts", facts);
        out.print(Json.write(root));
    }

    private void printHuman(PrintWriter out, String verdict) {
        int width = 0;
        for (Check c : checks) {
            width = Math.max(width, c.name().length());
        }
        for (Check c : checks) {
            out.println(String.format("%-4s  %-" + width + "s  %s", c.status(), c.name(), c.value()));
            if (c.fix() != null) {
                out.println(" ".repeat(6 + width + 2) + "fix: " + c.fix());
            }
        }
        out.println();
        out.println(switch (verdict) {
            case "ready" -> "verdict: this process could restore an identity completely, exe included";
            case "ready-except-exe" -> "verdict: this process could restore everything but exe (see the fix above)";
            default -> "verdict: restore cannot work here (see FAIL above)";
        });
    }

    private void add(String name, Status status, String value, String fix) {
        checks.add(new Check(name, status, value, fix));
    }

    /** The kernel's side; false when restore cannot work. */
    private boolean kernel(Syscalls sys) {
        KernelLimits k;
        try {
            k = KernelLimits.probe(sys);
        } catch (IOException | RuntimeException e) {
            add("kernel", Status.FAIL, "cannot probe: " + e.getMessage(), "selfrestore needs /proc and /proc/sys mounted");
            return false;
        }
        facts.put("kernel_release", k.release());
        facts.put("machine", k.machine());
        facts.put("page_size", k.pageSize());
        facts.put("mm_map_size", k.mmMapSize());
        facts.put("saved_auxv_bytes", k.savedAuxvBytes());
        facts.put("auxv_limit_from_kernel", k.auxvFromKernel());
        facts.put("mmap_min_addr", k.mmapMinAddr());
        facts.put("task_size", "0x" + Long.toHexString(k.taskSize()));
        facts.put("rlimit_data", k.rlimitData());
        add("kernel", Status.OK, k.release() + " " + k.machine() + ", page size " + k.pageSize(), null);
        boolean ok = true;
        if (k.mmMapSize() == 0 && KernelProbe.capSysResourceInInitialNamespace()) {
            add("PR_SET_MM_MAP", Status.WARN, "absent: prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE) answers EINVAL; the "
                    + "one-field fallback (PR_SET_MM_<field>) works: this process has CAP_SYS_RESOURCE in the initial "
                    + "user namespace", null);
        } else if (k.mmMapSize() == 0) {
            add("PR_SET_MM_MAP", Status.FAIL, "absent: prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE) answers EINVAL, and the "
                    + "one-field fallback needs CAP_SYS_RESOURCE in the initial user namespace, which this process lacks",
                    "use a kernel built with CONFIG_CHECKPOINT_RESTORE=y (3.18+), outside sandboxes such as gVisor "
                            + "that do not implement it; or give the JVM CAP_SYS_RESOURCE (not in a user namespace)");
            ok = false;
        } else if (k.mmMapSize() != Prctl.MM_MAP_STRUCT_SIZE) {
            add("PR_SET_MM_MAP", Status.FAIL, "present, but struct prctl_mm_map is " + k.mmMapSize()
                    + " bytes here and selfrestore lays out " + Prctl.MM_MAP_STRUCT_SIZE,
                    "use a selfrestore release that knows this kernel's struct; it will not guess");
            ok = false;
        } else {
            add("PR_SET_MM_MAP", Status.OK, "present; struct prctl_mm_map is " + k.mmMapSize()
                    + " bytes (PR_SET_MM_MAP_SIZE), as selfrestore lays it out", null);
        }
        String auxv = k.savedAuxvBytes() + " bytes (" + k.savedAuxvBytes() / 16 + " entries)";
        String own = ownAuxvEntries();
        if (k.auxvFromKernel()) {
            add("auxv limit", Status.OK, auxv + " from PR_GET_AUXV" + own, null);
        } else {
            add("auxv limit", Status.INFO, auxv + " assumed for " + k.machine() + ": this kernel has no PR_GET_AUXV "
                    + "(before 6.4), so the smallest limit of any kernel is used" + own, null);
        }
        add("mmap_min_addr", Status.OK, k.mmapMinAddr() + " (0x" + Long.toHexString(k.mmapMinAddr())
                + "); user space ends at 0x" + Long.toHexString(k.taskSize()), null);
        add("RLIMIT_DATA", Status.OK, k.rlimitData() < 0 ? "unlimited" : k.rlimitData() + " bytes", null);
        return ok;
    }

    private static String ownAuxvEntries() {
        int n = KernelProbe.ownAuxvEntries();
        return n < 0 ? "" : "; this process's auxv has " + n + " entries";
    }

    /** Capabilities and exe; true when this process may change exe. */
    private boolean privilege(Whereabouts whereabouts) {
        ProcPid self = ProcPid.self();
        long caps;
        int uid;
        try {
            ProcPid.Status status = self.status();
            caps = status.effectiveCapabilities();
            uid = status.realUid();
        } catch (IOException e) {
            add("capabilities", Status.FAIL, "cannot read /proc/self/status: " + e.getMessage(), null);
            return false;
        }
        int lastCap = KernelProbe.capLastCap();
        String ns = userNamespace();
        boolean initialNs = ns == null;
        facts.put("uid", uid);
        facts.put("cap_eff", String.format("%016x", caps));
        facts.put("cap_last_cap", lastCap);
        facts.put("initial_user_namespace", initialNs);
        List<String> named = new ArrayList<>();
        if (Capabilities.has(caps, Capabilities.CAP_CHECKPOINT_RESTORE)) {
            named.add("CAP_CHECKPOINT_RESTORE");
        }
        if (Capabilities.has(caps, Capabilities.CAP_SYS_ADMIN)) {
            named.add("CAP_SYS_ADMIN");
        }
        if (Capabilities.has(caps, Capabilities.CAP_SYS_RESOURCE)) {
            named.add("CAP_SYS_RESOURCE");
        }
        if (Capabilities.has(caps, Capabilities.CAP_SYS_PTRACE)) {
            named.add("CAP_SYS_PTRACE");
        }
        add("capabilities", Status.OK, "uid " + uid + ", CapEff " + String.format("%016x", caps)
                + (named.isEmpty() ? " (none of those that matter here)" : " (" + String.join(", ", named) + ")")
                + (initialNs ? ", initial user namespace" : ", in a user namespace (" + ns + ")"), null);
        boolean may = Capabilities.mayChangeExe(caps);
        String where = initialNs ? "the initial user namespace" : "this process's user namespace";
        if (may) {
            add("exe", Status.OK, "can be changed: " + String.join(" and ", named.stream()
                    .filter(n -> n.equals("CAP_CHECKPOINT_RESTORE") || n.equals("CAP_SYS_ADMIN")).toList())
                    + " in " + where, null);
        } else {
            boolean oldKernel = lastCap >= 0 && lastCap < Capabilities.CAP_CHECKPOINT_RESTORE;
            add("exe", Status.WARN, "cannot be changed: this process has neither CAP_CHECKPOINT_RESTORE nor "
                    + "CAP_SYS_ADMIN in " + where + "; a restore sets everything else",
                    oldKernel ? "this kernel predates CAP_CHECKPOINT_RESTORE (5.9): give the JVM CAP_SYS_ADMIN, or "
                            + "start it in a user namespace of its own (unshare -Ur java ...)"
                            : CapabilityRemedy.checkpointRestore(whereabouts));
        }
        return may;
    }

    /** Null in the initial user namespace, else its uid_map on one line. */
    private static String userNamespace() {
        String map = KernelProbe.userNamespaceOfSelf();
        return map == null ? null : "uid_map " + map;
    }

    private void userNamespaces() {
        KernelProbe.UserNamespaceSettings settings = KernelProbe.userNamespaceSettings();
        int max = settings.maxUserNamespaces();
        int clone = settings.unprivilegedUsernsClone();
        int apparmor = settings.apparmorRestrictUnprivilegedUserns();
        Map<String, Object> u = Json.object();
        u.put("max_user_namespaces", max < 0 ? null : max);
        u.put("unprivileged_userns_clone", clone < 0 ? null : clone);
        u.put("apparmor_restrict_unprivileged_userns", apparmor < 0 ? null : apparmor);
        UnshareTest unshare = KernelProbe.tryUnshare();
        String tried = switch (unshare.outcome()) {
            case WORKS -> "works for this user";
            case FAILS -> "fails (" + unshare.detail() + ")";
            case NOT_TRIED -> "not tried (" + unshare.detail() + ")";
        };
        u.put("unshare_test", tried);
        facts.put("user_namespaces", u);
        List<String> seen = new ArrayList<>();
        seen.add("max_user_namespaces " + (max < 0 ? "absent" : max));
        if (clone >= 0) {
            seen.add("unprivileged_userns_clone " + clone);
        }
        if (apparmor >= 0) {
            seen.add("apparmor_restrict_unprivileged_userns " + apparmor);
        }
        seen.add("unshare -Ur: " + tried);
        String value = String.join("; ", seen);
        if (max == 0) {
            add("user namespaces", Status.WARN, "disabled: " + value,
                    "allow them (sysctl user.max_user_namespaces=15000) to let ordinary users restore exe with unshare -Ur");
        } else if (clone == 0) {
            add("user namespaces", Status.WARN, "not for unprivileged users: " + value,
                    "sysctl kernel.unprivileged_userns_clone=1 lets ordinary users restore exe with unshare -Ur");
        } else if (apparmor == 1) {
            add("user namespaces", Status.WARN, "restricted by AppArmor: " + value,
                    "an AppArmor profile allowing userns for the JVM, or sysctl "
                            + "kernel.apparmor_restrict_unprivileged_userns=0, lets ordinary users use unshare -Ur");
        } else if (unshare.outcome() == UnshareTest.Outcome.FAILS) {
            add("user namespaces", Status.WARN, value, "find out what refuses them (a seccomp filter, a container runtime)");
        } else {
            add("user namespaces", Status.OK, "available: " + value, null);
        }
    }

    private void jdk() {
        Runtime.Version v = Runtime.version();
        String vendor = System.getProperty("java.vendor", "?");
        String vm = System.getProperty("java.vm.name", "?");
        String home = System.getProperty("java.home", "?");
        Map<String, Object> j = Json.object();
        j.put("version", v.toString());
        j.put("feature", v.feature());
        j.put("vendor", vendor);
        j.put("vm", vm);
        j.put("home", home);
        facts.put("jdk", j);
        List<String> notes = new ArrayList<>();
        if (v.feature() >= 21) {
            notes.add("attach: a target JVM warns about dynamic agent loading unless started with "
                    + "-XX:+EnableDynamicAgentLoading");
        }
        if (v.feature() >= 24) {
            notes.add("the JVM warns once about sun.misc.Unsafe (Chronicle Bytes) unless given "
                    + "--sun-misc-unsafe-memory-access=allow");
        }
        add("JDK", Status.OK, v + " (" + vendor + ", " + vm + ") at " + home, null);
        for (String n : notes) {
            add("JDK note", Status.INFO, n, null);
        }
    }
}
