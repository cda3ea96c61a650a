package dev.selfrestore.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points. Kept as small as an entry point can be: it names no library, holds no
 * state, and never lets anything escape into the JVM's agent loader (which would abort start-up
 * with a stack trace). All work is in {@code internal.AgentRunner}.
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

    private static void enter(String args, Instrumentation inst, boolean attached) {
        try {
            dev.selfrestore.agent.internal.AgentRunner.run(args, inst, attached);
        } catch (Throwable t) { // NOPMD: an agent must never take the application down by accident
            System.err.println("selfrestore: internal error, application continues: " + t);
        }
    }
}
