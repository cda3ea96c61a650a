package dev.selfrestore.it;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfrestore.it.support.CommandResult;
import dev.selfrestore.it.support.Fixtures;
import dev.selfrestore.it.support.ItProcesses;
import dev.selfrestore.it.support.JavaCommand;
import dev.selfrestore.it.support.ProcAssertions;
import dev.selfrestore.it.support.ProcIdentity;
import dev.selfrestore.it.support.RestoredApp;
import dev.selfrestore.it.support.SleepOriginal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code selfrestore edit} and the agent's restore-time edits: the edited identity is what /proc shows
 * after a restore, byte for byte, seen from outside; verify against the edited descriptor passes; diff
 * and inspect show the provenance; an edit over a kernel limit is one line and main is still reached.
 */
class EditIT {

    @RegisterExtension
    final ItProcesses it = new ItProcesses();

    /** The original's environment with these entries (ISO-8859-1: one char a byte) in place of / after its own. */
    private static byte[] environ(String... entries) {
        List<String> vars = new ArrayList<>(List.of(new String(SleepOriginal.expectedEnviron(), ISO_8859_1).split("\0")));
        for (String e : entries) {
            String name = e.substring(0, e.indexOf('=') + 1);
            int at = -1;
            for (int i = 0; i < vars.size(); i++) {
                if (vars.get(i).startsWith(name)) {
                    at = i;
                }
            }
            if (at >= 0) {
                vars.set(at, e);
            } else {
                vars.add(e);
            }
        }
        return Fixtures.nulTerminated(vars.stream().map(v -> v.getBytes(ISO_8859_1)).toList());
    }

    @Test
    void everyEditIsWhatProcShowsAfterTheRestore() throws Exception {
        Path descriptor = it.captured().descriptor();
        SleepOriginal original = it.captured().original();
        Path newExe = it.dir().resolve("srtrue-" + Fixtures.randomToken(7));
        Fixtures.copyReadableByAll(Path.of("/usr/bin/true"), newExe);
        Fixtures.makeExecutableByAll(newExe);
        Path edited = it.dir().resolve("edited.mmd");
        CommandResult written = it.cli().run("edit", descriptor.toString(), "--out", edited.toString(),
                "--set-env", "HOSTNAME=web-2",
                "--set-env=BIN=\\xfe\\x80new",            // in place, not UTF-8
                "--unset-env", "SPACE",
                "--set-arg", "1=700",
                "--append-arg", "two words",
                "--argv0", "/opt/svc/bin/sleep",
                "--comm", "svc\\xffname",
                "--exe", newExe.toString()).assertStatus(0);
        assertEquals("wrote " + edited + ": " + descriptor + " with 8 changes", written.stdout().strip(),
                written::description);

        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(edited, ""));
        ProcIdentity proc = ProcIdentity.of(restored.pid());
        byte[] environ = environ("BIN=\u00fe\u0080new", "HOSTNAME=web-2");
        environ = new String(environ, ISO_8859_1).replace("SPACE=two words\0", "").getBytes(ISO_8859_1);
        byte[] finalEnviron = environ;
        assertAll(
                () -> assertEquals(newExe.toRealPath().toString(), proc.exe()),
                () -> ProcAssertions.assertSameBytes("cmdline", "/opt/svc/bin/sleep\u0000700\u0000two words\u0000"
                        .getBytes(US_ASCII), proc.cmdline()),
                () -> ProcAssertions.assertSameBytes("environ", finalEnviron, proc.environ()),
                () -> ProcAssertions.assertSameBytes("comm", new byte[] {'s', 'v', 'c', (byte) 0xff, 'n', 'a', 'm', 'e',
                    '\n'}, proc.comm()));

        String pid = Long.toString(restored.pid());
        CommandResult verified = it.cli().run("verify", "--pid", pid, edited.toString()).assertStatus(0);
        assertTrue(verified.stdout().contains("exe, cmdline, environ, auxv and comm match"), verified::description);
        it.cli().run("verify", "--pid", pid, descriptor.toString()).assertStatus(1);
        String line = restored.stopAndAssertOneStderrLine("selfrestore: restored pid " + original.pid());
        assertTrue(line.matches(".*: exe, cmdline \\(3 args\\), environ \\(7 vars\\), auxv \\(\\d+ entries\\), comm "
                + "\\(edited: 8 changes\\) in [0-9.]+ ms"), line);

        // diff: the changes item by item, and the provenance
        CommandResult diff = it.cli().run("diff", descriptor.toString(), edited.toString()).assertStatus(1);
        List<String> lines = diff.stdout().lines().toList();
        assertAll(diff.description(),
                () -> assertTrue(lines.get(1).startsWith("+++ " + edited + "  (pid " + original.pid() + ", " + newExe.toRealPath())),
                () -> assertTrue(lines.get(1).contains(", edited: 8 changes, format 1.2)")),
                () -> assertTrue(lines.contains("  argv[1]  \"600\" -> \"700\"")),
                () -> assertTrue(lines.contains("  argv[2]  + \"two words\"")),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  BIN +\"BIN=\\\\xff\\\\xfex\" -> \"BIN=\\\\xfe\\\\x80new\""))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  HOSTNAME +\\+ \"HOSTNAME=web-2\""))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  SPACE +- \"SPACE=two words\""))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  kind +capture -> edited"))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  edit 2 +\\+ --set-env BIN=\\\\xfe\\\\x80new"))),
                () -> assertTrue(lines.stream().anyMatch(l -> l.matches("  edit 8 +\\+ --exe " + newExe))));

        // inspect --json: the provenance, with the source's SHA-256 and the edits' exact bytes
        JsonNode json = it.cli().run("inspect", "--json", edited.toString()).assertStatus(0).json();
        JsonNode prov = json.get("provenance");
        assertAll(json.toPrettyString(),
                () -> assertTrue(json.get("edited").asBoolean()),
                () -> assertEquals("descriptor", prov.get("source").asText()),
                () -> assertEquals(sha256(descriptor), prov.get("source_sha256").asText()),
                () -> assertEquals(8, prov.get("edits").size()),
                () -> assertEquals("--set-env", prov.get("edits").get(1).get("option").asText()),
                () -> assertEquals("42494e3dfe806e6577", prov.get("edits").get(1).get("operand").get("hex").asText()));
        assertTrue(it.cli().run("inspect", "--json", descriptor.toString()).assertStatus(0).json().get("provenance").isNull());

        // mode=exact cannot restore an edited command line: one line, and main is reached
        RestoredApp exact = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(edited, "mode=exact"));
        String refused = exact.stopAndAssertOneStderrLine("selfrestore: not restored: " + edited + ": mode=exact refused: ");
        assertTrue(refused.contains("provenance=environ, cmdline, exe edited after capture (8 changes)")
                && refused.endsWith("restore it with mode=relocate (the default) (application continues)"), refused);
    }

    @Test
    void agentOptionsEditAtRestoreTime() throws Exception {
        Path descriptor = it.captured().descriptor();
        SleepOriginal original = it.captured().original();
        Path envFile = it.dir().resolve("instance.env");
        // NUL-separated: a value may hold a newline and any byte
        Files.write(envFile, "INSTANCE_ID=i-\u00ff\n2\u0000HOSTNAME=from-file\u0000".getBytes(ISO_8859_1));
        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor,
                "set-env=HOSTNAME=web-3,set-env=LIST=a\\x2cb\\\\c,env-file=" + envFile + ",set-env=EQ=\\xc3\\xa9"));
        ProcIdentity proc = ProcIdentity.of(restored.pid());
        ProcAssertions.assertSameBytes("environ", environ("EQ=\u00c3\u00a9", "HOSTNAME=from-file", "LIST=a,b\\c",
                "INSTANCE_ID=i-\u00ff\n2"), proc.environ());
        ProcAssertions.assertSameBytes("cmdline", original.expectedCmdline(), proc.cmdline());
        String pid = Long.toString(restored.pid());
        it.cli().run("verify", "--pid", pid, descriptor.toString()).assertStatus(1); // the file was not changed

        // the same edits written by edit: verify against that file passes
        Path edited = it.dir().resolve("same.mmd");
        JsonNode json = it.cli().run("edit", "--json", descriptor.toString(), "--out", edited.toString(),
                "--set-env", "HOSTNAME=web-3", "--set-env", "LIST=a,b\\\\c", "--null", "--env-file", envFile.toString(),
                "--set-env", "EQ=\\xc3\\xa9").assertStatus(0).json();
        assertAll(json.toPrettyString(),
                () -> assertEquals(5, json.get("edits").size()),
                () -> assertEquals("494e5354414e43455f49443d692dff0a32",
                        json.get("edits").get(2).get("operand").get("hex").asText()),
                () -> assertEquals(sha256(descriptor), json.get("source_sha256").asText()));
        it.cli().run("verify", "--pid", pid, edited.toString()).assertStatus(0);
        String line = restored.stopAndAssertOneStderrLine("selfrestore: restored pid " + original.pid());
        assertTrue(line.contains(", comm (edited: 5 changes) in "), line);
    }

    @Test
    void anEditOverAKernelLimitIsOneLineNamingIt() throws Exception {
        Path descriptor = it.captured().descriptor();
        CommandResult comm = it.cli().run("edit", descriptor.toString(), "--out", it.dir().resolve("x.mmd").toString(),
                "--set-env", "A=1", "--comm", "sixteen-bytes-xx").assertStatus(2);
        assertEquals("selfrestore: edit: " + descriptor + ": edit 2 (--comm sixteen-bytes-xx): is 16 bytes; comm is at "
                + "most 15 (TASK_COMM_LEN - 1); the kernel would cut it to \"sixteen-bytes-x\", so give that if meant",
                comm.stderr().strip(), comm::description);
        assertTrue(Files.notExists(it.dir().resolve("x.mmd")));
        it.cli().run("edit", descriptor.toString(), "--out", it.dir().resolve("x.mmd").toString(), "--set-arg", "5=x")
                .assertStatus(2);
        it.cli().run("edit", descriptor.toString(), "--out", it.dir().resolve("x.mmd").toString(), "--set-env", "A=\\q")
                .assertStatus(2);

        // at restore time: a variable longer than MAX_ARG_STRLEN (32 pages), from a trusted environment file
        Path envFile = it.dir().resolve("big.env");
        Files.write(envFile, ("BIG=" + "x".repeat(32 * 4096) + "\n").getBytes(US_ASCII));
        RestoredApp restored = RestoredApp.start(it.processes(), JavaCommand.java().restoredApp(descriptor, "env-file=" + envFile));
        String line = restored.stopAndAssertOneStderrLine("selfrestore: not restored: " + descriptor
                + ": restore-time edit 1 (--set-env BIG=xxxx");
        assertTrue(line.endsWith("(131076 bytes)): the variable is 131077 bytes with its NUL; each is at most 131072 "
                + "(MAX_ARG_STRLEN, 32 pages), the longest string execve(2) copies (application continues)"), line);
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file)));
    }
}
