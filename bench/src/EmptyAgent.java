import java.lang.instrument.Instrumentation;

/**
 * The benchmark's baseline agent: a premain that does nothing. Its cost over a plain JVM is what any
 * -javaagent costs (opening the jar, java.instrument, the agent class); selfrestore is measured
 * against it.
 */
public class EmptyAgent {
    public static void premain(String args, Instrumentation inst) {
    }
}
