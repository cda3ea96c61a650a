package dev.selfrestore.runtime.jvm;

import dev.selfrestore.nativeshim.ProcessMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * This JVM's own record of its launch, found through its {@link VmStructs} and changed in place:
 * {@code Arguments::_jvm_args_array}/{@code _num_jvm_args} (the JVM arguments that
 * {@code RuntimeMXBean.getInputArguments()} and {@code jcmd VM.command_line} show),
 * {@code Arguments::_java_command} ({@code jcmd}'s {@code java_command}), and the jvmstat memory
 * from {@code PerfMemory::_start} (what {@code jps} and {@code jstat} read from outside).
 *
 * <p>New values are C strings allocated for the life of the process: the old ones may still be
 * pointed to by whoever read them, and are left as they are. jvmstat strings have the fixed
 * length the JVM gave them; a new value is written in place, NUL-padded, only when it fits.
 */
public final class HotSpotViews {

    static final String JVM_ARGS = "Arguments::_jvm_args_array";
    static final String NUM_JVM_ARGS = "Arguments::_num_jvm_args";
    static final String JAVA_COMMAND = "Arguments::_java_command";
    static final String PERF_START = "PerfMemory::_start";
    static final String PERF_INITIALIZED = "PerfMemory::_initialized";

    private static final int MAX_ARGS = 100_000;
    private static final int MAX_ARG = 1 << 20;

    private final ProcessMemory mem;
    private final long jvmArgs;
    private final long numJvmArgs;
    private final long javaCommand;
    private final long perfStart;
    private final long perfInitialized;

    private HotSpotViews(ProcessMemory mem, VmStructs vs) {
        this.mem = mem;
        this.jvmArgs = vs.field(JVM_ARGS, "char**").address();
        this.numJvmArgs = vs.field(NUM_JVM_ARGS, "int").address();
        this.javaCommand = vs.field(JAVA_COMMAND, "char*").address();
        this.perfStart = vs.field(PERF_START, "char*").address();
        this.perfInitialized = vs.field(PERF_INITIALIZED, "int").address();
    }

    /**
     * Finds the fields in this JVM.
     *
     * @throws IllegalStateException naming what is missing or of another type
     */
    public static HotSpotViews find(ProcessMemory mem) {
        return new HotSpotViews(mem, VmStructs.read(mem,
                Set.of(JVM_ARGS, NUM_JVM_ARGS, JAVA_COMMAND, PERF_START, PERF_INITIALIZED)));
    }

    /** The JVM arguments as they are now. */
    public List<byte[]> jvmArgs() {
        int n = mem.readInt(numJvmArgs);
        long array = mem.readLong(jvmArgs);
        if (n < 0 || n > MAX_ARGS || (n > 0 && array == 0)) {
            throw new IllegalStateException(NUM_JVM_ARGS + " is " + n + " with " + JVM_ARGS + " at 0x" + Long.toHexString(array));
        }
        List<byte[]> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] a = mem.readCString(mem.readLong(array + 8L * i), MAX_ARG);
            args.add(a == null ? new byte[0] : a);
        }
        return args;
    }

    /** The Java command as it is now, or null when there is none. */
    public byte[] javaCommand() {
        return mem.readCString(mem.readLong(javaCommand), MAX_ARG);
    }

    /**
     * Points the JVM arguments at new copies of {@code args}. A longer array is pointed to before
     * the count grows, a shorter one after it shrinks: a reader that reads the count first never
     * runs past the array it then reads.
     */
    public void setJvmArgs(List<byte[]> args) {
        long array = mem.allocate(8L * Math.max(1, args.size()));
        for (int i = 0; i < args.size(); i++) {
            mem.writeLong(array + 8L * i, mem.newCString(args.get(i)));
        }
        int before = mem.readInt(numJvmArgs);
        if (args.size() < before) {
            mem.writeInt(numJvmArgs, args.size());
            mem.writeLong(jvmArgs, array);
        } else {
            mem.writeLong(jvmArgs, array);
            mem.writeInt(numJvmArgs, args.size());
        }
    }

    public void setJavaCommand(byte[] command) {
        mem.writeLong(javaCommand, mem.newCString(command));
    }

    /** The jvmstat memory in use, copied; null when there is none. */
    public PerfData perfData() {
        long start = perfStart();
        if (start == 0) {
            return null;
        }
        int used = PerfData.usedSize(mem.read(start, PerfData.PROLOGUE));
        return PerfData.parse(mem.read(start, used));
    }

    /** The start of the jvmstat memory, or 0 when this JVM keeps none ({@code -XX:-UsePerfData}). */
    private long perfStart() {
        return mem.readInt(perfInitialized) == 0 ? 0 : mem.readLong(perfStart);
    }

    /**
     * Makes the string counter {@code e} of {@link #perfData()} hold {@code value}.
     *
     * @return false, writing nothing, when the value does not fit the counter's length
     */
    public boolean setPerfString(PerfData.Entry e, byte[] value) {
        byte[] padded = PerfData.padded(e, value);
        if (padded == null) {
            return false;
        }
        mem.write(perfStart() + e.dataOffset(), padded);
        return true;
    }
}
