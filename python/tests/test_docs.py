"""Every Python block of docs/python.md runs, from the repository root."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "python.md").read_text(), re.S)


def test_the_page_has_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_each_example_runs(number, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    exec(compile(BLOCKS[number], f"docs/python.md block {number + 1}", "exec"), {})
    assert capsys.readouterr().out.strip(), "each example prints what it shows"
