#!/usr/bin/env bash
# The whole test suite: formatting, lints, every test (unit, corpus, reference, CLI, store
# and server), the store and server tests on SQLite and on PostgreSQL (a private cluster
# that scripts/postgres.sh installs and starts, unless ACCORD_TEST_DATABASE_URL names
# one), a fuzz of the API from its OpenAPI document (any 5xx fails), the Python package's
# tests, and the end-to-end browser tests of the web UI.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
if [[ -z ${ACCORD_TEST_DATABASE_URL:-} ]]; then
    ACCORD_TEST_DATABASE_URL="$(scripts/postgres.sh)"
    export ACCORD_TEST_DATABASE_URL
    # The cluster started here is stopped, and its scratch folder deleted, however the
    # suite ends.
    trap 'scripts/postgres.sh --stop' EXIT
fi
# One fixed seed for the property tests, so that a run is repeatable (set
# PROPTEST_RNG_SEED to draw others; scripts/proptest-soak.sh runs many).
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261206}"
cargo test --workspace --locked
scripts/fuzz-api.sh target/debug/accord
# The Python package, built into a fresh virtual environment as README.md says
# (`pip install ./python`), then its pytest suite against the CLI built above. The test
# build takes the dev profile, whose compiled dependencies the builds above share; the
# README's command builds the release profile.
scripts/test-python.sh
# The web UI in headless Chromium (installed from Debian's packages if missing), driven by
# Playwright; screenshots of each view land in e2e/artifacts/.
scripts/e2e.sh
