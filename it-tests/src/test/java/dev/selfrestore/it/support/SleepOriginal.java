package dev.selfrestore.it.support;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A non-JVM original: a copy of /usr/bin/sleep under a unique name of 15 characters (the whole name
 * fits in comm, so pidof and pgrep find exactly it), running {@code sleep 600} with an environment of
 * raw bytes that are not all UTF-8.
 */
public final class SleepOriginal {

    /**
     * The original's whole environment. Written as ISO-8859-1 strings so that each char is one byte:
     * {@code \u00ff} is the byte 0xff.
     */
    private static final List<String> ENVIRONMENT = List.of(
            "BIN=\u00ff\u00fex",              // not UTF-8
            "LONE=\u0080\u00c0end",           // a continuation byte alone, a truncated sequence
            "UTF8=caf\u00c3\u00a9",           // valid UTF-8 (e acute)
            "EQ=a=b=c",                       // '=' in the value
            "SPACE=two words",
            "EMPTY=",
            "PATH=/usr/bin:/bin");

    private final RunningProcess process;
    private final Path exe;

    private SleepOriginal(RunningProcess process, Path exe) {
        this.process = process;
        this.exe = exe;
    }

    /**
     * Copies sleep into {@code dir} and starts it there through an ASCII /bin/sh script that builds the
     * raw environment with printf octal escapes; {@code wrapper} (such as setpriv and its options) runs
     * that script. Returns once the process runs the copy.
     */
    public static SleepOriginal start(Processes processes, Path dir, String... wrapper)
            throws IOException, InterruptedException {
        Path exe = dir.resolve("srsleep-" + Fixtures.randomToken(7));
        Fixtures.copyReadableByAll(Path.of("/usr/bin/sleep"), exe);
        Fixtures.makeExecutableByAll(exe);
        Path script = dir.resolve("start-original.sh");
        Files.writeString(script, script(exe), US_ASCII);
        Fixtures.makeReadableByAll(script);
        List<String> command = new ArrayList<>(List.of(wrapper));
        command.addAll(List.of("/bin/sh", script.toString()));
        RunningProcess process = processes.start("original " + exe.getFileName(), command);
        Fixtures.awaitExe(process, exe, ItConfig.PROCESS_TIMEOUT);
        return new SleepOriginal(process, exe);
    }

    private static String script(Path exe) {
        if (!exe.toString().matches("[A-Za-z0-9/._-]+")) {
            throw new IllegalArgumentException("path needs quoting: " + exe);
        }
        StringBuilder text = new StringBuilder("#!/bin/sh\n")
                .append("# The environment is raw bytes; printf builds them so that this file stays ASCII.\n")
                .append("exec env -i");
        for (String variable : ENVIRONMENT) {
            text.append(" \"$(printf '").append(octalEscaped(variable.getBytes(ISO_8859_1))).append("')\"");
        }
        return text.append(' ').append(exe).append(" 600\n").toString();
    }

    /** Bytes outside a small safe set as printf octal escapes; no byte is a newline, which $(...) would strip. */
    private static String octalEscaped(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            int v = b & 0xff;
            if ((v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z') || (v >= '0' && v <= '9') || "=_./:,+-".indexOf(v) >= 0) {
                out.append((char) v);
            } else {
                out.append(String.format("\\%03o", v));
            }
        }
        return out.toString();
    }

    /** What /proc/PID/environ of the original must be: every variable, each ended by NUL. */
    public static byte[] expectedEnviron() {
        return Fixtures.nulTerminated(ENVIRONMENT.stream().map(v -> v.getBytes(ISO_8859_1)).toList());
    }

    /** What /proc/PID/cmdline of the original must be: {@code EXE\0600\0}. */
    public byte[] expectedCmdline() {
        return Fixtures.nulTerminated(List.of(exe.toString().getBytes(US_ASCII), "600".getBytes(US_ASCII)));
    }

    public long pid() {
        return process.pid();
    }

    public Path exe() {
        return exe;
    }

    /** The copy's file name: its comm, and the name pidof finds. */
    public String name() {
        return exe.getFileName().toString();
    }

    public RunningProcess process() {
        return process;
    }

    /** Destroys the original, as a checkpointed process would be gone when it is restored. */
    public void stop() {
        process.close();
    }
}
