#!/usr/bin/env bash
# The engine's property tests under many random seeds (the test suite runs them under one
# fixed seed, so that a run is repeatable). A failing case is saved to the test's
# .proptest-regressions file, which is replayed first on every later run: commit it with
# the fix. Usage: scripts/proptest-soak.sh [ROUNDS] (default 20); exits non-zero if any
# round failed, after printing the failures.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
cargo test --release -p accord-core --tests --no-run
log=$(mktemp)
failed=0
for ((round = 1; round <= rounds; round++)); do
    seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
    if PROPTEST_RNG_SEED=$seed cargo test --release -p accord-core --tests -q >"$log" 2>&1; then
        echo "round $round of $rounds (PROPTEST_RNG_SEED=$seed): passed"
    else
        echo "round $round of $rounds (PROPTEST_RNG_SEED=$seed): FAILED"
        grep -E "^---- |panicked at|left:|right:|minimal failing" "$log" || tail -20 "$log"
        failed=1
    fi
done
rm -f "$log"
exit "$failed"
