package dev.selfrestore.runtime.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.capture.JvmCommandLine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher's and HotSpot's record of a launch, as java.c and arguments.cpp make it. */
class JvmArgumentsTest {

    private static byte[] nul(String... argv) {
        return RawBytes.joinNul(java.util.Arrays.stream(argv).map(a -> a.getBytes(StandardCharsets.UTF_8)).toList());
    }

    private static JvmArguments of(String env, String... argv) {
        byte[] cmdline = nul(argv);
        JvmLaunch launch = JvmCommandLine.parse(cmdline);
        return JvmArguments.of(launch, cmdline, env.isEmpty() ? new byte[0] : nul(env.split("\n")));
    }

    private static List<String> text(List<byte[]> b) {
        return b.stream().map(x -> new String(x, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void theLaunchersRewritingAndHotSpotsOmissions() {
        // The same command as measured on JDK 17 and 25 (RuntimeMXBean.getInputArguments()).
        JvmArguments a = of("JAVA_TOOL_OPTIONS=-Dtool=1 -Xss1m\nJDK_JAVA_OPTIONS=-Djdk=2\n_JAVA_OPTIONS=-Dunder=3",
                "java", "-Xmx64m", "-cp", "/tmp/vs", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-p", "/tmp",
                "-Dx", "-verbosegc", "-Xdiag", "-server", "VS", "a", "b");
        assertEquals(List.of("-Dtool=1", "-Xss1m", "-Djdk=2", "-Xmx64m", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--module-path=/tmp", "-Dx", "-verbose:gc", "-Dunder=3"), text(a.jvmArgs()));
        assertEquals("VS a b", new String(a.javaCommand(), StandardCharsets.UTF_8));
        assertEquals("/tmp/vs", new String(a.classPath(), StandardCharsets.UTF_8));
        assertEquals(List.of("tool", "jdk", "x", "under"),
                a.properties().stream().map(p -> new String(p.name(), StandardCharsets.UTF_8)).toList());
        assertEquals("", new String(a.properties().get(2).value(), StandardCharsets.UTF_8));
        assertEquals("-Dtool=1 -Xss1m -Djdk=2 -Xmx64m --add-opens=java.base/java.lang=ALL-UNNAMED --module-path=/tmp -Dx "
                + "-verbose:gc -Dunder=3", new String(a.jvmArgsLine(), StandardCharsets.UTF_8));
    }

    @Test
    void theLedgerImage() {
        JvmArguments a = of("", "java", "-Xmx32m", "-XX:+UseSerialGC", "-XX:-UseContainerSupport",
                "-Dledger.name=ledger-7", "-cp", "/srv/svc", "Ledger", "--shard=7", "--listen=:9090");
        assertEquals(List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:-UseContainerSupport", "-Dledger.name=ledger-7"),
                text(a.jvmArgs()));
        assertEquals("Ledger --shard=7 --listen=:9090", new String(a.javaCommand(), StandardCharsets.UTF_8));
    }

    @Test
    void classPathOptionsAndLauncherPropertiesStayOutOfTheJvmArguments() {
        JvmArguments a = of("CLASSPATH=/env", "java", "--class-path=/a", "-Djava.class.path=/b", "-Dsun.java.launcher.diag=true",
                "-Dsun.java.command=x", "-ea", "Main");
        assertEquals(List.of("-ea"), text(a.jvmArgs()));
        assertEquals("/b", new String(a.classPath(), StandardCharsets.UTF_8));
        assertEquals("/env", new String(of("CLASSPATH=/env", "java", "Main").classPath(), StandardCharsets.UTF_8));
        assertEquals(".", new String(of("", "java", "Main").classPath(), StandardCharsets.UTF_8));
    }

    @Test
    void jarAndModuleLaunches() {
        JvmArguments jar = of("", "java", "-Xmx1g", "-jar", "/srv/app.jar", "--port", "80");
        assertEquals(List.of("-Xmx1g"), text(jar.jvmArgs()));
        assertEquals("/srv/app.jar --port 80", new String(jar.javaCommand(), StandardCharsets.UTF_8));
        assertEquals("/srv/app.jar", new String(jar.classPath(), StandardCharsets.UTF_8));

        JvmArguments module = of("", "java", "--add-modules", "jdk.incubator.vector", "-m", "app/org.App", "x");
        assertEquals(List.of("--add-modules=jdk.incubator.vector", "-Djdk.module.main=app"), text(module.jvmArgs()));
        assertEquals("app/org.App x", new String(module.javaCommand(), StandardCharsets.UTF_8));
    }

    @Test
    void sourceFileLaunchesHaveNoKnownJavaCommand() {
        JvmArguments a = of("", "java", "Prog.java", "x");
        assertNull(a.javaCommand());
        assertEquals(List.of("--add-modules=ALL-DEFAULT"), text(a.jvmArgs()));
    }

    @Test
    void optionsVariablesSplitAtWhiteSpaceWithQuotes() {
        assertEquals(List.of("-Da=b c", "-Xmx1g", "-Dq=it's"), text(JvmArguments.split(
                " -Da='b c'\t-Xmx1g  \"-Dq=it's\" ".getBytes(StandardCharsets.UTF_8))));
    }
}
