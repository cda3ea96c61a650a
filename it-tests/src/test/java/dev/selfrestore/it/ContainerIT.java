package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentityExceptExe;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfrestore.fixtures.CriuFixtures;
import dev.selfrestore.it.app.ProcessHandleView;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.OciContainer;
import dev.selfrestore.it.support.ProcIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real OCI containers run by crun (see {@link OciContainer}): a service checkpointed in one container
 * is restored into a fresh JVM that is pid 1 of another, and /proc of that JVM, read from the host,
 * is the service's byte for byte.
 *
 * <p>What /proc/PID/exe shows from the host: the kernel prints the link as a path from the reader's
 * root (d_path), and a file reached through a bind mount of another mount namespace has no path from
 * the host's root; the walk up the mounts stops at the container's root, so the host reads the path
 * <em>inside the container</em> ({@code /srv/svc/bin/srsvc-…}), not the file's host path
 * ({@code …/bin/srsvc-…}). That is also what {@code capture} records from the host, and so what a
 * restore into a container that mounts the same file at the same path must show again: the
 * comparisons below are of those in-container paths, and each test first asserts that the host sees
 * the original that way.
 *
 * <p>Descriptors, CRIU images and the agent jar reach the containers as read-only bind mounts, the
 * way a volume or a ConfigMap would; the descriptor trust rules apply inside the container as they
 * see its files.
 */
class ContainerIT {

    /** Where both containers mount the service's executable: its path in every /proc/PID/exe below. */
    private static final Path SERVICE_BIN = Path.of("/srv/svc/bin");
    /** Where restoring containers mount the directory of descriptors, read-only. */
    private static final Path DESCRIPTORS = Path.of("/sr/d");
    /** The user namespace of the rootless-style container: its root is host uid (and gid) 100000. */
    private static final long HOST_ID = 100000;
    private static final long IDS = 65536;

    /** CapEff of podman's (and CRI-O's) default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP. */
    private static final String DEFAULT_CAP_EFF = "00000000800405fb";
    /** The same and CAP_CHECKPOINT_RESTORE (40). */
    private static final String WITH_CHECKPOINT_RESTORE = "00000100800405fb";

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    /** Registered after {@code it}, so its containers are deleted before the processes are reaped. */
    @RegisterExtension
    final OciContainer.Runtime crun = new OciContainer.Runtime(it.processes());

    @BeforeEach
    void readableDirectory() throws Exception {
        // The bundles and volumes live here: the containers' users must reach them, nobody may write.
        Fixtures.makeReadableByAll(it.dir());
    }

    /** What a checkpoint of the service left: its identity as the host saw it, and its descriptor. */
    private record Checkpoint(ProcIdentity identity, Path bin, Path descriptors, Path exeInside) {
    }

    /**
     * The service: a copy of sleep under its own name, with an environment of its own, as pid 1 of
     * container A; captured from the host into {@code dir/d/svc.mmd}, then container A is gone.
     */
    private Checkpoint checkpointService() throws Exception {
        Path bin = Files.createDirectories(it.dir().resolve("bin"));
        Fixtures.makeReadableByAll(bin);
        String name = "srsvc-" + Fixtures.randomToken(7);
        Fixtures.copyReadableByAll(Path.of("/usr/bin/sleep"), bin.resolve(name));
        Fixtures.makeExecutableByAll(bin.resolve(name));
        Path exeInside = SERVICE_BIN.resolve(name);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("SVC_MODE", "primary");
        env.put("SVC_SHARD", "7");
        env.put("SVC_LISTEN", ":9090");
        env.put("HOME", "/srv/svc"); // without HOME, crun adds one (from the container's /etc/passwd)
        OciContainer.Running original = crun.spec(it.dir())
                .args(List.of(exeInside.toString(), "600"))
                .env(env)
                .volume(bin, SERVICE_BIN, true)
                .start("original");
        // crun reports "running" once it told its init to exec: wait until the exec has finished.
        Fixtures.awaitExe(original.hostPid(), exeInside, PROCESS_TIMEOUT, original::describe);
        ProcIdentity identity = ProcIdentity.of(original.hostPid());
        assertAll("the original, pid 1 of its container, as the host sees it (test set-up)",
                () -> assertEquals(exeInside.toString(), identity.exe(), "its exe, the path inside the container"),
                () -> assertSameBytes("its cmdline", Fixtures.cmdlineOf(List.of(exeInside.toString(), "600")),
                        identity.cmdline()),
                () -> assertSameBytes("its environ, process.env", Fixtures.cmdlineOf(List.of("PATH=/usr/bin:/bin",
                        "SVC_MODE=primary", "SVC_SHARD=7", "SVC_LISTEN=:9090", "HOME=/srv/svc")), identity.environ()),
                () -> assertEquals("1", nsPid(original.hostPid()), "its pid inside the container"));
        Path descriptors = Files.createDirectories(it.dir().resolve("d"));
        Fixtures.makeReadableByAll(descriptors);
        // capture writes mode 0600; readable by all, so that a user namespace's root may read it too
        Fixtures.makeReadableByAll(it.cli().captureOk(original.hostPid(), descriptors.resolve("svc.mmd")));
        original.stop();
        return new Checkpoint(identity, bin, descriptors, exeInside);
    }

    /**
     * A container for the JVM that restores {@code service}: its executable and {@code descriptors}
     * mounted where the original's were, and the agent given the service's descriptor.
     */
    private OciContainer.Spec restoring(Checkpoint service, Path descriptors) {
        return crun.spec(it.dir())
                .args(javaInContainer(DESCRIPTORS.resolve("svc.mmd").toString()))
                .env(ItConfig.restorerEnvironment())
                .volume(service.bin(), SERVICE_BIN, true)
                .volume(descriptors, DESCRIPTORS, true);
    }

    /** {@code spec} started as {@code name}, once its JVM's main has run (it printed READY). */
    private static OciContainer.Running ready(OciContainer.Spec spec, String name) throws Exception {
        OciContainer.Running started = spec.start(name);
        started.process().awaitStdoutLine("READY", PROCESS_TIMEOUT);
        return started;
    }

    /** java with the agent and the test classes as every container mounts them, ending with ProcessHandleView. */
    private static List<String> javaInContainer(String agentArgs) {
        return JavaCommand.java().agentJar(OciContainer.AGENT_JAR).classes(OciContainer.CLASSES)
                .agent(agentArgs).main(ProcessHandleView.class.getName(), "restoring-jvm-argument");
    }

    /** The last pid of the NSpid line of /proc/PID/status: the pid inside its innermost pid namespace. */
    private static String nsPid(long hostPid) throws Exception {
        String[] pids = ProcIdentity.statusField(hostPid, "NSpid").split("\\s+");
        return pids[pids.length - 1];
    }

    @Test
    void serviceCheckpointedInOneContainerIsRestoredAsPid1OfAnother() throws Exception {
        Checkpoint service = checkpointService();
        OciContainer.Running restored = ready(restoring(service, service.descriptors())
                .addCapability("CAP_CHECKPOINT_RESTORE"), "restored");
        long pid = restored.hostPid();
        assertAll("the restoring JVM is pid 1 of a container with CAP_CHECKPOINT_RESTORE added (test set-up)",
                () -> assertEquals("1", nsPid(pid)),
                () -> assertEquals(WITH_CHECKPOINT_RESTORE, ProcIdentity.statusField(pid, "CapEff")),
                () -> assertEquals("2", ProcIdentity.statusField(pid, "Seccomp"), "a seccomp filter"));

        assertSameIdentity(service.identity(), ProcIdentity.of(pid));
        List<String> out = restored.process().stdoutLines();
        assertEquals(List.of("EXE=" + service.exeInside(), "PID=1", "PH_COMMAND=" + service.exeInside(), "PH_ARG=600",
                "READY"), out, "the JVM's own view: readlink /proc/self/exe, its pid, ProcessHandle.current().info()");
        stopAndAssertOneStderrLine(restored, "selfrestore: restored pid " + service.identity().pid() + " ("
                + service.exeInside().getFileName() + ", " + service.exeInside() + "): exe, cmdline (2 args), environ (5 vars), auxv");
    }

    @Test
    void withThePodmanDefaultCapabilitiesEverythingButExeIsRestored() throws Exception {
        Checkpoint service = checkpointService();
        OciContainer.Running restored = ready(restoring(service, service.descriptors()), "nocap");
        long pid = restored.hostPid();
        assertEquals(DEFAULT_CAP_EFF, ProcIdentity.statusField(pid, "CapEff"), "the default set (test set-up)");

        ProcIdentity after = ProcIdentity.of(pid);
        assertSameIdentityExceptExe(service.identity(), after);
        // /usr is mounted at /usr: the launcher's path inside the container is its host path.
        String launcher = ItConfig.javaRealPath().toString();
        assertEquals(launcher, after.exe(), "readlink /proc/" + pid + "/exe: exe cannot change without the capability");
        assertEquals("EXE=" + launcher, restored.process().stdoutLines().get(0), "readlink /proc/self/exe in main");
        String line = stopAndAssertOneStderrLine(restored, "selfrestore: partly restored");
        assertTrue(line.contains("CAP_CHECKPOINT_RESTORE"), () -> "the agent's line names the missing capability: " + line);
    }

    /**
     * Rootless style: the container has a user namespace in which its root is host uid 100000. The
     * capability counts in that namespace, so exe changes, and to an executable the namespace does not
     * own: the file belongs to the host's root, unmapped there (it shows as the overflow uid 65534),
     * and the kernel asks only for CAP_CHECKPOINT_RESTORE in the caller's namespace and for the right
     * to execute the file (mode 755). The descriptor itself must be the namespace's root's (host uid
     * 100000): the one the host's root wrote shows as owned by 65534 there, and the agent refuses it
     * (main runs all the same, as itself); the directories, the host's root's, show as 65534 too and
     * are accepted (docs/security.md, user namespaces: the overflow uid).
     */
    @Test
    void inAUserNamespaceExeChangesWithTheCapabilityThereFromADescriptorItsRootOwns() throws Exception {
        Checkpoint service = checkpointService();
        Path descriptors = Files.createDirectories(it.dir().resolve("d-userns"));
        Fixtures.makeReadableByAll(descriptors);
        Path descriptor = Files.copy(service.descriptors().resolve("svc.mmd"), descriptors.resolve("svc.mmd"));
        Fixtures.makeReadableByAll(descriptor);
        Files.setAttribute(descriptor, "unix:uid", (int) HOST_ID);
        Files.setAttribute(descriptor, "unix:gid", (int) HOST_ID);
        JavaCommand.ReadableCopy readable = JavaCommand.readableByAll(it.dir().resolve("readable"));

        // The descriptor as the host's root wrote it: owned by the overflow uid in the namespace, refused.
        OciContainer.Running refused = ready(inUserNamespace(restoring(service, service.descriptors()), readable),
                "userns-refused");
        assertSameBytes("/proc/" + refused.hostPid() + "/cmdline: the JVM's own",
                Fixtures.cmdlineOf(javaInContainer(DESCRIPTORS.resolve("svc.mmd").toString())),
                ProcIdentity.of(refused.hostPid()).cmdline());
        String line = stopAndAssertOneStderrLine(refused, "selfrestore: not restored: " + DESCRIPTORS.resolve("svc.mmd"));
        assertTrue(line.contains("owned by uid 65534"), line);

        OciContainer.Running restored = ready(inUserNamespace(restoring(service, descriptors), readable), "userns");
        long pid = restored.hostPid();
        Path proc = Path.of("/proc", Long.toString(pid));
        assertAll("the restoring JVM is root of its own user namespace, host uid 100000 (test set-up)",
                () -> assertEquals("100000\t100000\t100000\t100000", ProcIdentity.statusField(pid, "Uid")),
                () -> assertEquals(List.of("0", "100000", "65536"),
                        List.of(Files.readString(proc.resolve("uid_map")).strip().split("\\s+"))),
                () -> assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")),
                        Files.readSymbolicLink(proc.resolve("ns/user"))),
                () -> assertEquals(WITH_CHECKPOINT_RESTORE, ProcIdentity.statusField(pid, "CapEff")),
                () -> assertEquals(0, (int) Files.getAttribute(service.bin().resolve(service.exeInside().getFileName()),
                        "unix:uid"), "the executable is the host's root's, unmapped in the namespace"));

        assertSameIdentity(service.identity(), ProcIdentity.of(pid));
        assertEquals("EXE=" + service.exeInside(), restored.process().stdoutLines().get(0), "readlink /proc/self/exe in main");
        stopAndAssertOneStderrLine(restored, "selfrestore: restored pid ");
    }

    /**
     * {@code spec} in a user namespace whose root is host uid {@link #HOST_ID}, with
     * CAP_CHECKPOINT_RESTORE there, and the agent and classes copied where that root can read them.
     */
    private static OciContainer.Spec inUserNamespace(OciContainer.Spec spec, JavaCommand.ReadableCopy readable) {
        return spec.agentAndClasses(readable.jar().getParent(), readable.classes())
                .addCapability("CAP_CHECKPOINT_RESTORE")
                .userNamespace(HOST_ID, IDS);
    }

    /** A real CRIU image directory, mounted read-only where it was written, restores as it does on the host. */
    @Test
    void criuImageDirectoryMountedReadOnlyRestores() throws Exception {
        Path fixture = CriuFixtures.dir("native");
        Path images = fixture.resolve("images");
        OciContainer.Running restored = ready(crun.spec(it.dir())
                .args(javaInContainer(images.toString()))
                .env(ItConfig.restorerEnvironment())
                .volume(CriuFixtures.HOME, CriuFixtures.HOME, true)
                .addCapability("CAP_CHECKPOINT_RESTORE"), "criu");
        ProcIdentity expected = ProcIdentity.expected(fixture);
        assertSameIdentity(expected, ProcIdentity.of(restored.hostPid()));
        assertEquals("EXE=" + expected.exe(), restored.process().stdoutLines().get(0), "readlink /proc/self/exe in main");
        stopAndAssertOneStderrLine(restored, "selfrestore: restored pid 31688 (billing-daemon, " + expected.exe() + "): exe,");
    }

    /** capture= writes the JVM's own descriptor to a writable volume; the host reads it. */
    @Test
    void captureWritesToAWritableVolume() throws Exception {
        Path out = Files.createDirectories(it.dir().resolve("out"));
        Fixtures.makeReadableByAll(out);
        OciContainer.Running app = ready(crun.spec(it.dir())
                .args(javaInContainer("capture=/out/self.mmd"))
                .env(ItConfig.restorerEnvironment())
                .volume(out, Path.of("/out"), false), "capture");
        Path file = out.resolve("self.mmd");
        JsonNode json = it.cli().run("inspect", "--json", file.toString()).assertStatus(0).json();
        ProcIdentity identity = ProcIdentity.of(app.hostPid());
        assertAll(json.toPrettyString(),
                () -> assertEquals(1, json.get("capture").get("pid").asLong(), "the pid the JVM has inside"),
                () -> assertEquals(identity.exe(), json.get("exe").get("path").get("text").asText()),
                () -> assertSameBytes("cmdline in the descriptor", identity.cmdline(),
                        HexFormat.of().parseHex(json.get("cmdline").get("bytes").asText())),
                () -> assertSameBytes("environ in the descriptor", identity.environ(),
                        HexFormat.of().parseHex(json.get("environ").get("bytes").asText())));
        it.cli().run("verify", "--pid", Long.toString(app.hostPid()), file.toString()).assertStatus(0);
        String line = stopAndAssertOneStderrLine(app, "selfrestore: captured pid 1 ");
        assertTrue(line.contains(" to /out/self.mmd, "), line);
    }

    /**
     * Closes the container's stdin (the app then ends), asserts that it exited with status 0 and that
     * its whole stderr is one line starting with {@code prefix}; returns that line.
     */
    private static String stopAndAssertOneStderrLine(OciContainer.Running container, String prefix)
            throws InterruptedException {
        int status = container.process().closeStdinAndAwaitExit(PROCESS_TIMEOUT);
        assertEquals(0, status, container::describe);
        List<String> lines = container.process().stderrLines();
        assertTrue(lines.size() == 1 && lines.get(0).startsWith(prefix),
                () -> "expected exactly one line on stderr, starting with '" + prefix + "': " + container.describe());
        return lines.get(0);
    }
}
