#!/usr/bin/env bash
# Runs the integration tests several times in a row and reports each run: a test that fails once in
# ten runs is a race to find, not noise. Not part of the build or CI.
#
#   it-tests/repeat.sh [RUNS] [MAVEN OPTIONS ...]
#
# RUNS defaults to 10. The options go to every `mvn verify` run, e.g. -o (offline) or
# -Dit.test='InspectIT,CaptureCliIT' for some tests only. The first run builds what is needed; the
# later ones rebuild nothing that is up to date. Unit tests and fuzzing are skipped. Each run's log
# is kept in it-tests/target/repeat/run-N.log; the last line is the summary, and the exit status is 1
# if any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=10
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  runs=$1
  shift
fi
logs=it-tests/target/repeat
rm -rf "$logs"
mkdir -p "$logs"

# "completed/errors/failures/skipped" from a failsafe summary file, or "-" if the run wrote none.
counts() {
  local file=$1
  [ -f "$file" ] || { echo -; return; }
  local c e f s
  c=$(sed -n 's:.*<completed>\([0-9]*\)</completed>.*:\1:p' "$file")
  e=$(sed -n 's:.*<errors>\([0-9]*\)</errors>.*:\1:p' "$file")
  f=$(sed -n 's:.*<failures>\([0-9]*\)</failures>.*:\1:p' "$file")
  s=$(sed -n 's:.*<skipped>\([0-9]*\)</skipped>.*:\1:p' "$file")
  echo "${c:-?} run, ${e:-?} errors, ${f:-?} failures, ${s:-?} skipped"
}

passed=0 failed=0 failed_runs=()
start_all=$(date +%s)
for run in $(seq 1 "$runs"); do
  log=$logs/run-$run.log
  start=$(date +%s)
  mvn -B verify -pl it-tests -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.skip=true "$@" \
    >"$log" 2>&1
  status=$?
  seconds=$(( $(date +%s) - start ))
  first=$(counts it-tests/target/failsafe-reports/failsafe-summary.xml)
  second=$(counts it-tests/target/failsafe-reports-second-jdk/failsafe-summary.xml)
  if [ $status -eq 0 ]; then
    passed=$((passed + 1))
    result=passed
  else
    failed=$((failed + 1))
    failed_runs+=("$run")
    result="FAILED (exit $status)"
  fi
  echo "run $run/$runs: $result in ${seconds}s; first JDK: $first; second JDK: $second; log $log"
  if [ $status -ne 0 ]; then
    # The failing tests as failsafe names them, and the first lines of their reasons.
    grep -E '^\[ERROR\] (Tests run:.*FAIL|  [A-Za-z].*(IT|Test)[.:])' "$log" | head -20 | sed 's/^/    /'
  fi
done
minutes=$(( ($(date +%s) - start_all + 59) / 60 ))
echo "repeat: $runs runs in ${minutes} min, $passed passed, $failed failed${failed_runs:+ (runs ${failed_runs[*]})}"
[ "$failed" -eq 0 ]
