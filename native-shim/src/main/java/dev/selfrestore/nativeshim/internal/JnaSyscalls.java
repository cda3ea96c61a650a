package dev.selfrestore.nativeshim.internal;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import dev.selfrestore.nativeshim.Syscalls;

/**
 * {@link Syscalls} on the real kernel through JNA: binds the C library once and makes the four
 * areas, {@link JnaMm}, {@link JnaMemory}, {@link JnaFiles} and {@link JnaProcesses}.
 *
 * <p>libc's functions are called through {@code Function} objects looked up once (see {@link Libc}
 * for why not direct mapping). The C functions that are variadic ({@code prctl}, {@code open},
 * {@code mremap}, {@code syscall}) are called with a fixed arity of 64-bit integer arguments. That
 * is correct on the two supported ABIs: on x86_64 SysV a variadic callee reads integer arguments
 * from the same registers as a fixed one (libffi also sets {@code %al}, which a variadic prologue
 * reads); on aarch64 Linux (AAPCS64, unlike Apple's variant) variadic arguments are passed exactly
 * like named ones. Other platforms are refused.
 *
 * <p>Pointers are passed as {@code long} addresses: on these LP64 ABIs a pointer and a
 * {@code long} travel the same way, and no JNA {@code Pointer} objects are made for memory this
 * process does not own through JNA.
 */
public final class JnaSyscalls {

    private static volatile Syscalls instance;

    private JnaSyscalls() {
    }

    /** Binds libc on first use. */
    public static Syscalls instance() {
        Syscalls s = instance;
        if (s == null) {
            synchronized (JnaSyscalls.class) {
                s = instance;
                if (s == null) {
                    s = bind(checkPlatform());
                    instance = s;
                }
            }
        }
        return s;
    }

    /**
     * Binds the C library, leaving no trace of JNA's set-up in the application:
     * <ul>
     *   <li>JNA records {@code jna.loaded}, {@code jnidispatch.path} and
     *       {@code jna.platform.library.path} as system properties: whatever it adds is removed.</li>
     *   <li>Without {@code jna.platform.library.path}, NativeLibrary's initialiser runs
     *       {@code ldconfig -p}-style probes in a child process (and so starts the JDK's
     *       "process reaper" thread); libc is opened by its soname and needs no search path, so
     *       the property is set, empty, for the duration.</li>
     *   <li>JNA first scans its temporary directory for stale unpacked copies of its library, and
     *       tries {@code System.loadLibrary}; when our loader serves the library as a file, which
     *       JNA loads in place, neither is of use, and {@code jna.nounpack} and {@code jna.nosys}
     *       are set for the duration (bench/README.md, "JNA binding").</li>
     *   <li>A NativeLibrary registers with JNA's Cleaner, whose thread lives while anything is
     *       registered (and 30 s beyond). The Function objects keep the addresses they were
     *       looked up at, and libc cannot be unloaded from a running JVM, so the library object is
     *       closed once bound (the address of {@code environ} read before), which leaves our
     *       Cleaner with nothing to do, and its thread is ended (it returns when interrupted).
     *       Only our JNA's thread: an application's own JNA has a Cleaner of its own.</li>
     * </ul>
     */
    private static Syscalls bind(long sysBrk) {
        // Only JNA's own keys are saved and put back: another thread of ours may set and restore
        // properties of its own meanwhile (Chronicle's initialisation, see ChronicleStartup).
        String[] values = new String[JNA_PROPERTIES.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = System.getProperty(JNA_PROPERTIES[i]);
        }
        try {
            System.setProperty("jna.platform.library.path", "");
            if (servedAsFile() && values[NOUNPACK] == null && values[NOSYS] == null) {
                // Loaded in place from the file our loader serves: nothing to unpack, so no temporary
                // directory to choose or to scan for stale copies, and no system library to try first.
                System.setProperty("jna.nounpack", "true");
                System.setProperty("jna.nosys", "true");
            } else if (values[TMPDIR] == null) {
                System.setProperty("jna.tmpdir", jnaTempDir());
            }
            NativeLibrary libc = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
            Libc.bind(libc);
            long environ = com.sun.jna.Pointer.nativeValue(libc.getGlobalVariableAddress("environ"));
            libc.close();
            JnaCleaner.end(JnaSyscalls.class.getClassLoader());
            return new Syscalls(new JnaMm(sysBrk), new JnaMemory(environ), new JnaFiles(), new JnaProcesses());
        } finally {
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) {
                    System.clearProperty(JNA_PROPERTIES[i]);
                } else {
                    System.setProperty(JNA_PROPERTIES[i], values[i]);
                }
            }
        }
    }

    /**
     * The system properties JNA 5 sets while it loads (Native and NativeLibrary write no others;
     * NoTraceIT compares every property with and without the agent).
     */
    private static final String[] JNA_PROPERTIES = {"jna.loaded", "jnidispatch.path", "jna.platform.library.path", "jna.nounpack",
        "jna.tmpdir", "jna.nosys"};
    private static final int NOUNPACK = 3;
    private static final int TMPDIR = 4;
    private static final int NOSYS = 5;

    /**
     * Whether JNA's native library is served to it as a {@code file:} URL, which JNA loads in place
     * (selfrestore's loader serves a checked copy unpacked once; see the agent's
     * {@code NativeLibraryFile}), rather than as a jar entry it must unpack first.
     */
    private static boolean servedAsFile() {
        ClassLoader loader = JnaSyscalls.class.getClassLoader();
        java.net.URL url = loader == null ? null
                : loader.getResource("com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + System.mapLibraryName("jnidispatch"));
        return url != null && url.getProtocol().equals("file");
    }

    /**
     * The directory JNA's {@code Native.getTempDir} chooses on Linux ({@code $XDG_CACHE_HOME/JNA/temp},
     * else {@code ~/.cache/JNA/temp}, made if missing; {@code java.io.tmpdir} when that cannot be made
     * or written), given to it as {@code jna.tmpdir} while it loads: otherwise it
     * asks {@code System.getenv}, whose first use makes the JDK decode and keep the whole environment
     * (ProcessEnvironment), which a restore would then have to refill, one variable at a time; left
     * alone, the JDK reads the restored environment when the application first asks for it. The
     * variable is read from /proc/self/environ, the environment this process started with.
     */
    private static String jnaTempDir() {
        String xdg = null;
        try {
            byte[] env = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/environ"));
            byte[] key = "XDG_CACHE_HOME=".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            for (int i = 0; i < env.length && xdg == null; ) {
                int end = i;
                while (end < env.length && env[end] != 0) {
                    end++;
                }
                if (end - i >= key.length && java.util.Arrays.equals(env, i, i + key.length, key, 0, key.length)) {
                    xdg = new String(env, i + key.length, end - i - key.length, jnuCharset());
                }
                i = end + 1;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // as if unset
        }
        java.io.File cache = xdg == null || xdg.trim().isEmpty()
                ? new java.io.File(System.getProperty("user.home"), ".cache") : new java.io.File(xdg);
        java.io.File dir = new java.io.File(cache, "JNA/temp");
        dir.mkdirs();
        return dir.exists() && dir.canWrite() ? dir.getPath() : System.getProperty("java.io.tmpdir");
    }

    private static java.nio.charset.Charset jnuCharset() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding"));
        } catch (RuntimeException e) {
            return java.nio.charset.Charset.defaultCharset();
        }
    }

    /** Returns the brk syscall number of this architecture, or refuses the platform. */
    private static long checkPlatform() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux")) {
            throw new UnsupportedOperationException("Unsupported platform: " + os + " (selfrestore needs Linux)");
        }
        switch (arch) {
            case "amd64":
            case "x86_64":
                return 12;
            case "aarch64":
                return 214;
            default:
                throw new UnsupportedOperationException(
                        "Unsupported platform: Linux/" + arch + " (selfrestore supports x86_64 and aarch64)");
        }
    }
}
