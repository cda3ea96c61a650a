package dev.selfrestore.agent.internal;

import dev.selfrestore.nativeshim.ProcessMemory;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.jvm.HotSpotViews;
import dev.selfrestore.runtime.jvm.JvmArguments;
import dev.selfrestore.runtime.jvm.PerfData;
import java.lang.instrument.Instrumentation;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code jvm=restore}: this JVM's own views of its launch become the checkpointed JVM's, before
 * {@code main}. The original's launch ({@link JvmArguments}) gives:
 * <ul>
 *   <li>system properties: its {@code -D} options and {@code sun.java.command};</li>
 *   <li>HotSpot's {@code Arguments} (found through {@link HotSpotViews}): the JVM arguments
 *       ({@code RuntimeMXBean.getInputArguments()}, {@code jcmd VM.command_line}'s
 *       {@code jvm_args}) and the Java command ({@code java_command});</li>
 *   <li>jvmstat ({@code jps}): {@code sun.rt.javaCommand} and {@code java.rt.vmArgs}. In premain
 *       HotSpot has not made them yet: it makes them afterwards from the restored arguments. In a
 *       running JVM ({@code attach}) they are written in place when the new value fits;</li>
 *   <li>RuntimeMXBean's cached list ({@code VMManagementImpl.vmArgs}), when something read it
 *       before: emptied, so that it is read again.</li>
 * </ul>
 * A view that cannot be changed is named in a note and left as it was; what a running JVM cannot
 * take back (its options, class path, other agents) is named as a difference.
 */
final class JvmViews {

    /**
     * @param item        the summary's item, such as {@code JVM views (5 options, 2 properties, …: 1.2 ms)}, with
     *                    the time its own work took
     * @param notes       the views left as they were, each with why
     * @param differences what this JVM keeps of its own launch, or null
     */
    record Outcome(String item, List<String> notes, String differences) {
    }

    /** test-faults items (testing jar only) that make a view's layout missing or every jvmstat string too short. */
    static final String FAULT_NO_LAYOUT = "no-hotspot-layout";
    static final String FAULT_SHORT_JVMSTAT = "short-jvmstat";

    private static final String JVMSTAT_COMMAND = "sun.rt.javaCommand";
    private static final String JVMSTAT_ARGS = "java.rt.vmArgs";

    private final Instrumentation inst;
    private final boolean attached;
    private final String agentArgs;
    private final String faults;
    private final Charset jnu;
    private final List<String> notes = new ArrayList<>();
    private final List<String> views = new ArrayList<>();

    private JvmViews(Instrumentation inst, boolean attached, String agentArgs, String faults) {
        this.inst = inst;
        this.attached = attached;
        this.agentArgs = agentArgs == null ? "" : agentArgs;
        this.faults = faults == null ? "" : "+" + faults + "+";
        this.jnu = JnuCharset.get();
    }

    /**
     * @param agentArgs this agent's argument string, to know its own {@code -javaagent} option
     * @param faults    the {@code test-faults=} spec, or null
     */
    static Outcome restore(MmDescriptor d, Instrumentation inst, boolean attached, String agentArgs, String faults) {
        if (d.jvm() == null) {
            return new Outcome(null, List.of("JVM views not changed: the original is not a JVM whose launch is known"),
                    null);
        }
        long t0 = System.nanoTime();
        JvmArguments original = JvmArguments.of(d.jvm(), d.cmdline(), d.environ());
        return new JvmViews(inst, attached, agentArgs, faults).apply(original, t0);
    }

    private Outcome apply(JvmArguments original, long t0) {
        int properties = properties(original);
        List<byte[]> own = hotspot(original);
        RuntimeMxBeanCache.State cache = RuntimeMxBeanCache.reset(inst);
        if (cache == RuntimeMxBeanCache.State.KEPT) {
            notes.add("RuntimeMXBean.getInputArguments() left as it was: it was read before and its list cannot be "
                    + "emptied (java.management's sun.management not accessible)");
        }
        String item = "JVM views (" + original.jvmArgs().size() + " options, " + properties + " properties"
                + (views.isEmpty() ? "" : ", " + String.join(", ", views)) + ": "
                + AgentRunner.millis(System.nanoTime() - t0) + " ms)";
        return new Outcome(item, List.copyOf(notes), differences(original, own));
    }

    /** The original's -D options and sun.java.command as system properties; how many were set. */
    private int properties(JvmArguments original) {
        List<String> replaced = new ArrayList<>();
        int set = 0;
        for (JvmArguments.Property p : original.properties()) {
            String name = new String(p.name(), jnu);
            if (name.startsWith("jdk.module.") || name.startsWith("jdk.internal.") || name.isEmpty()) {
                continue; // read by the JDK at start-up and removed from the properties it keeps
            }
            String value = new String(p.value(), jnu);
            String before = System.setProperty(name, value);
            set++;
            if (before != null && !before.equals(value) && !replaced.contains(name)) {
                replaced.add(name);
            }
        }
        if (original.javaCommand() != null) {
            System.setProperty("sun.java.command", new String(original.javaCommand(), jnu));
        } else {
            notes.add("sun.java.command left as it was: the original ran a source file");
        }
        if (!replaced.isEmpty()) {
            views.add("replaced " + String.join(" ", replaced));
        }
        return set;
    }

    /** HotSpot's Arguments and jvmstat; returns this JVM's own JVM arguments as they were (null if unknown). */
    private List<byte[]> hotspot(JvmArguments original) {
        HotSpotViews hs;
        List<byte[]> own;
        try {
            if (faults.contains("+" + FAULT_NO_LAYOUT + "+")) {
                throw new IllegalStateException("gHotSpotVMStructs not found [fault injected]");
            }
            hs = HotSpotViews.find(ProcessMemory.self());
            own = hs.jvmArgs();
        } catch (RuntimeException | LinkageError e) {
            notes.add("RuntimeMXBean.getInputArguments(), jcmd VM.command_line and jps left as they were: " + e.getMessage());
            return null;
        }
        try {
            hs.setJvmArgs(original.jvmArgs());
            if (original.javaCommand() != null) {
                hs.setJavaCommand(original.javaCommand());
            }
        } catch (RuntimeException e) {
            notes.add("RuntimeMXBean.getInputArguments(), jcmd VM.command_line and jps left as they were: " + e.getMessage());
            return own;
        }
        views.add("RuntimeMXBean, jcmd");
        jvmstat(hs, original);
        return own;
    }

    private void jvmstat(HotSpotViews hs, JvmArguments original) {
        PerfData perf;
        try {
            perf = hs.perfData();
        } catch (RuntimeException e) {
            notes.add("jps left as it was: jvmstat memory not readable: " + e.getMessage());
            return;
        }
        if (perf == null) {
            return; // -XX:-UsePerfData: no jps to show anything
        }
        List<String> left = new ArrayList<>();
        if (original.javaCommand() != null) {
            jvmstatString(hs, perf, JVMSTAT_COMMAND, original.javaCommand(), left);
        }
        jvmstatString(hs, perf, JVMSTAT_ARGS, original.jvmArgsLine(), left);
        if (left.isEmpty()) {
            views.add("jps");
        } else {
            notes.addAll(left);
        }
    }

    private void jvmstatString(HotSpotViews hs, PerfData perf, String name, byte[] value, List<String> left) {
        PerfData.Entry e = perf.string(name);
        if (faults.contains("+" + FAULT_SHORT_JVMSTAT + "+")) {
            left.add("jvmstat " + name + " left as it was: the original's " + value.length + " bytes do not fit its "
                    + (e == null ? value.length - 1 : e.length() - 1) + " [fault injected]");
        } else if (e == null && !attached) {
            // premain runs before HotSpot makes these counters (StatSampler::engage, after the VM
            // init event): it makes them from the arguments as restored, each as long as its value
        } else if (e == null) {
            left.add("jvmstat " + name + " left as it was: this JVM has no such counter");
        } else if (!hs.setPerfString(e, value)) {
            left.add("jvmstat " + name + " left as it was: the original's " + value.length + " bytes do not fit its "
                    + (e.length() - 1));
        }
    }

    /** What this JVM keeps of its own launch: options, and the class path. */
    private String differences(JvmArguments original, List<byte[]> own) {
        List<String> parts = new ArrayList<>();
        if (own != null) {
            List<String> theirs = options(original.jvmArgs());
            List<String> ours = options(own);
            ours.removeIf(o -> o.startsWith("-javaagent:") && (o.endsWith("=" + agentArgs)
                    || agentArgs.isEmpty() && o.indexOf('=') < 0));
            List<String> onlyTheirs = new ArrayList<>(theirs);
            onlyTheirs.removeAll(ours);
            List<String> onlyOurs = new ArrayList<>(ours);
            onlyOurs.removeAll(theirs);
            if (!onlyTheirs.isEmpty() || !onlyOurs.isEmpty()) {
                parts.add("JVM options differ: " + joined(onlyTheirs) + " (checkpointed) vs " + joined(onlyOurs)
                        + " (this JVM)");
            }
        }
        String cp = System.getProperty("java.class.path", "");
        if (original.classPath() != null && !Arrays.equals(original.classPath(), cp.getBytes(jnu))) {
            parts.add("class path differs: " + new String(original.classPath(), jnu) + " (checkpointed) vs " + cp
                    + " (this JVM)");
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    /** The options that are not -D ones (properties are restored), as text. */
    private List<String> options(List<byte[]> args) {
        List<String> r = new ArrayList<>();
        for (byte[] a : args) {
            if (!(a.length > 2 && a[0] == '-' && a[1] == 'D')) {
                r.add(new String(a, jnu));
            }
        }
        return r;
    }

    private static String joined(List<String> options) {
        return options.isEmpty() ? "none" : String.join(" ", options);
    }
}
