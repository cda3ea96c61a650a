package dev.selfrestore.agent.cli;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.capture.Capture;
import dev.selfrestore.runtime.capture.CaptureException;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.trust.TrustException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code capture --pid PID --out FILE [--force] [--brk ADDR] [--json]}. */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Writes the mm descriptor of a running process to a file.",
            "Needs ptrace-read access to the process (same user, or CAP_SYS_PTRACE).",
            "brk is approximated by the end of the [heap] mapping: /proc does not show it.",
            "A process still in execve is read again for up to 1 s, then refused; one that changes "
                + "while it is read is read again.",
            "A JVM captures itself, with the exact brk, through the agent: "
                + "-javaagent:selfrestore.jar=capture=FILE[,capture-force=true]."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:written", "2:usage error, or the process could not be captured or the file written"})
final class CaptureCommand extends CliCommand {
    @Option(names = "--pid", required = true, paramLabel = "PID", description = "the process to capture")
    long pid;

    @Mixin
    DescriptorOutput output;

    @Option(names = "--brk", paramLabel = "ADDR", converter = HexAddress.class,
            description = {"the process's exact brk (hex), as it reads it itself with brk(0):",
                "recorded instead of the [heap] approximation"})
    Long brk;

    /** {@code 0x55d0c0a3e000} or {@code 55d0c0a3e000}. */
    static final class HexAddress implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String digits = value.startsWith("0x") || value.startsWith("0X") ? value.substring(2) : value;
            try {
                return Long.parseUnsignedLong(digits, 16);
            } catch (NumberFormatException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a hexadecimal address");
            }
        }
    }

    @Override
    int run() throws CliFailure {
        try {
            Capture capture = new Capture(sys());
            MmDescriptor d = brk == null ? capture.ofPid(pid) : capture.ofPid(pid, brk);
            DescriptorCodec.write(sys().files(), d, output.out, output.force);
            PrintWriter stdout = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = Json.object();
                m.put("pid", pid);
                m.put("file", output.out.toString());
                m.put("comm", Show.bytes(d.comm()));
                m.put("exe", Show.bytes(d.exe().path()));
                m.put("brk_source", d.brkSource().name().toLowerCase(Locale.ROOT));
                stdout.print(Json.write(m));
            } else {
                stdout.println("captured pid " + pid + " (" + RawBytes.escape(d.comm()) + ", " + d.exe().displayPath()
                        + ") to " + output.out);
            }
            stdout.flush();
            return Main.OK;
        } catch (CaptureException e) {
            throw new CliFailure(Main.USAGE, e.getMessage());
        } catch (FileAlreadyExistsException e) {
            throw new CliFailure(Main.USAGE, output.out + " exists; use --force to overwrite it");
        } catch (TrustException e) {
            throw new CliFailure(Main.USAGE, "cannot write " + output.out + ": " + e.getMessage());
        } catch (IOException e) {
            throw new CliFailure(Main.USAGE, "cannot write " + output.out + ": " + e);
        }
    }
}
