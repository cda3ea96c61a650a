package dev.selfrestore.it.app;

import java.time.Duration;

/**
 * A JVM to be checkpointed: prints {@code READY}, then lives until its stdin is closed (at most
 * 120 s). Its arguments are ignored; they are there to be seen in /proc/PID/cmdline.
 */
public final class Sleeper {

    private Sleeper() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("READY");
        System.out.flush();
        StdinWatch.awaitClosed(Duration.ofSeconds(120));
    }
}
