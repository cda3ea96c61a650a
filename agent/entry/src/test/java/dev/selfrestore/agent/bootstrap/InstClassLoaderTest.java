package dev.selfrestore.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class InstClassLoaderTest {
    private static final byte[] CLASS = {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 0, 61, 1, 2, 3};

    @Test
    void anEntryIsReadWholeIntoAnArrayOfTheSizeTheJarGives() throws IOException {
        assertArrayEquals(CLASS, InstClassLoader.readEntry(new ByteArrayInputStream(CLASS), CLASS.length));
        assertArrayEquals(new byte[0], InstClassLoader.readEntry(new ByteArrayInputStream(new byte[0]), 0));
        assertArrayEquals(CLASS, InstClassLoader.readEntry(new ByteArrayInputStream(CLASS), -1), "a size the jar does not give");
    }

    @Test
    void anEntryShorterOrLongerThanTheJarSaysIsAnError() {
        assertThrows(IOException.class, () -> InstClassLoader.readEntry(new ByteArrayInputStream(CLASS), CLASS.length + 1));
        assertThrows(IOException.class, () -> InstClassLoader.readEntry(new ByteArrayInputStream(CLASS), CLASS.length - 1));
    }
}
