//! SAOP sessions with negotiators written in Python beside the built-in ones.
//!
//! A Python negotiator is any object with `propose(state) -> package` and
//! `respond(state, offer) -> bool`, and optionally `on_start(me)`. `me` is an [`OwnView`]:
//! its own utility, reservation value and best packages, and the public points; it holds
//! no other party's position, so none is reachable from Python. A negotiator that raises,
//! or proposes something that is not a package of the case, ends the session; the session
//! names the error.

use std::sync::{Arc, Mutex};

use accord_core::{
    Action, Case, ChaCha8Rng, Choice, Deadline, Me, Negotiator, NegotiatorSpec,
    NegotiatorSpecError, NoClock, Offer, OutcomeIndex, Package, Position, SaopOptions, State,
    TrueProfiles, run_saop, session_model_quality,
};
use accord_formats::analysis_json::{package_to_json, session_to_json};
use accord_formats::case_file::{CaseFormat, read_package};
use accord_formats::{ErrorKind, FormatError, Problem};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::{LoadedCase, error, input_error};

/// A package as a Python dict `{point id: option id or number}`, as in the JSON.
pub(crate) fn package_dict<'py>(
    py: Python<'py>,
    public: &Case,
    package: &Package,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (point, choice) in public.points().iter().zip(&package.0) {
        match choice {
            Choice::Option(_) => dict.set_item(&point.id, point.choice_label(choice))?,
            Choice::Integer(v) => dict.set_item(&point.id, *v)?,
            Choice::Real(v) => dict.set_item(&point.id, *v)?,
        }
    }
    Ok(dict)
}

/// A package from a Python mapping, checked against the points.
fn package_from(public: &Case, source: &str, value: &Bound<'_, PyAny>) -> Result<Package, String> {
    let py = value.py();
    let text: String = py
        .import("json")
        .and_then(|json| json.call_method1("dumps", (value,)))
        .and_then(|text| text.extract())
        .map_err(|e| {
            format!("{source}: not a package (a dict point id -> option id or number): {e}")
        })?;
    read_package(source, &text, CaseFormat::Json, public).map_err(|e| e.to_string())
}

/// A negotiator's own view (`me`): nothing of any other party's position.
#[pyclass(module = "accord._accord", frozen)]
pub(crate) struct OwnView {
    /// The points alone (a case without parties).
    public: Arc<Case>,
    position: Position,
    outcomes: OutcomeIndex,
    party: String,
    place: usize,
    n_parties: usize,
}

#[pymethods]
impl OwnView {
    /// Its utility of a package (a dict point id -> option id or number).
    fn utility(&self, package: &Bound<'_, PyAny>) -> PyResult<f64> {
        let package = package_from(&self.public, "package", package).map_err(error)?;
        Ok(self.position.utility(&package))
    }

    /// Its reservation value.
    #[getter]
    fn reservation_value(&self) -> f64 {
        self.position.reservation_value
    }

    /// Its `n` best packages with their utilities, best first (among a seeded sample of a
    /// very large case).
    fn ranked<'py>(&self, py: Python<'py>, n: usize) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        let len = self.outcomes.len();
        for rank in (len.saturating_sub(n)..len).rev() {
            let package = package_dict(py, &self.public, &self.outcomes.package(rank))?;
            list.append((package, self.outcomes.utility(rank)))?;
        }
        Ok(list)
    }

    /// The points, as in the case-file schema (JSON).
    fn points_json(&self) -> String {
        let text = accord_formats::case_file::write_case(&self.public, CaseFormat::Json);
        serde_json::from_str::<serde_json::Value>(&text)
            .map(|doc| doc["points"].to_string())
            .unwrap_or_default()
    }

    /// Its party's id.
    #[getter]
    fn party(&self) -> &str {
        &self.party
    }

    /// Its place in the order of play, from 0.
    #[getter]
    fn place(&self) -> usize {
        self.place
    }

    /// How many parties negotiate.
    #[getter]
    fn n_parties(&self) -> usize {
        self.n_parties
    }
}

/// A negotiator whose moves a Python object makes.
pub(crate) struct PythonNegotiator {
    name: String,
    object: Py<PyAny>,
    public: Arc<Case>,
    party: String,
    /// The ids of the parties, in order of play.
    ids: Arc<Vec<String>>,
    view: Option<Py<OwnView>>,
    /// Every offer so far, as Python sees them: `(party id, package)`, built once each.
    offers: Option<Py<PyList>>,
    /// The error that ended the session, shared with the caller.
    failure: Arc<Mutex<Option<String>>>,
}

impl PythonNegotiator {
    /// `object` playing as `name` for `party` (one of `ids`, the parties in order of
    /// play) over the points of `public`; what ends its session early goes to `failure`.
    pub(crate) fn new(
        name: String,
        object: Py<PyAny>,
        public: Arc<Case>,
        party: String,
        ids: Arc<Vec<String>>,
        failure: Arc<Mutex<Option<String>>>,
    ) -> Self {
        Self {
            name,
            object,
            public,
            party,
            ids,
            view: None,
            offers: None,
            failure,
        }
    }

    /// Whether its session is over for an error.
    fn failed(&self) -> bool {
        self.failure.lock().is_ok_and(|f| f.is_some())
    }

    fn fail(&self, message: String) -> Action {
        if let Ok(mut failure) = self.failure.lock()
            && failure.is_none()
        {
            *failure = Some(format!(
                "negotiator `{}` of party `{}`: {message}",
                self.name, self.party
            ));
        }
        Action::End
    }

    fn state<'py>(&self, py: Python<'py>, state: &State) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("round", state.round)?;
        dict.set_item("time", state.time)?;
        // A copy: the negotiator may keep or change its list.
        let offers = match &self.offers {
            Some(offers) => offers.bind(py).call_method0("copy")?,
            None => PyList::empty(py).into_any(),
        };
        dict.set_item("offers", offers)?;
        Ok(dict)
    }

    /// Records an offer (from any party) for the states to come.
    fn record(&mut self, by: usize, package: &Package) {
        let recorded = Python::attach(|py| -> PyResult<()> {
            let offers = self
                .offers
                .get_or_insert_with(|| PyList::empty(py).unbind())
                .clone_ref(py);
            let package = package_dict(py, &self.public, package)?;
            offers.bind(py).append((&self.ids[by], package))
        });
        if let Err(e) = recorded {
            let message = Python::attach(|py| format!("raised: {}", e.value(py)));
            self.fail(message);
        }
    }

    /// Its move: `Err` holds why the session ends.
    fn decide(
        &mut self,
        py: Python<'_>,
        state: &State,
        standing: Option<&Offer>,
    ) -> Result<Action, String> {
        let object = self.object.bind(py);
        let shown = |e: PyErr| {
            let kind = e
                .get_type(py)
                .name()
                .map_or_else(|_| "error".to_string(), |n| n.to_string());
            format!("raised {kind}: {}", e.value(py))
        };
        let state = self.state(py, state).map_err(shown)?;
        if let Some(offer) = standing {
            let package = package_dict(py, &self.public, &offer.package).map_err(shown)?;
            let answer = object
                .call_method1("respond", (&state, package))
                .map_err(shown)?;
            if answer.is_truthy().map_err(shown)? {
                return Ok(Action::Accept);
            }
        }
        let proposed = object.call_method1("propose", (&state,)).map_err(shown)?;
        let package = package_from(&self.public, "proposed package", &proposed)?;
        Ok(Action::Offer(package))
    }
}

impl Negotiator for PythonNegotiator {
    fn name(&self) -> &str {
        &self.name
    }

    fn start(&mut self, me: &Me<'_>) {
        if self.failed() {
            return;
        }
        let view = OwnView {
            public: Arc::clone(&self.public),
            position: me.position.clone(),
            outcomes: me.outcomes.clone(),
            party: self.party.clone(),
            place: me.place,
            n_parties: me.n_parties,
        };
        let started = Python::attach(|py| -> PyResult<()> {
            let view = Py::new(py, view)?;
            let object = self.object.bind(py);
            if object.hasattr("on_start")? {
                object.call_method1("on_start", (view.clone_ref(py),))?;
            }
            self.view = Some(view);
            Ok(())
        });
        if let Err(e) = started {
            let message = Python::attach(|py| format!("raised in on_start: {}", e.value(py)));
            self.fail(message);
        }
    }

    fn act(
        &mut self,
        me: &Me<'_>,
        state: &State,
        standing: Option<&Offer>,
        _rng: &mut ChaCha8Rng,
    ) -> Action {
        if self.failed() {
            return Action::End;
        }
        match Python::attach(|py| self.decide(py, state, standing)) {
            Ok(action) => {
                if let Action::Offer(package) = &action {
                    self.record(me.place, package);
                }
                action
            }
            Err(message) => self.fail(message),
        }
    }

    fn observe(&mut self, _me: &Me<'_>, by: usize, action: &Action) {
        if let Action::Offer(package) = action {
            self.record(by, package);
        }
    }
}

/// One SAOP session (`accord negotiate`): `negotiators` in order of play, each a built-in's
/// name or a Python object; as the JSON document of `accord negotiate --json`, with
/// `error`: what ended the session early, naming the negotiator, or null.
#[pyfunction]
#[pyo3(signature = (case, negotiators, rounds = 100, seed = 0))]
pub(crate) fn negotiate_json(
    py: Python<'_>,
    case: &LoadedCase,
    negotiators: Vec<Py<PyAny>>,
    rounds: u32,
    seed: u64,
) -> PyResult<String> {
    let (full, parties) = (&case.case, &case.parties);
    if parties.len() < 2 {
        return Err(error(format!(
            "{}: a negotiation needs at least two parties with a position",
            case.source.path
        )));
    }
    // A name that does not read is bad input, said before any other problem.
    for (k, object) in negotiators.iter().enumerate() {
        if let Ok(name) = object.bind(py).extract::<String>()
            && let Err(bad) = NegotiatorSpec::parse(&name)
        {
            let problem = Problem::at(
                "negotiate",
                None,
                format!("negotiators[{k}]"),
                if matches!(bad, NegotiatorSpecError::Unknown { .. }) {
                    ErrorKind::Unknown
                } else {
                    ErrorKind::Invalid
                },
                bad.to_string(),
            );
            return Err(input_error(
                py,
                &FormatError {
                    problems: vec![problem],
                },
            ));
        }
    }
    if negotiators.len() != parties.len() {
        let problem = Problem::at(
            "negotiate",
            None,
            "negotiators",
            ErrorKind::Invalid,
            format!(
                "{} negotiator(s) for {} parties: give one per party, in order of play \
                 (fewer are used in turn when those that play again are names or classes)",
                negotiators.len(),
                parties.len()
            ),
        );
        return Err(input_error(
            py,
            &FormatError {
                problems: vec![problem],
            },
        ));
    }
    if rounds == 0 {
        return Err(error("rounds: at least 1"));
    }
    let public = Arc::new(
        Case::new(full.name(), full.points().to_vec(), Vec::new())
            .map_err(|e| error(e.to_string()))?,
    );
    let failure = Arc::new(Mutex::new(None));
    let ids: Arc<Vec<String>> = Arc::new(
        parties
            .iter()
            .map(|&p| full.parties()[p.0].id.clone())
            .collect(),
    );
    let mut names = Vec::new();
    let mut line_up: Vec<Box<dyn Negotiator>> = Vec::new();
    for (object, &party) in negotiators.into_iter().zip(parties) {
        let party_id = full.parties()[party.0].id.clone();
        let bound = object.bind(py);
        if let Ok(name) = bound.extract::<String>() {
            // The whole case is at hand: the perfect model may read the true profiles.
            let found = NegotiatorSpec::parse(&name)
                .and_then(|spec| spec.build(TrueProfiles::new(full, parties).as_ref()))
                .map_err(|e| error(e.to_string()))?;
            names.push(name.trim().to_string());
            line_up.push(found);
            continue;
        }
        for method in ["propose", "respond"] {
            if !bound.hasattr(method)? {
                return Err(error(format!(
                    "the negotiator of party `{party_id}` has no `{method}` method\nhint: a negotiator is a built-in's name or an object with propose(state) and respond(state, offer)"
                )));
            }
        }
        // Its `name` attribute when it has one, else its class's name.
        let name = match bound.getattr("name").and_then(|n| n.extract::<String>()) {
            Ok(name) => name,
            Err(_) => bound.get_type().name()?.to_string(),
        };
        names.push(name.clone());
        line_up.push(Box::new(PythonNegotiator::new(
            name,
            object,
            Arc::clone(&public),
            party_id,
            Arc::clone(&ids),
            Arc::clone(&failure),
        )));
    }
    let indices: Vec<OutcomeIndex> = parties
        .iter()
        .map(|&p| {
            let position = full.position(p).expect("chosen parties hold a position");
            OutcomeIndex::new(full.points(), position, OutcomeIndex::DEFAULT_LIMIT, seed)
        })
        .collect();
    let outcomes: Vec<&OutcomeIndex> = indices.iter().collect();
    let options = SaopOptions {
        deadline: Deadline::rounds(rounds),
        seed,
        record: true,
    };
    let outcome = run_saop(full, parties, &mut line_up, &outcomes, &options, &NoClock);
    let models = session_model_quality(&line_up, full, parties, seed);
    let mut doc = session_to_json(
        full,
        parties,
        &names,
        &outcome,
        &models,
        (rounds, seed),
        &case.source.path,
    );
    doc["error"] = failure.lock().ok().and_then(|f| f.clone()).into();
    Ok(doc.to_string())
}

/// Single-text mediation (`accord mediate`) from `draft` (a JSON package; default: the
/// case's draft): as a JSON document with `start`, `text` (the final text), `changed`
/// (the points that differ), `utilities_before`, `utilities` (party id -> utility),
/// `adopted`, `steps` and `acceptable`.
#[pyfunction]
#[pyo3(signature = (case, steps = 1000, voters = "hill-climber", rule = "veto", temperature = 1.0, seed = 0, draft = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn mediate_json(
    py: Python<'_>,
    case: &LoadedCase,
    steps: u32,
    voters: &str,
    rule: &str,
    temperature: f64,
    seed: u64,
    draft: Option<&str>,
) -> PyResult<String> {
    if !(temperature.is_finite() && temperature >= 0.0) {
        return Err(error(format!(
            "temperature `{temperature}` must be a number >= 0"
        )));
    }
    let full = &case.case;
    let start = match draft {
        Some(text) => read_package("draft", text, CaseFormat::Json, full)
            .map_err(|e| crate::input_error(py, &e))?,
        None => full.draft().cloned().ok_or_else(|| {
            error(format!(
                "`{}` has no draft to start from\nhint: give one with draft=..., or a [draft] table in the case file",
                case.source.path
            ))
        })?,
    };
    let options = accord_core::MediationOptions {
        steps,
        voters: vec![match voters {
            "hill-climber" => accord_core::Voter::HillClimber,
            "annealer" => accord_core::Voter::Annealer {
                initial_temperature: temperature,
            },
            other => {
                return Err(error(format!(
                    "voters: `{other}`\nhint: hill-climber or annealer"
                )));
            }
        }],
        rule: match rule {
            "veto" => accord_core::MediatorRule::Veto,
            "annealing" => accord_core::MediatorRule::Annealing {
                initial_temperature: temperature,
            },
            other => return Err(error(format!("rule: `{other}`\nhint: veto or annealing"))),
        },
        seed,
        record: false,
    };
    let parties = &case.parties;
    let outcome = py.detach(|| accord_core::run_single_text(full, parties, &start, &options));
    let by_party = |utilities: &[f64]| -> serde_json::Map<String, serde_json::Value> {
        parties
            .iter()
            .zip(utilities)
            .map(|(&p, &u)| (full.parties()[p.0].id.clone(), u.into()))
            .collect()
    };
    let changed: Vec<&str> = full
        .points()
        .iter()
        .zip(start.0.iter().zip(&outcome.text.0))
        .filter(|(_, (from, to))| from != to)
        .map(|(point, _)| point.id.as_str())
        .collect();
    let doc = serde_json::json!({
        "start": package_to_json(full, &start),
        "text": package_to_json(full, &outcome.text),
        "changed": changed,
        "utilities_before": by_party(&full.utilities(parties, &start)),
        "utilities": by_party(&outcome.utilities),
        "adopted": outcome.adopted,
        "steps": outcome.steps,
        "acceptable": outcome.acceptable,
    });
    Ok(doc.to_string())
}
