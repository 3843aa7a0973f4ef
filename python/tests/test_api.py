"""The Python API on the bundled examples and domains, against the CLI and the reference
answers (testdata/reference, the corpus the Rust tests use)."""

from __future__ import annotations

import html
import json
import os
import subprocess
from pathlib import Path

import numpy
import pytest

import accord

ROOT = Path(__file__).resolve().parents[2]
LABOUR = ROOT / "examples" / "labour-contract.toml"
GENIUS = ROOT / "testdata" / "genius"
REFERENCE = ROOT / "testdata" / "reference"
# Small enough to enumerate in a test, two and three parties, GENIUS XML and GeniusWeb.
DOMAINS = ["anac2012-SupermarketB", "anac2011-Laptop", "anac2015-group1-university"]


def cli() -> Path:
    """The accord binary the suite compares against (ACCORD_BIN, else target/)."""
    given = os.environ.get("ACCORD_BIN")
    if given:
        return Path(given)
    for profile in ("debug", "release"):
        path = ROOT / "target" / profile / "accord"
        if path.exists():
            return path
    pytest.fail("no accord binary: build it (cargo build) or set ACCORD_BIN")


def cli_json(*args: str) -> dict:
    done = subprocess.run(
        [str(cli()), "analyze", *args, "--json"], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_to_dict_is_the_cli_json():
    case = accord.load(LABOUR)
    assert case.analyze().to_dict() == cli_json(str(LABOUR))
    assert case.analyze(epsilon=0.1).to_dict() == cli_json(str(LABOUR), "--epsilon", "0.1")


@pytest.mark.parametrize("domain", DOMAINS)
def test_domains_give_the_reference_answers(domain):
    reference = json.loads((REFERENCE / f"{domain}.json").read_text())
    case = accord.load(GENIUS / domain, parties=reference["profiles"])
    assert case.parties == reference["profiles"]
    analysis = case.analyze()
    assert analysis.status == "exact"
    assert len(analysis.frontier) == reference["frontier_size"]
    got = sorted(f.utilities for f in analysis.frontier)
    want = sorted(tuple(f["utilities"]) for f in reference["frontier"])
    assert numpy.abs(numpy.array(got) - numpy.array(want)).max() <= 1e-9
    for name in ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian"):
        found, expected = getattr(analysis, name), reference[name]
        if expected is None:
            assert found is None
            continue
        assert any(found.utilities == pytest.approx(tuple(t), abs=1e-9) for t in expected["ties"])
        # The package is a real one: evaluating it gives its utilities.
        assert tuple(case.evaluate(found.package).values()) == pytest.approx(found.utilities)


def test_frontier_array_and_points():
    analysis = accord.load(LABOUR).analyze()
    array = analysis.frontier_array()
    assert isinstance(array, numpy.ndarray)
    assert array.shape == (len(analysis.frontier), 2)
    assert array.tolist() == [list(f.utilities) for f in analysis.frontier]
    # No vector dominates another.
    for row in array:
        assert not ((array >= row).all(axis=1) & (array > row + 1e-12).any(axis=1)).any()


def test_case_round_trips_through_dicts():
    case = accord.load(LABOUR)
    again = accord.Case.from_dict(case.to_dict())
    assert again.to_dict() == case.to_dict()
    assert again.parties == case.parties == ["union", "employer"]
    assert [p["id"] for p in case.points] == ["wage", "hours", "remote", "pension", "length"]
    nash = case.analyze().nash
    assert again.analyze().nash == nash


@pytest.mark.parametrize("fmt", ["genius", "geniusweb"])
def test_save_writes_a_domain_folder_that_analyses_the_same(tmp_path, fmt):
    # A GeniusWeb domain goes through both formats; the analysis is unchanged.
    source = ROOT / "testdata" / "geniusweb" / "anl2023-domain03"
    case = accord.load(source)
    written = case.save(tmp_path / fmt, format=fmt)
    ext = ".xml" if fmt == "genius" else ".json"
    assert [Path(p).name for p in written] == [f"domain{ext}", f"profileA{ext}", f"profileB{ext}"]
    again = accord.load(tmp_path / fmt)
    assert again.parties == [f"profileA{ext}", f"profileB{ext}"]
    before, after = case.analyze(), again.analyze()
    assert [f.utilities for f in after.frontier] == [f.utilities for f in before.frontier]
    for name in ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian"):
        assert getattr(after, name).package == getattr(before, name).package
    assert not tmp_path.joinpath(fmt, "specials.json").exists()


def test_save_refuses_what_a_format_cannot_hold_unless_loss_is_allowed(tmp_path):
    case = accord.load(LABOUR)
    with pytest.raises(accord.InputError) as raised:
        case.save(tmp_path / "out", format="genius")
    fields = [p["field"] for p in raised.value.problems]
    assert fields == ["parties[0] `union`.red_lines", "parties[1] `employer`.red_lines"]
    assert all(p["kind"] == "unsupported" for p in raised.value.problems)
    assert not (tmp_path / "out").exists()
    with pytest.warns(UserWarning) as caught:
        written = case.save(tmp_path / "out", format="genius", allow_loss=True)
    notes = [str(w.message) for w in caught]
    assert any("written as its 6 values" in n for n in notes), notes
    assert sum("GENIUS XML has no red lines" in n for n in notes) == 2, notes
    assert len(written) == 3
    again = accord.load(tmp_path / "out")
    assert again.parties == ["1-union.xml", "2-employer.xml"]
    # The utilities are the case's (the red lines aside).
    package = case.analyze().nash.package
    package = {k: str(v) if k == "hours" else v for k, v in package.items()}
    assert list(again.evaluate(package).values()) == pytest.approx(
        list(case.evaluate(case.analyze().nash.package).values())
    )
    with pytest.raises(accord.AccordError, match="is not empty"):
        case.save(tmp_path / "out", format="genius", allow_loss=True)
    with pytest.raises(accord.AccordError, match="not a format"):
        case.save(tmp_path / "x", format="xml")
    (tmp_path / "file").write_text("")
    with pytest.raises(accord.AccordError, match="is a file"):
        case.save(tmp_path / "file", format="genius", allow_loss=True)
    with pytest.raises(accord.AccordError, match="file/under"):
        case.save(tmp_path / "file" / "under.toml")


def test_evaluate_gives_each_party_its_utility():
    case = accord.load(LABOUR)
    for point in case.analyze().frontier:
        assert list(case.evaluate(point.package).values()) == pytest.approx(point.utilities)


def test_bad_input_names_the_file_the_field_and_the_problem(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(LABOUR.read_text().replace("wage = 10, hours = 6", 'wage = "ten", hours = 6'))
    with pytest.raises(accord.InputError) as raised:
        accord.load(bad)
    assert str(bad) in str(raised.value)
    problem = raised.value.problems[0]
    assert problem["source"] == str(bad)
    assert (problem["line"], problem["column"]) == (58, 20)
    assert problem["field"] == "parties[0].position.weights.wage"
    assert problem["kind"] == "wrong-type" and "`ten`" in problem["message"]
    with pytest.raises(accord.InputError) as raised:
        accord.load(LABOUR).evaluate({"wage": "+99%"})
    fields = {p["field"] for p in raised.value.problems}
    assert "wage" in fields
    assert any("no value for point `hours`" in p["message"] for p in raised.value.problems)
    with pytest.raises(accord.AccordError, match="neither a case file"):
        accord.load(ROOT / "README.md")
    with pytest.raises(accord.InputError, match="no party `nobody`") as raised:
        accord.load(LABOUR, parties=["nobody"])
    assert [(p["field"], p["kind"]) for p in raised.value.problems] == [("parties[0]", "unknown")]
    assert raised.value.problems[0]["source"].endswith("labour-contract.toml")
    with pytest.raises(accord.InputError, match="given twice") as raised:
        accord.load(LABOUR, parties=["union", "employer", "union"])
    assert [(p["field"], p["kind"]) for p in raised.value.problems] == [("parties[2]", "duplicate")]
    with pytest.raises(accord.AccordError, match="epsilon"):
        accord.load(LABOUR).analyze(epsilon=0)
    with pytest.raises(accord.InputError) as raised:
        accord.Case.from_dict({"name": "no points"})
    assert all(p["source"] == "<dict>" and p["line"] is None for p in raised.value.problems)
    assert not str(raised.value).startswith("<dict>:1:"), str(raised.value)
    with pytest.raises(accord.AccordError, match="max_packages: `-5`"):
        accord.load(LABOUR).analyze(max_packages=-5)
    with pytest.raises(accord.AccordError, match="rounds: `-1`"):
        accord.negotiate(accord.load(LABOUR), ["boulware", "conceder"], rounds=-1)


def test_insight_report_and_html(tmp_path):
    # Reservation values no package meets: the blockers are the parties' reservation values.
    doc = accord.load(LABOUR).to_dict()
    for party in doc["parties"]:
        if "position" in party:
            party["position"]["reservation_value"] = 0.95
    insight = accord.Case.from_dict(doc).insight()
    assert set(insight) == {
        "blockers", "conflicts", "draft", "trades", "sensitivity", "fairness", "relaxed"
    }
    relaxations = insight["blockers"]["relaxations"]
    assert [{"kind": "reservation", "party": "union"}, {"kind": "reservation", "party": "employer"}] in relaxations
    assert accord.load(LABOUR).insight()["blockers"] is None
    page = tmp_path / "report.html"
    accord.report(accord.load(LABOUR), page)
    assert "<html" in page.read_text()
    shown = accord.load(LABOUR).analyze()._repr_html_()
    assert "<svg" in shown and "nash" in shown


def test_the_analysis_read_piece_by_piece_agrees_with_the_whole_document():
    cases = [
        (accord.load(LABOUR), {}),
        (accord.load(GENIUS / "anac2011-Laptop"), {}),
        (accord.load(LABOUR), {"epsilon": 0.1}),
        (accord.load(GENIUS / "anac2014-30issues"), {"search_nodes": 0}),
        # A frontier traced by search (packages not counted), and none at all.
        (accord.load(GENIUS / "anac2014-10issues"), {"max_packages": 10}),
    ]
    for case, settings in cases:
        analysis = case.analyze(**settings)
        whole = analysis.to_dict()
        assert analysis.case == whole["case"]
        assert analysis.parties == whole["parties"]
        assert analysis.status == whole["status"]
        assert analysis.error_bound == whole.get("error_bound")
        frontier = [
            {"package": f.package, "utilities": list(f.utilities), "n_packages": f.n_packages}
            for f in analysis.frontier
        ]
        assert frontier == (whole["frontier"] or [])
        assert analysis.frontier_array().tolist() == [f["utilities"] for f in whole["frontier"] or []]
        for name, key in (("nash", "nash_product"), ("kalai_smorodinsky", "min_relative_gain"),
                          ("egalitarian", "min_gain"), ("utilitarian", "welfare")):
            found, want = getattr(analysis, name), whole[name]
            if want is None:
                assert found is None, name
                continue
            assert found.package == want["package"], name
            assert list(found.utilities) == want["utilities"], name
            assert found.objective == want[key], name
        assert repr(analysis).startswith(f"<accord.Analysis {whole['case']!r}: {whole['status']}")
        assert analysis.message == whole.get("message")
        if whole["frontier"] is None:
            assert analysis.message and analysis.message in repr(analysis)
            assert html.escape(analysis.message) in analysis._repr_html_()
