#!/usr/bin/env bash
# selfrestore start-up benchmark: one command.
#
#   bench/startup.sh [--rounds N] [--recipes | --only-recipes] [--floors] [--capture] [--env-sizes] [--jar PATH] [--build] [--out DIR]
#                    [--compare NAME=JAR ...] [--cases a,b,...] [--note TEXT] [--no-wait]
#
# For each JDK present (17 and 25 by default; JDKS="17=/path 25=/path" to choose), times cold
# `java Hello` runs: plain, with an empty -javaagent, with selfrestore's default restore and with
# main-args=restore and jvm=restore (of a JVM original); --recipes adds the AppCDS (JDK 17) and AOT cache (JDK 25) recipes; --floors
# adds selfrestore's premain in pieces, each alone (class loader; + decode; + bind); --capture adds
# capture= alone (with each agent jar, --compare's too); --env-sizes restores descriptors with 0.1,
# 0.5, 1 and 1.8 MiB of environment and one with 2,000 arguments beside the small one
# (bench/original.py starts those originals). Runs are
# interleaved, one JVM at a time. Writes bench/results/startup-<date>.{md,csv,png} and prints the
# table. Needs root (selfrestore changes /proc/self/exe, which needs CAP_CHECKPOINT_RESTORE);
# installs gnuplot-nox if it is missing. --compare adds a restore case with another agent jar
# (before/after a change, interleaved in the same rounds); --no-wait measures on a machine that is
# never quiet (no waiting, no run repeated). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

rounds=20 recipes=() floors=() capture=() env_sizes=0 sizes=() nowait=() jar=$repo/agent/target/selfrestore.jar build=0 out=$repo/bench/results note='' cases=''
variants=() compare=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds|-n) rounds=$2; shift 2 ;;
    --recipes) recipes=(--recipes); shift ;;
    --only-recipes) recipes=(--only-recipes); shift ;;
    --floors) floors=(--floors); shift ;;
    --capture) capture=(--capture); shift ;;
    --env-sizes) env_sizes=1 sizes=(--env-sizes); shift ;;
    --no-wait) nowait=(--no-wait); shift ;;
    --jar) jar=$2; shift 2 ;;
    --build) build=1; shift ;;
    --out) out=$2; shift 2 ;;
    --note) note=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --compare) compare+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

. bench/gnuplot.sh
ensure_gnuplot bench

. bench/prepare.sh

for spec in "${compare[@]}"; do
  cp "${spec#*=}" "$work/${spec%%=*}.jar"
  variants+=(--variant "${spec%%=*}")
done

python3 bench/startup.py --work "$work" "${jdks[@]}" --rounds "$rounds" "${recipes[@]}" "${floors[@]}" "${capture[@]}" "${sizes[@]}" "${nowait[@]}" --out "$out" \
  ${note:+--note "$note"} ${cases:+--cases "$cases"} "${variants[@]}"
