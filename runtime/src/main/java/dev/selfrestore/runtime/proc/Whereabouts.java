package dev.selfrestore.runtime.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where this process runs, as far as it can tell from inside: on a host, in a container (and
 * whether under Kubernetes), or under gVisor, whose kernel is a user-space one of its own. What a
 * remedy should say depends on it: a container gets its capabilities from its runtime's
 * configuration, not from {@code setpriv} or a systemd unit, and gVisor implements no
 * {@code PR_SET_MM} at all.
 *
 * <p>Read only when something failed, or by {@code doctor}: never on a restore that succeeds.
 * Every probe is a small read under {@code root} (the file system root; a test passes another),
 * and a file that cannot be read is no evidence.
 *
 * @param kind     the best description
 * @param evidence what was seen, for a reader to check (empty on a host)
 */
public record Whereabouts(Kind kind, List<String> evidence) {

    /** gVisor's fixed {@code uname -v}, whatever release it reports (4.4.0, 4.19.0-gvisor, …). */
    static final String GVISOR_VERSION = "#1 SMP Sun Jan 10 15:06:54 PST 2016";

    /** Where a process runs. */
    public enum Kind {
        HOST,
        CONTAINER,
        KUBERNETES,
        GVISOR;

        /** How a line names it: {@code a Kubernetes pod}, {@code gVisor (runsc)}. */
        public String text() {
            return switch (this) {
                case HOST -> "a host";
                case CONTAINER -> "a container";
                case KUBERNETES -> "a Kubernetes pod";
                case GVISOR -> "gVisor (runsc)";
            };
        }
    }

    /** The words of a cgroup path that container engines use for their containers. */
    private static final List<String> CGROUP_MARKS = List.of("docker", "containerd", "crio", "libpod", "lxc",
            "kubepods", "machine.slice", "garden", "actions_job");

    /** This process's whereabouts. */
    public static Whereabouts ofSelf() {
        return of(Path.of("/"), ProcessHandle.current().pid());
    }

    /** The whereabouts seen from the file system at {@code root}, for a process whose pid is {@code pid}. */
    public static Whereabouts of(Path root, long pid) {
        String version = read(root.resolve("proc/version"));
        if (version != null && (version.contains(GVISOR_VERSION) || version.contains("-gvisor "))) {
            return new Whereabouts(Kind.GVISOR, List.of("/proc/version: " + version.strip()));
        }
        List<String> evidence = new ArrayList<>();
        if (Files.isDirectory(root.resolve("var/run/secrets/kubernetes.io/serviceaccount"))) {
            evidence.add("a Kubernetes service account at /var/run/secrets/kubernetes.io/serviceaccount");
        }
        String cgroup = read(root.resolve("proc/self/cgroup"));
        boolean kubepods = false;
        if (cgroup != null) {
            for (String line : cgroup.split("\n")) {
                String path = line.substring(line.lastIndexOf(':') + 1);
                String lower = path.toLowerCase(Locale.ROOT);
                if (CGROUP_MARKS.stream().anyMatch(lower::contains)) {
                    evidence.add("cgroup " + path);
                    kubepods |= lower.contains("kubepods");
                    break;
                }
            }
        }
        if (Files.exists(root.resolve("run/.containerenv"))) {
            evidence.add("/run/.containerenv (podman)");
        }
        String pivoted = pivotedRoot(root);
        if (pivoted != null) {
            evidence.add(pivoted);
        }
        if (pid == 1) {
            evidence.add("PID 1 in its pid namespace");
        }
        // Docker writes /.dockerenv into the container's file system, where it stays in any image or
        // machine made from it: it confirms other evidence, but alone it is none.
        if (!evidence.isEmpty() && Files.exists(root.resolve(".dockerenv"))) {
            evidence.add("/.dockerenv");
        }
        boolean kubernetes = kubepods || evidence.stream().anyMatch(e -> e.startsWith("a Kubernetes"));
        Kind kind = kubernetes ? Kind.KUBERNETES : evidence.isEmpty() ? Kind.HOST : Kind.CONTAINER;
        return new Whereabouts(kind, List.copyOf(evidence));
    }

    /** Whether the remedies of a container apply: its runtime, not this process, grants capabilities. */
    public boolean contained() {
        return kind == Kind.CONTAINER || kind == Kind.KUBERNETES;
    }

    /** {@code a container (PID 1 in its pid namespace; cgroup /…)}, or {@code a host}. */
    public String describe() {
        return evidence.isEmpty() ? kind.text() : kind.text() + " (" + String.join("; ", evidence) + ")";
    }

    /**
     * The root file system is not the root of its device but a directory of it (mountinfo's root
     * field): what pivot_root into an image or bundle leaves, as container runtimes do.
     */
    private static String pivotedRoot(Path root) {
        String mountinfo = read(root.resolve("proc/self/mountinfo"));
        if (mountinfo == null) {
            return null;
        }
        String found = null;
        for (String line : mountinfo.split("\n")) {
            // ID PARENT MAJOR:MINOR ROOT MOUNT-POINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPER-OPTIONS (proc(5));
            // the last mount on / is the one in effect
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals("/")) {
                int dash = line.indexOf(" - ");
                String fsType = dash < 0 ? "" : line.substring(dash + 3).split(" ")[0];
                found = fsType.equals("overlay") ? "root file system an overlay"
                        : !f[3].equals("/") ? "root file system " + f[3] + " of its " + fsType : null;
            }
        }
        return found;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
