#!/usr/bin/env bash
# Fuzzes the descriptor reader (runtime's DescriptorFuzzTest, Jazzer) for longer than CI does.
#
#   bench/fuzz.sh [duration]     duration as Jazzer takes it: 30s, 10m, 2h (default 10m)
#
# Runs only the fuzz test (the fuzz.only property skips runtime's other tests). The corpus it grows
# is kept in runtime/target/jazzer/.cifuzz-corpus and reused by the next run until `mvn clean`;
# an input that fails is written to runtime/target/jazzer/crash-*: add it as a seed under
# runtime/src/test/resources/dev/selfrestore/runtime/codec/DescriptorFuzzTestInputs/decode/ with
# the fix, so every `mvn verify` replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10m}"
status=0
mvn -B -pl runtime -am verify -Dfuzz.only=true -Dfuzz.duration="$duration" || status=$?
ls runtime/target/jazzer/crash-* runtime/target/jazzer/timeout-* 2>/dev/null && echo "findings above" >&2
exit "$status"
