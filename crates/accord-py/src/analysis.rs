//! An analysis held in Rust and read from Python piece by piece: `case.analyze()` returns
//! at once, and the frontier and bargaining packages become Python objects only when read,
//! without the JSON document in between (that is `to_dict()`, computed when asked).
//! Every value equals the document's (`accord analyze --json`, docs/analysis-json.md).

use std::sync::Arc;

use accord_core::{
    Analysis, BargainingPoint, Case, Choice, FrontierMethod, NotEnumerable, Package,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

/// The Python strings of a case's point ids and option labels, made once for the many
/// packages of a frontier.
struct Names<'py> {
    points: Vec<Bound<'py, PyString>>,
    options: Vec<Vec<Bound<'py, PyString>>>,
}

impl<'py> Names<'py> {
    fn new(py: Python<'py>, case: &Case) -> Self {
        Self {
            points: case
                .points()
                .iter()
                .map(|p| PyString::new(py, &p.id))
                .collect(),
            options: case
                .points()
                .iter()
                .map(|p| {
                    p.options()
                        .iter()
                        .map(|o| PyString::new(py, &o.id))
                        .collect()
                })
                .collect(),
        }
    }

    /// A package as a dict `{point id: option id or number}`, as in the JSON.
    fn package(&self, py: Python<'py>, package: &Package) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (k, choice) in package.0.iter().enumerate() {
            let key = &self.points[k];
            match *choice {
                Choice::Option(o) => dict.set_item(key, &self.options[k][o.0])?,
                Choice::Integer(v) => dict.set_item(key, v)?,
                Choice::Real(v) => dict.set_item(key, v)?,
            }
        }
        Ok(dict)
    }
}

/// A bargaining package as Python sees it: package, utilities, objective.
type Solution<'py> = (Bound<'py, PyDict>, Bound<'py, PyTuple>, f64);

/// The frontier and bargaining packages of one analysis.
#[pyclass(module = "accord._accord", frozen)]
pub(crate) struct AnalysisResult {
    case: Arc<Case>,
    analysis: Analysis,
}

impl AnalysisResult {
    pub(crate) fn new(case: Arc<Case>, analysis: Analysis) -> Self {
        Self { case, analysis }
    }
}

/// The bargaining package of a name, with the key of its objective in the document.
fn solution<'a>(analysis: &'a Analysis, name: &str) -> Option<&'a BargainingPoint> {
    let b = analysis.bargaining()?;
    match name {
        "nash" => b.nash.as_ref(),
        "kalai_smorodinsky" => b.kalai_smorodinsky.as_ref(),
        "egalitarian" => b.egalitarian.as_ref(),
        "utilitarian" => b.utilitarian.as_ref(),
        _ => None,
    }
}

#[pymethods]
impl AnalysisResult {
    /// The document's scalar fields: `case`, `parties`, `status`, `error_bound`,
    /// `method` and `frontier_size`.
    fn header<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let case = &self.case;
        let analysis = &self.analysis;
        let head = PyDict::new(py);
        head.set_item("case", case.name())?;
        let parties: Vec<&str> = analysis
            .parties
            .iter()
            .map(|p| case.parties()[p.0].id.as_str())
            .collect();
        head.set_item("parties", parties)?;
        match &analysis.result {
            Ok(exact) => {
                let bound = exact.scan.error_bound;
                let status = if bound > 0.0 { "approximate" } else { "exact" };
                head.set_item("status", status)?;
                head.set_item("error_bound", bound)?;
                let method = match exact.method {
                    FrontierMethod::Enumeration => "enumeration",
                    FrontierMethod::Merge => "merge",
                    FrontierMethod::Search => "search",
                };
                head.set_item("method", method)?;
                head.set_item("frontier_size", exact.scan.frontier.len())?;
            }
            Err(reason) => {
                let status = match reason {
                    NotEnumerable::TooLarge { .. } => "too-large",
                    NotEnumerable::RealPoint { .. } => "not-enumerable",
                };
                head.set_item("status", status)?;
                head.set_item("message", reason.to_string())?;
            }
        }
        Ok(head)
    }

    /// The frontier: `(package, utilities, n_packages)` per vector (`n_packages` `None`
    /// for a traced frontier); `None` when there is no frontier.
    fn frontier<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let Ok(exact) = &self.analysis.result else {
            return Ok(None);
        };
        let counted = exact.method != FrontierMethod::Search;
        let names = Names::new(py, &self.case);
        let list = PyList::empty(py);
        for point in &exact.scan.frontier {
            let package = names.package(py, &point.package)?;
            let utilities = PyTuple::new(py, &point.utilities)?;
            let count = counted.then_some(point.n_packages);
            list.append((package, utilities, count))?;
        }
        Ok(Some(list))
    }

    /// The frontier's utility vectors alone, one tuple each.
    fn frontier_utilities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        if let Ok(exact) = &self.analysis.result {
            for point in &exact.scan.frontier {
                list.append(PyTuple::new(py, &point.utilities)?)?;
            }
        }
        Ok(list)
    }

    /// The bargaining package `name` (`nash`, `kalai_smorodinsky`, `egalitarian`,
    /// `utilitarian`): `(package, utilities, objective)`, or `None`.
    fn solution<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Option<Solution<'py>>> {
        let Some(point) = solution(&self.analysis, name) else {
            return Ok(None);
        };
        let package = crate::negotiate::package_dict(py, &self.case, &point.package)?;
        let utilities = PyTuple::new(py, &point.utilities)?;
        Ok(Some((package, utilities, point.objective)))
    }
}
