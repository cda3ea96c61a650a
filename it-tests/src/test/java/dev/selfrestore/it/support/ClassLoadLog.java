package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a JVM started with {@link #jvmOption} wrote about its classes, in the order it wrote it: each
 * class loaded, with its source and the class loader that defined it, and each class initialised.
 * The JVM's unified logging writes one line per event, prefixed by the thread id; the defining
 * loader is on a second line of the same thread.
 *
 * <p>Unified logging pads each decoration to the widest value it has written so far, left-justified:
 * once a thread whose id has more digits has logged (thread ids are the kernel's, and cross 10000 or
 * 1000 as the machine starts processes), every later line of the main thread reads {@code [9986 ]}.
 * A reader that took only {@code [9986]} would lose the rest of main without a word, so every line
 * must carry a thread id, padded or not, and a class whose loader line the reader cannot read fails.
 */
public final class ClassLoadLog {

    /** The class loader the JDK uses for the class path, as the log names it. */
    public static final String APP_LOADER = "jdk/internal/loader/ClassLoaders$AppClassLoader";

    /** A line of the log: the thread id, padded with spaces to the widest one before it, and the message. */
    private static final Pattern LINE = Pattern.compile("\\[(\\d+) *\\] (.*)");
    private static final Pattern LOADED = Pattern.compile("(\\S+) source: (.*)");
    private static final Pattern DEFINED_BY = Pattern.compile(
            " klass: .* loader: \\[loader data: \\S+ (?:for instance a '([^']+)'|of '([^']+)')");
    private static final Pattern INITIALISING = Pattern.compile("(?:\\d+ )?Initializing '([^']+)'.*");

    /** A class the JVM loaded: its place in the log, its name, its source and its defining loader. */
    public record Loaded(int order, String name, String source, String loader) {

        /**
         * The file or directory it was read from, if its source is one: a URL for class loaders with a
         * code source, a plain path for the boot class path. Hidden classes name their host class,
         * classes from the JDK's image {@code jrt:/} or the shared archive.
         */
        public Optional<Path> file() {
            if (source.startsWith("file:")) {
                return Optional.of(Path.of(URI.create(source)).normalize());
            }
            if (source.startsWith("/")) {
                return Optional.of(Path.of(source).normalize());
            }
            return Optional.empty();
        }

        /** Whether it was read from {@code jar}. */
        public boolean from(Path jar) {
            return file().filter(jar.toAbsolutePath().normalize()::equals).isPresent();
        }

        @Override
        public String toString() {
            return name + " (source " + source + ", loader " + loader + ")";
        }
    }

    private final Path file;
    private final List<Loaded> loaded;
    private final Map<String, Integer> initialised;
    private final int lines;
    private final String lastLine;

    private ClassLoadLog(Path file, List<Loaded> loaded, Map<String, Integer> initialised, int lines, String lastLine) {
        this.file = file;
        this.loaded = List.copyOf(loaded);
        this.initialised = Map.copyOf(initialised);
        this.lines = lines;
        this.lastLine = lastLine;
    }

    /**
     * The JVM option that writes this log to {@code file} (a path without ',' or ':'). With {@code
     * filecount=0} the whole log is in that one file: never rotated into {@code file.0} and the like
     * (by default at 20 MB), and emptied if it exists.
     */
    public static String jvmOption(Path file) {
        String path = file.toAbsolutePath().toString();
        if (path.contains(",") || path.contains(":")) {
            throw new IllegalArgumentException("-Xlog cannot take this file name: " + path);
        }
        return "-Xlog:class+load=debug,class+init=debug:file=" + path + ":tid:filecount=0";
    }

    /**
     * Reads the log a JVM that has ended wrote; fails on a line without a thread id, on a class whose
     * loader line does not follow on its thread, and if it holds no class at all. Other lines of the
     * thread (class verification, for one) are not read.
     */
    public static ClassLoadLog read(Path file) throws IOException {
        List<Loaded> loaded = new ArrayList<>();
        Map<String, Integer> initialised = new HashMap<>();
        Map<String, String[]> lastLoadedByThread = new HashMap<>();
        List<String> lines = Files.readAllLines(file);
        int order = 0;
        for (String line : lines) {
            order++;
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                fail("line " + order + " of " + file + " (" + lines.size() + " lines) does not start with a thread id "
                        + "as " + jvmOption(file) + " writes it: " + line);
            }
            String thread = m.group(1);
            String text = m.group(2);
            Matcher l = LOADED.matcher(text);
            Matcher d = DEFINED_BY.matcher(text);
            Matcher i = INITIALISING.matcher(text);
            if (l.matches()) {
                String[] pending = lastLoadedByThread.put(thread,
                        new String[] {Integer.toString(order), l.group(1), l.group(2)});
                if (pending != null) {
                    fail("line " + pending[0] + " of " + file + ": thread " + thread + " loaded " + pending[1]
                            + " but no loader line of the form " + DEFINED_BY.pattern() + " followed before line "
                            + order + ": " + line);
                }
            } else if (d.lookingAt()) {
                String[] c = lastLoadedByThread.remove(thread);
                if (c == null) {
                    fail("line " + order + " of " + file + " names a loader but thread " + thread + " loaded no class: " + line);
                }
                loaded.add(new Loaded(Integer.parseInt(c[0]), c[1], c[2], d.group(1) != null ? d.group(1) : d.group(2)));
            } else if (i.matches()) {
                initialised.putIfAbsent(i.group(1).replace('/', '.'), order);
            }
        }
        // A class of which only the first line was written is left out: the JVM may end while a daemon
        // thread is between the two lines.
        loaded.sort(java.util.Comparator.comparingInt(Loaded::order));
        ClassLoadLog log = new ClassLoadLog(file, loaded, initialised, lines.size(),
                lines.isEmpty() ? "(none)" : lines.get(lines.size() - 1));
        if (loaded.isEmpty()) {
            fail(log.describe() + ": no class loaded; was the JVM started with " + jvmOption(file) + "?");
        }
        return log;
    }

    /** The file, its number of lines, classes loaded and initialised, and its last line: for failure messages. */
    public String describe() {
        return file + " (" + lines + " lines, " + loaded.size() + " classes loaded, " + initialised.size()
                + " initialised; last line: " + lastLine + ")";
    }

    public List<Loaded> loaded() {
        return loaded;
    }

    /** Where the first class of that name was loaded. */
    public Optional<Loaded> firstLoaded(String name) {
        return loaded.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Where the class of that name (the first one) was initialised, if it was. */
    public OptionalInt initialisedAt(String name) {
        Integer at = initialised.get(name);
        return at == null ? OptionalInt.empty() : OptionalInt.of(at);
    }
}
