package dev.selfrestore.nativeshim.internal;

import java.util.logging.Level;

/**
 * What JNA's classes call instead of {@code java.util.logging.Logger} inside selfrestore.
 *
 * <p>JNA logs through java.util.logging, and its static initialisers ask for loggers, which sets up
 * the JDK's LogManager (reading logging.properties, registering a shutdown hook) inside the
 * application before its main runs: applications that choose their LogManager in main, or
 * configure logging programmatically, would find it already made. The build rewrites JNA's
 * references to {@code java/util/logging/Logger} to this class as it stores JNA's classes in the
 * jar (agent/src/build/AgentJar.java), so JNA never touches the application's logging. It has exactly the
 * methods JNA calls. JNA logs diagnostics below WARNING, which are dropped; a warning or worse is
 * printed on stderr as one line.
 */
public final class JnaLogger {
    private static final JnaLogger INSTANCE = new JnaLogger();

    private JnaLogger() {
    }

    public static JnaLogger getLogger(String name) {
        return INSTANCE;
    }

    public boolean isLoggable(Level level) {
        return level.intValue() >= Level.WARNING.intValue();
    }

    public void log(Level level, String message) {
        if (isLoggable(level)) {
            System.err.println("selfrestore: JNA: " + message);
        }
    }

    public void log(Level level, String message, Object parameter) {
        log(level, message, new Object[] {parameter});
    }

    public void log(Level level, String message, Object[] parameters) {
        if (isLoggable(level)) {
            log(level, java.text.MessageFormat.format(message, parameters));
        }
    }

    public void log(Level level, String message, Throwable thrown) {
        if (isLoggable(level)) {
            log(level, message + ": " + thrown);
        }
    }
}
