package dev.selfrestore.agent.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's lines on stderr, and the agent option {@code report=FILE}: every line the agent
 * prints is also written to FILE, each preceded by its kind and a tab, so that whoever loaded the
 * agent (the {@code attach} command) learns the target's own result:
 * <pre>
 * restored         selfrestore: restored pid 4242 (...)
 * partly-restored  selfrestore: partly restored ...; exe not changed: ...
 * not-restored     selfrestore: not restored: ...
 * captured         selfrestore: captured pid 4243 (...) to FILE
 * not-captured     selfrestore: not captured: ...
 * detail           any other line (a stack trace with debug=true, strict=true's last word)
 * </pre>
 * The kind is the one the agent printed the line as ({@link Kind}), never worked out from the
 * text. {@link #read} reads this format back; an {@code attach} may read a report written by an
 * agent of another version (a target can already run the agent from another jar), so its words
 * and layout stay as they are. With {@code quiet=true} a
 * successful restore prints nothing; the report still records {@code restored}. FILE is replaced
 * atomically after each line (written beside it, then renamed), so a reader sees a whole report
 * or none, even if {@code strict=true} ends the JVM.
 *
 * <p>Without {@code report=} only stderr is written.
 */
public final class AgentReport {
    private static final String PREFIX = "selfrestore: ";

    /** What a line of the report stands for: its first column. */
    public enum Kind {
        RESTORED("restored"),
        PARTLY_RESTORED("partly-restored"),
        NOT_RESTORED("not-restored"),
        CAPTURED("captured"),
        NOT_CAPTURED("not-captured"),
        DETAIL("detail");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        /** As the report writes it. */
        public String word() {
            return word;
        }

        /** Whether the line is a restore's outcome. */
        public boolean ofRestore() {
            return this == RESTORED || this == PARTLY_RESTORED || this == NOT_RESTORED;
        }

        static Kind of(RestoreVerdict.Kind restore) {
            switch (restore) {
                case RESTORED:
                    return RESTORED;
                case PARTLY:
                    return PARTLY_RESTORED;
                default:
                    return NOT_RESTORED;
            }
        }

        private static Kind ofWord(String word) {
            for (Kind k : values()) {
                if (k.word.equals(word)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** One line of a report: its kind and the line as the agent printed it. */
    public record Line(Kind kind, String text) {
        String entry() {
            return kind.word + "\t" + text;
        }

        /** A line of the file; one without a known kind is a detail, whole. */
        static Line parse(String entry) {
            int tab = entry.indexOf('\t');
            Kind kind = tab < 0 ? null : Kind.ofWord(entry.substring(0, tab));
            return kind == null ? new Line(Kind.DETAIL, entry) : new Line(kind, entry.substring(tab + 1));
        }
    }

    /** The lines of a report FILE, as the agent wrote them. */
    public static List<Line> read(Path file) throws IOException {
        List<Line> out = new ArrayList<>();
        for (String entry : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            out.add(Line.parse(entry));
        }
        return out;
    }

    private final Path file;
    private final PrintStream stderr;
    private final AgentOptions options;
    private final List<String> entries = new ArrayList<>();

    AgentReport(AgentOptions o, PrintStream stderr) {
        this.file = o.report == null ? null : Path.of(o.report);
        this.stderr = stderr;
        this.options = o;
    }

    /** Prints {@code selfrestore: TEXT} on stderr, and records it as {@code kind}. */
    void print(Kind kind, String text) {
        String line = PREFIX + text;
        stderr.println(line);
        record(new Line(kind, line));
    }

    /**
     * A restore's verdict, as one line; then, with {@code debug=true}, its failure's stack trace. A
     * quiet success prints nothing, and the report still says that the restore succeeded.
     */
    void restore(RestoreVerdict verdict) {
        if (verdict.kind() == RestoreVerdict.Kind.RESTORED && options.quiet) {
            record(new Line(Kind.RESTORED, PREFIX + "restored " + options.descriptor + " (quiet=true)"));
            return;
        }
        print(Kind.of(verdict.kind()), verdict.line(options.strict));
        if (options.debug && verdict.cause() != null) {
            stackTrace(verdict.cause());
        }
    }

    /** Prints the stack trace of {@code t} on stderr; the report records each of its lines as a detail. */
    void stackTrace(Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        stderr.print(trace);
        stderr.flush();
        trace.toString().lines().forEach(l -> record(new Line(Kind.DETAIL, l)));
    }

    private synchronized void record(Line line) {
        if (file == null) {
            return;
        }
        entries.add(line.entry());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.write(tmp, (String.join("\n", entries) + "\n").getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // The report is for the caller; the application goes on. Say so once, on stderr only.
            if (entries.size() == 1) {
                System.err.println(PREFIX + "cannot write the report " + file + ": " + e);
            }
        }
    }
}
