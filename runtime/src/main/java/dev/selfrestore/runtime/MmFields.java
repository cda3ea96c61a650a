package dev.selfrestore.runtime;

import java.util.List;

/**
 * The eleven address fields of the kernel's {@code struct prctl_mm_map}, in the kernel's order.
 *
 * <p>Values are unsigned 64-bit user-space addresses held in {@code long}s; compare them with
 * {@link Long#compareUnsigned}.
 *
 * @param startCode  start of the code area (/proc/PID/stat field 26)
 * @param endCode    end of the code area (field 27)
 * @param startData  start of the initialised data area (field 45)
 * @param endData    end of the initialised data area (field 46)
 * @param startBrk   start of the heap that brk(2) grows (field 47)
 * @param brk        current program break (not in /proc; see {@link BrkSource})
 * @param startStack bottom of the main thread's stack (field 28)
 * @param argStart   first byte of the command line area (field 48)
 * @param argEnd     end (exclusive) of the command line area (field 49)
 * @param envStart   first byte of the environment area (field 50)
 * @param envEnd     end (exclusive) of the environment area (field 51)
 */
public record MmFields(
        long startCode, long endCode,
        long startData, long endData,
        long startBrk, long brk,
        long startStack,
        long argStart, long argEnd,
        long envStart, long envEnd) {

    /** The kernel's names for the fields, in struct order. */
    public static final List<String> NAMES = List.of(
            "start_code", "end_code", "start_data", "end_data", "start_brk", "brk",
            "start_stack", "arg_start", "arg_end", "env_start", "env_end");

    /** The fields as an array in struct order, as the kernel's struct lays them out. */
    public long[] toArray() {
        return new long[] {startCode, endCode, startData, endData, startBrk, brk,
                startStack, argStart, argEnd, envStart, envEnd};
    }

    /** Builds from an array in struct order. */
    public static MmFields ofArray(long[] v) {
        if (v.length != 11) {
            throw new IllegalArgumentException("prctl_mm_map has 11 address fields, got " + v.length);
        }
        return new MmFields(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
    }

    /** These fields with brk replaced. */
    public MmFields withBrk(long brk) {
        return new MmFields(startCode, endCode, startData, endData, startBrk, brk, startStack,
                argStart, argEnd, envStart, envEnd);
    }

    /** These fields with the command line and environment areas replaced. */
    public MmFields withArgsAndEnv(long argStart, long argEnd, long envStart, long envEnd) {
        return new MmFields(startCode, endCode, startData, endData, startBrk, brk, startStack,
                argStart, argEnd, envStart, envEnd);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MmFields[");
        long[] v = toArray();
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(NAMES.get(i)).append("=0x").append(Long.toHexString(v[i]));
        }
        return sb.append(']').toString();
    }
}
