package dev.selfrestore.agent.internal;

import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.capture.JvmCommandLine;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

/**
 * Works out what {@code main-args=restore} needs: this JVM's main class and the original's
 * application arguments, as Strings decoded the way the java launcher decodes its own arguments
 * ({@code sun.jnu.encoding}).
 *
 * <p>For a JVM original the application arguments are those after its main class, jar, module or
 * source file. For any other program they are its whole command line but argv[0]: what such a
 * program itself receives as its arguments.
 */
final class MainArgs {
    final String mainClass;
    final String[] args;

    private MainArgs(String mainClass, String[] args) {
        this.mainClass = mainClass;
        this.args = args;
    }

    /**
     * @param d           the descriptor
     * @param selfCmdline this JVM's own command line, read before the restore changed it
     * @throws IllegalStateException with the reason when the arguments cannot be given
     */
    static MainArgs plan(MmDescriptor d, byte[] selfCmdline) {
        List<byte[]> original;
        byte[] cmdline = d.cmdline();
        if (d.jvm() != null) {
            original = d.jvm().applicationArguments(cmdline);
        } else if (isJavaLauncher(d.exe().path())) {
            throw new IllegalStateException("the original is a JVM whose application arguments cannot be told from "
                    + "its options (an @argfile hides them)");
        } else {
            List<byte[]> argv = RawBytes.splitNul(cmdline);
            original = argv.subList(Math.min(1, argv.size()), argv.size());
        }
        Charset jnu = JnuCharset.get();
        String[] args = original.stream().map(b -> new String(b, jnu)).toArray(String[]::new);
        String unfit = MainArgsTransformer.unfit(args);
        if (unfit != null) {
            throw new IllegalStateException(unfit);
        }
        return new MainArgs(mainClass(selfCmdline), args);
    }

    private static boolean isJavaLauncher(byte[] path) {
        byte[] suffix = "/java".getBytes(StandardCharsets.ISO_8859_1);
        return path.length >= suffix.length
                && Arrays.equals(path, path.length - suffix.length, path.length, suffix, 0, suffix.length);
    }

    /** This JVM's main class, from its own command line. */
    private static String mainClass(byte[] selfCmdline) {
        JvmLaunch self = JvmCommandLine.parse(selfCmdline);
        if (self == null) {
            throw new IllegalStateException("this JVM's main class cannot be told from its command line");
        }
        String main = new String(self.main(selfCmdline), JnuCharset.get());
        switch (self.kind()) {
            case CLASS:
                return main;
            case JAR:
                return jarMainClass(main);
            case MODULE:
                int slash = main.indexOf('/');
                if (slash < 0) {
                    throw new IllegalStateException("-m " + main + " names no main class; use -m module/class");
                }
                return main.substring(slash + 1);
            default:
                throw new IllegalStateException("source-file mode compiles its main class in memory: not supported");
        }
    }

    private static String jarMainClass(String jar) {
        try (JarFile f = new JarFile(Path.of(jar).toFile())) {
            String main = f.getManifest() == null ? null : f.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
            if (main == null) {
                throw new IllegalStateException(jar + " has no Main-Class in its manifest");
            }
            return main.trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the manifest of " + jar + ": " + e.getMessage(), e);
        }
    }
}
