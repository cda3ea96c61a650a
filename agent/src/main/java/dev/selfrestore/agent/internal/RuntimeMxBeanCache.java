package dev.selfrestore.agent.internal;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;

/**
 * RuntimeMXBean's list of input arguments: {@code sun.management.VMManagementImpl} reads the
 * JVM's once and keeps it ({@code vmArgs}). When that class is not loaded (as in premain, unless
 * another agent asked) the list is read later, from the JVM arguments as restored. When it is,
 * the kept list is emptied so that it is read again: that needs {@code sun.management} of
 * {@code java.management} opened to this agent's module, and only to it.
 */
final class RuntimeMxBeanCache {
    private RuntimeMxBeanCache() {
    }

    enum State {
        /** Nothing was read yet: the restored arguments are what will be read. */
        NOT_READ,
        /** Something had read it: the list was emptied, to be read again. */
        EMPTIED,
        /** Something had read it and the list could not be emptied. */
        KEPT
    }

    private static final String HELPER = "sun.management.ManagementFactoryHelper";

    static State reset(Instrumentation inst) {
        Class<?> helper = null;
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getClassLoader() == null && c.getName().equals(HELPER)) {
                helper = c;
                break;
            }
        }
        if (helper == null) {
            return State.NOT_READ;
        }
        try {
            Module self = RuntimeMxBeanCache.class.getModule();
            inst.redefineModule(helper.getModule(), Set.of(), Map.of(), Map.of("sun.management", Set.of(self)), Set.of(),
                    Map.of());
            Field jvm = helper.getDeclaredField("jvm");
            jvm.setAccessible(true);
            Object management = jvm.get(null);
            if (management == null) {
                return State.NOT_READ;
            }
            Field vmArgs = management.getClass().getDeclaredField("vmArgs");
            vmArgs.setAccessible(true);
            synchronized (management) { // VMManagementImpl.getVmArguments is synchronized on it
                vmArgs.set(management, null);
            }
            return State.EMPTIED;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return State.KEPT;
        }
    }
}
