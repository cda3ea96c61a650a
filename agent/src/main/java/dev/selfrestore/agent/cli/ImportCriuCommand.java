package dev.selfrestore.agent.cli;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.criu.CriuImageReader;
import dev.selfrestore.runtime.criu.ImageFiles;
import dev.selfrestore.runtime.criu.ImportedTask;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code import criu IMAGE_DIR [--pid PID] --out FILE [--force] [--json]}. */
@Command(name = "criu", mixinStandardHelpOptions = true,
        description = {"Writes the descriptor of one process of a CRIU image directory (criu dump -D, or a CRaC "
                + "checkpoint directory, -XX:CRaCCheckpointTo).",
            "Reads inventory.img, pstree.img, core-PID.img, mm-PID.img, files.img (reg-files.img in older images), "
                + "remap-fpath.img, and the command line and environment from pagemap-PID.img and pages-N.img "
                + "(following the 'parent' link of an incremental dump).",
            "No process is needed: the image is the checkpoint."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:written", "2:usage error, or the image could not be read or the file written"})
final class ImportCriuCommand extends CliCommand {
    @Parameters(paramLabel = "IMAGE_DIR", description = "the directory criu dump wrote")
    Path dir;

    @Option(names = "--pid", paramLabel = "PID", description = "the process to import (default: the root of pstree.img)")
    long pid;

    @Mixin
    DescriptorOutput output;

    @Override
    int run() throws CliFailure {
        ImportedTask t = read(dir, pid);
        MmDescriptor d = t.descriptor();
        try {
            DescriptorCodec.write(sys().files(), d, output.out, output.force);
        } catch (FileAlreadyExistsException e) {
            throw new CliFailure(Main.USAGE, output.out + " exists; use --force to overwrite it");
        } catch (IOException e) {
            throw new CliFailure(Main.USAGE, "cannot write " + output.out + ": " + e);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = Json.object();
            m.put("image", dir.toString());
            m.put("pid", d.capture().pid());
            m.put("pids", t.pids());
            m.put("file", output.out.toString());
            m.put("comm", Show.bytes(d.comm()));
            m.put("exe", Show.bytes(d.exe().path()));
            m.put("exe_deleted", t.exeDeleted());
            m.put("jvm", d.jvm() != null);
            stdout.print(Json.write(m));
        } else {
            stdout.println("imported pid " + d.capture().pid() + " (" + RawBytes.escape(d.comm()) + ", "
                    + d.exe().displayPath() + ") from " + dir + " to " + output.out
                    + (t.exeDeleted() == null ? "" : "; a restore will not change exe: " + t.exeDeleted()));
        }
        stdout.flush();
        return Main.OK;
    }

    /** One process of an image directory; {@code pid} 0 for its root. Any problem is one line, exit 2. */
    static ImportedTask read(Path dir, long pid) throws CliFailure {
        if (!Files.isDirectory(dir)) {
            throw new CliFailure(Main.USAGE, dir + ": " + (Files.exists(dir) ? "not a directory" : "no such directory")
                    + ": a CRIU image directory is needed");
        }
        try {
            return CriuImageReader.read(ImageFiles.of(dir), pid);
        } catch (DescriptorFormatException e) {
            throw new CliFailure(Main.USAGE, e.getMessage());
        }
    }
}
