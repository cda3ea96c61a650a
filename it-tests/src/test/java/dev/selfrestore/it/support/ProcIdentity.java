package dev.selfrestore.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What /proc shows about a process's identity, read from outside as raw bytes (exe as its link
 * target). These are the five things selfrestore sets.
 */
public record ProcIdentity(long pid, String exe, byte[] cmdline, byte[] environ, byte[] auxv, byte[] comm) {

    public static ProcIdentity of(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        return new ProcIdentity(
                pid,
                Files.readSymbolicLink(proc.resolve("exe")).toString(),
                Files.readAllBytes(proc.resolve("cmdline")),
                Files.readAllBytes(proc.resolve("environ")),
                Files.readAllBytes(proc.resolve("auxv")),
                Files.readAllBytes(proc.resolve("comm")));
    }

    /**
     * What /proc showed of a checkpointed process just before its dump: the {@code expected.*} files
     * beside a CRIU fixture's {@code images/} (see {@code CriuFixtures}).
     */
    public static ProcIdentity expected(Path fixture) throws IOException {
        byte[] exe = Files.readAllBytes(fixture.resolve("expected.exe"));
        return new ProcIdentity(Long.parseLong(Files.readString(fixture.resolve("expected.pid")).strip()),
                new String(Arrays.copyOf(exe, exe.length - 1), StandardCharsets.UTF_8),
                Files.readAllBytes(fixture.resolve("expected.cmdline")),
                Files.readAllBytes(fixture.resolve("expected.environ")),
                Files.readAllBytes(fixture.resolve("expected.auxv")),
                Files.readAllBytes(fixture.resolve("expected.comm")));
    }

    /** A field of /proc/PID/status, such as "Uid" or "CapEff", without its name. */
    public static String statusField(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith(field + ":"))
                .map(line -> line.substring(field.length() + 1).strip())
                .findFirst()
                .orElseThrow(() -> new IOException("no " + field + " in /proc/" + pid + "/status"));
    }
}
