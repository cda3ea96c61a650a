package dev.selfrestore.runtime.verify;

import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.proc.ProcPid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Compares what a process's /proc files show with a descriptor, item by item, byte for byte. */
public final class Verifier {
    /** The items of identity selfrestore restores. */
    public static final List<String> ITEMS = List.of("exe", "cmdline", "environ", "auxv", "comm");

    private final Syscalls sys;

    public Verifier(Syscalls sys) {
        this.sys = sys;
    }

    /**
     * @param proc  the process to look at
     * @param d     the identity it should present
     * @param items which items to compare (a subset of {@link #ITEMS})
     */
    public List<Difference> compare(ProcPid proc, MmDescriptor d, Set<String> items) throws IOException {
        return compare(proc, d, items, d.cmdline(), d.environ());
    }

    /** The same, with the descriptor's command line and environment already taken from it. */
    public List<Difference> compare(ProcPid proc, MmDescriptor d, Set<String> items, byte[] cmdline, byte[] environ)
            throws IOException {
        List<Difference> out = new ArrayList<>();
        if (items.contains("exe")) {
            byte[] actual;
            try {
                actual = sys.readlink(proc.file("exe").toString().getBytes(StandardCharsets.ISO_8859_1));
            } catch (NativeCallException e) {
                throw new IOException(e.getMessage(), e);
            }
            bytes(out, "exe", d.exe().path(), actual);
        }
        if (items.contains("cmdline")) {
            bytes(out, "cmdline", cmdline, proc.read("cmdline", cmdline.length));
        }
        if (items.contains("environ")) {
            bytes(out, "environ", environ, proc.read("environ", environ.length));
        }
        if (items.contains("auxv")) {
            bytes(out, "auxv", d.auxvBytes(), proc.auxvBytes());
        }
        if (items.contains("comm")) {
            bytes(out, "comm", d.comm(), proc.comm());
        }
        return out;
    }

    private void bytes(List<Difference> out, String item, byte[] expected, byte[] actual) {
        if (!sys.equalBytes(expected, actual)) {
            out.add(new Difference(item, show(item, expected, actual), show(item, actual, expected)));
        }
    }

    /** Shows a value, or for long ones its length and the first differing offset. */
    private static String show(String item, byte[] v, byte[] other) {
        if (item.equals("auxv")) {
            return v.length / 16 + " entries";
        }
        if (v.length <= 120) {
            return '"' + RawBytes.escape(v) + '"';
        }
        int at = Arrays.mismatch(v, other);
        return v.length + " bytes, first difference at offset " + at;
    }
}
