package dev.selfrestore.runtime.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.Edit.Kind;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.TestDescriptors;
import dev.selfrestore.runtime.codec.DescriptorCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentityEditorTest {
    private static final byte[] SHA = new byte[32];

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Edit e(Kind k, String operand) {
        return new Edit(k, EditText.bytes(operand));
    }

    private static MmDescriptor apply(MmDescriptor d, Edit... edits) throws EditException {
        return IdentityEditor.apply(d, List.of(edits), Provenance.Source.DESCRIPTOR, SHA, 1234, 4096, null);
    }

    /** sample() with cmdline "/usr/bin/sleep\0 600\0"; its environ is "BIN=\xff\xfex\0EQ=a=b\0". */
    private final MmDescriptor d = withCmdline(TestDescriptors.sample(), b("/usr/bin/sleep\u0000600\u0000"));

    @Test
    void setEnvReplacesInPlaceAndAppendsNewNames() throws Exception {
        MmDescriptor out = apply(d, e(Kind.SET_ENV, "NEW=1"), e(Kind.SET_ENV, "BIN=\\x00x".replace("\\x00", "\\x01")),
                e(Kind.SET_ENV, "EQ=c"));
        assertArrayEquals(b("BIN=\u0001x\0EQ=c\0NEW=1\0"), out.environ());
        assertArrayEquals(d.cmdline(), out.cmdline(), "the command line is not touched");
    }

    @Test
    void setEnvOfADuplicateNameReplacesTheFirstAndRemovesTheOthers() throws Exception {
        MmDescriptor dup = withEnviron(d, b("A=1\0B=2\0A=3\0C=4\0A=5\0"));
        assertArrayEquals(b("A=9\0B=2\0C=4\0"), apply(dup, e(Kind.SET_ENV, "A=9")).environ());
        assertArrayEquals(b("B=2\0C=4\0"), apply(dup, e(Kind.UNSET_ENV, "A")).environ());
    }

    @Test
    void unsetEnvOfAnAbsentNameChangesNothingButIsRecorded() throws Exception {
        MmDescriptor out = apply(d, e(Kind.UNSET_ENV, "NOPE"));
        assertArrayEquals(d.environ(), out.environ());
        assertEquals(1, out.provenance().edits().size());
    }

    @Test
    void valuesAreBytesNeverDecoded() throws Exception {
        MmDescriptor out = apply(d, e(Kind.SET_ENV, "X=\\xff\\xfe\\\\é"), e(Kind.APPEND_ARG, "\\xc3\\x28"));
        byte[] env = out.environ();
        byte[] tail = Arrays.copyOfRange(env, env.length - 9, env.length);
        assertArrayEquals(new byte[] {'X', '=', (byte) 0xff, (byte) 0xfe, '\\', (byte) 0xc3, (byte) 0xa9, 0}, Arrays.copyOfRange(tail, 1, 9));
        byte[] cmd = out.cmdline();
        assertArrayEquals(new byte[] {(byte) 0xc3, 0x28, 0}, Arrays.copyOfRange(cmd, cmd.length - 3, cmd.length));
        // the untouched variable with non-UTF-8 bytes is kept byte for byte
        assertArrayEquals(Arrays.copyOf(d.environ(), 8), Arrays.copyOf(env, 8));
    }

    @Test
    void argumentEditsInOrder() throws Exception {
        MmDescriptor out = apply(d, e(Kind.SET_ARG, "1=60"), e(Kind.APPEND_ARG, ""), e(Kind.ARGV0, "sleepy"),
                e(Kind.SET_ARG, "2=last"));
        assertArrayEquals(b("sleepy\0" + "60\0last\0"), out.cmdline());
    }

    @Test
    void setArgBeyondTheEndIsRefusedNamingTheEdit() {
        EditException x = assertThrows(EditException.class, () -> apply(d, e(Kind.SET_ENV, "A=1"), e(Kind.SET_ARG, "2=x")));
        assertEquals("edit 2 (--set-arg 2=x): there is no argv[2]: the command line has 2 argument(s), argv[0] to "
                + "argv[1] (--append-arg adds one)", x.getMessage());
        assertThrows(EditException.class, () -> apply(d, e(Kind.SET_ARG, "x=1")));
        assertThrows(EditException.class, () -> apply(d, e(Kind.SET_ARG, "-1=1")));
    }

    @Test
    void commIsRefusedOverFifteenBytesNotTruncated() throws Exception {
        assertArrayEquals(b("fifteen-bytes-x"), apply(d, e(Kind.COMM, "fifteen-bytes-x")).comm());
        EditException x = assertThrows(EditException.class, () -> apply(d, e(Kind.COMM, "sixteen-bytes-xx")));
        assertTrue(x.getMessage().startsWith("edit 1 (--comm sixteen-bytes-xx): is 16 bytes; comm is at most 15"),
                x.getMessage());
        assertThrows(EditException.class, () -> apply(d, e(Kind.COMM, "a\\x0ab")));
    }

    @Test
    void malformedEditsAreRefused() {
        assertThrows(EditException.class, () -> apply(d, e(Kind.SET_ENV, "=x")));
        assertThrows(EditException.class, () -> apply(d, e(Kind.SET_ENV, "NOEQUALS")));
        assertThrows(EditException.class, () -> apply(d, e(Kind.SET_ENV, "A=\\x00")));
        assertThrows(EditException.class, () -> apply(d, e(Kind.UNSET_ENV, "A=1")));
        assertThrows(EditException.class, () -> apply(d, e(Kind.APPEND_ARG, "a\\x00b")));
        assertThrows(EditException.class, () -> apply(d, e(Kind.EXE, "relative")));
    }

    @Test
    void aStringOverMaxArgStrlenNamesTheEdit() {
        String big = "V=" + "x".repeat(32 * 4096 - 2);
        EditException x = assertThrows(EditException.class, () -> apply(d, e(Kind.SET_ENV, "A=1"), e(Kind.SET_ENV, big)));
        assertTrue(x.getMessage().startsWith("edit 2 (--set-env V=xxx"), x.getMessage());
        assertTrue(x.getMessage().contains("131073 bytes with its NUL; each is at most 131072 (MAX_ARG_STRLEN"),
                x.getMessage());
    }

    @Test
    void theWholeAreaOverSixMibNamesTheEditThatCrossedIt() throws Exception {
        String chunk = "x".repeat(100_000);
        Edit[] edits = new Edit[100];
        for (int i = 0; i < edits.length; i++) {
            edits[i] = e(Kind.SET_ENV, "V" + i + "=" + chunk);
        }
        EditException x = assertThrows(EditException.class, () -> apply(d, edits));
        // 63 variables of 100,004 bytes (6,300,252) cross 6 MiB with the sample's own strings and pointers
        assertTrue(x.getMessage().startsWith("edit 63 (--set-env V62=xxxx"), x.getMessage());
        assertTrue(x.getMessage().contains("... (100004 bytes)): makes"), x.getMessage());
        assertTrue(x.getMessage().contains("execve(2) places at most 6291456"), x.getMessage());
    }

    /**
     * execve counts a pointer for at least one argument even when there is none (fs/exec.c,
     * {@code max(argc, 1) + envc}): with an empty command line, 49 variables whose bytes and pointers
     * make exactly 6 MiB without that pointer are one pointer over, and fit with eight bytes less.
     */
    @Test
    void anEmptyCommandLineStillCountsOnePointer() throws Exception {
        MmDescriptor empty = withEnviron(withCmdline(d, new byte[0]), new byte[0]);
        int vars = 49;
        long bytes = 6 * 1024 * 1024 - vars * 8L; // what the strings may hold were there no argv pointer
        Edit[] edits = new Edit[vars];
        for (int i = 0; i < vars; i++) {
            long len = i < vars - 1 ? bytes / vars : bytes - (bytes / vars) * (vars - 1); // with its NUL
            String name = String.format("V%02d=", i);
            edits[i] = e(Kind.SET_ENV, name + "x".repeat((int) len - 1 - name.length()));
        }
        EditException x = assertThrows(EditException.class, () -> apply(empty, edits));
        assertTrue(x.getMessage().startsWith("edit 49 (--set-env V48=xxx"), x.getMessage());
        assertTrue(x.getMessage().contains(": makes the arguments and environment " + bytes + " bytes in 49 strings, "
                + (bytes + 50 * 8) + " with a pointer each"), x.getMessage());

        Edit[] oneArg = Arrays.copyOf(edits, vars + 1);
        System.arraycopy(edits, 0, oneArg, 1, vars);
        oneArg[0] = e(Kind.APPEND_ARG, "");
        assertThrows(EditException.class, () -> apply(empty, oneArg), "an empty argument costs its NUL besides");

        Edit[] lessOne = edits.clone();
        String last = new String(edits[vars - 1].operand(), StandardCharsets.UTF_8);
        lessOne[vars - 1] = e(Kind.SET_ENV, last.substring(0, last.length() - 8));
        assertEquals(vars, RawBytes.splitNul(apply(empty, lessOne).environ()).size(), "eight bytes less fit exactly");
    }

    @Test
    void addressFieldsFollowTheNewLengthsEndingAtEnvEnd() throws Exception {
        MmDescriptor out = apply(d, e(Kind.APPEND_ARG, "more"), e(Kind.SET_ENV, "HOSTNAME=web-2"));
        MmFields f = out.fields();
        MmFields o = d.fields();
        assertEquals(o.envEnd(), f.envEnd());
        assertEquals(out.environ().length, f.envEnd() - f.envStart());
        assertEquals(o.envStart() - o.argEnd(), f.envStart() - f.argEnd());
        assertEquals(out.cmdline().length, f.argEnd() - f.argStart());
        assertEquals(o.startStack(), f.startStack());
        assertEquals(o.brk(), f.brk());
        // comm alone moves nothing
        assertEquals(o, apply(d, e(Kind.COMM, "x")).fields());
    }

    @Test
    void provenanceListsEveryEditAndKeepsTheFirstSource() throws Exception {
        MmDescriptor once = apply(d, e(Kind.SET_ENV, "A=1"));
        assertEquals(new Provenance(Provenance.Source.DESCRIPTOR, SHA, 1234, List.of(e(Kind.SET_ENV, "A=1"))),
                once.provenance());
        byte[] other = new byte[32];
        other[0] = 1;
        MmDescriptor twice = IdentityEditor.apply(once, List.of(e(Kind.COMM, "y")), Provenance.Source.CRIU_IMAGE,
                other, 99, 4096, null);
        assertEquals(Provenance.Source.DESCRIPTOR, twice.provenance().source());
        assertArrayEquals(SHA, twice.provenance().sourceSha256());
        assertEquals(99, twice.provenance().editedMillis());
        assertEquals(List.of(e(Kind.SET_ENV, "A=1"), e(Kind.COMM, "y")), twice.provenance().edits());
        // and it survives the file format
        assertEquals(twice, DescriptorCodec.decode(DescriptorCodec.encode(twice), "<bytes>"));
        assertSame(d, apply(d));
    }

    @Test
    void exeTakesTheIdentityFromTheResolver() throws Exception {
        ExecutableIdentity id = new ExecutableIdentity(b("/opt/new"), 1, 2, 3, 4, 5, 0100755, new byte[0], new byte[32]);
        MmDescriptor out = IdentityEditor.apply(d, List.of(e(Kind.EXE, "/opt/new")), Provenance.Source.DESCRIPTOR, SHA,
                1, 4096, path -> {
                    assertArrayEquals(b("/opt/new"), path);
                    return id;
                });
        assertEquals(id, out.exe());
        EditException x = assertThrows(EditException.class, () -> IdentityEditor.apply(d, List.of(e(Kind.EXE, "/nope")),
                Provenance.Source.DESCRIPTOR, SHA, 1, 4096, path -> {
                    throw new java.io.IOException("/nope: no such file");
                }));
        assertEquals("edit 1 (--exe /nope): /nope: no such file", x.getMessage());
    }

    @Test
    void exactIsRefusedAfterAnEditOfTheAreasOrExeButNotOfComm() throws Exception {
        assertNull(IdentityEditor.exactRefusal(d));
        assertNull(IdentityEditor.exactRefusal(apply(d, e(Kind.COMM, "x"))));
        var p = IdentityEditor.exactRefusal(apply(d, e(Kind.COMM, "x"), e(Kind.SET_ENV, "A=1"), e(Kind.ARGV0, "y")));
        assertEquals("environ, cmdline edited after capture (3 changes)", p.value());
        assertTrue(p.rule().contains("mode=relocate"), p.rule());
    }

    private static MmDescriptor withCmdline(MmDescriptor d, byte[] cmdline) {
        return new MmDescriptor(d.fields(), d.brkSource(), d.auxv(), d.exe(), cmdline, d.environ(), d.comm(),
                d.capture(), d.jvm());
    }

    private static MmDescriptor withEnviron(MmDescriptor d, byte[] environ) {
        return new MmDescriptor(d.fields(), d.brkSource(), d.auxv(), d.exe(), d.cmdline(), environ, d.comm(),
                d.capture(), d.jvm());
    }
}
