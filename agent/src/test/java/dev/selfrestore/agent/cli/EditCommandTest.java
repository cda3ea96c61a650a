package dev.selfrestore.agent.cli;

import dev.selfrestore.nativeshim.Syscalls;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.runtime.BrkSource;
import dev.selfrestore.runtime.CaptureInfo;
import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edit options as picocli hands them over: in command-line order, whatever their form. */
class EditCommandTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private Path original() throws Exception {
        MmFields f = new MmFields(0x400000L, 0x401000L, 0x402000L, 0x403000L, 0x404000L, 0x405000L,
                0x7ffc00000000L, 0x7ffc00001000L, 0x7ffc00001008L, 0x7ffc00001008L, 0x7ffc00001018L);
        ExecutableIdentity exe = new ExecutableIdentity(b("/bin/x"), 4096, 0, 8, 1, 42, 0100755, new byte[] {1},
                new byte[0]);
        MmDescriptor d = new MmDescriptor(f, BrkSource.EXACT, new long[] {6, 4096, 0, 0}, exe, b("x\0-v\0a\0"),
                b("A=1\0B=\u00ff\0"), b("x"), new CaptureInfo(7, 1, "6.1", "x86_64", 4096, 0));
        Path p = dir.resolve("in.mmd");
        DescriptorCodec.write(Syscalls.linux().files(), d, p, false);
        return p;
    }

    @Test
    void editsApplyInCommandLineOrderWhateverTheirForm() throws Exception {
        Path in = original();
        Path out = dir.resolve("out.mmd");
        Path env = dir.resolve("vars");
        Files.write(env, b("A=from-file\nC=3\n"));
        int status = Main.execute("edit", in.toString(), "--set-env=A=2", "--out", out.toString(),
                "--append-arg", "--looks-like-an-option", "--env-file", env.toString(), "--set-env", "A=last\\xfe",
                "--set-arg=1=-w", "--unset-env", "B");
        assertEquals(0, status);
        MmDescriptor d = DescriptorCodec.read(out);
        assertArrayEquals(b("x\0-w\0a\0--looks-like-an-option\0"), d.cmdline());
        assertArrayEquals(b("A=last\u00fe\0C=3\0"), d.environ());
        List<Edit> edits = d.provenance().edits();
        assertEquals(List.of("--set-env A=2", "--append-arg --looks-like-an-option", "--set-env A=from-file",
                "--set-env C=3", "--set-env A=last\\xfe", "--set-arg 1=-w", "--unset-env B"),
                edits.stream().map(Edit::toString).toList());
        assertArrayEquals(DescriptorFile.sha256(Files.readAllBytes(in)), d.provenance().sourceSha256());
    }

    @Test
    void noEditOrAnExistingOutputIsAUsageError() throws Exception {
        Path in = original();
        assertEquals(2, Main.execute("edit", in.toString(), "--out", dir.resolve("o.mmd").toString()));
        assertEquals(2, Main.execute("edit", in.toString(), "--out", in.toString(), "--comm", "y"));
        assertEquals(0, Main.execute("edit", in.toString(), "--out", in.toString(), "--comm", "y", "--force"));
        assertTrue(DescriptorCodec.read(in).edited());
    }
}
