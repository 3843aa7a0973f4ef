"""Tournaments from Python, on one machine and on a Dask LocalCluster: the rows and files
of ``accord tournament``, byte for byte, also when a worker is killed mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings

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


def test_a_domain_that_does_not_load_is_named_at_its_place_in_the_configuration(tmp_path):
    labour = ROOT / "examples" / "labour-contract.toml"
    config = tmp_path / "t.toml"
    config.write_text(
        'name = "x"\nnegotiators = ["boulware"]\n'
        f'[[domains]]\npath = "{labour}"\nparties = ["union", "nobody"]\n'
    )
    with pytest.raises(accord.InputError, match="nobody") as raised:
        accord.tournament(config, progress=False)
    [problem] = raised.value.problems
    assert problem["source"] == str(config)
    assert (problem["line"], problem["column"]) == (5, 21)
    assert (problem["field"], problem["kind"]) == ("domains[0].parties[1]", "unknown")
    assert str(raised.value).startswith(f"{config}:5:21: domains[0].parties[1]: "), str(raised.value)

    config.write_text('name = "x"\nnegotiators = ["boulware"]\n[[domains]]\npath = "missing.toml"\n')
    with pytest.raises(accord.InputError, match="missing.toml") as raised:
        accord.tournament(config, progress=False)
    [problem] = raised.value.problems
    assert (problem["line"], problem["column"], problem["field"]) == (4, 8, "domains[0].path")

    # A domain file with problems of its own: they name that file, not the configuration.
    broken = tmp_path / "broken.toml"
    broken.write_text("[case\n")
    config.write_text(
        f'name = "x"\nnegotiators = ["boulware"]\n[[domains]]\npath = "{broken}"\n'
    )
    with pytest.raises(accord.InputError) as raised:
        accord.tournament(config, progress=False)
    assert {p["source"] for p in raised.value.problems} == {str(broken)}

    # A profile a domain folder lacks is placed as a case file's party is.
    car = ROOT / "testdata" / "genius" / "anac2011-Car"
    config.write_text(
        'name = "x"\nnegotiators = ["boulware"]\n'
        f'[[domains]]\npath = "{car}"\nparties = ["adg_deal.xml", "ghost.xml"]\n'
    )
    with pytest.raises(accord.InputError, match="ghost.xml") as raised:
        accord.tournament(config, progress=False)
    [problem] = raised.value.problems
    assert (problem["line"], problem["column"]) == (5, 28)
    assert (problem["field"], problem["kind"]) == ("domains[0].parties[1]", "unknown")

    # A domain of one negotiating party is refused at its `parties`.
    config.write_text(
        'name = "x"\nnegotiators = ["boulware"]\n'
        f'[[domains]]\npath = "{labour}"\nparties = ["union"]\n'
    )
    with pytest.raises(accord.InputError, match="this domain gives 1") as raised:
        accord.tournament(config, progress=False)
    [problem] = raised.value.problems
    assert (problem["line"], problem["column"], problem["field"]) == (5, 12, "domains[0].parties")


class Stubborn:
    """A hard-liner written in Python: offers its best package, never accepts."""

    name = "stubborn"

    def on_start(self, me):
        self.best = me.ranked(1)[0][0]

    def propose(self, state):
        return self.best

    def respond(self, state, offer):
        return False


class Yielding:
    """Accepts any offer; offers its best package."""

    def on_start(self, me):
        self.me = me

    def propose(self, state):
        return self.me.ranked(1)[0][0]

    def respond(self, state, offer):
        return True


class Patient:
    """Reads what accord hands it: `me` a Me, `state` a State, as in accord.negotiate."""

    def on_start(self, me):
        assert isinstance(me, accord.Me), type(me)
        self.me, self.best = me, me.ranked(1)[0][0]
        self.points = [p["id"] for p in me.points]

    def propose(self, state):
        assert isinstance(state, accord.State), type(state)
        assert all(isinstance(party, str) for party, _ in state.offers)
        return self.best

    def respond(self, state, offer):
        return state.time > 0.5 and self.me.utility(offer) >= self.me.reservation_value


class Crashes:
    name = "crashes"

    def propose(self, state):
        raise RuntimeError("boom")

    def respond(self, state, offer):
        return False


LABOUR = str(ROOT / "examples" / "labour-contract.toml")


def python_config(negotiators):
    return {
        "name": "python",
        "seed": 5,
        "rounds": 30,
        "repetitions": 2,
        "negotiators": negotiators,
        "domains": [{"path": LABOUR, "parties": ["union", "employer"]}],
    }


def test_a_dict_configuration_gives_the_files_rows(cli_results):
    # The example's configuration as a dict, domain paths absolute: the same sessions.
    config = {
        "name": "demo",
        "seed": 2026,
        "repetitions": 2,
        "rounds": 100,
        "negotiators": ["boulware", "conceder", "tit-for-tat", "micro"],
        "domains": [
            {"path": LABOUR, "parties": ["union", "employer"]},
            {"path": str(ROOT / "testdata" / "genius" / "anac2010-ItexvsCypress")},
            {"path": str(ROOT / "testdata" / "genius" / "anac2011-Car")},
        ],
    }
    rows = accord.tournament(config, progress=False)
    want = [json.loads(line) for line in (cli_results / "results.jsonl").read_text().splitlines()]
    strip = lambda r: {k: v for k, v in r.items() if k != "domain"}  # noqa: E731
    assert [strip(r) for r in rows] == [strip(r) for r in want]


def test_python_negotiators_play_beside_built_in_ones():
    rows = accord.tournament(python_config(["boulware", Stubborn, Yielding]), progress=False)
    # 3 negotiators, 2 parties: 9 line-ups, twice each.
    assert len(rows) == 18
    line_ups = {tuple(r["line_up"]) for r in rows}
    assert ("stubborn", "Yielding") in line_ups and ("boulware", "stubborn") in line_ups
    for row in rows:
        if row["line_up"] == ["stubborn", "stubborn"]:
            assert row["agreement"] is None
        if row["line_up"] == ["Yielding", "Yielding"]:
            # The opener's best package, accepted at once.
            assert row["agreement"] is not None and row["rounds"] == 1
    # Python negotiators added to a configuration file's.
    rows = accord.tournament(CONFIG, progress=False, negotiators=[Stubborn])
    assert len(rows) == 3 * 25 * 2
    assert sum("stubborn" in r["line_up"] for r in rows) == 3 * 9 * 2


def test_python_negotiators_in_tournaments_get_me_and_state_as_in_negotiate():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = accord.tournament(python_config(["boulware", Patient]), progress=False)
    assert len(rows) == 8
    # Patient accepts from half time on what clears its reservation value: Boulware's
    # late offers do.
    assert any(r["agreement"] is not None for r in rows if r["line_up"] == ["Patient", "boulware"])


def test_names_must_be_usable_in_the_results():
    class Odd(Stubborn):
        name = "a+b"

    with pytest.raises(accord.AccordError, match="no usable name"):
        accord.tournament(python_config(["conceder", Odd]), progress=False)
    with pytest.raises(accord.AccordError, match="no usable name"):
        accord.tournament(python_config(["conceder", lambda: Stubborn()]), progress=False)
    rows = accord.tournament(python_config(["conceder", ("calm", lambda: Stubborn())]), progress=False)
    assert {"calm"} <= {name for r in rows for name in r["line_up"]}


def test_a_python_negotiator_that_raises_ends_its_sessions_and_the_run_goes_on():
    with pytest.warns(RuntimeWarning) as caught:
        rows = accord.tournament(python_config(["boulware", Crashes]), progress=False)
    assert len(rows) == 8
    messages = [str(w.message) for w in caught]
    # Every session with `crashes` in a seat that had to propose or answer.
    assert messages and all("negotiator `crashes` of party" in m and "boom" in m for m in messages)
    for row in rows:
        if "crashes" in row["line_up"]:
            assert row["agreement"] is None


def test_python_negotiators_are_checked_up_front():
    class Boulware(Stubborn):
        name = "boulware"

    with pytest.raises(accord.AccordError, match="has a built-in's name"):
        accord.tournament(python_config(["conceder", Boulware]), progress=False)
    with pytest.raises(accord.AccordError, match="neither a built-in's name nor a class"):
        accord.tournament(python_config(["conceder", 42]), progress=False)
    with pytest.raises(accord.AccordError, match="unknown negotiator `nobody`|nobody"):
        accord.tournament(python_config(["conceder", "nobody"]), progress=False)
    for chunk in (0, -5, 2.5):
        with pytest.raises(accord.AccordError, match="chunk"):
            accord.tournament(python_config(["conceder"]), progress=False, chunk=chunk)


@pytest.fixture(scope="module")
def client():
    import distributed

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


def test_the_cli_runs_a_tournament_on_a_dask_scheduler(client, cli_results, tmp_path):
    done = subprocess.run(
        [str(cli()), "tournament", str(CONFIG), "--dask", client.scheduler.address,
         "--chunk", "16", "-o", str(tmp_path)],
        capture_output=True, text=True, env={**os.environ, "ACCORD_PYTHON": sys.executable},
    )
    assert done.returncode == 0, done.stderr
    for name in ("results.jsonl", "results.csv"):
        assert (tmp_path / name).read_bytes() == (cli_results / name).read_bytes()
    # The same summary table as a run on one machine.
    local = subprocess.run(
        [str(cli()), "tournament", str(CONFIG), "-o", str(tmp_path / "local")],
        capture_output=True, text=True, check=True,
    )
    assert done.stdout == local.stdout
    assert "96 sessions on Dask" in done.stderr


def test_dask_runs_python_negotiators_as_one_machine_does(client):
    import accord.dask

    config = python_config(["boulware", Stubborn, Yielding])
    rows = accord.dask.tournament(config, client, chunk=4)
    assert rows == accord.tournament(config, progress=False)


def test_model_checkpoints_reach_the_rows_on_one_machine_and_on_dask(client):
    import accord.dask

    config = {**python_config(["boulware", "hardheaded"]), "model_checkpoints": [0.25, 0.5]}
    rows = accord.tournament(config, progress=False)
    measured = [r for r in rows if "hardheaded" in r["line_up"]]
    assert measured and len(measured) < len(rows)
    for row in measured:
        assert [c["time"] for c in row["model_quality_over_time"]] == [0.25, 0.5]
        seat = row["line_up"].index("hardheaded")
        assert row["model_quality_over_time"][1]["model_quality"][seat]["mean_abs_error"] >= 0
    # The plan travels to the workers with its checkpoints.
    assert accord.dask.tournament(config, client, chunk=5) == rows
    # numpy numbers and arrays read as the numbers and lists they hold.
    import numpy as np

    numpy_config = {**config, "seed": np.int64(5), "model_checkpoints": np.array([0.25, 0.5])}
    assert accord.tournament(numpy_config, progress=False) == rows
    bad = {**config, "model_checkpoints": [0.5, 1.0]}
    with pytest.raises(accord.InputError, match=r"model_checkpoints\[1\]: model checkpoint `1`") as raised:
        accord.tournament(bad, progress=False)
    # A dict has no lines: the problem names the key, not a place in generated text.
    problem = raised.value.problems[0]
    assert (problem["source"], problem["line"], problem["column"]) == ("<dict>", None, None)
    assert str(raised.value).startswith("<dict>: model_checkpoints[1]: "), str(raised.value)


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
