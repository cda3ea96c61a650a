package dev.selfrestore.nativeshim.internal;

/**
 * Ends the thread of JNA's Cleaner (the JNA of {@code loader}, not an application's own) once the
 * library objects registered with it are closed: it returns when interrupted.
 */
final class JnaCleaner {
    private JnaCleaner() {
    }

    static void end(ClassLoader loader) {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 8];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            Thread t = threads[i];
            if (t.getName().equals("JNA Cleaner") && t.getClass().getClassLoader() == loader) {
                t.interrupt();
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
