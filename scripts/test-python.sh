#!/usr/bin/env bash
# The Python package's tests: a fresh virtual environment (target/venv-python, recreated
# each run), `pip install ./python` (maturin from PyPI builds the extension module) with
# pytest, numpy and Dask, then pytest on python/tests against target/debug/accord (ACCORD_BIN to
# choose another). MATURIN_PEP517_ARGS defaults to `--profile dev`, so that the extension
# shares the compiled dependencies of the Rust tests; unset it (or set it to "") for the
# release build a user gets.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/venv-python
rm -rf "$venv"
python3 -m venv "$venv"
export MATURIN_PEP517_ARGS="${MATURIN_PEP517_ARGS-"--profile dev"}"
"$venv/bin/pip" install --quiet ./python pytest numpy "dask[distributed]"
export ACCORD_BIN="${ACCORD_BIN:-$PWD/target/debug/accord}"
"$venv/bin/python" -m pytest -q python/tests
