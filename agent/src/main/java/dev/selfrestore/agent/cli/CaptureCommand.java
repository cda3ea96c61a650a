package dev.selfrestore.agent.cli;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.capture.Capture;
import dev.selfrestore.runtime.capture.CaptureException;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code capture --pid PID --out FILE [--force]}. */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Writes the mm descriptor of a running process to a file.",
            "Needs ptrace-read access to the process (same user, or CAP_SYS_PTRACE).",
            "brk is approximated by the end of the [heap] mapping: /proc does not show it."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:written", "2:usage error, or the process could not be captured or the file written"})
final class CaptureCommand implements Callable<Integer> {
    @Option(names = "--pid", required = true, paramLabel = "PID", description = "the process to capture")
    long pid;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the descriptor file to write")
    Path out;

    @Option(names = "--force", description = "overwrite FILE if it exists")
    boolean force;

    @Override
    public Integer call() {
        try {
            MmDescriptor d = new Capture(Syscalls.linux()).ofPid(pid);
            DescriptorCodec.write(d, out, force);
            System.out.println("captured pid " + pid + " (" + dev.selfrestore.runtime.RawBytes.escape(d.comm()) + ", "
                    + d.exe().displayPath() + ") to " + out);
            return Main.OK;
        } catch (CaptureException e) {
            System.err.println("selfrestore: capture: " + e.getMessage());
        } catch (FileAlreadyExistsException e) {
            System.err.println("selfrestore: capture: " + out + " exists; use --force to overwrite it");
        } catch (IOException e) {
            System.err.println("selfrestore: capture: cannot write " + out + ": " + e);
        }
        return Main.USAGE;
    }
}
