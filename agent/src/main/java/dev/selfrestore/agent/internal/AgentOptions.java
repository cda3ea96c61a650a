package dev.selfrestore.agent.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The agent's argument: {@code [<descriptor>][,key=value…]}. The first item is the descriptor to
 * restore unless it has an {@code =}; then every item is an option and there is no restore, which
 * needs {@code capture=}. A descriptor path cannot hold {@code ,} or (as the first item) {@code =}.
 *
 * <ul>
 *   <li>{@code quiet=true}: no summary line on success (failures are still reported)</li>
 *   <li>{@code strict=true}: any failure ends the JVM with status 1 before {@code main}</li>
 *   <li>{@code debug=true}: stack traces with failures</li>
 *   <li>{@code mode=relocate}: keep this JVM's memory layout (the default and only mode so far)</li>
 *   <li>{@code capture=FILE}: write this JVM's own descriptor (exact brk) to FILE when the agent
 *       starts (after the restore, if there is one: it then records the restored identity), and
 *       again before each CRaC checkpoint. {@code -javaagent:selfrestore.jar=capture=/path/app.mmd}
 *       captures only.</li>
 *   <li>{@code capture-force=true}: let {@code capture=} replace an existing FILE</li>
 *   <li>{@code report=FILE}: also write every line printed, with its outcome, to FILE (for
 *       {@code selfrestore attach}; see AgentReport)</li>
 * </ul>
 */
final class AgentOptions {
    String descriptor;
    boolean quiet;
    boolean strict;
    boolean debug;
    String mode = "relocate";
    String capture;
    boolean captureForce;
    String report;
    final List<String> errors = new ArrayList<>();

    static AgentOptions parse(String args) {
        AgentOptions o = new AgentOptions();
        if (args == null || args.isEmpty()) {
            o.errors.add("no descriptor given: use -javaagent:selfrestore.jar=<descriptor-file>[,key=value...]");
            return o;
        }
        String[] parts = args.split(",", -1);
        int first = parts[0].contains("=") ? 0 : 1; // no descriptor: options only (capture=FILE)
        if (first == 1) {
            o.descriptor = parts[0];
            if (o.descriptor.isEmpty()) {
                o.errors.add("the first agent argument must be the descriptor file, got ''");
            }
        }
        for (int i = first; i < parts.length; i++) {
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
                case "capture":
                    o.capture = path(o, key, value);
                    break;
                case "capture-force":
                    o.captureForce = bool(o, key, value);
                    break;
                case "report":
                    o.report = path(o, key, value);
                    break;
                default:
                    o.errors.add("unknown agent option '" + key + "' (known: quiet, strict, debug, mode, "
                            + "capture, capture-force, report)");
            }
        }
        if (o.descriptor == null && o.capture == null && o.errors.isEmpty()) {
            o.errors.add("no descriptor given: use -javaagent:selfrestore.jar=<descriptor-file>[,key=value...] "
                    + "(or capture=<file> to capture only)");
        }
        return o;
    }

    private static String path(AgentOptions o, String key, String value) {
        if (value.isEmpty()) {
            o.errors.add("agent option " + key + "= needs a file path");
            return null;
        }
        return value;
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
