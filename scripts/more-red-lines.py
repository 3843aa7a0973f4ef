#!/usr/bin/env python3
"""Writes the peace-framework example with N extra conditional red lines for Ukraine, the
load of docs/benchmarks.md's "Conditional red lines": each says "if point A takes its first
option, point B must not take its last", A and B drawn by random.seed(N).

    scripts/more-red-lines.py N > case.toml && accord analyze case.toml
"""
import random
import re
import sys
from pathlib import Path

n = int(sys.argv[1])
source = (Path(__file__).resolve().parent.parent / "examples" / "peace-framework.toml").read_text()
points = []
for block in source.split("[[points]]")[1:]:
    point = re.search(r'^id = "([^"]+)"', block, re.M).group(1)
    options = re.findall(r'\{ id = "([^"]+)"', block.split("[[")[0])
    if len(options) >= 2:
        points.append((point, options))
random.seed(n)
extra = ""
for _ in range(n):
    (a, a_options), (b, b_options) = random.sample(points, 2)
    extra += (
        f'[[parties.position.red_lines]]\nif = {{ point = "{a}", is = ["{a_options[0]}"] }}\n'
        f'point = "{b}"\nnot = ["{b_options[-1]}"]\n\n'
    )
at = source.index('[[parties]]\nid = "russia"')
sys.stdout.write(source[:at] + extra + source[at:])
