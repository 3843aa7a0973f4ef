#!/usr/bin/env python3
"""The Python package against NegMAS and against the CLI, one benchmark at a time.

    PYTHON=target/venv-bench/bin/python scripts/bench-python.py [--part analyze|saop|dask]

Run it with a Python that has the release build of the package (`pip install ./python`
with `dask[distributed]`), from the repository root. Parts:

  * analyze: `case.analyze()` from Python with its frontier and bargaining packages read
    (median of --repeats) on GENIUS domains, next
    to the same analysis in Rust alone (target/release/time-domain, build it first: the
    Python overhead is the difference), `to_dict()` with the whole insight, and NegMAS's
    frontier and bargaining points (the harness's pareto, nash, ks, egalitarian and
    welfare phases, medians), NegMAS / accord;
  * saop: one session between a Python negotiator (a Boulware-like concession written in
    Python) and the built-in Boulware on anac2012-SupermarketB, median of --runs, next to
    NegMAS's own session (the harness's SAOP phase);
  * dask: crates/accord-bench/tournaments/bilateral-10k.toml on a 2-worker LocalCluster
    next to `target/release/accord tournament` on the same file (one run each), the rows
    compared byte for byte.

NegMAS (AGPL-3.0) is run only as a separate program: NEGMAS_VENV (default
../negmas-venv) and NEGMAS_BENCH (default ../shared/bench/negmas_bench.py). Prints one
JSON object per measurement.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import accord

ROOT = Path(__file__).resolve().parent.parent
GENIUS = ROOT / "testdata" / "genius"
DOMAINS = ["anac2010-ItexvsCypress", "anac2011-Car", "anac2012-SupermarketB", "anac2011-Laptop"]
PHASES = ("pareto", "nash", "ks", "egalitarian", "welfare")


def median_time(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def negmas(folder: Path, extra: list[str]) -> dict:
    venv = Path(os.environ.get("NEGMAS_VENV", ROOT.parent / "negmas-venv"))
    harness = Path(os.environ.get("NEGMAS_BENCH", ROOT.parent / "shared" / "bench" / "negmas_bench.py"))
    done = subprocess.run(
        [str(venv / "bin" / "python"), str(harness), str(folder), "--parties", "2", *extra],
        capture_output=True, text=True, timeout=3600,
    )
    return json.loads(done.stdout)


class Concession:
    """A Boulware-like concession in Python: from its ranked packages (best first) it
    offers the least one still worth 1 - (1 - r) * t^4 to it, and accepts an offer worth
    that much."""

    def on_start(self, me):
        self.me = me
        self.ranked = me.ranked(10_000)
        # Utilities ascending, for bisection.
        self.ascending = [u for _, u in reversed(self.ranked)]

    def target(self, state):
        floor = self.me.reservation_value
        return 1.0 - (1.0 - floor) * state.time ** 4

    def propose(self, state):
        k = bisect.bisect_left(self.ascending, self.target(state))
        rank = len(self.ascending) - 1 - min(k, len(self.ascending) - 1)
        return self.ranked[rank][0]

    def respond(self, state, offer):
        return self.me.utility(offer) >= self.target(state)


def part_analyze(args) -> None:
    for name in DOMAINS:
        folder = GENIUS / name
        case = accord.load(folder)
        # What NegMAS's phases give: the frontier and the four bargaining packages, read.
        def read_all():
            analysis = case.analyze()
            analysis.frontier, analysis.nash, analysis.kalai_smorodinsky
            analysis.egalitarian, analysis.utilitarian

        quick = median_time(read_all, args.repeats)
        whole = median_time(lambda: case.analyze().to_dict(), args.repeats)
        # The same analysis in Rust alone (no Python, no JSON): the overhead is the rest.
        rust = json.loads(subprocess.run(
            [str(ROOT / "target" / "release" / "time-domain"), str(folder), "--repeats",
             str(args.repeats), "--parties", "2"], capture_output=True, text=True, check=True,
        ).stdout)["analyze_s"]
        found = negmas(folder, ["--repeats", "3", "--sao-runs", "0", "--skip", "opposition",
                                "--skip", "relative_welfare", "--skip", "pareto_kernel"])
        timings = found.get("timings_s") or {}
        theirs = sum(timings.get(p) or 0.0 for p in PHASES) if all(
            isinstance(timings.get(p), (int, float)) for p in PHASES) else None
        print(json.dumps({
            "part": "analyze", "domain": name, "python_analyze_s": quick,
            "rust_analyze_s": rust, "python_overhead_s": quick - rust,
            "with_insight_to_dict_s": whole,
            "negmas_s": theirs, "ratio": theirs / quick if theirs else None,
        }), flush=True)


def part_saop(args) -> None:
    folder = GENIUS / "anac2012-SupermarketB"
    case = accord.load(folder)
    ours = median_time(
        lambda: accord.negotiate(case, [Concession(), "boulware"], rounds=100), args.runs)
    builtin = median_time(
        lambda: accord.negotiate(case, ["boulware", "boulware"], rounds=100), args.runs)
    skip = [flag for p in ("enumerate", "evaluate", *PHASES, "pareto_kernel", "relative_welfare",
                           "opposition") for flag in ("--skip", p)]
    found = negmas(folder, ["--sao-runs", str(args.runs), "--steps", "100", *skip])
    theirs = (found.get("timings_s") or {}).get("sao_per_negotiation")
    print(json.dumps({
        "part": "saop", "domain": folder.name, "python_vs_boulware_s": ours,
        "boulware_vs_boulware_s": builtin, "negmas_session_s": theirs,
        "ratio": theirs / ours if theirs else None,
    }), flush=True)


def part_dask(args) -> None:
    from distributed import Client, LocalCluster

    import accord.dask

    config = ROOT / "crates" / "accord-bench" / "tournaments" / "bilateral-10k.toml"
    with tempfile.TemporaryDirectory() as tmp:
        cli_out, dask_out = Path(tmp) / "cli", Path(tmp) / "dask"
        start = time.perf_counter()
        subprocess.run([str(ROOT / "target" / "release" / "accord"), "tournament", str(config),
                        "-o", str(cli_out)], check=True, capture_output=True)
        cli_s = time.perf_counter() - start
        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            start = time.perf_counter()
            accord.dask.tournament(config, client, chunk=args.chunk, out=dask_out)
            dask_s = time.perf_counter() - start
        same = (cli_out / "results.jsonl").read_bytes() == (dask_out / "results.jsonl").read_bytes()
    print(json.dumps({
        "part": "dask", "tournament": config.name, "cli_s": cli_s, "dask_2_workers_s": dask_s,
        "overhead": dask_s / cli_s, "identical": same, "chunk": args.chunk,
    }), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["analyze", "saop", "dask"], action="append")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--chunk", type=int, default=512)
    args = ap.parse_args()
    for part in args.part or ["analyze", "saop", "dask"]:
        {"analyze": part_analyze, "saop": part_saop, "dask": part_dask}[part](args)


if __name__ == "__main__":
    main()
