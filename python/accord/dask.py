"""Tournaments on Dask: the sessions split into chunks, run as tasks on a cluster's
workers, the rows joined in order (see docs/distributed.md).

The tournament travels in its portable form (every domain as a case file), so workers
need no file of the configuration, only the ``accord`` package. Each task is pure (a
range of sessions in, their rows out), so a task lost with its worker is run again by Dask
and no row is lost or repeated; the rows are byte-identical to ``accord tournament``'s
for the same configuration, whatever the number of workers or the chunk size.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from . import _accord

__all__ = ["tournament"]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _portable(plan_json: str) -> str:
    return plan_json


def _run_chunk(plan_json: str, start: int, stop: int) -> tuple[int, str]:
    plan = _accord.TournamentPlan.from_json(plan_json)
    return start, plan.run_jsonl(start, stop)


def tournament(
    config: str | os.PathLike[str],
    client: Any,
    chunk: int = 256,
    out: str | os.PathLike[str] | None = None,
    retries: int = 3,
) -> list[dict[str, Any]]:
    """Runs the tournament ``config`` on the workers of the Dask ``client`` in chunks of
    ``chunk`` sessions and returns its rows in order (with ``out``, writes
    ``results.jsonl`` and ``results.csv`` there). A chunk whose task fails is retried up
    to ``retries`` times; a worker lost in the middle has its tasks run again by Dask."""
    from distributed import as_completed

    plan = _accord.TournamentPlan.read(os.fspath(config))
    total = plan.n_sessions
    size = max(1, int(chunk))
    # A task rather than scattered data: if the worker holding it is lost, Dask computes
    # it again from the graph, where scattered data would be gone.
    text = plan.to_json()
    portable = client.submit(_portable, text, pure=True, key=f"accord-plan-{_digest(text)}")
    futures = [
        client.submit(_run_chunk, portable, start, min(start + size, total), retries=retries,
                      pure=True, key=f"accord-{_digest(text)}-{start}-{size}")
        for start in range(0, total, size)
    ]
    parts: dict[int, str] = {}
    for future in as_completed(futures):
        start, rows = future.result()
        parts[start] = rows
    jsonl = "".join(parts[start] for start in sorted(parts))
    if out is not None:
        _accord.write_results(os.fspath(out), jsonl)
    return [json.loads(line) for line in jsonl.splitlines() if line]
