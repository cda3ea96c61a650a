package dev.selfrestore.nativeshim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each binding against the real kernel. */
class SyscallsTest {
    private final Syscalls sys = Syscalls.linux();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void mmMapSizeIsTheStructThisCodeLaysOut() {
        assertEquals(Prctl.MM_MAP_STRUCT_SIZE, sys.mm().mmMapSize());
    }

    @Test
    void savedAuxvSizeHoldsAtLeastTheCurrentAuxv() throws Exception {
        int size = sys.mm().savedAuxvSize();
        long auxv = Files.readAllBytes(Path.of("/proc/self/auxv")).length;
        assertTrue(size >= auxv, "saved_auxv " + size + " < /proc/self/auxv " + auxv);
        assertEquals(0, size % 16);
    }

    @Test
    void openOfAMissingFileNamesTheCallAndErrno() {
        NativeCallException e = assertThrows(NativeCallException.class, () -> sys.files().open(b("/nonexistent/x"), Fcntl.O_RDONLY));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("open(/nonexistent/x) failed: ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void setMmMapWithReversedArgBoundsIsEinval() throws Exception {
        String[] f = new String(Files.readAllBytes(Path.of("/proc/self/stat")), StandardCharsets.ISO_8859_1)
                .substring(new String(Files.readAllBytes(Path.of("/proc/self/stat")), StandardCharsets.ISO_8859_1)
                        .lastIndexOf(')') + 2).split(" ");
        long[] v = {p(f, 26), p(f, 27), p(f, 45), p(f, 46), p(f, 47), sys.mm().currentBrk(), p(f, 28),
            p(f, 49), p(f, 48), p(f, 50), p(f, 51)};
        NativeCallException e = assertThrows(NativeCallException.class, () -> sys.mm().setMmMap(v, null, -1));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("prctl(PR_SET_MM, PR_SET_MM_MAP)"), e.getMessage());
    }

    private static long p(String[] from3, int field) {
        return Long.parseUnsignedLong(from3[field - 3]);
    }

    @Test
    void memoryRoundTripThroughAnonymousMapping() {
        int page = sys.memory().pageSize();
        long a = sys.memory().mmap(0, page, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            byte[] data = {1, 2, 3, (byte) 0xff, 0};
            sys.memory().writeMemory(a, data);
            assertArrayEquals(data, sys.memory().readMemory(a, data.length));
            long c = sys.memory().mmap(0, page, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
            sys.memory().copyMemory(c, a, page);
            sys.memory().mprotect(c, page, Mman.PROT_READ);
            long moved = sys.memory().mremap(c, page, page, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, a);
            assertEquals(a, moved);
            assertArrayEquals(data, sys.memory().readMemory(a, data.length));
        } finally {
            sys.memory().munmap(a, page);
        }
    }

    @Test
    void readlinkAndStatxOfAFile(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("t\u00e9"), "hello");
        Path link = Files.createSymbolicLink(dir.resolve("l"), target);
        assertArrayEquals(target.toString().getBytes(StandardCharsets.UTF_8), sys.files().readlink(b(link.toString())));
        Statx st = sys.files().statx(b(target.toString()), 0);
        assertEquals(5, st.size());
        assertTrue(st.isRegularFile());
        int fd = sys.files().open(b(target.toString()), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
        try {
            assertTrue(sys.files().fstat(fd).sameFileAs(st));
        } finally {
            sys.files().close(fd);
        }
    }

    @Test
    void writeFileWritesAnExistingFileAndCreatesNone(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("f"), b("old-longer"));
        sys.files().writeFile(b(file.toString()), new byte[] {'n', (byte) 0xfe, 'w'});
        assertArrayEquals(new byte[] {'n', (byte) 0xfe, 'w', '-', 'l', 'o', 'n', 'g', 'e', 'r'}, Files.readAllBytes(file));
        NativeCallException e = assertThrows(NativeCallException.class, () -> sys.files().writeFile(b(dir + "/missing"), b("x")));
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void brkAndUname() {
        assertTrue(sys.mm().currentBrk() > 0);
        assertEquals(System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch"), sys.processes().machine());
        assertTrue(sys.processes().kernelRelease().matches("\\d+\\.\\d+.*"), sys.processes().kernelRelease());
    }

    @Test
    void descriptorRelativeCallsReachTheFilesTheDirectoryDescriptorHolds(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("f"), b("abcdef"));
        Files.createLink(dir.resolve("g"), dir.resolve("f"));
        Files.createSymbolicLink(dir.resolve("l"), Path.of("f"));
        int d = sys.files().openat(Fcntl.AT_FDCWD, b(dir.toString()), Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0);
        try {
            int link = sys.files().openat(d, b("l"), Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
            assertTrue(sys.files().fstat(link).isSymbolicLink(), "O_PATH|O_NOFOLLOW opens the link itself");
            assertArrayEquals(b("f"), sys.files().readlinkat(link, new byte[0]));
            sys.files().close(link);
            NativeCallException loop = assertThrows(NativeCallException.class,
                    () -> sys.files().openat(d, b("l"), Fcntl.O_RDONLY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0));
            assertEquals(Errno.ELOOP, loop.errno(), "O_NOFOLLOW refuses a link as the last component");

            int f = sys.files().openat(d, b("f"), Fcntl.O_RDONLY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
            assertEquals(2, sys.files().fstat(f).nlink());
            assertArrayEquals(b("abc"), sys.files().read(f, 3));
            assertArrayEquals(b("def"), sys.files().read(f, 100), "short at end of file");
            sys.files().close(f);

            int t = sys.files().openat(d, b("t"), Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0600);
            sys.files().fchmod(t, 0640);
            sys.files().write(t, b("new"));
            sys.files().fsync(t);
            sys.files().close(t);
            assertEquals(Errno.EEXIST, assertThrows(NativeCallException.class, () -> sys.files().openat(d, b("t"),
                    Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_CLOEXEC, 0600)).errno());
            assertEquals(Errno.EEXIST, assertThrows(NativeCallException.class, () -> sys.files().linkat(d, b("t"), d, b("g"))).errno());
            sys.files().linkat(d, b("t"), d, b("u"));
            sys.files().renameat(d, b("t"), d, b("g"));
            sys.files().unlinkat(d, b("u"), 0);
            assertArrayEquals(b("new"), Files.readAllBytes(dir.resolve("g")));
            assertEquals(0640, (Integer) Files.getAttribute(dir.resolve("g"), "unix:mode") & 07777);
            assertTrue(!Files.exists(dir.resolve("t")) && !Files.exists(dir.resolve("u")));
        } finally {
            sys.files().close(d);
        }
    }

    @Test
    void largeReadsReturnEveryByteOfTheFileInOrder(@TempDir Path dir) throws Exception {
        // Larger than the scratch buffer a read reuses part by part, and not a multiple of it.
        byte[] content = new byte[3 * 64 * 1024 + 12_345];
        new java.util.Random(7).nextBytes(content);
        Files.write(dir.resolve("f"), content);
        int f = sys.files().openat(Fcntl.AT_FDCWD, b(dir.resolve("f").toString()), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        try {
            assertArrayEquals(java.util.Arrays.copyOf(content, 100_000), sys.files().read(f, 100_000));
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 100_000, content.length), sys.files().read(f, 1 << 20),
                    "the rest, short at end of file");
            assertEquals(0, sys.files().read(f, 1 << 20).length, "nothing at end of file");
            // By position: the range asked for, whatever the descriptor's offset, which stays where it is.
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 5000, 5000 + 70_000), sys.files().pread(f, 70_000, 5000),
                    "larger than one part, from an offset");
            assertArrayEquals(java.util.Arrays.copyOfRange(content, content.length - 10, content.length),
                    sys.files().pread(f, 4096, content.length - 10), "short at end of file");
            assertEquals(0, sys.files().pread(f, 16, content.length + 1).length, "nothing past the end");
            assertEquals(0, sys.files().read(f, 1).length, "the offset is still at the end");
            assertEquals(Errno.EBADF, assertThrows(NativeCallException.class, () -> sys.files().pread(-1, 1, 0)).errno());
        } finally {
            sys.files().close(f);
        }
    }

    @Test
    void fileHoldsComparesAFileWithMemoryByteForByte(@TempDir Path dir) throws Exception {
        byte[] bytes = b("A=1\0B=\u00e9\0");
        long page = sys.memory().mmap(0, 4096, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            sys.memory().writeMemory(page, bytes);
            Path same = Files.write(dir.resolve("same"), bytes);
            Path other = Files.write(dir.resolve("other"), b("A=1\0B=\u00e8\0"));
            Path longer = Files.write(dir.resolve("longer"), b("A=1\0B=\u00e9\0C"));
            byte[] none = new byte[0];
            Path empty = Files.write(dir.resolve("empty"), none);
            assertTrue(sys.memory().fileHolds(b(same.toString()), page, bytes.length), "same bytes");
            assertTrue(!sys.memory().fileHolds(b(other.toString()), page, bytes.length), "one byte differs");
            assertTrue(!sys.memory().fileHolds(b(longer.toString()), page, bytes.length), "one byte more in the file");
            assertTrue(!sys.memory().fileHolds(b(same.toString()), page, bytes.length + 1), "one byte more in memory");
            assertTrue(sys.memory().fileHolds(b(empty.toString()), page, 0), "nothing against nothing");
            assertThrows(NativeCallException.class, () -> sys.memory().fileHolds(b("/nonexistent/x"), page, 1));
        } finally {
            sys.memory().munmap(page, 4096);
        }
    }

    @Test
    void crc32cOfMemoryIsTheJdksCrc32cOfTheSameBytes() {
        byte[] bytes = new byte[3 * 4096 + 17];
        new java.util.Random(1204).nextBytes(bytes);
        long pages = sys.memory().mmap(0, 4 * 4096, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            sys.memory().writeMemory(pages, bytes);
            for (int length : new int[] {0, 1, 7, 4096, bytes.length}) {
                java.util.zip.CRC32C jdk = new java.util.zip.CRC32C();
                jdk.update(bytes, 0, length);
                assertEquals(jdk.getValue(), sys.memory().crc32c(pages, length), "CRC-32C of " + length + " bytes");
            }
            long whole = sys.memory().crc32c(pages, bytes.length);
            sys.memory().writeMemory(pages + 5000, new byte[] {(byte) (bytes[5000] ^ 1)});
            assertTrue(whole != sys.memory().crc32c(pages, bytes.length), "one bit changed in memory changes the CRC");
        } finally {
            sys.memory().munmap(pages, 4 * 4096);
        }
    }
}
