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
 * Rule: premain never touches Chronicle (it reads with DescriptorReader); its first use costs a
 * cold JVM more than the whole restore (bench/README.md, "Chronicle's first use"). Where Chronicle
 * does run inside a JVM (the command line, {@code capture=} on JDK 17-23), ChronicleStartup keeps
 * its first use from leaving a trace, one effect each:
 * <ul>
 * <li>{@code Jvm}'s initialiser runs on any Bytes use; the codec wraps an exact {@code byte[]}
 *     and never writes Strings through Chronicle, whose String paths print "Unable to determine max
 *     direct memory" without {@code --add-exports java.base/jdk.internal.misc}.</li>
 * <li>It merges a {@code system.properties} file into the system properties: pointed at
 *     {@code /dev/null} while Chronicle initialises, then put back.</li>
 * <li>{@code BackgroundResourceReleaser} would start a thread and a shutdown hook:
 *     {@code background.releaser=false} meanwhile, and the hook removed.</li>
 * <li>{@code net.openhft:posix} (JNR, a native library unpacked to /tmp) is excluded in
 *     runtime/pom.xml; nothing on the heap path needs it.</li>
 * <li>SLF4J's "No SLF4J providers" warning is silenced, and an application's own
 *     {@code slf4j.provider} and Chronicle init hooks are cleared meanwhile.</li>
 * <li>The platform RuntimeMXBean is read but no MBeanServer made, and JUL's LogManager is not
 *     initialised.</li>
 * </ul>
 * {@code ChronicleStartupTest} checks each from outside in a fresh JVM, and pins what Chronicle
 * does without these measures.
 */
package dev.selfrestore.runtime.codec;
