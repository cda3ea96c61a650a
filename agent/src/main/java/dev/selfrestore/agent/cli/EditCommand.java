package dev.selfrestore.agent.cli;

import dev.selfrestore.nativeshim.Fcntl;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.capture.ExecutableInspector;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.edit.EditException;
import dev.selfrestore.runtime.edit.EditText;
import dev.selfrestore.runtime.edit.EnvFile;
import dev.selfrestore.runtime.edit.IdentityEditor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edit IN --out OUT [--force] [--json] [--null] EDIT...}. */
@Command(name = "edit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a copy of a descriptor with a changed environment, command line, task name or "
                + "executable. Edits apply in the order given, each to the result of the one before.",
            "Values are bytes: \\xHH is the byte HH, \\\\ a backslash, any other character its UTF-8 encoding "
                + "(what inspect shows can be given back as shown). No value may hold a NUL byte.",
            "--set-env replaces the first variable of that name where it stands and removes later ones of the "
                + "same name; a new name is appended. --unset-env removes every variable of that name.",
            "The output records its provenance: IN's SHA-256 and every edit, as inspect and diff show. It is "
                + "restored in mode=relocate (the default); mode=exact refuses an edited command line, "
                + "environment or executable."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:written", "2:usage error, IN unreadable or not a descriptor, an edit breaks a rule, "
                + "or OUT could not be written"})
final class EditCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "IN", description = "the descriptor to edit")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "the edited descriptor to write")
    Path out;

    @Option(names = "--force", description = "overwrite OUT if it exists")
    boolean force;

    @Option(names = "--set-env", paramLabel = "NAME=VALUE", parameterConsumer = InOrder.class,
            description = "set a variable")
    List<String> setEnv;

    @Option(names = "--unset-env", paramLabel = "NAME", parameterConsumer = InOrder.class,
            description = "remove a variable")
    List<String> unsetEnv;

    @Option(names = "--env-file", paramLabel = "FILE", parameterConsumer = InOrder.class,
            description = "set every variable in FILE (NAME=VALUE lines, '#' comments; raw bytes, no escapes)")
    List<String> envFile;

    @Option(names = "--null", description = "--env-file entries are NUL-separated (as /proc/PID/environ, env -0); "
            + "then a value may hold newlines")
    boolean nul;

    @Option(names = "--set-arg", paramLabel = "INDEX=VALUE", parameterConsumer = InOrder.class,
            description = "replace argv[INDEX]")
    List<String> setArg;

    @Option(names = "--append-arg", paramLabel = "VALUE", parameterConsumer = InOrder.class,
            description = "add an argument at the end")
    List<String> appendArg;

    @Option(names = "--argv0", paramLabel = "VALUE", parameterConsumer = InOrder.class,
            description = "replace argv[0]")
    List<String> argv0;

    @Option(names = "--comm", paramLabel = "NAME", parameterConsumer = InOrder.class,
            description = "the task name, at most 15 bytes (refused, not cut, when longer)")
    List<String> comm;

    @Option(names = "--exe", paramLabel = "PATH", parameterConsumer = InOrder.class,
            description = "the executable; its identity (size, build-id or SHA-256, mode, device, inode) is read "
                    + "from the file, its path recorded as the kernel resolves it")
    List<String> exe;

    /** Every edit option with its value, in command-line order. */
    final List<String[]> given = new ArrayList<>();

    /**
     * Keeps the edits in command-line order: picocli calls this for each occurrence of an edit
     * option, in order (with {@code --opt=value} the value is on the stack too).
     */
    static final class InOrder implements CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            if (args.isEmpty()) {
                throw new CommandLine.MissingParameterException(commandSpec.commandLine(), argSpec,
                        "option '" + ((OptionSpec) argSpec).longestName() + "' needs a value");
            }
            ((EditCommand) commandSpec.userObject()).given.add(new String[] {((OptionSpec) argSpec).longestName(),
                args.pop()});
        }
    }

    @Override
    int run() throws CliFailure {
        if (given.isEmpty()) {
            throw new CliFailure(Main.USAGE, "no edit given: use --set-env, --unset-env, --env-file, --set-arg, "
                    + "--append-arg, --argv0, --comm or --exe");
        }
        DescriptorFile f = DescriptorFile.readWhole(in);
        MmDescriptor d = f.descriptor();
        List<Edit> edits = edits();
        MmDescriptor edited;
        try {
            int pageSize = d.capture().pageSize() > 0 ? d.capture().pageSize() : 4096;
            edited = IdentityEditor.apply(d, edits, f.source(), f.sha256(), System.currentTimeMillis(), pageSize,
                    path -> identify(sys().files(), path));
        } catch (EditException e) {
            throw new CliFailure(Main.USAGE, in + ": " + e.getMessage());
        }
        try {
            DescriptorCodec.write(sys().files(), edited, out, force);
        } catch (FileAlreadyExistsException e) {
            throw new CliFailure(Main.USAGE, out + " exists; use --force to overwrite it");
        } catch (IOException | IllegalArgumentException e) {
            throw new CliFailure(Main.USAGE, "cannot write " + out + ": " + e.getMessage());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        int total = edited.provenance().edits().size();
        if (json) {
            Map<String, Object> m = Json.object();
            m.put("file", out.toString());
            m.put("source", in.toString());
            m.put("source_sha256", Show.hex(f.sha256()));
            List<Object> list = Json.array();
            for (Edit e : edits) {
                list.add(Show.edit(e));
            }
            m.put("edits", list);
            m.put("total_edits", total);
            stdout.print(Json.write(m));
        } else {
            stdout.println("wrote " + out + ": " + in + " with " + IdentityEditor.changes(edits.size())
                    + (total > edits.size() ? " (" + total + " since the capture)" : ""));
        }
        stdout.flush();
        return Main.OK;
    }

    /** The options given, as edits: values unescaped, environment files read and expanded in place. */
    private List<Edit> edits() throws CliFailure {
        List<Edit> edits = new ArrayList<>();
        for (String[] g : given) {
            String option = g[0];
            String value = g[1];
            if (option.equals("--env-file")) {
                Path file = Path.of(value);
                try {
                    edits.addAll(EnvFile.parse(value, Files.readAllBytes(file), nul));
                } catch (IOException e) {
                    throw new CliFailure(Main.USAGE, "--env-file " + value + ": cannot be read: " + e.getMessage());
                } catch (EditException e) {
                    throw new CliFailure(Main.USAGE, "--env-file " + e.getMessage());
                }
                continue;
            }
            Edit.Kind kind = null;
            for (Edit.Kind k : Edit.Kind.values()) {
                if (k.option().equals(option)) {
                    kind = k;
                }
            }
            try {
                edits.add(new Edit(kind, EditText.bytes(value)));
            } catch (IllegalArgumentException e) {
                throw new CliFailure(Main.USAGE, option + " " + value + ": " + e.getMessage());
            }
        }
        return edits;
    }

    /** The new executable's identity, taken as capture takes it: opened once, checked and read from that descriptor. */
    private static ExecutableIdentity identify(FileCalls fs, byte[] path) throws IOException {
        int fd;
        try {
            fd = fs.open(path, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
        } catch (NativeCallException e) {
            throw new IOException("cannot open " + RawBytes.escape(path) + ": " + e.getMessage(), e);
        }
        try {
            Statx st = fs.fstat(fd);
            if (!st.isRegularFile()) {
                throw new IOException(RawBytes.escape(path) + " is not a regular file");
            }
            if ((st.mode() & 0111) == 0) {
                throw new IOException(RawBytes.escape(path) + " is not executable (mode 0"
                        + Integer.toOctalString(st.mode() & 07777) + ")");
            }
            // The path /proc/PID/exe will show: the kernel's, symbolic links resolved.
            byte[] real = fs.readlink(("/proc/self/fd/" + fd).getBytes(StandardCharsets.ISO_8859_1));
            return ExecutableInspector.identify(real, fd, st);
        } catch (NativeCallException e) {
            throw new IOException(RawBytes.escape(path) + ": " + e.getMessage(), e);
        } finally {
            fs.close(fd);
        }
    }
}
