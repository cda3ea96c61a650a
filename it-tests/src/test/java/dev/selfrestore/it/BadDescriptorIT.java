package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bad descriptor file never takes the application down: one line naming the file and the
 * problem, no stack trace, main runs with the JVM's own identity; with strict=true the JVM exits
 * non-zero before main.
 */
class BadDescriptorIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    /** A name, how to damage a good record, and words the agent's line must contain. */
    private record Damage(String name, java.util.function.UnaryOperator<byte[]> damage, String expected) {
    }

    private static final List<Damage> CASES = List.of(
            new Damage("empty", b -> new byte[0], "empty"),
            new Damage("truncated", b -> Arrays.copyOf(b, b.length / 2), "truncated"),
            new Damage("flipped", b -> flip(b, b.length / 2), "checksum mismatch"),
            new Damage("wrong-magic", b -> flip(b, 0), "not a selfrestore descriptor"),
            new Damage("newer-major", b -> set(b, 8, (byte) 9), "format version 9."));

    private static byte[] flip(byte[] b, int at) {
        byte[] c = b.clone();
        c[at] ^= 0x5a;
        return c;
    }

    private static byte[] set(byte[] b, int at, byte v) {
        byte[] c = b.clone();
        c[at] = v;
        return c;
    }

    @Test
    void eachBadFileGetsOneLineAndMainRuns(Cli cli) throws Exception {
        byte[] good = Files.readAllBytes(it.capturedSleepOriginal("good.mmd").descriptor());

        for (Damage d : CASES) {
            Path file = Files.write(it.dir().resolve(d.name() + ".mmd"), d.damage().apply(good));
            expectOneLine(cli, file, d.expected());
            expectStrictExit(cli, file);
        }
        Path missing = it.dir().resolve("missing.mmd");
        expectOneLine(cli, missing, "no such file");
        expectStrictExit(cli, missing);
        Path directory = Files.createDirectory(it.dir().resolve("directory.mmd"));
        expectOneLine(cli, directory, "is a directory");
        expectStrictExit(cli, directory);
    }

    private void expectOneLine(Cli cli, Path file, String expected) throws Exception {
        List<String> command = JavaCommand.java().restoredApp(file, "");
        RestoredApp app = RestoredApp.start(it.processes(), command);
        assertSameBytes(file + ": /proc/" + app.pid() + "/cmdline stays the JVM's own", Fixtures.cmdlineOf(command),
                ProcIdentity.of(app.pid()).cmdline());
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: " + file);
        assertTrue(line.contains(expected), () -> "'" + expected + "' in: " + line);
        assertFalse(app.process().stderr().contains("\tat "), () -> "a stack trace: " + app.process().describe());
    }

    private void expectStrictExit(Cli cli, Path file) throws Exception {
        RunningProcess jvm = it.processes().start("strict", JavaCommand.java().restoredApp(file, "strict=true"),
                ItConfig.restorerEnvironment());
        int status = jvm.closeStdinAndAwaitExit(PROCESS_TIMEOUT);
        assertEquals(1, status, () -> file + " with strict=true: " + jvm.describe());
        assertFalse(jvm.stdout().contains("EXE="), () -> file + ": main ran with strict=true: " + jvm.describe());
    }
}
