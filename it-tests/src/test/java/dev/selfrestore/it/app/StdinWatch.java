package dev.selfrestore.it.app;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/** Keeps a test application alive until the test closes its stdin, so the test decides when it ends. */
final class StdinWatch {

    private StdinWatch() {
    }

    /** Returns when stdin reaches end of file, or after {@code limit} so a forgotten process ends by itself. */
    static void awaitClosed(Duration limit) throws InterruptedException {
        Thread reader = new Thread(StdinWatch::drainStdin, "stdin-watch");
        reader.setDaemon(true);
        reader.start();
        reader.join(limit.toMillis());
    }

    private static void drainStdin() {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // discard: only end of file matters
            }
        } catch (IOException e) {
            // a broken stdin means the test is gone: end as on end of file
        }
    }
}
