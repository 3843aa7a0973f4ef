#!/usr/bin/env python3
"""The plain MILP baseline for `accord`'s hyper-rectangle figures (docs/benchmarks.md).

Reads an accord case file in JSON of two parties with `constraint` positions (what
`accord generate --rectangles N -o case.json` writes: integer points, INCLUDES
rectangles with whole-number rewards, one flat sum each) and traces the exact Pareto frontier with scipy's HiGHS
(`scipy.optimize.milp`) by the same epsilon-constraint method as accord: a binary per
value of each point (one value per point), a binary per rectangle that may be 1 only when
each of its bounds holds (`y_r <= sum of the binaries of the values inside`), then for
each level of the first party the most raw sum for the second, and the most for the
first among those as good for the second.

    python3 -m venv /tmp/venv-milp && /tmp/venv-milp/bin/pip install scipy
    /tmp/venv-milp/bin/python scripts/milp-rectangles.py case.json

Prints one JSON line: the frontier's utility pairs and the wall-clock seconds (reading
excluded).
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


def main(path):
    case = json.load(open(path))
    points = case["points"]
    index = {p["id"]: i for i, p in enumerate(points)}
    values = [list(range(p["range"]["min"], p["range"]["max"] + 1)) for p in points]
    columns = [(i, v) for i, vs in enumerate(values) for v in vs]
    column = {c: k for k, c in enumerate(columns)}
    parties = [q["position"]["constraint"] for q in case["parties"]]
    rectangles = [(q, r) for q, c in enumerate(parties) for r in c["rectangles"]]
    n_x, n_y = len(columns), len(rectangles)
    width = n_x + n_y
    rows, lows, highs = [], [], []
    for i, vs in enumerate(values):
        row = np.zeros(width)
        for v in vs:
            row[column[(i, v)]] = 1.0
        rows.append(row), lows.append(1.0), highs.append(1.0)
    for k, (_, r) in enumerate(rectangles):
        for point, (low, high) in r["bounds"].items():
            i = index[point]
            row = np.zeros(width)
            row[n_x + k] = 1.0
            for v in values[i]:
                if low <= v <= high:
                    row[column[(i, v)]] -= 1.0
            rows.append(row), lows.append(-np.inf), highs.append(0.0)
    reward = np.zeros((2, width))
    for k, (q, r) in enumerate(rectangles):
        reward[q, n_x + k] = r["utility"]
    base = (np.array(rows), np.array(lows), np.array(highs))

    def solve(party, floors):
        """The most raw sum for `party` with each party's raw sum at least its floor."""
        a, lo, hi = base
        extra = [(reward[q], f) for q, f in enumerate(floors) if f is not None]
        if extra:
            a = np.vstack([a] + [e[0] for e in extra])
            lo = np.concatenate([lo, [e[1] for e in extra]])
            hi = np.concatenate([hi, [np.inf] * len(extra)])
        result = milp(-reward[party], constraints=LinearConstraint(a, lo, hi),
                      integrality=np.ones(width), bounds=Bounds(np.zeros(width), np.ones(width)),
                      options={"mip_rel_gap": 0.0})
        return None if result.x is None else reward @ np.round(result.x)

    start = time.perf_counter()
    cap = [c["max_utility"] for c in parties]
    frontier, level = [], None
    while True:
        found = solve(1, [level, None])
        if found is None:
            break
        sums = solve(0, [level, min(found[1], cap[1])])
        if sums is None:
            break
        frontier.append([min(1.0, s / m) for s, m in zip(sums, cap)])
        if sums[0] >= cap[0]:
            break
        # Rewards are whole numbers (as generated): the next raw sum is at least one more;
        # half a unit stays clear of the solver's feasibility tolerance.
        level = min(sums[0], cap[0]) + 0.5
    print(json.dumps({"frontier": frontier, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main(sys.argv[1])
