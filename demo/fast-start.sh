#!/usr/bin/env bash
# Fast start: a small HTTP service (demo/FastStartService.java, on the JDK's com.sun.net.httpserver)
# is started, captured with `selfrestore capture` and stopped; then fresh JVMs start in its place —
# plain, with a JDK 25 AOT cache (JEP 483/514), and with the AOT cache plus selfrestore — each timed
# from exec to its first HTTP 200 answer on 127.0.0.1, in interleaved rounds. Prints a table, writes
# demo/results/fast-start.{md,csv,png} and shows ps of the restored service.
#
#   demo/fast-start.sh [--rounds N] [--port P] [--build]
#
# Needs a JDK 25 (JAVA25=/path/to/bin/java, else the first found) and Maven (to build the agent jar
# when it is missing, or with --build). The agent changes /proc/self/exe, which needs
# CAP_CHECKPOINT_RESTORE: as root it runs as is, otherwise in a user namespace (unshare -Ur).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

rounds=10 port=18080 build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds|-n) rounds=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --build) build=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

java25=${JAVA25:-}
if [ -z "$java25" ]; then
  for j in "$(command -v java || true)" /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    if "$j" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '; then java25=$j; break; fi
  done
fi
if [ -z "$java25" ]; then
  echo "fast-start: needs a JDK with AOT caches (25+, -XX:AOTCacheOutput); set JAVA25=/path/to/bin/java" >&2
  exit 2
fi
bin=$(dirname "$java25")

. bench/gnuplot.sh
ensure_gnuplot fast-start

JAR=$repo/agent/target/selfrestore.jar
if [ "$build" = 1 ] || [ ! -f "$JAR" ]; then
  echo "== Building selfrestore (mvn package)"
  mvn -q -B -DskipTests package
fi

work=$(mktemp -d /tmp/selfrestore-fast-start.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/classes" demo/results
"$bin/javac" -d "$work/classes" demo/FastStartService.java
# A jar, not a directory: the AOT cache takes only jars on the class path.
"$bin/jar" --create --file "$work/orders-service.jar" -C "$work/classes" .

run_as=()
if [ "$(id -u)" != 0 ]; then
  run_as=(unshare -Ur)
fi
"${run_as[@]}" python3 demo/fast_start.py --java "$java25" --agent "$JAR" --service-jar "$work/orders-service.jar" \
  --work "$work" --out "$repo/demo/results/fast-start" --rounds "$rounds" --port "$port"
echo
echo "Table: demo/results/fast-start.md; plot: demo/results/fast-start.png"
