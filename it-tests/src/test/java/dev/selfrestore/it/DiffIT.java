package dev.selfrestore.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static java.util.regex.Pattern.quote;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.RunningProcess;
import dev.selfrestore.it.support.SleepOriginal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** diff of two descriptors: a native original against a JVM that captured itself. */
class DiffIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void differencesAreShownItemByItem(Cli cli, SleepOriginal original) throws Exception {
        Path sleep = cli.captureOk(original.pid(), it.dir().resolve("sleep.mmd"));
        original.stop();
        Path jvm = it.dir().resolve("jvm.mmd");
        List<String> command = JavaCommand.java().agent("capture=" + jvm)
                .main(dev.selfrestore.it.app.Sleeper.class.getName(), "jvm-argument");
        RunningProcess app = it.processes().start("capturing jvm", command, ItConfig.restorerEnvironment());
        app.awaitStdoutLine("READY", ItConfig.PROCESS_TIMEOUT);
        assertTrue(Files.isRegularFile(jvm), app::describe);

        CommandResult human = cli.run("diff", sleep.toString(), jvm.toString()).assertStatus(1);
        List<String> lines = human.stdout().lines().toList();
        assertAll(human.description(),
                () -> assertTrue(lines.get(0).startsWith("--- " + sleep + "  (pid " + original.pid() + ", " + original.exe())),
                () -> assertTrue(lines.get(1).startsWith("+++ " + jvm + "  (pid " + app.pid() + ", " + ItConfig.javaRealPath())),
                () -> assertTrue(lines.contains("fields")),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  brk_source +approximated -> exact"))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  path +" + quote("\"" + original.exe() + "\" -> \""
                        + ItConfig.javaRealPath() + "\"")))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  argv\\[0\\] +" + quote("\"" + original.exe() + "\" -> \""
                        + ItConfig.java() + "\"")))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  argv\\[\\d+\\] +\\+ \"jvm-argument\""))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  BIN +- \"BIN=\\\\xff\\\\xfex\""))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  SRIT_ROLE +\\+ \"SRIT_ROLE=restoring-jvm\""))),
                () -> assertTrue(lines.stream().noneMatch(l -> l.matches("  PATH .*"))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  comm +" + quote("\"" + original.name() + "\" -> \"java\"")))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  pid +" + original.pid() + " -> " + app.pid()))),
                () -> assertTrue(lines.get(lines.size() - 1).matches("\\d+ differences")));

        JsonNode json = cli.run("diff", "--json", sleep.toString(), jvm.toString()).assertStatus(1).json();
        Optional<JsonNode> lone = StreamSupport.stream(json.get("differences").spliterator(), false)
                .filter(d -> d.get("item").asText().equals("environ") && d.get("name").asText().equals("LONE")).findFirst();
        assertAll(json.toPrettyString(),
                () -> assertFalse(json.get("identical").asBoolean()),
                () -> assertTrue(lone.isPresent()),
                () -> assertEquals("removed", lone.get().get("change").asText()),
                () -> assertEquals("4c4f4e453d80c0656e64", lone.get().get("file1").get("hex").asText()),
                () -> assertTrue(lone.get().get("file2").isNull()));

        CommandResult same = cli.run("diff", sleep.toString(), sleep.toString()).assertStatus(0);
        assertEquals("no differences", same.stdout().lines().reduce((a, b) -> b).orElse(""), same::description);
        assertTrue(cli.run("diff", "--json", sleep.toString(), sleep.toString()).assertStatus(0).json().get("identical").asBoolean());
        cli.run("diff", sleep.toString(), it.dir().resolve("missing.mmd").toString()).assertStatus(2);
    }
}
