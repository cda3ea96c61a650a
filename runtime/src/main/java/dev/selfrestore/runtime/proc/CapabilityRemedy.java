package dev.selfrestore.runtime.proc;

/**
 * How to give a JVM CAP_CHECKPOINT_RESTORE, said once for the agent's lines and {@code doctor}, in
 * the words of where it runs: a host's (an ambient capability, a systemd unit, a user namespace),
 * a container runtime's ({@code --cap-add}, the OCI configuration) or a Kubernetes pod's
 * ({@code securityContext}).
 */
public final class CapabilityRemedy {
    private CapabilityRemedy() {
    }

    /** What a process that lacks CAP_CHECKPOINT_RESTORE, running at {@code w}, can do about it. */
    public static String checkpointRestore(Whereabouts w) {
        String where = w.contained() ? "this JVM runs in " + w.describe() + ": " : "";
        return where + switch (w.kind()) {
            case KUBERNETES -> "add it to the container's securityContext: capabilities: add: [\"CHECKPOINT_RESTORE\"] "
                    + "(effective for a JVM that runs as root in the container; Kubernetes grants no ambient "
                    + "capabilities to another user)";
            case CONTAINER -> "add it to the container: --cap-add CHECKPOINT_RESTORE (podman, docker), or "
                    + "CAP_CHECKPOINT_RESTORE in the OCI configuration's process.capabilities bounding, permitted "
                    + "and effective lists (and ambient, for a JVM that does not run as root); under Kubernetes, "
                    + "securityContext: capabilities: add: [\"CHECKPOINT_RESTORE\"]";
            case HOST, GVISOR -> "grant CAP_CHECKPOINT_RESTORE as an ambient capability (setpriv --inh-caps "
                    + "+checkpoint_restore --ambient-caps +checkpoint_restore, or systemd AmbientCapabilities="
                    + "CAP_CHECKPOINT_RESTORE) or start the JVM in a user namespace (unshare -Ur)";
        };
    }
}
