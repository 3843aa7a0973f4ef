#!/usr/bin/env python3
"""The opponent-model accuracy table: for each opponent (a row) and each negotiator that
keeps a model (a column), the mean Pearson correlation, mean absolute error and frontier
distance of its model at the end of their bilateral sessions, from a tournament's
results.jsonl (docs/tournament.md). Prints a Markdown table.

    python3 scripts/model-accuracy.py target/model-accuracy/results.jsonl
"""

import json
import sys
from collections import defaultdict


def main(path: str) -> None:
    sums = defaultdict(lambda: [0.0, 0, 0.0, 0.0, 0])  # r sum, r count, err, frontier, seats
    opponents = []
    models = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            qualities = record.get("model_quality") or []
            line_up = record["line_up"]
            if len(line_up) != 2:
                continue
            for seat, quality in enumerate(qualities):
                if quality is None:
                    continue
                me, them = line_up[seat], line_up[1 - seat]
                if me not in models:
                    models.append(me)
                if them not in opponents:
                    opponents.append(them)
                cell = sums[(me, them)]
                if quality["pearson"] is not None:
                    cell[0] += quality["pearson"]
                    cell[1] += 1
                cell[2] += quality["mean_abs_error"]
                cell[3] += quality["frontier_distance"]
                cell[4] += 1
    if not models:
        sys.exit(f"{path}: no session has an opponent model")
    print("Cells: Pearson r / mean absolute error / frontier distance, over the sessions of")
    print("each pair (both orders of play).")
    print()
    print("| opponent | " + " | ".join(f"`{m}`" for m in models) + " |")
    print("|---|" + "---|" * len(models))
    for them in opponents:
        cells = []
        for me in models:
            r_sum, r_n, err, frontier, seats = sums.get((me, them), [0.0, 0, 0.0, 0.0, 0])
            if seats == 0:
                cells.append("")
                continue
            r = f"{r_sum / r_n:.3f}" if r_n else "-"
            cells.append(f"{r} / {err / seats:.3f} / {frontier / seats:.3f}")
        print(f"| `{them}` | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: model-accuracy.py RESULTS.jsonl")
    main(sys.argv[1])
