package dev.selfrestore.nativeshim.internal;

import static dev.selfrestore.nativeshim.internal.Libc.check;
import static dev.selfrestore.nativeshim.internal.Libc.cString;
import static dev.selfrestore.nativeshim.internal.Libc.fail;
import static dev.selfrestore.nativeshim.internal.Libc.show;

import dev.selfrestore.nativeshim.MmCalls;
import dev.selfrestore.nativeshim.Prctl;
import dev.selfrestore.nativeshim.internal.Libc.Scratch;

/** {@link MmCalls} through JNA: prctl's {@code PR_SET_MM} family and {@code brk}. */
final class JnaMm implements MmCalls {
    private final long sysBrk;

    JnaMm(long sysBrk) {
        this.sysBrk = sysBrk;
    }

    @Override
    public int mmMapSize() {
        try (Scratch size = new Scratch(4)) {
            check(Libc.prctl(Prctl.PR_SET_MM, Prctl.PR_SET_MM_MAP_SIZE, size.address, 0, 0),
                    "prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE)");
            return size.memory.getInt(0);
        }
    }

    @Override
    public void setMmMap(long[] fields, long[] auxv, int exeFd) {
        if (fields.length != 11) {
            throw new IllegalArgumentException("prctl_mm_map has 11 address fields, got " + fields.length);
        }
        int auxvBytes = auxv == null ? 0 : auxv.length * 8;
        try (Scratch map = new Scratch(Prctl.MM_MAP_STRUCT_SIZE); Scratch words = new Scratch(Math.max(8, auxvBytes))) {
            for (int i = 0; i < 11; i++) {
                map.memory.setLong(i * 8L, fields[i]);
            }
            if (auxv != null) {
                for (int i = 0; i < auxv.length; i++) {
                    words.memory.setLong(i * 8L, auxv[i]);
                }
            }
            map.memory.setLong(88, auxv == null ? 0 : words.address);
            map.memory.setInt(96, auxvBytes);
            map.memory.setInt(100, exeFd);
            check(Libc.prctl(Prctl.PR_SET_MM, Prctl.PR_SET_MM_MAP, map.address, Prctl.MM_MAP_STRUCT_SIZE, 0),
                    "prctl(PR_SET_MM, PR_SET_MM_MAP" + (exeFd >= 0 ? ", exe_fd=" + exeFd : "")
                            + (auxv != null ? ", auxv_size=" + auxvBytes : "") + ")");
        }
    }

    @Override
    public void setMmField(int op, long value) {
        check(Libc.prctl(Prctl.PR_SET_MM, op, value, 0, 0), "prctl(PR_SET_MM, " + op + ", 0x" + Long.toHexString(value) + ")");
    }

    @Override
    public void setMmAuxv(long[] auxv) {
        try (Scratch words = new Scratch(auxv.length * 8L)) {
            for (int i = 0; i < auxv.length; i++) {
                words.memory.setLong(i * 8L, auxv[i]);
            }
            check(Libc.prctl(Prctl.PR_SET_MM, Prctl.PR_SET_MM_AUXV, words.address, auxv.length * 8L, 0),
                    "prctl(PR_SET_MM, PR_SET_MM_AUXV, size=" + auxv.length * 8 + ")");
        }
    }

    @Override
    public int savedAuxvSize() {
        return check(Libc.prctl(Prctl.PR_GET_AUXV, 0, 0, 0, 0), "prctl(PR_GET_AUXV)");
    }

    @Override
    public void nameAnonymousMapping(long addr, long len, String name) {
        try (Scratch s = new Scratch(name.length() + 1L)) {
            s.memory.setString(0, name, "US-ASCII");
            check(Libc.prctl(Prctl.PR_SET_VMA, Prctl.PR_SET_VMA_ANON_NAME, addr, len, s.address),
                    "prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x" + Long.toHexString(addr) + ", " + name + ")");
        }
    }

    @Override
    public long currentBrk() {
        return Libc.syscall(sysBrk, 0);
    }
}
