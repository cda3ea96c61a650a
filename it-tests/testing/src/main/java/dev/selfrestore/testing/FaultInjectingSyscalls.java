package dev.selfrestore.testing;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Placement;
import dev.selfrestore.nativeshim.Syscalls;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link Syscalls} that passes every call to the real kernel except those a spec names, which fail
 * as a kernel or machine this one is not would. For tests only: it lets a test reach the paths of
 * an old kernel or of a failure half-way through a restore, on a machine where neither happens,
 * while every other call still reaches the kernel. Nothing in this class uses JNA. It is not part
 * of the product jar: the integration tests' testing jar adds it, with {@link FaultInjection}
 * registered as the {@link Syscalls.Decorator} the agent option {@code test-faults=SPEC} uses.
 *
 * <p>Every area of {@link Syscalls} (each component of the record) is a {@link Proxy} whose one
 * handler counts the call and passes it on: every method of every area, default methods included,
 * can be made to fail, and a method or an area added later is covered without a line here.
 *
 * <p>The spec is one or more items separated by {@code +}:
 * <ul>
 *   <li>{@code no-mm-map}: {@code PR_SET_MM_MAP} and {@code PR_SET_MM_MAP_SIZE} fail with EINVAL,
 *       as on a kernel built without {@code CONFIG_CHECKPOINT_RESTORE} ({@code mmMapSize},
 *       {@code setMmMap}); the single-field operations reach the kernel.</li>
 *   <li>{@code no-clone3}, {@code no-ns-last-pid}: selfrestore's native helper behaves as on a
 *       kernel without {@code clone3} (ENOSYS), and as where {@code /proc/sys/kernel/ns_last_pid}
 *       cannot be opened (ENOSYS), when {@code run} places a PID ({@code place}).</li>
 *   <li>{@code CALL:N:ERRNO}: the N-th call (from 1) of the method {@code CALL} of an area of
 *       {@link Syscalls} fails with {@code ERRNO} (a name such as {@code ENOMEM}, or a number)
 *       without reaching the kernel; its other calls reach it. For example {@code mremap:2:ENOMEM}.
 *       Overloads of a name count together.</li>
 * </ul>
 * Calls are counted per method name, in this process, from the moment the decorator is made.
 */
public final class FaultInjectingSyscalls {

    /** The methods of the areas of {@link Syscalls}, by name: what a spec may name. */
    static final Set<String> CALLS = callNames();

    /**
     * Faults of jvm=restore's views that the agent itself reads from the spec: the HotSpot layout
     * is not found, or every jvmstat string is too short for its new value.
     */
    static final Set<String> JVM_VIEW_FAULTS = Set.of("no-hotspot-layout", "short-jvmstat");

    private record Fault(String call, int nth, int errno) {
    }

    /** The items that stand for a kernel without something rather than for one failing call. */
    static final Set<String> KERNEL_FAULTS = Set.of("no-mm-map", "no-clone3", "no-ns-last-pid");

    private final boolean noMmMap;
    private final boolean noClone3;
    private final boolean noNsLastPid;
    private final List<Fault> faults;
    private final Map<String, Integer> counts = new HashMap<>();

    private FaultInjectingSyscalls(String spec) {
        List<Fault> parsed = new ArrayList<>();
        Set<String> kernel = parse(spec, parsed);
        this.noMmMap = kernel.contains("no-mm-map");
        this.noClone3 = kernel.contains("no-clone3");
        this.noNsLastPid = kernel.contains("no-ns-last-pid");
        this.faults = List.copyOf(parsed);
    }

    /** {@code real} with the faults of {@code spec}, one count for all its areas. */
    static Syscalls decorate(Syscalls real, String spec) {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(spec);
        RecordComponent[] areas = Syscalls.class.getRecordComponents();
        Object[] decorated = new Object[areas.length];
        Class<?>[] types = new Class<?>[areas.length];
        try {
            for (int i = 0; i < areas.length; i++) {
                types[i] = areas[i].getType();
                decorated[i] = faults.area(types[i], areas[i].getAccessor().invoke(real));
            }
            Constructor<Syscalls> canonical = Syscalls.class.getConstructor(types);
            return canonical.newInstance(decorated);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot decorate " + real + ": " + e, e);
        }
    }

    /** The area {@code type} of {@code real}: a proxy that counts each call and passes it on. */
    private Object area(Class<?> type, Object real) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, args, type);
            }
            Object[] a = args == null ? new Object[0] : args;
            String operation = operation(method, a);
            enter(method.getName(), operation);
            if (noMmMap && (method.getName().equals("mmMapSize") || method.getName().equals("setMmMap"))) {
                throw new NativeCallException(operation + " [fault injected: no PR_SET_MM_MAP]", Errno.EINVAL);
            }
            if ((noClone3 || noNsLastPid) && method.getName().equals("place")) {
                args = new Object[] {((Placement.Request) a[0]).without(noClone3, noNsLastPid)};
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args, Class<?> type) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "fault-injecting " + type.getSimpleName();
        }
    }

    /**
     * The prctl calls by the names the kernel's documentation gives them, as the real calls' messages
     * have them (a restore's report quotes them); every other call is shown as its method.
     */
    static final Map<String, String> PRCTL_NAMES = Map.of(
            "mmMapSize", "prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE)",
            "setMmMap", "prctl(PR_SET_MM, PR_SET_MM_MAP)",
            "setMmAuxv", "prctl(PR_SET_MM, PR_SET_MM_AUXV)",
            "savedAuxvSize", "prctl(PR_GET_AUXV)");

    /** The call as a fault's message shows it: {@code openat(3, descriptor.mmd, 524288, 0)}. */
    static String operation(Method method, Object[] args) {
        String prctl = PRCTL_NAMES.get(method.getName());
        if (prctl != null) {
            return prctl;
        }
        StringBuilder b = new StringBuilder(method.getName()).append('(');
        for (int i = 0; i < args.length; i++) {
            b.append(i == 0 ? "" : ", ").append(show(args[i]));
        }
        return b.append(')').toString();
    }

    private static String show(Object arg) {
        if (arg instanceof byte[] bytes) {
            return bytes.length <= 256 && printable(bytes) ? new String(bytes, StandardCharsets.UTF_8)
                    : bytes.length + " bytes";
        }
        if (arg instanceof long[] words) {
            return words.length + " words";
        }
        if (arg instanceof byte[][] strings) {
            return strings.length + " strings";
        }
        if (arg instanceof Long value) {
            return "0x" + Long.toHexString(value);
        }
        return String.valueOf(arg);
    }

    private static boolean printable(byte[] bytes) {
        for (byte c : bytes) {
            if (c >= 0 && c < 0x20) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks a spec without making anything.
     *
     * @throws IllegalArgumentException naming the item that is wrong and the form expected
     */
    public static void checkSpec(String spec) {
        parse(spec, new ArrayList<>());
    }

    private static Set<String> parse(String spec, List<Fault> out) {
        Set<String> kernel = new TreeSet<>();
        if (spec == null || spec.isEmpty()) {
            throw new IllegalArgumentException("an empty fault spec");
        }
        for (String item : spec.split("\\+", -1)) {
            if (KERNEL_FAULTS.contains(item)) {
                kernel.add(item);
                continue;
            }
            if (JVM_VIEW_FAULTS.contains(item)) {
                continue; // read by the agent's jvm=restore, not a call of Syscalls
            }
            String[] p = item.split(":", -1);
            if (p.length != 3 || !CALLS.contains(p[0])) {
                throw new IllegalArgumentException("fault '" + item + "' is not one of " + KERNEL_FAULTS
                        + " or CALL:N:ERRNO with CALL a method of Syscalls (such as mremap:2:ENOMEM)");
            }
            int nth;
            try {
                nth = Integer.parseInt(p[1]);
            } catch (NumberFormatException e) {
                nth = 0;
            }
            if (nth < 1) {
                throw new IllegalArgumentException("fault '" + item + "': N must be a number from 1, got '" + p[1] + "'");
            }
            out.add(new Fault(p[0], nth, errno(item, p[2])));
        }
        return kernel;
    }

    private static int errno(String item, String name) {
        for (int e = 1; e < 200; e++) {
            if (Errno.name(e).equals(name)) {
                return e;
            }
        }
        try {
            int e = Integer.parseInt(name);
            if (e > 0) {
                return e;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("fault '" + item + "': '" + name + "' is not an errno name or number");
    }

    /** Counts the call and throws if the spec makes this one fail. */
    private synchronized void enter(String call, String operation) {
        int n = counts.merge(call, 1, Integer::sum);
        for (Fault f : faults) {
            if (f.call.equals(call) && f.nth == n) {
                throw new NativeCallException(operation + " [fault injected: call " + n + " of " + call + "]", f.errno);
            }
        }
    }

    private static Set<String> callNames() {
        Set<String> names = new TreeSet<>();
        for (RecordComponent area : Syscalls.class.getRecordComponents()) {
            for (Method m : area.getType().getMethods()) {
                if (!Modifier.isStatic(m.getModifiers())) {
                    names.add(m.getName());
                }
            }
        }
        return Set.copyOf(names);
    }
}
