package dev.selfrestore.agent.internal;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Makes Java's view of the environment ({@code System.getenv()}, and the environment
 * {@code ProcessBuilder} gives a child) the restored one.
 *
 * <p>The JDK caches the C environment once, in {@code java.lang.ProcessEnvironment}'s static
 * initialiser, as raw bytes ({@code Variable}/{@code Value} keep the bytes, so children get them
 * unchanged). If that class has not been loaded yet, nothing is done: its initialiser will read
 * the C library's {@code environ}, which the restore already points at the restored environment,
 * when the application first asks (the JDK's own cost of an environment, paid where any JVM pays
 * it). If it has, its map is refilled the same way the initialiser fills it, from the same native
 * call. No public API can do that; {@code java.lang} is opened to selfrestore's own module (and
 * only to it) through {@link Instrumentation#redefineModule}.
 */
final class JavaEnvironment {
    private JavaEnvironment() {
    }

    /**
     * Returns the number of variables Java now sees, or -1 when Java has not read the environment
     * yet (it will read the restored one). {@code mayDefer} false (an attach, where application
     * threads run, one of them perhaps in the initialiser) refills whatever the class's state: the
     * refill initialises the class first, or waits for the thread that does.
     */
    static int reload(Instrumentation inst, boolean mayDefer) throws ReflectiveOperationException {
        Module base = Object.class.getModule();
        Module self = JavaEnvironment.class.getModule();
        if (mayDefer && !loaded(inst, PROCESS_ENVIRONMENT)) {
            return -1; // not initialised either: its initialiser will read the restored environ
        }
        if (!base.isOpen("java.lang", self)) {
            inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.lang", Set.of(self)), Set.of(), Map.of());
        }
        Class<?> pe = Class.forName(PROCESS_ENVIRONMENT, false, null);
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(pe, MethodHandles.lookup());
        Method environ = pe.getDeclaredMethod("environ");
        environ.setAccessible(true);
        MethodHandle variable = valueOf(lookup, "java.lang.ProcessEnvironment$Variable");
        MethodHandle value = valueOf(lookup, "java.lang.ProcessEnvironment$Value");
        Field field = pe.getDeclaredField("theEnvironment");
        field.setAccessible(true);

        byte[][] pairs = (byte[][]) environ.invoke(null);
        Map<Object, Object> fresh = new HashMap<>(pairs.length); // room for pairs.length / 2 entries, no resizing
        try {
            // As the initialiser does: back to front, so that an earlier duplicate wins.
            for (int i = pairs.length - 1; i > 0; i -= 2) {
                fresh.put((Object) variable.invokeExact(pairs[i - 1]), (Object) value.invokeExact(pairs[i]));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) { // valueOf(byte[]) throws nothing checked
            throw new IllegalStateException(t);
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> cached = (Map<Object, Object>) field.get(null);
        if (!cached.equals(fresh)) {
            // theUnmodifiableEnvironment (System.getenv) is a view of this map: it follows.
            cached.clear();
            cached.putAll(fresh);
        }
        return cached.size();
    }

    /** {@code static X valueOf(byte[])} of a nested class of ProcessEnvironment, as {@code (byte[])Object}. */
    private static MethodHandle valueOf(MethodHandles.Lookup lookup, String name) throws ReflectiveOperationException {
        Class<?> c = Class.forName(name, false, null);
        return lookup.findStatic(c, "valueOf", MethodType.methodType(c, byte[].class))
                .asType(MethodType.methodType(Object.class, byte[].class));
    }

    private static final String PROCESS_ENVIRONMENT = "java.lang.ProcessEnvironment";

    /**
     * Whether the boot loader has loaded {@code name}. A class not loaded has not been initialised;
     * one loaded perhaps not yet, and is then refilled anyway, which is right either way. Asked of
     * the JVM's list of loaded classes, which loads nothing, where asking the JDK whether the class
     * is initialised needs its internals and method handles that spin classes in a cold JVM.
     */
    private static boolean loaded(Instrumentation inst, String name) {
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getClassLoader() == null && c.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
