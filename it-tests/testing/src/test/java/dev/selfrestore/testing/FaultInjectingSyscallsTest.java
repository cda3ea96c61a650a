package dev.selfrestore.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.nativeshim.MemoryCalls;
import dev.selfrestore.nativeshim.MmCalls;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.ProcessCalls;
import dev.selfrestore.nativeshim.Syscalls;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which calls the decorator fails, which it passes on, and which specs it refuses. */
class FaultInjectingSyscallsTest {
    private final List<String> reached = new ArrayList<>();

    /** A stand-in for the kernel that records each call that reaches it. */
    private Syscalls recordingKernel() {
        InvocationHandler h = (proxy, method, args) -> {
            reached.add(method.getName());
            return zero(method.getReturnType(), 104, 0x1000L);
        };
        return new Syscalls(area(MmCalls.class, h), area(MemoryCalls.class, h), area(FileCalls.class, h),
                area(ProcessCalls.class, h));
    }

    private static <T> T area(Class<T> type, InvocationHandler h) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
    }

    private static Object zero(Class<?> type, int anInt, long aLong) {
        if (type == int.class) {
            return anInt;
        }
        if (type == long.class) {
            return aLong;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == byte[].class) {
            return new byte[0];
        }
        if (type == long[].class) {
            return new long[0];
        }
        return null;
    }

    @Test
    void theNthCallFailsWithTheErrnoAndNeverReachesTheKernel() {
        Syscalls sys = new FaultInjection().decorate(recordingKernel(), "mremap:2:ENOMEM");
        sys.memory().mremap(1, 2, 2, 3, 4);
        NativeCallException e = assertThrows(NativeCallException.class, () -> sys.memory().mremap(5, 6, 6, 3, 7));
        sys.memory().mremap(8, 9, 9, 3, 10);
        assertEquals(Errno.ENOMEM, e.errno());
        assertTrue(e.getMessage().contains("fault injected: call 2 of mremap"), e.getMessage());
        assertEquals(List.of("mremap", "mremap"), reached);
    }

    @Test
    void noMmMapFailsOnlyTheMapCallsWithEinval() {
        Syscalls sys = new FaultInjection().decorate(recordingKernel(), "no-mm-map");
        assertEquals(Errno.EINVAL, assertThrows(NativeCallException.class, sys.mm()::mmMapSize).errno());
        assertEquals(Errno.EINVAL, assertThrows(NativeCallException.class,
                () -> sys.mm().setMmMap(new long[11], null, -1)).errno());
        sys.mm().setMmField(Prctl.PR_SET_MM_ARG_START, 0x1000);
        sys.mm().setMmAuxv(new long[] {0, 0});
        assertEquals(List.of("setMmField", "setMmAuxv"), reached);
    }

    @Test
    void severalFaultsAndErrnoNumbers() {
        Syscalls sys = new FaultInjection().decorate(recordingKernel(), "no-mm-map+writeFile:1:13+mmap:1:ENOMEM");
        assertEquals(Errno.EACCES, assertThrows(NativeCallException.class,
                () -> sys.files().writeFile(new byte[] {'x'}, new byte[0])).errno());
        assertEquals(Errno.ENOMEM, assertThrows(NativeCallException.class, () -> sys.memory().mmap(0, 1, 0, 0, -1, 0)).errno());
        assertEquals(0x1000L, sys.memory().mmap(0, 1, 0, 0, -1, 0));
    }

    @Test
    void everyMethodOfEveryAreaCanBeMadeToFailAndThenNeverReachesTheKernel() throws Exception {
        List<String> methods = new ArrayList<>();
        for (RecordComponent area : Syscalls.class.getRecordComponents()) {
            for (Method m : area.getType().getMethods()) {
                if (Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                methods.add(m.getName());
                Syscalls sys = new FaultInjection().decorate(recordingKernel(), m.getName() + ":1:EIO");
                Object[] args = new Object[m.getParameterCount()];
                for (int i = 0; i < args.length; i++) {
                    Class<?> t = m.getParameterTypes()[i];
                    args[i] = t == byte[].class ? new byte[] {'x'} : t == String.class ? "x" : zero(t, 0, 0L);
                }
                InvocationTargetException e = assertThrows(InvocationTargetException.class,
                        () -> m.invoke(area.getAccessor().invoke(sys), args), m.toString());
                NativeCallException failure = assertInstanceOf(NativeCallException.class, e.getCause(), m.toString());
                assertEquals(5, failure.errno(), m.toString());
                assertTrue(failure.getMessage().startsWith(
                        FaultInjectingSyscalls.PRCTL_NAMES.getOrDefault(m.getName(), m.getName() + "(")),
                        failure.getMessage());
            }
        }
        assertEquals(List.of(), reached, "no failed call reaches the kernel");
        assertEquals(Set.copyOf(methods), FaultInjectingSyscalls.CALLS);
        assertTrue(methods.size() >= 40, "every area is looked at: " + methods);
    }

    @Test
    void aCallNameBelongsToOneAreaOnly() {
        Map<String, String> areaOf = new HashMap<>();
        for (RecordComponent area : Syscalls.class.getRecordComponents()) {
            for (Method m : area.getType().getMethods()) {
                String before = areaOf.putIfAbsent(m.getName(), area.getName());
                assertTrue(before == null || before.equals(area.getName()),
                        m.getName() + " is a method of both " + before + " and " + area.getName());
            }
        }
    }

    @Test
    void callsPassOnToTheRealAreaWithTheirArguments() {
        Syscalls sys = new FaultInjection().decorate(recordingKernel(), "read:2:EIO");
        assertEquals(104, sys.files().openat(-100, new byte[] {'f'}, 0, 0));
        sys.files().read(104, 10);
        NativeCallException e = assertThrows(NativeCallException.class, () -> sys.files().read(104, 10));
        assertEquals("read(104, 10) [fault injected: call 2 of read] failed: EIO (Input/output error)", e.getMessage());
        assertEquals(List.of("openat", "read"), reached);
    }

    @Test
    void badSpecsAreRefusedWithTheItemNamed() {
        for (String spec : List.of("", "nope", "mremap:0:ENOMEM", "mremap:x:ENOMEM", "mremap:1:EWHAT", "fork:1:EPERM",
                "no-mm-map+")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FaultInjectingSyscalls.checkSpec(spec), spec);
            assertTrue(e.getMessage().contains("fault") || e.getMessage().contains("spec"), e.getMessage());
        }
    }
}
