#!/usr/bin/env bash
# Where selfrestore's start-up time goes, on one JDK (JDK 17 by default), cold.
#
#   bench/breakdown.sh [--runs N] [--jar PATH] [--java JAVA_HOME] [--build] [--flags "JVM FLAGS"]
#
# 1. N runs each of the empty agent and the default restore with -Xlog:class+load (uptime in ns,
#    thread id); bench/timeline.py cuts premain's thread into phases at marker classes and
#    prints the median of each phase, with the classes each library loaded in it.
# 2. -Xlog:startuptime: the JVM's "Create VM" time (premain runs inside it) for plain, empty agent
#    and restore, median of N.
# 3. One restore run under strace: the system calls of the restore itself (PR_SET_MM_MAP_SIZE to
#    the comm write), with their count and kernel time.
# See bench/README.md for the results and how to read them.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=7 jar=$repo/agent/target/selfrestore.jar build=0 home=/usr/lib/jvm/java-17-openjdk-amd64 flags=''
while [ $# -gt 0 ]; do
  case "$1" in
    --runs|-n) runs=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --java) home=$2; shift 2 ;;
    --build) build=1; shift ;;
    --flags) flags=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
JDKS="17=$home"
. bench/prepare.sh
java=$home/bin/java
env_=(env -i PATH=/usr/bin:/bin HOME="$HOME" LANG=C.UTF-8)
restore=(-javaagent:"$work/selfrestore.jar=$work/original.mmd")
empty=(-javaagent:"$work/empty-agent.jar")

echo "== selfrestore start-up breakdown: $("$java" -version 2>&1 | head -1), $runs cold runs each"
echo
echo "### Phases (-Xlog:class+load, restore runs)"
echo
for i in $(seq 1 "$runs"); do
  wait_quiet
  "${env_[@]}" "$java" $flags -Xlog:class+load:file="$work/empty-$i.log":uptimenanos,tid "${empty[@]}" -cp "$work/hello.jar" Hello >/dev/null
  "${env_[@]}" "$java" $flags -Xlog:class+load:file="$work/restore-$i.log":uptimenanos,tid "${restore[@]}" -cp "$work/hello.jar" Hello \
    >/dev/null 2>"$work/restore-$i.err"
  grep -q 'selfrestore: restored pid .*: exe,' "$work/restore-$i.err" || { cat "$work/restore-$i.err" >&2; exit 1; }
done
python3 bench/timeline.py "$work"/restore-*.log
echo
echo "Empty agent, for comparison: $(python3 bench/timeline.py "$work"/empty-*.log | tail -1)"
echo

echo "### -Xlog:startuptime: Create VM (includes premain), median ms"
echo
for case in plain empty restore; do
  for i in $(seq 1 "$runs"); do
    wait_quiet
    case $case in
      plain) a=() ;; empty) a=("${empty[@]}") ;; restore) a=("${restore[@]}") ;;
    esac
    "${env_[@]}" "$java" $flags -Xlog:startuptime:file="$work/st-$case-$i.log" "${a[@]}" -cp "$work/hello.jar" Hello >/dev/null 2>&1
  done
  python3 - "$case" "$work"/st-"$case"-*.log <<'PY'
import re, statistics, sys
v = []
for p in sys.argv[2:]:
    m = re.search(r"Create VM, ([0-9.]+) secs", open(p).read())
    if m:
        v.append(float(m.group(1)) * 1000)
print("- %-8s %.1f ms" % (sys.argv[1], statistics.median(v)) if v else "- %s: no startuptime log" % sys.argv[1])
PY
done

echo
echo "### The restore's system calls (one run under strace -f -T; strace slows each call)"
echo
if command -v strace >/dev/null; then
  wait_quiet
  "${env_[@]}" strace -f -T -o "$work/strace.txt" "$java" $flags "${restore[@]}" -cp "$work/hello.jar" Hello >/dev/null 2>&1
  python3 - "$work/strace.txt" <<'PY'
import collections, re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
start = next(i for i, l in enumerate(lines) if "PR_SET_MM_MAP_SIZE" in l)
tid = lines[start].split()[0]
end = next(i for i in range(start, len(lines)) if lines[i].startswith(tid) and "/comm" in lines[i] and "task" in lines[i])
count, secs = collections.Counter(), collections.Counter()
for l in lines[start:end + 3]:
    m = re.match(r"(\d+) (\w+)\(.*<([0-9.]+)>$", l)
    if m and m.group(1) == tid:
        count[m.group(2)] += 1
        secs[m.group(2)] += float(m.group(3))
print("| system call | count | kernel ms (under strace) |")
print("|---|--:|--:|")
for k in sorted(secs, key=lambda k: -secs[k]):
    print("| %s | %d | %.2f |" % (k, count[k], secs[k] * 1000))
print("| all | %d | %.2f |" % (sum(count.values()), sum(secs.values()) * 1000))
PY
else
  echo "(strace not installed)"
fi
