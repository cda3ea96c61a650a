package dev.selfrestore.runtime.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.TestDescriptors;
import dev.selfrestore.runtime.proc.KernelLimits;
import dev.selfrestore.runtime.proc.Mapping;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ValidatorTest {
    private static final KernelLimits LIMITS = new KernelLimits(104, 448, true, 4096, (1L << 47) - 4096, -1, 4096,
            "x86_64", "6.18.44");

    private static String fields(List<Problem> p) {
        return p.stream().map(Problem::field).collect(Collectors.joining(","));
    }

    @Test
    void aCapturedDescriptorPasses() {
        assertEquals(List.of(), Validator.descriptor(TestDescriptors.sample(), LIMITS));
    }

    @Test
    void everyProblemIsReportedTogetherWithFieldValueAndRule() {
        MmDescriptor s = TestDescriptors.sample("aarch64");
        MmFields f = s.fields();
        MmFields broken = new MmFields(f.endCode(), f.startCode(), f.startData(), f.endData(), f.startBrk(), f.brk(),
                f.startStack(), f.argEnd(), f.argStart(), f.envStart(), f.envEnd());
        MmDescriptor d = new MmDescriptor(broken, s.brkSource(), new long[] {1, 2, 3}, s.exe(),
                "no-nul".getBytes(), s.environ(), "a-name-longer-than-15".getBytes(), s.capture());
        List<Problem> p = Validator.descriptor(d, LIMITS);
        assertEquals("capture.arch,cmdline,comm,auxv,end_code,arg_end", fields(p));
        Problem endCode = p.get(4);
        assertEquals("0x" + Long.toHexString(f.startCode()), endCode.value());
        assertTrue(endCode.rule().startsWith("must be above start_code"), endCode.rule());
    }

    @Test
    void auxvLargerThanThisKernelTakesIsRefusedNotTruncated() {
        MmDescriptor s = TestDescriptors.sample();
        long[] auxv = new long[58];
        for (int i = 0; i < 56; i += 2) {
            auxv[i] = 100 + i;
        }
        MmDescriptor d = new MmDescriptor(s.fields(), s.brkSource(), auxv, s.exe(), s.cmdline(), s.environ(), s.comm(),
                s.capture());
        List<Problem> p = Validator.descriptor(d, LIMITS);
        assertEquals("auxv", fields(p));
        assertTrue(p.get(0).rule().contains("448 bytes (PR_GET_AUXV)"), p.get(0).rule());
    }

    private static MmDescriptor withArgsAndEnv(byte[] cmdline, byte[] environ) {
        MmDescriptor s = TestDescriptors.sample();
        return new MmDescriptor(s.fields(), s.brkSource(), s.auxv(), s.exe(), cmdline, environ, s.comm(), s.capture());
    }

    private static byte[] strings(int count, int lengthWithNul) {
        byte[] b = new byte[count * lengthWithNul];
        java.util.Arrays.fill(b, (byte) 'x');
        for (int i = lengthWithNul - 1; i < b.length; i += lengthWithNul) {
            b[i] = 0;
        }
        return b;
    }

    @Test
    void noStringLongerThanExecveCopies() {
        byte[] longest = strings(1, 32 * 4096);
        assertEquals(List.of(), Validator.descriptor(withArgsAndEnv(longest, longest), LIMITS));
        byte[] tooLong = strings(1, 32 * 4096 + 1);
        List<Problem> p = Validator.descriptor(withArgsAndEnv(tooLong, strings(3, 32 * 4096 + 1)), LIMITS);
        assertEquals("cmdline,environ", fields(p));
        assertEquals("argument 0 (xxxxxxxxxxxxxxxx...) of 131073 bytes", p.get(0).value());
        assertEquals("variable 0 (xxxxxxxxxxxxxxxx...) of 131073 bytes and 2 more", p.get(1).value());
        assertTrue(p.get(0).rule().contains("at most 131072 bytes (MAX_ARG_STRLEN"), p.get(0).rule());
    }

    @Test
    void stringsAndTheirPointersWithinSixMebibytes() {
        // 48 strings of 128 KiB fill 6 MiB exactly: with their pointers they are over.
        byte[] half = strings(24, 32 * 4096);
        List<Problem> p = Validator.descriptor(withArgsAndEnv(half, half), LIMITS);
        assertEquals("cmdline+environ", fields(p));
        assertEquals("6291456 bytes in 48 strings", p.get(0).value());
        assertTrue(p.get(0).rule().contains("(6291840 bytes) must not exceed 6291456"), p.get(0).rule());
        byte[] less = strings(24, 32 * 4096 - 8);
        assertEquals(List.of(), Validator.descriptor(withArgsAndEnv(less, less), LIMITS));
    }

    private static KernelLimits withStack(long rlimitStack) {
        return new KernelLimits(104, 448, true, 4096, (1L << 47) - 4096, -1, 4096, "x86_64", "6.18.44", rlimitStack);
    }

    @Test
    void stringsAndTheirPointersWithinWhatThisProcesssStackLimitLetsExecvePlace() {
        // RLIMIT_STACK 8 MiB: a quarter, 2 MiB, for strings and pointers.
        KernelLimits eight = withStack(8L << 20);
        byte[] args = strings(1, 100);
        int vars = 2000;
        int each = (int) ((2L << 20) / vars) - 8; // strings and pointers fill 2 MiB less a little
        byte[] fits = strings(vars, each);
        assertEquals(List.of(), Validator.descriptor(withArgsAndEnv(args, fits), eight));
        byte[] over = strings(vars, each + 1);
        List<Problem> p = Validator.descriptor(withArgsAndEnv(args, over), eight);
        assertEquals("cmdline+environ", fields(p));
        assertEquals((100 + vars * (each + 1)) + " bytes in " + (vars + 1) + " strings", p.get(0).value());
        assertTrue(p.get(0).rule().contains("must not exceed 2097152 bytes, the most execve(2) places under this "
                + "process's stack limit (RLIMIT_STACK 8388608: min(RLIMIT_STACK / 4, 6 MiB), at least 128 KiB; "
                + "fs/exec.c, bprm_stack_limits)"), p.get(0).rule());
        // the same environment where the stack limit is 16 MiB, or unlimited
        assertEquals(List.of(), Validator.descriptor(withArgsAndEnv(args, over), withStack(16L << 20)));
        assertEquals(List.of(), Validator.descriptor(withArgsAndEnv(args, over), withStack(-1)));
    }

    @Test
    void execveLimitFollowsBprmStackLimits() {
        assertEquals(2L << 20, Validator.argsAndEnvLimit(8L << 20));
        assertEquals(6L << 20, Validator.argsAndEnvLimit(64L << 20), "capped at _STK_LIM / 4 * 3");
        assertEquals(6L << 20, Validator.argsAndEnvLimit(-1), "unlimited");
        assertEquals(128 * 1024, Validator.argsAndEnvLimit(64 * 1024), "at least ARG_MAX");
    }

    @Test
    void savedAddressesWithinUserSpace() {
        MmDescriptor s = TestDescriptors.sample();
        MmFields f = s.fields();
        MmFields low = new MmFields(0x800L, f.endCode(), f.startData(), f.endData(), f.startBrk(), f.brk(),
                f.startStack(), f.argStart(), f.argEnd(), f.envStart(), 1L << 47);
        MmDescriptor d = new MmDescriptor(low, s.brkSource(), s.auxv(), s.exe(), s.cmdline(), s.environ(), s.comm(),
                s.capture());
        List<Problem> p = Validator.descriptor(d, LIMITS);
        assertEquals("start_code,env_end", fields(p));
        assertTrue(p.get(0).rule().startsWith("must lie in [mmap_min_addr 0x1000"), p.get(0).rule());
    }

    @Test
    void mapAreasMustBeMappedAnonymousAndReadable() {
        MmFields f = new MmFields(0x1000_0000L, 0x1000_1000L, 0x1000_2000L, 0x1000_3000L, 0x1100_0000L, 0x1100_0000L,
                0x7ff0_0000L, 0x2000_0000L, 0x2000_0010L, 0x3000_0000L, 0x3000_0010L);
        List<Mapping> maps = List.of(
                new Mapping(0x2000_0000L, 0x2000_1000L, "r--p", 0, 254, 0, 99, "/lib/x.so".getBytes()),
                new Mapping(0x4000_0000L, 0x4000_1000L, "rw-p", 0, 0, 0, 0, new byte[0]));
        List<Problem> p = Validator.map(f, maps, LIMITS);
        assertEquals("arg_start,env_start", fields(p));
        assertTrue(p.get(0).rule().contains("file-backed"), p.get(0).rule());
        assertTrue(p.get(1).rule().contains("must be mapped"), p.get(1).rule());
    }

    @Test
    void addressesOutsideUserSpaceAndRlimitData() {
        KernelLimits tight = new KernelLimits(104, 448, true, 65536, (1L << 47) - 4096, 4096, 4096, "x86_64", "6.18");
        MmFields f = new MmFields(0x1000L, 0x2000L, 0x10_0000L, 0x10_2000L, 0x20_0000L, 0x20_0000L,
                0x7fff_ffff_f000L, 0x30_0000L, 0x30_0000L, 0x30_0000L, 0x30_0000L);
        List<Problem> p = Validator.map(f, List.of(), tight);
        assertEquals("start_code,end_code,start_stack,brk", fields(p));
        assertTrue(p.get(3).rule().contains("RLIMIT_DATA 4096"), p.get(3).rule());
    }
}
