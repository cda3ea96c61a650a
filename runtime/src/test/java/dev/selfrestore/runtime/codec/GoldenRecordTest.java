package dev.selfrestore.runtime.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.selfrestore.runtime.MmDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.HexDumpBytes;
import net.openhft.chronicle.core.Jvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the current layout (1.2) byte for byte, and checks that 1.0 and 1.1 records are still read.
 *
 * <p>The golden file {@code descriptor-1.1.hexdump} (test resources, same package) is an annotated
 * Chronicle hex dump of {@link CodecFixtures#golden()}. If this test fails, the bytes the codec
 * writes have changed: files written by released versions would no longer be read the same way.
 * Changing the layout requires a format version bump ({@link DescriptorCodec#FORMAT_MAJOR} for a
 * change older readers cannot skip, {@link DescriptorCodec#FORMAT_MINOR} for fields appended at the
 * end of the body), a reader that still reads the old version, and a new golden file next to the
 * old one, never an edit of the old one. On failure the actual dump is written to
 * {@code target/golden/descriptor-1.2.hexdump} for comparison. 1.1 appended the jvm launch section,
 * 1.2 the provenance ({@code descriptor-1.2-edited.hexdump} pins an edited descriptor's).
 * Every golden file is decoded by both readers ({@link BothReaders}): the agent's plain reader must
 * follow a layout change too.
 */
class GoldenRecordTest {
    private static final String GOLDEN = "descriptor-1.2.hexdump";
    private static final String GOLDEN_EDITED = "descriptor-1.2-edited.hexdump";
    private static final String GOLDEN_1_1 = "descriptor-1.1.hexdump";
    private static final String GOLDEN_1_0 = "descriptor-1.0.hexdump";

    @BeforeAll
    static void quietChronicle() {
        // Before any Chronicle class is touched here, as in the codec itself.
        ChronicleStartup.ensureInitialised();
        // HexDumpBytes appends text, which asks Jvm.maxDirectMemory(); on Java 9+ without
        // --add-exports java.base/jdk.internal.misc Chronicle cannot read it and says so on stderr,
        // once. The codec never appends text (ChronicleStartupTest checks its stderr is empty);
        // here the line is only noise in the test output.
        PrintStream err = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            Jvm.maxDirectMemory();
        } finally {
            System.setErr(err);
        }
    }

    static String render(MmDescriptor d) {
        byte[] record = DescriptorCodec.encode(d);
        // On heap: HexDumpBytes' default (direct memory) wakes Chronicle's cleaner service, which logs
        // through java.util.logging.
        HexDumpBytes dump = new HexDumpBytes(Bytes.allocateElasticOnHeap(256));
        try {
            new RecordWriter(d).writeTo(dump);
            RecordWriter.writeChecksum(dump, Layout.crc32c(record, 0, record.length - Layout.CHECKSUM_LENGTH));
            return dump.toHexString();
        } finally {
            dump.releaseLast();
        }
    }

    private static String golden() throws IOException {
        return golden(GOLDEN);
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = GoldenRecordTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "test resource " + name + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The bytes of a hex dump: pairs of hex digits; from '#' to the end of a line is comment. */
    static byte[] bytesOf(String hexDump) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : hexDump.split("\n")) {
            int hash = line.indexOf('#');
            String data = (hash < 0 ? line : line.substring(0, hash)).trim();
            if (!data.isEmpty()) {
                for (String pair : data.split("\\s+")) {
                    out.write(Integer.parseInt(pair, 16));
                }
            }
        }
        return out.toByteArray();
    }

    @Test
    void encodingMatchesTheGoldenFile() throws IOException {
        matchesGolden(CodecFixtures.golden(), GOLDEN);
    }

    @Test
    void editedEncodingMatchesTheGoldenFile() throws IOException {
        matchesGolden(CodecFixtures.goldenEdited(), GOLDEN_EDITED);
    }

    private static void matchesGolden(MmDescriptor d, String name) throws IOException {
        String actual = render(d);
        String expected = golden(name);
        if (!expected.equals(actual)) {
            Path out = Path.of("target", "golden", name);
            Files.createDirectories(out.getParent());
            Files.writeString(out, actual);
        }
        assertEquals(expected, actual, "the 1.2 layout changed: see the class comment before touching "
                + name + "; actual dump in target/golden/");
        assertArrayEquals(bytesOf(expected), DescriptorCodec.encode(d));
    }

    @Test
    void editedGoldenFileDecodes() throws Exception {
        MmDescriptor d = BothReaders.decode(bytesOf(golden(GOLDEN_EDITED)), GOLDEN_EDITED);
        assertEquals(CodecFixtures.goldenEdited(), d);
        assertEquals(2, d.provenance().edits().size());
    }

    /** A descriptor written by a 1.1 writer reads the same, with no provenance: a capture. */
    @Test
    void formatOnePointOneStillDecodes() throws Exception {
        MmDescriptor d = BothReaders.decode(bytesOf(golden(GOLDEN_1_1)), GOLDEN_1_1);
        assertEquals(CodecFixtures.golden(), d);
        assertEquals(null, d.provenance());
    }

    @Test
    void goldenFileDecodes() throws Exception {
        // both readers: the codec of record and the agent's plain one
        assertEquals(CodecFixtures.golden(), BothReaders.decode(bytesOf(golden()), GOLDEN));
    }

    /** A descriptor written by a 1.0 writer reads the same, with no jvm launch recorded. */
    @Test
    void formatOnePointZeroStillDecodes() throws Exception {
        MmDescriptor d = BothReaders.decode(bytesOf(golden(GOLDEN_1_0)), GOLDEN_1_0);
        assertEquals(CodecFixtures.golden(), d);
        assertEquals(null, d.jvm());
    }

    /** A JVM original's launch round-trips. */
    @Test
    void jvmLaunchRoundTrips() throws Exception {
        MmDescriptor g = CodecFixtures.golden();
        MmDescriptor jvm = new MmDescriptor(g.fields(), g.brkSource(), g.auxv(), g.exe(),
                "/usr/bin/java\0-cp\0/app\0Main\0a\0".getBytes(StandardCharsets.UTF_8), g.environ(), g.comm(),
                g.capture(), new dev.selfrestore.runtime.JvmLaunch(dev.selfrestore.runtime.JvmLaunch.Kind.CLASS, 3));
        assertEquals(jvm, BothReaders.decode(DescriptorCodec.encode(jvm), "<bytes>"));
    }
}
