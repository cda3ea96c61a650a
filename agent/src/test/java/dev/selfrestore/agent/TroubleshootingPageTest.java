package dev.selfrestore.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every message the product can print is findable in {@code docs/troubleshooting.md}: each fixed
 * piece of text of each message appears in the page, so that a user who searches the page for a
 * phrase of the line they got finds its entry.
 *
 * <p><b>What a message is.</b> The product's messages are built by concatenating string literals
 * with values ({@code "exe not changed: " + path + " is not executable (mode 0" + mode + ")"}), so
 * the unit checked is the string literal: its text, whitespace trimmed, must occur in the page
 * (whose whitespace runs are read as one space). The literals are those of the product's main
 * sources ({@link #SOURCE_ROOTS}), found by the JDK's own Java parser, that
 * <ul>
 *   <li>read as prose: a word of two or more letters, a space, and another word
 *       ({@link #PROSE}); identifiers, paths, property names, JSON keys and system call names
 *       such as {@code "prctl(PR_GET_AUXV)"} are not words for people to search;</li>
 *   <li>and are not in a context that is printed to no one, or that is a command's regular output
 *       documented elsewhere:
 *       <ul>
 *         <li>annotations: the commands' {@code --help} text;</li>
 *         <li>the text compared or looked up by {@link #LOOKUPS} ({@code line.startsWith("Max data
 *             size")}): input matched, not output;</li>
 *         <li>the labels of enum constants (the names {@code inspect} shows for data);</li>
 *         <li>the code listed in {@link #NOT_MESSAGES}, each with why: renderers of a command's regular
 *             output, debugging views, and one internal test whose text is never printed;</li>
 *         <li>the few literals of {@link #NOT_PRINTED}, which the product never prints, each with
 *             why.</li>
 *       </ul></li>
 * </ul>
 * This is an exclusion rule rather than a list of "message methods" on purpose: a new literal
 * anywhere in the product, on any path to a user, fails the test until the page covers it or an
 * exclusion (with its reason) is added here. The launcher script's {@code echo} lines are checked
 * the same way, their text split at each {@code $variable}.
 *
 * <p>Not found by a scan of the sources, and so kept as the maintained list {@link #OTHER_PROGRAMS}:
 * the lines the JVM, the JDK and picocli print about selfrestore (a wrong {@code -javaagent:} path,
 * the JDK's warnings, usage errors); and the C library's errno texts (the table in {@code Errno},
 * excluded above), which the page explains in general.
 */
class TroubleshootingPageTest {
    /** The product's main sources, relative to the repository root. */
    static final List<String> SOURCE_ROOTS = List.of("native-shim/src/main/java", "runtime/src/main/java",
            "agent/entry/src/main/java", "agent/src/main/java");

    /** The launcher script installed beside the jar. */
    static final String LAUNCHER = "agent/src/main/sh/selfrestore";

    static final String PAGE = "docs/troubleshooting.md";

    /** Two words of letters separated by spaces (and perhaps one of {@code ,:;}): text for people. */
    static final Pattern PROSE = Pattern.compile("[A-Za-z]{2,}[,:;]? +[A-Za-z(\"'<]");

    /** Methods whose literal arguments (or receiver) are text matched against input, never printed. */
    static final Set<String> LOOKUPS = Set.of("equals", "startsWith", "endsWith", "contains", "indexOf",
            "lastIndexOf", "matches", "split", "replace", "replaceAll", "getProperty", "setProperty");

    /**
     * Code whose literals are not messages (regular output, debugging views, text never printed):
     * {@code Class.method} or {@code Class.*} for a whole top-level class, with the reason.
     */
    static final Map<String, String> NOT_MESSAGES = Map.ofEntries(
            Map.entry("InspectCommand.human", "inspect's display of a descriptor (cli.md)"),
            Map.entry("InspectCommand.humanProvenance", "the same, its provenance"),
            Map.entry("InspectCommand.humanCapture", "the same, its capture"),
            Map.entry("InspectCommand.humanExe", "the same, its executable"),
            Map.entry("InspectCommand.humanCmdline", "the same, its command line"),
            Map.entry("InspectCommand.humanEnviron", "the same, its environment"),
            Map.entry("InspectCommand.humanJvmLaunch", "inspect's display of a JVM original's launch (cli.md)"),
            Map.entry("JvmstatCheck.print", "verify's JVM-level lines (cli.md)"),
            Map.entry("InspectCommand.humanFields", "the same, its prctl_mm_map fields"),
            Map.entry("InspectCommand.brkSource", "inspect's display of the brk source (cli.md)"),
            Map.entry("DiffCommand.about", "diff's heading lines (cli.md)"),
            Map.entry("Show.*", "the commands' display of bytes, modes and changes"),
            Map.entry("Changes.*", "the item-by-item display of verify and diff (cli.md)"),
            Map.entry("MmDescriptor.toString", "a debugging view of a descriptor"),
            Map.entry("Provenance.toString", "a debugging view of an edited descriptor's provenance"),
            Map.entry("Errno.*", "the C library's errno texts (strerror), explained in general on the page"),
            Map.entry("RecordWriter.writeHeader", "Chronicle's hex-dump comments of the record layout, for debugging"),
            Map.entry("RecordWriter.writeFieldsAndAuxv", "the same, of the fields and auxv"),
            Map.entry("RecordWriter.writeExecutable", "the same, of the executable"),
            Map.entry("RecordWriter.writeTo", "the same, of the process areas"),
            Map.entry("RecordWriter.writeCapture", "the same, of the capture"),
            Map.entry("RecordWriter.writeJvmLaunch", "the same, of the JVM launch"),
            Map.entry("RecordWriter.writeProvenance", "the same, of the provenance"),
            Map.entry("RecordWriter.writeChecksum", "the same, of the checksum"),
            Map.entry("FieldByField.brokenRule", "the planner's test of an intermediate state: its text is never "
                    + "printed; a map no order reaches is refused as a whole ('cannot be reached one field at a time')"));

    /** Literals the product never prints, with the reason. */
    static final Map<String, String> NOT_PRINTED = Map.of(
            "not requested", "the note of RestoreOptions.withSetComm(false) / withChangeExe(false): a library "
                    + "caller's choice; the agent always asks for both (an image's deleted exe has its own note)",
            ": an executable cannot be changed here", "an EXE edit without a resolver: the agent's restore-time "
                    + "edits are set-env= and env-file= only, and selfrestore edit always resolves --exe",
            "exists; overwrite was not requested", "FileAlreadyExistsException's reason; every caller prints "
                    + "its own 'exists; use --force' or 'capture-force=true' line instead");

    /** What other programs print about selfrestore, which no scan of its sources can find. */
    static final List<String> OTHER_PROGRAMS = List.of(
            // the JVM, for a -javaagent: path that is no agent jar
            "Error opening zip file or JAR manifest missing : PATH",
            "Failed to find Premain-Class manifest attribute in PATH",
            "Error occurred during initialization of VM",
            "agent library failed to init: instrument",
            // the JDK's warnings
            "WARNING: A Java agent has been loaded dynamically",
            "WARNING: A terminally deprecated method in sun.misc.Unsafe has been called",
            // picocli's usage errors, after the command line's "selfrestore: "
            "selfrestore: Missing required option:",
            "selfrestore: Missing required parameter:",
            "selfrestore: Unknown option:",
            "selfrestore: Unmatched argument at index",
            "selfrestore: Invalid value for option",
            // JNA's native library could not be loaded
            "java.lang.UnsatisfiedLinkError");

    private static Path root;
    private static String page;
    private static Scan scan;

    @BeforeAll
    static void readSourcesAndPage() throws IOException {
        root = repositoryRoot();
        page = normalise(Files.readString(root.resolve(PAGE), StandardCharsets.UTF_8));
        scan = new Scan(root);
    }

    @Test
    void everyMessageOfTheProductIsOnThePage() {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : scan.fragments.entrySet()) {
            if (!page.contains(normalise(e.getKey()))) {
                missing.add("\"" + e.getKey() + "\"  (" + String.join(", ", e.getValue()) + ")");
            }
        }
        if (!missing.isEmpty()) {
            fail(missing.size() + " of " + scan.fragments.size() + " message texts are not in " + PAGE
                    + "; add the line they belong to, with its cause, fix and outcome:\n  "
                    + String.join("\n  ", missing));
        }
    }

    @Test
    void theLinesOfOtherProgramsAreOnThePage() {
        List<String> missing = OTHER_PROGRAMS.stream().filter(p -> !page.contains(normalise(p))).toList();
        assertEquals(List.of(), missing, "lines of the JVM, the JDK or picocli missing from " + PAGE);
    }

    /** Guards against a scan that finds nothing, and so passes whatever the page says. */
    @Test
    void theScanFindsTheMessagesItMust() {
        for (String known : List.of("descriptor breaks", "refusing a descriptor others could have written:",
                "exe not changed:", "is not in the image; it holds", "selfrestore works on Linux only, this is",
                "test faults are unavailable in this jar (only the testing jar the integration tests build has them)",
                "(application continues)", "no edit given: use --set-env, --unset-env, --env-file, --set-arg, "
                        + "--append-arg, --argv0, --comm or --exe",
                "not found (keep this script beside selfrestore.jar)")) {
            assertTrue(scan.fragments.containsKey(known), () -> "the scan no longer finds \"" + known + "\"");
        }
        assertTrue(scan.fragments.size() > 400, () -> "only " + scan.fragments.size() + " message texts found");
        assertTrue(scan.files > 100, () -> "only " + scan.files + " source files parsed");
    }

    /** An exclusion that no longer matches anything is removed, so that the list stays what it says. */
    @Test
    void everyExclusionStillExcludesSomething() {
        Set<String> unusedCode = new TreeSet<>(NOT_MESSAGES.keySet());
        unusedCode.removeAll(scan.notMessagesUsed);
        assertEquals(Set.of(), unusedCode, "NOT_MESSAGES that exclude no literal any more");
        Set<String> unusedLiterals = new TreeSet<>(NOT_PRINTED.keySet());
        unusedLiterals.removeAll(scan.notPrintedSeen);
        assertEquals(Set.of(), unusedLiterals, "NOT_PRINTED literals no longer in the sources");
    }

    // ---- the scan ----

    /** The message texts of the product's sources, each with where it occurs. */
    static final class Scan {
        final Map<String, List<String>> fragments = new LinkedHashMap<>();
        final Set<String> notMessagesUsed = new HashSet<>();
        final Set<String> notPrintedSeen = new HashSet<>();
        int files;

        Scan(Path root) throws IOException {
            javaSources(root);
            launcher(root.resolve(LAUNCHER));
        }

        private void javaSources(Path root) throws IOException {
            List<Path> sources = new ArrayList<>();
            for (String dir : SOURCE_ROOTS) {
                try (Stream<Path> s = Files.walk(root.resolve(dir))) {
                    s.filter(p -> p.toString().endsWith(".java")).sorted().forEach(sources::add);
                }
            }
            files = sources.size();
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            assertTrue(compiler != null, "the tests run on a JDK, whose compiler parses the sources");
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager fm = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
                JavacTask task = (JavacTask) compiler.getTask(null, fm, diagnostics, List.of("-proc:none"), null,
                        fm.getJavaFileObjectsFromPaths(sources));
                Iterable<? extends CompilationUnitTree> units = task.parse();
                List<String> errors = diagnostics.getDiagnostics().stream()
                        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).map(Object::toString).toList();
                assertEquals(List.of(), errors, "the sources do not parse");
                SourcePositions positions = Trees.instance(task).getSourcePositions();
                for (CompilationUnitTree unit : units) {
                    String file = root.relativize(Path.of(unit.getSourceFile().toUri())).toString();
                    new Literals(unit, positions, file).scan(unit, null);
                }
            }
        }

        private final class Literals extends TreePathScanner<Void, Void> {
            private final CompilationUnitTree unit;
            private final SourcePositions positions;
            private final String file;

            Literals(CompilationUnitTree unit, SourcePositions positions, String file) {
                this.unit = unit;
                this.positions = positions;
                this.file = file;
            }

            @Override
            public Void visitLiteral(LiteralTree literal, Void unused) {
                if (literal.getKind() != Tree.Kind.STRING_LITERAL) {
                    return null;
                }
                String text = ((String) literal.getValue()).strip();
                if (!PROSE.matcher(text).find() || excluded(getCurrentPath(), literal, text)) {
                    return null;
                }
                long line = unit.getLineMap().getLineNumber(positions.getStartPosition(unit, literal));
                add(text, file + ":" + line);
                return null;
            }

            private boolean excluded(TreePath path, LiteralTree literal, String text) {
                if (NOT_PRINTED.containsKey(text)) {
                    notPrintedSeen.add(text);
                    return true;
                }
                Tree child = literal;
                TreePath p = path.getParentPath();
                while (p.getLeaf() instanceof ParenthesizedTree) {
                    child = p.getLeaf();
                    p = p.getParentPath();
                }
                if (p.getLeaf() instanceof MethodInvocationTree m && LOOKUPS.contains(name(m.getMethodSelect()))
                        && m.getArguments().contains(child)) {
                    return true; // "x".equals(...) is covered below: the literal is the receiver
                }
                if (p.getLeaf() instanceof MemberSelectTree s && LOOKUPS.contains(s.getIdentifier().toString())
                        && p.getParentPath().getLeaf() instanceof MethodInvocationTree) {
                    return true;
                }
                String topClass = null;
                String method = null;
                for (TreePath q = path.getParentPath(); q != null; q = q.getParentPath()) {
                    Tree t = q.getLeaf();
                    if (t instanceof AnnotationTree) {
                        return true;
                    }
                    if (t instanceof VariableTree v && v.getInitializer() instanceof NewClassTree n
                            && q.getParentPath().getLeaf() instanceof ClassTree c && c.getKind() == Tree.Kind.ENUM
                            && n.getIdentifier().toString().equals(c.getSimpleName().toString()) && method == null) {
                        return true; // the label of an enum constant
                    }
                    if (t instanceof MethodTree m && method == null) {
                        method = m.getName().toString();
                    }
                    if (t instanceof ClassTree c) {
                        topClass = c.getSimpleName().toString();
                    }
                }
                for (String key : List.of(topClass + ".*", topClass + "." + method)) {
                    if (NOT_MESSAGES.containsKey(key)) {
                        notMessagesUsed.add(key);
                        return true;
                    }
                }
                return false;
            }
        }

        private static String name(ExpressionTree select) {
            return select instanceof MemberSelectTree m ? m.getIdentifier().toString() : select.toString();
        }

        /** The script's {@code echo "..."} lines, split at each {@code $variable}. */
        private void launcher(Path script) throws IOException {
            Pattern echo = Pattern.compile("echo \"([^\"]*)\"");
            List<String> lines = Files.readAllLines(script, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = echo.matcher(lines.get(i));
                while (m.find()) {
                    for (String piece : m.group(1).split("\\$\\{?[A-Za-z_][A-Za-z_0-9]*}?")) {
                        String text = piece.strip();
                        if (PROSE.matcher(text).find()) {
                            add(text, LAUNCHER + ":" + (i + 1));
                        }
                    }
                }
            }
        }

        private void add(String text, String where) {
            fragments.computeIfAbsent(text, k -> new ArrayList<>()).add(where);
        }
    }

    // ---- helpers ----

    /** Runs of white space as one space: the page wraps its prose, and a message may be quoted there. */
    static String normalise(String s) {
        return s.replaceAll("\\s+", " ");
    }

    /** The directory above the working directory that holds the page and the parent pom. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(PAGE)) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no directory above " + Path.of("").toAbsolutePath() + " holds " + PAGE
                + " and pom.xml");
    }
}
