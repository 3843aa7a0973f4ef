//! Tournaments from Python, whole or in chunks of sessions (for Dask).
//!
//! A [`TournamentPlan`] is read from a configuration (docs/tournament.md) with its domains
//! loaded, or from its portable form: one JSON document holding every domain as a case
//! file, so that a worker on another machine needs no file of the configuration. Any chunk
//! of sessions (a range of the canonical order) runs anywhere and gives the very rows that
//! `accord tournament` writes for those sessions.
//!
//! Negotiators written in Python play beside the built-in ones: each is a name and a
//! callable (a class) that makes a fresh negotiator object for every seat of every session
//! (a [`NegotiatorSource`]). A negotiator that raises ends its session, as in
//! `accord.negotiate`; the run goes on and reports the error.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use accord_core::{
    Case, Deadline, Negotiator, NegotiatorSource, NegotiatorSpec, TournamentDomain, TournamentSpec,
    jobs, n_jobs, run_tournament_range_with, validate_tournament_with,
};
use accord_formats::case_file::{CaseFormat, choose_parties, read_case, write_case};
use accord_formats::tournament::{
    DomainEntry, ResultRecord, read_config_with, read_jsonl, write_csv, write_jsonl,
};
use accord_formats::{ErrorKind, FormatError, Problem};
use pyo3::prelude::*;
use serde_json::{Value, json};

use crate::negotiate::PythonNegotiator;
use crate::{InputError, LoadFailure, LoadedCase, error, input_error};

/// A negotiator written in Python: its name and what makes one.
type PythonEntry = (String, Py<PyAny>);

/// Where a Python negotiator puts what ended its session early.
type FailureSlot = Arc<Mutex<Option<String>>>;

/// A tournament ready to run.
#[pyclass(module = "accord._accord", frozen)]
pub(crate) struct TournamentPlan {
    name: String,
    spec: TournamentSpec,
    /// The negotiators written in Python, each named in `spec.negotiators`.
    python: Vec<PythonEntry>,
}

/// `spec` with the Python negotiators' names added (those the configuration does not list
/// already), checked: no name of a built-in, none twice.
fn with_python(
    mut spec: TournamentSpec,
    python: &[PythonEntry],
    source: &str,
) -> PyResult<TournamentSpec> {
    for (k, (name, _)) in python.iter().enumerate() {
        if NegotiatorSpec::parse(name).is_ok() {
            return Err(error(format!(
                "{source}: the Python negotiator `{name}` has a built-in's name\nhint: give its class another `name`"
            )));
        }
        if python[..k].iter().any(|(other, _)| other == name) {
            return Err(error(format!(
                "{source}: two Python negotiators are named `{name}`\nhint: give each class its own `name`"
            )));
        }
        if !spec.negotiators.contains(name) {
            spec.negotiators.push(name.clone());
        }
    }
    let known = PythonSource::names(python);
    validate_tournament_with(&spec, &known).map_err(|e| error(format!("{source}: {e}")))?;
    Ok(spec)
}

/// A domain of a configuration (`source`, entry `k`) that does not load. Problems in the
/// domain's own files stay theirs; a party the entry asks for that the domain lacks, or a
/// path that does not read, is a problem of the configuration, at its line and field.
fn domain_error(
    py: Python<'_>,
    failure: LoadFailure,
    source: &str,
    k: usize,
    entry: &DomainEntry,
) -> PyErr {
    let err = match failure {
        LoadFailure::Input(err) if err.is_instance_of::<InputError>(py) => return err,
        LoadFailure::Input(err) => FormatError::single(Problem::at(
            source,
            Some(entry.path_at),
            format!("domains[{k}].path"),
            ErrorKind::Invalid,
            format!("`{}`: {}", entry.path, err.value(py)),
        )),
        LoadFailure::Parties(err) => entry.party_problems(source, k, err),
    };
    input_error(py, &err)
}

#[pymethods]
impl TournamentPlan {
    /// Reads a tournament configuration (TOML) and loads its domains (paths relative to its
    /// folder), as `accord tournament` does; `python` adds negotiators written in Python.
    #[staticmethod]
    #[pyo3(signature = (path, python = Vec::new()))]
    fn read(py: Python<'_>, path: PathBuf, python: Vec<PythonEntry>) -> PyResult<Self> {
        let shown = path.display().to_string();
        let bytes = fs_err::read(&path).map_err(|e| error(e.to_string()))?;
        let text =
            accord_formats::case_file::utf8_text(&shown, bytes).map_err(|e| input_error(py, &e))?;
        let folder = path.parent().unwrap_or(Path::new(""));
        Self::parse(py, &text, &shown, folder.to_path_buf(), python)
    }

    /// A configuration's TOML `text` (named `source` in messages), its domains' paths
    /// relative to `folder`.
    #[staticmethod]
    #[pyo3(signature = (text, source, folder, python = Vec::new()))]
    fn parse(
        py: Python<'_>,
        text: &str,
        source: &str,
        folder: PathBuf,
        python: Vec<PythonEntry>,
    ) -> PyResult<Self> {
        let shown = source;
        let names: Vec<String> = python.iter().map(|(name, _)| name.clone()).collect();
        let config = read_config_with(shown, text, &names).map_err(|e| input_error(py, &e))?;
        let mut domains = Vec::new();
        for (k, entry) in config.domains.iter().enumerate() {
            let loaded = LoadedCase::load(py, &folder.join(&entry.path), &entry.parties)
                .map_err(|failure| domain_error(py, failure, shown, k, entry))?;
            if loaded.parties.len() < 2 {
                let err = entry.too_few_parties(shown, k, loaded.parties.len());
                return Err(input_error(py, &err));
            }
            domains.push(TournamentDomain {
                // As written: the results do not depend on where the configuration lies.
                name: entry.path.clone(),
                case: Arc::unwrap_or_clone(loaded.case),
                parties: loaded.parties,
            });
        }
        let spec = TournamentSpec {
            domains,
            negotiators: config.negotiators.clone(),
            repetitions: config.repetitions,
            deadline: Deadline::rounds(config.rounds),
            seed: config.seed,
            model_checkpoints: config.model_checkpoints.clone(),
        };
        let spec = with_python(spec, &python, shown)?;
        Ok(Self {
            name: config.name,
            spec,
            python,
        })
    }

    /// The plan from its portable form ([`TournamentPlan::to_json`]), with the Python
    /// negotiators it names.
    #[staticmethod]
    #[pyo3(signature = (text, python = Vec::new()))]
    fn from_json(py: Python<'_>, text: &str, python: Vec<PythonEntry>) -> PyResult<Self> {
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| error(format!("a tournament plan: not JSON: {e}")))?;
        let field = |key: &str| {
            doc.get(key)
                .ok_or_else(|| error(format!("a tournament plan: no `{key}`")))
        };
        let number = |key: &str| {
            field(key)?
                .as_u64()
                .ok_or_else(|| error(format!("a tournament plan: `{key}` is not a count")))
        };
        let strings = |value: &Value, key: &str| -> PyResult<Vec<String>> {
            value
                .as_array()
                .and_then(|a| a.iter().map(|s| s.as_str().map(str::to_owned)).collect())
                .ok_or_else(|| {
                    error(format!(
                        "a tournament plan: `{key}` is not a list of strings"
                    ))
                })
        };
        let mut domains = Vec::new();
        for (k, domain) in field("domains")?
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = domain["name"].as_str().unwrap_or_default().to_owned();
            let source = format!("domains[{k}] `{name}`");
            let case_text = domain["case"].to_string();
            let case = read_case(&source, &case_text, CaseFormat::Json)
                .map_err(|e| input_error(py, &e))?;
            let asked = strings(&domain["parties"], "parties")?;
            let parties = choose_parties(&case, &asked)
                .map_err(|e| input_error(py, &e.problem(&source, &asked)))?;
            domains.push(TournamentDomain {
                name,
                case,
                parties,
            });
        }
        let rounds = u32::try_from(number("rounds")?).map_err(|e| error(e.to_string()))?;
        // Absent from a plan that measures models at the end only.
        let model_checkpoints = match doc.get("model_checkpoints") {
            None => Vec::new(),
            Some(value) => value
                .as_array()
                .and_then(|a| a.iter().map(Value::as_f64).collect())
                .ok_or_else(|| {
                    error("a tournament plan: `model_checkpoints` is not a list of numbers")
                })?,
        };
        let spec = TournamentSpec {
            domains,
            negotiators: strings(field("negotiators")?, "negotiators")?,
            repetitions: u32::try_from(number("repetitions")?).map_err(|e| error(e.to_string()))?,
            deadline: Deadline::rounds(rounds),
            seed: number("seed")?,
            model_checkpoints,
        };
        let spec = with_python(spec, &python, "a tournament plan")?;
        Ok(Self {
            name: field("name")?.as_str().unwrap_or_default().to_owned(),
            spec,
            python,
        })
    }

    /// The portable form: every domain as a case file, with its parties' ids.
    fn to_json(&self) -> String {
        let spec = &self.spec;
        let domains: Vec<Value> = spec
            .domains
            .iter()
            .map(|d| {
                let case: Value = serde_json::from_str(&write_case(&d.case, CaseFormat::Json))
                    .unwrap_or(Value::Null);
                let parties: Vec<&str> = d
                    .parties
                    .iter()
                    .map(|p| d.case.parties()[p.0].id.as_str())
                    .collect();
                json!({"name": d.name, "case": case, "parties": parties})
            })
            .collect();
        json!({
            "name": self.name,
            "seed": spec.seed,
            "repetitions": spec.repetitions,
            "rounds": spec.deadline.rounds,
            "negotiators": spec.negotiators,
            "model_checkpoints": spec.model_checkpoints,
            "domains": domains,
        })
        .to_string()
    }

    /// The tournament's name.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// How many sessions the tournament has.
    #[getter]
    fn n_sessions(&self) -> u64 {
        n_jobs(&self.spec).unwrap_or(0)
    }

    /// The names of its negotiators written in Python.
    #[getter]
    fn python_negotiators(&self) -> Vec<String> {
        self.python.iter().map(|(name, _)| name.clone()).collect()
    }

    /// Runs the sessions `start..stop` of the canonical order: their rows as JSON Lines,
    /// exactly as `accord tournament` writes them, and what ended sessions early (a
    /// Python negotiator that raised), one message each, naming the session.
    fn run_jsonl(&self, py: Python<'_>, start: u64, stop: u64) -> PyResult<(String, Vec<String>)> {
        let spec = &self.spec;
        let source = PythonSource::new(&self.python, spec);
        let rows = py.detach(|| -> Result<String, String> {
            let results = run_tournament_range_with(spec, start..stop, &source, &|| {})
                .map_err(|e| e.to_string())?;
            let selected = jobs(spec)
                .into_iter()
                .filter(|job| (start..stop).contains(&job.index));
            let records: Vec<ResultRecord> = selected
                .zip(&results)
                .map(|(job, result)| ResultRecord::new(&spec.domains[job.domain].case, result))
                .collect();
            Ok(write_jsonl(&records))
        });
        Ok((rows.map_err(error)?, source.failures()))
    }
}

/// The negotiators written in Python, for a tournament run.
struct PythonSource<'a> {
    python: &'a [PythonEntry],
    /// Each domain's points alone (a case without parties): all a negotiator may see of it
    /// besides its own position.
    publics: Vec<Arc<Case>>,
    /// Each domain's party ids, in order of play.
    ids: Vec<Arc<Vec<String>>>,
    /// Each domain's name in the results.
    domains: Vec<String>,
    /// The failure slot of every Python negotiator made, with its domain's name.
    made: Mutex<Vec<(String, FailureSlot)>>,
}

impl<'a> PythonSource<'a> {
    /// A source that only knows the names (to validate a plan).
    fn names(python: &'a [PythonEntry]) -> Self {
        Self {
            python,
            publics: Vec::new(),
            ids: Vec::new(),
            domains: Vec::new(),
            made: Mutex::new(Vec::new()),
        }
    }

    fn new(python: &'a [PythonEntry], spec: &TournamentSpec) -> Self {
        let mut source = Self::names(python);
        if python.is_empty() {
            return source;
        }
        for domain in &spec.domains {
            let case = &domain.case;
            let public = Case::new(case.name(), case.points().to_vec(), Vec::new())
                .expect("the points of a valid case make a valid case");
            source.publics.push(Arc::new(public));
            let ids = domain
                .parties
                .iter()
                .map(|p| case.parties()[p.0].id.clone())
                .collect();
            source.ids.push(Arc::new(ids));
            source.domains.push(domain.name.clone());
        }
        source
    }

    /// What ended sessions early, sorted (sessions run in parallel).
    fn failures(&self) -> Vec<String> {
        let made = self.made.lock().map(|m| m.clone()).unwrap_or_default();
        let mut failures: Vec<String> = made
            .iter()
            .filter_map(|(domain, slot)| {
                let failure = slot.lock().ok()?.clone()?;
                Some(format!("{domain}: {failure}"))
            })
            .collect();
        failures.sort();
        failures
    }
}

impl NegotiatorSource for PythonSource<'_> {
    fn knows(&self, name: &str) -> bool {
        self.python.iter().any(|(n, _)| n == name)
    }

    fn make(&self, name: &str, domain: usize, seat: usize) -> Box<dyn Negotiator> {
        let failure = Arc::new(Mutex::new(None));
        let ids = Arc::clone(&self.ids[domain]);
        let party = ids[seat].clone();
        let object = Python::attach(|py| {
            let maker = self
                .python
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, maker)| maker.bind(py))
                .expect("asked only for names it knows");
            let made = maker.call0().and_then(|object| {
                for method in ["propose", "respond"] {
                    if !object.hasattr(method)? {
                        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                            "it has no `{method}` method"
                        )));
                    }
                }
                Ok(object)
            });
            match made {
                Ok(object) => object.unbind(),
                Err(e) => {
                    if let Ok(mut slot) = failure.lock() {
                        *slot = Some(format!(
                            "negotiator `{name}` of party `{party}`: could not be made: {}",
                            e.value(py)
                        ));
                    }
                    maker.clone().unbind()
                }
            }
        });
        if let Ok(mut made) = self.made.lock() {
            made.push((self.domains[domain].clone(), Arc::clone(&failure)));
        }
        Box::new(PythonNegotiator::new(
            name.to_string(),
            object,
            Arc::clone(&self.publics[domain]),
            party,
            ids,
            failure,
        ))
    }
}

/// Writes `results.jsonl` and `results.csv` of JSON Lines rows into `folder`.
#[pyfunction]
pub(crate) fn write_results(py: Python<'_>, folder: PathBuf, jsonl: &str) -> PyResult<()> {
    let records = read_jsonl("rows", jsonl).map_err(|e| input_error(py, &e))?;
    let io = |e: std::io::Error| error(e.to_string());
    fs_err::create_dir_all(&folder).map_err(io)?;
    fs_err::write(folder.join("results.jsonl"), write_jsonl(&records)).map_err(io)?;
    fs_err::write(folder.join("results.csv"), write_csv(&records)).map_err(io)?;
    Ok(())
}
