"""Every Python block of docs/python.md and docs/distributed.md runs as a script of its
own, from the repository root (a block that needs a running scheduler, `tcp://SCHEDULER`,
is left out): as a reader who saves it to a file and runs it would."""

from __future__ import annotations

import re
import subprocess
import sys
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
def test_each_example_runs(page, number, block, tmp_path):
    script = tmp_path / f"{page.removesuffix('.md')}_{number + 1}.py"
    script.write_text(block.replace('out="results"', f'out="{tmp_path / "results"}"'))
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"docs/{page} block {number + 1}:\n{done.stderr}"
    assert done.stdout.strip(), "each example prints what it shows"
    assert "Traceback" not in done.stderr, done.stderr
