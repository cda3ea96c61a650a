package dev.selfrestore.it.app;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an application can see of the JVM it runs in, printed at the first line of main so that a
 * test can compare a JVM started with the agent against one started without it: system
 * properties, live threads, the class loaders above main, the boot layer and the shutdown hooks.
 * and the java.util.logging configuration (read last: reading it sets java.util.logging up).
 */
public final class TraceReport {
    private TraceReport() {
    }

    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Object, Object> e : new TreeMap<>(System.getProperties()).entrySet()) {
            out.add("PROPERTY=" + e.getKey() + "=" + e.getValue());
        }
        List<String> threads = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            threads.add("THREAD=" + t.getName() + (t.isDaemon() ? " (daemon)" : ""));
        }
        Collections.sort(threads);
        out.addAll(threads);
        for (ClassLoader l = TraceReport.class.getClassLoader(); l != null; l = l.getParent()) {
            out.add("LOADER=" + l.getName() + " " + l.getClass().getName());
        }
        out.add("LAYERS=" + ModuleLayer.boot().modules().size() + " boot modules");
        out.add("SHUTDOWN_HOOKS=" + shutdownHooks());
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        out.add("JUL=" + java.util.logging.LogManager.getLogManager().getClass().getName() + " level " + root.getLevel()
                + " handlers " + java.util.Arrays.stream(root.getHandlers())
                .map(h -> h.getClass().getName() + "@" + h.getLevel()).toList());
        out.add("INPUT_ARGUMENTS=" + ManagementFactory.getRuntimeMXBean().getInputArguments().size());
        out.forEach(System.out::println);
        System.out.println("READY");
        System.out.flush();
        StdinWatch.awaitClosed(Duration.ofSeconds(120));
    }

    /** Shutdown hooks registered (read through ApplicationShutdownHooks when it can be; else "?"). */
    private static String shutdownHooks() {
        try {
            Class<?> c = Class.forName("java.lang.ApplicationShutdownHooks");
            java.lang.reflect.Field f = c.getDeclaredField("hooks");
            f.setAccessible(true);
            Object hooks = f.get(null);
            return hooks == null ? "0" : Integer.toString(((Map<?, ?>) hooks).size());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "? (" + e.getClass().getSimpleName() + ")";
        }
    }
}
