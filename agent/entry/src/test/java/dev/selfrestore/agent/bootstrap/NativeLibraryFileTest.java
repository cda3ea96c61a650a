package dev.selfrestore.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryFileTest {
    private static final String ENTRY = "inst/com/sun/jna/linux-x86-64/libjnidispatch.so";

    @TempDir
    Path tmp;

    private JarFile jarWith(byte[] library) throws Exception {
        Path jar = tmp.resolve("agent.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            j.putNextEntry(new JarEntry(ENTRY));
            j.write(library);
            j.closeEntry();
        }
        return new JarFile(jar.toFile());
    }

    @Test
    void unpacksOnceIntoAPrivateDirectoryAndServesTheFile() throws Exception {
        byte[] library = "not really ELF, but bytes to keep".getBytes();
        Path cache = tmp.resolve("cache");
        try (JarFile jar = jarWith(library)) {
            URL first = NativeLibraryFile.cached(jar, ENTRY, cache);
            assertNotNull(first);
            assertEquals("file", first.getProtocol());
            Path file = Path.of(first.toURI());
            assertArrayEquals(library, Files.readAllBytes(file));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
            assertEquals("rwx------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(cache.resolve("selfrestore"))));
            long written = Files.getLastModifiedTime(file).toMillis();
            assertEquals(first, NativeLibraryFile.cached(jar, ENTRY, cache));
            assertEquals(written, Files.getLastModifiedTime(file).toMillis());
        }
    }

    @Test
    void aChangedFileIsNotServed() throws Exception {
        byte[] library = "the library as built".getBytes();
        Path cache = tmp.resolve("cache");
        try (JarFile jar = jarWith(library)) {
            Path file = Path.of(NativeLibraryFile.cached(jar, ENTRY, cache).toURI());
            Files.write(file, "the library, altered".getBytes());
            assertNull(NativeLibraryFile.cached(jar, ENTRY, cache));
        }
    }

    @Test
    void aDirectoryOthersMayWriteIsNotUsed() throws Exception {
        Path cache = tmp.resolve("cache");
        try (JarFile jar = jarWith("bytes".getBytes())) {
            Path file = Path.of(NativeLibraryFile.cached(jar, ENTRY, cache).toURI());
            Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
            assertNull(NativeLibraryFile.cached(jar, ENTRY, cache));
        }
    }

    @Test
    void noCacheRootMeansTheJarEntryIsServed() throws Exception {
        try (JarFile jar = jarWith("bytes".getBytes())) {
            assertNull(NativeLibraryFile.cached(jar, ENTRY, null));
            assertNull(NativeLibraryFile.cached(jar, "inst/absent.so", tmp.resolve("cache")));
        }
    }

    @Test
    void theCacheRootComesFromTheStartEnvironmentWithoutSystemGetenv() {
        byte[] environ = "XDG_CACHE_HOMEX=/no\0A=1\0XDG_CACHE_HOME=/var/cache/x\0XDG_CACHE_HOME=/second\0".getBytes();
        assertEquals("/var/cache/x", NativeLibraryFile.variable(environ, "XDG_CACHE_HOME"));
        assertEquals("1", NativeLibraryFile.variable(environ, "A"));
        assertEquals("", NativeLibraryFile.variable("E=\0".getBytes(), "E"));
        assertNull(NativeLibraryFile.variable(environ, "B"));
        assertNull(NativeLibraryFile.variable("XDG_CACHE_HOME".getBytes(), "XDG_CACHE_HOME"));
        assertEquals(System.getenv("PATH"), NativeLibraryFile.startVariable("PATH"));
    }
}
