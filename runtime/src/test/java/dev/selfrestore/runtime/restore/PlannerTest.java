package dev.selfrestore.runtime.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfrestore.nativeshim.Errno;
import dev.selfrestore.nativeshim.NativeCallException;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.Statx;
import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.ExecutableIdentity;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.TestDescriptors;
import dev.selfrestore.runtime.proc.Mapping;
import dev.selfrestore.runtime.validate.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The planner against a stand-in kernel that answers the probes as a given kernel would and lets
 * through only the calls that change nothing of /proc (the new area is really mapped, so that the
 * planner finds it in /proc/self/maps; the original executable is really opened). Any call that
 * would change the identity fails the test: planning changes nothing.
 */
class PlannerTest {
    private static final Set<String> LET_THROUGH = Set.of("machine", "kernelRelease", "savedAuxvSize", "pageSize",
            "currentBrk", "writeMemory", "mprotect", "nameAnonymousMapping", "readMemory", "nulStringOffsets",
            "statx", "fstat", "readlink");

    private final MmDescriptor d = TestDescriptors.sample();
    private final List<String> calls = new ArrayList<>();
    private final List<Integer> open = new ArrayList<>();
    private final List<Path> madeFiles = new ArrayList<>();
    /** What the kernel answers PR_SET_MM_MAP_SIZE: 0 for a kernel without PR_SET_MM_MAP (EINVAL). */
    private int mmMapSize = Prctl.MM_MAP_STRUCT_SIZE;

    private final Syscalls sys = ProxyKernel.of((proxy, method, args) -> {
        String name = method.getName();
        switch (name) {
            case "mmMapSize" -> {
                if (mmMapSize == 0) {
                    throw new NativeCallException("prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE)", Errno.EINVAL);
                }
                return mmMapSize;
            }
            case "mmap" -> {
                long addr = (long) ProxyKernel.real(method, args);
                calls.add("mmap 0x" + Long.toHexString(addr));
                return addr;
            }
            case "munmap" -> calls.add("munmap 0x" + Long.toHexString((long) args[0]));
            case "open" -> {
                int fd = (int) ProxyKernel.real(method, args);
                open.add(fd);
                calls.add("open " + new String((byte[]) args[0], StandardCharsets.ISO_8859_1));
                return fd;
            }
            case "close" -> {
                open.remove(args[0]);
                calls.add("close");
            }
            default -> {
                if (!LET_THROUGH.contains(name)) {
                    throw new AssertionError("the planner asked the kernel for " + name + ", which it must not");
                }
            }
        }
        return ProxyKernel.real(method, args);
    });

    @AfterEach
    void closeAndDelete() throws IOException {
        for (int fd : open) {
            Syscalls.linux().files().close(fd);
        }
        for (Path p : madeFiles) {
            Files.deleteIfExists(p);
        }
    }

    private RestorePlan plan(MmDescriptor descriptor, RestoreOptions options, Rollback rollback) throws Exception {
        return new Planner(sys).plan(descriptor, options, rollback);
    }

    private static RestoreOptions noExe() {
        return RestoreOptions.defaults().withChangeExe(false);
    }

    private static MmDescriptor withComm(MmDescriptor d, String comm) {
        return new MmDescriptor(d.fields(), d.brkSource(), d.auxv(), d.exe(), d.cmdline(), d.environ(),
                comm.getBytes(StandardCharsets.ISO_8859_1), d.capture());
    }

    private static MmDescriptor withExe(MmDescriptor d, Path file, long size) {
        ExecutableIdentity exe = new ExecutableIdentity(file.toString().getBytes(StandardCharsets.ISO_8859_1), size,
                0, 0, 0, 0, 0100755, new byte[0], new byte[0]);
        return new MmDescriptor(d.fields(), d.brkSource(), d.auxv(), exe, d.cmdline(), d.environ(), d.comm(),
                d.capture());
    }

    /** A regular file of the build's own directory (not a noexec mount), with the mode given. */
    private Path file(String mode) throws IOException {
        Path f = Files.createTempFile(Path.of("target"), "original", ".bin");
        madeFiles.add(f);
        Files.write(f, new byte[1000]);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f.toAbsolutePath();
    }

    private static Path runningExecutable() throws IOException {
        return Path.of("/proc/self/exe").toRealPath();
    }

    @Test
    void relocateKeepsThisProcessLayoutAndPutsTheStringsInANewAreaWithoutChangingProc() throws Exception {
        try (Rollback rollback = new Rollback(sys)) {
            RestorePlan plan = plan(d, noExe(), rollback);
            MmFields live = plan.live();
            MmFields map = plan.map();
            assertEquals(List.of(live.startCode(), live.endCode(), live.startData(), live.endData(), live.startBrk(),
                            live.brk(), live.startStack()),
                    List.of(map.startCode(), map.endCode(), map.startData(), map.endData(), map.startBrk(), map.brk(),
                            map.startStack()), "code, data, brk and stack stay this process's own");
            assertEquals(List.of("mmap 0x" + Long.toHexString(map.argStart())), calls, "one new area, nothing else");
            assertEquals(map.argEnd(), map.envStart(), "the environment follows the command line, as after execve");
            assertArrayEquals(d.cmdline(), Syscalls.linux().memory().readMemory(map.argStart(), d.cmdline().length));
            assertArrayEquals(d.environ(), Syscalls.linux().memory().readMemory(map.envStart(), d.environ().length));
            assertEquals(map.envStart() + d.environ().length, map.envEnd());
            // The sample's command line is one string ("\0600" is an octal escape), its environment two.
            assertEquals(1, plan.args().count(), "counted once, for the summary");
            assertEquals(2, plan.vars().count(), "counted once, for the summary");
            assertFalse(plan.oneByOne(), "one PR_SET_MM_MAP call where the kernel has it");
            assertEquals(RestoreResult.ExeOutcome.UNCHANGED, plan.exe().outcome());
            assertEquals("not requested", plan.exe().note());
        }
        assertEquals("munmap", calls.get(calls.size() - 1).split(" ")[0], "the area is given back: never committed");
    }

    @Test
    void aDescriptorThatBreaksARuleIsRefusedAndItsAreaGivenBack() throws Exception {
        ValidationException e;
        try (Rollback rollback = new Rollback(sys)) {
            e = assertThrows(ValidationException.class,
                    () -> plan(withComm(d, "a-name-of-twenty-bytes"), noExe(), rollback));
        }
        assertEquals(List.of("comm"), e.problems().stream().map(p -> p.field()).toList(), e.getMessage());
        assertTrue(e.getMessage().startsWith("descriptor breaks 1 rule(s): comm=a-name-of-twenty-bytes must be at most"),
                e.getMessage());
        assertEquals(2, calls.size(), "the area made before validation, then unmapped: " + calls);
        assertEquals(calls.get(0).replace("mmap", "munmap"), calls.get(1));
    }

    @Test
    void aKernelWithAnotherStructLayoutIsRefusedBeforeAnythingIsMapped() {
        mmMapSize = 112;
        try (Rollback rollback = new Rollback(sys)) {
            RestoreException e = assertThrows(RestoreException.class, () -> plan(d, noExe(), rollback));
            assertEquals("this kernel's struct prctl_mm_map is 112 bytes; selfrestore lays out 104 and will not guess",
                    e.getMessage());
        }
        assertEquals(List.of(), calls);
    }

    @Test
    void withoutPrSetMmMapTheFieldsAreSetOneAtATimeInAnOrderThatReachesTheMap() throws Exception {
        mmMapSize = 0;
        try (Rollback rollback = new Rollback(sys)) {
            RestorePlan plan = plan(d, noExe(), rollback);
            assertTrue(plan.oneByOne());
            assertTrue(plan.noPrctl() == null, "a kernel with single-field PR_SET_MM operations");
            long[] reached = plan.live().toArray();
            for (FieldByField.Step s : plan.steps()) {
                reached[s.field()] = s.value();
            }
            assertArrayEquals(plan.map().toArray(), reached, "the steps reach the planned map");
            assertEquals(4, plan.steps().size(), "only the four argument and environment fields move: "
                    + plan.steps());
        }
    }

    @Test
    void exactModeRefusesADescriptorWhoseStringsWereEdited() throws Exception {
        MmDescriptor edited = new MmDescriptor(d.fields(), d.brkSource(), d.auxv(), d.exe(), d.cmdline(), d.environ(),
                d.comm(), d.capture(), null, new Provenance(Provenance.Source.DESCRIPTOR, new byte[32], 0,
                List.of(new Edit(Edit.Kind.SET_ENV, "A=2".getBytes(StandardCharsets.ISO_8859_1)))));
        try (Rollback rollback = new Rollback(sys)) {
            ValidationException e = assertThrows(ValidationException.class,
                    () -> plan(edited, noExe().withMode(RestoreOptions.Mode.EXACT), rollback));
            assertTrue(e.getMessage().startsWith("mode=exact refused: provenance=environ edited after capture"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("restore it with mode=relocate (the default)"), e.getMessage());
        }
        assertEquals(List.of(), calls, "refused before any area is made");
    }

    @Test
    void exactModeRefusesMemoryThatIsNotAtTheDescriptorsLayout() {
        try (Rollback rollback = new Rollback(sys)) {
            ValidationException e = assertThrows(ValidationException.class,
                    () -> plan(d, noExe().withMode(RestoreOptions.Mode.EXACT), rollback));
            assertTrue(e.getMessage().startsWith("mode=exact refused: this process's memory is not at the "
                    + "descriptor's layout, "), e.getMessage());
            assertFalse(e.problems().isEmpty());
        }
        assertEquals(List.of(), calls, "exact mode maps nothing");
    }

    @Test
    void anOriginalThatCannotBeOpenedLeavesExeAndTheRestGoesOn() throws Exception {
        Path missing = Path.of("target", "no-such-original").toAbsolutePath();
        try (Rollback rollback = new Rollback(sys)) {
            RestorePlan plan = plan(withExe(d, missing, 1000), RestoreOptions.defaults(), rollback);
            assertEquals(RestoreResult.ExeOutcome.UNCHANGED, plan.exe().outcome());
            assertEquals("exe not changed: cannot open " + missing + ": ENOENT (No such file or directory)",
                    plan.exe().note());
            assertFalse(plan.exe().wanted());
        }
    }

    @Test
    void anOriginalThatIsNotExecutableIsClosedAgainAndExeLeft() throws Exception {
        Path f = file("rw-r--r--");
        try (Rollback rollback = new Rollback(sys)) {
            RestorePlan plan = plan(withExe(d, f, 1000), RestoreOptions.defaults(), rollback);
            assertEquals("exe not changed: " + f + " is not executable (mode 0644)", plan.exe().note());
            assertEquals(RestoreResult.ExeOutcome.UNCHANGED, plan.exe().outcome());
            assertEquals(List.of(), open, "the original is closed at once: " + calls);
        }
    }

    @Test
    void anOriginalThatChangedSinceCaptureIsRefused() throws Exception {
        Path f = file("rwxr-xr-x");
        try (Rollback rollback = new Rollback(sys)) {
            RestorePlan plan = plan(withExe(d, f, 999), RestoreOptions.defaults(), rollback);
            assertEquals("exe not changed: " + f + " has size 1000, not 999 as captured: it changed since capture",
                    plan.exe().note());
            assertEquals(List.of(), open, calls.toString());
        }
    }

    @Test
    void theRunningExecutableIsAlreadyTheOriginal() throws Exception {
        Path java = runningExecutable();
        try (Rollback rollback = new Rollback(sys)) {
            RestorePlan plan = plan(withExe(d, java, Files.size(java)), RestoreOptions.defaults(), rollback);
            assertEquals(RestoreResult.ExeOutcome.ALREADY, plan.exe().outcome());
            assertEquals(null, plan.exe().note());
            assertEquals(List.of(), open, "nothing to change: the original is closed at once");
        }
    }

    @Test
    void anOriginalToChangeToStaysOpenUntilTheRollbackEnds() throws Exception {
        mmMapSize = 0; // one field at a time: PR_SET_MM_EXE_FILE's capability is probed by the call itself
        Path f = file("rwxr-xr-x");
        Statx java = Syscalls.linux().files().statx(runningExecutable().toString().getBytes(StandardCharsets.UTF_8), 0);
        try (Rollback rollback = new Rollback(sys)) {
            RestorePlan plan = plan(withExe(d, f, 1000), RestoreOptions.defaults(), rollback);
            ExePlan exe = plan.exe();
            assertEquals(RestoreResult.ExeOutcome.CHANGED, exe.outcome());
            assertTrue(exe.wanted());
            assertEquals(List.of(exe.fd()), open, "the original, open for the applier");
            assertEquals(f.getFileName().toString(), Path.of(new String(Syscalls.linux().files()
                    .readlink(("/proc/self/fd/" + exe.fd()).getBytes(StandardCharsets.ISO_8859_1)),
                    StandardCharsets.ISO_8859_1)).getFileName().toString());
            assertFalse(exe.currentMappings().isEmpty(), "the running executable's mappings, to replace");
            for (Mapping m : exe.currentMappings()) {
                assertEquals(java.inode(), m.inode(), m.toString());
            }
            assertNotEquals(-1, exe.fd());
        }
        assertEquals(List.of(), open, "closed when the restore ends");
    }
}
