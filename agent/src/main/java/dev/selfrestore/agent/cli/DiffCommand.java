package dev.selfrestore.agent.cli;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.edit.IdentityEditor;
import dev.selfrestore.runtime.verify.Changes;
import dev.selfrestore.runtime.verify.Item;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code diff FILE1 FILE2 [--json]}. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Shows what differs between two descriptors, item by item: the format version, each "
                + "prctl_mm_map field and the brk source, auxv entries by AT_* name, the executable's path and "
                + "identity, cmdline arguments by position, how a JVM was launched, environment variables by name "
                + "(added, removed, changed), comm, the capture metadata, and for an edited descriptor its "
                + "provenance (source and edits).",
            "A change is shown as OLD -> NEW; '-' marks what only FILE1 has, '+' what only FILE2 has."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:no differences", "1:the descriptors differ", "2:usage error, or a file is missing, "
                + "unreadable, damaged or not a descriptor"})
final class DiffCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "FILE1", description = "the first descriptor, or a CRIU image directory")
    Path file1;

    @Parameters(index = "1", paramLabel = "FILE2", description = "the second descriptor, or a CRIU image directory")
    Path file2;

    @Override
    int run() throws CliFailure {
        DescriptorFile a = DescriptorFile.readWhole(file1);
        DescriptorFile b = DescriptorFile.readWhole(file2);
        Changes changes = new Changes()
                .value(Item.FORMAT, "version", a.formatVersion(), b.formatVersion())
                .addBetween(a.descriptor(), b.descriptor());

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> root = Json.object();
            root.put("file1", file1.toString());
            root.put("file2", file2.toString());
            root.put("identical", changes.isEmpty());
            root.put("differences", Show.json(changes.list(), "file1", "file2"));
            out.print(Json.write(root));
        } else {
            out.println("--- " + file1 + "  " + about(a));
            out.println("+++ " + file2 + "  " + about(b));
            for (String line : Show.lines(changes.list(), "")) {
                out.println(line);
            }
            out.println(changes.isEmpty() ? "no differences" : Show.plural(changes.list().size(), "difference",
                    "differences"));
        }
        out.flush();
        return changes.isEmpty() ? Main.OK : Main.CHECK_FAILED;
    }

    private static String about(DescriptorFile f) {
        MmDescriptor d = f.descriptor();
        return "(pid " + d.capture().pid() + ", " + d.exe().displayPath() + ", "
                + (f.image() != null ? "CRIU image, img_version " + f.image().imageVersion()
                : "captured " + Show.time(d.capture().timeMillis()))
                + (d.edited() ? ", edited: " + IdentityEditor.changes(d.provenance().edits().size()) : "")
                + (f.image() != null ? "" : ", format " + f.header().version()) + ")";
    }
}
