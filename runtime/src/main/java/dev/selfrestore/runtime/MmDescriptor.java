package dev.selfrestore.runtime;

import java.util.Arrays;
import java.util.Objects;

/**
 * Everything selfrestore holds of a checkpointed process's identity: the mm descriptor.
 *
 * <p>Command line, environment and task name are raw bytes exactly as /proc printed them; no byte
 * is ever decoded, re-encoded or dropped. The auxiliary vector is kept as machine words
 * (type, value pairs, ending with the AT_NULL pair) exactly as /proc/PID/auxv printed them.
 *
 * <p>The arrays are taken as given, not copied: a caller hands over arrays it made for this
 * descriptor and does not change afterwards (each reader and editor here builds them fresh). A copy
 * here would be the third of a megabyte of environment on the agent's reading path, in a cold JVM
 * where each copy into fresh heap costs milliseconds (bench/README.md, "Environment size"). The
 * accessors return copies, so nothing outside can change a descriptor once made.
 *
 * @param fields   the eleven prctl_mm_map address fields as captured
 * @param brkSource whether {@code fields.brk()} is the kernel's exact value or an approximation
 * @param auxv     the saved auxiliary vector, in words, including the terminating AT_NULL pair
 * @param exe      the executable and its identity
 * @param cmdline  /proc/PID/cmdline bytes
 * @param environ  /proc/PID/environ bytes
 * @param comm     /proc/PID/comm bytes, without the trailing newline the kernel adds
 * @param capture  where and when the descriptor was captured
 * @param jvm      for a JVM original, how its command line splits into JVM options, main and
 *                 application arguments; null for any other program (or a descriptor captured
 *                 before format 1.1)
 * @param provenance for an edited descriptor, what it was made from and what was changed; null
 *                 for a capture (or a descriptor written before format 1.2)
 */
public record MmDescriptor(
        MmFields fields,
        BrkSource brkSource,
        long[] auxv,
        ExecutableIdentity exe,
        byte[] cmdline,
        byte[] environ,
        byte[] comm,
        CaptureInfo capture,
        JvmLaunch jvm,
        Provenance provenance) {

    /** A descriptor of a program that is not a JVM. */
    public MmDescriptor(MmFields fields, BrkSource brkSource, long[] auxv, ExecutableIdentity exe, byte[] cmdline,
                        byte[] environ, byte[] comm, CaptureInfo capture) {
        this(fields, brkSource, auxv, exe, cmdline, environ, comm, capture, null, null);
    }

    /** A captured descriptor (no provenance). */
    public MmDescriptor(MmFields fields, BrkSource brkSource, long[] auxv, ExecutableIdentity exe, byte[] cmdline,
                        byte[] environ, byte[] comm, CaptureInfo capture, JvmLaunch jvm) {
        this(fields, brkSource, auxv, exe, cmdline, environ, comm, capture, jvm, null);
    }

    /**
     * The strings of the command line ({@link NulStrings#of(byte[], int, long)}), found over this
     * descriptor's own bytes rather than a copy: {@link NulStrings#bytes()} is then this
     * descriptor's array, which is never to be changed. A restore passes over a megabyte of
     * environment with this, and copies it only into the area it fills; in a cold JVM each copy of
     * a megabyte into fresh heap costs milliseconds.
     */
    public NulStrings cmdlineStrings(int maxOffsets, long maxLength) {
        return NulStrings.of(cmdline, maxOffsets, maxLength);
    }

    /** The same of the environment. */
    public NulStrings environStrings(int maxOffsets, long maxLength) {
        return NulStrings.of(environ, maxOffsets, maxLength);
    }

    /** Whether this identity was edited after its capture (it then has a provenance). */
    public boolean edited() {
        return provenance != null;
    }

    public MmDescriptor {
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(brkSource, "brkSource");
        Objects.requireNonNull(exe, "exe");
        Objects.requireNonNull(capture, "capture");
        Objects.requireNonNull(auxv, "auxv");
        Objects.requireNonNull(cmdline, "cmdline");
        Objects.requireNonNull(environ, "environ");
        Objects.requireNonNull(comm, "comm");
    }

    @Override
    public long[] auxv() {
        return auxv.clone();
    }

    @Override
    public byte[] cmdline() {
        return cmdline.clone();
    }

    @Override
    public byte[] environ() {
        return environ.clone();
    }

    @Override
    public byte[] comm() {
        return comm.clone();
    }

    /** The auxv as the bytes /proc/PID/auxv shows, in this machine's byte order. */
    public byte[] auxvBytes() {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(auxv.length * 8).order(java.nio.ByteOrder.nativeOrder());
        for (long w : auxv) {
            bb.putLong(w);
        }
        return bb.array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MmDescriptor d
                && fields.equals(d.fields) && brkSource == d.brkSource
                && Arrays.equals(auxv, d.auxv) && exe.equals(d.exe)
                && Arrays.equals(cmdline, d.cmdline) && Arrays.equals(environ, d.environ)
                && Arrays.equals(comm, d.comm) && capture.equals(d.capture) && Objects.equals(jvm, d.jvm)
                && Objects.equals(provenance, d.provenance);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fields, Arrays.hashCode(cmdline), Arrays.hashCode(environ), exe);
    }

    @Override
    public String toString() {
        return "MmDescriptor[pid=" + capture.pid() + ", exe=" + exe.displayPath()
                + ", comm=" + RawBytes.escape(comm) + ", cmdline=" + cmdline.length + " bytes, environ="
                + environ.length + " bytes, auxv=" + auxv.length / 2 + " entries, " + fields
                + ", brk " + brkSource + (jvm != null ? ", jvm " + jvm : "")
                + (provenance != null ? ", " + provenance : "") + "]";
    }
}
