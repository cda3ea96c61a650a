#!/usr/bin/env python3
"""Start-up benchmark harness for selfrestore; bench/startup.sh prepares its inputs and calls it.

Each run is one cold JVM started with posix_spawn and reaped with wait4: the wall time is taken
around spawn -> exit, the peak RSS is the child's ru_maxrss. Runs are strictly sequential (one
process at a time, the harness itself idle in wait4) and interleaved: every round runs every
(JDK, case) once, in an order rotated by one each round. One warm-up round is run first and
discarded. CPU time used by other processes during the runs is measured from /proc/stat and
reported, so a disturbed run can be seen rather than hidden.

Only the Python standard library is used. See bench/README.md.
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import gnuplot
import paired

DISTURBED_MS = 30
CAPTURED = re.compile(r"^selfrestore: captured pid \d+ .* brk exact, in ([0-9.]+) ms$", re.M)
RESTORED = re.compile(r"^selfrestore: restored pid \d+ .*: exe, .* in ([0-9.]+) ms(;[^\n]*)?$", re.M)


class Case:
    def __init__(self, name, label, flags, needs_restore=False, main_args=False, jdks=None, needs_capture=False,
                 jvm_views=False):
        self.name = name
        self.needs_capture = needs_capture
        self.label = label
        self.flags = flags          # function(work, jdk) -> JVM flags before -cp
        self.needs_restore = needs_restore
        self.main_args = main_args
        self.jvm_views = jvm_views
        self.jdks = jdks            # None: every JDK; else the feature versions it applies to
        self.unavailable = {}       # jdk name -> why


def base_cases(work):
    agent = os.path.join(work, "selfrestore.jar")
    desc = os.path.join(work, "original.mmd")
    return [
        Case("plain", "java Hello", lambda w, j: []),
        Case("empty-agent", "empty -javaagent", lambda w, j: ["-javaagent:" + os.path.join(w, "empty-agent.jar")]),
        Case("restore", "selfrestore (default restore)", lambda w, j: ["-javaagent:%s=%s" % (agent, desc)],
             needs_restore=True),
        Case("restore-main-args", "selfrestore main-args=restore",
             lambda w, j: ["-javaagent:%s=%s,main-args=restore" % (agent, desc)], needs_restore=True, main_args=True),
        # jvm=restore needs a JVM original: its JVM views, and main args, restored besides the rest
        Case("restore-jvm", "selfrestore jvm=restore (JVM original)",
             lambda w, j: ["-javaagent:%s=%s,jvm=restore" % (agent, os.path.join(work, "jvm-original.mmd"))],
             needs_restore=True, main_args=True, jvm_views=True),
    ] + criu_cases(work)


def criu_cases(work):
    """A CRIU image directory as the agent's input, and the descriptor `import criu` wrote of it
    (bench/prepare.sh); both restore the same identity, so they differ only in the input's form."""
    agent = os.path.join(work, "selfrestore.jar")
    images = os.path.join(work, "criu-images")
    if not os.path.isdir(images):
        return []
    return [
        Case("restore-criu-image", "selfrestore, CRIU image directory",
             lambda w, j: ["-javaagent:%s=%s" % (agent, images)], needs_restore=True),
        Case("restore-criu-imported", "selfrestore, its import criu descriptor",
             lambda w, j: ["-javaagent:%s=%s" % (agent, os.path.join(work, "criu-imported.mmd"))], needs_restore=True),
    ]


def capture_cases(work, variants):
    """capture= alone (the agent writes this JVM's own descriptor before main), per agent jar."""
    jars = [("", os.path.join(work, "selfrestore.jar"))] + [("@" + v, os.path.join(work, v + ".jar")) for v in variants]
    return [Case("capture" + suffix, "selfrestore capture=" + (", jar " + suffix[1:] if suffix else ""),
                 (lambda j, n: lambda w, _: ["-javaagent:%s=capture=%s,capture-force=true"
                                             % (j, os.path.join(w, "captured%s.mmd" % n))])(jar, suffix.strip("@")),
                 needs_capture=True)
            for suffix, jar in jars]


def floor_cases(work):
    """selfrestore's premain in pieces, each alone on one thread (bench/src/FloorAgent.java)."""
    floor = "-javaagent:" + os.path.join(work, "floor-agent.jar") + "="
    desc = os.path.join(work, "original.mmd")
    return [
        Case("floor-bootstrap", "floor: selfrestore's class loader only", lambda w, j: [floor + "bootstrap"]),
        Case("floor-decode", "floor: class loader + decode the descriptor (Chronicle Bytes)",
             lambda w, j: [floor + "decode=" + desc]),
        Case("floor-bind", "floor: class loader + bind libc (JNA)", lambda w, j: [floor + "bind"]),
    ]


ENV_SIZES = [("env-0.1", "0.1 MiB environment (~300 vars)"), ("env-0.5", "0.5 MiB environment (~1,500 vars)"),
             ("env-1", "1 MiB environment (~3,000 vars)"), ("env-1.8", "1.8 MiB environment (~5,400 vars)"),
             ("args-2000", "2,000 arguments")]


def env_size_cases(work):
    """The default restore of descriptors with large environments or many arguments (bench/original.py)."""
    agent = os.path.join(work, "selfrestore.jar")
    return [Case("restore-" + name, "selfrestore, " + label,
                 (lambda d: lambda w, j: ["-javaagent:%s=%s" % (agent, d)])(os.path.join(work, name + ".mmd")),
                 needs_restore=True)
            for name, label in ENV_SIZES]


def recipe_cases(work):
    agent = os.path.join(work, "selfrestore.jar")
    desc = os.path.join(work, "original.mmd")

    def archive(name):
        return lambda w, j: ["-XX:SharedArchiveFile=" + os.path.join(w, "%s-%s.jsa" % (name, j.name))]

    def aot(name):
        return lambda w, j: ["-XX:AOTCache=" + os.path.join(w, "%s-%s.aot" % (name, j.name))]

    restore = "-javaagent:%s=%s" % (agent, desc)
    return [
        Case("plain+cds", "java Hello, AppCDS", archive("plain"), jdks=[17]),
        Case("restore+cds", "selfrestore, AppCDS", lambda w, j: archive("restore")(w, j) + [restore],
             needs_restore=True, jdks=[17]),
        Case("plain+aot", "java Hello, AOT cache", aot("plain"), jdks=[25]),
        Case("restore+aot", "selfrestore, AOT cache", lambda w, j: aot("restore")(w, j) + [restore],
             needs_restore=True, jdks=[25]),
    ]


class Jdk:
    def __init__(self, spec):
        name, _, home = spec.partition("=")
        self.name = name
        self.home = home
        self.java = os.path.join(home, "bin", "java")
        out = subprocess.run([self.java, "-version"], capture_output=True, text=True).stderr
        m = re.search(r'version "([^"]+)"', out)
        self.version = m.group(1) if m else "?"
        self.feature = int(re.match(r"(\d+)", self.version).group(1))


def child_env():
    # The same small environment for every run: nothing such as JAVA_TOOL_OPTIONS leaks in.
    return {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}


def cpu_busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)


def run_once(argv, work):
    out = os.path.join(work, "run.out")
    err = os.path.join(work, "run.err")
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    busy0 = cpu_busy_jiffies()
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, child_env(), file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    busy1 = cpu_busy_jiffies()
    with open(out, errors="replace") as f:
        stdout = f.read()
    with open(err, errors="replace") as f:
        stderr = f.read()
    child_cpu_ms = (ru.ru_utime + ru.ru_stime) * 1000.0
    tick_ms = 1000.0 / os.sysconf("SC_CLK_TCK")
    return {
        "wall_ms": (t1 - t0) / 1e6,
        "rss_kb": ru.ru_maxrss,
        "user_ms": ru.ru_utime * 1000.0,
        "sys_ms": ru.ru_stime * 1000.0,
        "foreign_ms": max(0.0, (busy1 - busy0) * tick_ms - child_cpu_ms),
        "status": os.waitstatus_to_exitcode(status),
        "stdout": stdout,
        "stderr": stderr,
    }


def argv_for(case, jdk, work):
    return [jdk.java] + case.flags(work, jdk) + ["-cp", os.path.join(work, "hello.jar"), "Hello"]


def check(case, r):
    """None if the run did what the case promises, else why not."""
    if r["status"] != 0:
        return "exit status %d: %s" % (r["status"], r["stderr"].strip()[-300:])
    if r["stdout"] != "hello\n":
        return "unexpected stdout %r, stderr %s" % (r["stdout"][:200], r["stderr"].strip()[-300:])
    if case.needs_restore:
        m = RESTORED.search(r["stderr"])
        if not m:
            return "no complete restore (exe included) reported: " + r["stderr"].strip()[-400:]
        if case.main_args and "main args (" not in r["stderr"]:
            return "main args not restored: " + r["stderr"].strip()[-400:]
        if case.jvm_views and "JVM views (" not in r["stderr"]:
            return "JVM views not restored: " + r["stderr"].strip()[-400:]
        r["agent_ms"] = float(m.group(1))
    if case.needs_capture:
        m = CAPTURED.search(r["stderr"])
        if not m:
            return "no capture reported: " + r["stderr"].strip()[-400:]
        if "WARNING" in r["stderr"]:
            r["warned"] = True
        r["agent_ms"] = float(m.group(1))
    return None


def prepare_recipes(cases, jdks, work):
    """Training runs that write the CDS archives (JDK 17) and AOT caches (JDK 25) the recipes use.

    JDK 17: a static AppCDS archive from a class list (-XX:DumpLoadedClassList during a training
    run, then -Xshare:dump). A dynamic archive (-XX:ArchiveClassesAtExit) would need the diagnostic
    -XX:+AllowArchivingWithJavaAgent with an agent present; the static one needs no such flag.
    Neither can hold the classes selfrestore's own loader defines (JDK 17 archives classes of
    user-defined loaders only from class files it can find again by name), so both archive the JDK
    classes, lambda forms and lambda proxies the agent makes the JVM load.
    JDK 25: -XX:AOTCacheOutput (JEP 514), one training run with the agent.
    """
    agent = "-javaagent:%s=%s" % (os.path.join(work, "selfrestore.jar"), os.path.join(work, "original.mmd"))
    hello = os.path.join(work, "hello.jar")
    for jdk in jdks:
        for what, extra in (("plain", []), ("restore", [agent])):
            if jdk.feature >= 25:
                steps = [["-XX:AOTCacheOutput=" + os.path.join(work, "%s-%s.aot" % (what, jdk.name))] + extra
                         + ["-cp", hello, "Hello"]]
            elif jdk.feature == 17:
                lst = os.path.join(work, "%s-%s.classlist" % (what, jdk.name))
                steps = [["-XX:DumpLoadedClassList=" + lst] + extra + ["-cp", hello, "Hello"],
                         ["-Xshare:dump", "-XX:SharedClassListFile=" + lst,
                          "-XX:SharedArchiveFile=" + os.path.join(work, "%s-%s.jsa" % (what, jdk.name)), "-cp", hello]]
            else:
                continue
            for step in steps:
                r = subprocess.run([jdk.java] + step, capture_output=True, text=True, env=child_env())
                if r.returncode != 0:
                    why = "training run failed: " + r.stderr.strip()[-300:]
                    print("bench: %s recipe on JDK %s: %s" % (what, jdk.name, why), file=sys.stderr)
                    for c in cases:
                        if c.name.startswith(what + "+"):
                            c.unavailable[jdk.name] = why
                    break


def wait_for_quiet(max_wait_s=30):
    """Waits until the machine has been idle for a second (other processes under 5% of one CPU)."""
    tick_ms = 1000.0 / os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + max_wait_s
    while True:
        b0 = cpu_busy_jiffies()
        time.sleep(1.0)
        busy_ms = (cpu_busy_jiffies() - b0) * tick_ms
        if busy_ms < 50 or time.monotonic() > deadline:
            return busy_ms
        print("bench: machine busy (%.0f ms CPU in the last second), waiting" % busy_ms, file=sys.stderr)


def pct(values, p):
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    k = (len(s) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summarise(runs):
    w = [r["wall_ms"] for r in runs]
    return {
        "n": len(runs),
        "median": statistics.median(w),
        "p10": pct(w, 0.10), "q1": pct(w, 0.25), "q3": pct(w, 0.75), "p90": pct(w, 0.90),
        "min": min(w), "max": max(w),
        "rss_mb": statistics.median([r["rss_kb"] for r in runs]) / 1024.0,
        "cpu_ms": statistics.median([r["user_ms"] + r["sys_ms"] for r in runs]),
        "agent_ms": statistics.median([r["agent_ms"] for r in runs]) if "agent_ms" in runs[0] else None,
    }


def machine_line():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%d CPUs (%s), Linux %s, %s" % (os.cpu_count(), model, platform.release(), platform.machine())


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work", required=True, help="prepared directory (see startup.sh)")
    ap.add_argument("--jdk", action="append", required=True, help="NAME=JAVA_HOME, repeatable")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--recipes", action="store_true", help="also the AppCDS (17) and AOT cache (25) recipes")
    ap.add_argument("--only-recipes", action="store_true", help="plain, empty agent, restore and the recipes")
    ap.add_argument("--floors", action="store_true",
                    help="also selfrestore's pieces alone: class loader, decode (Chronicle), bind (JNA)")
    ap.add_argument("--no-wait", action="store_true",
                    help="on a machine that is never quiet: no waiting for a quiet second, no run repeated "
                         "(the disturbed runs are still counted)")
    ap.add_argument("--env-sizes", action="store_true",
                    help="also restore descriptors with 0.1-1.8 MiB of environment and one with 2,000 arguments")
    ap.add_argument("--out", required=True, help="results directory")
    ap.add_argument("--stamp", default=datetime.datetime.now().strftime("%Y-%m-%d-%H%M"))
    ap.add_argument("--note", default="", help="a line added under the table's title (what was measured)")
    ap.add_argument("--variant", action="append", default=[],
                    help="NAME: also restore with the agent jar $work/NAME.jar (before/after comparisons)")
    ap.add_argument("--cases", help="comma-separated case names to keep (default: all)")
    ap.add_argument("--capture", action="store_true", help="also capture= alone, with each agent jar")
    a = ap.parse_args()

    work = a.work
    jdks = [Jdk(s) for s in a.jdk]
    cases = base_cases(work)
    for v in a.variant:
        jar = os.path.join(work, v + ".jar")
        desc = os.path.join(work, "original.mmd")
        cases.append(Case("restore@" + v, "selfrestore, jar " + v,
                          (lambda j: lambda w, _: ["-javaagent:%s=%s" % (j, desc)])(jar), needs_restore=True))
        if a.env_sizes:  # the 1 MiB case with that jar too, for before/after measurements of the size cost
            big = os.path.join(work, "env-1.mmd")
            cases.append(Case("restore-env-1@" + v, "selfrestore, jar " + v + ", 1 MiB environment (~3,000 vars)",
                              (lambda j: lambda w, _: ["-javaagent:%s=%s" % (j, big)])(jar), needs_restore=True))
    if a.capture:
        cases += capture_cases(work, a.variant)
    if a.floors:
        cases += floor_cases(work)
    if a.env_sizes:
        cases += env_size_cases(work)
    if a.recipes or a.only_recipes:
        cases += recipe_cases(work)
        if a.only_recipes:
            cases = [c for c in cases if c.name not in ("restore-main-args", "restore-jvm")]
        prepare_recipes(cases, jdks, work)

    if a.cases:
        keep = a.cases.split(",")
        cases = [c for c in cases if c.name in keep]
    combos = []
    for jdk in jdks:
        for c in cases:
            if c.jdks is not None and jdk.feature not in c.jdks:
                continue
            combos.append((jdk, c))

    # One checked run of each: a case that cannot do what it promises is reported, not timed.
    for jdk, c in combos:
        if jdk.name in c.unavailable:
            continue
        r = run_once(argv_for(c, jdk, work), work)
        why = check(c, r)
        if why:
            c.unavailable[jdk.name] = why
            print("bench: %s on JDK %s not available: %s" % (c.name, jdk.name, why), file=sys.stderr)
    combos = [(j, c) for j, c in combos if j.name not in c.unavailable]

    idle = wait_for_quiet(0 if a.no_wait else 30)
    print("bench: %d cases x %d rounds (+1 warm-up), machine idle before start (%.0f ms CPU in 1 s)"
          % (len(combos), a.rounds, idle), file=sys.stderr)
    results = {(j.name, c.name): [] for j, c in combos}
    failures = []
    retried = 0
    started = time.monotonic()
    for rnd in range(-1, a.rounds):
        k = rnd % len(combos)
        order = combos[k:] + combos[:k]
        for jdk, c in order:
            # A run during which other processes used the CPU is run again (after a quiet second, or
            # three seconds of waiting for one), up to twice; what is left disturbed is counted.
            attempts = 1 if a.no_wait else 3
            for attempt in range(attempts):
                r = run_once(argv_for(c, jdk, work), work)
                if r["foreign_ms"] <= DISTURBED_MS or attempt == attempts - 1:
                    break
                retried += 1
                wait_for_quiet(3)
            why = check(c, r)
            if why:
                failures.append("round %d %s %s: %s" % (rnd, jdk.name, c.name, why))
                continue
            if rnd >= 0:
                r["round"] = rnd
                results[(jdk.name, c.name)].append(r)
        if rnd >= 0 and (rnd + 1) % 5 == 0:
            print("bench: round %d/%d" % (rnd + 1, a.rounds), file=sys.stderr)
    elapsed = time.monotonic() - started

    os.makedirs(a.out, exist_ok=True)
    base = os.path.join(a.out, "startup-" + a.stamp)
    with open(base + ".csv", "w") as f:
        f.write("jdk,case,round,wall_ms,peak_rss_kb,user_ms,sys_ms,other_cpu_ms,agent_reported_ms\n")
        for (jn, cn), runs in results.items():
            for r in runs:
                f.write("%s,%s,%d,%.2f,%d,%.1f,%.1f,%.0f,%s\n" % (jn, cn, r["round"], r["wall_ms"], r["rss_kb"],
                        r["user_ms"], r["sys_ms"], r["foreign_ms"], r.get("agent_ms", "")))

    summary = {k: summarise(v) for k, v in results.items() if v}
    foreign = sum(r["foreign_ms"] for v in results.values() for r in v)
    disturbed = sum(1 for v in results.values() for r in v if r["foreign_ms"] > DISTURBED_MS)
    total_runs = sum(len(v) for v in results.values())

    lines = []
    lines.append("# selfrestore start-up, %s" % a.stamp)
    lines.append("")
    if a.note:
        lines.append(a.note)
        lines.append("")
    lines.append("Machine: %s. %d rounds (+1 warm-up discarded), cases interleaved (order rotated each round), "
                 "one cold JVM at a time; %d runs in %.0f s. Other processes used %.0f ms of CPU during the kept runs; "
                 "%d runs were repeated because other processes used more than %d ms of CPU during them, %d kept "
                 "runs still saw that much." % (machine_line(), a.rounds, total_runs, elapsed, foreign, retried,
                                                DISTURBED_MS, disturbed))
    lines.append("")
    lines.append("Wall time from spawn to exit of `java … Hello`, in ms; peak RSS is the child's `ru_maxrss`. "
                 "Δ columns compare medians.")
    lines.append("")
    lines.append("| JDK | case | median | p10–p90 | IQR | Δ plain | Δ empty agent | peak RSS MB | Δ RSS vs empty | "
                 "CPU ms | agent says |")
    lines.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for jdk in jdks:
        plain = summary.get((jdk.name, "plain"))
        empty = summary.get((jdk.name, "empty-agent"))
        for c in cases:
            if c.jdks is not None and jdk.feature not in c.jdks:
                continue
            label = "%s (`%s`)" % (c.label, c.name)
            if jdk.name in c.unavailable:
                lines.append("| %s | %s | n/a | | | | | | | | not available: %s |"
                             % (jdk.version, label, c.unavailable[jdk.name][:120].replace("|", "/").replace("\n", " ")))
                continue
            s = summary.get((jdk.name, c.name))
            if not s:
                continue
            lines.append("| %s | %s | %.1f | %.1f–%.1f | %.1f | %s | %s | %.1f | %s | %.0f | %s |" % (
                jdk.version, label, s["median"], s["p10"], s["p90"], s["q3"] - s["q1"],
                "%+.1f" % (s["median"] - plain["median"]) if plain else "",
                "%+.1f" % (s["median"] - empty["median"]) if empty else "",
                s["rss_mb"],
                "%+.1f" % (s["rss_mb"] - empty["rss_mb"]) if empty else "",
                s["cpu_ms"],
                "%.1f ms" % s["agent_ms"] if s["agent_ms"] is not None else ""))
    env_rows = env_size_table(jdks, cases, results)
    if env_rows:
        lines.append("")
        lines.extend(env_rows)
    if failures:
        lines.append("")
        lines.append("Runs that failed their check (not counted): %d" % len(failures))
        for f_ in failures[:10]:
            lines.append("- " + f_[:300])
    lines.append("")
    lines.append("JDKs: " + "; ".join("%s = %s" % (j.version, j.home) for j in jdks) + ".")
    lines.append("Raw runs: `%s.csv`. Plot: `%s.png`." % (os.path.basename(base), os.path.basename(base)))
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))

    plot(base, jdks, cases, summary)


def env_size_table(jdks, cases, results):
    """Each size case against the small descriptor's restore, paired within each round (same JVM order)."""
    rows = []
    for jdk in jdks:
        for c in cases:
            if not c.name.startswith("restore-env-") and not c.name.startswith("restore-args-"):
                continue
            jar = c.name.partition("@")[2]
            d = paired.differences(results, jdk.name, c.name, "restore" + ("@" + jar if jar else ""))
            if d is None:
                continue
            wall, agent, cpu = d
            if not rows:
                rows.append("Against the small descriptor's restore with the same jar (`restore`, 3 variables), paired "
                            "within each round: the median of the per-round differences (with a 95% bootstrap interval "
                            "for it, bench/paired.py), and their p10–p90. CPU is the "
                            "JVM's user + system time, all threads (`wait4`'s rusage).")
                rows.append("")
                rows.append("| JDK | case | Δ wall, median | its 95% interval | Δ wall p10–p90 | Δ agent says, median "
                            "| Δ agent says p10–p90 | Δ CPU, median | Δ CPU p10–p90 | pairs |")
                rows.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
            rows.append("| %s | %s (`%s`) | %+.1f | %s | %+.1f–%+.1f | %+.1f | %+.1f–%+.1f | %+.0f | %+.0f–%+.0f | %d |" % (
                jdk.version, c.label, c.name, statistics.median(wall), paired.interval(wall), pct(wall, 0.1), pct(wall, 0.9),
                statistics.median(agent), pct(agent, 0.1), pct(agent, 0.9),
                statistics.median(cpu), pct(cpu, 0.1), pct(cpu, 0.9), len(wall)))
    return rows


def plot(base, jdks, cases, summary):
    if not gnuplot.available("bench"):
        return
    dat = base + ".dat"
    rows = []
    x = 0
    blocks = []
    for jdk in jdks:
        block = []
        for c in cases:
            s = summary.get((jdk.name, c.name))
            if not s:
                continue
            x += 1
            block.append("%d \"%s\" %.2f %.2f %.2f %.2f %.2f %.2f" % (
                x, c.name, s["p10"], s["q1"], s["median"], s["q3"], s["p90"], s["rss_mb"]))
        x += 1
        blocks.append((jdk, block))
    for jdk, block in blocks:
        rows.append("# JDK %s" % jdk.version)
        rows.extend(block)
        rows.append("")
        rows.append("")
    with open(dat, "w") as f:
        f.write("\n".join(rows))
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    wall = []
    rss = []
    for i, (jdk, _) in enumerate(blocks):
        col = colours[i % len(colours)]
        wall.append("'%s' index %d using 1:4:3:7:6:xticlabels(2) with candlesticks whiskerbars 0.5 "
                    "lc rgb '%s' fs solid 0.3 title 'JDK %s (p10, q1, q3, p90)'" % (dat, i, col, jdk.version))
        wall.append("'%s' index %d using 1:5:5:5:5 with candlesticks lc rgb '%s' lw 2 notitle" % (dat, i, col))
        wall.append("'%s' index %d using 1:5:(sprintf('%%.0f', $5)) with labels offset 3.2,0 font ',9' notitle"
                    % (dat, i))
        rss.append("'%s' index %d using 1:8:xticlabels(2) with boxes lc rgb '%s' fs solid 0.5 title 'JDK %s'"
                   % (dat, i, col, jdk.version))
        rss.append("'%s' index %d using 1:8:(sprintf('%%.0f', $8)) with labels offset 0,0.7 font ',9' notitle"
                   % (dat, i))
    script = """
set terminal pngcairo size 1400,560 font 'sans,11'
set output '%s.png'
set multiplot layout 1,2 title 'selfrestore start-up: java Hello, cold JVM, median and spread'
set style fill solid 0.3
set boxwidth 0.6
set grid ytics
set xtics rotate by -35
set xrange [0:%d]
set yrange [0:*]
set offsets 0,0,graph 0.12,0
set key top left
set ylabel 'wall time, ms (box q1-q3, whiskers p10-p90, line median)'
plot %s
set ylabel 'peak RSS, MB (median)'
set key top left
plot %s
unset multiplot
""" % (base, x, ", ".join(wall), ", ".join(rss))
    gnuplot.run(script, "bench")


if __name__ == "__main__":
    main()
