package dev.selfrestore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.ItConfig;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The agent jar joins the application's class path: only selfrestore's entry point may be visible
 * there as classes. Everything else, our libraries included, is stored under inst/ where no other
 * class loader looks.
 */
class JarLayoutIT {

    @Test
    void onlyTheEntryPointIsOnTheApplicationsClassPath() throws Exception {
        try (JarFile jar = new JarFile(ItConfig.agentJar().toFile())) {
            List<String> visible = jar.stream().map(e -> e.getName())
                    .filter(n -> !n.endsWith("/"))
                    .filter(n -> !n.startsWith("inst/"))
                    .filter(n -> !n.equals("META-INF/MANIFEST.MF"))
                    .filter(n -> !n.equals("dev/selfrestore/agent/SelfRestoreAgent.class"))
                    .filter(n -> !n.startsWith("dev/selfrestore/agent/bootstrap/"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), visible, "entries a class loader of the application could find");
            List<String> hiddenClasses = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("inst/") && n.endsWith(".class")).collect(Collectors.toList());
            assertEquals(List.of(), hiddenClasses, "classes under inst/ are stored as .classdata");
            assertTrue(jar.getEntry("inst/com/sun/jna/Native.classdata") != null, "JNA is inside, hidden");
            assertTrue(jar.getEntry("inst/net/openhft/chronicle/bytes/Bytes.classdata") != null, "Chronicle is inside, hidden");
        }
    }
}
