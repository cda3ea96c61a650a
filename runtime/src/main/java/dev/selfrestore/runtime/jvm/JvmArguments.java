package dev.selfrestore.runtime.jvm;

import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.RawBytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What HotSpot recorded of a JVM's launch, worked out from its command line and environment as
 * the java launcher (libjli's java.c) and HotSpot (arguments.cpp) make it:
 *
 * <ul>
 *   <li>the JVM arguments ({@code Arguments::_jvm_args_array}, what
 *       {@code RuntimeMXBean.getInputArguments()}, {@code jcmd VM.command_line}'s
 *       {@code jvm_args} and jstat's {@code java.rt.vmArgs} show): the options of
 *       {@code JAVA_TOOL_OPTIONS}, then the launcher's ({@code JDK_JAVA_OPTIONS}'s, then the
 *       command line's, as the launcher rewrites them: {@code --add-opens X} becomes
 *       {@code --add-opens=X}, {@code -p} {@code --module-path=}, {@code -m M/C} adds
 *       {@code -Djdk.module.main=M}, {@code -verbosegc} {@code -verbose:gc}, and so on), then
 *       {@code _JAVA_OPTIONS}'s; HotSpot keeps {@code -Djava.class.path} (where the launcher puts
 *       {@code -cp X}), {@code -Dsun.java.command} and {@code -Dsun.java.launcher*} out of it;</li>
 *   <li>the Java command ({@code sun.java.command}, {@code Arguments::_java_command}, jstat's
 *       {@code sun.rt.javaCommand}): the main class, {@code -jar}'s file or {@code -m}'s value, then
 *       the application's arguments, joined by spaces;</li>
 *   <li>the system properties its {@code -D} options set, and its initial class path.</li>
 * </ul>
 *
 * The environment variables' options are split at white space, with single or double quotes
 * grouping, as both parsers do for ordinary values. All values are the original's bytes.
 *
 * @param jvmArgs     the JVM arguments, in HotSpot's order
 * @param javaCommand the Java command; null for a source-file launch, whose command the launcher
 *                    builds around a class of the JDK's
 * @param properties  the {@code -D} options, in order (a later one of a name wins)
 * @param classPath   the initial class path the launcher gave ({@code -cp}, {@code -jar}'s file,
 *                    {@code CLASSPATH} or {@code .}); null with {@code -m} and no class path option
 */
public record JvmArguments(List<byte[]> jvmArgs, byte[] javaCommand, List<Property> properties, byte[] classPath) {

    /** A {@code -Dname=value} option ({@code -Dname} has the empty value). */
    public record Property(byte[] name, byte[] value) {
    }

    /** Launcher options whose value, given as the next argument, becomes {@code option=value} (java.c: IsModuleOption). */
    private static final Set<String> MODULE_OPTIONS = Set.of("--module-path", "-p", "--upgrade-module-path",
            "--add-modules", "--enable-native-access", "--limit-modules", "--add-exports", "--add-opens",
            "--add-reads", "--patch-module");

    /** Launcher options that take the next argument and pass nothing on to the JVM. */
    private static final Set<String> DROPPED_WITH_VALUE = Set.of("--describe-module", "-d");

    /** Launcher options the JVM never sees (java.c ParseArguments, and CheckJvmType's VM selection). */
    private static final Set<String> DROPPED = Set.of("-server", "-client", "-showversion", "--show-version",
            "--dry-run", "--list-modules", "--show-resolved-modules", "-debug", "--disable-@files", "-version",
            "--version", "-fullversion", "--full-version", "-help", "-h", "-?", "--help", "-X", "--help-extra");

    public JvmArguments {
        jvmArgs = List.copyOf(jvmArgs);
        properties = List.copyOf(properties);
    }

    /**
     * @param launch  how the JVM launched
     * @param cmdline its NUL-separated command line
     * @param environ its NUL-separated environment (for {@code JAVA_TOOL_OPTIONS},
     *                {@code JDK_JAVA_OPTIONS}, {@code _JAVA_OPTIONS} and {@code CLASSPATH})
     */
    public static JvmArguments of(JvmLaunch launch, byte[] cmdline, byte[] environ) {
        List<byte[]> env = RawBytes.splitNul(environ);
        List<byte[]> launcher = new ArrayList<>();
        byte[] classPath = variable(env, "CLASSPATH");
        List<byte[]> given = new ArrayList<>(split(variable(env, "JDK_JAVA_OPTIONS")));
        given.addAll(launch.jvmOptions(cmdline));
        for (int i = 0; i < given.size(); i++) {
            String a = latin1(given.get(i));
            byte[] next = i + 1 < given.size() ? given.get(i + 1) : null;
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) {
                classPath = next;
                i++;
            } else if (a.startsWith("--class-path=")) {
                classPath = tail(given.get(i), "--class-path=".length());
            } else if (MODULE_OPTIONS.contains(a) && next != null) {
                launcher.add(concat(a.equals("-p") ? "--module-path=" : a + "=", next));
                i++;
            } else if (a.equals("--source") && next != null) {
                launcher.add(concat("-Djdk.internal.javac.source=", next));
                i++;
            } else if (a.startsWith("--source=")) {
                launcher.add(concat("-Djdk.internal.javac.source=", tail(given.get(i), "--source=".length())));
            } else if (DROPPED_WITH_VALUE.contains(a)) {
                i++;
            } else if (!dropped(a)) {
                launcher.add(rewritten(a, given.get(i)));
            }
        }
        byte[] main = launch.main(cmdline);
        if (launch.kind() == JvmLaunch.Kind.MODULE) {
            String m = latin1(main);
            int slash = m.indexOf('/');
            launcher.add(concat("-Djdk.module.main=", slash < 0 ? main : java.util.Arrays.copyOf(main, slash)));
        } else if (launch.kind() == JvmLaunch.Kind.JAR) {
            classPath = main;
        } else if (classPath == null) {
            classPath = ".".getBytes(StandardCharsets.ISO_8859_1);
        }
        if (launch.kind() == JvmLaunch.Kind.SOURCE) {
            launcher.add("-Dsun.java.launcher.mode=source".getBytes(StandardCharsets.ISO_8859_1));
            launcher.add("--add-modules=ALL-DEFAULT".getBytes(StandardCharsets.ISO_8859_1));
        }
        List<byte[]> all = new ArrayList<>(split(variable(env, "JAVA_TOOL_OPTIONS")));
        all.addAll(launcher);
        all.addAll(split(variable(env, "_JAVA_OPTIONS")));
        return hotspot(all, launch.kind() == JvmLaunch.Kind.SOURCE ? null : javaCommand(main,
                launch.applicationArguments(cmdline)), classPath);
    }

    /** HotSpot's record of {@code options}: what it keeps out of jvm_args is left out, its -D options become properties. */
    private static JvmArguments hotspot(List<byte[]> options, byte[] javaCommand, byte[] classPath) {
        List<byte[]> jvmArgs = new ArrayList<>();
        List<Property> properties = new ArrayList<>();
        for (byte[] o : options) {
            String s = latin1(o);
            if (s.startsWith("-Djava.class.path")) {
                int eq = s.indexOf('=');
                if (eq > 0) {
                    classPath = tail(o, eq + 1);
                }
                continue;
            }
            if (s.startsWith("-Dsun.java.command") || s.startsWith("-Dsun.java.launcher")) {
                continue;
            }
            jvmArgs.add(o);
            if (s.startsWith("-D") && s.length() > 2) {
                int eq = s.indexOf('=');
                properties.add(eq < 0 ? new Property(tail(o, 2), new byte[0])
                        : new Property(java.util.Arrays.copyOfRange(o, 2, eq), tail(o, eq + 1)));
            }
        }
        return new JvmArguments(jvmArgs, javaCommand, properties, classPath);
    }

    private static boolean dropped(String a) {
        return DROPPED.contains(a) || a.startsWith("-XshowSettings") || a.startsWith("-splash:")
                || a.startsWith("-XXaltjvm=") || a.startsWith("-J-XXaltjvm=") || a.equals("-Xdiag")
                || a.equals("-jar") || a.equals("-m") || a.equals("--module");
    }

    /** An option the launcher passes on, as it passes it. */
    private static byte[] rewritten(String a, byte[] raw) {
        switch (a) {
            case "-verbosegc":
                return "-verbose:gc".getBytes(StandardCharsets.ISO_8859_1);
            case "-verify":
                return "-Xverify:all".getBytes(StandardCharsets.ISO_8859_1);
            case "--validate-modules":
                return "-Djdk.module.validation=true".getBytes(StandardCharsets.ISO_8859_1);
            case "--show-module-resolution":
                return "-Djdk.module.showModuleResolution=true".getBytes(StandardCharsets.ISO_8859_1);
            default:
                if (a.startsWith("-ss") || a.startsWith("-ms") || a.startsWith("-mx")) {
                    return concat("-X", tail(raw, 1));
                }
                return raw;
        }
    }

    /** The launcher's sun.java.command: what it runs, then each application argument after a space. */
    static byte[] javaCommand(byte[] main, List<byte[]> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(main);
        for (byte[] a : args) {
            out.write(' ');
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    /** The space-joined form HotSpot gives jstat's java.rt.vmArgs ({@code Arguments::jvm_args()}). */
    public byte[] jvmArgsLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < jvmArgs.size(); i++) {
            if (i > 0) {
                out.write(' ');
            }
            out.writeBytes(jvmArgs.get(i));
        }
        return out.toByteArray();
    }

    /** The value of {@code name} in {@code env}, or null. */
    private static byte[] variable(List<byte[]> env, String name) {
        byte[] key = (name + "=").getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] e : env) {
            if (e.length >= key.length && java.util.Arrays.equals(e, 0, key.length, key, 0, key.length)) {
                return tail(e, key.length);
            }
        }
        return null;
    }

    /** An options variable's words: split at white space, quotes group (and are removed). */
    static List<byte[]> split(byte[] value) {
        List<byte[]> words = new ArrayList<>();
        if (value == null) {
            return words;
        }
        ByteArrayOutputStream word = new ByteArrayOutputStream();
        boolean inWord = false;
        byte quote = 0;
        for (byte b : value) {
            if (quote != 0) {
                if (b == quote) {
                    quote = 0;
                } else {
                    word.write(b);
                }
            } else if (b == '\'' || b == '"') {
                quote = b;
                inWord = true;
            } else if (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f') {
                if (inWord) {
                    words.add(word.toByteArray());
                    word.reset();
                    inWord = false;
                }
            } else {
                word.write(b);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toByteArray());
        }
        return words;
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] tail(byte[] b, int from) {
        return java.util.Arrays.copyOfRange(b, Math.min(from, b.length), b.length);
    }

    private static byte[] concat(String prefix, byte[] value) {
        byte[] p = prefix.getBytes(StandardCharsets.ISO_8859_1);
        byte[] r = java.util.Arrays.copyOf(p, p.length + value.length);
        System.arraycopy(value, 0, r, p.length, value.length);
        return r;
    }
}
