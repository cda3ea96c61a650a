package dev.selfrestore.agent.internal;

import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Spawned;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.capture.Capture;
import dev.selfrestore.runtime.capture.CaptureException;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.trust.TrustException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * The agent option {@code capture=FILE}: writes the descriptor of the JVM the agent runs in, with
 * the exact brk (read with brk(0) inside the process), once when the agent starts, after any
 * restore, and again just before each CRaC checkpoint.
 *
 * <p><b>CRaC.</b> The capture registers itself with {@code org.crac.Core.getGlobalContext()}. That
 * org.crac is our own copy, inside selfrestore's module layer: the application never sees it, and an
 * application's own org.crac is a different class that we never see. Both are bridges to the JDK's
 * {@code jdk.crac} (in java.base on a CRaC JDK, reached through the platform class loader), so both
 * take part in the same checkpoint. On a JDK without CRaC, org.crac finds no {@code jdk.crac} and
 * registering does nothing. The JDK's global context calls resources in the reverse order of
 * registration: registered in premain, before the application's own, this capture runs last
 * before a checkpoint, once the application has quiesced. org.crac keeps only a weak reference to a
 * resource, so the one instance is held here, for the life of the JVM.
 *
 * <p><b>JDK 24 and later.</b> The codec (Chronicle Bytes) uses {@code sun.misc.Unsafe}'s memory
 * access, for which these JDKs print a warning on the application's stderr, and only the JVM's
 * command line can allow it. So there the descriptor is written by a child process, the command
 * line's {@code capture --pid SELF --brk ADDR} run by this JDK with
 * {@code --sun-misc-unsafe-memory-access=allow}: it reads this process from outside, as any
 * capture does, and takes from here the one value only this process can know, its exact brk.
 * The child is started with {@code posix_spawn} and waited for (no JDK thread is left behind),
 * with an environment of its own (no {@code JAVA_TOOL_OPTIONS} that could load this agent again)
 * and its output kept: its failure becomes this agent's one line.
 *
 * <p>A file that exists is not overwritten unless {@code capture-force=true}, with one exception:
 * the captures before checkpoints replace the file this JVM wrote itself. A capture that fails is
 * reported on stderr and never fails the checkpoint.
 */
final class SelfCapture implements Resource {
    /** Keeps the registered resource strongly reachable: org.crac holds it weakly. */
    private static volatile SelfCapture registered;

    private final Syscalls sys;
    private final Path file;
    private final boolean force;
    private final boolean quiet;
    private final AgentReport report;
    private volatile boolean wroteFile;

    private SelfCapture(Syscalls sys, AgentOptions o, AgentReport report) {
        this.sys = sys;
        this.file = Path.of(o.capture).toAbsolutePath();
        this.force = o.captureForce;
        this.quiet = o.quiet;
        this.report = report;
    }

    /**
     * Captures now and registers for checkpoints; returns false when this first capture failed.
     *
     * @param sys the calls every capture of this JVM makes
     */
    static boolean start(Syscalls sys, AgentOptions o, AgentReport report) {
        SelfCapture c = new SelfCapture(sys, o, report);
        boolean ok = c.capture("");
        if (registered == null) {
            registered = c;
            try {
                Core.getGlobalContext().register(c);
            } catch (RuntimeException | LinkageError e) {
                report.print(AgentReport.Kind.DETAIL,
                        "no capture before CRaC checkpoints: cannot register with org.crac: " + e);
            }
        }
        return ok;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        capture(" before a checkpoint");
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // CRIU has restored this process as it was: nothing to capture until the next checkpoint.
    }

    private boolean capture(String when) {
        long t0 = System.nanoTime();
        try {
            boolean replace = force || wroteFile;
            if (Runtime.version().feature() >= IN_CHILD_FROM_FEATURE) {
                if (!replace && java.nio.file.Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new FileAlreadyExistsException(file.toString());
                }
                String failure = inChild(replace);
                if (failure != null) {
                    notCaptured("not captured" + when + ": " + failure);
                    return false;
                }
                wroteFile = true;
                if (!quiet) {
                    ProcPid self = ProcPid.self();
                    reportCaptured(self.pid(), RawBytes.escape(self.comm()),
                            RawBytes.escape(sys.files().readlink(bytes("/proc/self/exe"))), when, t0);
                }
                return true;
            }
            MmDescriptor d = new Capture(sys).ofSelf();
            DescriptorCodec.write(sys.files(), d, file, replace);
            wroteFile = true;
            if (!quiet) {
                reportCaptured(d.capture().pid(), RawBytes.escape(d.comm()), d.exe().displayPath(), when, t0);
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            notCaptured("not captured" + when + ": " + file + " exists; capture-force=true overwrites it");
        } catch (CaptureException e) {
            notCaptured("not captured" + when + ": " + e.getMessage());
        } catch (TrustException e) {
            notCaptured("not captured" + when + ": cannot write " + file + ": " + e.getMessage());
        } catch (IOException e) {
            notCaptured("not captured" + when + ": cannot write " + file + ": " + e);
        } catch (NativeCallException e) {
            notCaptured("not captured" + when + ": cannot write " + file + ": " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            notCaptured("not captured" + when + ": internal error: " + e);
        }
        return false;
    }

    private void reportCaptured(long pid, String comm, String exe, String when, long t0) {
        report.print(AgentReport.Kind.CAPTURED, "captured pid " + pid + " (" + comm + ", " + exe + ") to " + file + when
                + ", brk exact, in " + AgentRunner.millis(System.nanoTime() - t0) + " ms");
    }

    private void notCaptured(String text) {
        report.print(AgentReport.Kind.NOT_CAPTURED, text);
    }

    /** The first JDK that warns about sun.misc.Unsafe's memory access by default (JEP 498). */
    static final int IN_CHILD_FROM_FEATURE = 24;

    private static final String CLI_FAILURE = "selfrestore: capture: ";

    /**
     * Runs the command line's capture of this process in a child JVM; returns null when it wrote
     * the file, else why not.
     */
    private String inChild(boolean replace) throws IOException {
        long brk = sys.mm().currentBrk();
        long pid = ProcPid.self().pid();
        String java = System.getProperty("java.home") + "/bin/java";
        List<String> argv = new ArrayList<>(List.of(java,
                "--sun-misc-unsafe-memory-access=allow", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-jar", ownJar(), "capture", "--pid", Long.toString(pid), "--brk", Long.toHexString(brk),
                "--out", file.toString()));
        if (replace) {
            argv.add("--force");
        }
        // The child's file names are decoded as this JVM's are: the C library's locale.
        byte[][] envp = "UTF-8".equals(System.getProperty("sun.jnu.encoding"))
                ? new byte[][] {bytes("LC_ALL=C.UTF-8")} : new byte[0][];
        byte[][] args = new byte[argv.size()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = argv.get(i).getBytes(JnuCharset.get());
        }
        Spawned child = sys.processes().spawnAndWait(args[0], args, envp);
        if (child.status() == 0) {
            return null;
        }
        String output = new String(child.output(), StandardCharsets.UTF_8).strip();
        int at = output.indexOf(CLI_FAILURE);
        if (at >= 0) {
            int end = output.indexOf('\n', at);
            return output.substring(at + CLI_FAILURE.length(), end < 0 ? output.length() : end);
        }
        return "the capturing process (" + java + ") exited with status " + child.status()
                + (output.isEmpty() ? "" : ": " + output.replace('\n', ' '));
    }

    private static String ownJar() throws IOException {
        try {
            return Path.of(SelfCapture.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new IOException("cannot locate the selfrestore jar: " + e, e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
