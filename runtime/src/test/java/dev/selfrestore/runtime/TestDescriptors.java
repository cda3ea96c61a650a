package dev.selfrestore.runtime;

import java.nio.charset.StandardCharsets;

/** Descriptors for tests: realistic values, including bytes that are not UTF-8. */
public final class TestDescriptors {
    private TestDescriptors() {
    }

    public static final long[] AUXV = {33, 0x7ffc8a5f5000L, 6, 4096, 3, 0x55c887cdb040L, 0, 0};

    public static MmDescriptor sample() {
        return sample("x86_64");
    }

    public static MmDescriptor sample(String arch) {
        MmFields f = new MmFields(0x55c887cdc000L, 0x55c887ce0609L, 0x55c887ce3d10L, 0x55c887ce4200L,
                0x55c893b19000L, 0x55c893b3a000L, 0x7ffc8a4c5a80L, 0x7ffc8a4c5fccL, 0x7ffc8a4c5fdfL,
                0x7ffc8a4c5fdfL, 0x7ffc8a4c5ff0L);
        ExecutableIdentity exe = new ExecutableIdentity("/usr/bin/sleep".getBytes(StandardCharsets.UTF_8), 35336,
                1_700_000_000_123_456_789L, 254, 0, 1234567, 0100755, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                    13, 14, 15, 16, 17, 18, 19, 20}, new byte[0]);
        byte[] cmdline = "/usr/bin/sleep\0600\0".getBytes(StandardCharsets.UTF_8);
        byte[] environ = {'B', 'I', 'N', '=', (byte) 0xff, (byte) 0xfe, 'x', 0, 'E', 'Q', '=', 'a', '=', 'b', 0};
        return new MmDescriptor(f, BrkSource.APPROXIMATED, AUXV, exe, cmdline, environ,
                "sleep".getBytes(StandardCharsets.UTF_8),
                new CaptureInfo(4242, 1_763_700_000_000L, "6.18.44", arch, 4096, 65534));
    }
}
