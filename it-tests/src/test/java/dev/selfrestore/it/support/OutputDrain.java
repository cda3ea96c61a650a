package dev.selfrestore.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Reads one output stream of a child process on its own thread, so the child never blocks on a full pipe. */
final class OutputDrain {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Thread thread;
    private boolean ended;

    OutputDrain(String name, InputStream in) {
        thread = new Thread(() -> copy(in), name);
        thread.setDaemon(true);
        thread.start();
    }

    private void copy(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (this) {
                    bytes.write(buffer, 0, n);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone and its pipe closed under us: keep what was read
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Lines ended by a newline; an unfinished last line is left out. */
    synchronized List<String> completeLines() {
        String text = text();
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            lines.add(text.substring(start, nl));
            start = nl + 1;
        }
        return lines;
    }

    /** The first complete line matching {@code wanted}, or empty once the stream ended or the deadline passed. */
    synchronized Optional<String> awaitLine(Predicate<String> wanted, Instant deadline) throws InterruptedException {
        while (true) {
            Optional<String> found = completeLines().stream().filter(wanted).findFirst();
            if (found.isPresent() || ended) {
                return found;
            }
            long millis = Duration.between(Instant.now(), deadline).toMillis();
            if (millis <= 0) {
                return Optional.empty();
            }
            wait(millis);
        }
    }

    void awaitEnd(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
    }
}
