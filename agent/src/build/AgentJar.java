import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Build step (run by the agent module's package phase as a single-file program): assembles the
 * shipped jar, agent/target/selfrestore.jar, in one pass over the entry module and the agent's
 * runtime class path. This is the one place that decides what the jar holds:
 *
 * <ul>
 *   <li>visible on the application's class path: the entry module's classes (agent/entry: the
 *       entry class and its bootstrap package), nothing else;</li>
 *   <li>everything else under {@code inst/}, classes renamed {@code .classdata}, loaded by
 *       selfrestore's own class loader (see IsolatedImplementation), with the package index
 *       {@code inst/META-INF/selfrestore.index} that the loader reads instead of enumerating the jar:
 *       one line per package, the multi-release version it is stored for (0 for the base classes),
 *       a space, the package name;</li>
 *   <li>left out: signatures, module descriptors, Maven metadata, the dependencies' manifests,
 *       JNA's native libraries for platforms other than Linux on x86_64 and aarch64, and the entry
 *       module's build tools ({@code dev/selfrestore/agent/build/}, used here);</li>
 *   <li>changed: JNA's classes name selfrestore's {@code JnaLogger} where they named
 *       {@code java.util.logging.Logger} (ConstantPoolRenamer), so that JNA never sets up the
 *       application's logging; done here rather than as each class loads, which cost every cold
 *       start milliseconds.</li>
 * </ul>
 *
 * Entries are stored, not deflated: the agent reads several hundred classes from the jar on every
 * cold start (bench/README.md, "Where the time goes"). Each directory gets its entry, as jar(1) writes them. When a resource appears in more than one input the first wins, in
 * class-path order, as a shaded jar would; two different classes of one name fail the build. The
 * jar is not written again when it is newer than every input.
 *
 *     java -cp ENTRY AgentJar.java OUT_JAR VERSION ENTRY CLASS_PATH
 *
 * ENTRY is the entry module's jar or class directory; CLASS_PATH the agent's runtime class path
 * (where ENTRY appears again, and is skipped).
 *
 * The same rules make a jar for testing from a built one: every entry of BASE_JAR as it is (its
 * manifest included), then the classes and resources of CLASS_PATH, all under {@code inst/}, the
 * package index covering both. The integration tests add the test seams to the product jar this
 * way (it-tests/pom.xml), so that the product jar never holds them.
 *
 *     java -cp ENTRY AgentJar.java --add BASE_JAR OUT_JAR CLASS_PATH
 */
public final class AgentJar {
    private static final String VERSIONS = "META-INF/versions/";
    private static final String INDEX = "inst/META-INF/selfrestore.index";
    private static final Set<String> JNA_PLATFORMS = Set.of("linux-x86-64", "linux-aarch64");
    private static final String BUILD_TOOLS = "dev/selfrestore/agent/build/";
    /** JNA logs through java.util.logging; inside selfrestore it logs through JnaLogger instead. */
    private static final dev.selfrestore.agent.build.ConstantPoolRenamer JNA_LOGGING =
            new dev.selfrestore.agent.build.ConstantPoolRenamer("java/util/logging/Logger",
                    "dev/selfrestore/nativeshim/internal/JnaLogger");

    public static void main(String[] args) throws IOException {
        if (args.length == 4 && args[0].equals("--add")) {
            add(Path.of(args[1]), Path.of(args[2]), args[3]);
            return;
        }
        Path out = Path.of(args[0]);
        String version = args[1];
        Path entry = Path.of(args[2]).toAbsolutePath().normalize();
        if (!Files.exists(entry)) {
            throw new IOException("the entry module's classes are not at " + args[2] + " (build agent/entry first)");
        }
        List<Path> inputs = new ArrayList<>();
        inputs.add(entry);
        for (String p : args[3].split(java.io.File.pathSeparator)) {
            if (!p.isEmpty() && Files.exists(Path.of(p)) && !Path.of(p).toAbsolutePath().normalize().equals(entry)) {
                inputs.add(Path.of(p));
            }
        }
        if (upToDate(out, inputs, self())) {
            System.out.println("selfrestore.jar is up to date");
            return;
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Manifest manifest = manifest(version);
        int count;
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(tmp))) {
            java.io.ByteArrayOutputStream mf = new java.io.ByteArrayOutputStream();
            manifest.write(mf);
            Writer w = new Writer(jar);
            w.put(java.util.jar.JarFile.MANIFEST_NAME, mf.toByteArray());
            count = w.writeAll(inputs, entry);
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("selfrestore.jar: " + count + " entries");
    }

    /** {@code --add}: a copy of BASE_JAR with CLASS_PATH's classes and resources added under inst/. */
    private static void add(Path base, Path out, String classPath) throws IOException {
        List<Path> inputs = new ArrayList<>();
        for (String p : classPath.split(java.io.File.pathSeparator)) {
            if (!p.isEmpty() && Files.exists(Path.of(p))) {
                inputs.add(Path.of(p));
            }
        }
        List<Path> all = new ArrayList<>(inputs);
        all.add(base);
        if (upToDate(out, all, self())) {
            System.out.println(out.getFileName() + " is up to date");
            return;
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        int count;
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(tmp))) {
            Writer w = new Writer(jar);
            w.copy(base);
            count = w.writeAll(inputs, null);
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println(out.getFileName() + ": " + count + " entries");
    }

    /** This program's own file, when it runs from one. */
    private static Path self() {
        return Path.of(AgentJar.class.getProtectionDomain().getCodeSource() == null
                ? "" : AgentJar.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    }

    private static Manifest manifest(String version) {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Premain-Class", "dev.selfrestore.agent.SelfRestoreAgent");
        a.putValue("Agent-Class", "dev.selfrestore.agent.SelfRestoreAgent");
        a.putValue("Main-Class", "dev.selfrestore.agent.SelfRestoreAgent");
        a.putValue("Enable-Native-Access", "ALL-UNNAMED");
        a.putValue("Implementation-Title", "selfrestore");
        a.putValue("Implementation-Version", version);
        return m;
    }

    /** True when OUT exists and is newer than every input file (and than this program). */
    private static boolean upToDate(Path out, List<Path> inputs, Path self) throws IOException {
        if (!Files.exists(out)) {
            return false;
        }
        FileTime built = Files.getLastModifiedTime(out);
        if (Files.isRegularFile(self) && Files.getLastModifiedTime(self).compareTo(built) > 0) {
            return false;
        }
        for (Path in : inputs) {
            try (Stream<Path> files = Files.isDirectory(in) ? Files.walk(in) : Stream.of(in)) {
                if (files.anyMatch(f -> newer(f, built))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean newer(Path f, FileTime than) {
        try {
            return Files.getLastModifiedTime(f).compareTo(than) > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where an input's entry goes in the shipped jar, or null when it is left out; {@code visible}
     * for the entry module's.
     */
    static String target(String name, boolean visible) {
        if (name.endsWith("/") || name.equals("META-INF/MANIFEST.MF")
                || name.startsWith("META-INF/maven/")
                || name.endsWith("module-info.class")
                || (name.startsWith("META-INF/") && name.indexOf('/', 9) < 0
                        && (name.endsWith(".SF") || name.endsWith(".DSA") || name.endsWith(".RSA")))) {
            return null;
        }
        if (visible) {
            return name.startsWith(BUILD_TOOLS) ? null : name;
        }
        if (name.startsWith("com/sun/jna/") && name.indexOf('/', 12) > 0) {
            String dir = name.substring(12, name.indexOf('/', 12));
            if (dir.contains("-") && !JNA_PLATFORMS.contains(dir)) {
                return null;
            }
        }
        return name.endsWith(".class")
                ? "inst/" + name.substring(0, name.length() - ".class".length()) + ".classdata"
                : "inst/" + name;
    }

    /** The package index line of a class stored under inst/, or null for any other entry. */
    static String indexLine(String name) {
        if (!name.endsWith(".class") || name.endsWith("module-info.class")) {
            return null;
        }
        int version = 0;
        if (name.startsWith(VERSIONS)) {
            int slash = name.indexOf('/', VERSIONS.length());
            version = Integer.parseInt(name.substring(VERSIONS.length(), slash));
            name = name.substring(slash + 1);
        }
        int slash = name.lastIndexOf('/');
        return slash > 0 ? version + " " + name.substring(0, slash).replace('/', '.') : null;
    }

    private static final class Writer {
        private final JarOutputStream jar;
        private final Set<String> written = new HashSet<>();
        private final TreeSet<String> index = new TreeSet<>();
        private final CRC32 crc = new CRC32();
        private int files;

        Writer(JarOutputStream jar) {
            this.jar = jar;
        }

        /**
         * Every entry of a built jar, as it is and first (its manifest too); its package index is
         * kept to be written again, with the inputs' packages, by {@link #writeAll}.
         */
        void copy(Path jarFile) throws IOException {
            try (ZipFile zip = new ZipFile(jarFile.toFile())) {
                ZipEntry manifest = zip.getEntry(java.util.jar.JarFile.MANIFEST_NAME);
                if (manifest == null || zip.getEntry(INDEX) == null) {
                    throw new IOException(jarFile + " is not a selfrestore jar (no manifest or no " + INDEX + ")");
                }
                put(manifest.getName(), read(zip, manifest));
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                    ZipEntry z = e.nextElement();
                    if (z.isDirectory() || z.getName().equals(manifest.getName())) {
                        continue;
                    }
                    if (z.getName().equals(INDEX)) {
                        for (String line : new String(read(zip, z), StandardCharsets.UTF_8).split("\n")) {
                            if (!line.isEmpty()) {
                                index.add(line);
                            }
                        }
                    } else {
                        put(z.getName(), read(zip, z));
                    }
                }
            }
        }

        private static byte[] read(ZipFile zip, ZipEntry z) throws IOException {
            try (InputStream s = zip.getInputStream(z)) {
                return s.readAllBytes();
            }
        }

        /** The inputs, {@code entry} (null for none) visible and the others under inst/, then the index. */
        int writeAll(List<Path> inputs, Path entry) throws IOException {
            for (Path in : inputs) {
                boolean visible = in.equals(entry);
                if (Files.isDirectory(in)) {
                    List<Path> files;
                    try (Stream<Path> s = Files.walk(in)) {
                        files = s.filter(Files::isRegularFile).sorted().toList();
                    }
                    for (Path f : files) {
                        String name = in.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                        add(in + "!" + name, name, Files.readAllBytes(f), visible);
                    }
                } else {
                    try (ZipFile zip = new ZipFile(in.toFile())) {
                        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                            ZipEntry z = e.nextElement();
                            if (!z.isDirectory()) {
                                try (InputStream s = zip.getInputStream(z)) {
                                    add(in + "!" + z.getName(), z.getName(), s.readAllBytes(), visible);
                                }
                            }
                        }
                    }
                }
            }
            StringBuilder lines = new StringBuilder();
            for (String l : index) {
                lines.append(l).append('\n');
            }
            put(INDEX, lines.toString().getBytes(StandardCharsets.UTF_8));
            return files;
        }

        private void add(String origin, String name, byte[] data, boolean visible) throws IOException {
            String to = target(name, visible);
            if (to == null) {
                return;
            }
            if (!written.add(to)) {
                if (name.endsWith(".class")) {
                    throw new IOException("two classes named " + name + "; the second from " + origin);
                }
                return;
            }
            String line = visible ? null : indexLine(name);
            if (line != null) {
                index.add(line);
            }
            write(to, !visible && name.startsWith("com/sun/jna/") && name.endsWith(".class") ? JNA_LOGGING.rename(data) : data);
        }

        private void put(String name, byte[] data) throws IOException {
            if (!written.add(name)) {
                throw new IOException("duplicate entry " + name);
            }
            write(name, data);
        }

        private void write(String name, byte[] data) throws IOException {
            for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
                String dir = name.substring(0, slash + 1);
                if (written.add(dir)) {
                    write(dir, new byte[0]);
                }
            }
            ZipEntry e = new ZipEntry(name);
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            e.setCompressedSize(data.length);
            crc.reset();
            crc.update(data);
            e.setCrc(crc.getValue());
            jar.putNextEntry(e);
            if (!name.endsWith("/")) {
                files++;
            }
            ((OutputStream) jar).write(data);
            jar.closeEntry();
        }
    }
}
