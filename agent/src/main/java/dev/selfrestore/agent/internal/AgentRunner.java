package dev.selfrestore.agent.internal;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.edit.IdentityEditor;
import dev.selfrestore.runtime.restore.RestoreException;
import dev.selfrestore.runtime.restore.RestoreOptions;
import dev.selfrestore.runtime.restore.RestoreResult;
import dev.selfrestore.runtime.restore.Restorer;
import dev.selfrestore.runtime.validate.ValidationException;
import dev.selfrestore.runtime.verify.Difference;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads the descriptor, restores, and reports the {@link RestoreVerdict} in one line on stderr
 * (and in the report, {@link AgentReport}). A failure never propagates: the application reaches
 * {@code main} unless {@code strict=true}.
 */
public final class AgentRunner {
    private AgentRunner() {
    }

    /**
     * One restore at a time in a JVM. The attach listener runs agentmain calls one after another,
     * but premain and an attach that arrives during it, or an application that calls agentmain
     * itself, would otherwise interleave: one restore's PR_SET_MM_MAP between another's call and its
     * check of /proc, or the C library's environ pointed at one area while /proc shows the other.
     */
    private static final Object RESTORE_LOCK = new Object();

    public static void run(String args, Instrumentation inst, boolean attached) {
        synchronized (RESTORE_LOCK) {
            runAlone(args, inst, attached);
        }
    }

    private static void runAlone(String args, Instrumentation inst, boolean attached) {
        AgentOptions o = AgentOptions.parse(args);
        AgentReport report = new AgentReport(o, System.err);
        String os = System.getProperty("os.name", "");
        if (!os.equals("Linux")) {
            // Before anything else, so that nothing native (JNA included) is even loaded.
            String why = "selfrestore works on Linux only, this is " + os;
            if (o.descriptor == null && o.capture != null) {
                report.print(AgentReport.Kind.NOT_CAPTURED,
                        "not captured: " + why + (o.strict ? "" : RestoreVerdict.CONTINUES));
                exitIfStrict(o, report);
            } else {
                finish(o, report, RestoreVerdict.notRestored(why, null));
            }
            return;
        }
        // The calls this run makes, bound here and handed to everything that calls the kernel: with
        // test-faults=, decorated once, so that a restore and a capture after it count calls together.
        Syscalls[] kernel = new Syscalls[1];
        if (o.descriptor != null || !o.errors.isEmpty()) {
            finish(o, report, restore(o, inst, report, attached, kernel));
        }
        if (o.capture != null && o.errors.isEmpty()) {
            Syscalls sys = kernel[0];
            try {
                if (sys == null) {
                    sys = decorated(o, Syscalls.linux());
                }
            } catch (RuntimeException | LinkageError e) {
                report.print(AgentReport.Kind.NOT_CAPTURED, "not captured: internal error: " + e);
                exitIfStrict(o, report);
                return;
            }
            if (!SelfCapture.start(sys, o, report)) {
                exitIfStrict(o, report);
            }
        }
    }

    /** {@code real}, or with {@code test-faults=SPEC} the testing jar's decoration of it. */
    private static Syscalls decorated(AgentOptions o, Syscalls real) {
        return o.testFaults == null ? real : TestFaults.apply(real, o.testFaults);
    }

    /** Reports the verdict; with strict=true anything short of restored ends the JVM. */
    private static void finish(AgentOptions o, AgentReport report, RestoreVerdict verdict) {
        report.restore(verdict);
        if (verdict.kind() != RestoreVerdict.Kind.RESTORED) {
            exitIfStrict(o, report);
        }
    }

    /** @param kernel receives the calls the restore made, once the C library is bound */
    private static RestoreVerdict restore(AgentOptions o, Instrumentation inst, AgentReport report, boolean attached,
                                          Syscalls[] kernel) {
        long t0 = System.nanoTime();
        if (!o.errors.isEmpty()) {
            return RestoreVerdict.notRestored(String.join("; ", o.errors), null);
        }
        try {
            Path input = Path.of(o.descriptor);
            boolean image = DescriptorRead.precheck(input, o.pid);
            Syscalls sys = decorated(o, Syscalls.linux());
            kernel[0] = sys;
            // Opened, checked and read through libc (one open file), then decoded.
            DescriptorRead read = DescriptorRead.read(sys.files(), input, image, !o.insecureDescriptor, o.pid);
            MmDescriptor d = read.descriptor();
            int editsBefore = d.edited() ? d.provenance().edits().size() : 0;
            try {
                d = RestoreEdits.apply(sys.files(), o, d, ProcPid.self().effectiveUid(), sys.memory().pageSize());
            } catch (RestoreEdits.Refused e) {
                return RestoreVerdict.notRestored(o.descriptor + ": " + e.getMessage(), e);
            }
            List<String> notes = new ArrayList<>();
            MainArgs mainArgs = null;
            if (o.restoreMainArgs || o.restoreJvm && !attached) {
                try {
                    // This JVM's own command line, before the restore replaces what /proc shows.
                    mainArgs = MainArgs.plan(d, Files.readAllBytes(Path.of("/proc/self/cmdline")));
                } catch (IllegalStateException | IOException e) {
                    notes.add("main-args not restored: " + e.getMessage());
                }
            }
            String exeDeleted = read.exeDeleted(); // an image whose exe was deleted: restore the rest
            RestoreOptions options = RestoreOptions.defaults().withMode(o.mode)
                    .withChangeExe(exeDeleted == null).withLibcEnvironment(o.env == AgentOptions.Env.ALL);
            RestoreResult r = new Restorer(sys).restore(d, options);
            if (!r.differences().isEmpty()) {
                return RestoreVerdict.stoppedPartway("restore of " + o.descriptor + " incomplete: /proc differs: "
                        + r.differences().stream().map(Difference::toString).collect(Collectors.joining("; ")), null);
            }
            addIfPresent(notes, r.kernelNote());
            addIfPresent(notes, exeDeleted != null ? "exe not changed: " + exeDeleted : r.exeNote());
            addIfPresent(notes, r.commNote());
            addIfPresent(notes, r.envNote());
            if (o.env == AgentOptions.Env.ALL && r.envNote() == null) {
                try {
                    JavaEnvironment.reload(inst, !attached);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    notes.add("Java's environment (System.getenv) not changed: " + e);
                }
            }
            JvmViews.Outcome jvm = null;
            if (o.restoreJvm) {
                jvm = JvmViews.restore(d, inst, attached, o.raw, o.testFaults);
                notes.addAll(jvm.notes());
            }
            if (mainArgs != null) {
                new MainArgsTransformer(inst, mainArgs.mainClass, mainArgs.args, message -> {
                    report.print(AgentReport.Kind.DETAIL, message);
                    exitIfStrict(o, report);
                }).install();
            }
            long total = System.nanoTime() - t0;
            String summary = summary(d, r, o, mainArgs, jvm, editsBefore, total)
                    + (read.skipped() != null ? " (insecure-descriptor=true: read although " + read.skipped() + ")" : "");
            return notes.isEmpty() ? RestoreVerdict.restored(summary) : RestoreVerdict.partly(summary, notes);
        } catch (IOException e) {
            return RestoreVerdict.notRestored("cannot read this process's user: " + e, e);
        } catch (DescriptorFormatException e) {
            return RestoreVerdict.notRestored(e.getMessage(), e);
        } catch (ValidationException e) {
            return RestoreVerdict.notRestored(o.descriptor + ": " + e.getMessage(), e);
        } catch (RestoreException e) {
            return e.changed()
                    ? RestoreVerdict.stoppedPartway("partly restored: " + o.descriptor + ": " + e.getMessage(), e)
                    : RestoreVerdict.notRestored(o.descriptor + ": " + e.getMessage(), e);
        } catch (UnsupportedOperationException | LinkageError e) {
            return RestoreVerdict.notRestored(String.valueOf(e), e);
        } catch (RuntimeException e) {
            return RestoreVerdict.notRestored("internal error: " + e, e);
        }
    }

    /** Milliseconds with one decimal, without java.util.Formatter (whose first use is costly in a cold JVM). */
    static String millis(long nanos) {
        long tenths = (nanos + 50_000) / 100_000;
        return tenths / 10 + "." + tenths % 10;
    }

    private static void addIfPresent(List<String> notes, String note) {
        if (note != null) {
            notes.add(note);
        }
    }

    private static String summary(MmDescriptor d, RestoreResult r, AgentOptions o, MainArgs mainArgs, JvmViews.Outcome jvm,
                                  int editsBefore, long totalNanos) {
        List<String> items = new ArrayList<>();
        if (r.exe() != RestoreResult.ExeOutcome.UNCHANGED) {
            items.add("exe");
        }
        if (r.kernelNote() == null) {
            items.add("cmdline (" + r.args() + " args)");
            items.add("environ (" + r.envVars() + " vars" + (o.env == AgentOptions.Env.PROC ? ", /proc only" : "") + ")");
            items.add("auxv (" + r.auxvEntries() + " entries)");
        } else if (o.env == AgentOptions.Env.ALL && r.envNote() == null) {
            items.add("environ (" + r.envVars() + " vars, C library and Java only)");
        }
        if (r.commNote() == null) {
            items.add("comm");
        }
        if (mainArgs != null) {
            items.add("main args (" + mainArgs.args.length + ")");
        }
        if (jvm != null && jvm.item() != null) {
            items.add(jvm.item());
        }
        return "pid " + d.capture().pid() + " (" + r.comm() + ", " + d.exe().displayPath() + "): "
                + (items.isEmpty() ? "nothing" : String.join(", ", items))
                + (o.mode == RestoreOptions.Mode.EXACT ? ", mode=exact" : "")
                + (d.edited() ? " (edited: " + IdentityEditor.changes(d.provenance().edits().size())
                        + (editsBefore == 0 || editsBefore == d.provenance().edits().size() ? ""
                        : ", " + (d.provenance().edits().size() - editsBefore) + " at restore") + ")" : "")
                + " in " + millis(totalNanos) + " ms"
                + (jvm != null && jvm.differences() != null ? "; " + jvm.differences() : "");
    }

    private static void exitIfStrict(AgentOptions o, AgentReport report) {
        if (o.strict) {
            report.print(AgentReport.Kind.DETAIL, "strict=true: exiting before main");
            System.exit(1);
        }
    }
}
