#!/usr/bin/env bash
# Browser tests of the workbench's web UI (e2e/): headless Chromium driven by Playwright
# (playwright-core, no browser download) from node's test runner, against
# `accord serve --example` on a fresh SQLite database per test file.
#
# On a fresh Debian machine it installs what is missing: the `chromium` package (apt-get,
# through sudo unless root) when /usr/bin/chromium is absent and $CHROMIUM is not set, and
# e2e/node_modules (npm ci, from the committed package-lock.json). It builds the debug
# `accord` binary only if $ACCORD_BIN (default target/debug/accord) is missing.
# Screenshots of each view land in e2e/artifacts/.
# Usage: scripts/e2e.sh [extra node --test arguments, e.g. e2e/tests/login.test.js]
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

if [[ -z ${CHROMIUM:-} && ! -x /usr/bin/chromium ]]; then
    echo "e2e: installing Debian's chromium package" >&2
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >&2; then
        as_root apt-get update -q >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >&2
    fi
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "e2e: node and npm are needed (Node.js 20 or later)" >&2
    exit 2
fi
if [[ ! -d e2e/node_modules/playwright-core ]]; then
    (cd e2e && npm ci --no-audit --no-fund >&2)
fi
export ACCORD_BIN="${ACCORD_BIN:-target/debug/accord}"
if [[ ! -x $ACCORD_BIN ]]; then
    cargo build -p accord-cli --bin accord >&2
fi
if [[ $# -gt 0 ]]; then
    exec node --test --test-reporter=spec "$@"
fi
exec node --test --test-reporter=spec e2e/tests/
