package dev.selfrestore.agent.internal;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.capture.Capture;
import dev.selfrestore.runtime.capture.CaptureException;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.trust.TrustException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
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
 * <p>A file that exists is not overwritten unless {@code capture-force=true}, with one exception:
 * the captures before checkpoints replace the file this JVM wrote itself. A capture that fails is
 * reported on stderr and never fails the checkpoint.
 */
final class SelfCapture implements Resource {
    private static final String PREFIX = "selfrestore: ";

    /** Keeps the registered resource strongly reachable: org.crac holds it weakly. */
    private static volatile SelfCapture registered;

    private final Path file;
    private final boolean force;
    private final boolean quiet;
    private final PrintStream err;
    private volatile boolean wroteFile;

    private SelfCapture(AgentOptions o, PrintStream err) {
        this.file = Path.of(o.capture).toAbsolutePath();
        this.force = o.captureForce;
        this.quiet = o.quiet;
        this.err = err;
    }

    /** Captures now and registers for checkpoints; returns false when this first capture failed. */
    static boolean start(AgentOptions o, PrintStream err) {
        SelfCapture c = new SelfCapture(o, err);
        boolean ok = c.capture("");
        if (registered == null) {
            registered = c;
            try {
                Core.getGlobalContext().register(c);
            } catch (RuntimeException | LinkageError e) {
                err.println(PREFIX + "no capture before CRaC checkpoints: cannot register with org.crac: " + e);
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
            MmDescriptor d = new Capture(Syscalls.linux()).ofSelf();
            DescriptorCodec.write(d, file, force || wroteFile);
            wroteFile = true;
            if (!quiet) {
                err.println(PREFIX + "captured pid " + d.capture().pid() + " (" + RawBytes.escape(d.comm()) + ", "
                        + d.exe().displayPath() + ") to " + file + when + ", brk exact, in "
                        + AgentRunner.millis(System.nanoTime() - t0) + " ms");
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            err.println(PREFIX + "not captured" + when + ": " + file + " exists; capture-force=true overwrites it");
        } catch (CaptureException e) {
            err.println(PREFIX + "not captured" + when + ": " + e.getMessage());
        } catch (TrustException e) {
            err.println(PREFIX + "not captured" + when + ": cannot write " + file + ": " + e.getMessage());
        } catch (IOException e) {
            err.println(PREFIX + "not captured" + when + ": cannot write " + file + ": " + e);
        } catch (RuntimeException | LinkageError e) {
            err.println(PREFIX + "not captured" + when + ": internal error: " + e);
        }
        return false;
    }
}
