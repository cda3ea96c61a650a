#!/usr/bin/env bash
# Builds selfrestore, then shows an original process and a JVM restored from its descriptor side
# by side, as ps, pidof and /proc show them.
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA=${JAVA:-java}
echo "== Building selfrestore (mvn package)"
mvn -q -B -DskipTests package
JAR=$PWD/agent/target/selfrestore.jar

work=$(mktemp -d /tmp/selfrestore-demo.XXXXXX)
chmod 755 "$work"
orig_pid='' jvm_pid=''
cleanup() {
  [ -n "$jvm_pid" ] && kill "$jvm_pid" 2>/dev/null || true
  [ -n "$orig_pid" ] && kill "$orig_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The "checkpointed" process: a native program with its own name, arguments and environment.
cp /usr/bin/sleep "$work/orders-service"
env -i PATH=/usr/bin:/bin SERVICE_REGION=eu-west-1 DB_URL='postgres://db/orders?sslmode=require' \
  "$work/orders-service" 3600 &
orig_pid=$!
# Ready once env has exec'd it and it sleeps: exe changes in execve before the arguments are filled in.
for _ in $(seq 1 500); do
  [ "$(readlink "/proc/$orig_pid/exe")" = "$work/orders-service" ] \
    && [ "$(cut -d' ' -f3 "/proc/$orig_pid/stat")" = S ] && break
  sleep 0.01
done

echo
echo "== 1. The original process (pid $orig_pid)"
ps -o pid,comm,args -p "$orig_pid"

echo
echo "== 2. Capture its mm descriptor"
"$JAVA" -jar "$JAR" capture --pid "$orig_pid" --out "$work/orders.mmd"

echo
echo "== 3. Start a fresh JVM with the agent"
run_as=()
if [ "$(id -u)" != 0 ]; then
  # Changing /proc/PID/exe needs CAP_CHECKPOINT_RESTORE: a user namespace grants it to an ordinary user.
  run_as=(unshare -Ur)
fi
mkfifo "$work/stdin"
"${run_as[@]}" "$JAVA" -javaagent:"$JAR"="$work/orders.mmd" demo/DemoApp.java <"$work/stdin" >"$work/out" 2>&1 &
jvm_pid=$!
exec 3>"$work/stdin"
for _ in $(seq 1 300); do grep -q READY "$work/out" 2>/dev/null && break; sleep 0.1; done
grep -v READY "$work/out"

echo
echo "== 4. Side by side: original $orig_pid and restored JVM $jvm_pid"
ps -o pid,comm,args -p "$orig_pid,$jvm_pid"
echo
printf '%-10s %-45s %s\n' "" "original ($orig_pid)" "restored JVM ($jvm_pid)"
printf '%-10s %-45s %s\n' exe "$(readlink /proc/$orig_pid/exe)" "$(readlink /proc/$jvm_pid/exe)"
printf '%-10s %-45s %s\n' comm "$(cat /proc/$orig_pid/comm)" "$(cat /proc/$jvm_pid/comm)"
printf '%-10s %-45s %s\n' cmdline "$(tr '\0' ' ' </proc/$orig_pid/cmdline)" "$(tr '\0' ' ' </proc/$jvm_pid/cmdline)"
for item in cmdline environ auxv comm; do
  if cmp -s /proc/$orig_pid/$item /proc/$jvm_pid/$item; then same="identical, byte for byte"; else same="DIFFERENT"; fi
  printf '%-10s %s (%s bytes)\n' "$item" "$same" "$(wc -c </proc/$jvm_pid/$item)"
done
echo "environ of the restored JVM:"
tr '\0' '\n' </proc/$jvm_pid/environ | sed 's/^/  /'
echo
echo "pidof orders-service: $(pidof orders-service)"
echo "pgrep -f 'orders-service 3600': $(pgrep -f 'orders-service 3600' | tr '\n' ' ')"
exec 3>&-
