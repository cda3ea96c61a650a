package dev.selfrestore.runtime.codec;

import java.util.LinkedHashMap;
import java.util.Map;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.shutdown.PriorityHook;

/**
 * Initialises Chronicle Bytes/Core once, with the side effects an agent's premain must not have
 * switched off, and leaves every system property as it found it.
 *
 * <p>Any {@code BytesStore} is an {@code AbstractReferenceCounted}, whose static initialiser reads a
 * property through {@code net.openhft.chronicle.core.Jvm}: the first {@code Bytes.wrapForRead} or
 * {@code wrapForWrite} runs {@code Jvm.<clinit>}. What that does, and what this class does about it
 * (see package-info.java for the whole account):
 * <ul>
 * <li>{@code Jvm} merges a {@code system.properties} file into the system properties (putIfAbsent):
 *     the file named by {@code -Dsystem.properties}, else {@code ./system.properties}, else
 *     {@code ../system.properties}, else a {@code system.properties} resource on the class path.
 *     Pointing {@code system.properties} at {@code /dev/null} for the duration makes it merge an empty
 *     set.</li>
 * <li>{@code BackgroundResourceReleaser} starts the daemon thread {@code background~resource~releaser}
 *     and registers a JVM shutdown hook ({@code PriorityHook}). {@code background.releaser=false}
 *     releases on the caller's thread instead, so no thread starts; the hook, which would only
 *     release what that thread queued, is removed with {@link PriorityHook#clear()} when this
 *     initialisation is what registered it.</li>
 * <li>{@code Jvm} runs the classes named by {@code chronicle.init.runnable} and
 *     {@code chronicle.postinit.runnable}: meant for the application's Chronicle, not ours (and
 *     printing a stack trace to stderr when our class loader cannot see them). Cleared for the
 *     duration.</li>
 * <li>{@code Jvm} calls SLF4J's {@code LoggerFactory}; with no provider (we ship none) SLF4J prints a
 *     three-line "No SLF4J providers" warning to stderr. {@code slf4j.internal.verbosity=ERROR} for
 *     the duration silences SLF4J's own warnings, and {@code slf4j.provider} is cleared so that a
 *     provider chosen for the application is not looked for here (that failure would be an ERROR,
 *     which SLF4J always prints).</li>
 * </ul>
 * The overrides are set, Chronicle is initialised by one small read and write through {@code Bytes}
 * (so every class the codec uses has run its static initialiser under them), and each property is
 * put back exactly: restored to its old value, or removed if it had none.
 *
 * <p>System properties are global: while this runs, another thread reading
 * these six properties would see the overrides. In premain no application thread runs yet.
 */
final class ChronicleStartup {
    private ChronicleStartup() {
    }

    /** Each property and the value it holds while Chronicle initialises; null means absent. */
    private static final String[][] OVERRIDES = {
        {"system.properties", "/dev/null"},
        {"background.releaser", "false"},
        {"chronicle.init.runnable", null},
        {"chronicle.postinit.runnable", null},
        {"slf4j.internal.verbosity", "ERROR"},
        {"slf4j.provider", null},
    };

    private static final Object LOCK = new Object();
    private static volatile boolean initialised;

    /** Initialises Chronicle on first call; later calls return at once. */
    static void ensureInitialised() {
        if (initialised) {
            return;
        }
        synchronized (LOCK) {
            if (!initialised) {
                initialise();
                initialised = true;
            }
        }
    }

    private static void initialise() {
        Map<String, String> saved = new LinkedHashMap<>();
        // PriorityHook's own initialiser does nothing but set a null field: reading it first is free.
        boolean hookRegisteredBefore = PriorityHook.getRegisteredHook() != null;
        try {
            for (String[] o : OVERRIDES) {
                saved.put(o[0], System.getProperty(o[0]));
                set(o[0], o[1]);
            }
            Bytes<byte[]> b = Bytes.wrapForWrite(new byte[32]);
            try {
                b.writeStopBit(300).writeLong(1).writeInt(2).writeUnsignedShort(3).writeByte((byte) 4);
                b.write(new byte[1]);
                b.readStopBit();
                b.readLong();
                b.readInt();
                b.readUnsignedShort();
                b.readUnsignedByte();
                b.read(new byte[1]);
            } finally {
                b.releaseLast();
            }
        } finally {
            for (Map.Entry<String, String> e : saved.entrySet()) {
                set(e.getKey(), e.getValue());
            }
        }
        if (!hookRegisteredBefore) {
            PriorityHook.clear();
        }
    }

    private static void set(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
