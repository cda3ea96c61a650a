package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentityExceptExe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.fixtures.CriuFixtures;
import dev.selfrestore.it.app.IdentityViews;
import dev.selfrestore.it.support.ClassLoadLog;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.it.support.ViewsReport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real CRIU 4.2 images (a native process, a process tree, a JDK 17 JVM) restored into a fresh JVM,
 * from the image directory itself and from the descriptor {@code import criu} writes: /proc shows
 * byte for byte what the checkpointed process showed before its dump.
 */
class CriuImageIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void nativeProcessFromTheImageAndFromItsImport() throws Exception {
        Path fixture = CriuFixtures.dir("native");
        ProcIdentity expected = ProcIdentity.expected(fixture);

        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(fixture.resolve("images"), ""));
        assertSameIdentity(expected, ProcIdentity.of(restored.pid()));
        Cli cli = it.cli();
        cli.run("verify", "--pid", Long.toString(restored.pid()), fixture.resolve("images").toString()).assertStatus(0);
        String line = restored.stopAndAssertOneStderrLine("selfrestore: restored pid 31688 (billing-daemon, "
                + "/opt/selfrestore-fixtures/dev/bin/billing-daemon): exe, cmdline (3 args), environ");

        Path descriptor = it.dir().resolve("native.mmd");
        CommandResult imported = cli.run("import", "criu", fixture.resolve("images").toString(), "--out", descriptor.toString())
                .assertStatus(0);
        assertEquals("imported pid 31688 (billing-daemon, /opt/selfrestore-fixtures/dev/bin/billing-daemon) from "
                + fixture.resolve("images") + " to " + descriptor + "\n", imported.stdout());
        cli.run("diff", descriptor.toString(), fixture.resolve("images").toString()).assertStatus(1); // the format only
        restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, ""));
        assertSameIdentity(expected, ProcIdentity.of(restored.pid()));
        restored.stopAndAssertOneStderrLine("selfrestore: restored pid 31688");
        assertTrue(line.contains("auxv (23 entries), comm in "), line);
    }

    @Test
    void processTreeRootAndEachWorkerByPid() throws Exception {
        Path fixture = CriuFixtures.dir("tree");
        Path images = fixture.resolve("images");
        RestoredApp root = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(images, ""));
        assertSameIdentity(ProcIdentity.expected(fixture), ProcIdentity.of(root.pid()));
        root.stopAndAssertOneStderrLine("selfrestore: restored pid 31719 (sh, ");
        for (String worker : List.of("worker-a", "worker-b")) {
            ProcIdentity expected = ProcIdentity.expected(fixture.resolve(worker));
            RestoredApp w = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(images, "pid=" + expected.pid()));
            assertSameIdentity(expected, ProcIdentity.of(w.pid()));
            w.stopAndAssertOneStderrLine("selfrestore: restored pid " + expected.pid() + " (" + worker + ", ");
        }
        CommandResult missing = it.cli().run("import", "criu", images.toString(), "--pid", "4242", "--out",
                it.dir().resolve("x.mmd").toString()).assertStatus(2);
        assertEquals("selfrestore: import criu: " + images.resolve("pstree.img")
                + ": pid 4242 is not in the image; it holds 31719, 31724, 31725\n", missing.stderr());
    }

    /** A JDK 17 JVM of 14 threads: its leader's name, and main(String[]) gets its application arguments. */
    @Test
    void jvmImageRestoresAsAJvm() throws Exception {
        Path fixture = CriuFixtures.dir("jvm17");
        ProcIdentity expected = ProcIdentity.expected(fixture);
        RunningProcess app = it.processes().start("restored", JavaCommand.java().app(fixture.resolve("images"), "main-args=restore",
                IdentityViews.class.getName(), "its", "own"), ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        assertSameIdentity(expected, ProcIdentity.of(app.pid()));
        assertEquals(List.of("--shard=7", "--listen=:9090"), new ViewsReport(app.stdoutLines()).all("ARG").stream()
                .map(b -> new String(b, StandardCharsets.UTF_8)).toList(), "main(String[]) arguments");
        assertEquals(0, app.closeStdinAndAwaitExit(PROCESS_TIMEOUT));
        // the application's own JNA may make JDK 24+ warn about native access: the agent's lines only
        List<String> lines = app.stderrLines().stream().filter(l -> l.startsWith("selfrestore: ")).toList();
        assertEquals(1, lines.size(), app::describe);
        assertTrue(lines.get(0).startsWith("selfrestore: restored pid 31787 (java, /usr/lib/jvm/java-17-openjdk-amd64/bin/java): ")
                && lines.get(0).contains("main args (2)"), app::describe);
    }

    /** An image start uses neither Chronicle Bytes nor JNA's Unsafe paths: no JDK warning, on JDK 24+ too. */
    @Test
    void imageStartPrintsOnlyTheAgentsLine() throws Exception {
        Path fixture = CriuFixtures.dir("native");
        // no --sun-misc-unsafe-memory-access=allow
        List<String> command = JavaCommand.bareJava().restoredApp(fixture.resolve("images"), "");
        RestoredApp restored = RestoredApp.start(it.processes(), command);
        assertSameIdentity(ProcIdentity.expected(fixture), ProcIdentity.of(restored.pid()));
        restored.stopAndAssertOneStderrLine("selfrestore: restored pid 31688");
    }

    /** CRIU kept the deleted exe as a ghost file: everything else is restored, and the line says why not exe. */
    @Test
    void exeDeletedAtCheckpointTime() throws Exception {
        Path fixture = CriuFixtures.dir("native");
        Path images = CriuFixtures.copy(fixture.resolve("images"), it.dir().resolve("images"));
        // remap-fpath.img: one remap_file_path_entry {orig_id 1 (mm's exe_file_id), remap_id 7, remap_type GHOST}
        byte[] entry = {0x08, 0x01, 0x10, 0x07, 0x18, 0x01};
        ByteBuffer b = ByteBuffer.allocate(12 + entry.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x54564319).putInt(0x59133954).putInt(entry.length).put(entry);
        Files.write(images.resolve("remap-fpath.img"), b.array());

        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(images, ""));
        ProcIdentity after = ProcIdentity.of(restored.pid());
        assertSameIdentityExceptExe(ProcIdentity.expected(fixture), after);
        assertEquals(ItConfig.javaRealPath().toString(), after.exe());
        String line = restored.stopAndAssertOneStderrLine("selfrestore: partly restored pid 31688 (billing-daemon, ");
        assertTrue(line.endsWith("; exe not changed: /opt/selfrestore-fixtures/dev/bin/billing-daemon was deleted at "
                + "checkpoint time (CRIU kept its content in ghost-file-7.img) (application continues)")
                || line.endsWith("; exe not changed: /opt/selfrestore-fixtures/dev/bin/billing-daemon was deleted at "
                + "checkpoint time (CRIU kept its content in ghost-file-7.img)"), line);
    }

    /** files.img says 43889 bytes: the file on disk (43888) is not the one checkpointed. */
    @Test
    void exeChangedSinceTheCheckpoint() throws Exception {
        Path fixture = CriuFixtures.dir("native");
        Path images = CriuFixtures.copy(fixture.resolve("images"), it.dir().resolve("images"));
        byte[] files = Files.readAllBytes(images.resolve("files.img"));
        byte[] size = {0x40, (byte) 0xf0, (byte) 0xd6, 0x02}; // reg_file_entry.size = 43888 (field 8, varint)
        int at = indexOf(files, size);
        assertTrue(at > 0 && indexOf(java.util.Arrays.copyOfRange(files, at + 1, files.length), size) < 0,
                "files.img holds the exe's size once");
        files[at + 1] = (byte) 0xf1; // 43889
        Files.write(images.resolve("files.img"), files);

        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(images, ""));
        assertSameIdentityExceptExe(ProcIdentity.expected(fixture), ProcIdentity.of(restored.pid()));
        String line = restored.stopAndAssertOneStderrLine("selfrestore: partly restored pid 31688");
        assertTrue(line.contains("exe not changed: /opt/selfrestore-fixtures/dev/bin/billing-daemon has size 43888, "
                + "not 43889 as captured: it changed since capture"), line);
    }

    /** A damaged image: one line naming the file and entry; the application still reaches main. */
    @Test
    void damagedImageIsOneLine() throws Exception {
        Path images = CriuFixtures.copy(CriuFixtures.dir("native").resolve("images"), it.dir().resolve("images"));
        byte[] mm = Files.readAllBytes(images.resolve("mm-31688.img"));
        Files.write(images.resolve("mm-31688.img"), java.util.Arrays.copyOf(mm, mm.length - 100));
        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(images, ""));
        String line = restored.stopAndAssertOneStderrLine("selfrestore: not restored: ");
        assertEquals("selfrestore: not restored: " + images.resolve("mm-31688.img") + ": entry 1 at offset 8: length "
                + (mm.length - 12) + " runs past the end of the file (" + (mm.length - 112) + " bytes left) "
                + "(application continues)", line);
        CommandResult inspect = it.cli().run("inspect", images.toString()).assertStatus(2);
        assertEquals("selfrestore: inspect: " + line.substring("selfrestore: not restored: ".length(),
                line.length() - " (application continues)".length()) + "\n", inspect.stderr());
    }

    /**
     * An image directory is trusted as a descriptor is: each of its files is opened relative to the
     * checked directory and checked on its own descriptor, so one that another user owns is refused,
     * by name, and so is an image directory inside a directory another user owns.
     */
    @Test
    void imageFilesAnotherUserCouldHaveWrittenAreRefused() throws Exception {
        Path images = CriuFixtures.copy(CriuFixtures.dir("native").resolve("images"), it.dir().resolve("images"));
        Files.setAttribute(images.resolve("mm-31688.img"), "unix:uid", 65534);
        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(images, ""));
        String line = restored.stopAndAssertOneStderrLine("selfrestore: not restored: ");
        assertTrue(line.contains(images.resolve("mm-31688.img").toString()) && line.contains("65534"), line);

        Path foreign = Files.createDirectory(it.dir().resolve("foreign"));
        Path inForeign = CriuFixtures.copy(CriuFixtures.dir("native").resolve("images"), foreign.resolve("images"));
        Files.setAttribute(foreign, "unix:uid", 65534);
        restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(inForeign, ""));
        line = restored.stopAndAssertOneStderrLine("selfrestore: not restored: " + inForeign + ": refusing");
        assertTrue(line.contains(foreign.toString()) && line.contains("65534"), line);
    }

    /**
     * A checkpointed service comes back as another instance: its image edited with {@code edit}
     * (another REGION in place, a new INSTANCE_ID with a byte that is not UTF-8, another argument),
     * or with the agent's {@code set-env=} on the image itself; /proc shows the edited identity byte
     * for byte, and verify against the edited descriptor passes.
     */
    @Test
    void anEditedImageRestoresAsAnotherInstance() throws Exception {
        Path fixture = CriuFixtures.dir("native");
        Path images = fixture.resolve("images");
        ProcIdentity expected = ProcIdentity.expected(fixture);
        String environ = new String(expected.environ(), StandardCharsets.ISO_8859_1);
        byte[] editedEnviron = (environ.replace("REGION=eu-west-1\0", "REGION=us-east-1\0") + "INSTANCE_ID=i-\u00ff42\0")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] editedCmdline = new String(expected.cmdline(), StandardCharsets.ISO_8859_1).replace("\u000060\u0000", "\u000090\u0000")
                .getBytes(StandardCharsets.ISO_8859_1);

        Cli cli = it.cli();
        Path edited = it.dir().resolve("instance-2.mmd");
        cli.run("edit", images.toString(), "--out", edited.toString(), "--set-env", "REGION=us-east-1",
                "--set-env", "INSTANCE_ID=i-\\xff42", "--set-arg", "2=90").assertStatus(0);
        CommandResult inspect = cli.run("inspect", edited.toString()).assertStatus(0);
        assertTrue(inspect.stdout().contains("edited (3 changes), not a capture")
                && inspect.stdout().contains("source       criu image"), inspect::description);

        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(edited, ""));
        ProcIdentity after = ProcIdentity.of(restored.pid());
        assertEquals(expected.exe(), after.exe());
        dev.selfrestore.it.support.ProcAssertions.assertSameBytes("cmdline", editedCmdline, after.cmdline());
        dev.selfrestore.it.support.ProcAssertions.assertSameBytes("environ", editedEnviron, after.environ());
        dev.selfrestore.it.support.ProcAssertions.assertSameBytes("auxv", expected.auxv(), after.auxv());
        dev.selfrestore.it.support.ProcAssertions.assertSameBytes("comm", expected.comm(), after.comm());
        cli.run("verify", "--pid", Long.toString(restored.pid()), edited.toString()).assertStatus(0);
        restored.stopAndAssertOneStderrLine("selfrestore: restored pid 31688 (billing-daemon");

        restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(images,
                "set-env=REGION=us-east-1,set-env=INSTANCE_ID=i-\\xff42"));
        dev.selfrestore.it.support.ProcAssertions.assertSameBytes("environ", editedEnviron,
                ProcIdentity.of(restored.pid()).environ());
        String line = restored.stopAndAssertOneStderrLine("selfrestore: restored pid 31688 (billing-daemon");
        assertTrue(line.contains("(edited: 2 changes)"), line);
    }

    /** Given a descriptor, the agent loads neither protobuf nor the image reader; given an image, it does. */
    @Test
    void protobufStaysOffTheDescriptorsStartUpPath() throws Exception {
        Path images = CriuFixtures.dir("native").resolve("images");
        Path descriptor = it.dir().resolve("native.mmd");
        it.cli().run("import", "criu", images.toString(), "--out", descriptor.toString()).assertStatus(0);
        ClassLoadLog descriptorLog = restoreWithClassLog(descriptor, it.dir().resolve("descriptor.log"));
        assertEquals(List.of(), imageClasses(descriptorLog),
                () -> "protobuf or CRIU classes loaded for a descriptor, in " + descriptorLog.describe());
        ClassLoadLog imageLog = restoreWithClassLog(images, it.dir().resolve("image.log"));
        List<String> fromImage = imageClasses(imageLog);
        assertTrue(fromImage.contains("com.google.protobuf.GeneratedMessage")
                && fromImage.contains("dev.selfrestore.runtime.criu.CriuImageReader"),
                () -> fromImage + " in " + imageLog.describe());
    }

    private ClassLoadLog restoreWithClassLog(Path input, Path log) throws Exception {
        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(input, "",
                ClassLoadLog.jvmOption(log)));
        restored.stopAndAssertOneStderrLine("selfrestore: restored");
        return ClassLoadLog.read(log);
    }

    private static List<String> imageClasses(ClassLoadLog log) {
        List<String> out = new ArrayList<>();
        for (ClassLoadLog.Loaded c : log.loaded()) {
            if (c.name().startsWith("com.google.protobuf.") || c.name().startsWith("dev.selfrestore.runtime.criu.")
                    || c.name().equals("dev.selfrestore.agent.internal.TrustedImageImport")) {
                out.add(c.name());
            }
        }
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
