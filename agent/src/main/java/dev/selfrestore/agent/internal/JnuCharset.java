package dev.selfrestore.agent.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The charset the JVM used to turn its command line into {@code String}s ({@code
 * sun.jnu.encoding}, from the locale at launch): the one that turns them back into the bytes the
 * kernel holds. UTF-8 when the property is absent or names no charset this JVM has.
 */
public final class JnuCharset {
    private JnuCharset() {
    }

    public static Charset get() {
        String name = System.getProperty("sun.jnu.encoding");
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
