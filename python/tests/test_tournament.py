"""Tournaments from Python, on one machine and on a Dask LocalCluster: the rows and files
of ``accord tournament``, byte for byte, also when a worker is killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import pytest

import accord
from test_api import ROOT, cli

CONFIG = ROOT / "examples" / "tournament.toml"


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    subprocess.run(
        [str(cli()), "tournament", str(CONFIG), "-o", str(out)], capture_output=True, check=True
    )
    return out


def test_rows_and_files_are_the_clis(cli_results, tmp_path):
    rows = accord.tournament(CONFIG, out=tmp_path, progress=False, chunk=7)
    for name in ("results.jsonl", "results.csv"):
        assert (tmp_path / name).read_bytes() == (cli_results / name).read_bytes()
    assert len(rows) == 96
    assert [r["index"] for r in rows] == list(range(96))


def test_a_bad_configuration_names_its_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nnegotiators = ["boulware", "nobody"]\n')
    with pytest.raises(accord.AccordError, match="bad.toml"):
        accord.tournament(bad, progress=False)


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_dask_gives_the_clis_rows(client, cli_results, tmp_path):
    import accord.dask

    rows = accord.dask.tournament(CONFIG, client, chunk=10, out=tmp_path)
    assert (tmp_path / "results.jsonl").read_bytes() == (cli_results / "results.jsonl").read_bytes()
    assert (tmp_path / "results.csv").read_bytes() == (cli_results / "results.csv").read_bytes()
    assert rows == accord.tournament(CONFIG, progress=False)


def test_a_worker_killed_mid_run_loses_no_row(client, cli_results, tmp_path):
    import accord.dask

    victim = sorted(client.scheduler_info()["workers"])[0]
    pid = client.run(os.getpid, workers=[victim])[victim]
    killed = threading.Event()

    def kill_when_busy():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if client.processing().get(victim):
                os.kill(pid, signal.SIGKILL)
                killed.set()
                return
            time.sleep(0.002)

    killer = threading.Thread(target=kill_when_busy)
    killer.start()
    accord.dask.tournament(CONFIG, client, chunk=1, out=tmp_path)
    killer.join()
    assert killed.is_set(), "the worker was killed while tasks ran"
    assert (tmp_path / "results.jsonl").read_bytes() == (cli_results / "results.jsonl").read_bytes()
    # The nanny brought up a new worker process in the victim's place.
    client.wait_for_workers(2, timeout=60)
    assert pid not in client.run(os.getpid).values()
