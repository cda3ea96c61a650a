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
 * descriptor and does not change afterwards (each reader and editor here builds them fresh). The
 * command line and environment may also be ranges of a larger array ({@link Slice}): the agent's
 * reader leaves them in the descriptor file's own bytes. A copy here would be one more megabyte of
 * environment on the agent's reading path, in a cold JVM where each copy into fresh heap is paid
 * in page faults (bench/README.md, "Environment size"). The accessors return copies, so nothing
 * outside can change a descriptor once made.
 */
public final class MmDescriptor {
    private final MmFields fields;
    private final BrkSource brkSource;
    private final long[] auxv;
    private final ExecutableIdentity exe;
    private final Slice cmdline;
    private final Slice environ;
    private final byte[] comm;
    private final CaptureInfo capture;
    private final JvmLaunch jvm;
    private final Provenance provenance;

    /**
     * {@code length} bytes of {@code array} from {@code from}: a command line or environment left
     * where it was read. The array is never changed while a descriptor holds it.
     */
    public record Slice(byte[] array, int from, int length) {
        public Slice {
            Objects.requireNonNull(array, "array");
            Objects.checkFromIndexSize(from, length, array.length);
        }

        /** All of {@code array}. */
        public static Slice of(byte[] array) {
            return new Slice(array, 0, array.length);
        }

        /** The bytes, copied. */
        public byte[] copy() {
            return Arrays.copyOfRange(array, from, from + length);
        }

        boolean sameBytes(Slice o) {
            return Arrays.equals(array, from, from + length, o.array, o.from, o.from + o.length);
        }

        int bytesHash() {
            int h = 1;
            for (int i = from, end = from + length; i < end; i++) {
                h = 31 * h + array[i];
            }
            return h; // Arrays.hashCode of the bytes
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Slice s && sameBytes(s);
        }

        @Override
        public int hashCode() {
            return bytesHash();
        }

        @Override
        public String toString() {
            return length + " bytes";
        }
    }

    public MmDescriptor(MmFields fields, BrkSource brkSource, long[] auxv, ExecutableIdentity exe, Slice cmdline,
                        Slice environ, byte[] comm, CaptureInfo capture, JvmLaunch jvm, Provenance provenance) {
        this.fields = Objects.requireNonNull(fields, "fields");
        this.brkSource = Objects.requireNonNull(brkSource, "brkSource");
        this.auxv = Objects.requireNonNull(auxv, "auxv");
        this.exe = Objects.requireNonNull(exe, "exe");
        this.cmdline = Objects.requireNonNull(cmdline, "cmdline");
        this.environ = Objects.requireNonNull(environ, "environ");
        this.comm = Objects.requireNonNull(comm, "comm");
        this.capture = Objects.requireNonNull(capture, "capture");
        this.jvm = jvm;
        this.provenance = provenance;
    }

    public MmDescriptor(MmFields fields, BrkSource brkSource, long[] auxv, ExecutableIdentity exe, byte[] cmdline,
                        byte[] environ, byte[] comm, CaptureInfo capture, JvmLaunch jvm, Provenance provenance) {
        this(fields, brkSource, auxv, exe, Slice.of(cmdline), Slice.of(environ), comm, capture, jvm, provenance);
    }

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

    /** The eleven prctl_mm_map address fields as captured. */
    public MmFields fields() {
        return fields;
    }

    /** Whether {@code fields().brk()} is the kernel's exact value or an approximation. */
    public BrkSource brkSource() {
        return brkSource;
    }

    /** The saved auxiliary vector, in words, including the terminating AT_NULL pair (a copy). */
    public long[] auxv() {
        return auxv.clone();
    }

    /** The executable and its identity. */
    public ExecutableIdentity exe() {
        return exe;
    }

    /** /proc/PID/cmdline bytes (a copy). */
    public byte[] cmdline() {
        return cmdline.copy();
    }

    /**
     * The command line where this descriptor holds it, not a copy: for a restore, which copies it
     * only into the area it fills. Its array is never to be changed.
     */
    public Slice cmdlineArea() {
        return cmdline;
    }

    /** The same of the environment. */
    public Slice environArea() {
        return environ;
    }

    /** /proc/PID/environ bytes (a copy). */
    public byte[] environ() {
        return environ.copy();
    }

    /** /proc/PID/comm bytes, without the trailing newline the kernel adds (a copy). */
    public byte[] comm() {
        return comm.clone();
    }

    /** Where and when the descriptor was captured. */
    public CaptureInfo capture() {
        return capture;
    }

    /**
     * For a JVM original, how its command line splits into JVM options, main and application
     * arguments; null for any other program (or a descriptor captured before format 1.1).
     */
    public JvmLaunch jvm() {
        return jvm;
    }

    /**
     * For an edited descriptor, what it was made from and what was changed; null for a capture (or
     * a descriptor written before format 1.2).
     */
    public Provenance provenance() {
        return provenance;
    }

    /**
     * The strings of the command line ({@link NulStrings#of(byte[], int, int, int, long)}), found over
     * this descriptor's own bytes rather than a copy: {@link NulStrings#array()} is then this
     * descriptor's array, which is never to be changed. A restore passes over a megabyte of
     * environment with this, and copies it only into the area it fills; in a cold JVM each copy of
     * a megabyte into fresh heap is paid in page faults (bench/README.md, "Environment size").
     */
    public NulStrings cmdlineStrings(int maxOffsets, long maxLength) {
        return NulStrings.of(cmdline.array(), cmdline.from(), cmdline.length(), maxOffsets, maxLength);
    }

    /** The same of the environment. */
    public NulStrings environStrings(int maxOffsets, long maxLength) {
        return NulStrings.of(environ.array(), environ.from(), environ.length(), maxOffsets, maxLength);
    }

    /** Whether this identity was edited after its capture (it then has a provenance). */
    public boolean edited() {
        return provenance != null;
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
                && cmdline.sameBytes(d.cmdline) && environ.sameBytes(d.environ)
                && Arrays.equals(comm, d.comm) && capture.equals(d.capture) && Objects.equals(jvm, d.jvm)
                && Objects.equals(provenance, d.provenance);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fields, cmdline.bytesHash(), environ.bytesHash(), exe);
    }

    @Override
    public String toString() {
        return "MmDescriptor[pid=" + capture.pid() + ", exe=" + exe.displayPath()
                + ", comm=" + RawBytes.escape(comm) + ", cmdline=" + cmdline.length() + " bytes, environ="
                + environ.length() + " bytes, auxv=" + auxv.length / 2 + " entries, " + fields
                + ", brk " + brkSource + (jvm != null ? ", jvm " + jvm : "")
                + (provenance != null ? ", " + provenance : "") + "]";
    }
}
