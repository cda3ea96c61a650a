package dev.selfrestore.it.app;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.net.URL;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;
import net.bytebuddy.matcher.ElementMatchers;
import net.openhft.chronicle.bytes.Bytes;

/**
 * An application with its own Byte Buddy, JNA and Chronicle Bytes on the class path (versions other
 * than selfrestore's), which it uses in main:
 * <ul>
 *   <li>Byte Buddy makes an implementation of {@link Greeter} in this package, which main calls;</li>
 *   <li>Chronicle Bytes writes an int, a long and a string to elastic bytes and reads them back;</li>
 *   <li>JNA calls getpid(2) through the C library.</li>
 * </ul>
 * For each library it prints what it did ({@code BYTEBUDDY=}, {@code CHRONICLE=}, {@code JNA=}) and,
 * for each class it used directly, {@code CLASS=name version loader source}: the version in the
 * manifest (Bundle-Version) of the jar the class came from, the class loader's name and the class's
 * code source. Then, once the libraries have done their work, {@code THREAD=} for each live thread
 * (name, daemon or not), sorted; then {@code READY}, and it lives until stdin is closed. Nothing
 * here depends on the agent: the same lines are printed with and without it.
 *
 * <p>Its JVM needs the options its libraries ask for: {@code --add-opens
 * java.base/java.lang.reflect=ALL-UNNAMED} (Chronicle Core) and, on JDK 22+,
 * {@code --enable-native-access=ALL-UNNAMED} (JNA); on JDK 24+ {@code
 * --sun-misc-unsafe-memory-access=allow} (Chronicle). With them it prints nothing on stderr.
 */
public final class OwnLibraries {

    private OwnLibraries() {
    }

    /** What the application's Byte Buddy implements. */
    public interface Greeter {
        String greet();
    }

    /** The application's own binding to the C library. */
    public interface CLib extends Library {
        int getpid();
    }

    public static void main(String[] args) throws Exception {
        Class<? extends Greeter> made = new ByteBuddy()
                .subclass(Greeter.class)
                .name(OwnLibraries.class.getName() + "$MadeByByteBuddy")
                .method(ElementMatchers.named("greet"))
                .intercept(FixedValue.value("hello from the application's Byte Buddy"))
                .make()
                .load(OwnLibraries.class.getClassLoader(), ClassLoadingStrategy.UsingLookup.of(MethodHandles.lookup()))
                .getLoaded();
        Greeter greeter = made.getDeclaredConstructor().newInstance();
        System.out.println("BYTEBUDDY=" + greeter.greet() + " (" + made.getName() + ", loader "
                + made.getClassLoader().getName() + ")");

        Bytes<?> bytes = Bytes.allocateElasticOnHeap(64);
        try {
            bytes.writeInt(42);
            bytes.writeLong(1L << 40);
            bytes.writeUtf8("written by the application's Chronicle Bytes");
            System.out.println("CHRONICLE=" + bytes.readInt() + " " + bytes.readLong() + " " + bytes.readUtf8());
        } finally {
            bytes.releaseLast();
        }

        CLib c = Native.load("c", CLib.class);
        int pid = c.getpid();
        System.out.println("JNA=getpid " + (pid == ProcessHandle.current().pid() ? "is" : "is not")
                + " this process's pid; JNA " + Native.class.getPackage().getImplementationVersion());

        for (Class<?> used : List.of(ByteBuddy.class, ClassLoadingStrategy.UsingLookup.class, FixedValue.class,
                ElementMatchers.class, Bytes.class, Native.class, Library.class)) {
            System.out.println("CLASS=" + describe(used));
        }

        List<String> threads = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            threads.add("THREAD=" + t.getName() + (t.isDaemon() ? " (daemon)" : ""));
        }
        Collections.sort(threads);
        threads.forEach(System.out::println);
        System.out.println("READY");
        System.out.flush();
        StdinWatch.awaitClosed(Duration.ofSeconds(120));
    }

    /** "name version loader source": the version from the manifest of the class's own jar. */
    private static String describe(Class<?> type) throws IOException {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        ClassLoader loader = type.getClassLoader();
        return type.getName() + " " + version(location) + " " + (loader == null ? "bootstrap" : loader.getName())
                + " " + location;
    }

    /** The Bundle-Version in the manifest of the jar at {@code location}. */
    private static String version(URL location) throws IOException {
        if (location == null || !location.getPath().endsWith(".jar")) {
            return "(not a jar)";
        }
        try (JarFile jar = new JarFile(location.getPath())) {
            Manifest manifest = jar.getManifest();
            String version = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-Version");
            return version == null ? "(no Bundle-Version)" : version;
        }
    }
}
