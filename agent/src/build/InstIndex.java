import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Build step (run by the agent module's package phase as a single-file program): writes the index
 * of the classes the shipped jar stores under inst/, so that the agent does not enumerate the jar's
 * thousands of entries at every JVM start. One line per package: the multi-release version it is
 * stored for (0 for the base classes), a space, the package name.
 *
 *     java InstIndex.java FLAT_JAR OUT_FILE
 */
public final class InstIndex {
    private static final String VERSIONS = "META-INF/versions/";

    public static void main(String[] args) throws IOException {
        TreeSet<String> lines = new TreeSet<>();
        try (ZipFile flat = new ZipFile(args[0])) {
            for (Enumeration<? extends ZipEntry> e = flat.entries(); e.hasMoreElements(); ) {
                String n = e.nextElement().getName();
                // The classes that stay visible on the class path (see the jar task) are not indexed.
                if (!n.endsWith(".class") || n.endsWith("module-info.class")
                        || n.equals("dev/selfrestore/agent/SelfRestoreAgent.class")
                        || n.startsWith("dev/selfrestore/agent/bootstrap/")) {
                    continue;
                }
                int version = 0;
                if (n.startsWith(VERSIONS)) {
                    int slash = n.indexOf('/', VERSIONS.length());
                    version = Integer.parseInt(n.substring(VERSIONS.length(), slash));
                    n = n.substring(slash + 1);
                }
                int slash = n.lastIndexOf('/');
                if (slash > 0) {
                    lines.add(version + " " + n.substring(0, slash).replace('/', '.'));
                }
            }
        }
        Path out = Path.of(args[1]);
        Files.createDirectories(out.getParent());
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (String l : lines) {
                w.write(l);
                w.write('\n');
            }
        }
    }
}
