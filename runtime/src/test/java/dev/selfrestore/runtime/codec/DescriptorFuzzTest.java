package dev.selfrestore.runtime.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.selfrestore.runtime.MmDescriptor;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;

/**
 * The descriptor reader under Jazzer, a coverage-guided fuzzer: whatever the bytes, {@link
 * DescriptorCodec#decode} returns a descriptor or throws {@link DescriptorFormatException}; nothing
 * else (nor the reader's catch-all for Chronicle's own bounds checks), no hang, and no allocation
 * sized by a length it has not checked against the bytes present.
 *
 * <p>The first byte of an input chooses what the rest is. Bit 0 clear: the raw bytes of a file, as
 * read. Bit 0 set: a record whose version, length and checksum are repaired first ({@link
 * CodecFixtures#reseal}) with major 1 and minor {@code (first >>> 1) & 3}, so that mutations reach
 * the field parser rather than stopping at the checksum. Seeds are in {@code
 * src/test/resources/dev/selfrestore/runtime/codec/DescriptorFuzzTestInputs/decode/}, one file per
 * valid record of each kind; {@link #writeSeeds} regenerates them.
 *
 * <p>A plain {@code mvn verify} fuzzes for a bounded time (runtime/pom.xml sets {@code JAZZER_FUZZ}
 * and {@code jazzer.max_duration}); {@code bench/fuzz.sh [duration]} fuzzes longer. Findings and the
 * generated corpus go under {@code runtime/target/jazzer/}, never into the source tree.
 */
class DescriptorFuzzTest {
    /** Allocation allowed for one decode: fixed costs, plus a few times the input (a decode copies it). */
    private static final long ALLOCATION_SLACK = 1 << 20;
    private static final int ALLOCATION_PER_INPUT_BYTE = 32;

    /** A decode that returns later than this is a finding (a decode of a few KiB takes a tiny fraction of it). */
    private static final long SLOW_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** A decode that has not returned after this is a hang: the watchdog names the input and stops the JVM. */
    private static final long HANG_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The input being decoded and when its decode started, for the watchdog. */
    private static volatile byte[] current;
    private static volatile long startedNanos;

    @BeforeAll
    static void start() {
        ChronicleStartup.ensureInitialised();
        THREADS.setThreadAllocatedMemoryEnabled(true);
        Thread test = Thread.currentThread();
        Thread watchdog = new Thread(() -> watch(test), "descriptor-fuzz-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * JUnit's {@code @Timeout} would bound the whole fuzzing run, which is one test invocation, and
     * cannot stop a loop that never returns; so a hang stops the forked JVM (failing the build) after
     * printing the input and where the reader is stuck.
     */
    private static void watch(Thread test) {
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            byte[] input = current;
            if (input != null && System.nanoTime() - startedNanos > HANG_NANOS) {
                AssertionError hang = new AssertionError("decode has not returned after "
                        + TimeUnit.NANOSECONDS.toSeconds(HANG_NANOS) + " s; record (hex): "
                        + HexFormat.of().formatHex(input));
                hang.setStackTrace(test.getStackTrace());
                hang.printStackTrace();
                System.err.flush();
                Runtime.getRuntime().halt(3);
            }
        }
    }

    // maxDuration is the default when jazzer.max_duration is not given; runtime/pom.xml gives it.
    @FuzzTest(maxDuration = "30s")
    void decode(byte[] input) {
        byte[] record = record(input);
        MmDescriptor d;
        long allocated;
        long elapsed;
        long id = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(id);
        long start = System.nanoTime();
        startedNanos = start;
        current = record; // after startedNanos: the watchdog reads them in the other order
        try {
            d = DescriptorCodec.decode(record, "fuzz.mmd");
            elapsed = System.nanoTime() - start;
            allocated = THREADS.getThreadAllocatedBytes(id) - before;
        } catch (DescriptorFormatException e) {
            elapsed = System.nanoTime() - start;
            allocated = THREADS.getThreadAllocatedBytes(id) - before;
            assertTrue(e.getMessage().startsWith("fuzz.mmd: "), e.getMessage());
            // The reader turns a RuntimeException from Chronicle into MALFORMED as a last line of
            // defence; reaching it means its own checks missed something, so that is a finding too.
            if (e.getCause() instanceof RuntimeException) {
                throw new AssertionError("stopped by Chronicle, not by the reader's checks: " + e.getMessage(), e);
            }
            d = null;
        } finally {
            current = null;
        }
        // Anything else thrown by decode propagates and is a finding.
        assertTrue(elapsed < SLOW_NANOS, "decoding " + record.length + " bytes took "
                + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms");
        assertAllocationBounded(record, allocated);
        if (d == null) {
            return;
        }
        MmDescriptor again;
        try {
            again = DescriptorCodec.decode(DescriptorCodec.encode(d), "re-encoded");
        } catch (DescriptorFormatException e) {
            throw new AssertionError("a decoded descriptor re-encodes to a record the reader refuses: "
                    + e.getMessage(), e);
        }
        assertEquals(d, again, "decode(encode(decode(x))) differs from decode(x)");
    }

    /** The record an input stands for: raw, or resealed (see the class comment). */
    static byte[] record(byte[] input) {
        if (input.length == 0) {
            return input;
        }
        int mode = input[0] & 0xff;
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        if ((mode & 1) == 0 || rest.length < Layout.HEADER_LENGTH + Layout.CHECKSUM_LENGTH) {
            return rest;
        }
        return CodecFixtures.reseal(rest, 1, (mode >>> 1) & 3);
    }

    /**
     * Fails if decoding allocated more than the bytes present can justify. The first decode of a
     * new code path also loads (and Jazzer instruments) classes on this thread, so an excess is
     * measured once more: an allocation sized by an unchecked length happens every time.
     */
    private static void assertAllocationBounded(byte[] record, long allocated) {
        long limit = ALLOCATION_SLACK + (long) ALLOCATION_PER_INPUT_BYTE * record.length;
        if (allocated <= limit) {
            return;
        }
        long id = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(id);
        try {
            DescriptorCodec.decode(record, "fuzz.mmd");
        } catch (DescriptorFormatException expectedOrNot) {
            // Only the allocation matters here; the caller checked the outcome.
        }
        long again = THREADS.getThreadAllocatedBytes(id) - before;
        assertTrue(again <= limit, "decoding " + record.length + " bytes allocated " + again
                + " bytes (limit " + limit + "): an allocation sized by an unchecked length?");
    }

    /** Writes the seed files; {@link #main} with the inputs directory as argument, on the test class path. */
    static void writeSeeds(java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        Object[][] seeds = {
            {"realistic", DescriptorCodec.encode(CodecFixtures.realistic())},
            {"edges", DescriptorCodec.encode(CodecFixtures.edges())},
            {"golden", DescriptorCodec.encode(CodecFixtures.golden())},
            {"hand-1.0", new CodecFixtures.HandRecord(1, 0).validBody().seal()},
        };
        for (Object[] s : seeds) {
            byte[] r = (byte[]) s[1];
            byte[] raw = new byte[r.length + 1];
            System.arraycopy(r, 0, raw, 1, r.length);
            java.nio.file.Files.write(dir.resolve("raw-" + s[0]), raw);
            byte[] sealed = raw.clone();
            sealed[0] = (byte) ("hand-1.0".equals(s[0]) ? 1 : 1 | DescriptorCodec.FORMAT_MINOR << 1);
            java.nio.file.Files.write(dir.resolve("resealed-" + s[0]), sealed);
        }
    }

    public static void main(String[] args) throws Exception {
        writeSeeds(java.nio.file.Path.of(args[0]));
    }
}
