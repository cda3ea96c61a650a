package dev.selfrestore.it;

import static dev.selfrestore.it.support.ProcAssertions.assertSameIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.Processes;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.SelfRestoreCli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a JVM prints when selfrestore restores with no option but the descriptor: the agent's one
 * line and nothing else, on every JDK. No Unsafe warning on JDK 24+: a restore reads the descriptor
 * without Chronicle Bytes (whose use of sun.misc.Unsafe the JDK would report). No native-access
 * warning: JNA's access is granted to selfrestore's module.
 */
class JdkWarningsIT {

    @RegisterExtension
    final Processes processes = new Processes();

    @TempDir
    Path dir;

    @Test
    void aRestorePrintsOnlyTheAgentsLine() throws Exception {
        SelfRestoreCli cli = new SelfRestoreCli(processes);
        SelfRestoreCli.Captured original = cli.captureSleepOriginal(dir, "original.mmd");
        ProcIdentity before = original.identity();
        Path descriptor = original.descriptor();

        List<String> command = new ArrayList<>(cli.restoredAppCommand(descriptor, ""));
        command.removeAll(ItConfig.jvmOptions());
        RestoredApp restored = RestoredApp.start(processes, command);
        assertSameIdentity(before, ProcIdentity.of(restored.pid()));
        restored.stopAndAssertExitedNormally();

        List<String> lines = restored.process().stderrLines();
        List<String> agent = lines.stream().filter(l -> l.startsWith("selfrestore: ")).toList();
        List<String> others = lines.stream().filter(l -> !l.startsWith("selfrestore: ") && !l.isBlank()).toList();
        assertEquals(1, agent.size(), () -> "one agent line: " + restored.process().describe());
        assertTrue(agent.get(0).startsWith("selfrestore: restored"), agent.get(0));
        assertEquals(List.of(), others, () -> "nothing else on stderr, on JDK " + ItConfig.javaFeature() + ": "
                + restored.process().describe());
        assertEquals(List.of(), restored.process().stdoutLines().stream()
                .filter(l -> l.startsWith("WARNING")).toList(), () -> "no JDK warning on stdout: "
                + restored.process().describe());
    }
}
