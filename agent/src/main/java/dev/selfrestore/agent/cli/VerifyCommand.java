package dev.selfrestore.agent.cli;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.proc.ProcPid;
import dev.selfrestore.runtime.verify.Difference;
import dev.selfrestore.runtime.verify.Item;
import dev.selfrestore.runtime.verify.Verification;
import dev.selfrestore.runtime.verify.Verifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code verify --pid PID FILE [--require-pid] [--json]}. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Checks that process PID presents the identity in FILE: /proc/PID/exe, cmdline, environ, "
                + "auxv and comm are compared with the descriptor byte for byte.",
            "A difference is shown entry by entry: argv[N], environment variables by name, auxv entries by AT_* name.",
            "For a JVM original, what jps reads of PID from outside (its jvmstat file /tmp/hsperfdata_USER/PID) is "
                + "compared too, and reported; it changes only with jvm=restore and is not in the exit status.",
            "Whether PID is the PID the descriptor records (in PID's own pid namespace: NSpid in /proc/PID/status) is "
                + "reported too, and counts only with --require-pid (selfrestore run starts a command at that PID).",
            "Reading another process's cmdline, environ and auxv needs ptrace-read access to it "
                + "(the same user, or CAP_SYS_PTRACE)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:exe, cmdline, environ, auxv and comm all match",
            "1:at least one differs (each difference is shown); with --require-pid, also when the PID differs",
            "2:usage error; FILE is not a readable descriptor; no process PID, or no access to it"})
final class VerifyCommand extends CliCommand {
    @Option(names = "--pid", required = true, paramLabel = "PID", description = "the process to check")
    long pid;

    @Mixin
    DescriptorInput input;

    @Option(names = "--require-pid", description = "fail (exit 1) when PID is not the descriptor's PID too")
    boolean requirePid;

    @Override
    int run() throws CliFailure {
        MmDescriptor d = DescriptorFile.readWhole(input.file).descriptor();
        Syscalls sys = sys();
        ProcPid proc = ProcPid.of(pid);
        if (!Files.isDirectory(proc.dir())) {
            throw new CliFailure(Main.USAGE, "no process " + pid);
        }
        Verification v;
        try {
            v = new Verifier(sys).verify(proc, d, EnumSet.copyOf(Item.RESTORED));
        } catch (NoSuchFileException e) {
            throw new CliFailure(Main.USAGE, "process " + pid + " is gone (" + e.getMessage() + ")");
        } catch (AccessDeniedException e) {
            throw new CliFailure(Main.USAGE, "cannot read " + e.getMessage() + ": reading process " + pid
                    + " needs ptrace-read access to it (the same user, or CAP_SYS_PTRACE)");
        } catch (IOException e) {
            throw new CliFailure(Main.USAGE, "cannot read /proc/" + pid + ": " + e.getMessage());
        }
        List<Difference> differing = v.differences();
        JvmstatCheck.Result jvm = d.jvm() == null ? null : JvmstatCheck.check(d, pid, proc.dir());
        long ownPid = namespacePid(proc);
        boolean pidMatches = ownPid == d.capture().pid();

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> root = Json.object();
            root.put("pid", pid);
            root.put("file", input.file.toString());
            root.put("match", v.matches());
            Map<String, Object> items = Json.object();
            for (Item item : Item.RESTORED) {
                Difference x = v.difference(item);
                Map<String, Object> m = Json.object();
                m.put("match", x == null);
                m.put("expected", Show.bytes(v.expected(item)));
                m.put("actual", Show.bytes(v.actual(item)));
                if (x != null) {
                    m.put("differences", Show.json(x.changes(), "expected", "actual"));
                }
                items.put(item.label(), m);
            }
            root.put("items", items);
            Map<String, Object> pidItem = Json.object();
            pidItem.put("match", pidMatches);
            pidItem.put("expected", d.capture().pid());
            pidItem.put("actual", ownPid);
            pidItem.put("required", requirePid);
            root.put("pidItem", pidItem);
            if (jvm != null) {
                root.put("jvm", JvmstatCheck.json(jvm));
            }
            out.print(Json.write(root));
        } else if (v.matches()) {
            out.println("pid " + pid + " presents the identity in " + input.file + ": exe, cmdline, environ, auxv and comm match");
            out.println(pidLine(d.capture().pid(), ownPid));
            if (jvm != null) {
                JvmstatCheck.print(out, jvm);
            }
        } else {
            out.println("pid " + pid + " does not present the identity in " + input.file + ": "
                    + differing.size() + " of " + Item.RESTORED.size() + " items differ"
                    + " (descriptor -> /proc; - only in the descriptor, + only in /proc)");
            for (Item item : Item.RESTORED) {
                Difference x = v.difference(item);
                if (x == null) {
                    out.println(String.format("  %-8s matches", item.label()));
                    continue;
                }
                out.println(String.format("  %-8s differs", item.label()));
                for (String line : Show.lines(x.changes(), "  ")) {
                    // the item itself was named above: skip the group heading
                    if (!line.trim().equals(item.label())) {
                        out.println(line);
                    }
                }
            }
            out.println(pidLine(d.capture().pid(), ownPid));
            if (jvm != null) {
                JvmstatCheck.print(out, jvm);
            }
        }
        out.flush();
        return v.matches() && (pidMatches || !requirePid) ? Main.OK : Main.CHECK_FAILED;
    }

    private String pidLine(long expected, long actual) {
        String nsNote = actual == pid ? "" : " (pid " + pid + " here)";
        if (expected == actual) {
            return "  pid      matches: " + actual + ", the descriptor's" + nsNote;
        }
        return "  pid      differs: " + actual + nsNote + ", the descriptor's is " + expected + " ("
                + (requirePid ? "required by --require-pid" : "informational; --require-pid makes it count") + ")";
    }

    /** PID as its own (innermost) pid namespace numbers it: the last number of NSpid, else PID itself. */
    private long namespacePid(ProcPid proc) throws CliFailure {
        try {
            String nspid = proc.status("NSpid");
            if (nspid == null) {
                return pid;
            }
            String[] all = nspid.trim().split("\\s+");
            return Long.parseLong(all[all.length - 1]);
        } catch (IOException | NumberFormatException e) {
            throw new CliFailure(Main.USAGE, "cannot read " + proc.file("status") + ": " + e.getMessage());
        }
    }
}
