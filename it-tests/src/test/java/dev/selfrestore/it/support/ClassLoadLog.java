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
 */
public final class ClassLoadLog {

    /** The class loader the JDK uses for the class path, as the log names it. */
    public static final String APP_LOADER = "jdk/internal/loader/ClassLoaders$AppClassLoader";

    private static final Pattern LINE = Pattern.compile("\\[(\\d+)\\] (.*)");
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

    private final List<Loaded> loaded;
    private final Map<String, Integer> initialised;

    private ClassLoadLog(List<Loaded> loaded, Map<String, Integer> initialised) {
        this.loaded = List.copyOf(loaded);
        this.initialised = Map.copyOf(initialised);
    }

    /** The JVM option that writes this log to {@code file} (a path without ',' or ':'). */
    public static String jvmOption(Path file) {
        String path = file.toAbsolutePath().toString();
        if (path.contains(",") || path.contains(":")) {
            throw new IllegalArgumentException("-Xlog cannot take this file name: " + path);
        }
        return "-Xlog:class+load=debug,class+init=debug:file=" + path + ":tid";
    }

    /** Reads the log a JVM that has ended wrote; fails if it holds no class at all. */
    public static ClassLoadLog read(Path file) throws IOException {
        List<Loaded> loaded = new ArrayList<>();
        Map<String, Integer> initialised = new HashMap<>();
        Map<String, String[]> lastLoadedByThread = new HashMap<>();
        int order = 0;
        for (String line : Files.readAllLines(file)) {
            order++;
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String thread = m.group(1);
            String text = m.group(2);
            Matcher l = LOADED.matcher(text);
            Matcher d = DEFINED_BY.matcher(text);
            Matcher i = INITIALISING.matcher(text);
            if (l.matches()) {
                lastLoadedByThread.put(thread, new String[] {Integer.toString(order), l.group(1), l.group(2)});
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
        if (loaded.isEmpty()) {
            fail(file + " names no class loaded: was the JVM started with " + jvmOption(file) + "?");
        }
        loaded.sort(java.util.Comparator.comparingInt(Loaded::order));
        return new ClassLoadLog(loaded, initialised);
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
