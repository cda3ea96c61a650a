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
orig_pid='' run_pid=''
cleanup() {
  [ -n "$run_pid" ] && kill "$run_pid" 2>/dev/null || true
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
# What it showed, kept for the comparison after it is gone.
for item in cmdline environ auxv comm; do cat "/proc/$orig_pid/$item" >"$work/original.$item"; done
orig_exe=$(readlink "/proc/$orig_pid/exe")

echo
echo "== 2. Capture its mm descriptor, then end it (as a checkpoint does)"
"$JAVA" -jar "$JAR" capture --pid "$orig_pid" --out "$work/orders.mmd"
kill "$orig_pid"
wait "$orig_pid" 2>/dev/null || true
orig_gone=$orig_pid orig_pid=''

echo
echo "== 3. selfrestore run: a fresh JVM at the original's pid $orig_gone, with the agent"
run_as=() run_opts=()
if [ "$(id -u)" != 0 ]; then
  # Placing a PID and changing /proc/PID/exe need CAP_CHECKPOINT_RESTORE: a user namespace of one's
  # own grants it, over a pid namespace of its own (the PID is then the original's in there).
  run_as=(unshare -Ur) run_opts=(--new-pid-namespace)
fi
mkfifo "$work/stdin"
"${run_as[@]}" "$JAVA" -jar "$JAR" run "${run_opts[@]}" "$work/orders.mmd" -- "$JAVA" demo/DemoApp.java \
  <"$work/stdin" >"$work/out" 2>&1 &
run_pid=$!
exec 3>"$work/stdin"
for _ in $(seq 1 300); do grep -q READY "$work/out" 2>/dev/null && break; sleep 0.1; done
grep -v READY "$work/out"
jvm_pid=$orig_gone
if [ ${#run_opts[@]} -gt 0 ]; then
  jvm_pid=$(pgrep -P "$(pgrep -P "$run_pid" | head -1)" | head -1) # unshare -> run -> the JVM
fi

echo
echo "== 4. The original (pid $orig_gone, before it ended) and the restored JVM (pid $jvm_pid)"
ps -o pid,ppid,comm,args -p "$jvm_pid"
echo
printf '%-10s %-45s %s\n' "" "original ($orig_gone)" "restored JVM ($jvm_pid)"
printf '%-10s %-45s %s\n' exe "$orig_exe" "$(readlink /proc/$jvm_pid/exe)"
printf '%-10s %-45s %s\n' comm "$(cat "$work/original.comm")" "$(cat /proc/$jvm_pid/comm)"
printf '%-10s %-45s %s\n' cmdline "$(tr '\0' ' ' <"$work/original.cmdline")" "$(tr '\0' ' ' </proc/$jvm_pid/cmdline)"
for item in cmdline environ auxv comm; do
  # plain cmp: GNU cmp -s trusts st_size, which every /proc file reports as 0
  if cat /proc/$jvm_pid/$item | cmp "$work/original.$item" - >/dev/null; then same="identical, byte for byte"
  else same="DIFFERENT"; fi
  printf '%-10s %s (%s bytes)\n' "$item" "$same" "$(wc -c </proc/$jvm_pid/$item)"
done
echo "environ of the restored JVM:"
tr '\0' '\n' </proc/$jvm_pid/environ | sed 's/^/  /'
echo
echo "pid: the original's $orig_gone, the restored JVM's $jvm_pid$([ "$jvm_pid" = "$orig_gone" ] && echo ': the same')"
echo "pidof orders-service: $(pidof orders-service)"
echo "pgrep -f 'orders-service 3600': $(pgrep -f 'orders-service 3600' | tr '\n' ' ')"
"$JAVA" -jar "$JAR" verify --require-pid --pid "$jvm_pid" "$work/orders.mmd" || true
exec 3>&-
