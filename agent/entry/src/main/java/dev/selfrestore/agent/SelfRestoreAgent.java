package dev.selfrestore.agent;

import dev.selfrestore.agent.bootstrap.IsolatedImplementation;
import dev.selfrestore.agent.bootstrap.ImplementationNames;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.util.function.BiConsumer;

/**
 * The jar's entry points: the agent ({@code premain}, {@code agentmain}) and the command line
 * ({@code main}).
 *
 * <p>Kept as small as an entry point can be: it names no library, holds no state, and never lets
 * anything escape into the JVM's agent loader (which would abort start-up with a stack trace).
 * The work is done by classes in selfrestore's own class loader ({@link IsolatedImplementation}), out
 * of the application's sight.
 *
 * <p>{@code -javaagent:selfrestore.jar=<descriptor>[,key=value…]}
 */
public final class SelfRestoreAgent {
    private SelfRestoreAgent() {
    }

    /** Runs before {@code main}: the restore completes before this returns. */
    public static void premain(String args, Instrumentation inst) {
        enter(args, inst, false);
    }

    /** Runs when the agent is loaded into a running JVM. */
    public static void agentmain(String args, Instrumentation inst) {
        enter(args, inst, true);
    }

    /** {@code java -jar selfrestore.jar <command>}. */
    public static void main(String[] args) throws Throwable {
        try {
            IsolatedImplementation.get(null).load(ImplementationNames.CLI_MAIN).getMethod("main", String[].class)
                    .invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void enter(String args, Instrumentation inst, boolean attached) {
        BiConsumer<String, Instrumentation> entry;
        try {
            entry = IsolatedImplementation.get(inst).newInstance(
                    attached ? ImplementationNames.ATTACHED : ImplementationNames.PREMAIN, BiConsumer.class);
        } catch (Throwable t) { // an agent must never take the application down by accident
            System.err.println("selfrestore: cannot start, application continues: " + t);
            return;
        }
        try {
            entry.accept(args, inst);
        } catch (Throwable t) {
            System.err.println("selfrestore: internal error, application continues: " + t);
        }
    }
}
