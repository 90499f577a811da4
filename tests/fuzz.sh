#!/usr/bin/env bash
# The fuzz targets of tests/suite/fuzz.rs at length (not part of CI, which runs 64 cases each):
#   bash tests/fuzz.sh [CASES]      (default 5000 per target)
# Prints how many cases each target tried and the time it took; a failure names the input
# that broke the property, and the log is kept in target/fuzz.log.
set -uo pipefail
cd "$(dirname "$0")/.."
cases="${1:-5000}"
start=$SECONDS
FUZZ_CASES="$cases" cargo test --release --test suite fuzz:: -- --nocapture --test-threads 2 \
  > target/fuzz.log 2>&1
status=$?
grep -E '^fuzz |^test result|panicked|FAILED' target/fuzz.log
echo "tests/fuzz.sh: $cases cases per target in $((SECONDS - start)) s (exit $status)"
exit $status
