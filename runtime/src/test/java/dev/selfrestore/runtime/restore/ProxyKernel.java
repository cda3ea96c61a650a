package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.nativeshim.MemoryCalls;
import dev.selfrestore.nativeshim.MmCalls;
import dev.selfrestore.nativeshim.ProcessCalls;
import dev.selfrestore.nativeshim.Syscalls;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/** A stand-in for the kernel: every call of every area goes to one handler. */
final class ProxyKernel {
    private ProxyKernel() {
    }

    static Syscalls of(InvocationHandler handler) {
        return new Syscalls(area(MmCalls.class, handler), area(MemoryCalls.class, handler),
                area(FileCalls.class, handler), area(ProcessCalls.class, handler));
    }

    /**
     * Makes the call {@code method} on the real kernel, for a handler that lets some calls through
     * (a mapping the real /proc/self/maps must show, a file that must really be open).
     */
    static Object real(Method method, Object[] args) throws Throwable {
        Syscalls real = Syscalls.linux();
        Class<?> area = method.getDeclaringClass();
        Object target = area == MmCalls.class ? real.mm() : area == MemoryCalls.class ? real.memory()
                : area == FileCalls.class ? real.files() : real.processes();
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static <T> T area(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
