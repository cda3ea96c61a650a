package dev.selfrestore.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.agent.cli.Main;
import dev.selfrestore.agent.internal.AgentEntry;
import dev.selfrestore.agent.internal.NativeAccess;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Each name the entry module reaches the implementation by ({@link ImplementationNames}) is the
 * class the bootstrap expects, with the member and the type it calls: what the compiler cannot
 * check across the class loaders. The expected classes are named here as class literals, so that
 * a rename or a move of one of them breaks this test rather than the agent's start.
 */
class ImplementationNamesTest {

    private static Class<?> named(String name) throws ClassNotFoundException {
        return Class.forName(name, false, ImplementationNamesTest.class.getClassLoader());
    }

    /** The type arguments with which {@code c} implements {@code type}. */
    private static List<Type> typeArguments(Class<?> c, Class<?> type) {
        return Arrays.stream(c.getGenericInterfaces()).filter(t -> t instanceof ParameterizedType)
                .map(t -> (ParameterizedType) t).filter(t -> t.getRawType() == type).findFirst()
                .map(t -> List.of(t.getActualTypeArguments())).orElseThrow(() -> new AssertionError(c + " is no " + type));
    }

    private static void entry(String name, Class<?> expected) throws Exception {
        Class<?> c = named(name);
        assertEquals(expected, c);
        assertEquals(List.of(String.class, Instrumentation.class), typeArguments(c, BiConsumer.class));
        assertTrue(Modifier.isPublic(c.getConstructor().getModifiers()), "made by newInstance");
    }

    @Test
    void theAgentsEntriesAreConsumersOfTheOptionsAndTheInstrumentation() throws Exception {
        entry(ImplementationNames.PREMAIN, AgentEntry.Premain.class);
        entry(ImplementationNames.ATTACHED, AgentEntry.Attached.class);
    }

    @Test
    void theCommandLineHasAMain() throws Exception {
        Class<?> c = named(ImplementationNames.CLI_MAIN);
        assertEquals(Main.class, c);
        Method main = c.getMethod("main", String[].class);
        assertTrue(Modifier.isStatic(main.getModifiers()));
        assertEquals(void.class, main.getReturnType());
    }

    @Test
    void nativeAccessGrantsItToItsOwnModuleAndDefinesTheNativeModule() throws Exception {
        Class<?> c = named(ImplementationNames.NATIVE_ACCESS);
        assertEquals(NativeAccess.class, c);
        Method enable = c.getMethod(ImplementationNames.ENABLE_FOR_OWN_MODULE);
        assertTrue(Modifier.isStatic(enable.getModifiers()), "invoked with no receiver");

        Class<?> define = named(ImplementationNames.DEFINE_MODULE);
        assertEquals(NativeAccess.DefineModule.class, define);
        assertEquals(List.of(java.lang.module.ModuleDescriptor.class, java.net.URI.class, Module.class),
                typeArguments(define, BiFunction.class));
        assertTrue(Modifier.isPublic(define.getConstructor().getModifiers()), "made by newInstance");
    }
}
