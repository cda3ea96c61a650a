package dev.selfrestore.agent.internal;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.codec.DescriptorTrust;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.restore.RestoreException;
import dev.selfrestore.runtime.restore.RestoreOptions;
import dev.selfrestore.runtime.restore.RestoreResult;
import dev.selfrestore.runtime.restore.Restorer;
import dev.selfrestore.runtime.validate.ValidationException;
import dev.selfrestore.runtime.verify.Difference;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads the descriptor, restores, and reports in one line on stderr. A failure never propagates:
 * the application reaches {@code main} unless {@code strict=true}.
 */
public final class AgentRunner {
    private static final String PREFIX = "selfrestore: ";

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
            runAlone(args, inst);
        }
    }

    private static void runAlone(String args, Instrumentation inst) {
        AgentOptions o = AgentOptions.parse(args);
        AgentReport report = new AgentReport(o, System.err);
        if (o.descriptor != null || !o.errors.isEmpty()) {
            restore(o, inst, report.err());
            report.restoreDone(o);
        }
        if (o.capture != null && o.errors.isEmpty() && !SelfCapture.start(o, report.err()) && o.strict) {
            exit(report.err());
        }
    }

    private static void restore(AgentOptions o, Instrumentation inst, PrintStream err) {
        long t0 = System.nanoTime();
        if (!o.errors.isEmpty()) {
            fail(o, err, "not restored: " + String.join("; ", o.errors), null);
            return;
        }
        if (!System.getProperty("os.name", "").equals("Linux")) {
            fail(o, err, "not restored: selfrestore works on Linux only, this is " + System.getProperty("os.name"), null);
            return;
        }
        try {
            Path file = Path.of(o.descriptor);
            if (!o.insecureDescriptor) {
                DescriptorTrust.check(file, ProcPid.self().effectiveUid());
            }
            MmDescriptor d = DescriptorCodec.read(file);
            List<String> notes = new ArrayList<>();
            MainArgs mainArgs = null;
            if (o.restoreMainArgs) {
                try {
                    // This JVM's own command line, before the restore replaces what /proc shows.
                    mainArgs = MainArgs.plan(d, Files.readAllBytes(Path.of("/proc/self/cmdline")));
                } catch (IllegalStateException | IOException e) {
                    notes.add("main-args not restored: " + e.getMessage());
                }
            }
            RestoreOptions options = new RestoreOptions(
                    o.mode.equals("exact") ? RestoreOptions.Mode.EXACT : RestoreOptions.Mode.RELOCATE,
                    true, true, o.env.equals("all"));
            RestoreResult r = new Restorer(Syscalls.linux()).restore(d, options);
            if (!r.differences().isEmpty()) {
                fail(o, err, "restore of " + o.descriptor + " incomplete: /proc differs: "
                        + r.differences().stream().map(Difference::toString).collect(Collectors.joining("; ")), null);
                return;
            }
            addIfPresent(notes, r.exeNote());
            addIfPresent(notes, r.commNote());
            addIfPresent(notes, r.envNote());
            if (o.env.equals("all") && r.envNote() == null) {
                try {
                    JavaEnvironment.reload(inst);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    notes.add("Java's environment (System.getenv) not changed: " + e);
                }
            }
            if (mainArgs != null) {
                new MainArgsTransformer(inst, mainArgs.mainClass, mainArgs.args, message -> {
                    err.println(PREFIX + message);
                    if (o.strict) {
                        exit(err);
                    }
                }).install();
            }
            long total = System.nanoTime() - t0;
            String summary = summary(d, r, o, mainArgs, total);
            if (!notes.isEmpty()) {
                err.println(PREFIX + "partly restored " + summary + "; " + String.join("; ", notes));
                if (o.strict) {
                    exit(err);
                }
                return;
            }
            if (!o.quiet) {
                err.println(PREFIX + "restored " + summary);
            }
        } catch (IOException e) {
            fail(o, err, "not restored: cannot read this process's user: " + e, e);
        } catch (DescriptorFormatException e) {
            fail(o, err, "not restored: " + e.getMessage(), e);
        } catch (ValidationException e) {
            fail(o, err, "not restored: " + o.descriptor + ": " + e.getMessage(), e);
        } catch (RestoreException e) {
            fail(o, err, (e.changed() ? "partly restored: " : "not restored: ") + o.descriptor + ": " + e.getMessage(), e);
        } catch (UnsupportedOperationException | LinkageError e) {
            fail(o, err, "not restored: " + e, e);
        } catch (RuntimeException e) {
            fail(o, err, "not restored: internal error: " + e, e);
        }
    }

    /** Milliseconds with one decimal, without java.util.Formatter (whose first use costs ~10 ms cold). */
    static String millis(long nanos) {
        long tenths = (nanos + 50_000) / 100_000;
        return tenths / 10 + "." + tenths % 10;
    }

    private static void addIfPresent(List<String> notes, String note) {
        if (note != null) {
            notes.add(note);
        }
    }

    private static String summary(MmDescriptor d, RestoreResult r, AgentOptions o, MainArgs mainArgs, long totalNanos) {
        return "pid " + d.capture().pid() + " (" + r.comm() + ", " + d.exe().displayPath() + "): "
                + (r.exe() == RestoreResult.ExeOutcome.UNCHANGED ? "" : "exe, ")
                + "cmdline (" + r.args() + " args), environ (" + r.envVars() + " vars"
                + (o.env.equals("proc") ? ", /proc only" : "") + "), auxv (" + r.auxvEntries()
                + " entries)" + (r.commNote() == null ? ", comm" : "")
                + (mainArgs != null ? ", main args (" + mainArgs.args.length + ")" : "")
                + (o.mode.equals("exact") ? ", mode=exact" : "")
                + " in " + millis(totalNanos) + " ms";
    }

    private static void fail(AgentOptions o, PrintStream err, String message, Throwable t) {
        err.println(PREFIX + message + (o.strict ? "" : " (application continues)"));
        if (o.debug && t != null) {
            t.printStackTrace(err);
        }
        if (o.strict) {
            exit(err);
        }
    }

    private static void exit(PrintStream err) {
        err.println(PREFIX + "strict=true: exiting before main");
        err.flush();
        System.exit(1);
    }
}
