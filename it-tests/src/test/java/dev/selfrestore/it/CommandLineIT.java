package dev.selfrestore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Help, exit codes for usage errors, and the launcher script beside the jar. */
class CommandLineIT {

    private static final List<String> COMMANDS = List.of("doctor", "capture", "inspect", "verify", "diff", "attach");

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void everyCommandHasHelpWithItsExitCodes(Cli cli) throws Exception {
        CommandResult top = cli.run("--help").assertStatus(0);
        for (String command : COMMANDS) {
            assertTrue(top.stdout().contains("\n  " + command + " "), () -> command + " listed: " + top.description());
            CommandResult help = cli.run(command, "--help").assertStatus(0);
            assertTrue(help.stdout().startsWith("Usage: selfrestore " + command), help::description);
            assertTrue(help.stdout().contains("Exit codes:") && help.stdout().contains("  0   ")
                    && help.stdout().contains("  2   "), help::description);
        }
    }

    @Test
    void usageErrorsExitWithTwo(Cli cli) throws Exception {
        cli.run().assertStatus(2);
        cli.run("no-such-command").assertStatus(2);
        cli.run("verify", "--pid", "1").assertStatus(2);
        cli.run("inspect", "--no-such-option", "x").assertStatus(2);
        cli.run("attach", "--pid", "1", "--option", "a,b", "x").assertStatus(2);
    }

    @Test
    void theLauncherScriptRunsTheJarBesideItWithoutWarnings() throws Exception {
        Path script = ItConfig.agentJar().resolveSibling("selfrestore");
        assertTrue(Files.isExecutable(script), () -> script + " is built beside the jar");
        Path descriptor = it.capturedSleepOriginal("original.mmd").descriptor();
        Map<String, String> environment = Map.of("PATH", "/usr/bin:/bin", "SELFRESTORE_JAVA", ItConfig.java().toString());
        // inspect runs Chronicle: on JDK 24+ the script's --sun-misc-unsafe-memory-access=allow keeps the JVM quiet.
        CommandResult r = it.cli().runWithEnvironment(environment,
                List.of(script.toString(), "inspect", descriptor.toString())).assertStatus(0);
        assertTrue(r.stdout().contains("selfrestore descriptor, format 1."), r::description);
        assertEquals("", r.stderr(), r::description);
        // through a symbolic link, as when installed into a bin directory
        Path link = Files.createSymbolicLink(it.dir().resolve("selfrestore"), script);
        it.cli().runWithEnvironment(environment, List.of(link.toString(), "--help")).assertStatus(0);
        Files.delete(link);
    }
}
