package dev.selfrestore.agent.cli;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.jvm.JvmArguments;
import dev.selfrestore.runtime.jvm.PerfData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * verify's JVM-level items, for a descriptor of a JVM: what {@code jps} reads of the target from
 * outside, in its jvmstat file {@code /tmp/hsperfdata_USER/PID} ({@code sun.rt.javaCommand},
 * {@code java.rt.vmArgs}), against the original's launch. They change only with
 * {@code jvm=restore}, so they are reported and do not count in verify's exit status.
 */
final class JvmstatCheck {

    /** One counter: the original's value and the target's (null when it has none). */
    record Counter(String name, byte[] expected, byte[] actual) {
        boolean matches() {
            return actual != null && Arrays.equals(expected, actual);
        }
    }

    /** The counters compared, or why none were. */
    record Result(List<Counter> counters, String notChecked) {
    }

    private JvmstatCheck() {
    }

    static Result check(MmDescriptor d, long pid, Path procDir) {
        JvmArguments original = JvmArguments.of(d.jvm(), d.cmdline(), d.environ());
        Path file;
        byte[] memory;
        try {
            file = Path.of("/tmp", "hsperfdata_" + Files.getOwner(procDir).getName(), Long.toString(pid));
            memory = Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            return new Result(List.of(), "no jvmstat file of pid " + pid + " to read (" + e.getMessage() + ")");
        }
        PerfData perf;
        try {
            perf = PerfData.parse(memory);
        } catch (RuntimeException e) {
            return new Result(List.of(), file + ": " + e.getMessage());
        }
        List<Counter> counters = new ArrayList<>();
        if (original.javaCommand() != null) {
            counters.add(new Counter("sun.rt.javaCommand", original.javaCommand(), perf.value("sun.rt.javaCommand")));
        }
        counters.add(new Counter("java.rt.vmArgs", original.jvmArgsLine(), perf.value("java.rt.vmArgs")));
        return new Result(counters, null);
    }

    static void print(java.io.PrintWriter out, Result r) {
        if (r.notChecked() != null) {
            out.println("  jvm      not checked: " + r.notChecked());
            return;
        }
        for (Counter c : r.counters()) {
            out.println(String.format("  jvm      %s %s (jps; not in the exit status)", c.name(), c.matches() ? "matches" : "differs"));
            if (!c.matches()) {
                out.println("    - " + Show.quoted(c.expected()));
                out.println("    + " + (c.actual() == null ? "(no such counter)" : Show.quoted(c.actual())));
            }
        }
    }

    static Map<String, Object> json(Result r) {
        Map<String, Object> m = Json.object();
        m.put("counted_in_match", false);
        m.put("not_checked", r.notChecked());
        Map<String, Object> counters = Json.object();
        for (Counter c : r.counters()) {
            Map<String, Object> x = Json.object();
            x.put("match", c.matches());
            x.put("expected", Show.bytes(c.expected()));
            x.put("actual", c.actual() == null ? null : Show.bytes(c.actual()));
            counters.put(c.name(), x);
        }
        m.put("jvmstat", counters);
        return m;
    }
}
