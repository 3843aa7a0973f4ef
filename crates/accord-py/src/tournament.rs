//! Tournaments from Python, whole or in chunks of sessions (for Dask).
//!
//! A [`TournamentPlan`] is read from a configuration (docs/tournament.md) with its domains
//! loaded, or from its portable form: one JSON document holding every domain as a case
//! file, so that a worker on another machine needs no file of the configuration. Any chunk
//! of sessions (a range of the canonical order) runs anywhere and gives the very rows that
//! `accord tournament` writes for those sessions.

use std::path::{Path, PathBuf};

use accord_core::{
    Deadline, TournamentDomain, TournamentSpec, jobs, n_jobs, run_tournament_range,
    validate_tournament,
};
use accord_formats::case_file::{CaseFormat, choose_parties, read_case, write_case};
use accord_formats::tournament::{ResultRecord, read_config, read_jsonl, write_csv, write_jsonl};
use pyo3::prelude::*;
use serde_json::{Value, json};

use crate::{LoadedCase, error, input_error};

/// A tournament ready to run.
#[pyclass(module = "accord._accord", frozen)]
pub(crate) struct TournamentPlan {
    name: String,
    spec: TournamentSpec,
}

#[pymethods]
impl TournamentPlan {
    /// Reads a tournament configuration (TOML) and loads its domains (paths relative to its
    /// folder), as `accord tournament` does.
    #[staticmethod]
    fn read(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let shown = path.display().to_string();
        let text = fs_err::read_to_string(&path).map_err(|e| error(e.to_string()))?;
        let config = read_config(&shown, &text).map_err(|e| input_error(py, &e))?;
        let folder = path.parent().unwrap_or(Path::new(""));
        let mut domains = Vec::new();
        for entry in &config.domains {
            let loaded = LoadedCase::read(py, folder.join(&entry.path), entry.parties.clone())
                .map_err(|e| error(format!("{}: {}", entry.location, e.value(py))))?;
            domains.push(TournamentDomain {
                // As written: the results do not depend on where the configuration lies.
                name: entry.path.clone(),
                case: loaded.case,
                parties: loaded.parties,
            });
        }
        let spec = TournamentSpec {
            domains,
            negotiators: config.negotiators.clone(),
            repetitions: config.repetitions,
            deadline: Deadline::rounds(config.rounds),
            seed: config.seed,
        };
        validate_tournament(&spec).map_err(|e| error(format!("{shown}: {e}")))?;
        Ok(Self {
            name: config.name,
            spec,
        })
    }

    /// The plan from its portable form ([`TournamentPlan::to_json`]).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
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
            let parties = choose_parties(&case, &strings(&domain["parties"], "parties")?)
                .map_err(|e| error(format!("{source}: {e}")))?;
            domains.push(TournamentDomain {
                name,
                case,
                parties,
            });
        }
        let rounds = u32::try_from(number("rounds")?).map_err(|e| error(e.to_string()))?;
        let spec = TournamentSpec {
            domains,
            negotiators: strings(field("negotiators")?, "negotiators")?,
            repetitions: u32::try_from(number("repetitions")?).map_err(|e| error(e.to_string()))?,
            deadline: Deadline::rounds(rounds),
            seed: number("seed")?,
        };
        validate_tournament(&spec).map_err(|e| error(format!("a tournament plan: {e}")))?;
        Ok(Self {
            name: field("name")?.as_str().unwrap_or_default().to_owned(),
            spec,
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

    /// Runs the sessions `start..stop` of the canonical order; their rows as JSON Lines,
    /// exactly as `accord tournament` writes them.
    fn run_jsonl(&self, py: Python<'_>, start: u64, stop: u64) -> PyResult<String> {
        let spec = &self.spec;
        let rows = py.detach(|| -> Result<String, String> {
            let results =
                run_tournament_range(spec, start..stop, &|| {}).map_err(|e| e.to_string())?;
            let selected = jobs(spec)
                .into_iter()
                .filter(|job| (start..stop).contains(&job.index));
            let records: Vec<ResultRecord> = selected
                .zip(&results)
                .map(|(job, result)| ResultRecord::new(&spec.domains[job.domain].case, result))
                .collect();
            Ok(write_jsonl(&records))
        });
        rows.map_err(error)
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
