//! `accord._accord`: the engine under the `accord` Python package (`python/accord`).
//!
//! A case crosses into Python as a [`LoadedCase`]; analyses, evaluations and case files
//! cross as the very JSON documents the CLI prints (`accord analyze --json`,
//! docs/analysis-json.md), which the Python layer wraps in classes. Bad input raises
//! `InputError` (an `AccordError`) whose `problems` name the file, the line and column or
//! path, and the field, as the CLI's messages do. Long analyses release the GIL.
// PyO3 hands arguments over as owned values.
#![allow(clippy::needless_pass_by_value)]

mod analysis;
mod negotiate;
mod tournament;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use accord_core::{
    AnalysisOptions, Case, EnumerationLimit, Insight, InsightOptions, PartyIdx, SolveLimit,
    analyze_with, insight,
};
use accord_formats::analysis_json::{Source, analysis_to_json};
use accord_formats::case_file::{CaseFormat, choose_parties, read_case, read_package, write_case};
use accord_formats::export::{ExportOptions, export_folder};
use accord_formats::folder::{DomainFormat, FolderFile, read_domain_folder};
use accord_formats::{ErrorKind, FormatError};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

create_exception!(
    _accord,
    AccordError,
    PyException,
    "An error of accord: its message says what went wrong and where."
);
create_exception!(
    _accord,
    InputError,
    AccordError,
    "Bad input: `problems` lists every problem found, each a dict with `source`, `line`, \
     `column`, `field`, `kind` and `message`."
);

/// An `AccordError` with `message`.
fn error(message: impl Into<String>) -> PyErr {
    AccordError::new_err(message.into())
}

/// The source of a document the Python layer wrote from a dict (a case or a tournament
/// configuration): a line and column in that text would point at nothing the user wrote,
/// so its problems name the field alone.
const DICT_SOURCE: &str = "<dict>";

/// An `InputError` carrying every problem of `err`.
fn input_error(py: Python<'_>, err: &FormatError) -> PyErr {
    let mut err = err.clone();
    for problem in &mut err.problems {
        if problem.source == DICT_SOURCE {
            problem.line_col = None;
        }
    }
    let raised = InputError::new_err(err.to_string());
    let problems = PyList::empty(py);
    for problem in &err.problems {
        let item = PyDict::new(py);
        let (line, column) = problem.line_col.unzip();
        let filled = item
            .set_item("source", &problem.source)
            .and_then(|()| item.set_item("line", line))
            .and_then(|()| item.set_item("column", column))
            .and_then(|()| item.set_item("field", &problem.field))
            .and_then(|()| item.set_item("kind", kind_name(problem.kind)))
            .and_then(|()| item.set_item("message", &problem.message))
            .and_then(|()| problems.append(item));
        if let Err(failed) = filled {
            return failed;
        }
    }
    match raised.value(py).setattr("problems", problems) {
        Ok(()) => raised,
        Err(failed) => failed,
    }
}

/// The name of a kind of problem, as Python sees it.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Syntax => "syntax",
        ErrorKind::Missing => "missing",
        ErrorKind::WrongType => "wrong-type",
        ErrorKind::Invalid => "invalid",
        ErrorKind::Unknown => "unknown",
        ErrorKind::Duplicate => "duplicate",
        ErrorKind::Unsupported => "unsupported",
        _ => "other",
    }
}

/// A case read from a file, a folder or a document, with the parties to analyse.
#[pyclass(module = "accord._accord", frozen)]
struct LoadedCase {
    case: Arc<Case>,
    parties: Vec<PartyIdx>,
    source: Source,
}

/// A file's name and contents.
type NamedBytes = (String, Vec<u8>);

/// The format named `format` (`json` or `toml`).
fn case_format(format: &str) -> PyResult<CaseFormat> {
    match format {
        "json" => Ok(CaseFormat::Json),
        "toml" => Ok(CaseFormat::Toml),
        other => Err(error(format!(
            "`{other}` is not a case-file format\nhint: the formats are json and toml"
        ))),
    }
}

#[pymethods]
impl LoadedCase {
    /// Reads a case file (.toml, .json) or a GENIUS or GeniusWeb domain folder; `parties`
    /// picks the parties to analyse (party ids of a case file, profile file names of a
    /// folder; empty: every party with a position, or a folder's first three profiles).
    #[staticmethod]
    fn read(py: Python<'_>, path: PathBuf, parties: Vec<String>) -> PyResult<Self> {
        Self::load(py, &path, &parties).map_err(|failure| failure.into_err(py))
    }

    /// Reads a case-file document (`format` `json` or `toml`) named `source` in messages.
    #[staticmethod]
    fn parse(
        py: Python<'_>,
        text: &str,
        source: &str,
        format: &str,
        parties: Vec<String>,
    ) -> PyResult<Self> {
        Self::from_text(py, text, source, case_format(format)?, &parties)
            .map_err(|failure| failure.into_err(py))
    }

    /// The case as a case-file document (`json` or `toml`).
    fn write(&self, format: &str) -> PyResult<String> {
        Ok(write_case(&self.case, case_format(format)?))
    }

    /// The analysed parties as a domain folder of `format` (`genius` or `geniusweb`): the
    /// files (name, bytes), domain first, and the notes on what was written differently.
    fn export(
        &self,
        py: Python<'_>,
        format: &str,
        allow_loss: bool,
    ) -> PyResult<(Vec<NamedBytes>, Vec<String>)> {
        let format = match format {
            "genius" => DomainFormat::GeniusXml,
            "geniusweb" => DomainFormat::GeniusWebJson,
            other => {
                return Err(error(format!(
                    "`{other}` is not a folder format\nhint: the formats are genius and geniusweb"
                )));
            }
        };
        let written = export_folder(
            &self.case,
            &self.parties,
            format,
            ExportOptions { allow_loss },
        )
        .map_err(|e| input_error(py, &e))?;
        let files = written
            .files
            .into_iter()
            .map(|f| (f.name, f.bytes))
            .collect();
        Ok((files, written.notes))
    }

    /// The same case with other parties analysed (ids of its parties, in order; empty:
    /// every party with a position).
    fn select(&self, py: Python<'_>, parties: Vec<String>) -> PyResult<Self> {
        let chosen = choose_parties(&self.case, &parties)
            .map_err(|e| input_error(py, &e.problem(&self.source.path, &parties)))?;
        Ok(Self {
            case: self.case.clone(),
            parties: chosen,
            source: self.source.clone(),
        })
    }

    /// Where the case came from.
    #[getter]
    fn source(&self) -> &str {
        &self.source.path
    }

    /// `case-file`, `genius-xml` or `geniusweb-json`.
    #[getter]
    fn format(&self) -> &str {
        &self.source.format
    }

    /// Warnings from reading the input.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.source.warnings.clone()
    }

    /// The ids of the parties analysed, in order.
    #[getter]
    fn analysed(&self) -> Vec<String> {
        self.parties
            .iter()
            .map(|&p| self.case.parties()[p.0].id.clone())
            .collect()
    }

    /// The analysis as the JSON document of `accord analyze --json` with the same
    /// settings; with `full` false, only its frontier and bargaining packages (the
    /// insight's parts empty), which is what most calls need and much faster.
    #[pyo3(signature = (epsilon = None, max_packages = None, exact = false, search_nodes = None, full = true))]
    fn analysis_json(
        &self,
        py: Python<'_>,
        epsilon: Option<f64>,
        max_packages: Option<u128>,
        exact: bool,
        search_nodes: Option<u64>,
        full: bool,
    ) -> PyResult<String> {
        let options = options(epsilon, max_packages, exact, search_nodes)?;
        let text = py.detach(|| {
            let found = if full {
                insight(&self.case, &self.parties, &options)
            } else {
                Insight {
                    analysis: analyze_with(&self.case, &self.parties, &options.analysis),
                    consensus: Vec::new(),
                    diagnosis: None,
                    relaxed: None,
                    draft: None,
                    sensitivity: None,
                    fairness: Vec::new(),
                }
            };
            analysis_to_json(&self.case, &found, &self.source).to_string()
        });
        Ok(text)
    }

    /// The frontier and bargaining packages, as `accord analyze` finds them with these
    /// settings, held in Rust and read piece by piece ([`analysis::AnalysisResult`]).
    #[pyo3(signature = (epsilon = None, max_packages = None, exact = false, search_nodes = None))]
    fn analysis(
        &self,
        py: Python<'_>,
        epsilon: Option<f64>,
        max_packages: Option<u128>,
        exact: bool,
        search_nodes: Option<u64>,
    ) -> PyResult<analysis::AnalysisResult> {
        let options = options(epsilon, max_packages, exact, search_nodes)?;
        let found = py.detach(|| analyze_with(&self.case, &self.parties, &options.analysis));
        Ok(analysis::AnalysisResult::new(Arc::clone(&self.case), found))
    }

    /// Each analysed party's utility of a package given as a JSON object
    /// `{point id: option id or number}`, as a JSON object `{party id: utility}`.
    fn evaluate_json(&self, py: Python<'_>, package: &str) -> PyResult<String> {
        let package = read_package("package", package, CaseFormat::Json, &self.case)
            .map_err(|e| input_error(py, &e))?;
        let utilities = self.case.utilities(&self.parties, &package);
        let map: serde_json::Map<String, serde_json::Value> = self
            .parties
            .iter()
            .zip(utilities)
            .map(|(&p, u)| (self.case.parties()[p.0].id.clone(), u.into()))
            .collect();
        Ok(serde_json::Value::Object(map).to_string())
    }

    /// Writes the report (`accord report`): HTML, or Markdown for a `.md` path with its
    /// plots beside it as `STEM-NAME.svg`.
    #[pyo3(signature = (path, epsilon = None, exact = false))]
    fn write_report(
        &self,
        py: Python<'_>,
        path: PathBuf,
        epsilon: Option<f64>,
        exact: bool,
    ) -> PyResult<()> {
        let options = options(epsilon, None, exact, None)?;
        let written = py.detach(|| {
            let found = insight(&self.case, &self.parties, &options);
            let view = accord_report::View {
                case: &self.case,
                insight: &found,
                source: &self.source.path,
            };
            let markdown = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"));
            if !markdown {
                return fs_err::write(&path, accord_report::html(&view));
            }
            let stem = path.file_stem().map_or_else(
                || "report".to_string(),
                |s| s.to_string_lossy().into_owned(),
            );
            let md = accord_report::markdown(&view, &format!("{stem}-"));
            let dir = path.parent().unwrap_or(Path::new(""));
            for plot in &md.plots {
                fs_err::write(dir.join(format!("{stem}-{}", plot.file_name)), &plot.svg)?;
            }
            fs_err::write(&path, md.text)
        });
        written.map_err(|e| error(e.to_string()))
    }
}

/// Why a case did not load.
enum LoadFailure {
    /// The file or folder does not read, or its text has problems (each with its place).
    Input(PyErr),
    /// The parties asked for do not fit the case: problems of whoever asked for them,
    /// fields `parties[k]` (or `parties`).
    Parties(FormatError),
}

impl LoadFailure {
    fn into_err(self, py: Python<'_>) -> PyErr {
        match self {
            Self::Input(err) => err,
            Self::Parties(err) => input_error(py, &err),
        }
    }
}

impl LoadedCase {
    /// Reads a case file or a domain folder ([`LoadedCase::read`]).
    fn load(py: Python<'_>, path: &Path, parties: &[String]) -> Result<Self, LoadFailure> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return read_folder(py, path, &shown, parties);
        }
        let Some(format) = CaseFormat::from_extension(&shown) else {
            return Err(LoadFailure::Input(error(format!(
                "`{shown}` is neither a case file (.toml, .json) nor a folder\nhint: for a \
                 GENIUS or GeniusWeb domain, give the folder that holds the domain and its \
                 profiles"
            ))));
        };
        let bytes = fs_err::read(path).map_err(|e| LoadFailure::Input(error(e.to_string())))?;
        let text = accord_formats::case_file::utf8_text(&shown, bytes)
            .map_err(|e| LoadFailure::Input(input_error(py, &e)))?;
        Self::from_text(py, &text, &shown, format, parties)
    }

    fn from_text(
        py: Python<'_>,
        text: &str,
        source: &str,
        format: CaseFormat,
        parties: &[String],
    ) -> Result<Self, LoadFailure> {
        let case =
            read_case(source, text, format).map_err(|e| LoadFailure::Input(input_error(py, &e)))?;
        let parties = choose_parties(&case, parties)
            .map_err(|e| LoadFailure::Parties(e.problem(source, parties)))?;
        Ok(Self {
            case: Arc::new(case),
            parties,
            source: Source {
                format: "case-file".to_string(),
                path: source.to_string(),
                warnings: Vec::new(),
            },
        })
    }
}

/// Reads a GENIUS or GeniusWeb domain folder.
fn read_folder(
    py: Python<'_>,
    path: &Path,
    shown: &str,
    parties: &[String],
) -> Result<LoadedCase, LoadFailure> {
    let io = |e: std::io::Error| LoadFailure::Input(error(e.to_string()));
    let mut files = Vec::new();
    for entry in fs_err::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.file_type().map_err(io)?.is_file() {
            files.push(FolderFile {
                name: entry.file_name().to_string_lossy().into_owned(),
                bytes: fs_err::read(entry.path()).map_err(io)?,
            });
        }
    }
    let name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| shown.to_string());
    let folder =
        read_domain_folder(&name, files).map_err(|e| LoadFailure::Input(input_error(py, &e)))?;
    let (case, warnings) = folder.chosen_case(parties).map_err(|mut e| {
        for problem in &mut e.problems {
            if problem.field.is_empty() {
                problem.field = "parties".to_string();
            }
        }
        LoadFailure::Parties(e)
    })?;
    let parties = (0..case.parties().len()).map(PartyIdx).collect();
    Ok(LoadedCase {
        case: Arc::new(case),
        parties,
        source: Source {
            format: folder.format.as_str().to_string(),
            path: shown.to_string(),
            warnings,
        },
    })
}

/// The CLI's analysis options for the same settings.
fn options(
    epsilon: Option<f64>,
    max_packages: Option<u128>,
    exact: bool,
    search_nodes: Option<u64>,
) -> PyResult<InsightOptions> {
    if let Some(e) = epsilon
        && !(1e-6..=f64::MAX).contains(&e)
    {
        return Err(error(format!(
            "epsilon: `{e}` is not a positive number of at least 1e-6"
        )));
    }
    if exact && epsilon.is_some() {
        return Err(error("epsilon and exact cannot be asked for together"));
    }
    let options = AnalysisOptions {
        enumeration: max_packages.map_or_else(EnumerationLimit::default, EnumerationLimit),
        epsilon,
        solve: match search_nodes {
            Some(0) => None,
            Some(max_nodes) => Some(SolveLimit {
                max_nodes,
                ..SolveLimit::default()
            }),
            None => Some(SolveLimit::default()),
        },
        ..AnalysisOptions::default()
    };
    Ok(InsightOptions {
        analysis: if exact { options.exact() } else { options },
        ..InsightOptions::default()
    })
}

/// The extension module.
#[pymodule]
fn _accord(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add_class::<LoadedCase>()?;
    module.add_class::<analysis::AnalysisResult>()?;
    module.add_class::<negotiate::OwnView>()?;
    module.add_function(wrap_pyfunction!(negotiate::negotiate_json, module)?)?;
    module.add_function(wrap_pyfunction!(negotiate::mediate_json, module)?)?;
    module.add_class::<tournament::TournamentPlan>()?;
    module.add_function(wrap_pyfunction!(tournament::write_results, module)?)?;
    module.add("AccordError", py.get_type::<AccordError>())?;
    module.add("InputError", py.get_type::<InputError>())?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add("NEGOTIATORS", accord_core::NEGOTIATORS.to_vec())?;
    module.add(
        "OFFERING_STRATEGIES",
        accord_core::OFFERING_STRATEGIES.to_vec(),
    )?;
    module.add(
        "ACCEPTANCE_CONDITIONS",
        accord_core::ACCEPTANCE_CONDITIONS.to_vec(),
    )?;
    module.add("OPPONENT_MODELS", accord_core::OPPONENT_MODELS.to_vec())?;
    Ok(())
}
