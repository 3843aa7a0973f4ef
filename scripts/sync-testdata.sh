#!/usr/bin/env bash
# Re-sync testdata/ from the shared ANAC corpus and its reference answers.
#   scripts/sync-testdata.sh [SHARED_DIR]   (default: ../shared next to the checkout)
# Copies byte for byte; run the test suite afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${1:-$root/../shared}"
for sub in genius geniusweb reference; do
  src="$shared/data/$sub"
  [ -d "$src" ] || { echo "sync-testdata: no such folder: $src" >&2; exit 2; }
  rm -rf "$root/testdata/$sub"
  cp -R "$src" "$root/testdata/$sub"
  chmod -R u+w "$root/testdata/$sub"
done
echo "synced testdata/ from $shared/data"
