#!/usr/bin/env bash
# The long fuzz campaign of the readers (GENIUS XML, GeniusWeb JSON, case files, packages,
# tournament configurations, domain folders): crates/accord-formats/tests/fuzz_readers.rs
# with many more cases than CI runs, under fresh random seeds.
#
#   scripts/fuzz.sh [CASES_PER_TARGET] [ROUNDS]     (default 200000 cases, 5 rounds)
#
# Each round draws a new seed and prints it; a failure prints the minimal input and the
# seed that reproduces it (PROPTEST_RNG_SEED=SEED FUZZ_CASES=N cargo test ...).
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-200000}"
rounds="${2:-5}"
cargo test --release -p accord-formats --test fuzz_readers --no-run --locked
for round in $(seq 1 "$rounds"); do
    seed="$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')"
    echo "round $round/$rounds: seed $seed, $cases cases per target"
    PROPTEST_RNG_SEED="$seed" FUZZ_CASES="$cases" \
        cargo test --release -p accord-formats --test fuzz_readers --locked -q
done
