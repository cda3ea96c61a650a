package dev.selfrestore.agent.internal;

import java.lang.instrument.Instrumentation;
import java.util.function.BiConsumer;

/**
 * The agent's two entry points as the bootstrap calls them: made by a no-argument constructor and
 * called through a JDK interface, which costs a cold JVM nothing, where {@code Method.invoke} of a
 * new signature spins classes on JDK 18+ (see {@code IsolatedImplementation.newInstance}).
 */
public final class AgentEntry {
    private AgentEntry() {
    }

    /** {@code premain}: restore before {@code main}. */
    public static final class Premain implements BiConsumer<String, Instrumentation> {
        public Premain() {
        }

        @Override
        public void accept(String args, Instrumentation inst) {
            AgentRunner.run(args, inst, false);
        }
    }

    /** {@code agentmain}: loaded into a running JVM. */
    public static final class Attached implements BiConsumer<String, Instrumentation> {
        public Attached() {
        }

        @Override
        public void accept(String args, Instrumentation inst) {
            AgentRunner.run(args, inst, true);
        }
    }
}
