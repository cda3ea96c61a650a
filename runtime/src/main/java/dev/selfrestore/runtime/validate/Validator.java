package dev.selfrestore.runtime.validate;

import static dev.selfrestore.runtime.validate.Problem.hex;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.NulStrings;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.proc.KernelLimits;
import dev.selfrestore.runtime.proc.Mapping;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a descriptor, and the prctl_mm_map planned from it, against every rule the kernel applies
 * (kernel/sys.c, validate_prctl_map_addr and prctl_set_mm_map) and those it no longer checks but a
 * user needs for /proc to show the values. Collects every problem; never stops at the first.
 */
public final class Validator {
    private Validator() {
    }

    /**
     * Largest argv plus envp the kernel's execve accepts, whatever the stack rlimit: the strings and
     * one pointer for each must fit in {@code min(_STK_LIM * 3/4, RLIMIT_STACK / 4)} (but at least
     * ARG_MAX, 32 pages), which is never more than 6 MiB (fs/exec.c, bprm_stack_limits).
     */
    public static final int MAX_ARGS_AND_ENV = 6 * 1024 * 1024;
    /** ARG_MAX (include/uapi/linux/limits.h): what execve accepts however small the stack limit. */
    static final int ARG_MAX = 128 * 1024;
    /** Bytes of one pointer of argv or envp on the 64-bit architectures selfrestore runs on. */
    public static final int POINTER_BYTES = 8;
    /** MAX_ARG_STRLEN (include/uapi/linux/binfmts.h) in pages: the longest string execve copies, NUL included. */
    public static final int MAX_ARG_STRLEN_PAGES = 32;
    /** TASK_COMM_LEN - 1. */
    public static final int MAX_COMM = 15;

    private static final long AT_NULL = 0;

    /** Rules on the descriptor itself, whatever the restore mode. */
    public static List<Problem> descriptor(MmDescriptor d, KernelLimits k) {
        return descriptor(d, k, cmdlineStrings(d, k), environStrings(d, k));
    }

    /**
     * The scan {@link #descriptor(MmDescriptor, KernelLimits, NulStrings, NulStrings)} needs of the
     * descriptor's command line: the offset of each string (while they could fit execve's limit)
     * and those longer than MAX_ARG_STRLEN. Over the descriptor's own bytes, not a copy
     * ({@link MmDescriptor#cmdlineStrings}).
     */
    public static NulStrings cmdlineStrings(MmDescriptor d, KernelLimits k) {
        return d.cmdlineStrings(MAX_STRINGS, maxString(k));
    }

    /** The same of the descriptor's environment. */
    public static NulStrings environStrings(MmDescriptor d, KernelLimits k) {
        return d.environStrings(MAX_STRINGS, maxString(k));
    }

    /** Most strings whose offsets a scan keeps: as many as execve's largest area has room for pointers to. */
    public static final int MAX_STRINGS = MAX_ARGS_AND_ENV / POINTER_BYTES;

    /** MAX_ARG_STRLEN on this kernel, in bytes: the longest string execve copies, NUL included. */
    public static long maxString(KernelLimits k) {
        return (long) MAX_ARG_STRLEN_PAGES * k.pageSize();
    }

    /**
     * The same with the command line and environment already taken from the descriptor and their
     * strings found by {@link #strings}, so that a restore copies and passes over their bytes once.
     */
    public static List<Problem> descriptor(MmDescriptor d, KernelLimits k, NulStrings args, NulStrings vars) {
        List<Problem> p = new ArrayList<>();
        if (!d.capture().arch().equals(k.machine())) {
            p.add(new Problem("capture.arch", d.capture().arch(),
                    "must be this machine's architecture (" + k.machine() + "): auxv and addresses are architecture-specific"));
        }
        byte[] exe = d.exe().path();
        if (exe.length == 0 || exe[0] != '/') {
            p.add(new Problem("exe.path", RawBytes.escape(exe), "must be an absolute path"));
        }
        for (byte b : exe) {
            if (b == 0) {
                p.add(new Problem("exe.path", RawBytes.escape(exe), "must not contain a NUL byte"));
                break;
            }
        }
        nulTerminated(p, "cmdline", args);
        nulTerminated(p, "environ", vars);
        execveSizes(p, k, args, vars);
        byte[] comm = d.comm();
        if (comm.length > MAX_COMM) {
            p.add(new Problem("comm", RawBytes.escape(comm), "must be at most " + MAX_COMM + " bytes (TASK_COMM_LEN - 1)"));
        }
        for (byte b : comm) {
            if (b == 0 || b == '\n') {
                p.add(new Problem("comm", RawBytes.escape(comm), "must not contain NUL or newline bytes"));
                break;
            }
        }
        auxv(p, d.auxv(), k);
        order(p, d.fields(), "");
        long[] v = d.fields().toArray();
        for (int i = 0; i < v.length; i++) {
            if (Long.compareUnsigned(v[i], k.mmapMinAddr()) < 0 || Long.compareUnsigned(v[i], k.taskSize()) >= 0) {
                p.add(new Problem(MmFields.NAMES.get(i), hex(v[i]), "must lie in [mmap_min_addr " + hex(k.mmapMinAddr())
                        + ", TASK_SIZE " + hex(k.taskSize()) + "): the kernel never places a process there"));
            }
        }
        return p;
    }

    /**
     * The command line and environment must be what an execve in this process could have produced:
     * no string longer than MAX_ARG_STRLEN, and strings plus pointers within what this process's
     * stack limit lets execve place ({@link #argsAndEnvLimit}). A process can show a longer command
     * line only after rewriting it with PR_SET_MM, as selfrestore does; a descriptor is refused
     * rather than restoring what no execve here could have made, and what a child started with it
     * (ProcessBuilder inherits the environment) would fail to start with (E2BIG).
     */
    private static void execveSizes(List<Problem> p, KernelLimits k, NulStrings args, NulStrings vars) {
        long maxString = maxString(k);
        tooLong(p, "cmdline", "argument", args, maxString);
        tooLong(p, "environ", "variable", vars, maxString);
        long bytes = (long) args.length() + vars.length();
        long footprint = execveFootprint(bytes, args.count(), vars.count());
        long limit = argsAndEnvLimit(k.rlimitStack());
        if (footprint > limit) {
            p.add(new Problem("cmdline+environ", bytes + " bytes in " + (args.count() + vars.count()) + " strings",
                    "with a " + POINTER_BYTES + "-byte pointer for each string (" + footprint + " bytes) must not "
                            + "exceed " + limit + " bytes, the most execve(2) places under this process's stack limit ("
                            + (k.rlimitStack() < 0 ? "RLIMIT_STACK unlimited" : "RLIMIT_STACK " + k.rlimitStack())
                            + ": min(RLIMIT_STACK / 4, 6 MiB), at least 128 KiB; fs/exec.c, bprm_stack_limits)"));
        }
    }

    /**
     * What execve counts against {@link #argsAndEnvLimit} for {@code bytes} of argument and
     * environment strings (NULs included): the bytes, and a pointer for each variable and each
     * argument, at least one argument (fs/exec.c, bprm_stack_limits: {@code max(argc, 1) + envc}).
     * The one form of this rule: the validator and the editor both use it.
     */
    public static long execveFootprint(long bytes, long argc, long envc) {
        return bytes + (Math.max(argc, 1) + envc) * POINTER_BYTES;
    }

    /**
     * What execve accepts as argument and environment strings plus their pointers under a stack
     * limit of {@code rlimitStack} bytes (-1: unlimited): {@code max(min(_STK_LIM / 4 * 3,
     * RLIMIT_STACK / 4), ARG_MAX)} (fs/exec.c, bprm_stack_limits).
     */
    public static long argsAndEnvLimit(long rlimitStack) {
        long limit = rlimitStack < 0 ? MAX_ARGS_AND_ENV : Math.min(MAX_ARGS_AND_ENV, rlimitStack / 4);
        return Math.max(limit, ARG_MAX);
    }

    /** Adds a problem naming the first string over {@code max} bytes (NUL included), if there is one. */
    private static void tooLong(List<Problem> p, String field, String what, NulStrings s, long max) {
        if (s.over() == 0) {
            return;
        }
        byte[] area = s.array();
        int start = s.from() + s.firstOverStart();
        String first = what + " " + s.firstOver() + " (" + RawBytes.escape(java.util.Arrays.copyOfRange(area, start,
                Math.min(start + s.firstOverLength() - 1, start + 16))) + "...) of " + s.firstOverLength() + " bytes";
        p.add(new Problem(field, first + (s.over() > 1 ? " and " + (s.over() - 1) + " more" : ""),
                "each " + what + ", NUL included, must be at most " + max + " bytes (MAX_ARG_STRLEN, "
                        + MAX_ARG_STRLEN_PAGES + " pages), the longest string execve(2) copies"));
    }

    private static void nulTerminated(List<Problem> p, String field, NulStrings s) {
        if (s.length() > 0 && s.last() != 0) {
            int end = s.from() + s.length();
            p.add(new Problem(field, "..." + RawBytes.escape(java.util.Arrays.copyOfRange(s.array(),
                    Math.max(s.from(), end - 16), end)),
                    "must end with a NUL byte (the kernel reads a cmdline without one as setproctitle() text)"));
        }
    }

    private static void auxv(List<Problem> p, long[] auxv, KernelLimits k) {
        if (auxv.length == 0) {
            return;
        }
        if (auxv.length % 2 != 0) {
            p.add(new Problem("auxv", auxv.length + " words", "must be (type, value) pairs: an even number of words"));
            return;
        }
        if (auxv[auxv.length - 2] != AT_NULL) {
            p.add(new Problem("auxv", "last type " + auxv[auxv.length - 2], "must end with the AT_NULL pair"));
        }
        for (int i = 0; i < auxv.length - 2; i += 2) {
            if (auxv[i] == AT_NULL) {
                p.add(new Problem("auxv", "AT_NULL at entry " + i / 2,
                        "must not contain AT_NULL before its end: /proc/PID/auxv would stop there"));
                break;
            }
        }
        long bytes = auxv.length * 8L;
        if (bytes > k.savedAuxvBytes()) {
            p.add(new Problem("auxv", bytes + " bytes (" + auxv.length / 2 + " entries)",
                    "must fit this kernel's saved_auxv, " + k.savedAuxvBytes() + " bytes ("
                            + (k.auxvFromKernel() ? "PR_GET_AUXV" : "architecture table, kernel before 6.4")
                            + "): the descriptor comes from a kernel with a larger auxv; nothing is truncated"));
        }
    }

    /** The ordering rules of validate_prctl_map_addr. */
    private static void order(List<Problem> p, MmFields f, String prefix) {
        lessThan(p, prefix, "start_code", f.startCode(), "end_code", f.endCode(), true);
        lessThan(p, prefix, "start_data", f.startData(), "end_data", f.endData(), false);
        lessThan(p, prefix, "start_brk", f.startBrk(), "brk", f.brk(), false);
        lessThan(p, prefix, "arg_start", f.argStart(), "arg_end", f.argEnd(), false);
        lessThan(p, prefix, "env_start", f.envStart(), "env_end", f.envEnd(), false);
    }

    private static void lessThan(List<Problem> p, String prefix, String a, long va, String b, long vb, boolean strict) {
        int c = Long.compareUnsigned(va, vb);
        if (strict ? c >= 0 : c > 0) {
            p.add(new Problem(prefix + b, hex(vb), (strict ? "must be above " : "must not be below ") + prefix + a
                    + " (" + hex(va) + ")"));
        }
    }

    /**
     * Rules on the map about to be passed to PR_SET_MM_MAP, checked against this process's
     * mappings: address range, order, RLIMIT_DATA, and that the cmdline and environment areas are
     * mapped, anonymous and readable (the kernel no longer checks this, and /proc then reads empty).
     */
    public static List<Problem> map(MmFields f, List<Mapping> maps, KernelLimits k) {
        List<Problem> p = new ArrayList<>();
        long[] v = f.toArray();
        for (int i = 0; i < v.length; i++) {
            if (Long.compareUnsigned(v[i], k.mmapMinAddr()) < 0 || Long.compareUnsigned(v[i], k.taskSize()) >= 0) {
                p.add(new Problem(MmFields.NAMES.get(i), hex(v[i]), "must lie in [mmap_min_addr " + hex(k.mmapMinAddr())
                        + ", TASK_SIZE " + hex(k.taskSize()) + ")"));
            }
        }
        order(p, f, "");
        if (k.rlimitData() >= 0) {
            long used = (f.brk() - f.startBrk()) + (f.endData() - f.startData());
            if (Long.compareUnsigned(used, k.rlimitData()) > 0) {
                p.add(new Problem("brk", hex(f.brk()), "(brk - start_brk) + (end_data - start_data) = " + used
                        + " must not exceed RLIMIT_DATA " + k.rlimitData()));
            }
        }
        area(p, "arg", f.argStart(), f.argEnd(), maps);
        area(p, "env", f.envStart(), f.envEnd(), maps);
        return p;
    }

    private static void area(List<Problem> p, String name, long start, long end, List<Mapping> maps) {
        if (Long.compareUnsigned(start, end) >= 0) {
            return;
        }
        long at = start;
        while (Long.compareUnsigned(at, end) < 0) {
            Mapping m = Mapping.containing(maps, at);
            if (m == null) {
                p.add(new Problem(name + "_start", hex(start), "[" + hex(start) + ", " + hex(end) + ") must be mapped: "
                        + hex(at) + " is not (the kernel accepts it, then /proc reads 0 bytes)"));
                return;
            }
            if (m.fileBacked()) {
                p.add(new Problem(name + "_start", hex(start), "[" + hex(start) + ", " + hex(end)
                        + ") must be anonymous memory: " + m + " is file-backed (/proc reads it as empty)"));
                return;
            }
            if (!m.readable()) {
                p.add(new Problem(name + "_start", hex(start), "[" + hex(start) + ", " + hex(end)
                        + ") must be readable: " + m + " is not"));
                return;
            }
            at = m.end();
        }
    }
}
