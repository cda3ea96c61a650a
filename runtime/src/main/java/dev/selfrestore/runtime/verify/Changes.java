package dev.selfrestore.runtime.verify;

import dev.selfrestore.runtime.CaptureInfo;
import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.verify.Change.Kind;
import dev.selfrestore.runtime.verify.Entries.AuxvEntry;
import dev.selfrestore.runtime.verify.Entries.EnvVar;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What differs between two identities, entry by entry: each field, each auxv entry (by type), each
 * argument (by position), each environment variable (by name), each property of the executable.
 * {@code diff} compares two descriptors with it, {@link Difference#changes()} a descriptor's item
 * with what /proc shows.
 */
public final class Changes {
    private final List<Change> list = new ArrayList<>();

    /** The changes found so far, in the order found. */
    public List<Change> list() {
        return list;
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    /** Everything that differs between two descriptors. */
    public static Changes between(MmDescriptor a, MmDescriptor b) {
        Changes c = new Changes();
        c.addBetween(a, b);
        return c;
    }

    /** Adds everything that differs between two descriptors. */
    public Changes addBetween(MmDescriptor a, MmDescriptor b) {
        long[] fa = a.fields().toArray();
        long[] fb = b.fields().toArray();
        for (int i = 0; i < fa.length; i++) {
            value(Item.FIELDS, MmFields.NAMES.get(i), new Word(fa[i]), new Word(fb[i]));
        }
        value(Item.FIELDS, "brk_source", a.brkSource().name().toLowerCase(Locale.ROOT),
                b.brkSource().name().toLowerCase(Locale.ROOT));
        auxv(Item.AUXV, a.auxv(), b.auxv());
        exe(a.exe(), b.exe());
        argv(Item.CMDLINE, a.cmdline(), b.cmdline());
        value(Item.JVM, "launch", launch(a), launch(b));
        environ(Item.ENVIRON, a.environ(), b.environ());
        value(Item.COMM, "comm", a.comm(), b.comm());
        capture(a.capture(), b.capture());
        provenance(a.provenance(), b.provenance());
        return this;
    }

    /** Whether each is a capture or edited, from what, and the edits one by one. */
    private void provenance(Provenance a, Provenance b) {
        value(Item.PROVENANCE, "kind", a == null ? "capture" : "edited", b == null ? "capture" : "edited");
        value(Item.PROVENANCE, "source", a == null ? null : a.source().text() + " " + a.sourceSha256Hex(),
                b == null ? null : b.source().text() + " " + b.sourceSha256Hex());
        List<Edit> x = a == null ? List.of() : a.edits();
        List<Edit> y = b == null ? List.of() : b.edits();
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            value(Item.PROVENANCE, "edit " + (i + 1), i < x.size() ? x.get(i).toString() : null,
                    i < y.size() ? y.get(i).toString() : null);
        }
    }

    private void exe(ExecutableIdentity a, ExecutableIdentity b) {
        value(Item.EXE, "path", a.path(), b.path());
        value(Item.EXE, "size", a.size(), b.size());
        value(Item.EXE, "mtime", nanos(a.mtimeNanos()), nanos(b.mtimeNanos()));
        value(Item.EXE, "device", a.devMajor() + ":" + a.devMinor(), b.devMajor() + ":" + b.devMinor());
        value(Item.EXE, "inode", a.inode(), b.inode());
        value(Item.EXE, "mode", new FileMode(a.mode()), new FileMode(b.mode()));
        value(Item.EXE, "build_id", a.buildIdHex(), b.buildIdHex());
        value(Item.EXE, "sha256", a.sha256Hex(), b.sha256Hex());
    }

    private static Instant nanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** How a JVM original was launched, for people: {@code jar at argv[3]}, or null for another program. */
    public static String launch(MmDescriptor d) {
        JvmLaunch j = d.jvm();
        if (j == null) {
            return null;
        }
        return j.kind().name().toLowerCase(Locale.ROOT) + " " + RawBytes.escape(j.main(d.cmdline()))
                + " at argv[" + j.mainIndex() + "]";
    }

    private void capture(CaptureInfo a, CaptureInfo b) {
        value(Item.CAPTURE, "pid", a.pid(), b.pid());
        value(Item.CAPTURE, "time", Instant.ofEpochMilli(a.timeMillis()), Instant.ofEpochMilli(b.timeMillis()));
        value(Item.CAPTURE, "kernel_release", a.kernelRelease(), b.kernelRelease());
        value(Item.CAPTURE, "arch", a.arch(), b.arch());
        value(Item.CAPTURE, "page_size", a.pageSize(), b.pageSize());
        value(Item.CAPTURE, "uid", a.uid(), b.uid());
    }

    /** One value: a change when they differ (byte arrays compared by content). */
    public Changes value(Item item, String name, Object a, Object b) {
        boolean same = a instanceof byte[] x && b instanceof byte[] y ? Arrays.equals(x, y) : Objects.equals(a, b);
        if (!same) {
            list.add(new Change(item, name, a == null ? Kind.ADDED : b == null ? Kind.REMOVED : Kind.CHANGED, a, b));
        }
        return this;
    }

    /** Arguments position by position. */
    public Changes argv(Item item, byte[] a, byte[] b) {
        int before = list.size();
        List<byte[]> x = RawBytes.splitNul(a);
        List<byte[]> y = RawBytes.splitNul(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            value(item, "argv[" + i + "]", i < x.size() ? x.get(i) : null, i < y.size() ? y.get(i) : null);
        }
        bytesIfNothingElse(item, before, a, b);
        return this;
    }

    /** Variables by name, in the first side's order, then those only in the second. */
    public Changes environ(Item item, byte[] a, byte[] b) {
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
        return this;
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
    public Changes auxv(Item item, long[] a, long[] b) {
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
            value(item, AuxvNames.name(e.getKey()), new Word(e.getValue()), other == null ? null : new Word(other));
        }
        for (Map.Entry<Long, Long> e : y.entrySet()) {
            if (!x.containsKey(e.getKey())) {
                value(item, AuxvNames.name(e.getKey()), null, new Word(e.getValue()));
            }
        }
        if (list.size() == before && !Arrays.equals(a, b)) {
            long n = a.length / 2;
            list.add(new Change(item, "(order)", Kind.CHANGED, n + (n == 1 ? " entry" : " entries"),
                    "the same entries in another order or repeated"));
        }
        return this;
    }

    /** When the areas differ but no entry does (order, a missing final NUL): the whole areas. */
    private void bytesIfNothingElse(Item item, int before, byte[] a, byte[] b) {
        if (list.size() == before && !Arrays.equals(a, b)) {
            list.add(new Change(item, "(bytes)", Kind.CHANGED, a, b));
        }
    }
}
