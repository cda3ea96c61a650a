#!/bin/sh
# The scenarios run.sh runs inside the guest (as root, in the root shared by the host):
#   smoke: a foreign process (a copy of sleep with its own arguments and environment) is captured
#          and restored into fresh JVMs, as root, as an ordinary user without capabilities and in a
#          user namespace; /proc/PID/{exe,cmdline,environ,auxv,comm} are compared byte for byte;
#          selfrestore run brings a JVM back at the original's PID (clone3 set_tid; ns_last_pid
#          through the testing jar; PID 7 of a new pid namespace under selfrestore's native init);
#          doctor --json is checked against what this kernel is;
#   all:   the smoke scenarios, then the integration tests (JUnit) against the same jar.
# Ends with the line "N passed, M failed".
set -u
{ # read to the end before running: the script may change while a guest runs it
REPO=$SR_REPO
JAVA=$SR_JAVA
JAR=$REPO/agent/target/selfrestore.jar
CLASSES=$REPO/it-tests/target/test-classes
W=$(mktemp -d /tmp/sr.XXXXXX)
chmod 755 "$W"
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS  $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
check() { # check NAME COMMAND...: passes when the command succeeds
  name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
finish() {
  echo "$passed passed, $failed failed"
  if [ $$ = 1 ]; then
    # PID 1 of the guest (run.sh): nothing else will power it off
    sync
    echo o >/proc/sysrq-trigger
    sleep 60
  fi
  exit 0
}

release=$(uname -r)
kmajor=${release%%.*}; rest=${release#*.}; kminor=${rest%%[!0-9]*}
kver=$((kmajor * 1000 + kminor))
machine=$(uname -m)
echo "vm-guest: kernel $release $machine; $("$JAVA" -version 2>&1 | head -n 1)"
# JDK 24+ warns about Chronicle's use of sun.misc.Unsafe unless told not to (docs/restore.md: What the
# agent leaves in the application); the restores below expect the agent's one line and nothing else.
JOPTS=-XX:-UsePerfData
feature=$("$JAVA" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
[ "${feature:-0}" -ge 24 ] && JOPTS="$JOPTS --sun-misc-unsafe-memory-access=allow"

# --- the original: a copy of sleep with arguments and an environment of its own ---------------------
SLEEP=$(command -v sleep)
cp "$SLEEP" "$W/orders-service"
chmod 755 "$W/orders-service"
raw=$(printf 'RAW=caf\351\001end')
env -i PATH=/usr/bin:/bin SERVICE_REGION=eu-west-1 "$raw" 'DB_URL=postgres://db/orders?sslmode=require' \
  "$W/orders-service" 3600 0.5 &
orig=$!
ready=''
for _ in $(seq 1 600); do
  # exe changes before the kernel has built the stack and auxv: wait for both (see the kernel notes)
  if [ "$(readlink "/proc/$orig/exe" 2>/dev/null)" = "$W/orders-service" ] \
     && [ "$(wc -c <"/proc/$orig/auxv" 2>/dev/null || echo 0)" -gt 16 ] \
     && grep -q SERVICE_REGION "/proc/$orig/environ" 2>/dev/null; then
    ready=1; break
  fi
  sleep 0.1
done
[ -n "$ready" ] || { fail "the original started"; finish; }
for item in cmdline environ auxv comm; do cat "/proc/$orig/$item" >"$W/orig.$item"; done
readlink "/proc/$orig/exe" >"$W/orig.exe"

t0=$(date +%s)
if "$JAVA" $JOPTS -jar "$JAR" capture --pid "$orig" --out "$W/orders.mmd" >"$W/capture.out" 2>&1; then
  pass "capture --pid of the original ($(( $(date +%s) - t0 ))s)"
else
  fail "capture --pid of the original"; cat "$W/capture.out"; finish
fi
kill "$orig"; wait "$orig" 2>/dev/null
chmod 644 "$W/orders.mmd"

# --- restores -------------------------------------------------------------------------------------
# await_ready PID: until $W/out has main's READY, or PID has ended (at most 180 s: TCG is slow)
await_ready() {
  for _ in $(seq 1 1800); do
    grep -q READY "$W/out" 2>/dev/null && break
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
}

# restore NAME DESCRIPTOR EXPECT_EXE STDERR_PATTERN [PREFIX...]: starts ShowIdentity with the agent
# under PREFIX (setpriv, unshare), waits for main, compares /proc from outside, ends it through stdin.
restore() {
  name=$1 mmd=$2 expect_exe=$3 pattern=$4; shift 4
  rm -f "$W/in" "$W/out" "$W/err"
  mkfifo "$W/in"
  t0=$(date +%s)
  "$@" "$JAVA" $JOPTS -javaagent:"$JAR=$mmd" -cp "$CLASSES" dev.selfrestore.it.app.ShowIdentity \
    <"$W/in" >"$W/out" 2>"$W/err" &
  pid=$!
  exec 3>"$W/in"
  await_ready "$pid"
  if ! grep -q READY "$W/out"; then
    fail "$name: the restored JVM reached main"; cat "$W/out" "$W/err"; exec 3>&-; kill "$pid" 2>/dev/null; return
  fi
  pass "$name: the restored JVM reached main ($(( $(date +%s) - t0 ))s)"
  for item in cmdline environ auxv comm; do
    # a copy first: /proc files show st_size 0, which cmp takes for a difference
    cat "/proc/$pid/$item" >"$W/now.$item"
    if cmp -s "$W/orig.$item" "$W/now.$item"; then
      pass "$name: /proc/PID/$item identical ($(wc -c <"$W/orig.$item") bytes)"
    else
      fail "$name: /proc/PID/$item differs"
      od -c "$W/orig.$item" | head -n 8; echo "  restored:"; od -c "$W/now.$item" | head -n 8
    fi
  done
  echo "vm-guest: $name: $(grep -c 'anon:selfrestore' "/proc/$pid/maps") mapping(s) named [anon:selfrestore:...] in /proc/PID/maps"
  exe=$(readlink "/proc/$pid/exe")
  if [ "$exe" = "$expect_exe" ]; then pass "$name: /proc/PID/exe is $exe"; else fail "$name: /proc/PID/exe is $exe, expected $expect_exe"; fi
  seen=$(sed -n 's/^EXE=//p' "$W/out")
  if [ "$seen" = "$expect_exe" ]; then pass "$name: main saw exe $seen"; else fail "$name: main saw exe $seen, expected $expect_exe"; fi
  exec 3>&-
  wait "$pid"; status=$?
  if [ "$status" = 0 ]; then pass "$name: the JVM exited with 0"; else fail "$name: the JVM exited with $status"; fi
  lines=$(wc -l <"$W/err")
  if [ "$lines" = 1 ] && grep -q -- "$pattern" "$W/err"; then
    pass "$name: the agent's one line: $(cat "$W/err")"
  else
    fail "$name: the agent's output, expected one line matching '$pattern':"; cat "$W/err"
  fi
}

launcher=$(readlink -f "$JAVA")
restore "root" "$W/orders.mmd" "$W/orders-service" '^selfrestore: restored'
restore "nobody, no capabilities" "$W/orders.mmd" "$launcher" '^selfrestore: .*CAP_CHECKPOINT_RESTORE' \
  setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all
userns=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo '?')
clone=$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 'absent')
echo "vm-guest: max_user_namespaces $userns, kernel.unprivileged_userns_clone $clone; unshare: $(command -v unshare) ($(readlink -f "$(command -v unshare)"))"
# The user restores a descriptor of its own: in its user namespace a file of real root shows as
# owned by the overflow uid, which the agent does not trust.
cp "$W/orders.mmd" "$W/own.mmd"; chown 65534:65534 "$W/own.mmd"
restore "nobody, unshare -Ur" "$W/own.mmd" "$W/orders-service" '^selfrestore: restored' \
  setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur

# --- the same PID: selfrestore run -------------------------------------------------------------
# samepid NAME JAR EXPECT_PID HOW [RUN_OPTION...]: run starts ShowIdentity at the original's PID (or
# EXPECT_PID in a new pid namespace); main's PID, the line naming HOW, /proc from outside, the status.
samepid() {
  label=$1 jar=$2 expect=$3 how=$4; shift 4
  rm -f "$W/in" "$W/out" "$W/err"
  mkfifo "$W/in"
  "$JAVA" $JOPTS -jar "$jar" run "$@" "$W/orders.mmd" -- "$JAVA" $JOPTS -cp "$CLASSES" \
    dev.selfrestore.it.app.ShowIdentity run <"$W/in" >"$W/out" 2>"$W/err" &
  runpid=$!
  exec 3>"$W/in"
  await_ready "$runpid"
  seen=$(sed -n 's/^PID=//p' "$W/out")
  if [ "$seen" = "$expect" ]; then pass "$label: main runs as pid $seen"; else
    fail "$label: main runs as pid '$seen', expected $expect"; cat "$W/out" "$W/err"; exec 3>&-; kill "$runpid"; return; fi
  if grep -q "^selfrestore: run: .* runs as pid $expect.*$how" "$W/err"; then pass "$label: run says $how"
  else fail "$label: run's line does not say $how"; cat "$W/err"; fi
  host=$orig
  if [ "$expect" != "$orig" ]; then # in a new pid namespace: run (the waiter) -> init -> the JVM
    init=$(cat "/proc/$runpid/task/$runpid/children" | tr -d ' ')
    host=$(cat "/proc/$init/task/$init/children" | tr -d ' ')
  fi
  for item in cmdline environ auxv comm; do
    cat "/proc/$host/$item" >"$W/now.$item"
    if cmp -s "$W/orig.$item" "$W/now.$item"; then pass "$label: /proc/PID/$item identical"
    else fail "$label: /proc/PID/$item differs"; fi
  done
  check "$label: run became the native waiter (comm selfrestore)" [ "$(cat "/proc/$runpid/comm")" = selfrestore ]
  exec 3>&-
  wait "$runpid"; status=$?
  check "$label: run exited with the JVM's status 0 (got $status)" [ "$status" = 0 ]
}
samepid "run" "$JAR" "$orig" "clone3 set_tid"
# the testing jar's command line behaves as on a kernel without clone3: the ns_last_pid way
export SELFRESTORE_TEST_FAULTS=no-clone3
samepid "run, ns_last_pid" "$REPO/it-tests/target/selfrestore-testing.jar" "$orig" "ns_last_pid"
unset SELFRESTORE_TEST_FAULTS
samepid "run --new-pid-namespace --pid 7" "$JAR" 7 "under selfrestore's init" --new-pid-namespace --pid 7

# --- doctor --json against what this kernel is ----------------------------------------------------
"$JAVA" $JOPTS -jar "$JAR" doctor --json >"$W/doctor.json" 2>"$W/doctor.err"
dstatus=$?
fact() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$W/doctor.json" | head -n 1; }
check "doctor --json as root exits 0 (status $dstatus)" [ "$dstatus" = 0 ]
check "doctor: verdict $(fact verdict), expected ready" [ "$(fact verdict)" = ready ]
check "doctor: kernel_release $(fact kernel_release) is uname -r" [ "$(fact kernel_release)" = "$release" ]
check "doctor: machine $(fact machine) is uname -m" [ "$(fact machine)" = "$machine" ]
check "doctor: mm_map_size $(fact mm_map_size)" [ "$(fact mm_map_size)" = 104 ]
check "doctor: page_size $(fact page_size) is getconf PAGESIZE" [ "$(fact page_size)" = "$(getconf PAGESIZE)" ]
# PR_GET_AUXV came with 6.4; before it the size is the architecture's AT_VECTOR_SIZE words.
if [ "$kver" -ge 6004 ]; then expect_from=true; else expect_from=false; fi
check "doctor: auxv_limit_from_kernel $(fact auxv_limit_from_kernel) (PR_GET_AUXV exists since 6.4)" \
  [ "$(fact auxv_limit_from_kernel)" = "$expect_from" ]
# AT_VECTOR_SIZE = 2 * (AT_VECTOR_SIZE_ARCH + AT_VECTOR_SIZE_BASE + 1) words: BASE 20 before 6.3, 22
# until 6.15, 24 since 6.16; ARCH on x86_64 2 with IA32 emulation (abi.vsyscall32 exists), 1
# without, one more since 5.14 (AT_MINSIGSTKSZ); arm64 2.
base=20; [ "$kver" -ge 6003 ] && base=22; [ "$kver" -ge 6016 ] && base=24
archn=2
if [ "$machine" = x86_64 ]; then
  [ -e /proc/sys/abi/vsyscall32 ] || archn=1
  [ "$kver" -ge 5014 ] && archn=$((archn + 1))
fi
expect_auxv=$((2 * (archn + base + 1) * 8))
check "doctor: saved_auxv_bytes $(fact saved_auxv_bytes), this kernel's sizeof(saved_auxv) $expect_auxv" \
  [ "$(fact saved_auxv_bytes)" = "$expect_auxv" ]
# CAP_CHECKPOINT_RESTORE (40) exists since 5.9: cap_last_cap is at least 40 on every kernel here.
check "doctor: cap_last_cap $(fact cap_last_cap) = /proc/sys/kernel/cap_last_cap" \
  [ "$(fact cap_last_cap)" = "$(cat /proc/sys/kernel/cap_last_cap)" ]
check "doctor: names CAP_CHECKPOINT_RESTORE as held (5.9+)" grep -q '"value": "uid 0, .*CAP_CHECKPOINT_RESTORE' "$W/doctor.json"
check "doctor: exe can be changed" grep -q '"exe_changeable": true' "$W/doctor.json"
check "doctor: max_user_namespaces $(fact max_user_namespaces)" [ "$(fact max_user_namespaces)" = "$userns" ]
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  "$JAVA" $JOPTS -jar "$JAR" doctor --json >"$W/doctor.json" 2>"$W/doctor.err"
dstatus=$?
check "doctor --json as nobody exits 0 (status $dstatus)" [ "$dstatus" = 0 ]
check "doctor as nobody: verdict $(fact verdict), expected ready-except-exe" [ "$(fact verdict)" = ready-except-exe ]
check "doctor as nobody: unshare -Ur $(fact unshare_test)" [ "$(fact unshare_test)" = "works for this user" ]

if [ "${SR_MODE:-smoke}" = all ]; then
  . "$REPO/it-tests/vm/guest-all.sh"
fi
finish
}
