package dev.selfrestore.runtime.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor.Slice;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The new argument area is given back when a restore ends early, and kept once it is committed. */
class RollbackTest {
    private static final long AREA = 0x7f0000000000L;

    private final List<String> calls = new ArrayList<>();

    private Syscalls recording() {
        return ProxyKernel.of((proxy, method, args) -> {
                    switch (method.getName()) {
                        case "mmap":
                            calls.add("mmap");
                            return AREA;
                        case "munmap":
                            calls.add("munmap 0x" + Long.toHexString((long) args[0]) + " " + args[1]);
                            return null;
                        case "writeMemory":
                        case "mprotect":
                        case "nameAnonymousMapping":
                            return null;
                        default:
                            throw new AssertionError("unexpected call " + method.getName());
                    }
                });
    }

    private ArgEnvArea area(Syscalls sys) {
        return ArgEnvArea.create(sys, Slice.of("a\0".getBytes(StandardCharsets.ISO_8859_1)),
                Slice.of("A=1\0".getBytes(StandardCharsets.ISO_8859_1)), 4096);
    }

    @Test
    void anAreaNotCommittedToIsUnmapped() {
        Syscalls sys = recording();
        try (Rollback rollback = new Rollback(sys)) {
            rollback.hold(ExePlan.skip("not requested"));
            rollback.hold(area(sys));
        }
        assertEquals(List.of("mmap", "munmap 0x7f0000000000 4096"), calls);
    }

    @Test
    void aCommittedAreaStays() {
        Syscalls sys = recording();
        try (Rollback rollback = new Rollback(sys)) {
            rollback.hold(area(sys));
            rollback.commit();
        }
        assertEquals(List.of("mmap"), calls);
    }
}
