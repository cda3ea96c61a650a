package dev.selfrestore.agent.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.function.BiFunction;

/**
 * Grants native access to selfrestore's own module, the way {@code --enable-native-access} grants
 * it to a named module: JNA, inside this module, then loads its library and binds its native
 * methods without the JDK 24+ warning. Called by the bootstrap once {@code java.lang} has been
 * opened to this module (and only to it) through {@code Instrumentation.redefineModule}.
 */
public final class NativeAccess {
    private NativeAccess() {
    }

    /**
     * Defines {@code descriptor} as a named module of this class's loader outside any layer, as the
     * JDK's own {@code Modules.defineModule} does, grants it native access and returns it (the caller
     * adds what it reads through {@code Instrumentation.redefineModule}). Needs {@code java.lang}
     * opened to this class's module; the module's packages must not yet hold a class.
     *
     * <p>Through method handles called exactly rather than core reflection: on JDK 22+ each
     * reflective call of a new signature spins classes through the JDK's class-file
     * generator in a cold JVM (bench/README.md, "Peak RSS").
     */
    public static final class DefineModule implements BiFunction<ModuleDescriptor, URI, Module> {
        public DefineModule() {
        }

        @Override
        public Module apply(ModuleDescriptor descriptor, URI uri) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Module.class, MethodHandles.lookup());
                MethodHandle define = lookup.findConstructor(Module.class, MethodType.methodType(void.class,
                        ModuleLayer.class, ClassLoader.class, ModuleDescriptor.class, URI.class));
                MethodHandle nativeAccess = lookup.findVirtual(Module.class, "implAddEnableNativeAccess",
                        MethodType.methodType(Module.class));
                Module module = (Module) define.invokeExact((ModuleLayer) null, NativeAccess.class.getClassLoader(),
                        descriptor, uri);
                return (Module) nativeAccess.invokeExact(module);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    public static void enableForOwnModule() throws ReflectiveOperationException {
        Method m;
        try {
            m = Module.class.getDeclaredMethod("implAddEnableNativeAccess");
        } catch (NoSuchMethodException e) {
            return; // a JDK that does not restrict native access
        }
        m.setAccessible(true);
        m.invoke(NativeAccess.class.getModule());
    }
}
