#!/usr/bin/env bash
# Fuzzes the workbench API from its own OpenAPI document with schemathesis: thousands of
# generated requests (valid and invalid) against `accord serve` on the bundled example,
# failing on any 5xx. Usage: scripts/fuzz-api.sh [ACCORD_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
accord="${1:-target/release/accord}"
[[ -x $accord ]] || cargo build --release -p accord-cli >&2
venv="${ACCORD_FUZZ_VENV:-${TMPDIR:-/tmp}/accord-schemathesis-venv}"
if [[ ! -x $venv/bin/schemathesis ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'schemathesis==4.32.5' >&2
fi
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
"$accord" serve --db "sqlite:$work/fuzz.db" --bind "127.0.0.1:$port" --example >"$work/out" 2>"$work/err" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    grep -q '^listening on' "$work/out" 2>/dev/null && break
    sleep 0.2
done
password="$(sed -n 's/.*password `\([^`]*\)`.*/\1/p' "$work/out")"
case_id="$(sed -n 's/.*as case `\([^`]*\)`.*/\1/p' "$work/out")"
token="$(curl -sf "127.0.0.1:$port/api/login" -H 'content-type: application/json' \
    -d "{\"username\":\"mediator\",\"password\":\"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
# Path parameters that reach the handlers' logic rather than a 404.
cat >"$work/schemathesis.toml" <<TOML
[parameters]
"path.case" = "$case_id"
"path.version" = 1
"path.a" = 1
"path.b" = 1
"path.party" = "ukraine"
"path.point" = "sovereignty"
TOML
# Logout, password changes (also through PATCH /api/accounts) and revocation would end
# the fuzzer's own session.
# Run from the scratch folder: schemathesis keeps its cache (.schemathesis/) in the
# working directory, never in the repository. A request may take up to 60 s: the debug
# build analyses the peace example in seconds, more on a busy machine (the server's own
# analysis budget is 30 s).
(cd "$work" && "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run \
    "http://127.0.0.1:$port/openapi.json" -H "Authorization: Bearer $token" \
    --generation-with-security-parameters false \
    --checks not_a_server_error --max-examples "${ACCORD_FUZZ_EXAMPLES:-30}" --seed 1 \
    --request-timeout 60 \
    --exclude-path /api/logout --exclude-path /api/me/password --exclude-path /api/login \
    --exclude-path '/api/accounts/{account}' \
    --exclude-path '/api/accounts/{account}/revoke' ${ACCORD_FUZZ_EXCLUDE:-})
