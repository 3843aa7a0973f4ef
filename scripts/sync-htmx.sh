#!/usr/bin/env bash
# Refreshes the workbench's copy of htmx, crates/accord-server/static/htmx.min.js, from
# the npm package htmx.org (the version below, pinned). The server embeds the file in its
# binary and serves it at /static/htmx.min.js, so pages never load a script from a CDN.
#
#   scripts/sync-htmx.sh            # the pinned version
#   scripts/sync-htmx.sh 2.0.12     # another one (then update HTMX_VERSION here too)
#
# Needs npm; downloads one package tarball into a temporary folder.
set -euo pipefail

HTMX_VERSION="${1:-2.0.11}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/crates/accord-server/static/htmx.min.js"

command -v npm >/dev/null || { echo "sync-htmx.sh: npm is needed" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "htmx.org@$HTMX_VERSION" >/dev/null)
tar -xzf "$work"/htmx.org-*.tgz -C "$work"
cp "$work/package/dist/htmx.min.js" "$target"
echo "sync-htmx.sh: htmx $HTMX_VERSION -> ${target#"$root"/} ($(wc -c <"$target") bytes)" >&2
