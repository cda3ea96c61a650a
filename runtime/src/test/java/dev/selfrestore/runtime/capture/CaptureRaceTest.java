package dev.selfrestore.runtime.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.selfrestore.nativeshim.Syscalls;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.MmFields;
import dev.selfrestore.runtime.proc.ProcPid;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captures processes while they are still in execve: ProcessBuilder.start() returns once the child's
 * close-on-exec pipe closes, which the kernel does in begin_new_exec, before it fills the saved auxv
 * and the argument and environment areas. A long argument list and environment widen that window.
 * Every descriptor must be the process as it is once settled, or (for a chain of execs) one complete
 * image, never a mixture.
 */
class CaptureRaceTest {
    private static final int ROUNDS = 300;
    private static final Path SLEEP = Path.of("/usr/bin/sleep");

    private final Capture capture = new Capture(Syscalls.linux());

    /** sleep 600 0 0 …: sleep adds its arguments up; 300 of them make create_elf_tables' walk longer. */
    private static List<String> sleepCommand() {
        List<String> command = new ArrayList<>(List.of(SLEEP.toString(), "600"));
        for (int i = 0; i < 300; i++) {
            command.add("0");
        }
        return command;
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new java.util.TreeMap<>();
        for (int i = 0; i < 300; i++) {
            env.put("RACE_" + i, "x".repeat(40));
        }
        return env;
    }

    /**
     * racer DELAY_US PROGRAM ARGS…: prints its pid, spins DELAY_US microseconds, then exec's PROGRAM with
     * ARGS and its own environment. The test captures it as soon as it reads the pid, so that the exec
     * starts before, during or after the capture's first read.
     */
    private static final String RACER = String.join("\n",
            "#include <stdio.h>",
            "#include <stdlib.h>",
            "#include <time.h>",
            "#include <unistd.h>",
            "int main(int argc, char **argv) {",
            "    long delay = atol(argv[1]);",
            "    struct timespec t0, t;",
            "    printf(\"%d\\n\", (int) getpid());",
            "    fflush(stdout);",
            "    clock_gettime(CLOCK_MONOTONIC, &t0);",
            "    do {",
            "        clock_gettime(CLOCK_MONOTONIC, &t);",
            "    } while ((t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 < delay);",
            "    execv(argv[2], argv + 2);",
            "    perror(\"execv\");",
            "    return 127;",
            "}",
            "");

    private static Path compileRacer(Path dir) throws Exception {
        Path source = dir.resolve("racer.c");
        Path racer = dir.resolve("racer");
        Files.writeString(source, RACER);
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", racer.toString(), source.toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        assertEquals(0, gcc.waitFor(), "gcc: " + out);
        return racer;
    }

    @Test
    void aCaptureRacingExecveRecordsTheSettledProcess(@TempDir Path dir) throws Exception {
        Path racer = compileRacer(dir);
        int sawRacer = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<String> command = new ArrayList<>(List.of(racer.toString(), Integer.toString(round % 20 * 10)));
            command.addAll(sleepCommand());
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().clear();
            pb.environment().putAll(environment());
            Process p = pb.start();
            try {
                long pid = Long.parseLong(new BufferedReader(new InputStreamReader(p.getInputStream())).readLine());
                MmDescriptor d = capture.ofPid(pid);
                assertWhole(d, racer, "round " + round);
                if (Arrays.equals(d.exe().path(), racer.toString().getBytes())) {
                    sawRacer++;
                } else {
                    assertSettledEquals(d, pid, "round " + round);
                }
            } finally {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        System.out.println("CaptureRaceTest: of " + ROUNDS + " captures, " + capture.halfBuiltSeen.get()
                + " found the process half-way through execve at their first read, " + capture.changedSeen.get()
                + " reads found it changed by the end and were done again, " + sawRacer
                + " recorded the racer before it exec'd");
    }

    @Test
    void aCaptureRacingTwoExecsRecordsOneWholeImage() throws Exception {
        // env exec's sleep: a capture sees env, complete, or sleep, complete; never parts of both.
        List<String> command = new ArrayList<>(List.of("/usr/bin/env", "-i"));
        environment().forEach((k, v) -> command.add(k + "=" + v));
        command.addAll(sleepCommand());
        ProcessBuilder pb = new ProcessBuilder(command);
        int sawEnv = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Process p = pb.start();
            try {
                MmDescriptor d = capture.ofPid(p.pid());
                assertWhole(d, Path.of("/usr/bin/env"), "round " + round);
                if (new String(d.exe().path()).endsWith("/env")) {
                    sawEnv++;
                } else {
                    assertSettledEquals(d, p.pid(), "round " + round);
                }
            } finally {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        System.out.println("CaptureRaceTest: " + sawEnv + " of " + ROUNDS + " captures recorded env before it exec'd sleep");
    }

    /** The descriptor's own parts agree: the areas' sizes are the bytes read, comm is the exe's name. */
    private static void assertWhole(MmDescriptor d, Path first, String round) {
        MmFields f = d.fields();
        String exe = new String(d.exe().path());
        String name = exe.substring(exe.lastIndexOf('/') + 1);
        assertEquals(f.argEnd() - f.argStart(), d.cmdline().length, round + ": cmdline bytes against arg_start..arg_end");
        assertEquals(f.envEnd() - f.envStart(), d.environ().length, round + ": environ bytes against env_start..env_end");
        assertEquals(name.substring(0, Math.min(15, name.length())), new String(d.comm()), round + ": comm against exe");
        assertTrue(new String(d.cmdline()).startsWith((exe.equals(first.toString()) ? first : SLEEP) + "\0"),
                round + ": argv[0] against exe");
    }

    /** Waits until the process is blocked in sleep, then compares what /proc shows with the descriptor. */
    private static void assertSettledEquals(MmDescriptor d, long pid, String round) throws Exception {
        ProcPid proc = ProcPid.of(pid);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(proc.statFieldsFrom3()[0].equals("S") && Files.readSymbolicLink(proc.file("exe")).equals(SLEEP))) {
            if (System.nanoTime() > deadline) {
                fail(round + ": pid " + pid + " never slept in " + SLEEP);
            }
            Thread.sleep(1);
        }
        MmFields settled = proc.statFields(0);
        assertEquals(settled, d.fields().withBrk(0), round + ": the stat fields (brk aside)");
        assertArrayEquals(proc.auxvBytes(), d.auxvBytes(), round + ": auxv");
        assertArrayEquals(proc.cmdline(), d.cmdline(), round + ": cmdline");
        assertArrayEquals(proc.environ(), d.environ(), round + ": environ");
        assertArrayEquals(proc.comm(), d.comm(), round + ": comm");
        assertEquals(SLEEP.toString(), new String(d.exe().path()), round + ": exe");
        assertTrue(Arrays.equals(proc.auxv(), d.auxv()));
    }
}
