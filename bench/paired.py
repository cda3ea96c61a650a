#!/usr/bin/env python3
"""Paired differences of saved benchmark runs, pooled over several runs, with how sure the median is.

A large-environment case is compared with the small descriptor's restore in the same round (the
JVMs ran one after the other, under the same conditions); a pair's difference spreads over tens of
milliseconds on these machines, so one run's median of a few dozen pairs is uncertain by several.
This pools the pairs of several runs (their CSVs from bench/results/) and gives the median with a
95% interval (bootstrap: the median of 4,000 resamples of the pairs, fixed seed, so the same CSVs
always print the same table).

    bench/paired.py [--case restore-env-1] [--base restore] CSV...
"""
import argparse
import csv
import random
import statistics
import sys

RESAMPLES = 4000


def median_interval(values, level=0.95, seed=1):
    """The median of values and a bootstrap interval for it (percentile method)."""
    rng = random.Random(seed)
    n = len(values)
    meds = sorted(statistics.median(rng.choices(values, k=n)) for _ in range(RESAMPLES))
    lo = meds[int(RESAMPLES * (1 - level) / 2)]
    hi = meds[int(RESAMPLES * (1 + level) / 2) - 1]
    return statistics.median(values), lo, hi


def pairs(path, case, base):
    """Per JDK: lists of (wall, agent says, CPU) differences of case over base, round by round."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    by = {(r["jdk"], r["case"], r["round"]): r for r in rows}
    out = {}
    for (jdk, c, rnd), r in by.items():
        b = by.get((jdk, base, rnd))
        if c != case or b is None:
            continue
        d = out.setdefault(jdk, ([], [], []))
        d[0].append(float(r["wall_ms"]) - float(b["wall_ms"]))
        if r["agent_reported_ms"] and b["agent_reported_ms"]:
            d[1].append(float(r["agent_reported_ms"]) - float(b["agent_reported_ms"]))
        d[2].append(float(r["user_ms"]) + float(r["sys_ms"]) - float(b["user_ms"]) - float(b["sys_ms"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="restore-env-1")
    ap.add_argument("--base", default="restore")
    ap.add_argument("csv", nargs="+")
    a = ap.parse_args()
    pooled = {}
    for path in a.csv:
        for jdk, (w, g, c) in pairs(path, a.case, a.base).items():
            p = pooled.setdefault(jdk, ([], [], []))
            p[0].extend(w)
            p[1].extend(g)
            p[2].extend(c)
    if not pooled:
        print("paired: no round has both %s and %s" % (a.case, a.base), file=sys.stderr)
        sys.exit(1)
    print("`%s` over `%s`, paired within each round, %d run(s) pooled; medians in ms, 95%% bootstrap "
          "interval of the median in brackets." % (a.case, a.base, len(a.csv)))
    print()
    print("| JDK | pairs | Δ wall | Δ agent says | Δ CPU |")
    print("|---|--:|--:|--:|--:|")
    for jdk in sorted(pooled, key=lambda j: int(j) if j.isdigit() else 0):
        cells = []
        for values in pooled[jdk]:
            if values:
                m, lo, hi = median_interval(values)
                cells.append("%+.1f [%+.1f, %+.1f]" % (m, lo, hi))
            else:
                cells.append("")
        print("| %s | %d | %s |" % (jdk, len(pooled[jdk][0]), " | ".join(cells)))


if __name__ == "__main__":
    main()
