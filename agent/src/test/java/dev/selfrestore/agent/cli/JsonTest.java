package dev.selfrestore.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesIndentedAsciiOnly() {
        Map<String, Object> m = Json.object();
        m.put("s", "a\"b\\c\n\u00e9\u0001");
        m.put("n", 42L);
        m.put("b", true);
        m.put("z", null);
        m.put("l", List.of(1, "x"));
        m.put("e", List.of());
        m.put("o", Json.object());
        assertEquals("{\n"
                + "  \"s\": \"a\\\"b\\\\c\\n\\u00e9\\u0001\",\n"
                + "  \"n\": 42,\n"
                + "  \"b\": true,\n"
                + "  \"z\": null,\n"
                + "  \"l\": [\n    1,\n    \"x\"\n  ],\n"
                + "  \"e\": [],\n"
                + "  \"o\": {}\n"
                + "}\n", Json.write(m));
    }

    @Test
    void bytesAreGivenAsEscapedTextAndExactHex() {
        Map<String, Object> b = Show.bytes(new byte[] {'B', '=', (byte) 0xff, 'x', '\\'});
        assertEquals("B=\\xffx\\\\", b.get("text"));
        assertEquals("423dff785c", b.get("hex"));
    }
}
