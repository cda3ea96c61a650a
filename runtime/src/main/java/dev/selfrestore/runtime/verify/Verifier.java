package dev.selfrestore.runtime.verify;

import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.proc.ProcPid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Compares what a process's /proc files show with a descriptor, item by item, byte for byte, reading
 * each file once. {@code verify}, the restore's own check and the agent's report all go through it;
 * {@link Difference#changes()} tells what differs entry by entry.
 */
public final class Verifier {
    private final Syscalls sys;

    public Verifier(Syscalls sys) {
        this.sys = sys;
    }

    /**
     * @param proc  the process to look at
     * @param d     the identity it should present
     * @param items which items to compare (of {@link Item#RESTORED})
     */
    public Verification verify(ProcPid proc, MmDescriptor d, Set<Item> items) throws IOException {
        return verify(proc, d, items, d.cmdline(), d.environ());
    }

    /**
     * The differences alone, with the descriptor's command line and environment already taken from
     * it (each may be null when {@code items} does not hold it).
     */
    public List<Difference> compare(ProcPid proc, MmDescriptor d, Set<Item> items, byte[] cmdline, byte[] environ)
            throws IOException {
        return verify(proc, d, items, cmdline, environ).differences();
    }

    /** The same, with the descriptor's command line and environment already taken from it. */
    public Verification verify(ProcPid proc, MmDescriptor d, Set<Item> items, byte[] cmdline, byte[] environ)
            throws IOException {
        Verification v = new Verification();
        if (items.contains(Item.EXE)) {
            byte[] actual;
            try {
                actual = sys.files().readlink(proc.file("exe").toString().getBytes(StandardCharsets.ISO_8859_1));
            } catch (NativeCallException e) {
                throw new IOException(e.getMessage(), e);
            }
            bytes(v, Item.EXE, d.exe().path(), actual);
        }
        if (items.contains(Item.CMDLINE)) {
            bytes(v, Item.CMDLINE, cmdline, proc.read("cmdline", cmdline.length));
        }
        if (items.contains(Item.ENVIRON)) {
            bytes(v, Item.ENVIRON, environ, proc.read("environ", environ.length));
        }
        if (items.contains(Item.AUXV)) {
            bytes(v, Item.AUXV, d.auxvBytes(), proc.auxvBytes());
        }
        if (items.contains(Item.COMM)) {
            bytes(v, Item.COMM, d.comm(), proc.comm());
        }
        return v;
    }

    private void bytes(Verification v, Item item, byte[] expected, byte[] actual) {
        v.add(item, expected, actual, sys.memory().equalBytes(expected, actual));
    }
}
