#!/usr/bin/env python3
"""Where the agent's time goes, from the JVM's own class-loading log.

Reads logs written with -Xlog:class+load:file=F:uptimenanos,tid (one per run). The agent works on
premain's thread alone (a jar of before 2026-12-07 also read on a second thread, shown apart).
Premain's classes are cut into phases at marker classes (a phase starts when its first marker is
loaded), and the median of each phase over the runs is printed, with the number of classes each
library contributed and how many of those the JVM had to parse (not from CDS).

Cold start-up is dominated by class loading, linking and first (interpreted) execution, so the
time between two marker classes is the cost of the work that loads them. The log itself costs a
little (a line per class); bench/breakdown.sh reports the total with and without it.

    timeline.py LOG...
"""
import re
import statistics
import sys

LINE = re.compile(r"^\[(\d+)ns\](?:\[(\d+)\])? (\S+) source: (.*)$")
ENTRY = ["dev.selfrestore.agent.SelfRestoreAgent", "EmptyAgent"]
END = "sun.launcher.LauncherHelper"

# Premain's thread: (phase, markers), each phase starting at the first load of one of its markers.
MAIN = [
    ("bootstrap: package index, class loader", ["dev.selfrestore.agent.bootstrap.IsolatedImplementation"]),
    ("options, the input's precheck", ["dev.selfrestore.agent.internal.AgentRunner"]),
    ("JNA: libjnidispatch, libc, Function objects", ["dev.selfrestore.nativeshim.internal.JnaSyscalls"]),
    ("read: trust walk, read, decode", ["dev.selfrestore.runtime.trust.DescriptorTrust"]),
    ("restore: probe, /proc/self, validate, exe, area, PR_SET_MM_MAP, comm, self-check",
     ["dev.selfrestore.runtime.restore.Restorer"]),
    ("report", ["dev.selfrestore.agent.internal.RestoreVerdict"]),
]
# A second thread of the agent, when a jar under comparison still reads on one (before 2026-12-07).
READ = [
    ("read the file", ["dev.selfrestore.runtime.codec.DescriptorCodec", "dev.selfrestore.runtime.codec.DescriptorReader"]),
]

LIBS = [
    ("selfrestore", ("dev.selfrestore.",)),
    ("JNA", ("com.sun.jna.",)),
    ("Chronicle", ("net.openhft.",)),
    ("SLF4J", ("org.slf4j.",)),
    ("Byte Buddy", ("net.bytebuddy.",)),
    ("JDK: generated", ()),
    ("JDK", ("java.", "javax.", "jdk.", "sun.", "com.sun.")),
]


def library(name, source):
    if "Lambda" in name or "LambdaForm$" in name or "$Proxy" in name or source.startswith("__"):
        return "JDK: generated"
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
                events.append((int(m.group(1)) / 1e6, m.group(2), m.group(3), m.group(4)))
    return events


def phases(events, spec, start_t, end_t):
    """[(phase, start, end, [events])] of one thread's events, cut at the first load of each marker."""
    first = {}
    for i, (t, _, name, _) in enumerate(events):
        first.setdefault(name, i)
    cuts = []
    for phase, markers in spec:
        found = [first[m] for m in markers if m in first]
        if found:
            cuts.append((phase, min(found)))
    cuts.sort(key=lambda c: c[1])
    out = []
    for k, (phase, i) in enumerate(cuts):
        s = events[i][0] if k else min(events[i][0], start_t)
        j = cuts[k + 1][1] if k + 1 < len(cuts) else len(events)
        e = events[j][0] if k + 1 < len(cuts) else end_t
        out.append((phase, s, e, events[i:j]))
    return out


def cut(events):
    """{'main': [...], 'read': [...], 'tail': [...], 'premain': ms} for one run."""
    entry = next(i for i, e in enumerate(events) if e[2] in ENTRY)
    t0, main_tid = events[entry][0], events[entry][1]
    end = next(i for i, e in enumerate(events) if e[2] == END and i > entry)
    agent = events[entry:end]
    mine = [e for e in agent if e[1] == main_tid] if main_tid else agent
    read_first = next((e for e in agent if e[2] in READ[0][1] and e[1] != main_tid), None)
    other = [e for e in agent if read_first and e[1] == read_first[1] and e[1] != main_tid] if main_tid else []
    read_end = other[-1][0] if other else None
    read = phases(other, READ, other[0][0], read_end) if other else []
    # premain's thread up to its last warm-up class, then waiting, then the restore proper
    main_events = [e for e in mine if read_end is None or e[0] <= read_end]
    main_end = main_events[-1][0] if main_events else t0
    main = phases(main_events, [("premain entered", ENTRY)] + MAIN, t0, main_end)
    tail_start = max(main_end, read_end or main_end)
    wait = [("waits for the reading thread", main_end, tail_start, [])] if read_end and read_end > main_end else []
    tail = [("restore: validate, exe, args area, launcher swap, PR_SET_MM_MAP, comm, verify, report",
             tail_start, events[end][0], [e for e in mine if e[0] > tail_start])]
    return {"main": main + wait, "read": read, "tail": tail, "premain": events[end][0] - t0, "t0": t0}


def table(runs, key, title):
    names = []
    for r in runs:
        for p in r[key]:
            if p[0] not in names:
                names.append(p[0])
    if not names:
        return
    print("**%s**" % title)
    print()
    print("| phase | from premain, ms | ms | classes (parsed) | by library |")
    print("|---|--:|--:|--:|---|")
    for name in names:
        durs, starts, counts, parsed, libs = [], [], [], [], {}
        for r in runs:
            for phase, s, e, ev in r[key]:
                if phase != name:
                    continue
                durs.append(e - s)
                starts.append(s - r["t0"])
                counts.append(len(ev))
                parsed.append(sum(1 for *_, src in ev if "shared objects file" not in src))
                for _, _, n, src in ev:
                    c = libs.setdefault(library(n, src), [0, 0])
                    c[0] += 1
                    c[1] += "shared objects file" not in src
        k = len(durs)
        lib_text = ", ".join("%s %d (%d)" % (lib, round(c / k), round(p / k))
                             for lib, (c, p) in sorted(libs.items(), key=lambda x: -x[1][0]) if round(c / k) > 0)
        print("| %s | %.1f | %.1f | %d (%d) | %s |" % (name, statistics.median(starts), statistics.median(durs),
                                                      statistics.median(counts), statistics.median(parsed), lib_text))
    print()


def main(paths):
    runs = [cut(parse(p)) for p in paths]
    print("Median of %d runs; ms from the agent class's loading (premain entered)." % len(runs))
    print()
    table(runs, "main", "premain's thread")
    table(runs, "read", "the reading thread (selfrestore-read)")
    table(runs, "tail", "premain's thread, once the descriptor is read")
    print("Premain entered to premain returned (agent class loaded to LauncherHelper): median %.1f ms"
          % statistics.median(r["premain"] for r in runs))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    main(sys.argv[1:])
