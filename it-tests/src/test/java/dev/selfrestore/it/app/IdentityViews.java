package dev.selfrestore.it.app;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The application's own view of its identity, printed as hex so no byte is lost on the way to the
 * test:
 * <ul>
 *   <li>{@code ARG=} each argument main received (in sun.jnu.encoding, as the launcher decoded it);</li>
 *   <li>{@code JAVA_ENV=} each {@code System.getenv()} entry, NAME=value;</li>
 *   <li>{@code NATIVE_ENV=} NAME=value for each name of /proc/self/environ, read with the C
 *       library's getenv(3) through the application's own JNA (a version other than selfrestore's);</li>
 *   <li>{@code CHILD_INHERITED=} the environment {@code env -0} prints when started with no change to
 *       the environment (the C library's environ, passed by the JDK);</li>
 *   <li>{@code CHILD_MODIFIED=} the same with one variable added through
 *       {@code ProcessBuilder.environment()} (Java's copy of the environment);</li>
 *   <li>{@code PH_COMMAND=}, {@code PH_ARG=}: {@code ProcessHandle.current().info()}.</li>
 * </ul>
 * Then {@code READY}, and it lives until stdin is closed.
 */
public final class IdentityViews {

    private IdentityViews() {
    }

    /** The application's own binding to the C library. */
    public interface CLib extends Library {
        Pointer getenv(byte[] name);
    }

    public static void main(String[] args) throws Exception {
        HexFormat hex = HexFormat.of();
        Charset jnu = Charset.forName(System.getProperty("sun.jnu.encoding"));
        for (String a : args) {
            System.out.println("ARG=" + hex.formatHex(a.getBytes(jnu)));
        }
        for (Map.Entry<String, String> e : new TreeMap<>(System.getenv()).entrySet()) {
            System.out.println("JAVA_ENV=" + hex.formatHex((e.getKey() + "=" + e.getValue()).getBytes(jnu)));
        }
        CLib c = Native.load("c", CLib.class);
        byte[] environ = Files.readAllBytes(Path.of("/proc/self/environ"));
        int start = 0;
        for (int i = 0; i < environ.length; i++) {
            if (environ[i] == 0) {
                int eq = start;
                while (eq < i && environ[eq] != '=') {
                    eq++;
                }
                byte[] name = java.util.Arrays.copyOfRange(environ, start, eq);
                byte[] cname = java.util.Arrays.copyOf(name, name.length + 1);
                Pointer v = c.getenv(cname);
                String value = v == null ? "(unset)" : hex.formatHex(v.getByteArray(0, (int) v.indexOf(0, (byte) 0)));
                System.out.println("NATIVE_ENV=" + hex.formatHex(name) + "=" + value);
                start = i + 1;
            }
        }
        System.out.println("CHILD_INHERITED=" + hex.formatHex(run(new ProcessBuilder("/usr/bin/env", "-0"))));
        ProcessBuilder modified = new ProcessBuilder("/usr/bin/env", "-0");
        modified.environment().put("SRIT_EXTRA", "1");
        System.out.println("CHILD_MODIFIED=" + hex.formatHex(run(modified)));
        ProcessHandle.Info info = ProcessHandle.current().info();
        System.out.println("PH_COMMAND=" + info.command().orElse("?"));
        for (String a : info.arguments().orElse(new String[0])) {
            System.out.println("PH_ARG=" + hex.formatHex(a.getBytes(StandardCharsets.UTF_8)));
        }
        System.out.println("READY");
        System.out.flush();
        StdinWatch.awaitClosed(Duration.ofSeconds(120));
    }

    private static byte[] run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        p.waitFor();
        return out.toByteArray();
    }
}
