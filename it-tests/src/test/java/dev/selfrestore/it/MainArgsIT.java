package dev.selfrestore.it;

import static dev.selfrestore.it.support.ItConfig.PROCESS_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.app.IdentityViews;
import dev.selfrestore.it.app.Sleeper;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.it.support.ViewsReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With main-args=restore, main(String[]) receives the checkpointed JVM's application arguments,
 * and ProcessHandle shows the original command, from inside and from another JVM.
 */
class MainArgsIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    private static final List<String> APP_ARGS = List.of("alpha", "two words", "--x=y", "\u00fcber", "-cp");

    @Test
    void mainReceivesTheOriginalsApplicationArguments(Cli cli) throws Exception {
        List<String> originalCommand = JavaCommand.bareJava().options("-Xmx64m")
                .main(Sleeper.class.getName(), APP_ARGS.toArray(String[]::new));
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8");
        RunningProcess original = it.processes().start("original", originalCommand, env);
        original.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        Path descriptor = cli.captureOk(original.pid(), it.dir().resolve("original.mmd"));
        original.close();

        Map<String, String> restorerEnv = new HashMap<>(ItConfig.restorerEnvironment());
        restorerEnv.put("LC_ALL", "C.UTF-8"); // the launcher decodes arguments in the locale's encoding
        RunningProcess app = it.processes().start("restored", JavaCommand.java().app(descriptor, "main-args=restore",
                IdentityViews.class.getName(), "its", "own", "args"), restorerEnv);
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        ViewsReport report = new ViewsReport(app.stdoutLines());

        assertEquals(APP_ARGS, report.all("ARG").stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList(),
                "main(String[]) arguments");
        List<String> originalArgs = originalCommand.subList(1, originalCommand.size());
        assertEquals(List.of(ItConfig.javaRealPath().toString()), report.text("PH_COMMAND"),
                "ProcessHandle.current().info().command() inside");
        assertEquals(originalArgs, report.all("PH_ARG").stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList(),
                "ProcessHandle.current().info().arguments() inside");
        ProcessHandle.Info outside = ProcessHandle.of(app.pid()).orElseThrow().info();
        assertEquals(Optional.of(originalArgs), outside.arguments().map(Arrays::asList),
                "ProcessHandle.of(pid).info().arguments() from another JVM");
        assertEquals(0, app.closeStdinAndAwaitExit(PROCESS_TIMEOUT));
        String line = app.stderrLines().stream().filter(l -> l.startsWith("selfrestore: ")).findFirst().orElse("");
        assertTrue(line.startsWith("selfrestore: restored") && line.contains("main args (5)"), () -> app.describe());
    }

    @Test
    void withoutTheOptionMainKeepsItsOwnArguments(Cli cli) throws Exception {
        List<String> originalCommand = JavaCommand.bareJava().main(Sleeper.class.getName(), "alpha");
        RunningProcess original = it.processes().start("original", originalCommand, Map.of("PATH", "/usr/bin:/bin"));
        original.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        Path descriptor = cli.captureOk(original.pid(), it.dir().resolve("original.mmd"));
        original.close();

        RunningProcess app = it.processes().start("restored", JavaCommand.java().app(descriptor, "", IdentityViews.class.getName(),
                "its", "own"), ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", PROCESS_TIMEOUT);
        assertEquals(List.of("its", "own"), new ViewsReport(app.stdoutLines()).all("ARG").stream()
                .map(b -> new String(b, StandardCharsets.UTF_8)).toList());
        app.closeStdinAndAwaitExit(PROCESS_TIMEOUT);
    }
}
