/**
 * The mm descriptor file format and its codec, built on Chronicle Bytes.
 *
 * <p>This comment is the format's one specification; {@code Layout} holds its constants and
 * limits, {@code RecordReader} its one reader (field order, limits, every check). That reader reads
 * through either of two inputs: Chronicle Bytes ({@link dev.selfrestore.runtime.codec.DescriptorCodec},
 * the codec of record, which also writes every descriptor; the command line and the tests read
 * with it) or plain Java over the file's bytes ({@link dev.selfrestore.runtime.codec.DescriptorReader},
 * the agent's premain, which so never initialises Chronicle; see "Chronicle at start-up" below for
 * what that would cost). The golden files are decoded by both, and {@code DescriptorDifferentialFuzzTest}
 * feeds both the same inputs under Jazzer: each is accepted by both with equal descriptors or
 * refused by both with the same message.
 *
 * <h2>Format 1.2 (1.0 and 1.1 are read too)</h2>
 * One record, little endian on every machine. Numbers marked "stop bit" use Chronicle's stop-bit
 * encoding (7 bits a byte, low bits first, high bit set on every byte but the last); a byte string
 * is a stop-bit length followed by that many bytes.
 * <pre>
 * offset  size      field
 *      0  8         magic "SRMMDESC"
 *      8  2         format major (u16) = 1        a reader refuses any other major
 *     10  2         format minor (u16) = 2        a newer minor only appends fields
 *     12  4         record length L (u32)         offset 0 to the end of the checksum
 *     16  11 x 8    prctl_mm_map fields (u64), struct order: start_code end_code start_data
 *                   end_data start_brk brk start_stack arg_start arg_end env_start env_end
 *    104  1         brk source: 0 exact, 1 approximated
 *    105  stop bit  auxv word count n (at most 1024), then n x u64 words
 *         bytes     exe path
 *         8 8       exe size, mtime (ns)
 *         4 4       exe device major, minor (u32)
 *         8 4       exe inode, st_mode (u32)
 *         bytes     exe build-id, then exe sha256
 *         bytes     cmdline, then environ, then comm
 *         8 8       capture pid, time (ms since the epoch)
 *         bytes     capture kernel release, then arch (UTF-8)
 *         4 4       capture page size, uid (u32)
 *   1.1:  1         jvm launch kind: 0 not a JVM (nothing follows), 1 class, 2 jar, 3 module, 4 source
 *         stop bit  argv index of the main class, jar, module or source file
 *   1.2:  1         provenance: 0 a capture (nothing follows), 1 edited
 *         1         source: 1 a descriptor file, 2 a CRIU image directory
 *         bytes     SHA-256 of the source (32 bytes): the descriptor file's bytes, the image's mm file
 *         8         time of the last edit (ms since the epoch)
 *         stop bit  edit count n (at most 4096), then n x (1 edit kind, bytes operand)
 *         ...       fields of later minor versions: a reader of an older minor skips them
 *    L-4  4         CRC32C (java.util.zip.CRC32C) of bytes 0 .. L-5 (u32)
 *
 * 1.2 edit kinds, each with its operand (raw bytes, as given):
 *     1 --set-env NAME=VALUE   2 --unset-env NAME   3 --set-arg INDEX=VALUE (INDEX in decimal)
 *     4 --append-arg VALUE     5 --argv0 VALUE      6 --comm NAME         7 --exe PATH
 * An environment file's entries are recorded as --set-env edits, in file order.
 * </pre>
 * Limits: a byte string at most 16 MiB, the auxv at most 1024 words, a record at most 64 MiB. The
 * golden files {@code descriptor-1.2.hexdump} and {@code descriptor-1.2-edited.hexdump} in the test
 * resources show records annotated field by field (1.0 and 1.1 beside them); changing the layout
 * needs a version bump (see {@code GoldenRecordTest}).
 *
 * <p>The reader checks from the outside in and stops at the first problem: magic, version, record
 * length against the bytes present (so truncation is found before parsing), checksum, then each
 * field, every length against the bytes left and the limits before anything is allocated for it.
 * It throws nothing but {@link dev.selfrestore.runtime.codec.DescriptorFormatException}.
 *
 * <p>A descriptor with a provenance was made by {@code selfrestore edit}, not by a capture: the
 * capture fields then describe the capture it was edited from. Editing an edited descriptor keeps
 * the first source and checksum and appends the new edits, so the list runs from the capture. The
 * edited argument and environment address fields keep env_end and the gap between arg_end and
 * env_start and are moved so that each area is as long as its bytes (see IdentityEditor).
 *
 * <h2>Chronicle at start-up</h2>
 * A restore no longer runs the Chronicle codec in premain (it reads with DescriptorReader); the
 * command line uses it. Wherever it runs inside a JVM's start-up, what Chronicle does
 * when first used was looked at one effect at a time (Chronicle Bytes/Core 2026.4, JDK 17):
 * <ol>
 * <li><b>Jvm initialisation.</b> Yes: every {@code BytesStore}, including the heap one behind
 *     {@code Bytes.wrapForRead(byte[])}/{@code wrapForWrite(byte[])}, is an
 *     {@code AbstractReferenceCounted}, whose static initialiser reads a property through
 *     {@code net.openhft.chronicle.core.Jvm}. No Bytes entry point avoids it. The codec uses the
 *     cheapest: wrapping an exact {@code byte[]} (sized before writing, so nothing grows or is
 *     copied). It never writes Strings through Chronicle (text is encoded to UTF-8 first):
 *     Chronicle's String paths ask {@code Jvm.maxDirectMemory()}, which on JDK 9+ without
 *     {@code --add-exports java.base/jdk.internal.misc} prints "Unable to determine max direct
 *     memory" to stderr; {@code Bytes.allocateElastic*} and {@code HexDumpBytes} do the same.</li>
 * <li><b>system.properties.</b> {@code Jvm.<clinit>} merges (putIfAbsent) into the system
 *     properties the file named by {@code -Dsystem.properties}, else {@code ./system.properties},
 *     else {@code ../system.properties}, else a {@code system.properties} resource of Jvm's class
 *     loader. Prevented by pointing {@code system.properties} at {@code /dev/null} while Chronicle
 *     initialises (see ChronicleStartup); the property is then put back as it was.</li>
 * <li><b>Threads.</b> {@code BackgroundResourceReleaser} starts the daemon thread
 *     {@code background~resource~releaser} and registers a JVM shutdown hook. With
 *     {@code background.releaser=false} during initialisation no thread starts (release happens on
 *     the caller's thread, trivial for heap bytes); the shutdown hook is removed with
 *     {@code PriorityHook.clear()}. This Chronicle version has no disk-space checker thread (older
 *     Core versions started one for mapped files), and nothing else starts a thread on this path.
 *     After encode + decode, {@code Thread.getAllStackTraces()} shows no thread that was not there
 *     before.</li>
 * <li><b>net.openhft:posix.</b> Excluded in runtime/pom.xml (with chronicle-analytics). Jvm loads
 *     it eagerly when present (JNR, jffi, a native library unpacked to /tmp; about 240 ms of wall
 *     time here) and catches its absence; nothing on the heap path needs it.</li>
 * <li><b>Output.</b> Chronicle logs through SLF4J, and we ship no SLF4J provider, so SLF4J would
 *     print a three-line "No SLF4J providers" warning on stderr. {@code slf4j.internal.verbosity=ERROR}
 *     during initialisation silences it; {@code slf4j.provider}, {@code chronicle.init.runnable} and
 *     {@code chronicle.postinit.runnable}, which an application may set for its own SLF4J and
 *     Chronicle, are cleared meanwhile so ours does not try to load them (each failure would print
 *     a stack trace). Chronicle Core/Bytes print no banner and send no analytics.</li>
 * <li><b>JMX and java.util.logging.</b> {@code Jvm.<clinit>} calls
 *     {@code ManagementFactory.getRuntimeMXBean().getInputArguments()}: it loads the platform MXBean
 *     classes (about 25 ms) but creates no MBeanServer, and neither it nor anything else on the codec
 *     path initialises JUL's {@code LogManager}. ChronicleStartupTest checks both.</li>
 * </ol>
 * All of this is verified from outside in a fresh JVM by {@code ChronicleStartupTest}, which also
 * pins what Chronicle does without these measures.
 *
 * <p>Cost, measured on JDK 17 (2 cores), hyperfine 5 runs after 2 warm-ups, median wall time of
 * the whole JVM, {@code StartupCost noop} against {@code StartupCost codec} (test sources): doing
 * nothing 52-63 ms; first encode + decode of a small descriptor 275-305 ms. Chronicle's start-up
 * thus costs a cold JVM about 210-250 ms, nearly all in the first codec call, whichever it is (in
 * the agent, a decode): 160-190 ms inside the JVM (platform MXBean ~25, SLF4J ~30, the rest of
 * Jvm.&lt;clinit&gt; ~50, the first BytesStore and Bytes classes ~75; mostly class loading and
 * lambda linking); the call after it takes 3 ms. With net.openhft:posix on the class path the
 * same run took 546 ms. With an AppCDS archive of the run ({@code -XX:SharedArchiveFile}) 188 ms.
 */
package dev.selfrestore.runtime.codec;
