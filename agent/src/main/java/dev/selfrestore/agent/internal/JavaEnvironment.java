package dev.selfrestore.agent.internal;

import java.lang.instrument.Instrumentation;
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
 * unchanged). If that class has not been initialised yet, reading it now initialises it from the C
 * library's {@code environ}, which the restore already points at the restored environment. If it
 * has, its map is refilled the same way the initialiser fills it, from the same native call. No
 * public API can do this; {@code java.lang} is opened to selfrestore's own module (and only to it)
 * through {@link Instrumentation#redefineModule}.
 */
final class JavaEnvironment {
    private JavaEnvironment() {
    }

    /** Returns the number of variables Java now sees. */
    static int reload(Instrumentation inst) throws ReflectiveOperationException {
        Module base = Object.class.getModule();
        Module self = JavaEnvironment.class.getModule();
        if (!base.isOpen("java.lang", self)) {
            inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.lang", Set.of(self)), Set.of(), Map.of());
        }
        Class<?> pe = Class.forName("java.lang.ProcessEnvironment");
        Method environ = pe.getDeclaredMethod("environ");
        environ.setAccessible(true);
        Method variable = Class.forName("java.lang.ProcessEnvironment$Variable").getDeclaredMethod("valueOf", byte[].class);
        variable.setAccessible(true);
        Method value = Class.forName("java.lang.ProcessEnvironment$Value").getDeclaredMethod("valueOf", byte[].class);
        value.setAccessible(true);
        Field field = pe.getDeclaredField("theEnvironment");
        field.setAccessible(true);

        byte[][] pairs = (byte[][]) environ.invoke(null);
        Map<Object, Object> fresh = new HashMap<>();
        // As the initialiser does: back to front, so that an earlier duplicate wins.
        for (int i = pairs.length - 1; i > 0; i -= 2) {
            fresh.put(variable.invoke(null, (Object) pairs[i - 1]), value.invoke(null, (Object) pairs[i]));
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
}
