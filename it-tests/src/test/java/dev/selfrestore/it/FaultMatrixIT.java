package dev.selfrestore.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.fixtures.CriuFixtures;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.it.support.SleepOriginal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each native call of the paths that read or write files, made to fail with EIO through the
 * testing jar ({@code test-faults=CALL:N:ERRNO} for the agent, {@link Cli#TEST_FAULTS_VARIABLE}
 * for the command line; every other call reaches the kernel): the descriptor's trust walk and
 * read, {@code env-file=}, a CRIU image's reads, {@code capture=}, and the commands that write
 * {@code --out}. Each failure is one line naming the file, the call and the errno; the application
 * still reaches main (with {@code strict=true} it exits 1 before), a command exits 2, and a write
 * that fails leaves the file that was there and no temporary file.
 */
class FaultMatrixIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private Path descriptor;
    private SleepOriginal sleep;

    @BeforeEach
    void captureOriginal() throws Exception {
        sleep = it.sleepOriginal();
        descriptor = it.cli().captureOk(sleep.pid(), it.dir().resolve("original.mmd"));
    }

    private RestoredApp restore(Path file, String options) throws Exception {
        return RestoredApp.start(it.processes(), JavaCommand.withTestingJar().restoredApp(file, options));
    }

    /** The agent's one line: not restored, naming {@code file}, the failed call and EIO; main ran. */
    private static void assertRefused(RestoredApp app, Path file, String call) throws Exception {
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: ");
        assertAll(line,
                () -> assertTrue(line.contains(file.toString()), "names the file"),
                () -> assertTrue(line.contains(call + "("), "names the call"),
                () -> assertTrue(line.contains("fault injected") && line.contains("EIO"), "names the errno"),
                () -> assertTrue(line.endsWith("(application continues)"), "main runs"));
    }

    /**
     * The descriptor's trust walk (the root and each directory opened and checked on its descriptor,
     * a symbolic link on the way read) and its read, each call failing in turn.
     */
    @ParameterizedTest
    @ValueSource(strings = {"openat:1:EIO", "openat:2:EIO", "openat:LAST:EIO", "fstat:1:EIO", "fstat:LAST:EIO",
        "readlinkat:1:EIO", "read:1:EIO", "read:2:EIO"})
    void theDescriptorsWalkOrReadFailsTheDescriptorIsRefusedAndMainRuns(String fault) throws Exception {
        Path real = Files.createDirectory(it.dir().resolve("real"));
        Files.move(descriptor, real.resolve("original.mmd"));
        Files.createSymbolicLink(it.dir().resolve("link"), real);
        Path viaLink = it.dir().resolve("link").resolve("original.mmd");
        // The walk opens (openat) and checks (fstat) the root and then each component: the link
        // once as itself, then its target's components from the root again.
        int opened = 1 + it.dir().getNameCount() + 1 + real.getNameCount() + 1;
        String spec = fault.replace("LAST", Integer.toString(opened));
        RestoredApp app = restore(viaLink, "test-faults=" + spec);
        assertRefused(app, viaLink, spec.substring(0, spec.indexOf(':')));
    }

    @ParameterizedTest
    @ValueSource(strings = {"openat:1:EIO", "read:1:EIO"})
    void withStrictTheJvmExitsBeforeMain(String fault) throws Exception {
        RunningProcess jvm = it.processes().start("strict", JavaCommand.withTestingJar().restoredApp(descriptor,
                "test-faults=" + fault + ",strict=true"), ItConfig.restorerEnvironment());
        assertEquals(1, jvm.awaitExit(ItConfig.PROCESS_TIMEOUT), jvm::describe);
        assertFalse(jvm.stdout().contains("EXE="), () -> "main ran: " + jvm.describe());
        List<String> lines = jvm.stderrLines();
        assertTrue(lines.get(0).startsWith("selfrestore: not restored: ") && lines.get(0).contains(descriptor.toString())
                && lines.get(0).contains("EIO"), jvm::describe);
    }

    /** env-file= is opened, checked and read as a descriptor is, after the descriptor's own two reads. */
    @ParameterizedTest
    @ValueSource(strings = {"read:3:EIO", "openat:ENV:EIO", "fstat:ENV:EIO"})
    void anEnvFileThatCannotBeReadIsRefusedAndMainRuns(String fault) throws Exception {
        Path env = Files.writeString(it.dir().resolve("extra.env"), "EXTRA=1\n");
        int descriptorOpens = 1 + descriptor.getNameCount();
        String spec = fault.replace("ENV", Integer.toString(descriptorOpens + 1));
        RestoredApp app = restore(descriptor, "env-file=" + env + ",test-faults=" + spec);
        String line = app.stopAndAssertOneStderrLine("selfrestore: not restored: ");
        assertAll(line,
                () -> assertTrue(line.contains("env-file=" + env), "names the file"),
                () -> assertTrue(line.contains(spec.substring(0, spec.indexOf(':')) + "("), "names the call"),
                () -> assertTrue(line.contains("EIO"), "names the errno"),
                () -> assertTrue(line.endsWith("(application continues)"), "main runs"));
    }

    /**
     * The image directory is walked as a descriptor is, then each image file is opened in it,
     * checked and read. (Whether an optional image exists is asked by opening it, and a failure
     * there only says "it exists": the read that follows reports what fails.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"openat:1:EIO", "fstat:1:EIO", "read:1:EIO", "read:2:EIO"})
    void aCriuImageThatCannotBeReadIsRefusedAndMainRuns(String spec) throws Exception {
        Path images = CriuFixtures.copy(CriuFixtures.dir("native").resolve("images"), it.dir().resolve("images"));
        RestoredApp app = restore(images, "test-faults=" + spec);
        assertRefused(app, images, spec.substring(0, spec.indexOf(':')));
    }

    /**
     * The process's memory (the pages its command line and environment are read from) is read by
     * position from {@code pages-N.img} through the checked descriptor: that read failing names the
     * pages file, the call and the errno.
     */
    @Test
    void aCriuImagePageThatCannotBeReadIsRefusedAndMainRuns() throws Exception {
        Path images = CriuFixtures.copy(CriuFixtures.dir("native").resolve("images"), it.dir().resolve("images"));
        RestoredApp app = restore(images, "test-faults=pread:1:EIO");
        assertRefused(app, images.resolve("pages-1.img"), "pread");
    }

    /** capture=FILE writes in the JVM up to JDK 23, and from JDK 24 through a child the JVM spawns. */
    @Test
    void aCaptureThatCannotBeWrittenKeepsThePreviousFileAndMainRuns() throws Exception {
        Path file = it.dir().resolve("self.mmd");
        byte[] previous = Files.readAllBytes(descriptor);
        Files.write(file, previous);
        String fault = ItConfig.javaFeature() >= 24 ? "spawnAndWait:1:EIO" : "write:1:EIO";
        RestoredApp app = RestoredApp.start(it.processes(), JavaCommand.withTestingJar()
                .capturing("capture=" + file + ",capture-force=true,test-faults=" + fault));
        String line = app.stopAndAssertOneStderrLine("selfrestore: not captured: cannot write " + file + ": ");
        assertTrue(line.contains(fault.substring(0, fault.indexOf(':')) + "(") && line.contains("fault injected")
                && line.contains("EIO"), line);
        assertUnchanged(file, previous);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openat:1:EIO", "fchmod:1:EIO", "write:1:EIO", "fsync:1:EIO", "renameat:1:EIO"})
    void aCaptureCommandThatCannotWriteKeepsThePreviousFile(String fault) throws Exception {
        byte[] previous = Files.readAllBytes(descriptor);
        CommandResult r = Cli.withTestFaults(it.processes(), fault).capture(sleep.pid(), descriptor, "--force");
        assertFailedWrite(r, "capture", descriptor, fault);
        assertUnchanged(descriptor, previous);
    }

    @ParameterizedTest
    @ValueSource(strings = {"write:1:EIO", "fsync:1:EIO"})
    void anEditThatCannotBeWrittenLeavesNoFile(String fault) throws Exception {
        Path out = it.dir().resolve("edited.mmd");
        CommandResult r = Cli.withTestFaults(it.processes(), fault).run("edit", descriptor.toString(), "--out", out.toString(),
                "--set-env", "EXTRA=1");
        assertFailedWrite(r, "edit", out, fault);
        assertFalse(Files.exists(out), "no file written");
        assertUnchanged(descriptor, Files.readAllBytes(descriptor));
    }

    @ParameterizedTest
    @ValueSource(strings = {"write:1:EIO", "fsync:1:EIO"})
    void anImportThatCannotBeWrittenLeavesNoFile(String fault) throws Exception {
        Path out = it.dir().resolve("imported.mmd");
        Path images = CriuFixtures.dir("native").resolve("images");
        CommandResult r = Cli.withTestFaults(it.processes(), fault).run("import", "criu", images.toString(), "--out",
                out.toString());
        assertFailedWrite(r, "import criu", out, fault);
        assertFalse(Files.exists(out), "no file written");
    }

    /** Exit 2 and one line: {@code selfrestore: COMMAND: cannot write FILE: ...CALL(...)... EIO}. */
    private static void assertFailedWrite(CommandResult r, String command, Path file, String fault) {
        String call = fault.substring(0, fault.indexOf(':'));
        List<String> lines = r.stderr().lines().toList();
        assertAll(r.description(),
                () -> assertEquals(2, r.status(), "exit status"),
                () -> assertEquals(1, lines.size(), "one line"),
                () -> assertTrue(lines.get(0).startsWith("selfrestore: " + command + ": cannot write " + file + ": "),
                        "names the file"),
                () -> assertTrue(lines.get(0).contains(call + "("), "names the call"),
                () -> assertTrue(lines.get(0).contains("EIO"), "names the errno"));
    }

    /** {@code file} holds {@code bytes}, and its directory no temporary file. */
    private static void assertUnchanged(Path file, byte[] bytes) throws Exception {
        assertArrayEquals(bytes, Files.readAllBytes(file), "the previous file stays as it was");
        try (Stream<Path> entries = Files.list(file.getParent())) {
            List<String> temporary = entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".") || n.contains("tmp")).toList();
            assertEquals(List.of(), temporary, "no temporary file left in " + file.getParent());
        }
    }
}
