"""Tournaments on Dask: the sessions split into chunks, run as tasks on a cluster's
workers, the rows joined in order (see docs/distributed.md).

The tournament travels in its portable form (every domain as a case file), so workers
need no file of the configuration, only the ``accord`` package; negotiators written in
Python travel as Dask pickles them. Each task is pure (a range of sessions in, their rows
out), so a task lost with its worker is run again by Dask and no row is lost or repeated;
the rows are byte-identical to ``accord tournament``'s for the same configuration,
whatever the number of workers or the chunk size.

``python -m accord.dask CONFIG --scheduler tcp://HOST:PORT [-o DIR] [--chunk N]`` runs a
configuration file on a running scheduler (what ``accord tournament --dask`` calls).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from . import _accord

__all__ = ["tournament"]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _portable(plan_json: str) -> str:
    return plan_json


def _run_chunk(
    plan_json: str, python: list[tuple[str, Any]], start: int, stop: int
) -> tuple[int, str, list[str]]:
    plan = _accord.TournamentPlan.from_json(plan_json, python)
    rows, failures = plan.run_jsonl(start, stop)
    return start, rows, failures


def tournament(
    config: str | os.PathLike[str] | Mapping[str, Any],
    client: Any,
    chunk: int = 256,
    out: str | os.PathLike[str] | None = None,
    retries: int = 3,
    negotiators: Sequence[Any] | None = None,
    progress: bool = False,
) -> list[dict[str, Any]]:
    """Runs the tournament ``config`` (a file or a dict, as :func:`accord.tournament`
    takes, with its Python ``negotiators``) on the workers of the Dask ``client`` in
    chunks of ``chunk`` sessions and returns its rows in order (with ``out``, writes
    ``results.jsonl`` and ``results.csv`` there). Negotiators written in Python travel to
    the workers as Dask pickles them (classes defined in a notebook or a script
    included). A chunk whose task fails is retried up to ``retries`` times; a worker lost
    in the middle has its tasks run again by Dask. ``progress`` prints the sessions done
    to stderr as chunks come back."""
    from distributed import as_completed

    from . import _chunk, _plan, _warn_failures

    size = _chunk(chunk)
    plan, python = _plan(config, negotiators)
    total = plan.n_sessions
    # A task rather than scattered data: if the worker holding it is lost, Dask computes
    # it again from the graph, where scattered data would be gone.
    text = plan.to_json()
    digest = _digest(text + repr([name for name, _ in python]))
    portable = client.submit(_portable, text, pure=True, key=f"accord-plan-{digest}")
    futures = [
        client.submit(_run_chunk, portable, python, start, min(start + size, total),
                      retries=retries, pure=True, key=f"accord-{digest}-{start}-{size}")
        for start in range(0, total, size)
    ]
    parts: dict[int, str] = {}
    failures: list[str] = []
    done = 0
    for future in as_completed(futures):
        start, rows, failed = future.result()
        parts[start] = rows
        failures.extend(failed)
        done += min(size, total - start)
        if progress:
            print(f"{plan.name}: {done}/{total} sessions", file=sys.stderr, flush=True)
    _warn_failures(sorted(failures))
    jsonl = "".join(parts[start] for start in sorted(parts))
    if out is not None:
        _accord.write_results(os.fspath(out), jsonl)
    return [json.loads(line) for line in jsonl.splitlines() if line]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m accord.dask``: a configuration file on a Dask scheduler."""
    parser = argparse.ArgumentParser(
        prog="python -m accord.dask",
        description="Run an accord tournament configuration on a Dask scheduler.",
    )
    parser.add_argument("config", help="the tournament configuration (TOML)")
    parser.add_argument("--scheduler", required=True, help="the scheduler, tcp://HOST:PORT")
    parser.add_argument("-o", "--output", help="folder for results.jsonl and results.csv")
    parser.add_argument("--chunk", type=int, default=256, help="sessions per task")
    args = parser.parse_args(argv)
    from distributed import Client

    try:
        with Client(args.scheduler, timeout="20s") as client:
            rows = tournament(
                args.config, client, chunk=args.chunk, out=args.output, progress=True
            )
    except _accord.AccordError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: the Dask scheduler `{args.scheduler}`: {error}", file=sys.stderr)
        return 2
    print(json.dumps({"sessions": len(rows), "output": args.output}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
