package dev.selfrestore.runtime.criu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real CRIU 4.2 image directories of {@code shared/fixtures/criu/} (beside the repository),
 * unpacked where they were written: {@code /opt/selfrestore-fixtures}, since the images name their
 * executables by absolute path.
 */
final class CriuFixtures {
    static final Path ROOT = Path.of("/opt/selfrestore-fixtures/dev");
    private static final String TARBALL = "shared/fixtures/criu/criu-4.2-images.tar.xz";

    private CriuFixtures() {
    }

    /** The fixture directory {@code name} (native, tree, jvm17), unpacked first when absent. */
    static synchronized Path dir(String name) throws IOException, InterruptedException {
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
