#!/usr/bin/env python3
"""The plain MILP baseline for `accord`'s many-party figures (docs/benchmarks.md).

Reads an accord case file in JSON with points of options, additive ratings and red lines
that forbid options (what `accord generate -o case.json` writes), and finds the ideal
point and the utilitarian, egalitarian, Kalai-Smorodinsky and Nash packages with scipy's
HiGHS (`scipy.optimize.milp`): one binary per option of each point, one option per point,
utilities linear in the binaries. Nash maximises a sum of logarithms by outer
approximation: tangent cuts added at each solution until the bound meets the value.

    python3 -m venv /tmp/venv-milp && /tmp/venv-milp/bin/pip install scipy
    /tmp/venv-milp/bin/python scripts/milp-baseline.py case.json

Prints one JSON line: the objectives and the wall-clock seconds (reading excluded).
"""
import json
import math
import sys
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


def main(path):
    case = json.load(open(path))
    points = case["points"]
    parties = case["parties"]
    columns = [(p["id"], o) for p in points for o in p["options"]]
    n_x, n = len(columns), len(parties)
    utility = np.array([[q["position"]["weights"][pid] * q["position"]["ratings"][pid][o]
                         for pid, o in columns] for q in parties])
    d = np.array([q["position"].get("reservation_value", 0.0) for q in parties])
    upper = np.ones(n_x)
    for q in parties:
        for red in q["position"].get("red_lines", []):
            for o in red["not"]:
                upper[columns.index((red["point"], o))] = 0.0
    one_each = np.array([[1.0 if pid == p["id"] else 0.0 for pid, _ in columns] for p in points])

    def solve(objective, extra_rows, extra_low, n_extra_vars=0, extra_var_bounds=None):
        """Maximise objective . (x, extra) subject to one option per point and rows >= low."""
        width = n_x + n_extra_vars
        rows = [np.hstack([one_each, np.zeros((len(points), n_extra_vars))])]
        lows, highs = [np.ones(len(points))], [np.ones(len(points))]
        if len(extra_rows):
            rows.append(np.array(extra_rows))
            lows.append(np.array(extra_low))
            highs.append(np.full(len(extra_low), np.inf))
        lo = np.concatenate([np.zeros(n_x)] + ([extra_var_bounds[0]] if n_extra_vars else []))
        hi = np.concatenate([upper] + ([extra_var_bounds[1]] if n_extra_vars else []))
        integrality = np.concatenate([np.ones(n_x), np.zeros(n_extra_vars)])
        result = milp(-np.asarray(objective, dtype=float),
                      constraints=LinearConstraint(np.vstack(rows), np.concatenate(lows), np.concatenate(highs)),
                      integrality=integrality, bounds=Bounds(lo, hi),
                      options={"mip_rel_gap": 1e-9})
        return None if result.x is None else result.x

    def rational_rows(width_extra=0):
        return [list(utility[q]) + [0.0] * width_extra for q in range(n)], list(d)

    start = time.perf_counter()
    out = {}
    x = solve(utility.sum(axis=0), [], [])
    out["utilitarian"] = float(utility.sum(axis=0) @ x)
    rows, low = rational_rows()
    ideal = []
    for q in range(n):
        x = solve(utility[q], rows, low)
        if x is None:
            out["ideal_point"] = None
            break
        ideal.append(float(utility[q] @ x))
    if len(ideal) == n:
        out["ideal_point"] = ideal
        # Egalitarian and Kalai-Smorodinsky: max t with scale_q (u_q - d_q) >= t.
        for name, scale in (("egalitarian", np.ones(n)),
                            ("kalai_smorodinsky", 1.0 / np.maximum(np.array(ideal) - d, 1e-12))):
            rows, low = rational_rows(1)
            for q in range(n):
                rows.append(list(scale[q] * utility[q]) + [-1.0])
                low.append(scale[q] * d[q])
            x = solve(np.concatenate([np.zeros(n_x), [1.0]]), rows, low, 1, (np.array([-10.0]), np.array([10.0])))
            out[name] = float(x[-1])
        # Nash: y_q <= log(g0) + (g - g0) / g0 at every tangent point g0 met.
        cuts = [np.maximum(np.array(ideal) - d, 1e-6)]
        best = -math.inf
        for _ in range(200):
            rows, low = [], []
            for q in range(n):
                row = list(utility[q]) + [0.0] * n
                rows.append(row)
                low.append(d[q] + 1e-9)
            for g0 in cuts:
                for q in range(n):
                    row = list(utility[q] / g0[q]) + [0.0] * n
                    row[n_x + q] = -1.0
                    rows.append(row)
                    low.append(d[q] / g0[q] + 1.0 - math.log(g0[q]))
            x = solve(np.concatenate([np.zeros(n_x), np.ones(n)]), rows, low, n,
                      (np.full(n, -50.0), np.full(n, 50.0)))
            if x is None:
                break
            gains = utility @ x[:n_x] - d
            value = float(np.sum(np.log(gains)))
            best = max(best, value)
            if float(np.sum(x[n_x:])) - best <= 1e-9:
                break
            cuts.append(gains)
        out["nash"] = math.exp(best) if best > -math.inf else None
    out["seconds"] = time.perf_counter() - start
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
