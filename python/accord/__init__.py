"""accord: multi-party, multi-issue negotiation analysis.

Load a case (an accord case file, or a GENIUS or GeniusWeb domain folder), analyse it
(the Pareto frontier, the Nash, Kalai-Smorodinsky, egalitarian and utilitarian packages,
what blocks agreement and which trades unblock it) and write its report. Every analysis
is the very document ``accord analyze --json`` prints (docs/analysis-json.md), wrapped for
convenience. See docs/python.md.
"""

from __future__ import annotations

import html
import json
import numbers
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import _accord
from ._accord import AccordError, InputError

__version__: str = _accord.__version__

__all__ = [
    "AccordError",
    "Analysis",
    "BargainingPackage",
    "Case",
    "FrontierPoint",
    "InputError",
    "Insight",
    "Me",
    "ACCEPTANCE_CONDITIONS",
    "NEGOTIATORS",
    "OFFERING_STRATEGIES",
    "OPPONENT_MODELS",
    "Session",
    "State",
    "load",
    "mediate",
    "negotiate",
    "report",
    "tournament",
]

#: The built-in negotiators, by name. A BOA composition is named too, in one line:
#: ``"boa(offering=boulware, acceptance=combi-max-w, model=frequency)"`` (the parts are
#: listed in :data:`OFFERING_STRATEGIES`, :data:`ACCEPTANCE_CONDITIONS` and
#: :data:`OPPONENT_MODELS`; docs/tournament.md gives their parameters).
NEGOTIATORS: tuple[str, ...] = tuple(_accord.NEGOTIATORS)

#: The offering strategies of a BOA composition.
OFFERING_STRATEGIES: tuple[str, ...] = tuple(_accord.OFFERING_STRATEGIES)

#: The acceptance conditions of a BOA composition.
ACCEPTANCE_CONDITIONS: tuple[str, ...] = tuple(_accord.ACCEPTANCE_CONDITIONS)

#: The opponent models of a BOA composition (``none`` is no model).
OPPONENT_MODELS: tuple[str, ...] = tuple(_accord.OPPONENT_MODELS)

#: A package: each point's id mapped to an option id (a point of options) or a number
#: (a range).
Package = dict[str, str | int | float]

_BARGAINING = ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian")
_INSIGHT = ("blockers", "conflicts", "draft", "trades", "sensitivity", "fairness", "relaxed")


def load(path: str | os.PathLike[str], parties: Sequence[str] | None = None) -> Case:
    """Reads a case file (``.toml``, ``.json``) or a GENIUS or GeniusWeb domain folder.

    ``parties`` picks the parties to analyse: party ids of a case file, or profile file
    names of a folder (by default every party with a position, or a folder's first three
    profiles by file name). Bad input raises :class:`InputError`, whose ``problems`` name
    the file, the line and the field.
    """
    return Case(_accord.LoadedCase.read(os.fspath(path), _ids(parties)))


def report(
    case: Case,
    path: str | os.PathLike[str],
    *,
    epsilon: float | None = None,
    exact: bool = False,
) -> None:
    """Writes the report of ``case`` (``accord report``): HTML, or Markdown for a ``.md``
    path, its plots then written beside it as ``STEM-NAME.svg``."""
    case._inner.write_report(os.fspath(path), epsilon=epsilon, exact=exact)


def negotiate(
    case: Case,
    negotiators: Sequence[Any],
    rounds: int = 100,
    seed: int = 0,
    parties: Sequence[str] | None = None,
) -> Session:
    """Runs one SAOP session (``accord negotiate``) between ``negotiators``, one per party
    in order of play (``parties``, by default the case's analysed parties).

    A negotiator is a built-in's name (:data:`NEGOTIATORS`) or a BOA composition
    (``"boa(offering=..., acceptance=..., model=...)"``), or an object (or a class,
    which is instantiated) with
    ``propose(state) -> package`` and ``respond(state, offer) -> bool`` (accept or not),
    and optionally ``on_start(me)``, where ``me`` is a :class:`Me` (its own view only) and
    ``state`` a :class:`State`. A negotiator that raises, or proposes something that is
    not a package of the case, ends the session: :attr:`Session.error` names it. Fewer
    negotiators than parties are used in turn when those that play again are names or
    classes (each seat gets a fresh one).
    """
    if isinstance(negotiators, str):
        raise TypeError("negotiators: a list, one per party (a name or an object)")
    inner = case._inner.select(_ids(parties)) if parties is not None else case._inner
    negotiators = list(negotiators)
    seats = len(inner.analysed)
    reused = negotiators[: max(seats - len(negotiators), 0)]
    if negotiators and all(isinstance(n, (str, type)) for n in reused):
        # Fewer are used in turn, as `accord negotiate` does: a name or a class plays each
        # of its seats afresh (one object cannot play two seats).
        given = len(negotiators)
        negotiators = [negotiators[k % given] for k in range(max(seats, given))]
    # A class stands for a fresh instance of it, as in tournaments.
    line_up = [
        n if isinstance(n, str) else _Adapter(n() if isinstance(n, type) else n)
        for n in negotiators
    ]
    text = _accord.negotiate_json(
        inner, line_up, rounds=_count("rounds", rounds, most=_U32), seed=_count("seed", seed)
    )
    return Session(json.loads(text))


def mediate(
    case: Case,
    steps: int = 1000,
    voters: str = "hill-climber",
    rule: str = "veto",
    temperature: float = 1.0,
    seed: int = 0,
    draft: Mapping[str, str | int | float] | None = None,
) -> dict[str, Any]:
    """Single-text mediation as ``accord mediate`` runs it, from ``draft`` (default: the
    case's draft): ``voters`` ``hill-climber`` or ``annealer``, ``rule`` ``veto`` or
    ``annealing``. Returns ``start``, ``text`` (the final text), ``changed`` (the points
    that differ), ``utilities_before`` and ``utilities`` (party id -> utility),
    ``adopted``, ``steps`` and ``acceptable``."""
    text = _accord.mediate_json(
        case._inner, steps=_count("steps", steps, most=_U32), voters=voters, rule=rule,
        temperature=temperature, seed=_count("seed", seed), draft=None if draft is None else json.dumps(dict(draft)),
    )
    return json.loads(text)


def tournament(
    config: str | os.PathLike[str] | Mapping[str, Any],
    out: str | os.PathLike[str] | None = None,
    progress: bool = True,
    *,
    chunk: int = 512,
    negotiators: Sequence[Any] | None = None,
) -> list[dict[str, Any]]:
    """Runs a tournament configuration (docs/tournament.md) as ``accord tournament`` does
    and returns its rows (those of ``results.jsonl``, in order); with ``out``, writes
    ``results.jsonl`` and ``results.csv`` there, the same bytes as the CLI. ``progress``
    prints the sessions done to stderr, one chunk at a time.

    ``config`` is a configuration file, or a dict of the same keys (domain paths relative
    to the working directory). Negotiators written in Python play beside the built-in
    ones: list their classes in the dict's ``negotiators`` beside built-in names, or pass
    them as ``negotiators=[...]`` (added to the configuration's). Each is a class (or any
    callable) that makes a fresh negotiator for every seat of every session, named by its
    ``name`` attribute, else its ``__name__`` (or give ``(name, class)``). A Python
    negotiator that raises ends its session (its row has no agreement) and the run goes
    on; each such session is reported as a :class:`RuntimeWarning`."""
    chunk = _chunk(chunk)
    plan, _ = _plan(config, negotiators)
    total = plan.n_sessions
    parts = []
    failures: list[str] = []
    for start in range(0, total, chunk):
        stop = min(start + chunk, total)
        rows, failed = plan.run_jsonl(start, stop)
        parts.append(rows)
        failures.extend(failed)
        if progress:
            import sys

            print(f"{plan.name}: {stop}/{total} sessions", file=sys.stderr, flush=True)
    _warn_failures(failures)
    jsonl = "".join(parts)
    if out is not None:
        _accord.write_results(os.fspath(out), jsonl)
    return [json.loads(line) for line in jsonl.splitlines() if line]


def _chunk(chunk: Any) -> int:
    """``chunk`` checked as a whole number >= 1."""
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise AccordError(f"chunk: `{chunk!r}` is not a whole number >= 1")
    return chunk


def _warn_failures(failures: Sequence[str]) -> None:
    for failure in failures:
        warnings.warn(f"a session ended early: {failure}", RuntimeWarning, stacklevel=3)


_NAME = re.compile(r"[A-Za-z0-9_.-]+")


class _Maker:
    """Makes a fresh negotiator from a user's class (or callable), wrapped so that it gets
    accord's :class:`Me` and :class:`State` as in :func:`negotiate`. Picklable: it travels
    to Dask workers with the user's class."""

    __slots__ = ("maker",)

    def __init__(self, maker: Any) -> None:
        self.maker = maker

    def __call__(self) -> _Adapter:
        return _Adapter(self.maker())

    def __getstate__(self) -> Any:
        return self.maker

    def __setstate__(self, maker: Any) -> None:
        self.maker = maker


def _python_negotiator(entry: Any) -> tuple[str, _Maker]:
    """A Python negotiator's (name, maker) from a class, a callable or a (name, maker)."""
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
        name, maker = entry
    else:
        maker = entry
        name = getattr(entry, "name", None)
        if name is None:
            name = getattr(entry, "__name__", None)
    if not callable(maker):
        raise AccordError(
            f"negotiator `{entry!r}` is neither a built-in's name nor a class (or callable) "
            "that makes a negotiator"
        )
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise AccordError(
            f"negotiator `{entry!r}` has no usable name (`{name!r}`)\nhint: give it a "
            "`name` attribute of letters, digits, `.`, `_` and `-`, or pass (name, maker)"
        )
    return name, _Maker(maker)


def _plan(
    config: str | os.PathLike[str] | Mapping[str, Any], negotiators: Sequence[Any] | None
) -> tuple[_accord.TournamentPlan, list[tuple[str, Any]]]:
    """The tournament plan of a configuration file or dict, and its Python negotiators
    (name, maker)."""
    if isinstance(negotiators, str):
        raise TypeError("negotiators: a list of classes, not one string")
    python = [_python_negotiator(entry) for entry in negotiators or ()]
    if isinstance(config, Mapping):
        config = dict(config)
        names = []
        for entry in config.get("negotiators", ()):
            if isinstance(entry, str):
                names.append(entry)
            else:
                name, maker = _python_negotiator(entry)
                python.append((name, maker))
                names.append(name)
        config["negotiators"] = names
        text = _toml(config)
        return _accord.TournamentPlan.parse(text, "<dict>", os.getcwd(), python), python
    return _accord.TournamentPlan.read(os.fspath(config), python), python


def _toml_value(value: Any, key: str) -> str:
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        # A numpy array or scalar: as the Python list or number it holds.
        value = value.tolist()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v, key) for v in value) + "]"
    raise AccordError(f"{key}: `{value!r}` is not a string, number or list")


def _toml(config: Mapping[str, Any]) -> str:
    """A configuration dict as TOML text (scalars, lists, and lists of tables)."""
    lines, tables = [], []
    for key, value in config.items():
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, Mapping) for v in value):
            for item in value:
                tables.append(f"[[{key}]]")
                tables.extend(
                    f"{json.dumps(k)} = {_toml_value(v, f'{key}.{k}')}" for k, v in item.items()
                )
        else:
            lines.append(f"{json.dumps(key)} = {_toml_value(value, key)}")
    return "\n".join(lines + tables) + "\n"


_U32 = 2**32 - 1
_U64 = 2**64 - 1


def _count(name: str, value: Any, *, optional: bool = False, most: int = _U64) -> Any:
    """``value`` checked as a whole number from 0 to ``most`` (or ``None`` when
    ``optional``)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AccordError(f"{name}: `{value!r}` is not a whole number >= 0")
    if value > most:
        raise AccordError(f"{name}: `{value!r}` is more than {most}")
    return value


def _rounds(n: int) -> str:
    return "1 round" if n == 1 else f"{n} rounds"


def _ids(parties: Sequence[str] | None) -> list[str]:
    if parties is None:
        return []
    if isinstance(parties, str):
        raise TypeError("parties: a list of party ids, not one string")
    return [str(p) for p in parties]


class Case:
    """A negotiation case: points, parties and their confidential positions."""

    __slots__ = ("_inner",)

    def __init__(self, inner: _accord.LoadedCase) -> None:
        self._inner = inner

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any], parties: Sequence[str] | None = None) -> Case:
        """A case from a dict in the case-file schema (docs/case-format.md)."""
        text = json.dumps(obj)
        return cls(_accord.LoadedCase.parse(text, "<dict>", "json", _ids(parties)))

    def to_dict(self) -> dict[str, Any]:
        """The case in the case-file schema."""
        return json.loads(self._inner.write("json"))

    def save(
        self,
        path: str | os.PathLike[str],
        format: str | None = None,
        allow_loss: bool = False,
    ) -> list[str]:
        """Writes the case: as a case file (``format`` ``"toml"`` or ``"json"``, by
        default from the path's extension), or as a domain folder that GENIUS, GeniusWeb
        and NegMAS load (``format`` ``"genius"`` or ``"geniusweb"``: ``path`` is a folder
        to create, or an empty one; one profile per party analysed).

        What a folder format cannot hold (red lines, a GeniusWeb discount factor, ...)
        raises :class:`InputError` naming each thing; with ``allow_loss=True`` the case is
        written anyway and each change is issued as a :class:`UserWarning`, one sentence
        each. Returns the paths written.
        """
        path = os.fspath(path)
        if format in ("genius", "geniusweb"):
            files, notes = self._inner.export(format, allow_loss)
            if os.path.exists(path) and not os.path.isdir(path):
                raise AccordError(f"`{path}` is a file; give a folder to create")
            if os.path.isdir(path) and os.listdir(path):
                raise AccordError(
                    f"`{path}` is not empty; give a new folder (files already there "
                    "would be read as part of the domain)"
                )
            written = []
            try:
                os.makedirs(path, exist_ok=True)
                for name, data in files:
                    target = os.path.join(path, name)
                    with open(target, "wb") as out:
                        out.write(data)
                    written.append(target)
            except OSError as error:
                raise AccordError(f"`{path}`: {error.strerror or error}") from error
            for note in notes:
                warnings.warn(note, UserWarning, stacklevel=2)
            return written
        if format is None:
            format = os.path.splitext(path)[1].lower().lstrip(".")
            if format not in ("toml", "json"):
                raise AccordError(
                    f"`{path}`: a case file ends in .toml or .json (or give format="
                    '"genius" or "geniusweb" for a domain folder)'
                )
        elif format not in ("toml", "json"):
            raise AccordError(
                f"`{format}` is not a format\nhint: the formats are toml, json, genius "
                "and geniusweb"
            )
        try:
            with open(path, "w", encoding="utf-8") as out:
                out.write(self._inner.write(format))
        except OSError as error:
            raise AccordError(f"`{path}`: {error.strerror or error}") from error
        return [path]

    @property
    def points(self) -> list[dict[str, Any]]:
        """The points, as in the case-file schema."""
        return self.to_dict()["points"]

    @property
    def parties(self) -> list[str]:
        """The ids of the parties analysed, in order."""
        return self._inner.analysed

    @property
    def source(self) -> str:
        """Where the case came from."""
        return self._inner.source

    @property
    def warnings(self) -> list[str]:
        """Warnings from reading the input (each names its file, line and field)."""
        return self._inner.warnings

    def analyze(
        self,
        epsilon: float | None = None,
        max_packages: int | None = None,
        *,
        exact: bool = False,
        search_nodes: int | None = None,
    ) -> Analysis:
        """Analyses the case as ``accord analyze`` does with the same settings.

        ``epsilon`` asks for an approximate frontier within that bound; ``exact`` insists
        on the exact one; ``max_packages`` is the enumeration limit; ``search_nodes`` the
        search's limit (0: no search).
        """
        settings: dict[str, Any] = {"exact": exact}
        if epsilon is not None:
            settings["epsilon"] = epsilon
        if max_packages is not None:
            settings["max_packages"] = _count("max_packages", max_packages, most=2**128 - 1)
        if search_nodes is not None:
            settings["search_nodes"] = _count("search_nodes", search_nodes)
        # The frontier and bargaining packages now, held in Rust until read; the whole
        # document (with the insight's parts) when to_dict() asks.
        inner = self._inner
        result = inner.analysis(**settings)
        return Analysis(result, lambda: json.loads(inner.analysis_json(**settings)))

    def insight(self, **settings: Any) -> Insight:
        """What blocks agreement, the points in conflict, the draft's standing and its
        trades, sensitivity and fairness (the same settings as :meth:`analyze`)."""
        return Insight(self.analyze(**settings).to_dict())

    def evaluate(self, package: Mapping[str, str | int | float]) -> dict[str, float]:
        """Each analysed party's utility of ``package`` (``{point id: option id or
        number}``); a package that does not fit the case raises :class:`InputError`."""
        return json.loads(self._inner.evaluate_json(json.dumps(dict(package))))

    def __repr__(self) -> str:
        return f"<accord.Case {self.source!r}: {len(self.points)} points, parties {self.parties}>"


class FrontierPoint(NamedTuple):
    """One vector of the Pareto frontier and a package that attains it."""

    package: Package
    utilities: tuple[float, ...]
    #: How many packages attain it (``None`` where the method does not count).
    n_packages: int | None


class BargainingPackage(NamedTuple):
    """A bargaining solution: its name, package, utilities and objective value."""

    name: str
    package: Package
    utilities: tuple[float, ...]
    objective: float


class Analysis:
    """The analysis of a case: the frontier and the bargaining packages, and on
    :meth:`to_dict` the whole document of ``accord analyze --json`` (with the insight's
    parts, computed then). Each part becomes Python objects when first read."""

    __slots__ = ("_result", "_top", "_full", "_whole", "_read")

    def __init__(self, result: _accord.AnalysisResult, full: Any) -> None:
        self._result = result
        self._top: dict[str, Any] | None = None
        self._full = full
        self._whole: dict[str, Any] | None = None
        self._read: dict[str, Any] = {}

    @property
    def _head(self) -> dict[str, Any]:
        if self._top is None:
            self._top = self._result.header()
        return self._top

    def to_dict(self) -> dict[str, Any]:
        """The document, equal to ``accord analyze --json`` with the same settings."""
        if self._whole is None:
            self._whole = self._full()
        return json.loads(json.dumps(self._whole))

    @property
    def case(self) -> str:
        """The case's name."""
        return self._head["case"]

    @property
    def parties(self) -> list[str]:
        return list(self._head["parties"])

    @property
    def status(self) -> str:
        """``exact``, ``approximate`` (within :attr:`error_bound`), ``too-large`` or
        another refusal."""
        return self._head["status"]

    @property
    def error_bound(self) -> float | None:
        return self._head.get("error_bound")

    @property
    def message(self) -> str | None:
        """Why there is no frontier (``too-large``, ...), in words; ``None`` when there
        is one."""
        return self._head.get("message")

    @property
    def frontier(self) -> list[FrontierPoint]:
        """The frontier vectors (empty when there is no frontier)."""
        if "frontier" not in self._read:
            self._read["frontier"] = [
                FrontierPoint._make(point) for point in self._result.frontier() or ()
            ]
        return list(self._read["frontier"])

    def frontier_array(self) -> Any:
        """The frontier as a NumPy array, one row a vector (needs numpy)."""
        import numpy

        rows = self._result.frontier_utilities()
        return numpy.array(rows, dtype=float).reshape(len(rows), len(self._head["parties"]))

    def _solution(self, name: str) -> BargainingPackage | None:
        if name not in self._read:
            found = self._result.solution(name)
            self._read[name] = None if found is None else BargainingPackage(name, *found)
        return self._read[name]

    @property
    def nash(self) -> BargainingPackage | None:
        return self._solution("nash")

    @property
    def kalai_smorodinsky(self) -> BargainingPackage | None:
        return self._solution("kalai_smorodinsky")

    @property
    def egalitarian(self) -> BargainingPackage | None:
        return self._solution("egalitarian")

    @property
    def utilitarian(self) -> BargainingPackage | None:
        return self._solution("utilitarian")

    def __repr__(self) -> str:
        size = self._head.get("frontier_size")
        if size is None:
            return f"<accord.Analysis {self.case!r}: {self.status}: {self.message}>"
        return f"<accord.Analysis {self.case!r}: {self.status}, {size} frontier vectors>"

    def _repr_html_(self) -> str:
        return _analysis_html(self)


class Insight(Mapping[str, Any]):
    """What blocks agreement and what would help: ``blockers``, ``conflicts``, ``draft``,
    ``trades``, ``sensitivity``, ``fairness`` and ``relaxed``, as in the analysis
    document."""

    __slots__ = ("_parts",)

    def __init__(self, doc: dict[str, Any]) -> None:
        self._parts = {key: doc.get(key) for key in _INSIGHT}

    def __getitem__(self, key: str) -> Any:
        return self._parts[key]

    def __iter__(self):
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def __repr__(self) -> str:
        return f"<accord.Insight {sorted(k for k, v in self._parts.items() if v)}>"


class Me:
    """A negotiator's own view: its utility, reservation value and best packages, and the
    public points. No other party's position is reachable from it."""

    __slots__ = ("_view",)

    def __init__(self, view: _accord.OwnView) -> None:
        self._view = view

    def utility(self, package: Mapping[str, str | int | float]) -> float:
        """Its utility of ``package``."""
        return self._view.utility(dict(package))

    @property
    def reservation_value(self) -> float:
        return self._view.reservation_value

    def ranked(self, n: int) -> list[tuple[Package, float]]:
        """Its ``n`` best packages with their utilities, best first."""
        return [(package, utility) for package, utility in self._view.ranked(n)]

    @property
    def points(self) -> list[dict[str, Any]]:
        """The points of the case, as in the case-file schema."""
        return json.loads(self._view.points_json())

    @property
    def party(self) -> str:
        """Its party's id."""
        return self._view.party

    @property
    def place(self) -> int:
        """Its place in the order of play, from 0."""
        return self._view.place

    @property
    def n_parties(self) -> int:
        return self._view.n_parties

    def __repr__(self) -> str:
        return f"<accord.Me {self.party!r}, place {self.place} of {self.n_parties}>"


@dataclass(frozen=True)
class State:
    """Where a session stands when a negotiator acts."""

    #: The round, from 0.
    round: int
    #: Normalised time, from 0 to 1.
    time: float
    #: Every offer so far, oldest first: (party id, package).
    offers: list[tuple[str, Package]]


class _Adapter:
    """Hands a user's negotiator accord's :class:`Me` and :class:`State`."""

    __slots__ = ("_user", "name")

    def __init__(self, user: Any) -> None:
        for method in ("propose", "respond"):
            if not callable(getattr(user, method, None)):
                raise AccordError(
                    f"negotiator {user!r} has no `{method}` method\n"
                    "hint: a negotiator is a built-in's name or an object with "
                    "propose(state) and respond(state, offer)"
                )
        self._user = user
        name = getattr(user, "name", None)
        self.name = name if isinstance(name, str) else type(user).__name__

    def on_start(self, view: _accord.OwnView) -> None:
        start = getattr(self._user, "on_start", None)
        if callable(start):
            start(Me(view))

    def propose(self, state: dict[str, Any]) -> Any:
        return self._user.propose(_state(state))

    def respond(self, state: dict[str, Any], offer: Package) -> bool:
        return bool(self._user.respond(_state(state), offer))


def _state(state: dict[str, Any]) -> State:
    return State(state["round"], state["time"], [tuple(o) for o in state["offers"]])


class Session:
    """How a session went: the document of ``accord negotiate --json``'s kind."""

    __slots__ = ("_doc",)

    def __init__(self, doc: dict[str, Any]) -> None:
        self._doc = doc

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self._doc))

    @property
    def agreement(self) -> Package | None:
        """The package agreed, or ``None``."""
        found = self._doc["agreement"]
        return dict(found) if found is not None else None

    @property
    def utilities(self) -> dict[str, float]:
        """Each party's utility of the agreement (its reservation value without one)."""
        return dict(zip(self._doc["parties"], self._doc["utilities"]))

    @property
    def rounds(self) -> int:
        return self._doc["rounds"]

    @property
    def trace(self) -> list[dict[str, Any]]:
        """Every action: ``round``, ``party``, ``action`` (offer, accept, end),
        ``package``, ``utilities``, ``time``."""
        return [dict(step) for step in self._doc["trace"]]

    @property
    def error(self) -> str | None:
        """What ended the session early, naming the negotiator, or ``None``."""
        return self._doc["error"]

    @property
    def model_quality(self) -> dict[str, dict[str, float | None] | None]:
        """Per party, how well its negotiator's opponent model learnt the others
        (``pearson``, ``mean_abs_error``, ``frontier_distance``), or ``None`` for a
        negotiator without a model."""
        found = self._doc.get("model_quality") or [None] * len(self._doc["parties"])
        return {
            party: dict(q) if q is not None else None
            for party, q in zip(self._doc["parties"], found)
        }

    def __repr__(self) -> str:
        ending = "agreement" if self._doc["agreement"] is not None else "no agreement"
        return f"<accord.Session {ending} after {_rounds(self.rounds)}>"

    def _repr_html_(self) -> str:
        parties = self._doc["parties"]
        esc = html.escape
        cells = "".join(f"<td>{u:.3f}</td>" for u in self._doc["utilities"])
        head = "".join(f"<th>{esc(p)}</th>" for p in parties)
        ending = "agreement" if self._doc["agreement"] is not None else "no agreement"
        note = f" ({esc(self.error)})" if self.error else ""
        table = (
            f"<p>{ending} after {_rounds(self.rounds)}{note}</p>"
            f"<table><tr>{head}</tr><tr>{cells}</tr></table>"
        )
        offers = [s["utilities"] for s in self._doc["trace"] if s["action"] == "offer"]
        return table + _scatter_svg(parties, offers, [])


def _analysis_html(analysis: Analysis) -> str:
    """A summary table and the frontier of the first two parties as an SVG plot."""
    top = analysis._head
    esc = html.escape
    parties = top["parties"]
    rows = []
    for name in _BARGAINING:
        found = analysis._solution(name)
        if found is not None:
            cells = "".join(f"<td>{u:.3f}</td>" for u in found.utilities)
            rows.append(f"<tr><th>{esc(name.replace('_', '-'))}</th>{cells}</tr>")
    head = "".join(f"<th>{esc(p)}</th>" for p in parties)
    bound = top.get("error_bound") or 0
    status = esc(top["status"]) + (f" (within {bound:.4f})" if bound else "")
    size = top.get("frontier_size")
    found = (
        f"{size} frontier vectors" if size is not None else esc(top.get("message") or "")
    )
    table = (
        f"<p><b>{esc(top['case'])}</b>: {status}, {found}</p>"
        f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"
    )
    return table + _frontier_svg(analysis)


def _frontier_svg(analysis: Analysis) -> str:
    vectors = analysis._result.frontier_utilities()
    marks = []
    for name in _BARGAINING:
        found = analysis._solution(name)
        if found is not None:
            marks.append((name, found.utilities))
    return _scatter_svg(analysis._head["parties"], vectors, marks)


def _scatter_svg(
    parties: Sequence[str],
    vectors: Sequence[Sequence[float]],
    marks: Sequence[tuple[str, Sequence[float]]],
) -> str:
    """Utility vectors of the first two parties as dots, ``marks`` as labelled squares."""
    if len(parties) < 2 or not vectors:
        return ""
    size, pad = 320, 36
    span = size - 2 * pad

    def at(u: Sequence[float]) -> tuple[float, float]:
        return pad + u[0] * span, size - pad - u[1] * span

    dots = "".join(
        '<circle cx="{:.1f}" cy="{:.1f}" r="2" fill="#4a6fa5"/>'.format(*at(u)) for u in vectors
    )
    squares = ""
    for (name, u), colour in zip(marks, ("#c0392b", "#8e44ad", "#27ae60", "#d68910")):
        x, y = at(u)
        squares += (
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">'
            f"<title>{html.escape(name)}</title></rect>"
        )
    x_name, y_name = (html.escape(p) for p in parties[:2])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'role="img" aria-label="utilities of {x_name} and {y_name}">'
        f'<rect x="{pad}" y="{pad}" width="{span}" height="{span}" fill="none" stroke="#999"/>'
        f"{dots}{squares}"
        f'<text x="{size / 2}" y="{size - 8}" text-anchor="middle" font-size="12">{x_name}</text>'
        f'<text x="12" y="{size / 2}" font-size="12" '
        f'transform="rotate(-90 12 {size / 2})" text-anchor="middle">{y_name}</text></svg>'
    )
