#!/usr/bin/env bash
# Makes a private PostgreSQL cluster available for tests and prints its URL, for
# ACCORD_TEST_DATABASE_URL:
#
#   export ACCORD_TEST_DATABASE_URL="$(scripts/postgres.sh)"
#
# The cluster is a scratch one: a fresh data folder under /tmp, trust authentication for
# user `postgres`, listening on 127.0.0.1 only, on the first free port from 55432. fsync
# stays on, so it behaves like a real server. A second call reuses the running cluster.
# Installs Debian's `postgresql` package when no `initdb`/`pg_ctl` is found. Progress and
# errors go to stderr; stdout is the URL alone. Stop it with the command printed on stderr,
# or with `scripts/postgres.sh --stop`, which also deletes its scratch folder.
set -euo pipefail

say() { echo "postgres.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# Where the server binaries are: PATH first, then Debian's versioned folders (newest).
find_bin() {
    local initdb
    if initdb="$(command -v initdb)" && command -v pg_ctl >/dev/null; then
        dirname "$(readlink -f "$initdb")"
        return
    fi
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
            echo "$dir"
            return
        fi
    done
    return 1
}

as_root() {
    if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi
}

if ! bin="$(find_bin)"; then
    say "no initdb/pg_ctl found; installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    # A package script that cannot start the distribution's own cluster (no init system
    # in a container) may fail the install after the binaries are in place: what counts
    # is whether initdb and pg_ctl are there afterwards.
    if ! as_root apt-get install -y -q postgresql >&2; then
        as_root apt-get update -q >&2 || true
        as_root apt-get install -y -q postgresql >&2 || true
    fi
    bin="$(find_bin)" || die "could not install postgresql: no initdb/pg_ctl afterwards"
fi

# initdb refuses to run as root: root runs the cluster as the package's `postgres` user.
if [[ $(id -u) == 0 ]]; then
    owner=postgres
    id "$owner" >/dev/null 2>&1 ||
        die "no \`postgres\` user to run the cluster as; install Debian's postgresql package"
    as_owner() { (cd / && runuser -u "$owner" -- "$@") 9>&-; }
else
    owner="$(id -un)"
    as_owner() { (cd / && "$@") 9>&-; }
fi

# One cluster per calling user and boot, named in a state file; calls take turns.
state="${TMPDIR:-/tmp}/accord-pg-$(id -u)"
exec 9>"$state.lock"
flock 9

url_for() { echo "postgres://postgres@127.0.0.1:$1/postgres"; }
ready() { "$bin/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres; }

if [[ ${1:-} == --stop ]]; then
    if [[ -f $state ]]; then
        read -r old_dir _ <"$state" || true
        if [[ -n ${old_dir:-} && -d $old_dir/data ]]; then
            as_owner "$bin/pg_ctl" -D "$old_dir/data" -m fast -w stop >/dev/null 2>&1 || true
            say "stopped the cluster in $old_dir"
        fi
        if [[ -n ${old_dir:-} && $old_dir == "${TMPDIR:-/tmp}"/accord-pg.* ]]; then
            rm -rf "$old_dir"
        fi
        rm -f "$state"
    fi
    exit 0
fi

if [[ -f $state ]]; then
    read -r old_dir old_port <"$state" || true
    if [[ -n ${old_dir:-} && -d $old_dir/data ]] &&
        as_owner "$bin/pg_ctl" -D "$old_dir/data" status >/dev/null 2>&1 &&
        ready "$old_port"; then
        say "reusing the cluster in $old_dir"
        url_for "$old_port"
        exit 0
    fi
    # Not running any more: its data was scratch, so a new cluster replaces it.
    if [[ -n ${old_dir:-} && $old_dir == "${TMPDIR:-/tmp}"/accord-pg.* ]]; then
        rm -rf "$old_dir"
    fi
    rm -f "$state"
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/accord-pg.XXXXXX")"
chown "$owner" "$dir"
chmod 700 "$dir"
log="$dir/server.log"
say "initialising a cluster in $dir ($bin)"
if ! as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale \
    >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed"
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for port in 55432 $(seq 55433 55482); do
    port_free "$port" || continue
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" \
        start >/dev/null 2>&1 && ready "$port"; then
        echo "$dir $port" >"$state"
        say "started on port $port; stop it with:"
        if [[ $(id -u) == 0 ]]; then
            say "  runuser -u $owner -- $bin/pg_ctl -D $dir/data stop"
        else
            say "  $bin/pg_ctl -D $dir/data stop"
        fi
        url_for "$port"
        exit 0
    fi
    say "could not start on port $port; trying the next one"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
done
tail -n 20 "$log" >&2 || true
die "could not start PostgreSQL on any port from 55432 to 55482"
