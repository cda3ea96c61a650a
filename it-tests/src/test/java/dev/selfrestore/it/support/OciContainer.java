package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OCI container run by crun (the runtime under podman and CRI-O) from a bundle this class
 * writes itself: no image, no registry. The root is an empty, read-only directory into which the
 * host's {@code /usr} and {@code /etc} (and {@code /bin}, {@code /lib}, {@code /lib64},
 * {@code /sbin}: the same links where the host has links, read-only binds where it has directories),
 * the JDK under test, the agent jar's directory and the test classes are bind-mounted read-only;
 * {@code /proc}, a {@code /dev} and a {@code /tmp} tmpfs as every runtime mounts them; new pid,
 * mount, ipc and uts namespaces, and optionally a user namespace with uid and gid mappings; the
 * capability sets podman and docker give by default, plus any the test adds; the {@code /proc}
 * paths they mask, and a seccomp filter that refuses what theirs refuses to a process without
 * CAP_SYS_ADMIN (mount, unshare, setns, bpf, keyctl and the like) and allows the rest, prctl included.
 *
 * <p>crun refuses a host whose /sys/fs/cgroup is a hybrid of cgroup v1 and v2 mounts; it runs from
 * a private mount namespace in which cgroup2 is mounted there, with {@code --cgroup-manager=disabled}
 * (the container gets no cgroup of its own: nothing here needs one). Each container has its own
 * state directory ({@code crun --root}) and id, so tests never see one another's containers.
 *
 * <p>Register {@link Runtime} after {@link Processes}; after each test it kills and deletes every
 * container it started, passed or failed. A machine without crun fails the test: CI installs it.
 */
public final class OciContainer {

    /** What podman and docker give a container unless told otherwise. */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
            "CAP_SETUID", "CAP_SYS_CHROOT");

    /** Where every container finds the agent jar's directory and the compiled test applications. */
    public static final Path AGENT_DIR = Path.of("/sr/agent");
    public static final Path CLASSES = Path.of("/sr/classes");
    /** The agent jar as every container sees it. */
    public static final Path AGENT_JAR = AGENT_DIR.resolve("selfrestore.jar");

    /** Docker's default seccomp profile refuses these to a container without CAP_SYS_ADMIN and the like. */
    private static final List<String> REFUSED_SYSCALLS = List.of("acct", "add_key", "bpf", "clock_adjtime",
            "clock_settime", "delete_module", "finit_module", "init_module", "ioperm", "iopl", "kexec_file_load",
            "kexec_load", "keyctl", "lookup_dcookie", "mount", "move_mount", "open_by_handle_at", "perf_event_open",
            "pivot_root", "quotactl", "reboot", "request_key", "setns", "settimeofday", "swapoff", "swapon",
            "umount2", "unshare", "uselib", "userfaultfd");

    private static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi");
    private static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private static final ObjectMapper JSON = new ObjectMapper();

    private OciContainer() {
    }

    /** A read-only or writable bind mount of a host path. */
    public record Volume(Path host, Path container, boolean readOnly) {
    }

    /** A user namespace: container uid and gid 0 up to {@code size - 1} are host ids {@code hostId} and up. */
    public record UserNamespace(long hostId, long size) {
    }

    /** The extension that starts containers and removes every one of them after each test. */
    public static final class Runtime implements AfterEachCallback {

        private final Processes processes;
        private final Deque<Running> started = new ArrayDeque<>();

        public Runtime(Processes processes) {
            this.processes = processes;
        }

        /** A new container spec whose bundle and state live under {@code dir}. */
        public Spec spec(Path dir) {
            return new Spec(this, dir);
        }

        /** The crun binary; fails the test where it is missing (Debian package crun). */
        static String crun() {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, "crun");
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
            for (String known : List.of("/usr/bin/crun", "/usr/local/bin/crun")) {
                if (Files.isExecutable(Path.of(known))) {
                    return known;
                }
            }
            return fail("crun is not installed (Debian package crun): ContainerIT runs real OCI containers with it");
        }

        private synchronized void add(Running container) {
            started.push(container);
        }

        private synchronized Running poll() {
            return started.poll();
        }

        @Override
        public void afterEach(ExtensionContext context) throws Exception {
            List<Exception> failures = new ArrayList<>();
            Running container;
            while ((container = poll()) != null) {
                try {
                    container.remove();
                } catch (Exception e) {
                    failures.add(e);
                }
            }
            if (!failures.isEmpty()) {
                IllegalStateException failure = new IllegalStateException("could not remove every container of the test");
                failures.forEach(failure::addSuppressed);
                throw failure;
            }
        }
    }

    /** What to run and how; {@link #start} writes the bundle and runs it. */
    public static final class Spec {

        private final Runtime runtime;
        private final Path dir;
        private List<String> args = List.of();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> capabilities = new ArrayList<>(DEFAULT_CAPABILITIES);
        private final List<Volume> volumes = new ArrayList<>();
        private UserNamespace userNamespace;
        private Path agentDir = ItConfig.agentJar().getParent();
        private Path classes = ItConfig.testClasses();

        private Spec(Runtime runtime, Path dir) {
            this.runtime = runtime;
            this.dir = dir;
        }

        /** process.args: the command of the container's init, pid 1 in its pid namespace. */
        public Spec args(List<String> args) {
            this.args = List.copyOf(args);
            return this;
        }

        /** process.env: the init's whole environment (crun adds HOME, from the container's /etc/passwd, when it is missing). */
        public Spec env(Map<String, String> env) {
            this.env.clear();
            this.env.putAll(env);
            return this;
        }

        /** Adds a capability to the default set, in bounding, effective, permitted and ambient. */
        public Spec addCapability(String capability) {
            capabilities.add(capability);
            return this;
        }

        public Spec volume(Path host, Path container, boolean readOnly) {
            volumes.add(new Volume(host, container, readOnly));
            return this;
        }

        /**
         * The host directories mounted at {@link #AGENT_DIR} (one holding {@code selfrestore.jar}) and
         * {@link #CLASSES}: by default the built jar's directory and the test classes.
         */
        public Spec agentAndClasses(Path agentDir, Path classes) {
            this.agentDir = agentDir;
            this.classes = classes;
            return this;
        }

        /** Runs the container in a user namespace of its own, as a rootless runtime does. */
        public Spec userNamespace(long hostId, long size) {
            this.userNamespace = new UserNamespace(hostId, size);
            return this;
        }

        /**
         * Writes the bundle, starts {@code crun run} in the foreground (its stdin, stdout and stderr are
         * the container init's) and returns once crun reports the container running, with its init's
         * pid as the host sees it.
         */
        public Running start(String name) throws IOException, InterruptedException {
            String crun = Runtime.crun();
            String id = "srit-" + name + "-" + Fixtures.randomToken(8);
            Path bundle = Files.createDirectories(dir.resolve(id));
            Path state = Files.createDirectories(bundle.resolve("state"));
            Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
            Fixtures.makeReadableByAll(bundle);
            Fixtures.makeReadableByAll(rootfs);
            List<ObjectNode> mounts = new ArrayList<>();
            mounts.add(mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
            mounts.add(mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
            mounts.add(mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777", "size=65536k")));
            mounts.add(bind(Path.of("/usr"), Path.of("/usr"), true));
            for (String top : List.of("bin", "lib", "lib64", "sbin")) {
                Path host = Path.of("/", top);
                if (Files.isSymbolicLink(host)) {
                    Files.createSymbolicLink(rootfs.resolve(top), Files.readSymbolicLink(host));
                } else if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                    mounts.add(bind(host, host, true));
                }
            }
            mounts.add(bind(Path.of("/etc"), Path.of("/etc"), true));
            Path jdk = ItConfig.javaRealPath().getParent().getParent();
            if (!jdk.startsWith("/usr")) {
                mounts.add(bind(jdk, jdk, true));
            }
            mounts.add(bind(agentDir, AGENT_DIR, true));
            mounts.add(bind(classes, CLASSES, true));
            for (Volume v : volumes) {
                mounts.add(bind(v.host(), v.container(), v.readOnly()));
            }
            // Every mount point exists before crun starts: a user namespace's root may not create
            // directories in this root, which belongs to the host's root.
            for (ObjectNode m : mounts) {
                Path point = rootfs.resolve(m.get("destination").asText().substring(1));
                Files.createDirectories(point);
                for (Path p = point; !p.equals(rootfs); p = p.getParent()) {
                    Fixtures.makeReadableByAll(p);
                }
            }
            Files.writeString(bundle.resolve("config.json"), config(id, mounts).toPrettyString());

            // The private mount namespace: its cgroup2 mount is the only one crun sees, and it ends with crun.
            String script = "umount -l /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 none /sys/fs/cgroup && exec "
                    + crun + " --root " + state + " --cgroup-manager=disabled run -b " + bundle + " " + id;
            if (!(state.toString() + bundle).matches("[A-Za-z0-9/._-]+")) {
                throw new IllegalArgumentException("path needs quoting: " + bundle);
            }
            RunningProcess process = runtime.processes.start("container " + id,
                    List.of("unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script),
                    Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
            Running running = new Running(runtime.processes, crun, state, id, process);
            runtime.add(running);
            running.awaitRunning(ItConfig.PROCESS_TIMEOUT);
            return running;
        }

        private ObjectNode config(String id, List<ObjectNode> mounts) {
            ObjectNode config = JSON.createObjectNode();
            config.put("ociVersion", "1.0.2");
            ObjectNode root = config.putObject("root");
            root.put("path", "rootfs");
            root.put("readonly", true);
            config.put("hostname", id.length() > 63 ? id.substring(0, 63) : id);

            ObjectNode process = config.putObject("process");
            process.put("terminal", false);
            ObjectNode user = process.putObject("user");
            user.put("uid", 0);
            user.put("gid", 0);
            process.put("cwd", "/");
            strings(process.putArray("args"), args);
            strings(process.putArray("env"), env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            ObjectNode caps = process.putObject("capabilities");
            for (String set : List.of("bounding", "effective", "permitted", "ambient")) {
                strings(caps.putArray(set), capabilities);
            }
            process.put("noNewPrivileges", false);

            ArrayNode mountArray = config.putArray("mounts");
            mounts.forEach(mountArray::add);

            ObjectNode linux = config.putObject("linux");
            ArrayNode namespaces = linux.putArray("namespaces");
            for (String type : userNamespace == null ? List.of("pid", "mount", "ipc", "uts")
                    : List.of("pid", "mount", "ipc", "uts", "user")) {
                namespaces.addObject().put("type", type);
            }
            if (userNamespace != null) {
                for (String mapping : List.of("uidMappings", "gidMappings")) {
                    ObjectNode m = linux.putArray(mapping).addObject();
                    m.put("containerID", 0);
                    m.put("hostID", userNamespace.hostId());
                    m.put("size", userNamespace.size());
                }
            }
            strings(linux.putArray("maskedPaths"), MASKED_PATHS);
            strings(linux.putArray("readonlyPaths"), READONLY_PATHS);
            ObjectNode seccomp = linux.putObject("seccomp");
            seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
            strings(seccomp.putArray("architectures"), List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"));
            ObjectNode refused = seccomp.putArray("syscalls").addObject();
            strings(refused.putArray("names"), REFUSED_SYSCALLS);
            refused.put("action", "SCMP_ACT_ERRNO");
            refused.put("errnoRet", 1); // EPERM
            return config;
        }

        private static ObjectNode bind(Path host, Path container, boolean readOnly) {
            return mount(container.toString(), "bind", host.toString(),
                    readOnly ? List.of("rbind", "ro", "nosuid", "nodev") : List.of("rbind", "rw", "nosuid", "nodev"));
        }

        private static ObjectNode mount(String destination, String type, String source, List<String> options) {
            ObjectNode m = JSON.createObjectNode();
            m.put("destination", destination);
            m.put("type", type);
            m.put("source", source);
            strings(m.putArray("options"), options);
            return m;
        }

        private static void strings(ArrayNode array, List<String> values) {
            values.forEach(array::add);
        }
    }

    /** A started container: its id, the host pid of its init, and the crun process that holds its stdio. */
    public static final class Running {

        private final Processes processes;
        private final String crun;
        private final Path state;
        private final String id;
        private final RunningProcess process;
        private long hostPid = -1;

        private Running(Processes processes, String crun, Path state, String id, RunningProcess process) {
            this.processes = processes;
            this.crun = crun;
            this.state = state;
            this.id = id;
            this.process = process;
        }

        public String id() {
            return id;
        }

        /** The init's pid on the host (it is 1 inside the container). */
        public long hostPid() {
            return hostPid;
        }

        /** {@code crun run}: its stdout and stderr are the init's, closing its stdin closes the init's. */
        public RunningProcess process() {
            return process;
        }

        /** {@code crun state ID}, parsed; null while crun has not written the container's state yet. */
        public JsonNode state() throws IOException, InterruptedException {
            CommandResult result = processes.run(ItConfig.PROCESS_TIMEOUT, crun, "--root", state.toString(), "state", id);
            return result.status() == 0 ? result.json() : null;
        }

        /**
         * Waits until crun reports the container running with an init pid: {@code crun run} creates the
         * container (its init then waits, pid known, status "created") before it starts it, and writes
         * no state at all before that.
         */
        private void awaitRunning(Duration timeout) throws IOException, InterruptedException {
            Instant deadline = Instant.now().plus(timeout);
            String seen = "no state";
            while (Instant.now().isBefore(deadline)) {
                JsonNode json = state();
                if (json != null) {
                    seen = json.toString();
                    long pid = json.path("pid").asLong(0);
                    if (pid > 0 && "running".equals(json.path("status").asText())) {
                        hostPid = pid;
                        return;
                    }
                }
                if (json == null && !isCrunAlive()) {
                    fail("container " + id + " ended before it ran: " + process.describe());
                }
                Thread.sleep(10);
            }
            fail("container " + id + " not running within " + timeout + " (last state: " + seen + "): "
                    + process.describe());
        }

        private boolean isCrunAlive() {
            return ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false);
        }

        /** Output and state for failure messages. */
        public String describe() {
            return "container " + id + " (init host pid " + hostPid + ") run by " + process.describe();
        }

        /** Ends the container now, as {@link Runtime} would after the test: for an original that is checkpointed. */
        public void stop() throws IOException, InterruptedException {
            remove();
        }

        /** Kills the init, deletes the container (crun removes its state when {@code run} sees the end) and ends crun. */
        void remove() throws IOException, InterruptedException {
            if (Files.isDirectory(state.resolve(id))) {
                processes.run(ItConfig.PROCESS_TIMEOUT, crun, "--root", state.toString(), "kill", id, "KILL");
                processes.run(ItConfig.PROCESS_TIMEOUT, crun, "--root", state.toString(), "delete", "-f", id);
            }
            process.close();
            if (Files.isDirectory(state.resolve(id))) {
                CommandResult deleted = processes.run(ItConfig.PROCESS_TIMEOUT, crun, "--root", state.toString(),
                        "delete", "-f", id);
                if (Files.isDirectory(state.resolve(id))) {
                    throw new IllegalStateException("crun delete -f " + id + " left its state: " + deleted.description());
                }
            }
        }
    }
}
