package dev.selfrestore.runtime.capture;

import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.RawBytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Splits a {@code java} launcher's command line the way the launcher does (libjli's java.c): the
 * options, then what selects the application ({@code MainClass}, {@code -jar file},
 * {@code -m module[/class]}, or a {@code .java} source file), then the application's arguments.
 *
 * <p>What the command line cannot show is not guessed: {@code @argfiles} are expanded by the
 * launcher from files that may since have changed, and {@code JDK_JAVA_OPTIONS} never appears
 * in it. An {@code @argfile} before the main class makes the split unknowable, and
 * {@link #parse} says so by returning null.
 */
public final class JvmCommandLine {
    private JvmCommandLine() {
    }

    /** Launcher options whose value is the next argument (java.c: IsWhiteSpaceOption). */
    private static final Set<String> TAKES_VALUE = Set.of(
            "-cp", "-classpath", "--class-path",
            "-p", "--module-path", "--upgrade-module-path",
            "--add-modules", "--enable-native-access", "--limit-modules",
            "--add-exports", "--add-opens", "--add-reads", "--patch-module",
            "-d", "--describe-module", "--source");

    /**
     * @param cmdline the NUL-separated command line of a JVM
     * @return how it launched, or null when the command line names no application (for example
     *         {@code java -version}) or hides it behind an {@code @argfile}
     */
    public static JvmLaunch parse(byte[] cmdline) {
        List<byte[]> argv = RawBytes.splitNul(cmdline);
        boolean source = false;
        for (int i = 1; i < argv.size(); i++) {
            String a = new String(argv.get(i), StandardCharsets.ISO_8859_1);
            if (a.equals("-jar")) {
                return i + 1 < argv.size() ? new JvmLaunch(JvmLaunch.Kind.JAR, i + 1) : null;
            }
            if (a.equals("-m") || a.equals("--module")) {
                return i + 1 < argv.size() ? new JvmLaunch(JvmLaunch.Kind.MODULE, i + 1) : null;
            }
            if (a.startsWith("--module=")) {
                return null; // the launcher accepts only the separate form for the main module
            }
            if (a.startsWith("@")) {
                return null;
            }
            if (a.equals("--source")) {
                source = true;
            }
            if (TAKES_VALUE.contains(a)) {
                i++;
                continue;
            }
            if (a.startsWith("-")) {
                continue;
            }
            boolean javaFile = a.endsWith(".java");
            return new JvmLaunch(source || javaFile ? JvmLaunch.Kind.SOURCE : JvmLaunch.Kind.CLASS, i);
        }
        return null;
    }
}
