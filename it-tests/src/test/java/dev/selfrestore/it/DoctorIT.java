package dev.selfrestore.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfrestore.it.support.Cli;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItConfig;
import dev.selfrestore.it.support.ItProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * doctor on this machine: as root (who may change exe) and as an ordinary user without any
 * capability (who may not, and is told how to fix it). Restore still works for the latter, for
 * everything but exe: exit 0, or 1 with --require-exe.
 */
class DoctorIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    @Test
    void asRootEverythingCanBeRestored(Cli cli) throws Exception {
        CommandResult human = cli.run("doctor").assertStatus(0);
        assertTrue(human.stdout().lines().anyMatch(l -> l.matches("OK +exe +can be changed: .*CAP_CHECKPOINT_RESTORE.*")),
                () -> "an OK line for exe: " + human.description());
        assertTrue(human.stdout().lines().anyMatch(l -> l.matches("OK +PR_SET_MM_MAP +present; struct prctl_mm_map is 104 bytes.*")),
                () -> human.description());
        assertTrue(human.stdout().contains("verdict: this process could restore an identity completely"), human::description);

        JsonNode json = cli.run("doctor", "--json").assertStatus(0).json();
        JsonNode facts = json.get("facts");
        String release = it.processes().run(ItConfig.PROCESS_TIMEOUT, "uname", "-r").stdout().strip();
        // cat reads a sysctl file from offset 0 in one go; the doctor must show the same number.
        long mmapMinAddr = Long.parseLong(it.processes().run(ItConfig.PROCESS_TIMEOUT, "cat", "/proc/sys/vm/mmap_min_addr")
                .stdout().strip());
        assertAll(json.toPrettyString(),
                () -> assertEquals("ready", json.get("verdict").asText()),
                () -> assertTrue(json.get("exe_changeable").asBoolean()),
                () -> assertEquals(release, facts.get("kernel_release").asText()),
                () -> assertEquals(104, facts.get("mm_map_size").asInt()),
                () -> assertEquals(mmapMinAddr, facts.get("mmap_min_addr").asLong()),
                () -> assertTrue(facts.get("saved_auxv_bytes").asInt() >= 368),
                () -> assertEquals(0, facts.get("uid").asInt()),
                () -> assertEquals(ItConfig.javaFeature(), facts.get("jdk").get("feature").asInt()),
                () -> assertFalse(facts.get("user_namespaces").get("max_user_namespaces").isNull()));
    }

    @Test
    void asAnOrdinaryUserWithoutCapabilitiesExeCannotChangeAndTheFixIsNamed() throws Exception {
        Fixtures.makeReadableByAll(it.dir());
        Path jar = it.dir().resolve("selfrestore.jar");
        Fixtures.copyReadableByAll(ItConfig.agentJar(), jar);
        Cli nobody = it.cli().through(Fixtures.AS_NOBODY_WITHOUT_CAPABILITIES, jar);

        CommandResult human = nobody.run("doctor").assertStatus(0);
        String exeLine = human.stdout().lines().filter(l -> l.matches("WARN +exe +cannot be changed: .*")).findFirst()
                .orElseThrow(() -> new AssertionError("a WARN line for exe: " + human.description()));
        assertTrue(exeLine.contains("CAP_CHECKPOINT_RESTORE"), exeLine);
        String fix = human.stdout().lines().dropWhile(l -> !l.equals(exeLine)).skip(1).findFirst().orElse("").strip();
        assertTrue(fix.startsWith("fix: ") && fix.contains("--ambient-caps +checkpoint_restore")
                && fix.contains("AmbientCapabilities=CAP_CHECKPOINT_RESTORE") && fix.contains("unshare -Ur"),
                () -> "the line after the exe warning says how to fix it: " + human.description());
        assertTrue(human.stdout().contains("verdict: this process could restore everything but exe"), human::description);

        JsonNode json = nobody.run("doctor", "--json").assertStatus(0).json();
        JsonNode exe = StreamSupport.stream(json.get("checks").spliterator(), false)
                .filter(c -> c.get("name").asText().equals("exe")).findFirst().orElseThrow();
        assertAll(json.toPrettyString(),
                () -> assertEquals("ready-except-exe", json.get("verdict").asText()),
                () -> assertFalse(json.get("exe_changeable").asBoolean()),
                () -> assertEquals("warn", exe.get("status").asText()),
                () -> assertTrue(exe.get("fix").asText().contains("CAP_CHECKPOINT_RESTORE")),
                () -> assertEquals(65534, json.get("facts").get("uid").asInt()),
                () -> assertEquals("0000000000000000", json.get("facts").get("cap_eff").asText()));

        nobody.run("doctor", "--require-exe").assertStatus(1);
        assertTrue(Files.exists(jar));
    }
}
