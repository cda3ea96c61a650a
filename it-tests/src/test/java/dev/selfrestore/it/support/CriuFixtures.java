package dev.selfrestore.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The real CRIU 4.2 image directories of {@code shared/fixtures/criu/} (beside the repository),
 * unpacked where they were written, {@code /opt/selfrestore-fixtures}: the images name their
 * executables by absolute path. Each directory holds {@code images/} and the {@code expected.*}
 * files /proc showed just before the dump.
 */
public final class CriuFixtures {
    public static final Path ROOT = Path.of("/opt/selfrestore-fixtures/dev");
    private static final String TARBALL = "shared/fixtures/criu/criu-4.2-images.tar.xz";

    private CriuFixtures() {
    }

    /** The fixture directory {@code name} (native, tree, tree/worker-a, jvm17), unpacked first when absent. */
    public static synchronized Path dir(String name) throws IOException, InterruptedException {
        if (!Files.isDirectory(ROOT.resolve("jvm17/images"))) {
            Path tarball = findTarball();
            Files.createDirectories(ROOT.getParent());
            Process p = new ProcessBuilder("tar", "-xJf", tarball.toString(), "-C", ROOT.getParent().toString())
                    .inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("tar -xJf " + tarball + " failed with status " + p.exitValue());
            }
        }
        return ROOT.resolve(name);
    }

    /** What /proc showed of the checkpointed process, as a {@link ProcIdentity}. */
    public static ProcIdentity expected(Path dir) throws IOException {
        byte[] exe = Files.readAllBytes(dir.resolve("expected.exe"));
        return new ProcIdentity(Long.parseLong(Files.readString(dir.resolve("expected.pid")).strip()),
                new String(Arrays.copyOf(exe, exe.length - 1), java.nio.charset.StandardCharsets.UTF_8),
                Files.readAllBytes(dir.resolve("expected.cmdline")), Files.readAllBytes(dir.resolve("expected.environ")),
                Files.readAllBytes(dir.resolve("expected.auxv")), Files.readAllBytes(dir.resolve("expected.comm")));
    }

    /** A copy of {@code images} in {@code to}, to damage. */
    public static Path copy(Path images, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(images)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    /** shared/ beside the repository, or beside one of the directories above it. */
    private static Path findTarball() throws IOException {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path t = d.resolve(TARBALL);
            if (Files.isRegularFile(t)) {
                return t;
            }
        }
        throw new IOException("no " + TARBALL + " beside the repository or above it");
    }
}
