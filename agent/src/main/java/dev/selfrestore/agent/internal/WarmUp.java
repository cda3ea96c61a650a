package dev.selfrestore.agent.internal;

import dev.selfrestore.runtime.NulStrings;
import dev.selfrestore.runtime.restore.Restorer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Code of the restore run once ahead, for nothing, by whichever thread of the agent would otherwise
 * wait: a cold JVM spends most of a restore loading, linking and first running code. The reading
 * thread cannot open the descriptor before premain's thread has bound libc (JNA's initialisation,
 * the longest step of that thread; bench/README.md, "JNA binding"), so meanwhile it warms the
 * reading path and the scan of the strings;
 * premain's thread, once libc is bound, warms the restore's classes while the file is read. None
 * of it is visible to the application: classes of selfrestore's own loader and JDK classes the
 * restore loads anyway.
 */
final class WarmUp {
    private WarmUp() {
    }

    private static final byte[] ENVIRONMENT = "PATH=/usr/bin:/bin\0HOME=/root\0LANG=C.UTF-8\0A=1\0"
            .getBytes(StandardCharsets.ISO_8859_1);

    /** Loads and initialises the restore's classes ({@link Restorer#classes}). */
    static void restore() {
        List<Class<?>> classes = new ArrayList<>(Restorer.classes());
        classes.add(JavaEnvironment.class);
        classes(classes);
    }

    /**
     * Runs the scan of a command line's or environment's strings ({@link NulStrings}) until the JIT
     * compiles it: interpreted, a megabyte of environment is a slow loop
     * (bench/README.md, "Environment size").
     */
    static void strings() {
        for (int i = 0; i < 250; i++) {
            NulStrings.of(ENVIRONMENT);
        }
    }

    /** Loads and initialises each class (each is already loaded: a class literal names it). */
    static void classes(List<Class<?>> classes) {
        for (Class<?> c : classes) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("cannot initialise " + c + ", which is loaded", e);
            }
        }
    }
}
