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


def differences(results, jdk, case, base):
    """(wall, agent says, CPU) differences of case over base, round by round, or None without a pair.

    results: {(jdk, case): [run]}, each run a dict with round, wall_ms, agent_ms (or None), user_ms
    and sys_ms, as bench/startup.py keeps them and read_csv reads them back.
    """
    small = {r["round"]: r for r in results.get((jdk, base), [])}
    runs = [r for r in results.get((jdk, case), []) if r["round"] in small]
    if not runs:
        return None
    wall = [r["wall_ms"] - small[r["round"]]["wall_ms"] for r in runs]
    agent = [r["agent_ms"] - small[r["round"]]["agent_ms"] for r in runs
             if r.get("agent_ms") is not None and small[r["round"]].get("agent_ms") is not None]
    cpu = [r["user_ms"] + r["sys_ms"] - small[r["round"]]["user_ms"] - small[r["round"]]["sys_ms"] for r in runs]
    return wall, agent, cpu


def read_csv(path):
    """A saved run (bench/results/*.csv) in the form bench/startup.py keeps its results."""
    results = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            results.setdefault((r["jdk"], r["case"]), []).append({
                "round": int(r["round"]), "wall_ms": float(r["wall_ms"]), "user_ms": float(r["user_ms"]),
                "sys_ms": float(r["sys_ms"]),
                "agent_ms": float(r["agent_reported_ms"]) if r["agent_reported_ms"] else None})
    return results


def interval(values):
    """The median's 95% interval as a table cell: [lo, hi]."""
    _, lo, hi = median_interval(values)
    return "[%+.1f, %+.1f]" % (lo, hi)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="restore-env-1")
    ap.add_argument("--base", default="restore")
    ap.add_argument("csv", nargs="+")
    a = ap.parse_args()
    pooled = {}
    for path in a.csv:
        results = read_csv(path)
        for jdk in sorted({j for j, _ in results}):
            d = differences(results, jdk, a.case, a.base)
            if d is None:
                continue
            w, g, c = d
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
                cells.append("%+.1f %s" % (statistics.median(values), interval(values)))
            else:
                cells.append("")
        print("| %s | %d | %s |" % (jdk, len(pooled[jdk][0]), " | ".join(cells)))


if __name__ == "__main__":
    main()
