package dev.selfrestore.runtime.capture;

import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.proc.ProcPid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What /proc shows of a process's current image at one moment: the stat fields (brk left 0, /proc has
 * none), its start time, state and flags, the saved auxv and the exe link. Tells whether execve has
 * finished building the image, and whether two moments show the same image.
 *
 * <p>The kernel builds a new image in this order (fs/exec.c begin_new_exec, fs/binfmt_elf.c
 * load_elf_binary), in an mm that starts zeroed: exe and comm switch to the new program first
 * (set_mm_exe_file, exec_mmap, __set_task_comm); setup_arg_pages sets arg_start and start_stack; the
 * program and its interpreter are mapped; create_elf_tables writes the saved auxv entry by entry
 * (AT_PHDR, later AT_ENTRY, later AT_EXECFN), then sets arg_end to arg_start, walks argv and moves
 * arg_end past it, then sets env_start and env_end; load_elf_binary then sets start_code, end_code,
 * start_data, end_data and start_stack, then start_brk and brk (recent kernels set them only here;
 * with ASLR brk is moved once more), and start_thread returns to the program. So an image whose auxv
 * lacks AT_PHDR or AT_ENTRY, whose arg_end is not past arg_start (every exec has argv[0] since
 * Linux 5.18, an empty one if none was given), or whose start_code or start_brk is 0, is half built.
 * The one step left after these are set, the move of brk, leaves no mark: a capture compares two
 * reads, one before and one after it reads the rest.
 */
record ExecState(char state, long flags, long startTime, MmFields fields, long[] auxv, byte[] exe) {
    private static final long AT_PHDR = 3;
    private static final long AT_ENTRY = 9;
    /** PF_KTHREAD in field 9 of /proc/PID/stat. */
    private static final long PF_KTHREAD = 0x00200000;

    /** Reads stat, auxv and the exe link, in that order; {@code exe} is null if the link cannot be read. */
    static ExecState read(ProcPid proc, ExeReader exeReader) throws IOException {
        String[] f = proc.statFieldsFrom3();
        MmFields fields = proc.statFields(f, 0);
        long[] auxv = proc.auxv();
        return new ExecState(f[0].isEmpty() ? '?' : f[0].charAt(0), Long.parseUnsignedLong(f[9 - 3]),
                Long.parseUnsignedLong(f[22 - 3]), fields, auxv, exeReader.read());
    }

    /** Reads a process's exe link as raw bytes, or null if it cannot be read. */
    interface ExeReader {
        byte[] read();
    }

    /** A kernel thread or a process that has exited: it has no image at all. */
    boolean hasNoImage() {
        return (flags & PF_KTHREAD) != 0 || state == 'Z' || state == 'X' || state == 'x';
    }

    /** What execve has not filled in yet, or null once the image is complete. */
    String missing() {
        List<String> missing = new ArrayList<>();
        boolean phdr = false;
        boolean entry = false;
        for (int i = 0; i + 1 < auxv.length; i += 2) {
            phdr |= auxv[i] == AT_PHDR;
            entry |= auxv[i] == AT_ENTRY;
        }
        if (!phdr || !entry) {
            missing.add("its saved auxv has " + (auxv.length / 2) + " entries and no "
                    + (!phdr && !entry ? "AT_PHDR or AT_ENTRY" : phdr ? "AT_ENTRY" : "AT_PHDR"));
        }
        if (Long.compareUnsigned(fields.argEnd(), fields.argStart()) <= 0) {
            missing.add("its argument area is empty (arg_start 0x" + Long.toHexString(fields.argStart())
                    + ", arg_end 0x" + Long.toHexString(fields.argEnd()) + ")");
        }
        if (fields.startCode() == 0 || fields.startBrk() == 0) {
            missing.add((fields.startCode() == 0 ? "start_code" : "start_brk") + " is 0");
        }
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    /** The same image: nothing read here changed in between (an exec, a PR_SET_MM, or a new process on the pid). */
    boolean sameImage(ExecState other) {
        return startTime == other.startTime && fields.equals(other.fields) && Arrays.equals(auxv, other.auxv)
                && Arrays.equals(exe, other.exe);
    }
}
