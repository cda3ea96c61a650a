package dev.selfrestore.runtime.criu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.MessageLite;
import dev.selfrestore.fixtures.CriuFixtures;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import dev.selfrestore.runtime.criu.proto.CriuImage.CoreEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.InventoryEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.MmEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.PagemapEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.PagemapHead;
import dev.selfrestore.runtime.criu.proto.CriuImage.RemapFilePathEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way a real image can be damaged or unusable gives one line naming the file, the entry or
 * field, and the rule; never another exception. Each case damages a copy of the native fixture.
 */
class CriuDamagedImageTest {
    private static final String PID = "31688";
    private static final String MM = "mm-" + PID + ".img";
    private static final String PAGEMAP = "pagemap-" + PID + ".img";

    @TempDir
    Path tmp;

    Path images;
    Path original;

    @BeforeEach
    void copyFixture() throws Exception {
        original = CriuFixtures.dir("native").resolve("images");
        images = tmp.resolve("images");
        copy(original, images);
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private String refusal(Problem problem) {
        DescriptorFormatException e = assertThrows(DescriptorFormatException.class,
                () -> CriuImageReader.read(ImageFiles.of(images), 0));
        assertEquals(problem, e.problem(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void badMagic() throws Exception {
        byte[] b = Files.readAllBytes(images.resolve(MM));
        b[0] ^= 0x55;
        Files.write(images.resolve(MM), b);
        String m = refusal(Problem.WRONG_MAGIC);
        assertTrue(m.startsWith(images.resolve(MM) + ": magic 0x"), m);
        assertTrue(m.contains("0x54564319"), m);
    }

    @Test
    void anotherFilesMagic() throws Exception {
        Files.copy(images.resolve("pstree.img"), images.resolve(MM), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String m = refusal(Problem.WRONG_MAGIC);
        assertTrue(m.contains(MM + ": file magic 0x50273030: not the magic 0x57492820 of mm-PID.img"), m);
    }

    @Test
    void entryTruncatedInsideItsLength() throws Exception {
        byte[] b = Files.readAllBytes(images.resolve(MM));
        Files.write(images.resolve(MM), java.util.Arrays.copyOf(b, 10));
        String m = refusal(Problem.TRUNCATED);
        assertTrue(m.contains(MM + ": entry 1 at offset 8: the file ends inside the entry's 4-byte length (2 bytes left)"), m);
    }

    @Test
    void entryLengthPastTheEnd() throws Exception {
        byte[] b = Files.readAllBytes(images.resolve(MM));
        Files.write(images.resolve(MM), java.util.Arrays.copyOf(b, b.length - 100));
        String m = refusal(Problem.TRUNCATED);
        assertTrue(m.contains(MM + ": entry 1 at offset 8: length " + (b.length - 12) + " runs past the end of the file ("
                + (b.length - 112) + " bytes left)"), m);
    }

    @Test
    void protobufThatDoesNotParse() throws Exception {
        byte[] b = Files.readAllBytes(images.resolve(MM));
        for (int i = 12; i < 40; i++) {
            b[i] = (byte) 0xff; // varints that never end, in the first field
        }
        Files.write(images.resolve(MM), b);
        String m = refusal(Problem.MALFORMED);
        assertTrue(m.contains(MM + ": entry 1 at offset 8 (" + (b.length - 12) + " bytes): not a valid mm_entry protobuf: "), m);
    }

    @Test
    void requiredFieldMissing() throws Exception {
        MmEntry mm = MmEntry.parser().parsePartialFrom(entry(images.resolve(MM), 0));
        write(images.resolve(MM), CriuImageReader.MM_MAGIC, mm.toBuilder().clearExeFileId().buildPartial());
        String m = refusal(Problem.MALFORMED);
        assertTrue(m.contains("not a valid mm_entry protobuf") && m.contains("exe_file_id"), m);
    }

    @Test
    void missingFile() throws Exception {
        Files.delete(images.resolve(MM));
        String m = refusal(Problem.MISSING);
        assertEquals(images.resolve(MM) + ": no such file: the image directory lacks it", m);
    }

    @Test
    void directoryThatIsNoImage() throws Exception {
        Files.delete(images.resolve("inventory.img"));
        String m = refusal(Problem.NOT_A_FILE);
        assertEquals(images + ": is a directory, and not a CRIU image directory (it has no inventory.img)", m);
    }

    @Test
    void newerImageFormat() throws Exception {
        InventoryEntry inv = InventoryEntry.parseFrom(entry(images.resolve("inventory.img"), 0, 4));
        byte[] body = inv.toBuilder().setImgVersion(3).build().toByteArray();
        ByteBuffer b = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(CriuImageReader.INVENTORY_MAGIC).putInt(body.length).put(body);
        Files.write(images.resolve("inventory.img"), b.array());
        String m = refusal(Problem.UNSUPPORTED_VERSION);
        assertTrue(m.contains("inventory.img: img_version 3: selfrestore reads image format version 2"), m);
    }

    @Test
    void anotherArchitecture() throws Exception {
        Path core = images.resolve("core-" + PID + ".img");
        CoreEntry c = CoreEntry.parseFrom(entry(core, 0));
        write(core, CriuImageReader.CORE_MAGIC, c.toBuilder().setMtype(3).build());
        String m = refusal(Problem.UNSUPPORTED_VERSION);
        assertTrue(m.contains("core-" + PID + ".img: entry 1: mtype 3 (aarch64): an image of another architecture; "
                + "this machine is x86_64"), m);
    }

    @Test
    void compressedImage() throws Exception {
        for (String f : List.of(MM, "pages-1.img")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(Files.readAllBytes(images.resolve(f)));
            }
            Files.write(images.resolve(f), out.toByteArray());
        }
        String m = refusal(Problem.UNSUPPORTED_VERSION);
        assertTrue(m.contains(MM + ": compressed with gzip"), m);
    }

    @Test
    void pagesFileCutShort() throws Exception {
        Files.write(images.resolve("pages-1.img"), new byte[4096]);
        String m = refusal(Problem.TRUNCATED);
        assertTrue(m.contains("pages-1.img: mm_arg_start..mm_arg_end (cmdline): 0x"), m);
        assertTrue(m.contains("past the end of the file"), m);
    }

    @Test
    void lazyPagesAreNotInTheImage() throws Exception {
        rewritePagemap(images, e -> e.toBuilder().setFlags(2).build()); // PE_LAZY only
        String m = refusal(Problem.MALFORMED);
        assertTrue(m.contains(PAGEMAP + ": mm_arg_start..mm_arg_end (cmdline): page 0x"), m);
        assertTrue(m.contains("flags PE_LAZY"), m);
    }

    @Test
    void rangeThatWasNotDumped() throws Exception {
        rewritePagemap(images, e -> e.toBuilder().setVaddr(e.getVaddr() + (1L << 40)).build());
        String m = refusal(Problem.MALFORMED);
        assertTrue(m.contains("mm_arg_start..mm_arg_end (cmdline): page 0x") && m.contains("was not dumped"), m);
    }

    @Test
    void inParentWithoutAParentImage() throws Exception {
        rewritePagemap(images, e -> e.toBuilder().setFlags(1).build()); // PE_PARENT
        String m = refusal(Problem.MISSING);
        assertTrue(m.contains("(entry 2") || m.contains("in the parent image"), m);
        assertTrue(m.contains("in_parent") && m.contains("parent/pagemap-" + PID + ".img does not exist"), m);
    }

    @Test
    void inParentReadFromTheParentImage() throws Exception {
        // An incremental dump: every page is in the parent (the original dump), none in this one.
        rewritePagemap(images, e -> e.toBuilder().clearFlags().setInParent(true).build());
        Files.write(images.resolve("pages-1.img"), new byte[0]);
        Path parent = tmp.resolve("dump-1");
        copy(original, parent);
        Files.createSymbolicLink(images.resolve("parent"), Path.of("../dump-1")); // as criu's --prev-images-dir
        ImportedTask t = CriuImageReader.read(ImageFiles.of(images), 0);
        CriuImageReaderTest.assertMatchesExpected(original.getParent(), t.descriptor());
    }

    @Test
    void olderPagemapWithTheCountInField2() throws Exception {
        rewritePagemap(images, e -> e.toBuilder().setCompatNrPages((int) e.getNrPages()).clearNrPages().build());
        CriuImageReaderTest.assertMatchesExpected(original.getParent(),
                CriuImageReader.read(ImageFiles.of(images), 0).descriptor());
    }

    @Test
    void exeDeletedBeforeTheDump() throws Exception {
        int exeId = MmEntry.parseFrom(entry(images.resolve(MM), 0)).getExeFileId();
        write(images.resolve("remap-fpath.img"), CriuImageReader.REMAP_FPATH_MAGIC,
                RemapFilePathEntry.newBuilder().setOrigId(exeId).setRemapId(7).setRemapType(1).build());
        ImportedTask t = CriuImageReader.read(ImageFiles.of(images), 0);
        assertEquals("/opt/selfrestore-fixtures/dev/bin/billing-daemon was deleted at checkpoint time "
                + "(CRIU kept its content in ghost-file-7.img)", t.exeDeleted());
        CriuImageReaderTest.assertMatchesExpected(original.getParent(), t.descriptor());
    }

    @Test
    void pidNotInTheImage() throws Exception {
        DescriptorFormatException e = assertThrows(DescriptorFormatException.class,
                () -> CriuImageReader.read(ImageFiles.of(images), 4242));
        assertEquals(images.resolve("pstree.img") + ": pid 4242 is not in the image; it holds 31688", e.getMessage());
    }

    @Test
    void everyCutOfEveryFileIsOneLine() throws Exception {
        // Whatever byte a file ends at, the reader refuses with its own exception (or reads a
        // shorter file that still makes sense): nothing else escapes.
        for (String f : List.of("inventory.img", "pstree.img", MM, "files.img", "core-" + PID + ".img", PAGEMAP)) {
            byte[] whole = Files.readAllBytes(original.resolve(f));
            for (int cut = 0; cut < whole.length; cut += Math.max(1, whole.length / 97)) {
                Files.write(images.resolve(f), java.util.Arrays.copyOf(whole, cut));
                try {
                    CriuImageReader.read(ImageFiles.of(images), 0);
                } catch (DescriptorFormatException e) {
                    assertTrue(e.getMessage().startsWith(images.toString()), e.getMessage());
                }
            }
            Files.write(images.resolve(f), whole);
        }
        assertArrayEquals(Files.readAllBytes(original.resolve(MM)), Files.readAllBytes(images.resolve(MM)));
    }

    @Test
    void flippedBytesAreOneLineOrARead() throws Exception {
        // Any byte of the metadata files changed to any value: a descriptor or one refusal, never
        // another exception (a fixed seed, so that a finding repeats).
        java.util.Random random = new java.util.Random(11);
        List<String> names = List.of("inventory.img", "pstree.img", MM, "files.img", "core-" + PID + ".img", PAGEMAP);
        for (int i = 0; i < 1000; i++) {
            String f = names.get(random.nextInt(names.size()));
            byte[] whole = Files.readAllBytes(original.resolve(f));
            byte[] b = whole.clone();
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            Files.write(images.resolve(f), b);
            try {
                CriuImageReader.read(ImageFiles.of(images), 0);
            } catch (DescriptorFormatException e) {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            }
            Files.write(images.resolve(f), whole);
        }
    }

    // ---- writing image files ----

    /** The bytes of entry {@code index} of an image file with two magics (or {@code magics} of them). */
    static byte[] entry(Path file, int index) throws IOException {
        return entry(file, index, 8);
    }

    static byte[] entry(Path file, int index, int magics) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int at = magics;
        for (int i = 0; ; i++) {
            int len = b.getInt(at);
            if (i == index) {
                byte[] out = new byte[len];
                b.get(at + 4, out);
                return out;
            }
            at += 4 + len;
        }
    }

    static void write(Path file, int magic, MessageLite... entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(CriuImageReader.IMG_COMMON_MAGIC).putInt(magic);
        out.write(head.array());
        for (MessageLite m : entries) {
            byte[] body = m.toByteArray();
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(body.length).array());
            out.write(body);
        }
        Files.write(file, out.toByteArray());
    }

    private static void rewritePagemap(Path images, java.util.function.UnaryOperator<PagemapEntry> change)
            throws IOException {
        Path f = images.resolve(PAGEMAP);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        List<MessageLite> out = new ArrayList<>();
        int at = 8;
        boolean head = true;
        while (at < b.limit()) {
            int len = b.getInt(at);
            byte[] body = new byte[len];
            b.get(at + 4, body);
            out.add(head ? PagemapHead.parseFrom(body) : change.apply(PagemapEntry.parseFrom(body)));
            head = false;
            at += 4 + len;
        }
        write(f, CriuImageReader.PAGEMAP_MAGIC, out.toArray(new MessageLite[0]));
    }
}
