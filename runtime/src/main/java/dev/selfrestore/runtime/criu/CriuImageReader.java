package dev.selfrestore.runtime.criu;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import dev.selfrestore.runtime.BrkSource;
import dev.selfrestore.runtime.CaptureInfo;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.JvmLaunch;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.runtime.capture.JvmCommandLine;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.codec.DescriptorFormatException.Problem;
import dev.selfrestore.runtime.criu.proto.CriuImage.CoreEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.FileEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.InventoryEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.MmEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.PagemapEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.PagemapHead;
import dev.selfrestore.runtime.criu.proto.CriuImage.PstreeEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.RegFileEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.RemapFilePathEntry;
import dev.selfrestore.runtime.criu.proto.CriuImage.VmaEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one process of a CRIU image directory into a descriptor.
 *
 * <p>Every image file is two little-endian u32 magics (CRIU's common image magic, then the file's
 * own; {@code inventory.img} has its own only), then entries, each a little-endian u32 length and
 * a protobuf (proto2) message of that many bytes ({@code criu_image.proto}). {@code pages-N.img}
 * is raw memory: {@code pagemap-PID.img} says which page ranges it holds, in order.
 *
 * <p>Anything wrong with the images is one {@link DescriptorFormatException} whose message names
 * the file, the entry or field, the value and the rule; nothing else escapes for any input.
 */
public final class CriuImageReader {
    static final int IMG_COMMON_MAGIC = 0x54564319;
    static final int IMG_SERVICE_MAGIC = 0x55105940;
    static final int INVENTORY_MAGIC = 0x58313116;
    static final int PSTREE_MAGIC = 0x50273030;
    static final int CORE_MAGIC = 0x55053847;
    static final int MM_MAGIC = 0x57492820;
    static final int FILES_MAGIC = 0x56303138;
    static final int REG_FILES_MAGIC = 0x50363636;
    static final int PAGEMAP_MAGIC = 0x56084025;
    static final int REMAP_FPATH_MAGIC = 0x59133954;

    /** CRTOOLS_IMAGES_V1_1: the common magic heads every file but the inventory (CRIU 1.1 to 4.2). */
    static final int IMAGE_VERSION = 2;

    private static final int PE_PARENT = 1;
    private static final int PE_LAZY = 2;
    private static final int PE_PRESENT = 4;
    private static final int VMA_FILE_MAPPED = (1 << 6) | (1 << 7);
    private static final int FD_TYPE_REG = 1;
    private static final int REMAP_GHOST = 1;
    /** CRIU's pagemap counts 4 KiB pages on x86_64, the one page size of that machine type. */
    private static final int PAGE = 4096;
    /** The kernel's limit on cmdline and environ together (6 MiB: Validator.MAX_ARGS_AND_ENV). */
    private static final long AREA_LIMIT = 6L << 20;
    /** How many incremental dumps a page may be looked for in, following {@code parent} links. */
    private static final int MAX_PARENTS = 64;
    private static final byte[] LIBJVM = "/libjvm.so".getBytes(StandardCharsets.ISO_8859_1);

    private final ImageFiles files;

    private CriuImageReader(ImageFiles files) {
        this.files = files;
    }

    /**
     * Reads process {@code pid} of the image, or its root process when {@code pid} is 0.
     *
     * @throws DescriptorFormatException naming the file, entry, value and rule
     */
    public static ImportedTask read(ImageFiles files, long pid) throws DescriptorFormatException {
        try {
            return new CriuImageReader(files).read(pid);
        } catch (RuntimeException e) {
            // Every check above names what it refuses; this is the net under them, so that a value
            // no check foresaw (an offset past 2^63, say) is still one line and never a stack trace.
            throw new DescriptorFormatException(Problem.MALFORMED, files.describe(""),
                    "not a readable CRIU image: " + e);
        }
    }

    private ImportedTask read(long wanted) throws DescriptorFormatException {
        if (!files.exists("inventory.img")) {
            throw new DescriptorFormatException(Problem.NOT_A_FILE, files.describe(""),
                    "is a directory, and not a CRIU image directory (it has no inventory.img)");
        }
        InventoryEntry inventory = only("inventory.img", INVENTORY_MAGIC, InventoryEntry.parser());
        if (inventory.getImgVersion() != IMAGE_VERSION) {
            throw new DescriptorFormatException(Problem.UNSUPPORTED_VERSION, files.describe("inventory.img"),
                    "img_version " + Integer.toUnsignedString(inventory.getImgVersion()) + ": selfrestore reads image "
                    + "format version " + IMAGE_VERSION + ", which CRIU 1.1 to 4.2 write");
        }
        List<PstreeEntry> tree = entries("pstree.img", PSTREE_MAGIC, PstreeEntry.parser());
        if (tree.isEmpty()) {
            throw malformed("pstree.img", "holds no process");
        }
        List<Long> pids = new ArrayList<>();
        PstreeEntry task = null;
        for (PstreeEntry e : tree) {
            long p = Integer.toUnsignedLong(e.getPid());
            pids.add(p);
            if (task == null && (wanted == 0 || p == wanted)) {
                task = e;
            }
        }
        if (task == null) {
            throw new DescriptorFormatException(Problem.MISSING, files.describe("pstree.img"),
                    "pid " + wanted + " is not in the image; it holds " + joinPids(pids));
        }
        long pid = Integer.toUnsignedLong(task.getPid());

        String coreName = "core-" + pid + ".img";
        CoreEntry core = first(coreName, CORE_MAGIC, CoreEntry.parser());
        String arch = machine(core.getMtype());
        String here = thisMachine();
        if (!arch.equals(here)) {
            throw new DescriptorFormatException(Problem.UNSUPPORTED_VERSION, files.describe(coreName),
                    "entry 1: mtype " + core.getMtype() + " (" + arch + "): an image of another architecture; this "
                    + "machine is " + here);
        }
        if (!core.hasTc()) {
            throw malformed(coreName, "entry 1: no tc (task_core_entry): not the core of a thread-group leader");
        }
        byte[] comm = core.getTc().getComm().toByteArray();
        int uid = core.hasThreadCore() && core.getThreadCore().hasCreds() ? core.getThreadCore().getCreds().getUid() : -1;

        String mmName = "mm-" + pid + ".img";
        MmEntry mm = only(mmName, MM_MAGIC, MmEntry.parser());
        MmFields fields = new MmFields(mm.getMmStartCode(), mm.getMmEndCode(), mm.getMmStartData(), mm.getMmEndData(),
                mm.getMmStartBrk(), mm.getMmBrk(), mm.getMmStartStack(), mm.getMmArgStart(), mm.getMmArgEnd(),
                mm.getMmEnvStart(), mm.getMmEnvEnd());
        long[] auxv = auxv(mm);

        int exeId = mm.getExeFileId();
        RegFileEntry exeFile = regularFile(exeId);
        if (exeFile == null) {
            throw malformed(mmName, "entry 1: exe_file_id " + Integer.toUnsignedString(exeId) + " names no regular file in "
                    + (files.exists("files.img") ? "files.img" : "reg-files.img"));
        }
        ExecutableIdentity exe = new ExecutableIdentity(exeFile.getName().toByteArray(), exeFile.getSize(), 0, 0, 0, 0,
                exeFile.getMode(), buildId(exeFile), new byte[0]);
        String deleted = deletedAtDump(exeId, exe);

        Memory memory = new Memory(files, pid, "");
        byte[] cmdline = memory.area(mm.getMmArgStart(), mm.getMmArgEnd(), "mm_arg_start..mm_arg_end (cmdline)", mmName);
        byte[] environ = memory.area(mm.getMmEnvStart(), mm.getMmEnvEnd(), "mm_env_start..mm_env_end (environ)", mmName);

        JvmLaunch jvm = mapsLibjvm(mm) ? JvmCommandLine.parse(cmdline) : null;
        CaptureInfo info = new CaptureInfo(pid, 0, "", arch, PAGE, uid);
        MmDescriptor d = new MmDescriptor(fields, BrkSource.EXACT, auxv, exe, cmdline, environ, comm, info, jvm);
        return new ImportedTask(d, pids, deleted, inventory.getImgVersion());
    }

    /** The saved auxv words up to and including the AT_NULL pair, which CRIU does not store. */
    private static long[] auxv(MmEntry mm) {
        int n = mm.getMmSavedAuxvCount();
        int end = 0;
        while (end + 1 < n && mm.getMmSavedAuxv(end) != 0) {
            end += 2;
        }
        long[] words = new long[end + 2];
        for (int i = 0; i < end; i++) {
            words[i] = mm.getMmSavedAuxv(i);
        }
        return words; // the last pair stays 0, 0: AT_NULL
    }

    private static byte[] buildId(RegFileEntry f) {
        ByteBuffer b = ByteBuffer.allocate(f.getBuildIdCount() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : f.getBuildIdList()) {
            b.putInt(w);
        }
        return b.array();
    }

    private RegFileEntry regularFile(int id) throws DescriptorFormatException {
        if (files.exists("files.img")) {
            for (FileEntry f : entries("files.img", FILES_MAGIC, FileEntry.parser())) {
                if (f.getId() == id && f.getType() == FD_TYPE_REG && f.hasReg()) {
                    return f.getReg();
                }
            }
            return null;
        }
        for (RegFileEntry f : entries("reg-files.img", REG_FILES_MAGIC, RegFileEntry.parser())) {
            if (f.getId() == id) {
                return f;
            }
        }
        return null;
    }

    /** Null, or the line saying that the executable was deleted when the image was written. */
    private String deletedAtDump(int exeId, ExecutableIdentity exe) throws DescriptorFormatException {
        if (!files.exists("remap-fpath.img")) {
            return null;
        }
        for (RemapFilePathEntry r : entries("remap-fpath.img", REMAP_FPATH_MAGIC, RemapFilePathEntry.parser())) {
            if (r.getOrigId() == exeId) {
                String kept = r.getRemapType() == REMAP_GHOST
                        ? "CRIU kept its content in ghost-file-" + Integer.toUnsignedString(r.getRemapId()) + ".img"
                        : "remap-fpath.img remap_type " + r.getRemapType();
                return exe.displayPath() + " was deleted at checkpoint time (" + kept + ")";
            }
        }
        return null;
    }

    private boolean mapsLibjvm(MmEntry mm) throws DescriptorFormatException {
        List<Long> ids = new ArrayList<>();
        for (VmaEntry v : mm.getVmasList()) {
            if ((v.getStatus() & VMA_FILE_MAPPED) != 0 && !ids.contains(v.getShmid())) {
                ids.add(v.getShmid());
            }
        }
        for (long id : ids) {
            RegFileEntry f = regularFile((int) id);
            if (f != null && RawBytes.endsWith(f.getName().toByteArray(), LIBJVM)) {
                return true;
            }
        }
        return false;
    }

    static String machine(int mtype) {
        switch (mtype) {
            case 1: return "x86_64";
            case 2: return "arm";
            case 3: return "aarch64";
            case 4: return "ppc64";
            case 5: return "s390";
            case 6: return "mips";
            case 7: return "loongarch64";
            case 8: return "riscv64";
            default: return "unknown machine type";
        }
    }

    static String thisMachine() {
        String a = System.getProperty("os.arch", "");
        switch (a) {
            case "amd64": return "x86_64";
            case "aarch64": return "aarch64";
            default: return a;
        }
    }

    private static String joinPids(List<Long> pids) {
        StringBuilder sb = new StringBuilder();
        for (long p : pids) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(p);
        }
        return sb.toString();
    }

    private DescriptorFormatException malformed(String name, String detail) {
        return new DescriptorFormatException(Problem.MALFORMED, files.describe(name), detail);
    }

    // ---- image files: magics, then length-prefixed protobuf entries ----

    private <T> T only(String name, int magic, Parser<T> parser) throws DescriptorFormatException {
        List<T> all = entries(name, magic, parser);
        if (all.size() != 1) {
            throw malformed(name, "holds " + all.size() + " entries where CRIU writes one");
        }
        return all.get(0);
    }

    private <T> T first(String name, int magic, Parser<T> parser) throws DescriptorFormatException {
        List<T> all = entries(name, magic, parser);
        if (all.isEmpty()) {
            throw malformed(name, "holds no entry");
        }
        return all.get(0);
    }

    private <T> List<T> entries(String name, int magic, Parser<T> parser) throws DescriptorFormatException {
        return ImageFile.entries(files, name, magic, parser);
    }

    /** One image file's framing, shared with the pagemap's two kinds of entries. */
    static final class ImageFile {
        private ImageFile() {
        }

        static byte[] bytes(ImageFiles files, String name) throws DescriptorFormatException {
            try {
                return files.read(name);
            } catch (NoSuchFileException e) {
                throw new DescriptorFormatException(Problem.MISSING, files.describe(name),
                        "no such file: the image directory lacks it");
            } catch (AccessDeniedException e) {
                throw new DescriptorFormatException(Problem.UNREADABLE, files.describe(name), "permission denied");
            } catch (IOException e) {
                throw new DescriptorFormatException(Problem.UNREADABLE, files.describe(name), "cannot read: " + e);
            }
        }

        /** The offset of the first entry, after the magics; or a refusal naming what is there instead. */
        static int body(ImageFiles files, String name, byte[] data, int magic) throws DescriptorFormatException {
            String source = files.describe(name);
            if (data.length < 4) {
                throw new DescriptorFormatException(data.length == 0 ? Problem.EMPTY : Problem.TRUNCATED, source,
                        data.length + " bytes: shorter than an image file's magic");
            }
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            int first = b.getInt(0);
            if (magic == INVENTORY_MAGIC) {
                if (first != INVENTORY_MAGIC) {
                    throw wrongMagic(source, data, first, INVENTORY_MAGIC, "inventory");
                }
                return 4;
            }
            if (first != IMG_COMMON_MAGIC && first != IMG_SERVICE_MAGIC) {
                throw wrongMagic(source, data, first, IMG_COMMON_MAGIC, "image");
            }
            if (data.length < 8) {
                throw new DescriptorFormatException(Problem.TRUNCATED, source,
                        data.length + " bytes: the file ends inside its second magic");
            }
            int second = b.getInt(4);
            if (second != magic) {
                throw new DescriptorFormatException(Problem.WRONG_MAGIC, source, "file magic " + hex(second)
                        + ": not the magic " + hex(magic) + " of " + name.replaceAll("-[0-9]+\\.img$", "-PID.img")
                        .replace("parent/", ""));
            }
            return 8;
        }

        private static DescriptorFormatException wrongMagic(String source, byte[] data, int found, int want, String what) {
            String packed = packer(data);
            if (packed != null) {
                return new DescriptorFormatException(Problem.UNSUPPORTED_VERSION, source, "compressed with " + packed
                        + ": selfrestore reads uncompressed CRIU images; decompress the directory first");
            }
            return new DescriptorFormatException(Problem.WRONG_MAGIC, source, "magic " + hex(found) + " where CRIU's "
                    + what + " magic " + hex(want) + " belongs: not a CRIU image file, damaged, or encrypted");
        }

        /** The compressor whose signature starts {@code data}, or null. */
        static String packer(byte[] d) {
            if (d.length >= 4 && (d[0] & 0xff) == 0x28 && (d[1] & 0xff) == 0xb5 && (d[2] & 0xff) == 0x2f
                    && (d[3] & 0xff) == 0xfd) {
                return "zstd";
            }
            if (d.length >= 4 && (d[0] & 0xff) == 0x04 && (d[1] & 0xff) == 0x22 && (d[2] & 0xff) == 0x4d
                    && (d[3] & 0xff) == 0x18) {
                return "lz4";
            }
            if (d.length >= 2 && (d[0] & 0xff) == 0x1f && (d[1] & 0xff) == 0x8b) {
                return "gzip";
            }
            if (d.length >= 6 && (d[0] & 0xff) == 0xfd && d[1] == '7' && d[2] == 'z' && d[3] == 'X' && d[4] == 'Z') {
                return "xz";
            }
            if (d.length >= 3 && d[0] == 'B' && d[1] == 'Z' && d[2] == 'h') {
                return "bzip2";
            }
            return null;
        }

        static <T> List<T> entries(ImageFiles files, String name, int magic, Parser<T> parser)
                throws DescriptorFormatException {
            byte[] data = bytes(files, name);
            int at = body(files, name, data, magic);
            List<T> out = new ArrayList<>();
            int n = 0;
            while (at < data.length) {
                n++;
                at = entry(files, name, data, at, n, parser, out);
            }
            return out;
        }

        /** Parses entry {@code n} at {@code at} into {@code out}; returns the offset after it. */
        static <T> int entry(ImageFiles files, String name, byte[] data, int at, int n, Parser<T> parser, List<T> out)
                throws DescriptorFormatException {
            String source = files.describe(name);
            int left = data.length - at;
            if (left < 4) {
                throw new DescriptorFormatException(Problem.TRUNCATED, source, "entry " + n + " at offset " + at
                        + ": the file ends inside the entry's 4-byte length (" + left + " bytes left)");
            }
            long len = Integer.toUnsignedLong(ByteBuffer.wrap(data, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
            if (len > left - 4) {
                throw new DescriptorFormatException(Problem.TRUNCATED, source, "entry " + n + " at offset " + at
                        + ": length " + len + " runs past the end of the file (" + (left - 4) + " bytes left)");
            }
            try {
                out.add(parser.parseFrom(data, at + 4, (int) len));
            } catch (InvalidProtocolBufferException e) {
                throw new DescriptorFormatException(Problem.MALFORMED, source, "entry " + n + " at offset " + at
                        + " (" + len + " bytes): not a valid " + messageName(parser) + " protobuf: " + oneLine(e.getMessage()));
            }
            return at + 4 + (int) len;
        }

        /** CRIU's name of the message ({@code mm_entry}), from the generated class's name. */
        private static String messageName(Parser<?> parser) {
            String simple;
            try {
                simple = parser.parsePartialFrom(new byte[0]).getClass().getSimpleName();
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                return "entry";
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < simple.length(); i++) {
                char c = simple.charAt(i);
                if (Character.isUpperCase(c) && i > 0) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(c));
            }
            return sb.toString();
        }

        static String oneLine(String s) {
            return s == null ? "" : s.replace('\n', ' ').strip();
        }
    }

    static String hex(int v) {
        return "0x" + String.format(Locale.ROOT, "%08x", v);
    }

    /** A process's dumped memory: the pagemap of this image and, for pages in a parent, its parent's. */
    static final class Memory {
        private final ImageFiles files;
        private final long pid;
        private final String prefix;
        private List<PagemapEntry> ranges;
        private String pagesName;
        private Memory parent;

        Memory(ImageFiles files, long pid, String prefix) {
            this.files = files;
            this.pid = pid;
            this.prefix = prefix;
        }

        private String pagemapName() {
            return prefix + "pagemap-" + pid + ".img";
        }

        private void load() throws DescriptorFormatException {
            if (ranges != null) {
                return;
            }
            String name = pagemapName();
            byte[] data = ImageFile.bytes(files, name);
            int at = ImageFile.body(files, name, data, PAGEMAP_MAGIC);
            if (at >= data.length) {
                throw new DescriptorFormatException(Problem.MALFORMED, files.describe(name), "holds no pagemap_head entry");
            }
            List<PagemapHead> head = new ArrayList<>(1);
            at = ImageFile.entry(files, name, data, at, 1, PagemapHead.parser(), head);
            pagesName = prefix + "pages-" + Integer.toUnsignedString(head.get(0).getPagesId()) + ".img";
            List<PagemapEntry> all = new ArrayList<>();
            int n = 1;
            while (at < data.length) {
                n++;
                at = ImageFile.entry(files, name, data, at, n, PagemapEntry.parser(), all);
            }
            ranges = all;
        }

        /** The bytes at [start, end) of the process's memory; {@code field} names the area in a refusal. */
        byte[] area(long start, long end, String field, String mmName) throws DescriptorFormatException {
            if (Long.compareUnsigned(end, start) < 0 || end - start > AREA_LIMIT) {
                throw new DescriptorFormatException(Problem.MALFORMED, files.describe(mmName), field + " is 0x"
                        + Long.toHexString(start) + "..0x" + Long.toHexString(end) + ": "
                        + (Long.compareUnsigned(end, start) < 0 ? "it ends before it starts"
                        : "larger than the kernel's 6 MiB for cmdline and environ"));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) (end - start));
            long at = start;
            while (Long.compareUnsigned(at, end) < 0) {
                long pageEnd = (at & -PAGE) + PAGE;
                long upTo = Long.compareUnsigned(pageEnd, end) < 0 ? pageEnd : end;
                out.writeBytes(page(at, (int) (upTo - at), field, 0));
                at = upTo;
            }
            return out.toByteArray();
        }

        /** {@code length} bytes at {@code addr}, all within one page. */
        private byte[] page(long addr, int length, String field, int depth) throws DescriptorFormatException {
            load();
            long page = addr & -PAGE;
            long offsetPages = 0;
            String name = pagemapName();
            for (int i = 0; i < ranges.size(); i++) {
                PagemapEntry r = ranges.get(i);
                long count = r.hasNrPages() ? r.getNrPages() : Integer.toUnsignedLong(r.getCompatNrPages());
                int flags = r.hasFlags() ? r.getFlags() : (r.getInParent() ? PE_PARENT : PE_PRESENT);
                boolean inFile = (flags & PE_PRESENT) != 0;
                long vaddr = r.getVaddr();
                if (Long.compareUnsigned(page, vaddr) >= 0 && Long.compareUnsigned(page - vaddr, count * PAGE) < 0) {
                    String entry = name + " entry " + (i + 2);
                    if (inFile) {
                        long fileOffset = (offsetPages + (page - vaddr) / PAGE) * PAGE + (addr - page);
                        if (fileOffset < 0 || offsetPages < 0) {
                            throw new DescriptorFormatException(Problem.MALFORMED, files.describe(name), field
                                    + ": the page counts before " + entry.substring(name.length() + 1)
                                    + " add up to more pages than a file can hold");
                        }
                        return read(fileOffset, length, field, addr);
                    }
                    if ((flags & PE_PARENT) != 0 || r.getInParent()) {
                        return fromParent(addr, length, field, depth, entry);
                    }
                    if ((flags & PE_LAZY) != 0) {
                        throw new DescriptorFormatException(Problem.MALFORMED, files.describe(name), field + ": page 0x"
                                + Long.toHexString(page) + " is lazy (" + entry.substring(name.length() + 1)
                                + ", flags PE_LAZY): its content was left to CRIU's lazy-pages daemon and is not in the image");
                    }
                    throw new DescriptorFormatException(Problem.MALFORMED, files.describe(name), field + ": page 0x"
                            + Long.toHexString(page) + " is neither present nor in a parent image ("
                            + entry.substring(name.length() + 1) + ", flags " + flags + ")");
                }
                if (inFile) {
                    offsetPages += count;
                }
            }
            throw new DescriptorFormatException(Problem.MALFORMED, files.describe(name), field + ": page 0x"
                    + Long.toHexString(page) + " was not dumped (no pagemap entry holds it)");
        }

        private byte[] fromParent(long addr, int length, String field, int depth, String entry)
                throws DescriptorFormatException {
            if (depth >= MAX_PARENTS) {
                throw new DescriptorFormatException(Problem.MALFORMED, files.describe(pagemapName()), field
                        + ": more than " + MAX_PARENTS + " parent images in a row");
            }
            String parentDir = prefix + "parent";
            if (!files.exists(parentDir + "/" + "pagemap-" + pid + ".img")) {
                throw new DescriptorFormatException(Problem.MISSING, files.describe(pagemapName()), field + ": page 0x"
                        + Long.toHexString(addr & -PAGE) + " is in the parent image (" + entry.substring(
                        pagemapName().length() + 1) + ", in_parent), but " + files.describe(parentDir + "/pagemap-" + pid
                        + ".img") + " does not exist: give the incremental dump's --prev-images-dir as its parent link");
            }
            if (parent == null) {
                parent = new Memory(files, pid, parentDir + "/");
            }
            return parent.page(addr, length, field, depth + 1);
        }

        private byte[] read(long offset, int length, String field, long addr) throws DescriptorFormatException {
            byte[] b;
            try {
                b = files.read(pagesName, offset, length);
            } catch (NoSuchFileException e) {
                throw new DescriptorFormatException(Problem.MISSING, files.describe(pagesName),
                        "no such file: " + pagemapName() + " names it for " + field);
            } catch (IOException e) {
                throw new DescriptorFormatException(Problem.UNREADABLE, files.describe(pagesName), "cannot read: " + e);
            }
            if (b.length != length) {
                String packed = ImageFile.packer(headOf(pagesName));
                if (packed != null) {
                    throw new DescriptorFormatException(Problem.UNSUPPORTED_VERSION, files.describe(pagesName),
                            "compressed with " + packed + ": selfrestore reads uncompressed CRIU images");
                }
                throw new DescriptorFormatException(Problem.TRUNCATED, files.describe(pagesName), field + ": 0x"
                        + Long.toHexString(addr) + " is at offset " + offset + ", past the end of the file");
            }
            return b;
        }

        private byte[] headOf(String name) {
            try {
                return files.read(name, 0, 8);
            } catch (IOException e) {
                return new byte[0];
            }
        }
    }
}
