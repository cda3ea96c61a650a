package dev.selfrestore.agent.bootstrap;

/**
 * The classes and members of the implementation that the entry module reaches by name, all in one
 * place. A name is unavoidable here: the implementation is defined by selfrestore's own class
 * loader, out of the application's sight, and this module has no dependency on it (so that the
 * compiler keeps it from naming anything that must stay behind that loader). What the compiler
 * cannot check, {@code ImplementationNamesTest} in the agent module does: that each class exists
 * with the member and the type the bootstrap expects.
 *
 * <p>Compile-time constants: the compiler copies them where they are used, so this class is never
 * loaded on the agent's path.
 */
public final class ImplementationNames {
    private ImplementationNames() {
    }

    /** The agent's entry before {@code main}: a {@code BiConsumer<String, Instrumentation>} with a public constructor. */
    public static final String PREMAIN = "dev.selfrestore.agent.internal.AgentEntry$Premain";

    /** The agent's entry in a running JVM: the same. */
    public static final String ATTACHED = "dev.selfrestore.agent.internal.AgentEntry$Attached";

    /** The command line: a class with {@code public static void main(String[])}. */
    public static final String CLI_MAIN = "dev.selfrestore.agent.cli.Main";

    /** Grants native access to selfrestore's own module (JDK 22+). */
    static final String NATIVE_ACCESS = "dev.selfrestore.agent.internal.NativeAccess";

    /** {@link #NATIVE_ACCESS}'s public static no-argument method that grants it to its own module. */
    static final String ENABLE_FOR_OWN_MODULE = "enableForOwnModule";

    /**
     * {@link #NATIVE_ACCESS}'s nested class that defines the native module: a
     * {@code BiFunction<ModuleDescriptor, URI, Module>} with a public constructor.
     */
    static final String DEFINE_MODULE = NATIVE_ACCESS + "$DefineModule";
}
