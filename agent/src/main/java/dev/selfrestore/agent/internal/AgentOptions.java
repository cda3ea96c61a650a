package dev.selfrestore.agent.internal;

import dev.selfrestore.runtime.restore.RestoreOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The agent's argument: {@code [<descriptor>][,key=value…]}. The first item is the descriptor to
 * restore (a descriptor file, or a CRIU image directory) unless it has an {@code =}; then every item is an option and there is no restore, which
 * needs {@code capture=}. A descriptor path cannot hold {@code ,} or (as the first item) {@code =}.
 *
 * <ul>
 *   <li>{@code quiet=true}: no summary line on success (failures are still reported)</li>
 *   <li>{@code strict=true}: any failure ends the JVM with status 1 before {@code main}</li>
 *   <li>{@code debug=true}: stack traces with failures</li>
 *   <li>{@code mode=relocate} (default): keep this JVM's memory layout, place cmdline and environ
 *       in a new mapping; {@code mode=exact}: apply every saved field as it is, when the memory
 *       is at the saved layout, refusing otherwise</li>
 *   <li>{@code env=all} (default): /proc/PID/environ, the C library's environment and Java's
 *       ({@code System.getenv}, {@code ProcessBuilder}) all become the original's;
 *       {@code env=proc}: /proc only</li>
 *   <li>{@code main-args=restore}: {@code main(String[])} receives the original's application
 *       arguments; {@code main-args=keep} (default): its own</li>
 *   <li>{@code jvm=restore}: the JVM's own views of its launch (system properties from its
 *       {@code -D} options, {@code sun.java.command}, {@code RuntimeMXBean.getInputArguments()},
 *       {@code jcmd VM.command_line}, {@code jps}) become a JVM original's (see JvmViews); implies
 *       {@code main-args=restore} in premain (in a running JVM main has its arguments already). {@code jvm=keep} (default): this JVM's</li>
 *   <li>{@code capture=FILE}: write this JVM's own descriptor (exact brk) to FILE when the agent
 *       starts (after the restore, if there is one: it then records the restored identity), and
 *       again before each CRaC checkpoint. {@code -javaagent:selfrestore.jar=capture=/path/app.mmd}
 *       captures only.</li>
 *   <li>{@code capture-force=true}: let {@code capture=} replace an existing FILE</li>
 *   <li>{@code insecure-descriptor=true}: read a descriptor another user could have written
 *       (see DescriptorTrust); refused by default</li>
 *   <li>{@code set-env=NAME=VALUE} (repeatable): set a variable of the restored environment, as
 *       {@code selfrestore edit --set-env} does, after the descriptor is read and before it is
 *       checked; {@code \xHH} is a byte, so a comma is {@code \x2c} and a backslash {@code \\}</li>
 *   <li>{@code env-file=FILE} (repeatable): set every NAME=VALUE entry of FILE (lines, or
 *       NUL-separated when the file holds a NUL byte), trusted as a descriptor is (DescriptorTrust)</li>
 *   <li>{@code pid=PID}: with a CRIU image directory, the process of the image to restore
 *       (default: the root of its process tree)</li>
 *   <li>{@code report=FILE}: also write every line printed, with its outcome, to FILE (for
 *       {@code selfrestore attach}; see AgentReport)</li>
 *   <li>{@code test-faults=SPEC}: for tests only: make the native calls SPEC names fail as on a
 *       kernel or machine this one is not, e.g. {@code test-faults=no-mm-map} or
 *       {@code test-faults=mremap:2:ENOMEM}; only in a testing build of the jar (see TestFaults)</li>
 * </ul>
 */
final class AgentOptions {
    /** The argument as given (what follows {@code =} in this agent's {@code -javaagent} option). */
    String raw;
    String descriptor;
    boolean quiet;
    boolean strict;
    boolean debug;
    RestoreOptions.Mode mode = RestoreOptions.Mode.RELOCATE;
    Env env = Env.ALL;
    boolean restoreMainArgs;
    /** jvm=restore: the JVM's own views of its launch become the original's (implies main-args=restore). */
    boolean restoreJvm;
    String capture;
    boolean captureForce;
    String report;
    boolean insecureDescriptor;
    String testFaults;
    /** pid=: the process of a CRIU image directory to restore; 0 for the image's root. */
    long pid;
    /** The restore-time edits in the order given: {@code {"set-env", "NAME=VALUE"}} or {@code {"env-file", FILE}}. */
    final List<String[]> edits = new ArrayList<>();
    final List<String> errors = new ArrayList<>();

    /** env=: which environments the restore changes. */
    enum Env {
        /** /proc/PID/environ, the C library's and Java's. */
        ALL,
        /** /proc/PID/environ only. */
        PROC
    }

    static AgentOptions parse(String args) {
        AgentOptions o = new AgentOptions();
        o.raw = args;
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
            } else {
                o.set(p.substring(0, eq), p.substring(eq + 1));
            }
        }
        if (o.descriptor == null && o.capture == null && o.errors.isEmpty()) {
            o.errors.add("no descriptor given: use -javaagent:selfrestore.jar=<descriptor-file>[,key=value...] "
                    + "(or capture=<file> to capture only)");
        }
        return o;
    }

    /** One {@code key=value} item; a bad one adds its line to {@link #errors}. */
    private void set(String key, String value) {
        switch (key) {
            case "quiet" -> quiet = bool(this, key, value);
            case "strict" -> strict = bool(this, key, value);
            case "debug" -> debug = bool(this, key, value);
            case "mode" -> mode = oneOf(this, key, value, RestoreOptions.Mode.RELOCATE, RestoreOptions.Mode.EXACT);
            case "env" -> env = oneOf(this, key, value, Env.ALL, Env.PROC);
            case "main-args" -> restoreMainArgs = oneOf(this, key, value, "keep", "restore").equals("restore");
            case "jvm" -> restoreJvm = oneOf(this, key, value, "keep", "restore").equals("restore");
            case "capture" -> capture = path(this, key, value);
            case "capture-force" -> captureForce = bool(this, key, value);
            case "report" -> report = path(this, key, value);
            case "set-env" -> setEnv(value);
            case "env-file" -> envFile(value);
            case "insecure-descriptor" -> insecureDescriptor = bool(this, key, value);
            case "pid" -> pid(value);
            case "test-faults" -> testFaults(value);
            default -> errors.add("unknown agent option '" + key + "' (known: quiet, strict, debug, mode, env, "
                    + "main-args, jvm, capture, capture-force, set-env, env-file, report, insecure-descriptor, pid)");
        }
    }

    private void setEnv(String value) {
        if (value.indexOf('=') <= 0) {
            errors.add("agent option set-env=" + value + " must be set-env=NAME=VALUE");
        } else {
            edits.add(new String[] {"set-env", value});
        }
    }

    private void envFile(String value) {
        String file = path(this, "env-file", value);
        if (file != null) {
            edits.add(new String[] {"env-file", file});
        }
    }

    private void pid(String value) {
        try {
            pid = Long.parseLong(value);
            if (pid <= 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            errors.add("agent option pid=" + value + " must be a process id (a positive number)");
        }
    }

    private void testFaults(String value) {
        try {
            TestFaults.check(value);
            testFaults = value;
        } catch (IllegalArgumentException e) {
            errors.add("agent option test-faults=" + value + ": " + e.getMessage());
        }
    }

    private static String oneOf(AgentOptions o, String key, String value, String first, String second) {
        if (value.equals(first) || value.equals(second)) {
            return value;
        }
        o.errors.add("agent option " + key + "=" + value + " must be " + first + " or " + second);
        return first;
    }

    /** An enum option: its values are the constants' names in lower case. */
    private static <E extends Enum<E>> E oneOf(AgentOptions o, String key, String value, E first, E second) {
        String name = oneOf(o, key, value, lower(first), lower(second));
        return name.equals(lower(second)) ? second : first;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
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
