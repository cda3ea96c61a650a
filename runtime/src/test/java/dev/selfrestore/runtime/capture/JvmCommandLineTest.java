package dev.selfrestore.runtime.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.RawBytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JvmCommandLineTest {
    private static byte[] argv(String... a) {
        return RawBytes.joinNul(java.util.Arrays.stream(a).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList());
    }

    private static List<String> s(List<byte[]> l) {
        return l.stream().map(b -> new String(b, StandardCharsets.UTF_8)).collect(Collectors.toList());
    }

    @Test
    void mainClassAfterOptionsWithSeparateValues() {
        byte[] c = argv("/usr/bin/java", "-Xmx64m", "-cp", "/app/lib:/app/classes", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-Dx=y", "com.example.Main", "--port", "8080", "-cp");
        JvmLaunch l = JvmCommandLine.parse(c);
        assertEquals(new JvmLaunch(JvmLaunch.Kind.CLASS, 7), l);
        assertEquals(List.of("-Xmx64m", "-cp", "/app/lib:/app/classes", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Dx=y"),
                s(l.jvmOptions(c)));
        assertEquals("com.example.Main", new String(l.main(c), StandardCharsets.UTF_8));
        assertEquals(List.of("--port", "8080", "-cp"), s(l.applicationArguments(c)));
    }

    @Test
    void jarModuleAndSource() {
        byte[] jar = argv("java", "-XX:+UseSerialGC", "-jar", "app.jar", "a");
        JvmLaunch j = JvmCommandLine.parse(jar);
        assertEquals(new JvmLaunch(JvmLaunch.Kind.JAR, 3), j);
        assertEquals(List.of("-XX:+UseSerialGC"), s(j.jvmOptions(jar)));
        assertEquals(List.of("a"), s(j.applicationArguments(jar)));

        assertEquals(new JvmLaunch(JvmLaunch.Kind.MODULE, 4), JvmCommandLine.parse(argv("java", "-p", "mods", "-m", "app/app.Main", "x")));
        assertEquals(new JvmLaunch(JvmLaunch.Kind.SOURCE, 1), JvmCommandLine.parse(argv("java", "Hello.java", "x")));
        assertEquals(new JvmLaunch(JvmLaunch.Kind.SOURCE, 3), JvmCommandLine.parse(argv("java", "--source", "17", "script", "x")));
    }

    @Test
    void nothingToRunOrHiddenInAnArgfile() {
        assertNull(JvmCommandLine.parse(argv("java", "-version")));
        assertNull(JvmCommandLine.parse(argv("java", "@opts", "Main")));
        assertNull(JvmCommandLine.parse(argv("java", "-jar")));
    }
}
