package dev.selfrestore.it;

import dev.selfrestore.nativeshim.Syscalls;
import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import dev.selfrestore.runtime.validate.Validator;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Well-formed descriptors (valid checksum, written by the codec) with one field no kernel would have
 * produced, or that breaks a rule of PR_SET_MM_MAP: nothing is changed, one line names the file, the
 * field, the value and the rule, no stack trace unless debug=true, main runs; strict=true exits
 * non-zero before main.
 */
class DescriptorRulesIT {

    /** MAX_ARG_STRLEN: 32 pages of 4 KiB. */
    private static final int MAX_ARG_STRLEN = 32 * 4096;

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private MmDescriptor good;

    @BeforeEach
    void captureOriginal() throws Exception {
        good = DescriptorCodec.read(it.capturedSleepOriginal("good.mmd").descriptor());
    }

    /** {@code count} strings of {@code length} bytes each, NUL included, named {@code Vn=}. */
    private static byte[] strings(int count, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            byte[] s = new byte[length];
            Arrays.fill(s, (byte) 'x');
            byte[] name = ("V" + i + "=").getBytes();
            System.arraycopy(name, 0, s, 0, name.length);
            s[length - 1] = 0;
            out.writeBytes(s);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private MmDescriptor with(byte[] cmdline, byte[] environ, long[] auxv, MmFields fields) {
        return new MmDescriptor(fields, good.brkSource(), auxv, good.exe(), cmdline, environ, good.comm(),
                good.capture(), good.jvm());
    }

    private Path write(String name, MmDescriptor d) throws Exception {
        Path file = it.dir().resolve(name + ".mmd");
        DescriptorCodec.write(Syscalls.linux().files(), d, file, false);
        return file;
    }

    private Path withFields(String name, UnaryOperator<long[]> change) throws Exception {
        MmFields fields = MmFields.ofArray(change.apply(good.fields().toArray()));
        return write(name, with(good.cmdline(), good.environ(), good.auxv(), fields));
    }

    /** One line naming file, field, value and rule; no stack trace; main runs as the JVM started. */
    private String expectRefused(Path file, String field, String value, String rule) throws Exception {
        List<String> command = JavaCommand.java().restoredApp(file, "");
        RestoredApp app = RestoredApp.start(it.processes(), command);
        assertSameBytes(file + ": /proc/" + app.pid() + "/cmdline stays the JVM's own", Fixtures.cmdlineOf(command),
                ProcIdentity.of(app.pid()).cmdline());
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: " + file + ": descriptor breaks");
        assertTrue(line.contains(" " + field + "=" + value + " ") && line.contains(rule)
                && line.endsWith("(application continues)"), () -> field + "=" + value + " ... " + rule + " in: " + line);
        assertFalse(app.process().stderr().contains("\tat "), () -> "a stack trace: " + app.process().describe());
        return line;
    }

    private void expectStrictExit(Path file) throws Exception {
        RunningProcess jvm = it.processes().start("strict", JavaCommand.java().restoredApp(file, "strict=true"),
                ItConfig.restorerEnvironment());
        int status = jvm.closeStdinAndAwaitExit(PROCESS_TIMEOUT);
        assertEquals(1, status, () -> file + " with strict=true: " + jvm.describe());
        assertFalse(jvm.stdout().contains("EXE="), () -> file + ": main ran with strict=true: " + jvm.describe());
    }

    @Test
    void anArgumentLongerThanExecveCopies() throws Exception {
        Path file = write("long-argument", with(concat(good.cmdline(), strings(1, MAX_ARG_STRLEN + 1)), good.environ(),
                good.auxv(), good.fields()));
        expectRefused(file, "cmdline", "argument 2 (V0=xxxxxxxxxxxxx...) of 131073 bytes",
                "each argument, NUL included, must be at most 131072 bytes (MAX_ARG_STRLEN, 32 pages)");
        expectStrictExit(file);
    }

    @Test
    void anEnvironmentLargerThanExecvePlaces() throws Exception {
        // 50 variables of 128 KiB: each within MAX_ARG_STRLEN, together over 6 MiB, the most execve takes
        // under any stack limit (the restoring JVM inherits this one's).
        Path file = write("large-environ", with(good.cmdline(), strings(50, MAX_ARG_STRLEN), good.auxv(), good.fields()));
        expectRefused(file, "cmdline+environ", good.cmdline().length + 50 * MAX_ARG_STRLEN + " bytes in 52 strings",
                "must not exceed " + Validator.argsAndEnvLimit(LargeEnvironmentIT.rlimitStack())
                        + " bytes, the most execve(2) places under this process's stack limit");
        expectStrictExit(file);
        // debug=true adds the stack trace, and still main runs.
        RestoredApp app = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(file, "debug=true"));
        app.stopAndAssertExitedNormally();
        assertTrue(app.process().stderr().contains("\tat dev.selfrestore."), () -> app.process().describe());
    }

    @Test
    void anAuxvLargerThanThisKernelTakes() throws Exception {
        var facts = it.cli().run("doctor", "--json").json().get("facts");
        int limit = facts.get("saved_auxv_bytes").asInt();
        // kernels before 6.4 have no PR_GET_AUXV: the limit comes from the architecture and release
        String source = facts.get("auxv_limit_from_kernel").asBoolean() ? "PR_GET_AUXV" : "architecture table, kernel before 6.4";
        int pairs = limit / 16 + 1;
        long[] auxv = new long[2 * pairs];
        long[] captured = good.auxv();
        for (int i = 0; i < auxv.length - 2; i += 2) {
            auxv[i] = i < captured.length - 2 ? captured[i] : 1000 + i; // unknown types after the captured ones
            auxv[i + 1] = i < captured.length - 2 ? captured[i + 1] : i;
        }
        Path file = write("large-auxv", with(good.cmdline(), good.environ(), auxv, good.fields()));
        expectRefused(file, "auxv", pairs * 16 + " bytes (" + pairs + " entries)",
                "must fit this kernel's saved_auxv, " + limit + " bytes (" + source + ")");
        expectStrictExit(file);
    }

    @Test
    void argStartAboveArgEnd() throws Exception {
        long[] f = good.fields().toArray();
        Path file = withFields("arg-order", v -> {
            long[] c = v.clone();
            c[7] = f[8];
            c[8] = f[7];
            return c;
        });
        expectRefused(file, "arg_end", "0x" + Long.toHexString(f[7]),
                "must not be below arg_start (0x" + Long.toHexString(f[8]) + ")");
        expectStrictExit(file);
    }

    @Test
    void anAddressBelowMmapMinAddr() throws Exception {
        Path file = withFields("low-start-code", v -> {
            long[] c = v.clone();
            c[0] = 0x800;
            return c;
        });
        expectRefused(file, "start_code", "0x800", "must lie in [mmap_min_addr ");
        expectStrictExit(file);
    }
}
