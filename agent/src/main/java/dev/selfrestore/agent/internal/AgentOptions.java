package dev.selfrestore.agent.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The agent's argument: {@code <descriptor>[,key=value…]}.
 *
 * <ul>
 *   <li>{@code quiet=true}: no summary line on success (failures are still reported)</li>
 *   <li>{@code strict=true}: any failure ends the JVM with status 1 before {@code main}</li>
 *   <li>{@code debug=true}: stack traces with failures</li>
 *   <li>{@code mode=relocate}: keep this JVM's memory layout (the default and only mode so far)</li>
 * </ul>
 */
final class AgentOptions {
    String descriptor;
    boolean quiet;
    boolean strict;
    boolean debug;
    String mode = "relocate";
    final List<String> errors = new ArrayList<>();

    static AgentOptions parse(String args) {
        AgentOptions o = new AgentOptions();
        if (args == null || args.isEmpty()) {
            o.errors.add("no descriptor given: use -javaagent:selfrestore.jar=<descriptor-file>[,key=value...]");
            return o;
        }
        String[] parts = args.split(",", -1);
        o.descriptor = parts[0];
        if (o.descriptor.isEmpty() || o.descriptor.contains("=")) {
            o.errors.add("the first agent argument must be the descriptor file, got '" + parts[0] + "'");
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            if (eq <= 0) {
                o.errors.add("agent option '" + p + "' is not key=value");
                continue;
            }
            String key = p.substring(0, eq);
            String value = p.substring(eq + 1);
            switch (key) {
                case "quiet":
                    o.quiet = bool(o, key, value);
                    break;
                case "strict":
                    o.strict = bool(o, key, value);
                    break;
                case "debug":
                    o.debug = bool(o, key, value);
                    break;
                case "mode":
                    if (!value.equals("relocate")) {
                        o.errors.add("agent option mode=" + value + " is not supported (known: relocate)");
                    }
                    o.mode = value;
                    break;
                default:
                    o.errors.add("unknown agent option '" + key + "' (known: quiet, strict, debug, mode)");
            }
        }
        return o;
    }

    private static boolean bool(AgentOptions o, String key, String value) {
        if (value.equals("true")) {
            return true;
        }
        if (!value.equals("false")) {
            o.errors.add("agent option " + key + "=" + value + " must be true or false");
        }
        return false;
    }
}
