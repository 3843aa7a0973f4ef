#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, through cargo-fuzz) of the readers and of the
# server's JSON request bodies: the targets in fuzz/fuzz_targets/ (genius_xml,
# geniusweb_json, case_toml, case_json, tournament_config, server_json).
#
#   scripts/fuzz-libfuzzer.sh [RUNS_PER_TARGET] [TARGET...]   (default 10000000 runs, all)
#
# MAX_SECONDS=N also stops each target after N seconds (libFuzzer's -max_total_time), for a
# target too slow to reach its runs in the time at hand (server_json does ~100-300 runs/s).
# SANITIZER=none builds the target without AddressSanitizer (the default is `address`):
# the code fuzzed is safe Rust, so a panic or an abort is what a run looks for, and without
# the sanitizer's bookkeeping each input runs two to three times faster.
#
# Needs the nightly toolchain and cargo-fuzz, which stable builds and CI do not:
#
#   rustup toolchain install nightly
#   cargo +nightly install cargo-fuzz --locked
#
# The fuzz crate (fuzz/) has a workspace of its own, so `cargo build --workspace` never
# sees it. Each target's working corpus, fuzz/corpus/TARGET (not committed), is seeded from
# the committed seeds (fuzz/seeds/TARGET) and regressions (fuzz/regressions/TARGET), then
# one libFuzzer process runs it (one job: `-jobs` is never passed) with debug assertions
# and overflow checks on. A crash, a timeout (a single input over 10 s) or running out of
# memory (over 2 GB) stops the run: the script prints the input libFuzzer saved
# (fuzz/artifacts/TARGET/...) and exits 1. Minimise it with
# `cargo +nightly fuzz tmin -a TARGET ARTIFACT`, commit the result under
# fuzz/regressions/TARGET/, and the stable replay tests run it from then on. Each run's
# output is kept in fuzz/logs/TARGET.log; its last lines give the executions, the
# coverage (`cov:`) and the corpus size.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(genius_xml geniusweb_json case_toml case_json tournament_config server_json)
runs="${1:-10000000}"
case "${SANITIZER:-address}" in
    address | none) ;;
    *) echo "error: SANITIZER must be \`address\` or \`none\`, not \`$SANITIZER\`" >&2; exit 2 ;;
esac
if [[ $# -gt 0 ]]; then shift; fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=("${all_targets[@]}"); fi

if ! [[ "$runs" =~ ^[0-9]+$ ]]; then
    echo "error: RUNS_PER_TARGET must be a number, not \`$runs\`" >&2
    echo "usage: scripts/fuzz-libfuzzer.sh [RUNS_PER_TARGET] [TARGET...]" >&2
    exit 2
fi
for target in "${targets[@]}"; do
    if [[ ! -f "fuzz/fuzz_targets/$target.rs" ]]; then
        echo "error: no fuzz target \`$target\` (targets: ${all_targets[*]})" >&2
        exit 2
    fi
done
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "error: the nightly toolchain is missing" >&2
    echo "hint: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "error: cargo-fuzz is missing" >&2
    echo "hint: cargo +nightly install cargo-fuzz --locked" >&2
    exit 2
fi

# The longest input: a whole file for the readers, a request body for the server.
max_len() {
    case "$1" in
        server_json) echo 16384 ;;
        *) echo 65536 ;;
    esac
}

mkdir -p fuzz/logs
for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    artifacts="fuzz/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    for committed in "fuzz/seeds/$target" "fuzz/regressions/$target"; do
        if [[ -d "$committed" ]]; then
            find "$committed" -type f ! -name '*.md' -exec cp -n -t "$corpus" {} +
        fi
    done
    before="$(find "$artifacts" -type f | sort)"
    log="fuzz/logs/$target.log"
    echo "== $target: $runs runs, corpus $corpus ($(find "$corpus" -type f | wc -l) inputs), log $log"
    start=$(date +%s)
    status=0
    # The server's SQLite connections run on threads of their own (sqlx), alive when
    # libFuzzer exits: LeakSanitizer would report them at exit. Leaks are still looked for
    # after every input.
    lsan="${LSAN_OPTIONS:-}"
    if [[ $target == server_json ]]; then lsan="leak_check_at_exit=0${lsan:+:$lsan}"; fi
    (cd fuzz && LSAN_OPTIONS="$lsan" cargo +nightly fuzz run -a -s "${SANITIZER:-address}" \
        "$target" "corpus/$target" -- \
        -runs="$runs" -max_len="$(max_len "$target")" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 ${MAX_SECONDS:+-max_total_time="$MAX_SECONDS"}) >"$log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - start ))
    grep -E '^#[0-9]+' "$log" | tail -n 1 || true
    echo "   $target: exit $status after ${elapsed} s"
    if [[ $status -ne 0 ]]; then
        tail -n 40 "$log" >&2
        new="$(comm -13 <(echo "$before") <(find "$artifacts" -type f | sort))"
        echo "error: $target failed; the input that did it:" >&2
        echo "${new:-(none saved; see $log)}" >&2
        exit 1
    fi
done
echo "no crash, timeout or running out of memory in: ${targets[*]}"
