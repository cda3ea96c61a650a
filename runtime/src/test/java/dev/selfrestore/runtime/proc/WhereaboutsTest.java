package dev.selfrestore.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whereabouts from file system roots laid out as a host, containers, a pod and gVisor show them. */
class WhereaboutsTest {
    private static final String HOST_ROOT = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n";

    @TempDir
    Path root;

    private void file(String path, String content) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private void host() throws IOException {
        file("proc/version", "Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC\n");
        file("proc/self/cgroup", "0::/user.slice/user-0.slice/session-3.scope\n");
        file("proc/self/mountinfo", HOST_ROOT + "22 27 0:21 / /proc rw - proc proc rw\n");
    }

    @Test
    void aHostIsAHostEvenWithAStaleDockerenv() throws IOException {
        host();
        file(".dockerenv", "");
        Whereabouts w = Whereabouts.of(root, 4242);
        assertEquals(new Whereabouts(Whereabouts.Kind.HOST, List.of()), w);
        assertFalse(w.contained());
        assertEquals("a host", w.describe());
    }

    @Test
    void aContainerOfCrunIsPidOneOnAPivotedRoot() throws IOException {
        host();
        file("proc/self/cgroup", "0::/\n");
        file("proc/self/mountinfo", "610 520 254:0 /tmp/bundle/rootfs / ro,relatime - ext4 /dev/vda rw\n");
        file(".dockerenv", "");
        Whereabouts w = Whereabouts.of(root, 1);
        assertEquals(Whereabouts.Kind.CONTAINER, w.kind());
        assertEquals(List.of("root file system /tmp/bundle/rootfs of its ext4", "PID 1 in its pid namespace",
                "/.dockerenv"), w.evidence());
        assertTrue(w.contained());
    }

    @Test
    void dockerAndPodmanShowTheirCgroupsOverlaysAndMarkers() throws IOException {
        host();
        file("proc/self/cgroup", "0::/system.slice/docker-4f1c2a.scope\n");
        file("proc/self/mountinfo", "512 480 0:44 / / rw - overlay overlay rw,lowerdir=/l,upperdir=/u\n" + HOST_ROOT
                .replace(" / / ", " / /host "));
        file("run/.containerenv", "engine=\"podman\"\n");
        Whereabouts w = Whereabouts.of(root, 7);
        assertEquals(Whereabouts.Kind.CONTAINER, w.kind());
        assertEquals(List.of("cgroup /system.slice/docker-4f1c2a.scope", "/run/.containerenv (podman)",
                "root file system an overlay"), w.evidence());
    }

    @Test
    void aPodHasItsServiceAccountOrKubepodsCgroup() throws IOException {
        host();
        Files.createDirectories(root.resolve("var/run/secrets/kubernetes.io/serviceaccount"));
        assertEquals(Whereabouts.Kind.KUBERNETES, Whereabouts.of(root, 1).kind());

        Path other = root.resolve("var/run/secrets");
        Files.delete(other.resolve("kubernetes.io/serviceaccount"));
        file("proc/self/cgroup", "12:memory:/kubepods/burstable/pod1234/5678\n0::/\n");
        Whereabouts w = Whereabouts.of(root, 1);
        assertEquals(Whereabouts.Kind.KUBERNETES, w.kind());
        assertTrue(w.describe().startsWith("a Kubernetes pod (cgroup /kubepods/burstable/pod1234/5678"), w.describe());
    }

    @Test
    void gvisorIsKnownByItsFixedVersionWhateverItsRelease() throws IOException {
        host();
        file("proc/version", "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016\n");
        assertEquals(Whereabouts.Kind.GVISOR, Whereabouts.of(root, 1).kind());
        file("proc/version", "Linux version 4.19.0-gvisor #1 SMP Sun Jan 10 15:06:54 PST 2016\n");
        Whereabouts w = Whereabouts.of(root, 1);
        assertEquals(Whereabouts.Kind.GVISOR, w.kind());
        assertEquals(List.of("/proc/version: Linux version 4.19.0-gvisor #1 SMP Sun Jan 10 15:06:54 PST 2016"),
                w.evidence());
    }

    @Test
    void nothingReadableIsNoEvidence() {
        assertEquals(Whereabouts.Kind.HOST, Whereabouts.of(root, 4242).kind());
    }

    @Test
    void eachPlaceGetsItsOwnRemedy() throws IOException {
        host();
        String onHost = CapabilityRemedy.checkpointRestore(Whereabouts.of(root, 4242));
        assertTrue(onHost.contains("setpriv --inh-caps +checkpoint_restore") && onHost.contains("AmbientCapabilities="
                + "CAP_CHECKPOINT_RESTORE") && onHost.contains("unshare -Ur"), onHost);
        String inContainer = CapabilityRemedy.checkpointRestore(Whereabouts.of(root, 1));
        assertTrue(inContainer.startsWith("this JVM runs in a container (PID 1 in its pid namespace): ")
                && inContainer.contains("--cap-add CHECKPOINT_RESTORE") && inContainer.contains("process.capabilities"),
                inContainer);
        assertFalse(inContainer.contains("setpriv"), inContainer);
        Files.createDirectories(root.resolve("var/run/secrets/kubernetes.io/serviceaccount"));
        String inPod = CapabilityRemedy.checkpointRestore(Whereabouts.of(root, 1));
        assertTrue(inPod.contains("securityContext: capabilities: add: [\"CHECKPOINT_RESTORE\"]"), inPod);
    }
}
