package dev.selfrestore.agent.internal;

import dev.selfrestore.nativeshim.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * The agent option {@code test-faults=SPEC}: the {@link Syscalls.Decorator} a testing build of the
 * jar registers, looked up only when the option is given. The product jar registers none, and
 * then the option is refused in one line. The command line asks the same decorator, when the jar
 * registers one, for its calls ({@link #forCommandLine}); the product reads nothing for it.
 *
 * <p>The registration is a service entry, {@value #ENTRY}, naming the class; it is read here
 * rather than by {@link java.util.ServiceLoader}, which skips such entries when their class is in
 * a named module and declares nothing: which packages of the jar form a named module is
 * {@code IsolatedImplementation}'s choice, and differs by JDK and between the agent and the command
 * line. Reading the entry through the class loader that loaded this class works wherever the
 * classes land, and on a plain class path (the unit tests).
 */
public final class TestFaults {
    static final String ENTRY = "META-INF/services/dev.selfrestore.nativeshim.Syscalls$Decorator";

    private TestFaults() {
    }

    /**
     * Checks {@code spec} with the registered decorator.
     *
     * @throws IllegalArgumentException when this jar has none, or naming what is wrong with the spec
     */
    static void check(String spec) {
        decorator(TestFaults.class.getClassLoader()).check(spec);
    }

    /** {@code real} with the faults of a spec {@link #check} accepted. */
    static Syscalls apply(Syscalls real, String spec) {
        return decorator(TestFaults.class.getClassLoader()).decorate(real, spec);
    }

    /**
     * The calls the command line is to make: {@code real} itself unless this jar registers a
     * decorator, and then what {@link Syscalls.Decorator#forCommandLine} makes of it.
     *
     * @throws IllegalArgumentException naming what is wrong with the decorator or its spec
     */
    public static Syscalls forCommandLine(Syscalls real) {
        ClassLoader loader = TestFaults.class.getClassLoader();
        return loader.getResource(ENTRY) == null ? real : decorator(loader).forCommandLine(real);
    }

    /** The decorator {@code loader}'s service entry names; IllegalArgumentException when there is none. */
    static Syscalls.Decorator decorator(ClassLoader loader) {
        URL entry = loader.getResource(ENTRY);
        if (entry == null) {
            throw new IllegalArgumentException("test faults are unavailable in this jar (only the testing jar the "
                    + "integration tests build has them)");
        }
        String name;
        try (InputStream in = entry.openStream()) {
            name = firstClassName(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + ENTRY + ": " + e, e);
        }
        try {
            return Class.forName(name, true, loader).asSubclass(Syscalls.Decorator.class)
                    .getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new IllegalArgumentException(ENTRY + " names " + name + ", not a Syscalls.Decorator this jar can make: "
                    + e, e);
        }
    }

    /** The first class name of a service entry: lines, {@code #} comments, blanks ignored. */
    private static String firstClassName(String text) {
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            String name = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (!name.isEmpty()) {
                return name;
            }
        }
        throw new IllegalArgumentException(ENTRY + " names no class");
    }
}
