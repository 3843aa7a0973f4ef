"""Every Python block of docs/python.md and docs/distributed.md runs, from the repository
root (a block that needs a running scheduler, `tcp://SCHEDULER`, is left out)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = [
    (page, number, block)
    for page in ("python.md", "distributed.md")
    for number, block in enumerate(
        re.findall(r"```python\n(.*?)```", (ROOT / "docs" / page).read_text(), re.S)
    )
    if "tcp://SCHEDULER" not in block
]


def test_the_pages_have_examples():
    assert sum(page == "python.md" for page, _, _ in BLOCKS) >= 5
    assert sum(page == "distributed.md" for page, _, _ in BLOCKS) >= 1


@pytest.mark.parametrize("page,number,block", BLOCKS, ids=[f"{p}:{n + 1}" for p, n, _ in BLOCKS])
def test_each_example_runs(page, number, block, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    code = block.replace('out="results"', f'out="{tmp_path}"')
    exec(compile(code, f"docs/{page} block {number + 1}", "exec"), {"__name__": "__docs__"})
    assert capsys.readouterr().out.strip(), "each example prints what it shows"
