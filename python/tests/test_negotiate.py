"""SAOP sessions from Python: built-in and Python negotiators, their errors, and what a
negotiator may see (its own position only)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import accord
from test_api import GENIUS, ROOT, cli

SUPERMARKET = GENIUS / "anac2012-SupermarketB"


class HardLiner:
    """Offers its best package every time and never accepts."""

    def on_start(self, me):
        self.me = me
        self.best = me.ranked(1)[0][0]

    def propose(self, state):
        return self.best

    def respond(self, state, offer):
        return False


class Raises:
    def propose(self, state):
        raise ValueError("boom")

    def respond(self, state, offer):
        return False


class OffTheMenu:
    def propose(self, state):
        return {"Bread type": "Croissant"}

    def respond(self, state, offer):
        return False


class Accepts:
    """Accepts the first offer worth its reservation value; records what it saw."""

    def __init__(self):
        self.seen = []

    def on_start(self, me):
        self.me = me

    def propose(self, state):
        return self.me.ranked(1)[0][0]

    def respond(self, state, offer):
        self.seen.append(state)
        return self.me.utility(offer) >= self.me.reservation_value


def test_built_in_sessions_are_the_clis():
    case = accord.load(SUPERMARKET)
    session = accord.negotiate(case, ["boulware", "conceder"], rounds=100, seed=3)
    done = subprocess.run(
        [str(cli()), "negotiate", str(SUPERMARKET), "--negotiators", "boulware,conceder",
         "--seed", "3", "--json"],
        capture_output=True, text=True, check=True,
    )
    expected = json.loads(done.stdout)
    got = session.to_dict()
    assert got.pop("error") is None
    assert got == expected
    assert session.agreement == expected["agreement"]
    assert list(session.utilities.values()) == expected["utilities"]


def test_boa_compositions_are_the_clis_with_their_models_measured():
    case = accord.load(SUPERMARKET)
    line_up = [
        "boa(offering=boulware, acceptance=combi-max-w, model=frequency)",
        "boa(offering=conceder, model=perfect)",
    ]
    session = accord.negotiate(case, line_up, rounds=100, seed=3)
    done = subprocess.run(
        [str(cli()), "negotiate", str(SUPERMARKET), "--negotiators", ",".join(line_up),
         "--seed", "3", "--json"],
        capture_output=True, text=True, check=True,
    )
    expected = json.loads(done.stdout)
    got = session.to_dict()
    assert got.pop("error") is None
    assert got == expected
    learnt, perfect = session.model_quality.values()
    assert -1.0 <= learnt["pearson"] <= 1.0
    assert 0.0 < learnt["mean_abs_error"] < 1.0
    assert perfect["pearson"] == pytest.approx(1.0, abs=1e-12)
    assert perfect["mean_abs_error"] == 0.0 and perfect["frontier_distance"] == 0.0
    # The parts are listed, and a bad composition names its part and parameter.
    assert "combi-max-w" in accord.ACCEPTANCE_CONDITIONS
    assert "frequency" in accord.OPPONENT_MODELS
    assert "time-dependent" in accord.OFFERING_STRATEGIES
    with pytest.raises(accord.InputError, match=r"model `psychic`") as raised:
        accord.negotiate(case, ["boulware", "boa(model=psychic)"])
    assert raised.value.problems[0]["field"] == "negotiators[1]"
    # A name that does not read is said before a wrong count.
    with pytest.raises(accord.InputError, match=r"parentheses"):
        accord.negotiate(case, ["boa("])
    # Standard negotiators keep no model.
    plain = accord.negotiate(case, ["boulware", "conceder"], seed=3)
    assert list(plain.model_quality.values()) == [None, None]


def test_a_hard_liner_never_concedes():
    case = accord.load(SUPERMARKET)
    session = accord.negotiate(case, [HardLiner(), "boulware"], rounds=50)
    assert session.error is None
    mine = [s for s in session.trace if s["party"] == case.parties[0] and s["action"] == "offer"]
    assert len(mine) == 50
    assert {s["utilities"][0] for s in mine} == {1.0}
    assert session.to_dict()["negotiators"] == ["HardLiner", "boulware"]
    if session.agreement is not None:
        assert session.utilities[case.parties[0]] == 1.0


def test_a_class_stands_for_a_fresh_instance():
    case = accord.load(SUPERMARKET)
    by_class = accord.negotiate(case, [HardLiner, "boulware"], rounds=30)
    by_object = accord.negotiate(case, [HardLiner(), "boulware"], rounds=30)
    assert by_class.error is None
    assert by_class.to_dict() == by_object.to_dict()


def test_a_negotiator_that_raises_ends_the_session_with_the_error_named():
    session = accord.negotiate(accord.load(SUPERMARKET), [Raises(), "boulware"])
    assert session.agreement is None
    assert "Raises" in session.error and "ValueError" in session.error and "boom" in session.error
    assert session.trace[-1]["action"] == "end"


def test_a_package_outside_the_domain_is_a_clear_error():
    session = accord.negotiate(accord.load(SUPERMARKET), ["boulware", OffTheMenu()])
    assert session.agreement is None
    assert "OffTheMenu" in session.error
    assert "Croissant" in session.error
    assert "no value for point `Fruit`" in session.error


def test_bad_line_ups_are_errors():
    case = accord.load(SUPERMARKET)
    with pytest.raises(accord.AccordError, match="unknown negotiator `nobody`"):
        accord.negotiate(case, ["nobody", "boulware"])
    with pytest.raises(accord.AccordError, match="give one per party"):
        accord.negotiate(case, ["boulware", "conceder", "linear"])
    with pytest.raises(accord.AccordError, match="has no `propose` method"):
        accord.negotiate(case, [object(), "boulware"])
    with pytest.raises(TypeError, match="a list"):
        accord.negotiate(case, "boulware,conceder")
    with pytest.raises(accord.InputError, match="no party `nobody`") as raised:
        accord.negotiate(case, ["boulware", "boulware"], parties=["nobody"])
    assert raised.value.problems[0]["field"] == "parties[0]"


def test_me_is_the_negotiators_own_view_only():
    case = accord.load(SUPERMARKET)
    watcher = Accepts()
    session = accord.negotiate(case, ["boulware", watcher], rounds=30)
    me = watcher.me
    assert me.party == case.parties[1] and me.place == 1 and me.n_parties == 2
    # Its utilities are its own party's, not the other's.
    for package, utility in me.ranked(20):
        own, other = case.evaluate(package).values()
        assert utility == pytest.approx(other)
        assert me.utility(package) == pytest.approx(other)
    assert [p["id"] for p in me.points] == [p["id"] for p in case.points]
    # Nothing else is reachable: no position, no case, no other party.
    public = {name for name in dir(me._view) if not name.startswith("_")}
    assert public == {
        "utility", "reservation_value", "ranked", "points_json", "party", "place", "n_parties"
    }
    assert "position" not in json.dumps(me.points) and "weights" not in json.dumps(me.points)
    # The state lists every offer so far, each with who made it.
    assert watcher.seen and all(
        [party for party, _ in state.offers][-1] == case.parties[0] for state in watcher.seen
    )
    assert session.error is None


def test_mediation_is_the_clis():
    peace = ROOT / "examples" / "peace-framework.toml"
    labour = accord.load(ROOT / "examples" / "labour-contract.toml")
    start = labour.analyze().frontier[0].package
    found = accord.mediate(labour, steps=200, seed=4, draft=start)
    assert found["start"] == start and found["steps"] == 200
    assert found["changed"] == [p for p in start if start[p] != found["text"][p]]
    assert list(found["utilities"].values()) == pytest.approx(
        list(labour.evaluate(found["text"]).values()))
    # Hill-climbers under a veto never lose.
    for party, before in found["utilities_before"].items():
        assert found["utilities"][party] >= before - 1e-12
    done = subprocess.run([str(cli()), "mediate", str(peace), "--steps", "300", "--seed", "2"],
                          capture_output=True, text=True, check=True)
    peace_found = accord.mediate(accord.load(peace), steps=300, seed=2)
    assert f"{peace_found['adopted']} of 300 proposed changes adopted" in done.stdout
    with pytest.raises(accord.AccordError, match="no draft"):
        accord.mediate(labour)
    with pytest.raises(accord.AccordError, match="rule"):
        accord.mediate(labour, draft=start, rule="dictator")


def test_counts_beyond_what_a_session_holds_are_named():
    case = accord.load(SUPERMARKET)
    with pytest.raises(accord.AccordError, match=r"rounds: `8589934592` is more than 4294967295"):
        accord.negotiate(case, ["boulware", "boulware"], rounds=2**33)
    with pytest.raises(accord.AccordError, match=r"seed: `18446744073709551616` is more than"):
        accord.negotiate(case, ["boulware", "boulware"], seed=2**64)
    assert accord.negotiate(case, ["atlas3", "agentk"], seed=2**64 - 1).rounds > 0


def test_a_line_up_of_the_wrong_size_is_bad_input():
    case = accord.load(SUPERMARKET)
    with pytest.raises(accord.InputError, match=r"3 negotiator\(s\) for 2 parties") as raised:
        accord.negotiate(case, ["agentk", "cuhkagent", "atlas3"])
    assert raised.value.problems[0]["field"] == "negotiators"


def test_fewer_negotiators_are_used_in_turn_as_on_the_command_line():
    case = accord.load(SUPERMARKET)
    once = accord.negotiate(case, ["atlas3"], rounds=30, seed=2)
    assert once.to_dict() == accord.negotiate(case, ["atlas3", "atlas3"], rounds=30, seed=2).to_dict()
    done = subprocess.run(
        [str(cli()), "negotiate", str(SUPERMARKET), "--negotiators", "atlas3", "--rounds", "30",
         "--seed", "2", "--json"],
        capture_output=True, text=True, check=True,
    )
    got = once.to_dict()
    assert got.pop("error") is None
    assert got == json.loads(done.stdout)
    # A class plays each of its seats afresh; one object cannot play two.
    assert accord.negotiate(case, [HardLiner], rounds=5).rounds == 5
    with pytest.raises(accord.InputError, match=r"1 negotiator\(s\) for 2 parties"):
        accord.negotiate(case, [HardLiner()])
