package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfrestore.it.app.TraceReport;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.RunningProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application started with the agent finds its JVM as it would without it, apart from the
 * documented identity changes: the same system properties (java.class.path included), the same
 * threads, class loaders, boot layer, shutdown hooks and java.util.logging configuration (which the
 * agent leaves unmade: the JDK registers a shutdown hook when it makes it).
 */
class NoTraceIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void theApplicationSeesTheSameJvmWithAndWithoutTheAgent(Cli cli) throws Exception {
        Path descriptor = it.capturedSleepOriginal("original.mmd").descriptor();

        List<String> without = report(cli, null);
        List<String> with = report(cli, descriptor);

        assertEquals(filtered(without), filtered(with), "what the application sees, without vs with the agent");
    }

    private List<String> report(Cli cli, Path descriptor) throws Exception {
        List<String> command = new ArrayList<>(JavaCommand.java().app(descriptor, "quiet=true", TraceReport.class.getName()));
        command.add(1, "--add-opens=java.base/java.lang=ALL-UNNAMED");
        RunningProcess app = it.processes().start(descriptor == null ? "without" : "with", command, ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        List<String> lines = app.stdoutLines();
        assertEquals(0, app.closeStdinAndAwaitExit(PROCESS_TIMEOUT), app.describe());
        assertEquals("", app.stderr(), () -> "stderr: " + app.describe());
        return lines;
    }

    /** Everything but the count of the JVM's input arguments (one more: the -javaagent option). */
    private static List<String> filtered(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith("INPUT_ARGUMENTS=")).toList();
    }
}
