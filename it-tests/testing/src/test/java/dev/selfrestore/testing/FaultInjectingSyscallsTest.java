package dev.selfrestore.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.Syscalls;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Which calls the decorator fails, which it passes on, and which specs it refuses. */
class FaultInjectingSyscallsTest {
    private final List<String> reached = new ArrayList<>();

    /** A stand-in for the kernel that records each call that reaches it. */
    private Syscalls recordingKernel() {
        return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                (proxy, method, args) -> {
                    reached.add(method.getName());
                    Class<?> r = method.getReturnType();
                    return r == int.class ? (Object) 104 : r == long.class ? (Object) 0x1000L : null;
                });
    }

    @Test
    void theNthCallFailsWithTheErrnoAndNeverReachesTheKernel() {
        Syscalls sys = new FaultInjection().decorate(recordingKernel(), "mremap:2:ENOMEM");
        sys.mremap(1, 2, 2, 3, 4);
        NativeCallException e = assertThrows(NativeCallException.class, () -> sys.mremap(5, 6, 6, 3, 7));
        sys.mremap(8, 9, 9, 3, 10);
        assertEquals(Errno.ENOMEM, e.errno());
        assertTrue(e.getMessage().contains("fault injected: call 2 of mremap"), e.getMessage());
        assertEquals(List.of("mremap", "mremap"), reached);
    }

    @Test
    void noMmMapFailsOnlyTheMapCallsWithEinval() {
        Syscalls sys = new FaultInjection().decorate(recordingKernel(), "no-mm-map");
        assertEquals(Errno.EINVAL, assertThrows(NativeCallException.class, sys::mmMapSize).errno());
        assertEquals(Errno.EINVAL, assertThrows(NativeCallException.class,
                () -> sys.setMmMap(new long[11], null, -1)).errno());
        sys.setMmField(Prctl.PR_SET_MM_ARG_START, 0x1000);
        sys.setMmAuxv(new long[] {0, 0});
        assertEquals(List.of("setMmField", "setMmAuxv"), reached);
    }

    @Test
    void severalFaultsAndErrnoNumbers() {
        Syscalls sys = new FaultInjection().decorate(recordingKernel(), "no-mm-map+writeFile:1:13+mmap:1:ENOMEM");
        assertEquals(Errno.EACCES, assertThrows(NativeCallException.class,
                () -> sys.writeFile(new byte[] {'x'}, new byte[0])).errno());
        assertEquals(Errno.ENOMEM, assertThrows(NativeCallException.class, () -> sys.mmap(0, 1, 0, 0, -1, 0)).errno());
        assertEquals(0x1000L, sys.mmap(0, 1, 0, 0, -1, 0));
    }

    @Test
    void everyMethodOfSyscallsCanBeNamed() {
        Set<String> methods = Arrays.stream(Syscalls.class.getMethods())
                .filter(m -> !java.lang.reflect.Modifier.isStatic(m.getModifiers()))
                .map(Method::getName).collect(Collectors.toSet());
        assertEquals(methods, FaultInjectingSyscalls.CALLS);
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
