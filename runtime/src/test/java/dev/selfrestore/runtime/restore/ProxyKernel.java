package dev.selfrestore.runtime.restore;

import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.nativeshim.MemoryCalls;
import dev.selfrestore.nativeshim.MmCalls;
import dev.selfrestore.nativeshim.ProcessCalls;
import dev.selfrestore.nativeshim.Syscalls;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

/** A stand-in for the kernel: every call of every area goes to one handler. */
final class ProxyKernel {
    private ProxyKernel() {
    }

    static Syscalls of(InvocationHandler handler) {
        return new Syscalls(area(MmCalls.class, handler), area(MemoryCalls.class, handler),
                area(FileCalls.class, handler), area(ProcessCalls.class, handler));
    }

    private static <T> T area(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
