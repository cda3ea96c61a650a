package dev.selfrestore.it.support;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.function.Executable;

/** Byte-for-byte comparisons of two processes' /proc identity, with both sides shown escaped on failure. */
public final class ProcAssertions {

    private ProcAssertions() {
    }

    /** exe, cmdline, environ, auxv and comm of {@code actual} are those of {@code expected}. */
    public static void assertSameIdentity(ProcIdentity expected, ProcIdentity actual) {
        assertAll("/proc identity of pid " + actual.pid() + " against pid " + expected.pid(),
                exe(expected, actual), cmdline(expected, actual), environ(expected, actual),
                auxv(expected, actual), comm(expected, actual));
    }

    /** cmdline, environ, auxv and comm of {@code actual} are those of {@code expected}; exe is not compared. */
    public static void assertSameIdentityExceptExe(ProcIdentity expected, ProcIdentity actual) {
        assertAll("/proc identity but exe of pid " + actual.pid() + " against pid " + expected.pid(),
                cmdline(expected, actual), environ(expected, actual), auxv(expected, actual), comm(expected, actual));
    }

    private static Executable exe(ProcIdentity expected, ProcIdentity actual) {
        return () -> assertEquals(expected.exe(), actual.exe(),
                "readlink /proc/" + actual.pid() + "/exe against /proc/" + expected.pid() + "/exe");
    }

    private static Executable cmdline(ProcIdentity expected, ProcIdentity actual) {
        return bytes("cmdline", expected, actual, ProcIdentity::cmdline, Escaped::text);
    }

    private static Executable environ(ProcIdentity expected, ProcIdentity actual) {
        return bytes("environ", expected, actual, ProcIdentity::environ, Escaped::text);
    }

    private static Executable auxv(ProcIdentity expected, ProcIdentity actual) {
        return bytes("auxv", expected, actual, ProcIdentity::auxv, Escaped::auxv);
    }

    private static Executable comm(ProcIdentity expected, ProcIdentity actual) {
        return bytes("comm", expected, actual, ProcIdentity::comm, Escaped::text);
    }

    private static Executable bytes(String item, ProcIdentity expected, ProcIdentity actual,
            Function<ProcIdentity, byte[]> read, Function<byte[], String> render) {
        return () -> assertSameBytes("/proc/" + actual.pid() + "/" + item + " against /proc/" + expected.pid() + "/" + item,
                read.apply(expected), read.apply(actual), render);
    }

    /** Equal bytes, or a failure naming the first differing offset and showing both sides escaped. */
    public static void assertSameBytes(String what, byte[] expected, byte[] actual) {
        assertSameBytes(what, expected, actual, Escaped::text);
    }

    private static void assertSameBytes(String what, byte[] expected, byte[] actual, Function<byte[], String> render) {
        int at = Arrays.mismatch(expected, actual);
        if (at >= 0) {
            fail(what + ": first difference at byte " + at + " (expected " + expected.length + " bytes, got "
                    + actual.length + ")\n  expected: " + render.apply(expected) + "\n  actual:   " + render.apply(actual));
        }
    }
}
