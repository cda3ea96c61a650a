package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.runtime.validate.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Originals with large environments and many arguments, up to what execve accepts under this
 * machine's stack limit: each restores byte for byte, as seen in /proc from outside. A descriptor
 * whose arguments and environment are more than the restoring process's stack limit lets execve
 * place is refused in one line, and the application runs.
 */
class LargeEnvironmentIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    /** This JVM's soft RLIMIT_STACK (-1: unlimited); the processes it starts inherit it. */
    static long rlimitStack() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max stack size")) {
                String soft = line.substring(26).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
            }
        }
        throw new IOException("no Max stack size in /proc/self/limits");
    }

    /**
     * A Kubernetes-like environment of {@code bytes} bytes, NULs included: service links (eight
     * variables a service) and configuration values, about 350 bytes a variable.
     */
    static Map<String, String> environment(int bytes) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        int used = "PATH=/usr/bin:/bin".length() + 1;
        int variables = Math.max(1, bytes / 350);
        for (int s = 0; env.size() < variables * 2 / 3; s++) {
            String name = "SERVICE_" + s;
            String ip = "10.96." + s / 250 + "." + (s % 250 + 1);
            for (String[] v : new String[][] {{"_SERVICE_HOST", ip}, {"_SERVICE_PORT", "8080"},
                    {"_SERVICE_PORT_HTTP", "8080"}, {"_PORT", "tcp://" + ip + ":8080"},
                    {"_PORT_8080_TCP", "tcp://" + ip + ":8080"}, {"_PORT_8080_TCP_PROTO", "tcp"},
                    {"_PORT_8080_TCP_PORT", "8080"}, {"_PORT_8080_TCP_ADDR", ip}}) {
                env.put(name + v[0], v[1]);
                used += name.length() + v[0].length() + 1 + v[1].length() + 1;
            }
        }
        int configs = Math.max(1, variables - env.size());
        for (int c = 0; c < configs; c++) {
            String name = "APP_CONFIG_" + c;
            int value = (bytes - used) / (configs - c) - name.length() - 2;
            if (value < 0) {
                break;
            }
            StringBuilder v = new StringBuilder(value);
            while (v.length() < value) {
                v.append("{\"feature.").append(c).append("\":true,\"x\":").append(v.length()).append('}');
            }
            v.setLength(value);
            env.put(name, v.toString());
            used += name.length() + 1 + value + 1;
        }
        return env;
    }

    /** A copy of the shell waiting on its stdin ({@code read x}), with {@code args} after its own. */
    private RunningProcess startOriginal(Map<String, String> env, int args) throws Exception {
        Path exe = it.dir().resolve("srbig-" + Fixtures.randomToken(7));
        Fixtures.copyReadableByAll(Path.of("/bin/sh").toRealPath(), exe);
        Fixtures.makeExecutableByAll(exe);
        List<String> command = new ArrayList<>(List.of(exe.toString(), "-c", "read x", exe.toString()));
        for (int i = 0; i < args; i++) {
            command.add("--flag-" + i + "=value-" + i);
        }
        RunningProcess original = it.processes().start("original " + exe.getFileName(), command, env);
        Fixtures.awaitExe(original, exe, PROCESS_TIMEOUT);
        return original;
    }

    /** Starts, captures and stops the original, restores it, and compares both from outside. */
    private void restoresByteForByte(int environBytes, int args) throws Exception {
        Cli cli = it.cli();
        RunningProcess original = startOriginal(environment(environBytes), args);
        ProcIdentity was = ProcIdentity.of(original.pid());
        Path descriptor = cli.captureOk(original.pid(), it.dir().resolve("env-" + environBytes + "-args-" + args + ".mmd"));
        original.close();

        RestoredApp app = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, ""));
        ProcIdentity is = ProcIdentity.of(app.pid());
        String what = environBytes + " bytes of environment, " + args + " extra arguments";
        assertSameBytes(what + ": /proc/" + app.pid() + "/environ", was.environ(), is.environ());
        assertSameBytes(what + ": /proc/" + app.pid() + "/cmdline", was.cmdline(), is.cmdline());
        String vars = " vars";
        int count = 0;
        for (byte b : was.environ()) {
            count += b == 0 ? 1 : 0;
        }
        String line = app.stopAndAssertOneStderrLine("selfrestore: restored pid " + original.pid());
        assertTrue(line.contains("environ (" + count + vars + ")"), line);
    }

    /** The most environment an execve here accepts beside a short command line, less a margin. */
    private static int nearTheLimit(int args) throws IOException {
        long limit = Validator.argsAndEnvLimit(rlimitStack());
        long margin = 8192 + args * 40L; // the file name, the shell's own arguments, the extra ones
        return (int) ((limit - margin) * 350 / 358); // a pointer of 8 bytes for every ~350 bytes
    }

    @Test
    void environmentsUpToTheKernelsLimitRestoreByteForByte() throws Exception {
        restoresByteForByte(100 * 1024, 0);
        restoresByteForByte(1024 * 1024, 0); // about 3,000 variables
        restoresByteForByte(nearTheLimit(0), 0);
    }

    @Test
    void twoThousandArgumentsRestoreByteForByte() throws Exception {
        restoresByteForByte(64 * 1024, 2000);
        restoresByteForByte(nearTheLimit(2000), 2000);
    }

    @Test
    void moreThanThisProcesssStackLimitLetsExecvePlaceIsRefusedInOneLine(Cli cli) throws Exception {
        int bytes = nearTheLimit(0);
        RunningProcess original = startOriginal(environment(bytes), 0);
        ProcIdentity was = ProcIdentity.of(original.pid());
        Path descriptor = cli.captureOk(original.pid(), it.dir().resolve("large.mmd"));
        original.close();

        // A quarter of the stack limit for arguments and environment: half of what the original had.
        long stack = Math.max(Validator.argsAndEnvLimit(rlimitStack()) * 2, 1 << 20);
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "ulimit -s " + stack / 1024 + " && exec \"$@\"", "sh"));
        command.addAll(JavaCommand.java().restoredApp(descriptor, ""));
        RestoredApp app = RestoredApp.start(it.processes(), command);
        byte[] environ = ProcIdentity.of(app.pid()).environ();
        assertFalse(java.util.Arrays.equals(was.environ(), environ), "the environment was not restored");
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: " + descriptor + ": descriptor breaks 1 rule");
        assertTrue(line.contains(" cmdline+environ=") && line.contains(" must not exceed " + stack / 4
                + " bytes, the most execve(2) places under this process's stack limit (RLIMIT_STACK " + stack)
                && line.endsWith("(application continues)"), line);
        assertFalse(app.process().stderr().contains("\tat "), app.process().describe());
    }
}
