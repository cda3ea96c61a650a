import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * The benchmark's floor agents: one piece of selfrestore's premain at a time, through selfrestore's
 * own jar and class loader (the manifest puts selfrestore.jar on this agent's class path), on
 * premain's thread alone. Each tells what that piece costs by itself, with nothing beside it:
 *
 * <ul>
 *   <li>{@code bootstrap}: selfrestore's class loader over its jar (what every selfrestore run pays
 *       first);</li>
 *   <li>{@code decode=FILE}: that, then reading and decoding a descriptor with selfrestore's codec
 *       (the first use of Chronicle Bytes);</li>
 *   <li>{@code bind}: that, then binding libc through JNA as the restore does.</li>
 * </ul>
 * Anything that fails is thrown, which aborts the JVM: the benchmark counts only clean runs.
 */
public class FloorAgent {
    public static void premain(String args, Instrumentation inst) throws Throwable {
        Class<?> implClass = Class.forName("dev.selfrestore.agent.bootstrap.IsolatedImplementation");
        Object impl = implClass.getMethod("get", Instrumentation.class).invoke(null, inst);
        Method load = implClass.getMethod("load", String.class);
        if (args.equals("bootstrap")) {
            return;
        } else if (args.startsWith("decode=")) {
            Class<?> codec = (Class<?>) load.invoke(impl, "dev.selfrestore.runtime.codec.DescriptorCodec");
            codec.getMethod("read", Path.class).invoke(null, Path.of(args.substring("decode=".length())));
        } else if (args.equals("bind")) {
            Class<?> syscalls = (Class<?>) load.invoke(impl, "dev.selfrestore.nativeshim.Syscalls");
            syscalls.getMethod("linux").invoke(null);
        } else {
            throw new IllegalArgumentException("FloorAgent: bootstrap, decode=FILE or bind, not " + args);
        }
    }
}
