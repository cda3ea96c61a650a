package dev.selfrestore.agent.build;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * {@link ConstantPoolRenamer} on real class files: {@link UsesLogger}, compiled with this test, names
 * {@code java.util.logging.Logger} in every way a class file can (class constant, field and method
 * descriptors, a generic signature, an array type) next to constants of every other width (long and
 * double take two slots, method handles, invokedynamic). Renamed as the build renames JNA's classes,
 * it must be byte for byte the same class but for those names, and run against the class named
 * instead ({@link FakeLogger}).
 */
class ConstantPoolRenamerTest {

    private static final String LOGGER = "java/util/logging/Logger";
    private static final String FAKE = FakeLogger.class.getName().replace('.', '/');

    /** Stands in for {@code java.util.logging.Logger}: the members {@link UsesLogger} calls, with a mark. */
    public static final class FakeLogger {
        public final String name;

        private FakeLogger(String name) {
            this.name = name;
        }

        public static FakeLogger getLogger(String name) {
            return new FakeLogger("fake " + name);
        }

        public boolean isLoggable(Level level) {
            return true;
        }

        public String getName() {
            return name;
        }
    }

    /** Refers to Logger as a type everywhere, beside constants of every size. Run by {@link #run}. */
    public static final class UsesLogger implements Callable<String> {
        static final long BIG = 0x1234_5678_9abc_def0L;
        static final double RATIO = 0.125;
        static final String TEXT = "java.util.logging.Logger stays text";
        private static final Logger LOG = Logger.getLogger("uses");
        private final List<Logger> loggers = new ArrayList<>();
        private final Logger[] array = {LOG};

        @Override
        public String call() {
            loggers.add(LOG);
            Supplier<String> name = LOG::getName; // a method handle and invokedynamic
            long big = BIG + System.nanoTime() * 0; // ldc2_w of a long
            double ratio = RATIO * (array.length + loggers.size());
            return name.get() + " " + LOG.isLoggable(Level.FINE) + " " + Long.toHexString(big) + " " + ratio
                    + " " + LOG.getClass().getSimpleName() + " " + TEXT;
        }
    }

    private static byte[] classFile(Class<?> c) throws IOException {
        String resource = c.getName().substring(c.getPackageName().length() + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    private static byte[] renamed() throws IOException {
        return new ConstantPoolRenamer(LOGGER, FAKE).rename(classFile(UsesLogger.class));
    }

    @Test
    void theRenamedClassRunsAgainstTheClassNamedInstead() throws Exception {
        assertEquals("uses false 123456789abcdef0 0.25 Logger java.util.logging.Logger stays text",
                new UsesLogger().call(), "the class as compiled (test set-up)");

        Class<?> renamed = new DefiningLoader(UsesLogger.class.getName(), renamed()).loadClass(UsesLogger.class.getName());
        assertNotSame(UsesLogger.class, renamed);
        Object instance = renamed.getDeclaredConstructor().newInstance();
        assertEquals("fake uses true 123456789abcdef0 0.25 FakeLogger java.util.logging.Logger stays text",
                ((Callable<?>) instance).call());
        assertEquals(FakeLogger.class, renamed.getDeclaredField("LOG").getType());
        assertEquals(FakeLogger[].class, renamed.getDeclaredField("array").getType());
        assertEquals("java.util.List<" + FakeLogger.class.getName() + ">",
                renamed.getDeclaredField("loggers").getGenericType().getTypeName());
    }

    @Test
    void onlyTheNamesChangeAndNothingAfterTheConstantPool() throws Exception {
        byte[] before = classFile(UsesLogger.class);
        byte[] after = renamed();
        ConstantPool in = ConstantPool.of(before);
        ConstantPool out = ConstantPool.of(after);

        assertArrayEquals(Arrays.copyOfRange(before, 0, 10), Arrays.copyOfRange(after, 0, 10),
                "magic, version and constant pool count");
        assertEquals(in.entries.size(), out.entries.size(), "no constant added or removed, none moved");
        int renamedCount = 0;
        for (int i = 0; i < in.entries.size(); i++) {
            Entry was = in.entries.get(i);
            Entry is = out.entries.get(i);
            assertEquals(was.tag, is.tag, "tag of constant " + i);
            if (was.tag == 1) {
                String expected = was.utf8().equals(LOGGER) ? FAKE : was.utf8().replace("L" + LOGGER + ";", "L" + FAKE + ";");
                assertEquals(expected, is.utf8(), "Utf8 constant " + i);
                renamedCount += expected.equals(was.utf8()) ? 0 : 1;
            } else {
                assertArrayEquals(was.bytes, is.bytes, "constant " + i + " (tag " + was.tag + ")");
            }
        }
        assertTrue(in.utf8s().contains(LOGGER) && in.utf8s().contains("(Ljava/lang/String;)L" + LOGGER + ";")
                && in.utf8s().contains("[L" + LOGGER + ";") && in.utf8s().contains("Ljava/util/List<L" + LOGGER + ";>;"),
                () -> "the class names Logger every way (test set-up): " + in.utf8s());
        assertTrue(in.tags().containsAll(List.of(5, 6, 15, 18)), () -> "long, double, method handle, invokedynamic (test set-up): " + in.tags());
        assertTrue(renamedCount >= 4, "renamed Utf8 constants: " + renamedCount);
        assertTrue(out.utf8s().stream().noneMatch(s -> s.equals(LOGGER) || s.contains("L" + LOGGER + ";")),
                () -> "Logger left after renaming: " + out.utf8s());
        assertTrue(out.utf8s().contains("java.util.logging.Logger stays text"), "a string that only spells the name in dots");
        assertTrue(out.utf8s().contains("java/util/logging/Level"), "another class of the same package");

        assertArrayEquals(Arrays.copyOfRange(before, in.end, before.length), Arrays.copyOfRange(after, out.end, after.length),
                "everything after the constant pool");
    }

    @Test
    void aClassThatDoesNotNameItIsReturnedAsItIs() throws Exception {
        byte[] fake = classFile(FakeLogger.class);
        assertSame(fake, new ConstantPoolRenamer(LOGGER, FAKE).rename(fake));
    }

    @Test
    void aNameThatIsOnlyThePrefixOfAnotherRenamesNothing() throws Exception {
        byte[] before = classFile(UsesLogger.class);
        // "java/util/logging/Log" stands inside "java/util/logging/Logger" but is no constant of its own
        byte[] after = new ConstantPoolRenamer("java/util/logging/Log", "x/Y").rename(before);
        assertArrayEquals(before, after);
    }

    @Test
    void malformedInputIsRefusedSayingWhy() throws Exception {
        ConstantPoolRenamer renamer = new ConstantPoolRenamer(LOGGER, FAKE);
        byte[] good = classFile(UsesLogger.class);
        int firstEntry = 10;

        byte[] notAClass = good.clone();
        notAClass[0] = 0;
        byte[] truncated = Arrays.copyOf(good, ConstantPool.of(good).end - 1);
        byte[] unknownTag = good.clone();
        unknownTag[firstEntry] = 2; // no constant pool tag 2 exists
        byte[] tooShort = ("L" + LOGGER + ";").getBytes(UTF_8);

        assertAll(
                () -> assertEquals("not a class file",
                        assertThrows(IllegalArgumentException.class, () -> renamer.rename(notAClass)).getMessage()),
                () -> assertEquals("not a class file",
                        assertThrows(IllegalArgumentException.class, () -> renamer.rename(tooShort)).getMessage()),
                () -> assertEquals("class file ends inside its constant pool",
                        assertThrows(IllegalArgumentException.class, () -> renamer.rename(truncated)).getMessage()),
                () -> assertEquals("constant pool tag 2",
                        assertThrows(IllegalArgumentException.class, () -> renamer.rename(unknownTag)).getMessage()));
    }

    /** Defines one class from the given bytes and leaves every other to the test's own loader. */
    private static final class DefiningLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        DefiningLoader(String name, byte[] bytes) {
            super(ConstantPoolRenamerTest.class.getClassLoader());
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(n)) {
                if (n.equals(name)) {
                    Class<?> c = findLoadedClass(n);
                    return c != null ? c : defineClass(n, bytes, 0, bytes.length);
                }
                return super.loadClass(n, resolve);
            }
        }
    }

    /** One constant: its tag and its bytes after the tag. */
    private record Entry(int tag, byte[] bytes) {
        String utf8() {
            return new String(bytes, 2, bytes.length - 2, UTF_8);
        }
    }

    /** The constant pool of a class file, read independently of the class under test. */
    private static final class ConstantPool {
        final List<Entry> entries = new ArrayList<>();
        int end;

        static ConstantPool of(byte[] b) {
            ConstantPool pool = new ConstantPool();
            int count = (b[8] & 0xff) << 8 | (b[9] & 0xff);
            int p = 10;
            for (int i = 1; i < count; i++) {
                int tag = b[p] & 0xff;
                int size = switch (tag) {
                    case 1 -> 2 + ((b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff));
                    case 7, 8, 16, 19, 20 -> 2;
                    case 15 -> 3;
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> 4;
                    case 5, 6 -> 8;
                    default -> throw new AssertionError("tag " + tag);
                };
                pool.entries.add(new Entry(tag, Arrays.copyOfRange(b, p + 1, p + 1 + size)));
                p += 1 + size;
                if (tag == 5 || tag == 6) {
                    i++;
                }
            }
            pool.end = p;
            return pool;
        }

        List<String> utf8s() {
            return entries.stream().filter(e -> e.tag == 1).map(Entry::utf8).toList();
        }

        List<Integer> tags() {
            return entries.stream().map(Entry::tag).distinct().toList();
        }
    }
}
