package dev.selfrestore.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.it.support.ItConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The agent jar joins the application's class path: only selfrestore's entry point may be visible
 * there as classes. Everything else, our libraries included, is stored under inst/ where no other
 * class loader looks. Test code is not in it at all: the testing jar the integration tests run
 * with {@code test-faults=} is this jar plus the test seams, and nothing else.
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

    @Test
    void theProductJarHoldsNoTestSeams() throws Exception {
        try (JarFile jar = new JarFile(ItConfig.agentJar().toFile())) {
            List<String> seams = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith(TESTING_PACKAGE) || n.equals(DECORATOR_ENTRY) || n.contains("FaultInjecting"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), seams, "test code in the product jar");
            assertFalse(index(jar).contains("0 dev.selfrestore.testing"), "the testing package in the product's index");
        }
    }

    @Test
    void theTestingJarIsTheProductJarPlusTheTestSeams() throws Exception {
        try (JarFile product = new JarFile(ItConfig.agentJar().toFile());
             JarFile testing = new JarFile(ItConfig.testingJar().toFile())) {
            Set<String> productEntries = product.stream().map(e -> e.getName()).collect(Collectors.toSet());
            for (String name : productEntries) {
                if (!name.endsWith("/") && !name.equals(INDEX)) {
                    assertTrue(testing.getEntry(name) != null, () -> "the testing jar lacks " + name);
                    assertArrayEquals(bytes(product, name), bytes(testing, name), () -> name + " differs");
                }
            }
            List<String> added = testing.stream().map(e -> e.getName())
                    .filter(n -> !n.endsWith("/") && !productEntries.contains(n)).sorted().collect(Collectors.toList());
            assertTrue(added.contains(DECORATOR_ENTRY) && added.stream().allMatch(n -> n.equals(DECORATOR_ENTRY)
                    || n.startsWith(TESTING_PACKAGE) && n.endsWith(".classdata")), () -> "entries the testing jar adds: " + added);
            List<String> index = new ArrayList<>(index(product));
            index.add("0 dev.selfrestore.testing");
            Collections.sort(index);
            assertEquals(index, index(testing), "the testing jar's package index");
        }
    }

    private static final String INDEX = "inst/META-INF/selfrestore.index";
    private static final String TESTING_PACKAGE = "inst/dev/selfrestore/testing/";
    private static final String DECORATOR_ENTRY = "inst/META-INF/services/dev.selfrestore.nativeshim.Syscalls$Decorator";

    private static List<String> index(JarFile jar) throws Exception {
        return new String(bytes(jar, INDEX), StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    }

    private static byte[] bytes(JarFile jar, String name) throws Exception {
        try (InputStream in = jar.getInputStream(jar.getEntry(name))) {
            return in.readAllBytes();
        }
    }
}
