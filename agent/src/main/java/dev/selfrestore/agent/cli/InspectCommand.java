package dev.selfrestore.agent.cli;

import dev.selfrestore.runtime.CaptureInfo;
import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.jvm.JvmArguments;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.codec.RecordHeader;
import dev.selfrestore.runtime.edit.IdentityEditor;
import dev.selfrestore.runtime.verify.AuxvNames;
import dev.selfrestore.runtime.verify.Changes;
import dev.selfrestore.runtime.verify.Entries;
import dev.selfrestore.runtime.verify.Entries.AuxvEntry;
import dev.selfrestore.runtime.verify.Entries.EnvVar;
import dev.selfrestore.runtime.verify.Word;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code inspect FILE [--json]}. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Shows everything in a descriptor file: format version and checksum, capture metadata, "
                + "the executable and its identity, comm, the command line as an argv list, the environment as "
                + "NAME=value entries, the eleven prctl_mm_map fields in hex and the auxv entries with their AT_* names.",
            "Bytes that are not UTF-8 are shown as \\xNN escapes (a backslash as \\\\), never dropped; "
                + "--json gives every byte string twice, as that escaped text and as exact hex."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:shown", "1:the file is damaged (checksum mismatch): only its header is shown",
            "2:usage error, or FILE is missing, unreadable or not a descriptor"})
final class InspectCommand extends CliCommand {
    @Mixin
    DescriptorInput input;

    @Override
    int run() throws CliFailure {
        PrintWriter out = spec.commandLine().getOut();
        DescriptorFile f = DescriptorFile.read(input.file);
        if (json) {
            out.print(Json.write(json(f)));
        } else {
            human(out, f);
        }
        out.flush();
        if (f.descriptor() == null) {
            spec.commandLine().getErr().println("selfrestore: inspect: " + input.file + ": " + f.checksumText()
                    + "; the file is damaged and its content is not shown");
            return Main.CHECK_FAILED;
        }
        return Main.OK;
    }

    // ---- for people ----

    private static void human(PrintWriter out, DescriptorFile f) {
        RecordHeader h = f.header();
        if (f.image() != null) {
            out.println(f.path() + ": CRIU image directory, img_version " + f.image().imageVersion() + ", pid "
                    + f.descriptor().capture().pid() + " (the root) of " + f.image().pids());
            if (f.image().exeDeleted() != null) {
                out.println("  exe: " + f.image().exeDeleted());
            }
        } else {
            out.println(f.path() + ": selfrestore descriptor, format " + h.version() + ", " + h.recordLength()
                    + " bytes, " + f.checksumText());
        }
        MmDescriptor d = f.descriptor();
        if (d == null) {
            return;
        }
        humanProvenance(out, d.provenance());
        humanCapture(out, f, d);
        humanExe(out, f, d.exe());
        out.println();
        row0(out, "comm", Show.quoted(d.comm()));
        humanCmdline(out, h, d);
        humanEnviron(out, d);
        humanFields(out, d);
        humanAuxv(out, d);
    }

    private static void humanProvenance(PrintWriter out, Provenance p) {
        if (p != null) {
            out.println();
            out.println("edited (" + IdentityEditor.changes(p.edits().size()) + "), not a capture");
            row(out, "source", p.source().text() + ", SHA-256 " + p.sourceSha256Hex());
            row(out, "time", Show.time(p.editedMillis()));
            int n = 0;
            for (Edit e : p.edits()) {
                row(out, "edit " + ++n, e.toString());
            }
        }
    }

    private static void humanCapture(PrintWriter out, DescriptorFile f, MmDescriptor d) {
        CaptureInfo c = d.capture();
        out.println();
        out.println(d.provenance() == null ? "capture" : "capture (of the source)");
        row(out, "pid", Long.toString(c.pid()));
        row(out, "time", f.image() != null ? "(not in CRIU images)" : Show.time(c.timeMillis()));
        row(out, "kernel", (f.image() != null ? "(not in CRIU images)" : c.kernelRelease()) + " " + c.arch());
        row(out, "page size", Integer.toString(c.pageSize()));
        row(out, "uid", Integer.toString(c.uid()));
    }

    private static void humanExe(PrintWriter out, DescriptorFile f, ExecutableIdentity e) {
        out.println();
        out.println("exe");
        row(out, "path", e.displayPath());
        row(out, "size", Long.toString(e.size()));
        if (f.image() == null) {
            row(out, "modified", Show.timeNanos(e.mtimeNanos()));
            row(out, "device", e.devMajor() + ":" + e.devMinor());
            row(out, "inode", Long.toString(e.inode()));
        }
        row(out, "mode", Show.mode(e.mode()));
        row(out, "build-id", e.buildId().length > 0 ? e.buildIdHex() : "(none)");
        row(out, "sha256", e.sha256().length > 0 ? e.sha256Hex() : "(not computed: the build-id identifies the file)");
    }

    private static void humanCmdline(PrintWriter out, RecordHeader h, MmDescriptor d) {
        List<byte[]> argv = RawBytes.splitNul(d.cmdline());
        out.println();
        out.println("cmdline (" + Show.plural(argv.size(), "argument", "arguments") + ", "
                + d.cmdline().length + " bytes)");
        int w = ("argv[" + (argv.size() - 1) + "]").length();
        for (int i = 0; i < argv.size(); i++) {
            out.println("  " + String.format("%-" + w + "s", "argv[" + i + "]") + "  " + Show.quoted(argv.get(i)));
        }
        if (h == null || h.minor() >= 1) {
            String launch = Changes.launch(d);
            row0(out, "jvm launch", launch == null ? "(not a JVM, or not known)" : launch);
            if (d.jvm() != null) {
                humanJvmLaunch(out, d);
            }
        }
    }

    /** The launcher split of a JVM original: its options as given and as HotSpot records them, what it runs, and its arguments. */
    private static void humanJvmLaunch(PrintWriter out, MmDescriptor d) {
        JvmLaunch j = d.jvm();
        JvmArguments hs = JvmArguments.of(j, d.cmdline(), d.environ());
        row(out, "options", escapedList(j.jvmOptions(d.cmdline())));
        row(out, "jvm_args", escapedList(hs.jvmArgs()));
        row(out, "main", Show.quoted(j.main(d.cmdline())));
        row(out, "app args", escapedList(j.applicationArguments(d.cmdline())));
        row(out, "java_command", hs.javaCommand() == null ? "(a source file: the launcher's own)" : Show.quoted(hs.javaCommand()));
    }

    private static String escapedList(List<byte[]> items) {
        if (items.isEmpty()) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder();
        for (byte[] i : items) {
            b.append(b.length() == 0 ? "" : " ").append(Show.quoted(i));
        }
        return b.toString();
    }

    private static void humanEnviron(PrintWriter out, MmDescriptor d) {
        List<EnvVar> env = Entries.environ(d.environ());
        out.println();
        out.println("environ (" + Show.plural(env.size(), "entry", "entries") + ", " + d.environ().length + " bytes)");
        for (EnvVar v : env) {
            out.println("  " + RawBytes.escape(v.raw()) + (v.value() == null ? "   (no '=')" : ""));
        }
    }

    private static void humanFields(PrintWriter out, MmDescriptor d) {
        long[] fields = d.fields().toArray();
        out.println();
        out.println("fields (struct prctl_mm_map)");
        for (int i = 0; i < fields.length; i++) {
            String name = MmFields.NAMES.get(i);
            String extra = name.equals("brk") ? "   (" + brkSource(d) + ")" : "";
            row(out, name, new Word(fields[i]) + extra);
        }
    }

    private static void humanAuxv(PrintWriter out, MmDescriptor d) {
        List<AuxvEntry> auxv = Entries.auxv(d.auxv());
        out.println();
        out.println("auxv (" + Show.plural(auxv.size(), "entry", "entries") + ", " + d.auxv().length * 8 + " bytes)");
        for (AuxvEntry a : auxv) {
            String value = new Word(a.value()).toString();
            if (AuxvNames.numeric(a.type())) {
                value += " (" + Long.toUnsignedString(a.value()) + ")";
            }
            out.println("  " + String.format("%-21s", a.name()) + value);
        }
    }

    private static String brkSource(MmDescriptor d) {
        return switch (d.brkSource()) {
            case EXACT -> "exact: read with brk(0) inside the process";
            case APPROXIMATED -> "approximated: the end of [heap], /proc shows no brk";
        };
    }

    private static void row(PrintWriter out, String name, String value) {
        out.println("  " + String.format("%-13s", name) + value);
    }

    private static void row0(PrintWriter out, String name, String value) {
        out.println(String.format("%-14s", name) + value);
    }

    // ---- for machines ----

    private static Map<String, Object> json(DescriptorFile f) {
        RecordHeader h = f.header();
        Map<String, Object> root = Json.object();
        root.put("file", f.path().toString());
        if (f.image() != null) {
            Map<String, Object> image = Json.object();
            image.put("kind", "criu-image");
            image.put("img_version", f.image().imageVersion());
            image.put("pids", f.image().pids());
            image.put("exe_deleted", f.image().exeDeleted());
            root.put("format", image);
        } else {
            root.put("format", headerJson(h));
        }
        return content(root, f);
    }

    private static Map<String, Object> headerJson(RecordHeader h) {
        Map<String, Object> format = Json.object();
        format.put("version", h.version());
        format.put("major", h.major());
        format.put("minor", h.minor());
        format.put("record_length", h.recordLength());
        Map<String, Object> checksum = Json.object();
        checksum.put("algorithm", "CRC32C");
        checksum.put("stored", DescriptorFile.hex32(h.storedChecksum()));
        checksum.put("computed", DescriptorFile.hex32(h.computedChecksum()));
        checksum.put("ok", h.checksumOk());
        format.put("checksum", checksum);
        return format;
    }

    private static Map<String, Object> content(Map<String, Object> root, DescriptorFile f) {
        MmDescriptor d = f.descriptor();
        if (d == null) {
            return root;
        }
        Provenance p = d.provenance();
        root.put("edited", p != null);
        root.put("provenance", p == null ? null : provenanceJson(p));
        root.put("capture", captureJson(d.capture()));
        root.put("exe", exeJson(d.exe()));
        root.put("comm", Show.bytes(d.comm()));
        root.put("cmdline", cmdlineJson(d));
        root.put("jvm", d.jvm() == null ? null : jvmJson(d.jvm(), d));
        root.put("environ", environJson(d));
        Map<String, Object> fields = Json.object();
        long[] v = d.fields().toArray();
        for (int i = 0; i < v.length; i++) {
            fields.put(MmFields.NAMES.get(i), new Word(v[i]).toString());
        }
        root.put("fields", fields);
        root.put("brk_source", d.brkSource().name().toLowerCase(Locale.ROOT));
        root.put("auxv", auxvJson(d));
        return root;
    }

    private static Map<String, Object> provenanceJson(Provenance p) {
        Map<String, Object> prov = Json.object();
        prov.put("source", p.source().text());
        prov.put("source_sha256", p.sourceSha256Hex());
        prov.put("time", Show.time(p.editedMillis()));
        prov.put("time_millis", p.editedMillis());
        List<Object> edits = Json.array();
        for (Edit e : p.edits()) {
            edits.add(Show.edit(e));
        }
        prov.put("edits", edits);
        return prov;
    }

    private static Map<String, Object> captureJson(CaptureInfo c) {
        Map<String, Object> capture = Json.object();
        capture.put("pid", c.pid());
        capture.put("time", Show.time(c.timeMillis()));
        capture.put("time_millis", c.timeMillis());
        capture.put("kernel_release", c.kernelRelease());
        capture.put("arch", c.arch());
        capture.put("page_size", c.pageSize());
        capture.put("uid", c.uid());
        return capture;
    }

    private static Map<String, Object> exeJson(ExecutableIdentity e) {
        Map<String, Object> exe = Json.object();
        exe.put("path", Show.bytes(e.path()));
        exe.put("size", e.size());
        exe.put("mtime", Show.timeNanos(e.mtimeNanos()));
        exe.put("mtime_nanos", e.mtimeNanos());
        exe.put("device", e.devMajor() + ":" + e.devMinor());
        exe.put("inode", e.inode());
        exe.put("mode", "0" + Integer.toOctalString(e.mode()));
        exe.put("build_id", e.buildId().length > 0 ? e.buildIdHex() : null);
        exe.put("sha256", e.sha256().length > 0 ? e.sha256Hex() : null);
        return exe;
    }

    private static Map<String, Object> cmdlineJson(MmDescriptor d) {
        List<Object> argv = Json.array();
        for (byte[] a : RawBytes.splitNul(d.cmdline())) {
            argv.add(Show.bytes(a));
        }
        Map<String, Object> cmdline = Json.object();
        cmdline.put("bytes", Show.bytes(d.cmdline()).get("hex"));
        cmdline.put("argv", argv);
        return cmdline;
    }

    private static Map<String, Object> jvmJson(JvmLaunch j, MmDescriptor d) {
        Map<String, Object> jvm = Json.object();
        jvm.put("kind", j.kind().name().toLowerCase(Locale.ROOT));
        jvm.put("main_index", j.mainIndex());
        jvm.put("main", Show.bytes(j.main(d.cmdline())));
        JvmArguments hs = JvmArguments.of(j, d.cmdline(), d.environ());
        jvm.put("options", bytesList(j.jvmOptions(d.cmdline())));
        jvm.put("jvm_args", bytesList(hs.jvmArgs()));
        jvm.put("application_arguments", bytesList(j.applicationArguments(d.cmdline())));
        jvm.put("java_command", hs.javaCommand() == null ? null : Show.bytes(hs.javaCommand()));
        return jvm;
    }

    private static List<Object> bytesList(List<byte[]> items) {
        List<Object> a = Json.array();
        for (byte[] i : items) {
            a.add(Show.bytes(i));
        }
        return a;
    }

    private static Map<String, Object> environJson(MmDescriptor d) {
        List<Object> vars = Json.array();
        for (EnvVar v : Entries.environ(d.environ())) {
            Map<String, Object> m = Json.object();
            m.put("name", Show.bytes(v.name()));
            m.put("value", v.value() == null ? null : Show.bytes(v.value()));
            m.put("entry", Show.bytes(v.raw()));
            vars.add(m);
        }
        Map<String, Object> environ = Json.object();
        environ.put("bytes", Show.bytes(d.environ()).get("hex"));
        environ.put("vars", vars);
        return environ;
    }

    private static List<Object> auxvJson(MmDescriptor d) {
        List<Object> auxv = Json.array();
        for (AuxvEntry a : Entries.auxv(d.auxv())) {
            Map<String, Object> m = Json.object();
            m.put("type", a.type());
            m.put("name", a.name());
            m.put("value", new Word(a.value()).toString());
            auxv.add(m);
        }
        return auxv;
    }
}
