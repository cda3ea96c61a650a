package dev.selfrestore.runtime.edit;

import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.validate.Problem;
import dev.selfrestore.runtime.validate.Validator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies edits to an identity and gives the edited descriptor; pure (the executable's identity,
 * the one thing read from outside, comes through an {@link ExeResolver}).
 *
 * <p>Edits apply in the order given, each to the result of the one before:
 * <ul>
 *   <li>{@code SET_ENV NAME=VALUE}: the first variable named NAME takes the new value where it
 *       stands; later variables of that name are removed (getenv(3) reads the first, Java's
 *       {@code System.getenv} the last: both then see the new value). A new name is appended.</li>
 *   <li>{@code UNSET_ENV NAME}: every variable named NAME is removed; none is not an error.</li>
 *   <li>{@code SET_ARG INDEX=VALUE}: argv[INDEX], which must exist, becomes VALUE.
 *       {@code ARGV0 VALUE} is {@code SET_ARG 0=VALUE}; {@code APPEND_ARG VALUE} adds an argument.</li>
 *   <li>{@code COMM NAME}: the task name; at most 15 bytes. Refused rather than truncated as the
 *       kernel would: a truncated name is not what the descriptor says, and verify would fail.</li>
 *   <li>{@code EXE PATH}: the executable and its identity (size, build-id or SHA-256, mode,
 *       device, inode), taken from the file as capture takes them.</li>
 * </ul>
 * Values are bytes and cannot hold a NUL (it ends a string in the argument area); an environment
 * name cannot hold {@code =}. After each edit the kernel's limits that edits can break are checked
 * on the result (each string within MAX_ARG_STRLEN, arguments plus environment within what
 * execve places), and a broken rule names the edit.
 *
 * <p>Address fields: the kernel lays out the argument and environment strings at the top of the
 * stack, ending at env_end. An edited descriptor keeps env_end (and the gap between arg_end and
 * env_start, normally none) and moves the other three so that each area is as long as its bytes:
 * env_start = env_end - environ length, arg_end = env_start - gap, arg_start = arg_end - cmdline
 * length. A relocating restore places the areas anew anyway; an exact restore of an edited
 * argument or environment area is refused ({@link #exactRefusal}), because the memory at the
 * saved layout holds the captured bytes.
 */
public final class IdentityEditor {
    private IdentityEditor() {
    }

    /** The identity of the executable at a path, as capture records it. */
    @FunctionalInterface
    public interface ExeResolver {
        ExecutableIdentity identify(byte[] path) throws IOException;
    }

    /**
     * @param d            the identity to edit
     * @param edits        the edits, in order
     * @param source       what {@code d} was read from (kept from {@code d}'s provenance if it has one)
     * @param sourceSha256 SHA-256 of the source's bytes (ditto); may be empty for an edit that is
     *                     never written (the agent's restore-time edits)
     * @param nowMillis    the edit time to record
     * @param pageSize     the page size, for MAX_ARG_STRLEN (32 pages)
     * @param exe          identifies the file of an EXE edit; may be null when there is none
     */
    public static MmDescriptor apply(MmDescriptor d, List<Edit> edits, Provenance.Source source, byte[] sourceSha256,
                                     long nowMillis, int pageSize, ExeResolver exe) throws EditException {
        if (edits.isEmpty()) {
            return d;
        }
        Draft draft = new Draft(d, (long) Validator.MAX_ARG_STRLEN_PAGES * pageSize, exe);
        int number = 0;
        for (Edit e : edits) {
            number++;
            draft.apply(e, "edit " + number + " (" + e.brief() + ")");
        }
        return draft.result(edits, source, sourceSha256, nowMillis);
    }

    /**
     * An identity being edited. The command line and environment are split into strings on the
     * first edit of each and joined again once, at the end; the areas not edited keep their bytes.
     */
    private static final class Draft {
        private final MmDescriptor d;
        private final long maxString;
        private final ExeResolver resolver;
        private List<byte[]> argv;
        private List<byte[]> env;
        private byte[] comm;
        private ExecutableIdentity exe;

        Draft(MmDescriptor d, long maxString, ExeResolver resolver) {
            this.d = d;
            this.maxString = maxString;
            this.resolver = resolver;
            this.comm = d.comm();
            this.exe = d.exe();
        }

        void apply(Edit e, String named) throws EditException {
            byte[] op = e.operand();
            switch (e.kind()) {
                case SET_ENV -> setEnv(named, op);
                case UNSET_ENV -> unsetEnv(named, op);
                case SET_ARG -> setArg(named, op);
                case ARGV0 -> putArg(named, 0, op, false);
                case APPEND_ARG -> putArg(named, argv().size(), op, true);
                case COMM -> comm(named, op);
                case EXE -> exe(named, op);
            }
            if (argv != null || env != null) {
                checkExecveSize(named);
            }
        }

        private List<byte[]> argv() {
            if (argv == null) {
                argv = RawBytes.splitNul(d.cmdline());
            }
            return argv;
        }

        private List<byte[]> env() {
            if (env == null) {
                env = RawBytes.splitNul(d.environ());
            }
            return env;
        }

        private void setEnv(String named, byte[] op) throws EditException {
            int eq = RawBytes.indexOf(op, (byte) '=');
            if (eq <= 0) {
                throw new EditException(named + ": must be NAME=VALUE with a non-empty NAME");
            }
            noNul(named, op, "the variable");
            stringLimit(named, op, maxString, "variable");
            IdentityEditor.setEnv(env(), Arrays.copyOf(op, eq + 1), op);
        }

        private void unsetEnv(String named, byte[] op) throws EditException {
            if (op.length == 0 || RawBytes.indexOf(op, (byte) '=') >= 0) {
                throw new EditException(named + ": must be a NAME, non-empty and without '='");
            }
            noNul(named, op, "the name");
            byte[] prefix = Arrays.copyOf(op, op.length + 1);
            prefix[op.length] = '=';
            env().removeIf(v -> startsWith(v, prefix) || Arrays.equals(v, op));
        }

        private void setArg(String named, byte[] op) throws EditException {
            int eq = RawBytes.indexOf(op, (byte) '=');
            int index = eq <= 0 ? -1 : index(op, eq);
            if (index < 0) {
                throw new EditException(named + ": must be INDEX=VALUE with INDEX a decimal number");
            }
            putArg(named, index, Arrays.copyOfRange(op, eq + 1, op.length), false);
        }

        /** argv[index] becomes {@code value}; with {@code append}, index is one past the last. */
        private void putArg(String named, int index, byte[] value, boolean append) throws EditException {
            List<byte[]> args = argv();
            if (index > args.size() || index == args.size() && !append) {
                throw new EditException(named + ": there is no argv[" + index + "]: the command line has "
                        + args.size() + " argument(s), argv[0] to argv[" + (args.size() - 1) + "]"
                        + " (--append-arg adds one)");
            }
            noNul(named, value, "an argument");
            stringLimit(named, value, maxString, "argument");
            if (index == args.size()) {
                args.add(value);
            } else {
                args.set(index, value);
            }
        }

        private void comm(String named, byte[] op) throws EditException {
            if (op.length > Validator.MAX_COMM) {
                throw new EditException(named + ": is " + op.length + " bytes; comm is at most "
                        + Validator.MAX_COMM + " (TASK_COMM_LEN - 1); the kernel would cut it to \""
                        + RawBytes.escape(Arrays.copyOf(op, Validator.MAX_COMM)) + "\", so give that if meant");
            }
            for (byte b : op) {
                if (b == 0 || b == '\n') {
                    throw new EditException(named + ": comm must not contain NUL or newline bytes");
                }
            }
            comm = op;
        }

        private void exe(String named, byte[] op) throws EditException {
            if (op.length == 0 || op[0] != '/') {
                throw new EditException(named + ": must be an absolute path");
            }
            noNul(named, op, "the path");
            if (resolver == null) {
                throw new EditException(named + ": an executable cannot be changed here");
            }
            try {
                exe = resolver.identify(op);
            } catch (IOException ex) {
                throw new EditException(named + ": " + ex.getMessage(), ex);
            }
        }

        /** The rule of {@link Validator#execveFootprint} on the edited strings, under execve's largest limit. */
        private void checkExecveSize(String named) throws EditException {
            long bytes = areaLength(argv, d.cmdline()) + areaLength(env, d.environ());
            long argc = argv != null ? argv.size() : RawBytes.splitNul(d.cmdline()).size();
            long envc = env != null ? env.size() : RawBytes.splitNul(d.environ()).size();
            long total = Validator.execveFootprint(bytes, argc, envc);
            if (total > Validator.MAX_ARGS_AND_ENV) {
                throw new EditException(named + ": makes the arguments and environment " + bytes + " bytes in "
                        + (argc + envc) + " strings, " + total + " with a pointer each; execve(2) places at most "
                        + Validator.MAX_ARGS_AND_ENV + " (6 MiB, fs/exec.c bprm_stack_limits)");
            }
        }

        /** The edited descriptor: the areas laid out anew below env_end, the edits added to its provenance. */
        MmDescriptor result(List<Edit> edits, Provenance.Source source, byte[] sourceSha256, long nowMillis) {
            byte[] cmdline = argv == null ? d.cmdline() : RawBytes.joinNul(argv);
            byte[] environ = env == null ? d.environ() : RawBytes.joinNul(env);
            MmFields f = d.fields();
            if (argv != null || env != null) {
                long gap = f.envStart() - f.argEnd();
                long envStart = f.envEnd() - environ.length;
                long argEnd = envStart - gap;
                f = f.withArgsAndEnv(argEnd - cmdline.length, argEnd, envStart, f.envEnd());
            }
            Provenance before = d.provenance();
            List<Edit> all = new ArrayList<>();
            if (before != null) {
                all.addAll(before.edits());
            }
            all.addAll(edits);
            Provenance p = before != null
                    ? new Provenance(before.source(), before.sourceSha256(), nowMillis, all)
                    : new Provenance(source, sourceSha256, nowMillis, all);
            return new MmDescriptor(f, d.brkSource(), d.auxv(), exe, cmdline, environ, comm, d.capture(), d.jvm(), p);
        }
    }

    /**
     * Why an identity cannot be restored with {@code mode=exact}, or null. An exact restore finds
     * the argument and environment areas in memory at the saved layout, holding the captured bytes:
     * after an edit of either they cannot hold the edited ones. After an EXE edit the code fields
     * still describe the captured executable's mappings.
     */
    public static Problem exactRefusal(MmDescriptor d) {
        if (d.provenance() == null) {
            return null;
        }
        List<String> changed = new ArrayList<>();
        for (Edit e : d.provenance().edits()) {
            String what = switch (e.kind()) {
                case SET_ENV, UNSET_ENV -> "environ";
                case SET_ARG, APPEND_ARG, ARGV0 -> "cmdline";
                case EXE -> "exe";
                case COMM -> null;
            };
            if (what != null && !changed.contains(what)) {
                changed.add(what);
            }
        }
        if (changed.isEmpty()) {
            return null;
        }
        return new Problem("provenance", String.join(", ", changed) + " edited after capture ("
                + changes(d.provenance().edits().size()) + ")", "cannot be restored at the saved layout, whose memory "
                + "holds the captured " + (changed.contains("exe") ? "executable's code and the captured " : "")
                + "bytes: restore it with mode=relocate (the default)");
    }

    /** {@code 1 change}, {@code 3 changes}. */
    public static String changes(int n) {
        return n == 1 ? "1 change" : n + " changes";
    }

    private static void setEnv(List<byte[]> env, byte[] prefix, byte[] entry) {
        byte[] bare = Arrays.copyOf(prefix, prefix.length - 1);
        int first = -1;
        for (int i = 0; i < env.size(); i++) {
            byte[] v = env.get(i);
            if (startsWith(v, prefix) || Arrays.equals(v, bare)) {
                if (first < 0) {
                    first = i;
                    env.set(i, entry);
                } else {
                    env.remove(i--);
                }
            }
        }
        if (first < 0) {
            env.add(entry);
        }
    }

    private static boolean startsWith(byte[] v, byte[] prefix) {
        return v.length >= prefix.length && Arrays.equals(v, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static int index(byte[] op, int eq) {
        if (eq > 9) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < eq; i++) {
            if (op[i] < '0' || op[i] > '9') {
                return -1;
            }
            n = n * 10 + (op[i] - '0');
        }
        return n;
    }

    private static void noNul(String named, byte[] b, String what) throws EditException {
        if (RawBytes.indexOf(b, (byte) 0) >= 0) {
            throw new EditException(named + ": " + what + " holds a NUL byte, which would end it early in /proc");
        }
    }

    private static void stringLimit(String named, byte[] b, long max, String what) throws EditException {
        if (b.length + 1L > max) {
            throw new EditException(named + ": the " + what + " is " + (b.length + 1L) + " bytes with its NUL; each "
                    + "is at most " + max + " (MAX_ARG_STRLEN, " + Validator.MAX_ARG_STRLEN_PAGES + " pages), the "
                    + "longest string execve(2) copies");
        }
    }

    private static long areaLength(List<byte[]> parts, byte[] area) {
        if (parts == null) {
            return area.length;
        }
        long n = 0;
        for (byte[] p : parts) {
            n += p.length + 1;
        }
        return n;
    }
}
