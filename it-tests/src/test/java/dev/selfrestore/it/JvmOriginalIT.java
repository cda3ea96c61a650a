package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static dev.selfrestore.it.support.ProcAssertions.assertSameBytes;
import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfrestore.it.app.Sleeper;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.RunningProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A JVM is captured, ended, and a fresh JVM with the agent shows its identity in /proc. */
class JvmOriginalIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    /** The common case: original and restoring JVM share a launcher, so exe and comm match from the start. */
    @Test
    void jvmStartedByTheSameLauncher() throws Exception {
        restoreJvmOriginal(ItConfig.java());
    }

    /** The original ran from a launcher of another name: the restoring JVM must take its exe and comm. */
    @Test
    void jvmStartedByARenamedLauncher() throws Exception {
        Path launcher = Fixtures.renamedJavaLauncher(it.dir(), ItConfig.java());
        try {
            restoreJvmOriginal(launcher);
        } finally {
            Fixtures.deleteRenamedJavaLauncherLink(launcher);
        }
    }

    private void restoreJvmOriginal(Path launcher) throws Exception {
        Cli cli = it.cli();
        String token = "srtoken-" + Fixtures.randomToken(10);
        List<String> arguments = List.of("-Dsrit.token=" + token, "-cp", ItConfig.testClasses().toString(),
                Sleeper.class.getName(), "alpha", "two words", "--x=y");
        List<String> command = concat(List.of(launcher.toString()), arguments);
        Map<String, String> environment = Map.of(
                "PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "EQ", "k=v=w", "EMPTY", "", "SRIT_ROLE", "original");
        RunningProcess original = it.processes().start("original", command, environment);
        original.awaitStdoutLine("READY", PROCESS_TIMEOUT);

        ProcIdentity before = ProcIdentity.of(original.pid());
        assertSameBytes("cmdline of the original (test set-up)", Fixtures.cmdlineOf(command), before.cmdline());
        assertEquals(Set.of("PATH=/usr/bin:/bin", "LANG=C.UTF-8", "EQ=k=v=w", "EMPTY=", "SRIT_ROLE=original"),
                environEntries(before.environ()), "environ of the original (test set-up)");

        Path descriptor = cli.captureOk(original.pid(), it.dir().resolve("original.mmd"));
        assertSameIdentity(before, ProcIdentity.of(original.pid()));
        original.close();

        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, ""))
                .assertPresents(before);

        assertEquals(List.of(restored.pid()), it.processes().run(PROCESS_TIMEOUT, "pgrep", "-f", token).pids(),
                "pgrep -f " + token);
        String launcherName = launcher.getFileName().toString();
        if (!launcherName.equals("java")) { // "java" names other JVMs too, such as the one running this test
            assertEquals(List.of(restored.pid()), it.processes().run(PROCESS_TIMEOUT, "pidof", launcherName).pids(),
                    "pidof " + launcherName);
        }
        ProcessHandle.Info info = ProcessHandle.of(restored.pid()).orElseThrow().info();
        assertEquals(Optional.of(before.exe()), info.command(), "ProcessHandle.Info.command()");
        assertEquals(Optional.of(arguments), info.arguments().map(Arrays::asList), "ProcessHandle.Info.arguments()");

        restored.stopAndAssertOneStderrLine("selfrestore: restored");
    }

    private static Set<String> environEntries(byte[] environ) {
        return new HashSet<>(Arrays.asList(new String(environ, StandardCharsets.UTF_8).split("\0")));
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }
}
