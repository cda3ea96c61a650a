package dev.selfrestore.agent.bootstrap;

import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Selfrestore's implementation, and the libraries it uses, isolated in a class loader of its own:
 * sets that loader up (and, where native access is restricted, the one module granted it), and
 * loads the implementation's classes from it. For the agent on JDK 22+ no module layer is made.
 *
 * <p>The agent jar joins the application's class path, but only the entry class and this package
 * are stored there as classes. Everything else (runtime, native-shim, JNA, Chronicle, picocli) is
 * stored under {@code inst/} as {@code .classdata} entries that no other class loader can see, and
 * is defined here by {@link InstClassLoader}, whose parent is the platform class loader. On JDK 17
 * to 21, which restrict no native access, every class is in that loader's unnamed module. On JDK 22
 * and later the packages that call native code (JNA's and native-shim's, {@link #isNativePackage})
 * form one named module, {@value #MODULE}, which alone is granted native access: for the agent it
 * is defined to the loader directly, outside any module layer ({@link #nativeModuleOnly}), the rest
 * staying in the unnamed module; the command line resolves it as a module layer holding every
 * package. So:
 * <ul>
 *   <li>an application with its own JNA, Chronicle or Byte Buddy never sees ours, and ours never
 *       sees theirs (the application class loader is not an ancestor);</li>
 *   <li>JNA's native access (JDK 22+ restricts it, and JDK 24+ warns about JNI) is granted to this
 *       one module instead of to every unnamed module, which is what
 *       {@code --enable-native-access=ALL-UNNAMED} would do to the application. See
 *       {@link #enableNativeAccess}.</li>
 * </ul>
 * JNA binds its native library to the {@code com.sun.jna} names, so relocating (shading under
 * another package) would not work: isolation is the only way to keep two JNAs apart.
 */
public final class IsolatedImplementation {
    /** The name of the module that holds selfrestore's implementation. */
    public static final String MODULE = "dev.selfrestore.internal";
    static final String PREFIX = "inst/";
    static final String CLASS_SUFFIX = ".classdata";
    static final String VERSIONS = "META-INF/versions/";
    /** The package index written by the build (agent/src/build/AgentJar.java). */
    static final String INDEX = PREFIX + "META-INF/selfrestore.index";

    private static volatile IsolatedImplementation instance;

    private final ClassLoader loader;

    private IsolatedImplementation(ClassLoader loader) {
        this.loader = loader;
    }

    /**
     * The implementation's loader, made on first use from the jar this class was loaded from.
     *
     * @param inst the agent's instrumentation, or null when running as the command line
     */
    public static IsolatedImplementation get(Instrumentation inst) throws IOException {
        IsolatedImplementation l = instance;
        if (l == null) {
            synchronized (IsolatedImplementation.class) {
                l = instance;
                if (l == null) {
                    l = create(ownJar(), inst);
                    instance = l;
                }
            }
        }
        return l;
    }

    /** Loads and initialises a class of the implementation. */
    public Class<?> load(String className) throws ClassNotFoundException {
        return Class.forName(className, true, loader);
    }

    /**
     * An instance of a class of the implementation, made by its public no-argument constructor, as
     * the JDK type it implements. Entry points are called this way, not through
     * {@code Method.invoke}: on JDK 18+ a reflective call of a new signature spins classes through
     * the JDK's class-file generator, where a no-argument constructor and an interface call spin
     * none.
     */
    public <T> T newInstance(String className, Class<T> type) throws ReflectiveOperationException {
        return type.cast(load(className).getConstructor().newInstance());
    }

    private static File ownJar() throws IOException {
        try {
            URI uri = IsolatedImplementation.class.getProtectionDomain().getCodeSource().getLocation().toURI();
            return new File(uri);
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot locate the selfrestore jar: " + e, e);
        }
    }

    private static IsolatedImplementation create(File file, Instrumentation inst) throws IOException {
        JarFile jar = new JarFile(file, false);
        Set<String> packages = new HashSet<>();
        int feature = Runtime.version().feature();
        Map<String, int[]> versions = readIndex(jar, file, feature, packages);
        Method enableNativeAccess = enableNativeAccessMethod(feature);
        Map<String, ClassLoader> jdkPackages = inst == null ? cliJdkPackages(ModuleLayer.boot()) : Map.of();
        if (enableNativeAccess == null) {
            // JDK 17 to 21 restrict no native access: the classes are defined to our loader's
            // unnamed module, which isolates them just as well and costs no module resolution
            // (bench/README.md, "Module layer").
            return new IsolatedImplementation(new InstClassLoader(jar, file, null, jdkPackages, versions));
        }
        if (inst != null) {
            IsolatedImplementation direct = nativeModuleOnly(jar, file, inst, packages, jdkPackages, versions);
            if (direct != null) {
                return direct;
            }
        }
        ModuleDescriptor descriptor = ModuleDescriptor.newAutomaticModule(MODULE).packages(packages).build();
        ModuleReference ref = new JarModuleReference(descriptor, file.toURI(), jar);
        ModuleFinder finder = new ModuleFinder() {
            @Override
            public Optional<ModuleReference> find(String name) {
                return name.equals(MODULE) ? Optional.of(ref) : Optional.empty();
            }

            @Override
            public Set<ModuleReference> findAll() {
                return Set.of(ref);
            }
        };
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(finder, ModuleFinder.of(), Set.of(MODULE));
        InstClassLoader loader = new InstClassLoader(jar, file, MODULE, jdkPackages, versions);
        ModuleLayer.Controller controller = ModuleLayer.defineModules(cf, List.of(boot), name -> loader);
        IsolatedImplementation impl = new IsolatedImplementation(loader);
        impl.enableNativeAccess(enableNativeAccess, controller, controller.layer().findModule(MODULE).orElseThrow(), inst);
        return impl;
    }

    /**
     * The agent on JDK 22+: only the packages that call native code (JNA's and native-shim's) form
     * the named module {@value #MODULE}, defined to our loader without resolving a module layer; every
     * other package of ours stays in that loader's unnamed module, as on JDK 17. Resolving a layer
     * and defining it spins classes through the JDK's class-file generator in a cold JVM, which
     * cost start-up time and the JIT's memory to compile that generator
     * (bench/README.md, "Module layer").
     *
     * <p>java.base opens {@code java.lang} to our loader's unnamed module alone (no class of the
     * application can be defined in it), {@code NativeAccess} there defines the module the way the
     * JDK defines a module outside a layer and grants it native access, and the module is made to
     * read what an automatic module reads. Returns null, having changed nothing the application can see, when
     * this JDK no longer offers those internals: the caller then resolves a layer.
     */
    private static IsolatedImplementation nativeModuleOnly(JarFile jar, File file, Instrumentation inst, Set<String> packages,
                                               Map<String, ClassLoader> jdkPackages, Map<String, int[]> versions)
            throws IOException {
        Set<String> nativePackages = new HashSet<>();
        for (String p : packages) {
            if (isNativePackage(p)) {
                nativePackages.add(p);
            }
        }
        InstClassLoader loader = new InstClassLoader(jar, file, MODULE, jdkPackages, versions);
        try {
            inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                    Map.of("java.lang", Set.of(loader.getUnnamedModule())), Set.of(), Map.of());
            ModuleDescriptor descriptor = ModuleDescriptor.newAutomaticModule(MODULE).packages(nativePackages).build();
            IsolatedImplementation impl = new IsolatedImplementation(loader);
            @SuppressWarnings("unchecked")
            BiFunction<ModuleDescriptor, URI, Module> define = impl.newInstance(ImplementationNames.DEFINE_MODULE,
                    BiFunction.class);
            Module module = define.apply(descriptor, file.toURI());
            // What an automatic module reads: every module of the boot layer, and our unnamed module.
            Set<Module> reads = new HashSet<>(ModuleLayer.boot().modules());
            reads.add(loader.getUnnamedModule());
            inst.redefineModule(module, reads, Map.of(), Map.of(), Set.of(), Map.of());
            return impl;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Whether a package of ours calls native code: JNA and native-shim, which alone need native access. */
    static boolean isNativePackage(String p) {
        return p.equals("com.sun.jna") || p.startsWith("com.sun.jna.")
                || p.equals("dev.selfrestore.nativeshim") || p.startsWith("dev.selfrestore.nativeshim.");
    }

    /**
     * Reads the index the build wrote ({@value #INDEX}: per line, the multi-release version a
     * package is stored for, 0 for the base, and the package), keeping what this JDK runs: fills
     * {@code packages} and returns, for each package stored for a version too, those versions newest
     * first (the loader looks for a versioned class in those packages only).
     */
    private static Map<String, int[]> readIndex(JarFile jar, File file, int feature, Set<String> packages)
            throws IOException {
        Map<String, java.util.TreeSet<Integer>> versioned = new HashMap<>();
        JarEntry e = jar.getJarEntry(INDEX);
        if (e == null) {
            jar.close();
            throw new IOException(file + " holds no selfrestore implementation under " + PREFIX
                    + " (a development build? run mvn package)");
        }
        String text;
        try (java.io.InputStream in = jar.getInputStream(e)) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int to = nl < 0 ? text.length() : nl;
            int space = text.indexOf(' ', from);
            if (space > from && space < to) {
                int version = Integer.parseInt(text.substring(from, space));
                if (version <= feature) {
                    String p = text.substring(space + 1, to);
                    packages.add(p);
                    if (version > 0) {
                        java.util.TreeSet<Integer> v = versioned.get(p); // no lambda: it would spin a class in premain
                        if (v == null) {
                            v = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
                            versioned.put(p, v);
                        }
                        v.add(version);
                    }
                }
            }
            from = to + 1;
        }
        Map<String, int[]> versions = new HashMap<>();
        for (Map.Entry<String, java.util.TreeSet<Integer>> v : versioned.entrySet()) {
            versions.put(v.getKey(), toArray(v.getValue()));
        }
        return versions;
    }

    /**
     * {@code ModuleLayer.Controller.enableNativeAccess} (JDK 22+), or null. Not looked up before 22:
     * the NoSuchMethodException's message is built with a stream and a lambda that the JDK spins
     * at run time, some 3 ms of a cold JDK 17's start for a method known to be absent.
     */
    private static Method enableNativeAccessMethod(int feature) {
        if (feature < 22) {
            return null;
        }
        try {
            return ModuleLayer.Controller.class.getMethod("enableNativeAccess", Module.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static int[] toArray(java.util.Collection<Integer> values) {
        int[] out = new int[values.size()];
        int i = 0;
        for (int v : values) {
            out[i++] = v;
        }
        return out;
    }

    /**
     * The command line's {@code attach} uses {@code com.sun.tools.attach} from module
     * {@code jdk.attach}. The module resolves here (an automatic module reads every module of the
     * boot layer, and {@code java -jar} puts every JDK module that exports an API in it), but the JDK
     * defines it to the application class loader, which is not our parent. Its packages are handed
     * to that module's loader; nothing else is. Absent from a runtime image without jdk.attach: the
     * command then says so.
     */
    private static Map<String, ClassLoader> cliJdkPackages(ModuleLayer boot) {
        Map<String, ClassLoader> packages = new HashMap<>();
        boot.findModule("jdk.attach").ifPresent(m -> {
            for (String p : m.getPackages()) {
                if (m.isExported(p)) {
                    packages.put(p, m.getClassLoader());
                }
            }
        });
        return packages;
    }

    /**
     * JDK 22+: lets JNA in our module load its native library and bind native methods without the
     * JDK's restricted-method warning, and without granting anything to the application's modules.
     * Earlier JDKs do not restrict native access: nothing to do.
     *
     * <p>{@code ModuleLayer.Controller.enableNativeAccess} is itself restricted: its caller needs
     * native access already. The command line has it from its manifest
     * ({@code Enable-Native-Access: ALL-UNNAMED}, honoured for {@code java -jar}). An agent has no
     * such manifest attribute; instead java.base opens {@code java.lang} to our module alone, and
     * code in our module marks that module (only) as allowed, as the command-line option would.
     */
    private void enableNativeAccess(Method enable, ModuleLayer.Controller controller, Module module, Instrumentation inst) {
        try {
            if (inst == null) {
                enable.invoke(controller, module);
            } else {
                inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(), Map.of("java.lang", Set.of(module)),
                        Set.of(), Map.of());
                load(ImplementationNames.NATIVE_ACCESS).getMethod(ImplementationNames.ENABLE_FOR_OWN_MODULE).invoke(null);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot enable native access for " + MODULE + ": "
                    + (e.getCause() != null ? e.getCause() : e), e);
        }
    }

    /** The module's contents, for tools that read a module through its reference. */
    private static final class JarModuleReference extends ModuleReference {
        private final JarFile jar;

        JarModuleReference(ModuleDescriptor descriptor, URI location, JarFile jar) {
            super(descriptor, location);
            this.jar = jar;
        }

        @Override
        public ModuleReader open() {
            return new ModuleReader() {
                @Override
                public Optional<URI> find(String name) {
                    return Optional.ofNullable(InstClassLoader.entryUrl(jar, location().orElseThrow(), name));
                }

                @Override
                public Stream<String> list() {
                    return jar.stream().map(JarEntry::getName).filter(n -> n.startsWith(PREFIX))
                            .map(n -> n.substring(PREFIX.length())).map(InstClassLoader::resourceName);
                }

                @Override
                public void close() {
                    // the jar stays open for the loader
                }
            };
        }
    }
}
