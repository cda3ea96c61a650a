package dev.selfrestore.runtime.codec;

import dev.selfrestore.runtime.MmDescriptor;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import net.openhft.chronicle.bytes.Bytes;

/**
 * Run in a fresh JVM by {@link ChronicleStartupTest}: uses the codec (or, with argument {@code raw},
 * Chronicle Bytes directly) and reports on stdout what changed in the JVM. Needs
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED} to count shutdown hooks.
 */
public final class StartupProbe {
    private StartupProbe() {
    }

    /** Named by -Djava.util.logging.manager: says so if anything initialises JUL's LogManager. */
    public static final class ProbeLogManager extends java.util.logging.LogManager {
        public ProbeLogManager() {
            System.out.println("JUL LogManager initialised");
            new Throwable("from").printStackTrace(System.out);
        }
    }

    /** Named by -Djavax.management.builder.initial: says so if anything creates an MBeanServer. */
    public static final class ProbeMBeanServerBuilder extends javax.management.MBeanServerBuilder {
        public ProbeMBeanServerBuilder() {
            System.out.println("MBeanServer created");
            new Throwable("from").printStackTrace(System.out);
        }
    }

    public static void main(String[] args) throws Exception {
        boolean raw = args.length > 0 && args[0].equals("raw");
        Properties before = (Properties) System.getProperties().clone();
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        Set<Object> hooksBefore = shutdownHooks();

        if (raw) {
            Bytes<byte[]> b = Bytes.wrapForWrite(new byte[16]);
            b.writeStopBit(1);
            b.releaseLast();
        } else {
            MmDescriptor d = CodecFixtures.realistic();
            if (!DescriptorCodec.decode(DescriptorCodec.encode(d), "<bytes>").equals(d)) {
                throw new AssertionError("round trip");
            }
        }
        Thread.sleep(100); // a thread started lazily would be running by now

        List<String> threads = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!threadsBefore.contains(t)) {
                threads.add(t.getName());
            }
        }
        System.out.println("new threads: " + threads);

        Properties after = System.getProperties();
        Set<String> changed = new TreeSet<>();
        Set<String> keys = new HashSet<>(before.stringPropertyNames());
        keys.addAll(after.stringPropertyNames());
        for (String k : keys) {
            if (!Objects.equals(before.getProperty(k), after.getProperty(k))) {
                changed.add(k + "=" + after.getProperty(k));
            }
        }
        System.out.println("changed properties: " + changed);

        Set<Object> hooksAfter = shutdownHooks();
        hooksAfter.removeAll(hooksBefore);
        System.out.println("new shutdown hooks: " + hooksAfter.size());

        String posix;
        try {
            Class.forName("net.openhft.posix.PosixAPI", false, StartupProbe.class.getClassLoader());
            posix = "present";
        } catch (ClassNotFoundException e) {
            posix = "absent";
        }
        System.out.println("net.openhft:posix: " + posix);
    }

    private static Set<Object> shutdownHooks() throws ReflectiveOperationException {
        Class<?> c = Class.forName("java.lang.ApplicationShutdownHooks");
        Field f = c.getDeclaredField("hooks");
        f.setAccessible(true);
        synchronized (c) {
            Map<?, ?> hooks = (Map<?, ?>) f.get(null);
            Set<Object> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            out.addAll(hooks.keySet());
            return out;
        }
    }
}
