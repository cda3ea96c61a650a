package dev.selfrestore.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.SleepOriginal;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** verify against a restored JVM (all five items match) and against one that was not restored. */
class VerifyIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void aRestoredJvmMatches() throws Exception {
        Path descriptor = it.captured().descriptor();
        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, ""));
        String pid = Long.toString(restored.pid());

        long originalPid = it.captured().original().pid();
        CommandResult human = it.cli().run("verify", "--pid", pid, descriptor.toString()).assertStatus(0);
        assertEquals("pid " + pid + " presents the identity in " + descriptor + ": exe, cmdline, environ, auxv and comm match\n"
                + "  pid      differs: " + pid + ", the descriptor's is " + originalPid
                + " (informational; --require-pid makes it count)", human.stdout().strip(), human::description);
        // the PID counts when asked for (selfrestore run gives the descriptor's: SamePidIT)
        it.cli().run("verify", "--require-pid", "--pid", pid, descriptor.toString()).assertStatus(1);
        JsonNode json = it.cli().run("verify", "--json", "--pid", pid, descriptor.toString()).assertStatus(0).json();
        assertTrue(json.get("match").asBoolean(), json::toPrettyString);
        assertEquals(originalPid, json.get("pidItem").get("expected").asLong(), json::toPrettyString);
        assertEquals(restored.pid(), json.get("pidItem").get("actual").asLong(), json::toPrettyString);
        assertFalse(json.get("pidItem").get("match").asBoolean(), json::toPrettyString);
        for (String item : List.of("exe", "cmdline", "environ", "auxv", "comm")) {
            assertTrue(json.get("items").get(item).get("match").asBoolean(), () -> item + ": " + json.toPrettyString());
        }
        restored.stopAndAssertOneStderrLine("selfrestore: restored");
    }

    @Test
    void aJvmThatWasNotRestoredDiffersItemByItem() throws Exception {
        Path descriptor = it.captured().descriptor();
        SleepOriginal original = it.captured().original();
        List<String> command = JavaCommand.bareJava().showIdentity("not-restored");
        RestoredApp plain = RestoredApp.start(it.processes(), command);
        String pid = Long.toString(plain.pid());

        CommandResult human = it.cli().run("verify", "--pid", pid, descriptor.toString()).assertStatus(1);
        List<String> lines = human.stdout().lines().toList();
        assertAll(human.description(),
                () -> assertTrue(lines.get(0).startsWith("pid " + pid + " does not present the identity in " + descriptor
                        + ": 5 of 5 items differ")),
                () -> assertTrue(lines.contains("  exe      differs")),
                () -> assertTrue(lines.contains("    path  \"" + original.exe() + "\" -> \"" + ItConfig.javaRealPath() + "\"")),
                () -> assertTrue(lines.contains("    argv[0]  \"" + original.exe() + "\" -> \"" + ItConfig.java() + "\"")),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches(" +BIN +- \"BIN=\\\\xff\\\\xfex\""))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches(" +SRIT_ROLE +\\+ \"SRIT_ROLE=restoring-jvm\""))),
                () -> assertTrue(lines.stream().noneMatch(l -> l.matches(" +PATH .*")), "PATH is the same on both sides"),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches(" +AT_RANDOM +0x[0-9a-f]+ -> 0x[0-9a-f]+"))),
                () -> assertTrue(lines.contains("    comm  \"" + original.name() + "\" -> \"java\"")));

        JsonNode json = it.cli().run("verify", "--json", "--pid", pid, descriptor.toString()).assertStatus(1).json();
        JsonNode environ = json.get("items").get("environ");
        JsonNode bin = StreamSupport.stream(environ.get("differences").spliterator(), false)
                .filter(d -> d.get("name").asText().equals("BIN")).findFirst().orElseThrow();
        assertAll(json.toPrettyString(),
                () -> assertFalse(json.get("match").asBoolean()),
                () -> assertFalse(environ.get("match").asBoolean()),
                () -> assertEquals("removed", bin.get("change").asText()),
                () -> assertEquals("42494e3dfffe78", bin.get("expected").get("hex").asText()),
                () -> assertTrue(bin.get("actual").isNull()),
                () -> assertEquals(ItConfig.javaRealPath().toString(),
                        json.get("items").get("exe").get("actual").get("text").asText()));
        plain.stopAndAssertExitedNormally();
    }

    @Test
    void noSuchProcessIsAnInputError() throws Exception {
        Path descriptor = it.captured().descriptor();
        CommandResult r = it.cli().run("verify", "--pid", "999999999", descriptor.toString()).assertStatus(2);
        assertTrue(r.stderr().contains("no process 999999999"), r::description);
    }
}
