package dev.selfrestore.agent.bootstrap;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Defines the classes stored under {@code inst/} in the agent jar. Its parent is the platform
 * class loader: JDK classes come from the JDK, and no class of the application is ever visible.
 *
 * <p>The one exception is made for the command line only: the packages of a few JDK modules that
 * the JDK defines to the application class loader rather than the platform one ({@code jdk.attach},
 * for {@code selfrestore attach}) are loaded from that module's own loader. Only packages of
 * those named modules are delegated, so the class path stays invisible even then.
 */
final class InstClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    /**
     * JNA's way to find its caller on Java 8, a subclass of {@code java.lang.SecurityManager}. JNA's
     * {@code Native} loads it in its static initialiser whether or not it needs it (it uses
     * {@code StackWalker} on Java 9 and later, that is on every JDK selfrestore runs on), and
     * loading it initialises {@code SecurityManager}, whose initialiser on JDK 17 builds a set of
     * every package of the boot layer through lambdas, all spun in premain for nothing
     * (bench/README.md, "JNA binding"). Not served: JNA catches the failure and keeps StackWalker.
     */
    static final String JNA_JAVA8_CALLER = "com.sun.jna.SecurityManagerExposer";

    private final JarFile jar;
    private final URI jarUri;
    private final String module;
    private final ProtectionDomain domain;
    private final Map<String, ClassLoader> jdkPackages;
    private final Map<String, int[]> versions;
    /** Guarded by itself: each native library's checked file, or null where the entry is served. */
    private final Map<String, URL> nativeLibraries = new java.util.HashMap<>();

    /**
     * @param jdkPackages packages of JDK modules outside the platform loader's reach, each with the
     *                    loader of its module; empty for the agent
     * @param versions    per package stored for a multi-release version too, the versions present
     *                    that this JDK runs, newest first: a class
     *                    stored for one of them is preferred to the base one, as a multi-release jar
     *                    on the class path would do
     */
    InstClassLoader(JarFile jar, File file, String module, Map<String, ClassLoader> jdkPackages, Map<String, int[]> versions)
            throws MalformedURLException {
        super("selfrestore", ClassLoader.getPlatformClassLoader());
        this.jdkPackages = Map.copyOf(jdkPackages);
        this.jar = jar;
        this.jarUri = file.toURI();
        this.module = module;
        this.versions = Map.copyOf(versions);
        this.domain = new ProtectionDomain(new CodeSource(jarUri.toURL(), (Certificate[]) null), null, this, null);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!jdkPackages.isEmpty()) {
            int dot = name.lastIndexOf('.');
            ClassLoader owner = dot < 0 ? null : jdkPackages.get(name.substring(0, dot));
            if (owner != null) {
                return Class.forName(name, false, owner);
            }
        }
        return super.loadClass(name, resolve);
    }

    /**
     * JNA's native libraries (a {@code .so} under {@code com/sun/jna/}) are ours alone: answered
     * here, without asking the platform loader first, whose first resource lookup opens the JDK's
     * module image reader for a name it cannot hold.
     */
    @Override
    public URL getResource(String name) {
        if (name.startsWith("com/sun/jna/") && name.endsWith(".so")) {
            return findResource(name);
        }
        return super.getResource(name);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (name.equals(JNA_JAVA8_CALLER)) {
            throw new ClassNotFoundException(name + " (JNA's Java 8 fallback, not used on Java 9+)");
        }
        String path = name.replace('.', '/') + IsolatedImplementation.CLASS_SUFFIX;
        JarEntry e = null;
        int dot = name.lastIndexOf('.');
        int[] stored = versions.isEmpty() || dot < 0 ? null : versions.get(name.substring(0, dot));
        for (int i = 0; stored != null && i < stored.length && e == null; i++) {
            e = jar.getJarEntry(IsolatedImplementation.PREFIX + IsolatedImplementation.VERSIONS + stored[i] + "/" + path);
        }
        if (e == null) {
            e = jar.getJarEntry(IsolatedImplementation.PREFIX + path);
        }
        if (e == null) {
            throw new ClassNotFoundException(name);
        }
        try (InputStream in = jar.getInputStream(e)) {
            byte[] b = readEntry(in, e.getSize());
            return defineClass(name, b, 0, b.length, domain);
        } catch (IOException ex) {
            throw new ClassNotFoundException(name + ": cannot read " + e.getName() + ": " + ex, ex);
        }
    }

    /**
     * An entry's bytes into an array of its size, read once: {@code readAllBytes} reads through a
     * 16 KiB buffer (8 KiB before JDK 21) and copies out of it, and for every class a restore loads
     * in a cold JVM those buffers are fresh heap, page-faulted in for nothing and counted in peak
     * RSS (bench/README.md, "Peak RSS").
     */
    static byte[] readEntry(InputStream in, long size) throws IOException {
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            return in.readAllBytes(); // a size the jar does not say: as the JDK would read it
        }
        byte[] b = new byte[(int) size];
        int n = in.readNBytes(b, 0, b.length);
        if (n != b.length || in.read() != -1) {
            throw new IOException("the entry holds " + (n != b.length ? n + " bytes" : "more bytes") + " where the jar says "
                    + size);
        }
        return b;
    }

    @Override
    protected Class<?> findClass(String moduleName, String name) {
        if (moduleName != null && !moduleName.equals(module)) {
            return null;
        }
        try {
            return findClass(name);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    @Override
    protected URL findResource(String name) {
        if (name.endsWith(".so")) {
            // JNA's libjnidispatch: a file unpacked once, not a jar entry JNA unpacks on every start
            URL file = nativeLibrary(name);
            if (file != null) {
                return file;
            }
        }
        URI uri = entryUrl(jar, jarUri, name);
        try {
            return uri == null ? null : uri.toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The checked file of a native library ({@link NativeLibraryFile}), looked up and checked once
     * per loader: the binding asks for it before JNA loads it, to tell JNA it need not unpack.
     */
    private URL nativeLibrary(String name) {
        synchronized (nativeLibraries) {
            if (!nativeLibraries.containsKey(name)) {
                nativeLibraries.put(name, NativeLibraryFile.cached(jar, IsolatedImplementation.PREFIX + name));
            }
            return nativeLibraries.get(name);
        }
    }

    @Override
    protected URL findResource(String moduleName, String name) {
        return moduleName == null || moduleName.equals(module) ? findResource(name) : null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL u = findResource(name);
        return u == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singleton(u));
    }

    /** A {@code jar:} URI for a resource under {@code inst/}, or null. Classes are stored as .classdata. */
    static URI entryUrl(JarFile jar, URI jarUri, String name) {
        String stored = name.endsWith(".class")
                ? name.substring(0, name.length() - ".class".length()) + IsolatedImplementation.CLASS_SUFFIX : name;
        if (jar.getJarEntry(IsolatedImplementation.PREFIX + stored) == null) {
            return null;
        }
        return URI.create("jar:" + jarUri + "!/" + IsolatedImplementation.PREFIX + stored);
    }

    /** The resource name of a stored entry name (relative to inst/). */
    static String resourceName(String stored) {
        return stored.endsWith(IsolatedImplementation.CLASS_SUFFIX)
                ? stored.substring(0, stored.length() - IsolatedImplementation.CLASS_SUFFIX.length()) + ".class" : stored;
    }
}
