package dev.selfrestore.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcPidTest {
    @Test
    void mapsLinesWithSpacesAndNonUtf8BytesInPaths() {
        byte[] raw = ("7f00-7f10 r-xp 00001000 fd:01 1234                       /opt/my app/\u00ff bin\n"
                + "7f10-7f20 rw-p 00000000 00:00 0 \n"
                + "7ffc8a4a6000-7ffc8a4c7000 rw-p 00000000 00:00 0                          [stack]\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        List<Mapping> maps = ProcPid.parseMaps(raw);
        assertEquals(3, maps.size());
        Mapping m = maps.get(0);
        assertEquals(0x7f00, m.start());
        assertEquals(0x1000, m.offset());
        assertEquals(0xfd, m.devMajor());
        assertEquals(1, m.devMinor());
        assertEquals(1234, m.inode());
        assertArrayEquals(new byte[] {'/', 'o', 'p', 't', '/', 'm', 'y', ' ', 'a', 'p', 'p', '/', (byte) 0xff, ' ', 'b',
            'i', 'n'}, m.path());
        assertTrue(m.fileBacked() && m.executable() && !m.writable());
        assertTrue(!maps.get(1).fileBacked());
        assertTrue(maps.get(2).isPseudo("[stack]"));
    }

    @Test
    void everyLineOfThisProcessesMapsIsParsed() throws Exception {
        byte[] raw = Files.readAllBytes(Path.of("/proc/self/maps"));
        List<Mapping> maps = ProcPid.parseMaps(raw);
        assertEquals(new String(raw, StandardCharsets.ISO_8859_1).lines().count(), maps.size());
        for (Mapping m : maps) {
            assertTrue(Long.compareUnsigned(m.start(), m.end()) < 0, m.toString());
        }
        assertTrue(maps.stream().anyMatch(m -> m.isPseudo("[stack]")));
    }

    @Test
    void statFieldsOfThisProcessMatchWhatTheKernelShows() throws Exception {
        var f = ProcPid.self().statFields(0);
        assertTrue(Long.compareUnsigned(f.startCode(), f.endCode()) < 0);
        assertTrue(Long.compareUnsigned(f.argStart(), f.argEnd()) < 0);
        assertEquals(Files.readAllBytes(Path.of("/proc/self/cmdline")).length, f.argEnd() - f.argStart());
    }

    @Test
    void commWithParenthesesAndSpacesDoesNotShiftStatFields() throws Exception {
        // The command name is between the first '(' and the last ')'; it may contain both.
        String stat = "42 (a) b (c) S 1 2 3";
        int close = stat.lastIndexOf(')');
        assertEquals("S 1 2 3", stat.substring(close + 1).trim());
    }

    @Test
    void statusIsOneReadOfTheFile(@TempDir Path dir) throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tdaemon\nTgid:\t4242\nUid:\t1000\t1001\t1001\t1001\nCapEff:\t0000000000000400\n");
        ProcPid.Status first = ProcPid.at(dir, 4242).status();
        Files.writeString(status, "Name:\tother\nTgid:\t7\nUid:\t0\t0\t0\t0\nCapEff:\t0000000000000000\n");
        assertEquals("daemon", first.get("Name"));
        assertEquals("4242", first.get("Tgid"));
        assertEquals(1000, first.realUid());
        assertEquals(1001, first.effectiveUid());
        assertEquals(1L << 10, first.effectiveCapabilities());
        assertNull(first.get("Tgi"), "a key names a whole field, not a prefix of one");
        assertEquals("other", ProcPid.at(dir, 4242).status("Name"));
    }

    @Test
    void thisProcessesStatusHasItsOwnUid() throws Exception {
        ProcPid.Status self = ProcPid.self().status();
        assertEquals(Long.toString(ProcessHandle.current().pid()), self.get("Pid"));
        assertEquals(ProcPid.self().realUid(), self.realUid());
    }
}
