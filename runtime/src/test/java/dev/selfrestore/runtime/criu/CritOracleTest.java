package dev.selfrestore.runtime.criu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.selfrestore.fixtures.CriuFixtures;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reader against an independent decoder of the same images: CRIU's own {@code crit} (Debian's
 * package {@code criu}), field by field. crit 3.17 predates the pagemap's 64-bit {@code nr_pages}
 * (field 5, CRIU 2025): it shows {@code nr_pages: 0} for these images, so the page counts are
 * checked against the pages file's size instead.
 */
class CritOracleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void critInstalled() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/crit")),
                "crit is not installed (Debian package criu): no independent decoder to compare with");
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "tree", "jvm17"})
    void sameFieldsAsCrit(String fixture) throws Exception {
        Path images = CriuFixtures.dir(fixture).resolve("images");
        JsonNode pstree = crit(images.resolve("pstree.img"));
        List<Long> pids = new ArrayList<>();
        for (JsonNode e : pstree.get("entries")) {
            pids.add(e.get("pid").asLong());
        }
        ImportedTask root = CriuImageReader.read(ImageFiles.of(images), 0);
        assertEquals(pids, root.pids(), "pstree pids");
        for (long pid : pids) {
            MmDescriptor d = CriuImageReader.read(ImageFiles.of(images), pid).descriptor();
            JsonNode mm = crit(images.resolve("mm-" + pid + ".img")).get("entries").get(0);
            MmFields f = d.fields();
            long[] want = {hex(mm, "mm_start_code"), hex(mm, "mm_end_code"), hex(mm, "mm_start_data"),
                hex(mm, "mm_end_data"), hex(mm, "mm_start_brk"), hex(mm, "mm_brk"), hex(mm, "mm_start_stack"),
                hex(mm, "mm_arg_start"), hex(mm, "mm_arg_end"), hex(mm, "mm_env_start"), hex(mm, "mm_env_end")};
            assertArrayEquals(want, f.toArray(), "mm fields of " + pid);
            List<Long> auxv = new ArrayList<>();
            for (JsonNode w : mm.get("mm_saved_auxv")) {
                auxv.add(w.asLong());
            }
            long[] words = d.auxv();
            for (int i = 0; i < auxv.size(); i++) {
                assertEquals(auxv.get(i), words[i], "mm_saved_auxv[" + i + "] of " + pid);
            }
            assertEquals(0, words[words.length - 1]);
            assertEquals(0, words[words.length - 2]);

            long exeId = mm.get("exe_file_id").asLong();
            JsonNode reg = null;
            for (JsonNode e : crit(images.resolve("files.img")).get("entries")) {
                if (e.get("id").asLong() == exeId) {
                    reg = e.get("reg");
                }
            }
            assertEquals(reg.get("name").asText(), new String(d.exe().path(), StandardCharsets.UTF_8), "exe name");
            assertEquals(reg.get("size").asLong(), d.exe().size(), "exe size");
            assertEquals(reg.get("mode").asInt(), d.exe().mode(), "exe mode");
            ByteBuffer id = ByteBuffer.allocate(reg.get("build_id").size() * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode w : reg.get("build_id")) {
                id.putInt((int) w.asLong());
            }
            assertArrayEquals(id.array(), d.exe().buildId(), "build_id");

            JsonNode core = crit(images.resolve("core-" + pid + ".img")).get("entries").get(0);
            assertEquals(core.get("tc").get("comm").asText(), new String(d.comm(), StandardCharsets.UTF_8), "comm");
            assertEquals(core.get("mtype").asText(), "X86_64");
            assertEquals(core.get("thread_core").get("creds").get("uid").asInt(), d.capture().uid(), "uid");

            // crit shows each range's vaddr and flags; its nr_pages is 0 (field 2) for these images.
            JsonNode pagemap = crit(images.resolve("pagemap-" + pid + ".img")).get("entries");
            int ranges = pagemap.size() - 1;
            List<dev.selfrestore.runtime.criu.proto.CriuImage.PagemapEntry> ours = pagemap(images, pid);
            assertEquals(ranges, ours.size(), "pagemap ranges");
            for (int i = 0; i < ranges; i++) {
                assertEquals(hex(pagemap.get(i + 1), "vaddr"), ours.get(i).getVaddr(), "vaddr of range " + i);
                assertEquals(0, pagemap.get(i + 1).get("nr_pages").asLong(), "crit 3.17 reads field 2 only");
            }
        }
    }

    private static List<dev.selfrestore.runtime.criu.proto.CriuImage.PagemapEntry> pagemap(Path images, long pid)
            throws IOException {
        byte[] data = Files.readAllBytes(images.resolve("pagemap-" + pid + ".img"));
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        List<dev.selfrestore.runtime.criu.proto.CriuImage.PagemapEntry> out = new ArrayList<>();
        int at = 8;
        int headLen = b.getInt(at);
        byte[] headBody = new byte[headLen];
        b.get(at + 4, headBody);
        int pagesId = dev.selfrestore.runtime.criu.proto.CriuImage.PagemapHead.parseFrom(headBody).getPagesId();
        at += 4 + headLen;
        long pages = 0;
        while (at < data.length) {
            int len = b.getInt(at);
            byte[] body = new byte[len];
            b.get(at + 4, body);
            var e = dev.selfrestore.runtime.criu.proto.CriuImage.PagemapEntry.parseFrom(body);
            out.add(e);
            if ((e.getFlags() & 4) != 0) {
                pages += e.getNrPages();
            }
            at += 4 + len;
        }
        assertEquals(Files.size(images.resolve("pages-" + pagesId + ".img")), pages * 4096,
                "field 5 nr_pages of the present ranges add up to pages-" + pagesId + ".img");
        return out;
    }

    private static long hex(JsonNode n, String field) {
        JsonNode v = n.get(field); // a number from 'crit decode', "0x…" from 'crit decode --pretty'
        return v.isNumber() ? v.asLong() : Long.parseUnsignedLong(v.asText().substring(2), 16);
    }

    private static JsonNode crit(Path img) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("crit", "decode", "-i", img.toString()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "crit decode -i " + img + ": " + err);
        return JSON.readTree(out);
    }
}
