package dev.selfrestore.agent.internal;

import java.lang.reflect.Method;

/**
 * Grants native access to selfrestore's own module, the way {@code --enable-native-access} grants
 * it to a named module: JNA, inside this module, then loads its library and binds its native
 * methods without the JDK 24+ warning. Called by the bootstrap once {@code java.lang} has been
 * opened to this module (and only to it) through {@code Instrumentation.redefineModule}.
 */
public final class NativeAccess {
    private NativeAccess() {
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
