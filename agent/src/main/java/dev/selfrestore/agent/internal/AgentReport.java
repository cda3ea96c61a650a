package dev.selfrestore.agent.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent option {@code report=FILE}: every line the agent prints on stderr is also written to
 * FILE, each preceded by its outcome and a tab, so that whoever loaded the agent (the {@code attach}
 * command) learns the target's own result:
 * <pre>
 * restored         selfrestore: restored pid 4242 (...)
 * partly-restored  selfrestore: partly restored ...; exe not changed: ...
 * not-restored     selfrestore: not restored: ...
 * captured         selfrestore: captured pid 4243 (...) to FILE
 * not-captured     selfrestore: not captured: ...
 * detail           any other line (a stack trace with debug=true, strict=true's last word)
 * </pre>
 * With {@code quiet=true} a successful restore prints nothing; the report still records
 * {@code restored}. FILE is replaced atomically after each line (written beside it, then renamed),
 * so a reader sees a whole report or none, even if {@code strict=true} ends the JVM.
 *
 * <p>Without {@code report=} nothing of this exists: {@link #err()} is {@code System.err} itself.
 */
final class AgentReport {
    private static final String PREFIX = "selfrestore: ";

    private final Path file;
    private final PrintStream err;
    private final List<String> lines = new ArrayList<>();

    AgentReport(AgentOptions o, PrintStream stderr) {
        this.file = o.report == null ? null : Path.of(o.report);
        this.err = file == null ? stderr : tee(stderr);
    }

    /** Where the agent prints: stderr, and the report when there is one. */
    PrintStream err() {
        return err;
    }

    /** After the restore: a quiet success printed nothing, but the report says so. */
    void restoreDone(AgentOptions o) {
        if (file != null && o.descriptor != null && o.errors.isEmpty() && lines.isEmpty()) {
            record("restored\t" + PREFIX + "restored " + o.descriptor + " (quiet=true)");
        }
    }

    private PrintStream tee(PrintStream stderr) {
        Charset cs = stderrCharset();
        OutputStream lineSplitter = new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                stderr.write(b);
                if (b == '\n') {
                    String text = line.toString(cs);
                    line.reset();
                    record(outcome(text) + "\t" + text);
                } else {
                    line.write(b);
                }
            }

            @Override
            public void flush() {
                stderr.flush();
            }
        };
        try {
            return new PrintStream(lineSplitter, true, cs.name());
        } catch (UnsupportedEncodingException e) {
            return new PrintStream(lineSplitter, true);
        }
    }

    private static Charset stderrCharset() {
        for (String p : new String[] {"stderr.encoding", "sun.stderr.encoding"}) {
            String name = System.getProperty(p);
            if (name != null && Charset.isSupported(name)) {
                return Charset.forName(name);
            }
        }
        return Charset.defaultCharset();
    }

    /** The outcome a line of the agent's stderr stands for. */
    static String outcome(String line) {
        if (!line.startsWith(PREFIX)) {
            return "detail";
        }
        String s = line.substring(PREFIX.length());
        if (s.startsWith("restored ")) {
            return "restored";
        }
        if (s.startsWith("partly restored") || s.startsWith("restore of ")) {
            return "partly-restored";
        }
        if (s.startsWith("not restored")) {
            return "not-restored";
        }
        if (s.startsWith("captured ")) {
            return "captured";
        }
        if (s.startsWith("not captured")) {
            return "not-captured";
        }
        return "detail";
    }

    private synchronized void record(String entry) {
        lines.add(entry);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.write(tmp, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // The report is for the caller; the application goes on. Say so once, on stderr only.
            if (lines.size() == 1) {
                System.err.println(PREFIX + "cannot write the report " + file + ": " + e);
            }
        }
    }
}
