package dev.selfrestore.runtime.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.nativeshim.Syscalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What run starts: the command found as execvp finds it, and the agent added only where it belongs. */
class LaunchTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[][] args(String... s) {
        byte[][] out = new byte[s.length][];
        for (int i = 0; i < s.length; i++) {
            out[i] = b(s[i]);
        }
        return out;
    }

    @Test
    void aNameWithASlashIsTakenAsItIs() throws Exception {
        assertArrayEquals(b("./no/such/thing"), Launch.resolve(b("./no/such/thing"), args(), Syscalls.linux().files()));
    }

    @Test
    void aNameIsTheFirstExecutableRegularFileOnPath(@TempDir Path dir) throws Exception {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        Files.createDirectory(first.resolve("tool")); // a directory of that name is passed over
        Files.writeString(second.resolve("tool"), "#!/bin/sh\n");
        Path third = Files.createDirectory(dir.resolve("third"));
        Files.writeString(third.resolve("tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(third.resolve("tool"), PosixFilePermissions.fromString("rwxr-xr-x"));
        byte[][] env = args("HOME=/root", "PATH=" + first + ":" + second + ":" + third);
        // second's has no execute bit: third's is the one
        assertArrayEquals(b(third + "/tool"), Launch.resolve(b("tool"), env, Syscalls.linux().files()));
    }

    @Test
    void aNameOnNoPathEntryIsRefusedNamingThePath() {
        RunRefusal e = assertThrows(RunRefusal.class,
                () -> Launch.resolve(b("no-such-tool"), args("PATH=/nonexistent:/x"), Syscalls.linux().files()));
        assertEquals("cannot execute no-such-tool: no executable file of that name in PATH (/nonexistent:/x); "
                + "nothing was started", e.getMessage());
    }

    @Test
    void javaIsTheLauncherByItsFileName() {
        assertTrue(Launch.isJavaLauncher(b("/usr/lib/jvm/java-17/bin/java")));
        assertTrue(Launch.isJavaLauncher(b("java")));
        assertFalse(Launch.isJavaLauncher(b("/usr/bin/javac")));
        assertFalse(Launch.isJavaLauncher(b("/opt/java/bin/orders")));
    }

    @Test
    void aSelfrestoreAgentInTheArgumentsOrTheLaunchersVariablesIsSeen() {
        assertTrue(Launch.namesSelfrestoreAgent(args("java", "-javaagent:/opt/selfrestore/selfrestore.jar=x.mmd", "-jar", "a.jar"),
                args()));
        assertTrue(Launch.namesSelfrestoreAgent(args("java", "-jar", "a.jar"),
                args("JAVA_TOOL_OPTIONS=-Xmx1g -javaagent:/opt/selfrestore-1.0.jar")));
        assertTrue(Launch.namesSelfrestoreAgent(args("java"), args("JDK_JAVA_OPTIONS=-javaagent:selfrestore.jar=a")));
        assertFalse(Launch.namesSelfrestoreAgent(args("java", "-javaagent:/opt/otel/opentelemetry-javaagent.jar", "-jar",
                "selfrestore.jar"), args("OTHER=-javaagent:selfrestore.jar")));
        // argv[0] is not an option
        assertFalse(Launch.namesSelfrestoreAgent(args("-javaagent:selfrestore.jar"), args()));
    }

    @Test
    void theAgentGoesFirstAndNoByteOfTheRestChanges() {
        byte[] odd = {'-', 'D', 'x', '=', (byte) 0xff};
        byte[][] out = Launch.withFirstOption(new byte[][] {b("java"), odd, b("-jar"), b("a.jar")}, b("-javaagent:s.jar=d"));
        assertEquals(5, out.length);
        assertArrayEquals(b("java"), out[0]);
        assertArrayEquals(b("-javaagent:s.jar=d"), out[1]);
        assertArrayEquals(odd, out[2]);
        assertArrayEquals(b("a.jar"), out[4]);
    }

    @Test
    void aVariableIsFoundByItsWholeName() {
        byte[][] env = args("PATHX=no", "PATH=/bin", "PATH=/second");
        assertArrayEquals(b("/bin"), Launch.variable(env, "PATH"));
        assertEquals(null, Launch.variable(env, "PAT"));
    }
}
