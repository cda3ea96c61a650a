package dev.selfrestore.agent.cli;

import dev.selfrestore.agent.cli.Show.Hex;
import dev.selfrestore.runtime.CaptureInfo;
import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.verify.AuxvNames;
import dev.selfrestore.runtime.verify.Entries;
import dev.selfrestore.runtime.verify.Entries.AuxvEntry;
import dev.selfrestore.runtime.verify.Entries.EnvVar;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What differs between two identities, entry by entry: each field, each auxv entry (by type), each
 * argument (by position), each environment variable (by name), each property of the executable.
 * {@code diff} compares two descriptors with it, {@code verify} a descriptor with what /proc shows.
 */
final class Changes {
    enum Kind {
        /** In both, with different values. */
        CHANGED,
        /** Only in the second (the later file, or what /proc shows). */
        ADDED,
        /** Only in the first (the earlier file, or the descriptor). */
        REMOVED
    }

    /**
     * One difference.
     *
     * @param item   the part of the identity: fields, auxv, exe, cmdline, environ, comm, capture, …
     * @param name   the entry within it: a field name, an AT_* name, argv[N], a variable name
     * @param before the first side's value (byte[], {@link Hex}, a number or a string), null when absent
     * @param after  the second side's value, null when absent
     */
    record Change(String item, String name, Kind kind, Object before, Object after) {
    }

    private final List<Change> list = new ArrayList<>();

    List<Change> list() {
        return list;
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    /** Everything that differs between two descriptors. */
    static Changes between(MmDescriptor a, MmDescriptor b) {
        Changes c = new Changes();
        long[] fa = a.fields().toArray();
        long[] fb = b.fields().toArray();
        for (int i = 0; i < fa.length; i++) {
            c.value("fields", MmFields.NAMES.get(i), new Hex(fa[i]), new Hex(fb[i]));
        }
        c.value("fields", "brk_source", a.brkSource().name().toLowerCase(java.util.Locale.ROOT),
                b.brkSource().name().toLowerCase(java.util.Locale.ROOT));
        c.auxv("auxv", a.auxv(), b.auxv());
        c.exe(a.exe(), b.exe());
        c.argv("cmdline", a.cmdline(), b.cmdline());
        c.jvm(a, b);
        c.environ("environ", a.environ(), b.environ());
        c.value("comm", "comm", a.comm(), b.comm());
        c.capture(a.capture(), b.capture());
        c.provenance(a.provenance(), b.provenance());
        return c;
    }

    /** Whether each is a capture or edited, from what, and the edits one by one. */
    private void provenance(Provenance a, Provenance b) {
        value("provenance", "kind", a == null ? "capture" : "edited", b == null ? "capture" : "edited");
        value("provenance", "source", a == null ? null : a.source().text() + " " + a.sourceSha256Hex(),
                b == null ? null : b.source().text() + " " + b.sourceSha256Hex());
        List<Edit> x = a == null ? List.of() : a.edits();
        List<Edit> y = b == null ? List.of() : b.edits();
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            value("provenance", "edit " + (i + 1), i < x.size() ? x.get(i).toString() : null,
                    i < y.size() ? y.get(i).toString() : null);
        }
    }

    private void exe(ExecutableIdentity a, ExecutableIdentity b) {
        value("exe", "path", a.path(), b.path());
        value("exe", "size", a.size(), b.size());
        value("exe", "mtime", Show.timeNanos(a.mtimeNanos()), Show.timeNanos(b.mtimeNanos()));
        value("exe", "device", a.devMajor() + ":" + a.devMinor(), b.devMajor() + ":" + b.devMinor());
        value("exe", "inode", a.inode(), b.inode());
        value("exe", "mode", Show.mode(a.mode()), Show.mode(b.mode()));
        value("exe", "build_id", a.buildIdHex(), b.buildIdHex());
        value("exe", "sha256", a.sha256Hex(), b.sha256Hex());
    }

    private void jvm(MmDescriptor a, MmDescriptor b) {
        value("jvm", "launch", launch(a), launch(b));
    }

    /** How a JVM original was launched, for people: {@code jar at argv[3]}, or null for another program. */
    static String launch(MmDescriptor d) {
        JvmLaunch j = d.jvm();
        if (j == null) {
            return null;
        }
        return j.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + RawBytes.escape(j.main(d.cmdline()))
                + " at argv[" + j.mainIndex() + "]";
    }

    private void capture(CaptureInfo a, CaptureInfo b) {
        value("capture", "pid", a.pid(), b.pid());
        value("capture", "time", Show.time(a.timeMillis()), Show.time(b.timeMillis()));
        value("capture", "kernel_release", a.kernelRelease(), b.kernelRelease());
        value("capture", "arch", a.arch(), b.arch());
        value("capture", "page_size", a.pageSize(), b.pageSize());
        value("capture", "uid", a.uid(), b.uid());
    }

    /** One value: a change when they differ (byte arrays compared by content). */
    void value(String item, String name, Object a, Object b) {
        boolean same = a instanceof byte[] x && b instanceof byte[] y ? Arrays.equals(x, y) : Objects.equals(a, b);
        if (!same) {
            list.add(new Change(item, name, a == null ? Kind.ADDED : b == null ? Kind.REMOVED : Kind.CHANGED, a, b));
        }
    }

    /** Arguments position by position. */
    void argv(String item, byte[] a, byte[] b) {
        int before = list.size();
        List<byte[]> x = RawBytes.splitNul(a);
        List<byte[]> y = RawBytes.splitNul(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            value(item, "argv[" + i + "]", i < x.size() ? x.get(i) : null, i < y.size() ? y.get(i) : null);
        }
        bytesIfNothingElse(item, before, a, b);
    }

    /** Variables by name, in the first side's order, then those only in the second. */
    void environ(String item, byte[] a, byte[] b) {
        int before = list.size();
        Map<String, byte[]> x = vars(a);
        Map<String, byte[]> y = vars(b);
        for (Map.Entry<String, byte[]> e : x.entrySet()) {
            value(item, e.getKey(), e.getValue(), y.get(e.getKey()));
        }
        for (Map.Entry<String, byte[]> e : y.entrySet()) {
            if (!x.containsKey(e.getKey())) {
                value(item, e.getKey(), null, e.getValue());
            }
        }
        bytesIfNothingElse(item, before, a, b);
    }

    /**
     * Name (escaped) to whole entry; a second entry with the same name is keyed {@code NAME (#2)}.
     * The whole entry is the value, so an entry without {@code =} is compared too.
     */
    private static Map<String, byte[]> vars(byte[] environ) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (EnvVar v : Entries.environ(environ)) {
            String name = RawBytes.escape(v.name());
            int n = seen.merge(name, 1, Integer::sum);
            out.put(n == 1 ? name : name + " (#" + n + ")", v.raw());
        }
        return out;
    }

    /** Entries by type, in the first side's order, then those only in the second. */
    void auxv(String item, long[] a, long[] b) {
        int before = list.size();
        Map<Long, Long> x = new LinkedHashMap<>();
        for (AuxvEntry e : Entries.auxv(a)) {
            x.putIfAbsent(e.type(), e.value());
        }
        Map<Long, Long> y = new LinkedHashMap<>();
        for (AuxvEntry e : Entries.auxv(b)) {
            y.putIfAbsent(e.type(), e.value());
        }
        for (Map.Entry<Long, Long> e : x.entrySet()) {
            Long other = y.get(e.getKey());
            value(item, AuxvNames.name(e.getKey()), new Hex(e.getValue()), other == null ? null : new Hex(other));
        }
        for (Map.Entry<Long, Long> e : y.entrySet()) {
            if (!x.containsKey(e.getKey())) {
                value(item, AuxvNames.name(e.getKey()), null, new Hex(e.getValue()));
            }
        }
        if (list.size() == before && !Arrays.equals(a, b)) {
            list.add(new Change(item, "(order)", Kind.CHANGED, Show.plural(a.length / 2, "entry", "entries"),
                    "the same entries in another order or repeated"));
        }
    }

    /** When the areas differ but no entry does (order, a missing final NUL): the whole areas. */
    private void bytesIfNothingElse(String item, int before, byte[] a, byte[] b) {
        if (list.size() == before && !Arrays.equals(a, b)) {
            list.add(new Change(item, "(bytes)", Kind.CHANGED, a, b));
        }
    }

    /**
     * For people: one line per change, grouped by item, {@code name  OLD -> NEW} for a change,
     * {@code name  - OLD} for an entry only on the first side, {@code name  + NEW} only on the second.
     */
    List<String> lines(String indent) {
        List<String> out = new ArrayList<>();
        String item = null;
        int width = 0;
        for (Change c : list) {
            if (!c.item().equals(item)) {
                item = c.item();
                out.add(indent + item);
                width = 0;
                for (Change d : list) {
                    if (d.item().equals(item)) {
                        width = Math.max(width, d.name().length());
                    }
                }
            }
            String name = String.format("%-" + width + "s", c.name());
            String text = switch (c.kind()) {
                case CHANGED -> Show.human(c.before()) + " -> " + Show.human(c.after());
                case ADDED -> "+ " + Show.human(c.after());
                case REMOVED -> "- " + Show.human(c.before());
            };
            out.add(indent + "  " + name + "  " + text);
        }
        return out;
    }

    /** For machines: one object per change; {@code beforeKey}/{@code afterKey} name the sides. */
    List<Object> json(String beforeKey, String afterKey) {
        List<Object> out = Json.array();
        for (Change c : list) {
            Map<String, Object> m = Json.object();
            m.put("item", c.item());
            m.put("name", c.name());
            m.put("change", c.kind().name().toLowerCase(java.util.Locale.ROOT));
            m.put(beforeKey, Show.json(c.before()));
            m.put(afterKey, Show.json(c.after()));
            out.add(m);
        }
        return out;
    }
}
