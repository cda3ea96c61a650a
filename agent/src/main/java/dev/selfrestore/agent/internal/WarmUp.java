package dev.selfrestore.agent.internal;

import dev.selfrestore.runtime.NulStrings;
import dev.selfrestore.runtime.restore.Restorer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the reading thread does before it can read: premain's thread is binding libc (JNA's
 * initialisation, tens of milliseconds in a cold JVM), and the file is opened and checked through
 * libc, so until then the reading thread loads and first runs the code that it and the restore
 * will go through. None of it needs libc, and none of it is visible to the application: classes
 * of selfrestore's own loader and JDK classes the restore would load anyway.
 */
final class WarmUp {
    private WarmUp() {
    }

    private static final byte[] ENVIRONMENT = "PATH=/usr/bin:/bin\0HOME=/root\0LANG=C.UTF-8\0A=1\0"
            .getBytes(StandardCharsets.ISO_8859_1);

    /**
     * Loads and initialises the restore's classes ({@link Restorer#classes}) and runs the scan of
     * the environment's strings until the JIT compiles it: a megabyte of environment costs
     * milliseconds interpreted, a fraction of one compiled.
     */
    static void restore() {
        List<Class<?>> classes = new ArrayList<>(Restorer.classes());
        classes.add(JavaEnvironment.class);
        classes(classes);
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
