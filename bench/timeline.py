#!/usr/bin/env python3
"""Where the agent's time goes, from the JVM's own class-loading log.

Reads logs written with -Xlog:class+load:file=F:uptimenanos (one per run), cuts each run into phases
at the first load of marker classes (a phase starts when its first marker class is loaded), and
prints the median duration of each phase over the runs, with the number of classes each library
contributed to it and how many of those the JVM had to parse (not from the CDS archive).

Cold start-up is dominated by class loading, linking and first (interpreted) execution, so the
time between two marker classes is the cost of the work that loads them. The log itself costs a
little (a line per class); bench/breakdown.sh reports the total with and without it.

    timeline.py LOG...
"""
import re
import statistics
import sys

START = "JVM start to premain (launcher, VM init, java.instrument, agent jar opened)"
LINE = re.compile(r"^\[(\d+)ns\] (\S+) source: (.*)$")

# (phase, marker classes: the phase starts at the first of these to load)
PHASES = [
    ("premain entered (agent class loaded)", ["dev.selfrestore.agent.SelfRestoreAgent", "EmptyAgent"]),
    ("bootstrap: scan the jar for packages", ["dev.selfrestore.agent.bootstrap.AgentLayer"]),
    ("bootstrap: module layer (resolve, define, native access)", ["java.lang.module.ModuleDescriptor$Builder"]),
    ("agent: options, report set-up", ["dev.selfrestore.agent.internal.AgentRunner"]),
    ("codec: read the file", ["dev.selfrestore.runtime.codec.DescriptorCodec"]),
    ("Chronicle: Bytes, Jvm.<clinit> (system properties, SLF4J, JMX), first Bytes use",
     ["dev.selfrestore.runtime.codec.ChronicleStartup"]),
    ("codec: decode the record", ["dev.selfrestore.runtime.codec.Layout"]),
    ("JNA: Native.<clinit> (libjnidispatch), NativeLibrary (libc), register",
     ["dev.selfrestore.nativeshim.internal.JnaSyscalls"]),
    ("restore: probe, validate, exe check, args area, launcher swap, PR_SET_MM_MAP, comm",
     ["dev.selfrestore.runtime.proc.ProcPid", "dev.selfrestore.runtime.validate.KernelLimits"]),
    ("restore: verify /proc", ["dev.selfrestore.runtime.verify.Verifier"]),
    ("agent: summary line, main-args transformer", ["dev.selfrestore.runtime.restore.RestoreResult"]),
    ("premain returned to main (launcher loads the main class)", ["sun.launcher.LauncherHelper"]),
    ("end: main class loaded", ["Hello"]),
]

LIBS = [
    ("selfrestore", ("dev.selfrestore.",)),
    ("JNA", ("com.sun.jna.",)),
    ("Chronicle", ("net.openhft.",)),
    ("SLF4J", ("org.slf4j.",)),
    ("Byte Buddy", ("net.bytebuddy.",)),
    ("JDK: generated (lambdas, LambdaForms, proxies)", ()),
    ("JDK", ("java.", "javax.", "jdk.", "sun.", "com.sun.")),
]


def library(name, source):
    if "Lambda" in name or "LambdaForm$" in name or "$Proxy" in name or source.startswith("__"):
        return "JDK: generated (lambdas, LambdaForms, proxies)"
    for lib, prefixes in LIBS:
        if any(name.startswith(p) for p in prefixes):
            return lib
    return "other"


def parse(path):
    events = []
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if m:
                events.append((int(m.group(1)) / 1e6, m.group(2), m.group(3)))
    return events


def cut(events):
    """[(phase, start_ms, end_ms, [events])] for the phases whose markers are present."""
    first = {}
    for i, (t, name, _) in enumerate(events):
        first.setdefault(name, i)
    starts = []
    for phase, markers in PHASES:
        found = [first[m] for m in markers if m in first]
        if found:
            starts.append((phase, min(found)))
    starts.sort(key=lambda p: p[1])
    out = []
    prev_phase, prev_i = START, 0
    prev_t = 0.0
    for phase, i in starts:
        out.append((prev_phase, prev_t, events[i][0], events[prev_i:i]))
        prev_phase, prev_i, prev_t = phase, i, events[i][0]
    return out


def main(paths):
    runs = [cut(parse(p)) for p in paths]
    names = [p for p, *_ in runs[0]]
    print("Median of %d runs; ms. Classes: loaded in the phase (of which parsed, not from CDS)." % len(runs))
    print()
    print("| phase | ms | classes | by library |")
    print("|---|--:|--:|---|")
    totals = {}
    for idx, name in enumerate(names):
        durs, counts, parsed = [], [], []
        libs = {}
        for r in runs:
            if idx >= len(r) or r[idx][0] != name:
                continue
            _, s, e, ev = r[idx]
            durs.append(e - s)
            counts.append(len(ev))
            parsed.append(sum(1 for _, _, src in ev if "shared objects file" not in src))
            for _, n, src in ev:
                lib = library(n, src)
                libs.setdefault(lib, [0, 0])
                libs[lib][0] += 1
                if "shared objects file" not in src:
                    libs[lib][1] += 1
        if not durs:
            continue
        k = len(durs)
        lib_text = ", ".join("%s %d (%d)" % (lib, round(c / k), round(p / k))
                             for lib, (c, p) in sorted(libs.items(), key=lambda x: -x[1][0]) if round(c / k) > 0)
        med = statistics.median(durs)
        totals[name] = med
        print("| %s | %.1f | %d (%d) | %s |" % (name, med,
                                              statistics.median(counts), statistics.median(parsed), lib_text))
    agent = [n for n in names if n != START and not n.startswith(("premain returned", "end:"))]
    print()
    print("Agent (premain entered to premain returned), sum of medians: %.1f ms" % sum(totals.get(n, 0) for n in agent))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    main(sys.argv[1:])
