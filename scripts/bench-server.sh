#!/usr/bin/env bash
# Load benchmark of the workbench server: CONNECTIONS (200) concurrent clients reading cases
# and drafts for DURATION (30s), from wrk in a second process on loopback. The target is a
# p99 latency under 50 ms, on SQLite and on PostgreSQL.
#
#   scripts/bench-server.sh            # CONNECTIONS=200 THREADS=2 DURATION=30s ANALYSES=0
#   ANALYSES=2 scripts/bench-server.sh # the same reads while analyses run
#   DB=postgres scripts/bench-server.sh # on PostgreSQL (scripts/postgres.sh), not SQLite
#   SERVE_ARGS='--analysis-threads 2' ANALYSES=2 scripts/bench-server.sh # more flags for `accord serve`
#
# With ANALYSES=N, N more clients (two accounts: the mediator and a second mediator) ask
# for the whole analysis of a fresh copy of the example case, one after another, for the
# whole run: every request is a real analysis (about half a second each), never the cache.
# Their answers are counted by status; any 5xx fails the run (429 and 503 are the server
# bounding heavy work, and are expected).
#
# Builds `accord` in release, starts `accord serve --example` on a fresh SQLite file (or a
# fresh PostgreSQL database) and a free port, logs in as the mediator, checks that the four
# routes answer 200, then runs wrk with scripts/bench-server.lua, which cycles through
# GET /api/cases, /api/cases/{id}, /api/cases/{id}/drafts and /api/cases/{id}/drafts/1.
# Prints wrk's output and a summary line. Installs Debian's `wrk` if it is missing. Run it
# on an otherwise idle machine: the client and the server share its cores.
set -euo pipefail
cd "$(dirname "$0")/.."

connections="${CONNECTIONS:-200}"
threads="${THREADS:-2}"
duration="${DURATION:-30s}"
analyses="${ANALYSES:-0}"
db="${DB:-sqlite}"
read -r -a serve_args <<<"${SERVE_ARGS:-}"
[[ $db == sqlite || $db == postgres ]] || { echo "bench-server.sh: DB must be sqlite or postgres, not \`$db\`" >&2; exit 2; }

say() { echo "bench-server.sh: $*" >&2; }
die() { say "$*"; exit 1; }

if ! command -v wrk >/dev/null; then
    say "installing Debian's wrk"
    sudo_() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }
    sudo_ apt-get install -y -q wrk >&2 || { sudo_ apt-get update -q >&2 && sudo_ apt-get install -y -q wrk >&2; }
fi

cargo build --release --locked -q -p accord-cli --bin accord

work="$(mktemp -d "${TMPDIR:-/tmp}/accord-bench-server.XXXXXX")"
server=""
database=""
cluster=""
sampler=""
heavy=()
cleanup() {
    for pid in "${heavy[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -n $sampler ]]; then kill "$sampler" 2>/dev/null || true; fi
    if [[ -n $server ]]; then kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; fi
    if [[ -n $database ]]; then psql -q "$cluster" -c "DROP DATABASE IF EXISTS $database" >&2 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

if [[ $db == postgres ]]; then
    # A fresh database in the scratch cluster, dropped at the end.
    cluster="$(scripts/postgres.sh)"
    database="bench_$$"
    psql -q "$cluster" -c "CREATE DATABASE $database" >&2
    url="${cluster%/*}/$database"
    db_name=PostgreSQL
else
    url="sqlite:$work/bench.db"
    db_name=SQLite
fi
target/release/accord serve --db "$url" --bind 127.0.0.1:0 --example "${serve_args[@]}" \
    </dev/null >"$work/stdout" 2>"$work/stderr" &
server=$!
for _ in $(seq 600); do
    grep -q '^listening on http://' "$work/stdout" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$work/stderr" >&2; die "the server stopped"; }
    sleep 0.1
done
address="$(sed -n 's|^listening on http://||p' "$work/stdout")"
[[ -n $address ]] || die "the server did not start listening in 60 s"
password="$(sed -n 's/.*password `\([^`]*\)`.*/\1/p' "$work/stdout")"
base="http://$address"

token="$(curl -sf -X POST "$base/api/login" -H 'content-type: application/json' \
    -d "{\"username\":\"mediator\",\"password\":\"$password\"}" |
    sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
[[ -n $token ]] || die "logging in as mediator failed"
case_id="$(curl -sf "$base/api/cases" -H "authorization: Bearer $token" |
    sed -n 's/^\[{"id":"\([^"]*\)".*/\1/p')"
[[ -n $case_id ]] || die "the example case is not there"
for path in /api/cases "/api/cases/$case_id" "/api/cases/$case_id/drafts" \
    "/api/cases/$case_id/drafts/1"; do
    status="$(curl -s -o /dev/null -w '%{http_code}' "$base$path" -H "authorization: Bearer $token")"
    [[ $status == 200 ]] || die "GET $path answers $status, not 200"
done

say "server on $base (pid $server), case $case_id"
if ((analyses > 0)); then
    # A second mediator, so that the analyses come from two accounts.
    second_password="bench-second-password"
    curl -sf -o /dev/null -X POST "$base/api/accounts" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' \
        -d "{\"username\":\"second\",\"role\":\"mediator\",\"password\":\"$second_password\"}" ||
        die "creating a second mediator failed"
    second="$(curl -sf -X POST "$base/api/login" -H 'content-type: application/json' \
        -d "{\"username\":\"second\",\"password\":\"$second_password\"}" |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
    [[ -n $second ]] || die "logging in as the second mediator failed"
    body="$work/import.json"
    python3 -c 'import json,sys; print(json.dumps({"format": "toml", "text": open(sys.argv[1]).read()}))' \
        examples/peace-framework.toml >"$body"
    for k in $(seq "$analyses"); do
        if ((k % 2)); then who="$token"; else who="$second"; fi
        (
            while true; do
                copy="$(curl -s -X POST "$base/api/cases" -H "authorization: Bearer $who" \
                    -H 'content-type: application/json' --data-binary @"$body" |
                    sed -n 's/^{"id":"\([^"]*\)".*/\1/p')"
                [[ -n $copy ]] || { echo import-failed; continue; }
                curl -s -o /dev/null -w '%{http_code}\n' "$base/api/cases/$copy/analysis" \
                    -H "authorization: Bearer $who"
            done
        ) >"$work/heavy-$k" &
        heavy+=($!)
    done
    say "$analyses clients asking for analyses meanwhile"
fi
# Other work on the machine skews the figures: count compilers every second meanwhile, and
# split the CPU time used during the run into the server's, wrk's and everything else's.
(while true; do pgrep -c -x rustc || true; sleep 1; done) >"$work/busy" &
sampler=$!
cpu_ticks() { # machine busy ticks, server ticks, this shell's children's ticks (in $1)
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
    awk '{ print $14 + $15 }' "/proc/$server/stat"
    awk -v tick="$(getconf CLK_TCK)" 'NR == 2 {
        split($1, u, /[ms]/); split($2, s, /[ms]/)
        printf "%d\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * tick + 0.5 }' "$1"
}
# `times` must run in this shell (not a subshell) to count the children it reaped.
times >"$work/times-before"
before=($(cpu_ticks "$work/times-before"))
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s scripts/bench-server.lua \
    "$base" -- "$token" "$case_id" | tee "$work/wrk"
times >"$work/times-after"
after=($(cpu_ticks "$work/times-after"))
kill "$sampler"
for pid in "${heavy[@]}"; do kill "$pid" 2>/dev/null || true; done
heavy=()
busy="$(sort -n "$work/busy" | tail -n 1)"
seconds="$(awk '/requests in/ { sub(/s,$/, "", $4); print $4 }' "$work/wrk")"
cpu="$(awk -v m="$((after[0] - before[0]))" -v s="$((after[1] - before[1]))" \
    -v w="$((after[2] - before[2]))" -v t="$(getconf CLK_TCK)" -v secs="$seconds" 'BEGIN {
    printf "CPU: server %.2f, wrk %.2f, other processes %.2f of %d cores",
        s / t / secs, w / t / secs, (m - s - w) / t / secs, '"$(nproc)"' }')"

# wrk prints latencies as 812.00us, 1.23ms or 1.02s; the summary gives milliseconds.
awk -v connections="$connections" -v duration="$duration" -v busy="$busy" -v db="$db_name" -v flags="${SERVE_ARGS:-}" '
    function ms(v) {
        if (v ~ /us$/) return v / 1000
        if (v ~ /ms$/) return v + 0
        if (v ~ /m$/) return v * 60000
        if (v ~ /s$/) return v * 1000
        return v + 0
    }
    /^ +50%/ { p50 = ms($2) } /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { errors = $0 }
    END {
        printf "summary: %d connections, %s, %s%s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, %.0f requests/s; p99 %s 50 ms target%s%s%s\n",
            connections, duration, db, (flags ? " (" flags ")" : ""), p50, p90, p99, rps, (p99 < 50 ? "meets the" : "MISSES the"),
            (bad ? "; " bad " non-2xx responses" : ""), (errors ? "; " errors : ""),
            (busy > 0 ? "; up to " busy " rustc processes running meanwhile" : "; no rustc running meanwhile")
    }' "$work/wrk"
echo "$cpu"
if ((analyses > 0)); then
    echo "analyses by status: $(cat "$work"/heavy-* | sort | uniq -c | awk '{ printf "%s%s x %s", sep, $2, $1; sep = ", " }')"
    if cat "$work"/heavy-* | grep -q -e '^50[0-24-9]' -e import-failed; then
        die "an analysis request failed (a 5xx other than 503, or an import)"
    fi
fi
if grep -q -e 'Non-2xx' -e 'Socket errors' "$work/wrk"; then
    die "some requests failed; see wrk's output"
fi
