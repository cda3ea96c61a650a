package dev.selfrestore.agent.cli;

import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.verify.Changes;
import dev.selfrestore.runtime.verify.Difference;
import dev.selfrestore.runtime.verify.Item;
import dev.selfrestore.runtime.verify.Verifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verify --pid PID FILE [--json]}. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Checks that process PID presents the identity in FILE: /proc/PID/exe, cmdline, environ, "
                + "auxv and comm are compared with the descriptor byte for byte.",
            "A difference is shown entry by entry: argv[N], environment variables by name, auxv entries by AT_* name.",
            "Reading another process's cmdline, environ and auxv needs ptrace-read access to it "
                + "(the same user, or CAP_SYS_PTRACE)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:exe, cmdline, environ, auxv and comm all match",
            "1:at least one differs (each difference is shown)",
            "2:usage error; FILE is not a readable descriptor; no process PID, or no access to it"})
final class VerifyCommand extends CliCommand {
    @Option(names = "--pid", required = true, paramLabel = "PID", description = "the process to check")
    long pid;

    @Parameters(paramLabel = "FILE", description = "the descriptor file, or a CRIU image directory (its root process)")
    Path file;

    @Override
    int run() throws CliFailure {
        MmDescriptor d = DescriptorFile.readWhole(file).descriptor();
        Syscalls sys = Syscalls.linux();
        ProcPid proc = ProcPid.of(pid);
        if (!Files.isDirectory(proc.dir())) {
            throw new CliFailure(Main.USAGE, "no process " + pid);
        }
        List<Difference> differences;
        Map<String, byte[]> actual = new java.util.LinkedHashMap<>();
        try {
            differences = new Verifier(sys).compare(proc, d, Set.copyOf(Verifier.ITEMS));
            actual.put("exe", readlink(sys, proc));
            actual.put("cmdline", proc.cmdline());
            actual.put("environ", proc.environ());
            actual.put("auxv", proc.auxvBytes());
            actual.put("comm", proc.comm());
        } catch (NoSuchFileException e) {
            throw new CliFailure(Main.USAGE, "process " + pid + " is gone (" + e.getMessage() + ")");
        } catch (AccessDeniedException e) {
            throw new CliFailure(Main.USAGE, "cannot read " + e.getMessage() + ": reading process " + pid
                    + " needs ptrace-read access to it (the same user, or CAP_SYS_PTRACE)");
        } catch (IOException e) {
            throw new CliFailure(Main.USAGE, "cannot read /proc/" + pid + ": " + e.getMessage());
        }
        Set<String> differing = new HashSet<>();
        for (Difference x : differences) {
            differing.add(x.item());
        }
        Map<String, byte[]> expected = Map.of("exe", d.exe().path(), "cmdline", d.cmdline(), "environ", d.environ(),
                "auxv", d.auxvBytes(), "comm", d.comm());

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> root = Json.object();
            root.put("pid", pid);
            root.put("file", file.toString());
            root.put("match", differing.isEmpty());
            Map<String, Object> items = Json.object();
            for (String item : Verifier.ITEMS) {
                Map<String, Object> m = Json.object();
                m.put("match", !differing.contains(item));
                m.put("expected", Show.bytes(expected.get(item)));
                m.put("actual", Show.bytes(actual.get(item)));
                if (differing.contains(item)) {
                    m.put("differences", Show.json(detail(item, d, actual).list(), "expected", "actual"));
                }
                items.put(item, m);
            }
            root.put("items", items);
            out.print(Json.write(root));
        } else if (differing.isEmpty()) {
            out.println("pid " + pid + " presents the identity in " + file + ": exe, cmdline, environ, auxv and comm match");
        } else {
            out.println("pid " + pid + " does not present the identity in " + file + ": "
                    + differing.size() + " of " + Verifier.ITEMS.size() + " items differ"
                    + " (descriptor -> /proc; - only in the descriptor, + only in /proc)");
            for (String item : Verifier.ITEMS) {
                if (!differing.contains(item)) {
                    out.println(String.format("  %-8s matches", item));
                    continue;
                }
                out.println(String.format("  %-8s differs", item));
                for (String line : Show.lines(detail(item, d, actual).list(), "  ")) {
                    // the item itself was named above: skip the group heading
                    if (!line.trim().equals(item)) {
                        out.println(line);
                    }
                }
            }
        }
        out.flush();
        return differing.isEmpty() ? Main.OK : Main.CHECK_FAILED;
    }

    private static byte[] readlink(Syscalls sys, ProcPid proc) throws IOException {
        try {
            return sys.readlink(proc.file("exe").toString().getBytes(StandardCharsets.ISO_8859_1));
        } catch (NativeCallException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Entry-by-entry detail of one differing item. */
    private static Changes detail(String item, MmDescriptor d, Map<String, byte[]> actual) {
        Changes c = new Changes();
        switch (item) {
            case "exe" -> c.value(Item.EXE, "path", d.exe().path(), actual.get("exe"));
            case "cmdline" -> c.argv(Item.CMDLINE, d.cmdline(), actual.get("cmdline"));
            case "environ" -> c.environ(Item.ENVIRON, d.environ(), actual.get("environ"));
            case "auxv" -> c.auxv(Item.AUXV, d.auxv(), ProcPid.auxvWords(actual.get("auxv")));
            case "comm" -> c.value(Item.COMM, "comm", d.comm(), actual.get("comm"));
            default -> throw new IllegalArgumentException(item);
        }
        return c;
    }
}
