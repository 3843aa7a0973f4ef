//! GeniusWeb JSON domains and profiles (`shared/formats/geniusweb-json.md`).
//!
//! GeniusWeb, the successor of GENIUS used by the Automated Negotiation League, stores a
//! domain (`{"name", "issuesValues"}`) and each party's profile (a single key naming the
//! utility-space type, e.g. `LinearAdditiveUtilitySpace`) in separate JSON files.
//!
//! - [`classify`] tells a domain from a profile (and from anything else, such as ANL's
//!   `specials.json`) by the top-level keys.
//! - [`read_domain`] gives a [`Domain`]: its issues as [`Point`]s with options, in file
//!   order.
//! - [`read_profile`] gives a [`Profile`]: a [`Position`] over that domain's points, with
//!   the reservation value `u(reservationBid)` (0 without one) and no discount.
//!
//! Only discrete value sets and `LinearAdditiveUtilitySpace` profiles are read; numeric
//! value sets and other profile types are reported as [`ErrorKind::Unsupported`].
//!
//! ```
//! use accord_core::{Choice, OptionIdx, Package};
//! use accord_formats::geniusweb::{FileKind, classify, read_domain, read_profile};
//!
//! let domain_text = r#"{"name": "d", "issuesValues": {
//!     "price": {"values": ["low", "high"]}, "delivery": {"values": ["now", "later"]}}}"#;
//! let profile_text = r#"{"LinearAdditiveUtilitySpace": {
//!     "name": "buyer",
//!     "domain": {"name": "d", "issuesValues": {
//!         "price": {"values": ["low", "high"]}, "delivery": {"values": ["now", "later"]}}},
//!     "issueWeights": {"price": 0.75, "delivery": 0.25},
//!     "issueUtilities": {
//!         "price": {"DiscreteValueSetUtilities": {"valueUtilities": {"low": 1.0, "high": 0.0}}},
//!         "delivery": {"discreteutils": {"valueUtilities": {"now": 1.0, "later": 0.5}}}}}}"#;
//! assert_eq!(classify(domain_text), FileKind::Domain);
//! assert_eq!(classify(profile_text), FileKind::Profile);
//! let domain = read_domain("d.json", domain_text).unwrap();
//! let profile = read_profile("buyer.json", profile_text, &domain).unwrap();
//! let package = Package(vec![Choice::Option(OptionIdx(0)), Choice::Option(OptionIdx(1))]);
//! assert_eq!(profile.position.utility(&package), 0.75 + 0.25 * 0.5);
//! assert_eq!(profile.position.reservation_value, 0.0);
//! ```

use std::collections::HashSet;

use accord_core::{AdditiveUtility, Evaluator, OptionIdx, Point, PointKind, Position};
use serde_json::{Map, Value};

use crate::error::{ErrorKind, FormatError, Problem};

/// The only profile type accord reads.
const LINEAR_ADDITIVE: &str = "LinearAdditiveUtilitySpace";

/// How far the weights of a profile may sum from 1. GeniusWeb demands exactly 1 in decimal
/// arithmetic; in `f64` the sum of exact decimals can be off by about 1e-16.
const WEIGHT_SUM_TOLERANCE: f64 = 1e-9;

pub use crate::FileKind;

/// Classifies a file by its top-level keys, as NegMAS' folder loader does.
#[must_use]
pub fn classify(text: &str) -> FileKind {
    let Ok(Value::Object(root)) = serde_json::from_str::<Value>(text) else {
        return FileKind::Other;
    };
    if root.contains_key("issuesValues") {
        return FileKind::Domain;
    }
    let mut keys = root.keys();
    match (keys.next(), keys.next()) {
        (Some(key), None) if names_profile_type(key) => FileKind::Profile,
        _ => FileKind::Other,
    }
}

/// Whether a top-level key names a GeniusWeb profile type.
fn names_profile_type(key: &str) -> bool {
    key.ends_with("UtilitySpace") || key.ends_with("PartialOrdering")
}

/// A GeniusWeb domain: its issues, as points with options.
#[derive(Debug, Clone, PartialEq)]
pub struct Domain {
    /// The source name the text was read from.
    pub source: String,
    /// The domain's `name`.
    pub name: String,
    /// The issues, in file order, each with its values as options in file order.
    pub points: Vec<Point>,
}

/// Reads a GeniusWeb domain file (`{"name": .., "issuesValues": {..}}`).
pub fn read_domain(source: &str, text: &str) -> Result<Domain, FormatError> {
    let root = parse(source, text)?;
    let mut reader = Reader::new(source);
    let domain = reader.domain(&root, "$");
    let (name, points) = domain.unwrap_or_default();
    FormatError::check(
        reader.problems,
        Domain {
            source: source.to_string(),
            name,
            points,
        },
    )
}

/// A GeniusWeb profile: one party's position over a [`Domain`]'s points.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The source name the text was read from.
    pub source: String,
    /// The profile's `name`.
    pub name: String,
    /// Weights and value utilities in the domain's point and option order; the reservation
    /// value is the utility of the reservation bid (0 without one); no discount.
    pub position: Position,
    /// Things that do not stop reading but break GeniusWeb's rules or are ignored (a name
    /// that is not alphanumeric, unknown keys), each as `source: field: message`.
    pub warnings: Vec<String>,
}

/// Reads a GeniusWeb profile file over `domain`. Only `LinearAdditiveUtilitySpace` is
/// supported; its embedded `domain` must equal `domain`.
pub fn read_profile(source: &str, text: &str, domain: &Domain) -> Result<Profile, FormatError> {
    let root = parse(source, text)?;
    let mut reader = Reader::new(source);
    let profile = reader.profile(&root, domain);
    match profile {
        Some(profile) if reader.problems.is_empty() => Ok(profile),
        _ => {
            if reader.problems.is_empty() {
                // Every path that gives up records a problem first; this is a safety net.
                reader.problem("$", ErrorKind::Invalid, "the profile could not be read");
            }
            Err(FormatError {
                problems: reader.problems,
            })
        }
    }
}

/// Parses the text as JSON, or gives the syntax error with its line and column.
fn parse(source: &str, text: &str) -> Result<Value, FormatError> {
    serde_json::from_str(text).map_err(|error| {
        let (line, column) = (error.line(), error.column());
        let full = error.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        let line_col = (line > 0).then_some((line, column));
        FormatError::single(Problem::at(
            source,
            line_col,
            "",
            ErrorKind::Syntax,
            message,
        ))
    })
}

/// The JSON path of `key` inside the object at `parent`: `$.a.b`, or `$["a b"]` when the
/// key is not a plain identifier.
fn child(parent: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{parent}.{key}")
    } else {
        let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("\"{key}\""));
        format!("{parent}[{quoted}]")
    }
}

/// A JSON value described for a message: "the string `abc`", "an array", ...
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "`null`".to_string(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string `{s}`"),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// Issue names and values in backticks, comma-separated.
fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Collects problems and warnings while walking one document.
struct Reader<'s> {
    source: &'s str,
    problems: Vec<Problem>,
    warnings: Vec<String>,
}

impl<'s> Reader<'s> {
    fn new(source: &'s str) -> Self {
        Self {
            source,
            problems: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn problem(&mut self, field: &str, kind: ErrorKind, message: impl Into<String>) {
        self.problems
            .push(Problem::at(self.source, None, field, kind, message));
    }

    fn warn(&mut self, field: &str, message: impl Into<String>) {
        let problem = Problem::at(self.source, None, field, ErrorKind::Invalid, message);
        self.warnings.push(problem.to_string());
    }

    fn wrong_type(&mut self, path: &str, expected: &str, value: &Value) {
        let message = format!("expected {expected}, found {}", describe(value));
        self.problem(path, ErrorKind::WrongType, message);
    }

    fn object<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        if let Value::Object(map) = value {
            Some(map)
        } else {
            self.wrong_type(path, "an object", value);
            None
        }
    }

    /// The value under `key`, or a `Missing` problem at the parent.
    fn required<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'v Value> {
        self.entry(map, path, key, format!("missing key `{key}`"))
    }

    /// The value under `key`, or a `Missing` problem at the parent with `message`.
    fn entry<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        path: &str,
        key: &str,
        message: String,
    ) -> Option<&'v Value> {
        let value = map.get(key);
        if value.is_none() {
            self.problem(path, ErrorKind::Missing, message);
        }
        value
    }

    fn string(&mut self, value: &Value, path: &str) -> Option<String> {
        if let Value::String(s) = value {
            Some(s.clone())
        } else {
            self.wrong_type(path, "a string", value);
            None
        }
    }

    /// A number in `[0, 1]` (a weight or a value utility).
    fn unit_number(&mut self, value: &Value, path: &str, what: &str) -> Option<f64> {
        let Some(number) = value.as_f64() else {
            self.wrong_type(path, "a number", value);
            return None;
        };
        if (0.0..=1.0).contains(&number) {
            Some(number)
        } else {
            let message = format!("{what} `{value}` is not between 0 and 1");
            self.problem(path, ErrorKind::Invalid, message);
            None
        }
    }

    /// A domain object at `path`: its name and its issues as points.
    fn domain(&mut self, value: &Value, path: &str) -> Option<(String, Vec<Point>)> {
        let map = self.object(value, path)?;
        let name = self
            .required(map, path, "name")
            .and_then(|name| self.string(name, &child(path, "name")));
        let issues_path = child(path, "issuesValues");
        let issues = self
            .required(map, path, "issuesValues")
            .and_then(|issues| self.object(issues, &issues_path));
        let mut points = Vec::new();
        let mut complete = name.is_some() && issues.is_some();
        if let Some(issues) = issues {
            if issues.is_empty() {
                self.problem(&issues_path, ErrorKind::Invalid, "the domain has no issues");
                complete = false;
            }
            for (issue, value_set) in issues {
                match self.value_set(issue, value_set, &child(&issues_path, issue)) {
                    Some(values) => points.push(Point::new(issue, PointKind::options(values))),
                    None => complete = false,
                }
            }
        }
        complete.then(|| (name.unwrap_or_default(), points))
    }

    /// The values of one issue's value set; only discrete sets (`{"values": [..]}`).
    fn value_set(&mut self, issue: &str, value: &Value, path: &str) -> Option<Vec<String>> {
        let map = self.object(value, path)?;
        let Some(values) = map.get("values") else {
            if map.is_empty() {
                self.problem(path, ErrorKind::Missing, "missing key `values`");
            } else {
                let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                let message = format!(
                    "issue `{issue}` is not a discrete value set (keys {}); numeric value \
                     sets are not supported",
                    list(&keys)
                );
                self.problem(path, ErrorKind::Unsupported, message);
            }
            return None;
        };
        let values_path = child(path, "values");
        let Value::Array(items) = values else {
            self.wrong_type(&values_path, "an array of strings", values);
            return None;
        };
        if items.is_empty() {
            let message = format!("issue `{issue}` has no values");
            self.problem(&values_path, ErrorKind::Invalid, message);
            return None;
        }
        let mut result = Vec::with_capacity(items.len());
        let mut seen = HashSet::new();
        let mut complete = true;
        for (k, item) in items.iter().enumerate() {
            let item_path = format!("{values_path}[{k}]");
            match self.string(item, &item_path) {
                Some(s) if !seen.insert(s.clone()) => {
                    let message = format!("value `{s}` of issue `{issue}` is listed twice");
                    self.problem(&item_path, ErrorKind::Duplicate, message);
                    complete = false;
                }
                Some(s) => result.push(s),
                None => complete = false,
            }
        }
        complete.then_some(result)
    }

    fn profile(&mut self, root: &Value, domain: &Domain) -> Option<Profile> {
        let root = self.object(root, "$")?;
        let keys: Vec<&str> = root.keys().map(String::as_str).collect();
        let (kind, space) = match root.iter().next() {
            Some((kind, space)) if root.len() == 1 => (kind.as_str(), space),
            None => {
                let message = format!("missing the profile type key, such as `{LINEAR_ADDITIVE}`");
                self.problem("$", ErrorKind::Missing, message);
                return None;
            }
            _ => {
                let message = format!(
                    "expected a single key naming the profile type, found {}",
                    list(&keys)
                );
                self.problem("$", ErrorKind::Invalid, message);
                return None;
            }
        };
        let path = child("$", kind);
        if kind != LINEAR_ADDITIVE {
            let message =
                format!("profile type `{kind}` is not supported; only `{LINEAR_ADDITIVE}` is");
            self.problem(&path, ErrorKind::Unsupported, message);
            return None;
        }
        let space = self.object(space, &path)?;
        self.linear_additive(space, &path, domain)
    }

    fn linear_additive(
        &mut self,
        space: &Map<String, Value>,
        path: &str,
        domain: &Domain,
    ) -> Option<Profile> {
        const KNOWN: [&str; 5] = [
            "name",
            "domain",
            "issueWeights",
            "issueUtilities",
            "reservationBid",
        ];
        for key in space.keys() {
            if !KNOWN.contains(&key.as_str()) {
                let message = format!("key `{key}` is not a GeniusWeb field and is ignored");
                self.warn(&child(path, key), message);
            }
        }
        let name_path = child(path, "name");
        let name = self
            .required(space, path, "name")
            .and_then(|name| self.string(name, &name_path));
        if let Some(name) = &name
            && (name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            let message =
                format!("profile name `{name}` is not `[a-zA-Z0-9]+` as GeniusWeb requires");
            self.warn(&name_path, message);
        }
        if let Some(embedded) = self.required(space, path, "domain") {
            self.compare_domain(embedded, &child(path, "domain"), domain);
        }
        let weights = self.weights(space, path, domain);
        let scores = self.utilities(space, path, domain);
        let reservation_bid = match space.get("reservationBid") {
            None | Some(Value::Null) => Some(Vec::new()),
            Some(bid) => self.bid(bid, &child(path, "reservationBid"), domain),
        };
        let (name, weights, scores, reservation_bid) = (name?, weights?, scores?, reservation_bid?);
        // An issue the bid leaves out adds 0. The sum runs in point order and is clamped at
        // 1 as in `AdditiveUtility::utility`, so that the reservation bid itself is exactly
        // as good as the reservation value.
        let mut sum = 0.0;
        for (point, option) in reservation_bid {
            let score = scores.get(point).and_then(|s| s.get(option.0)).copied();
            sum += weights.get(point).copied().unwrap_or(0.0) * score.unwrap_or(0.0);
        }
        let reservation_value = sum.min(1.0);
        let evaluators = scores.into_iter().map(Evaluator::Options).collect();
        let mut position = Position::new(AdditiveUtility::new(weights, evaluators).into());
        position.reservation_value = reservation_value;
        Some(Profile {
            source: self.source.to_string(),
            name,
            position,
            warnings: std::mem::take(&mut self.warnings),
        })
    }

    /// Checks that the profile's embedded domain equals the domain file. Option order is
    /// not compared: accord takes it from the domain file, and value identity is the string.
    fn compare_domain(&mut self, embedded: &Value, path: &str, domain: &Domain) {
        let Some((name, points)) = self.domain(embedded, path) else {
            return;
        };
        let file = &domain.source;
        if name != domain.name {
            let message = format!(
                "the embedded domain is named `{name}`, but `{file}` names it `{}`",
                domain.name
            );
            self.problem(&child(path, "name"), ErrorKind::Invalid, message);
        }
        let issues_path = child(path, "issuesValues");
        for point in &domain.points {
            if !points.iter().any(|p| p.id == point.id) {
                let message = format!(
                    "issue `{}` of `{file}` is missing from the embedded domain",
                    point.id
                );
                self.problem(&issues_path, ErrorKind::Invalid, message);
            }
        }
        for embedded_point in &points {
            let issue_path = child(&issues_path, &embedded_point.id);
            let Some(point) = domain.points.iter().find(|p| p.id == embedded_point.id) else {
                let message = format!("issue `{}` is not in `{file}`", embedded_point.id);
                self.problem(&issue_path, ErrorKind::Invalid, message);
                continue;
            };
            let ids =
                |p: &Point| -> Vec<String> { p.options().iter().map(|o| o.id.clone()).collect() };
            let (ours, theirs) = (ids(embedded_point), ids(point));
            let missing: Vec<&str> = theirs
                .iter()
                .filter(|v| !ours.contains(v))
                .map(String::as_str)
                .collect();
            let extra: Vec<&str> = ours
                .iter()
                .filter(|v| !theirs.contains(v))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() || !extra.is_empty() {
                let mut parts = Vec::new();
                if !missing.is_empty() {
                    parts.push(format!("lacks {}", list(&missing)));
                }
                if !extra.is_empty() {
                    parts.push(format!("adds {}", list(&extra)));
                }
                let message = format!(
                    "the values of issue `{}` differ from `{file}`: the embedded domain {}",
                    point.id,
                    parts.join(" and ")
                );
                self.problem(&child(&issue_path, "values"), ErrorKind::Invalid, message);
            }
        }
    }

    /// The weights in point order; they must cover exactly the domain's issues, lie in
    /// `[0, 1]` and sum to 1.
    fn weights(
        &mut self,
        space: &Map<String, Value>,
        path: &str,
        domain: &Domain,
    ) -> Option<Vec<f64>> {
        let weights_path = child(path, "issueWeights");
        let map = self
            .required(space, path, "issueWeights")
            .and_then(|weights| self.object(weights, &weights_path))?;
        self.unknown_issues(map, &weights_path, domain);
        let mut weights = Vec::with_capacity(domain.points.len());
        let mut complete = true;
        for point in &domain.points {
            let message = format!("no weight for issue `{}`", point.id);
            let weight = self
                .entry(map, &weights_path, &point.id, message)
                .and_then(|value| {
                    self.unit_number(value, &child(&weights_path, &point.id), "weight")
                });
            match weight {
                Some(weight) => weights.push(weight),
                None => complete = false,
            }
        }
        if !complete {
            return None;
        }
        let sum: f64 = weights.iter().sum();
        if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
            let message = format!("the weights sum to `{sum}`, not 1");
            self.problem(&weights_path, ErrorKind::Invalid, message);
            return None;
        }
        Some(weights)
    }

    /// Reports keys of an issue-keyed object that are not issues of the domain.
    fn unknown_issues(&mut self, map: &Map<String, Value>, path: &str, domain: &Domain) {
        for issue in map.keys() {
            if !domain.points.iter().any(|p| &p.id == issue) {
                let message = format!("issue `{issue}` is not in the domain `{}`", domain.name);
                self.problem(&child(path, issue), ErrorKind::Unknown, message);
            }
        }
    }

    /// The value utilities of every issue, in point and option order.
    fn utilities(
        &mut self,
        space: &Map<String, Value>,
        path: &str,
        domain: &Domain,
    ) -> Option<Vec<Vec<f64>>> {
        let utilities_path = child(path, "issueUtilities");
        let map = self
            .required(space, path, "issueUtilities")
            .and_then(|utilities| self.object(utilities, &utilities_path))?;
        self.unknown_issues(map, &utilities_path, domain);
        let mut all = Vec::with_capacity(domain.points.len());
        let mut complete = true;
        for point in &domain.points {
            let message = format!("no utilities for issue `{}`", point.id);
            let scores = self
                .entry(map, &utilities_path, &point.id, message)
                .and_then(|value| {
                    self.issue_utilities(value, &child(&utilities_path, &point.id), point)
                });
            match scores {
                Some(scores) => all.push(scores),
                None => complete = false,
            }
        }
        complete.then_some(all)
    }

    /// One issue's `{"DiscreteValueSetUtilities": {"valueUtilities": {..}}}` (or the short
    /// spelling `discreteutils`), as scores in option order.
    fn issue_utilities(&mut self, value: &Value, path: &str, point: &Point) -> Option<Vec<f64>> {
        let wrapper = self.object(value, path)?;
        let (kind, inner) = match wrapper.iter().next() {
            Some((kind, inner)) if wrapper.len() == 1 => (kind.as_str(), inner),
            _ => {
                let keys: Vec<&str> = wrapper.keys().map(String::as_str).collect();
                let message = format!(
                    "expected a single key `DiscreteValueSetUtilities` for issue `{}`, found {}",
                    point.id,
                    if keys.is_empty() {
                        "none".to_string()
                    } else {
                        list(&keys)
                    }
                );
                self.problem(path, ErrorKind::Invalid, message);
                return None;
            }
        };
        let kind_path = child(path, kind);
        match kind {
            "DiscreteValueSetUtilities" | "discreteutils" => {}
            "NumberValueSetUtilities" | "numberutils" => {
                let message = format!(
                    "numeric value set utilities (`{kind}`) are not supported, issue `{}`",
                    point.id
                );
                self.problem(&kind_path, ErrorKind::Unsupported, message);
                return None;
            }
            _ => {
                let message = format!(
                    "unknown value set utilities `{kind}` for issue `{}`; expected \
                     `DiscreteValueSetUtilities`",
                    point.id
                );
                self.problem(&kind_path, ErrorKind::Invalid, message);
                return None;
            }
        }
        let table_path = child(&kind_path, "valueUtilities");
        let table = self
            .object(inner, &kind_path)
            .and_then(|inner| self.required(inner, &kind_path, "valueUtilities"))
            .and_then(|table| self.object(table, &table_path))?;
        for value in table.keys() {
            if point.option_idx(value).is_none() {
                let message = format!("value `{value}` is not a value of issue `{}`", point.id);
                self.problem(&child(&table_path, value), ErrorKind::Unknown, message);
            }
        }
        let mut scores = Vec::with_capacity(point.options().len());
        let mut complete = true;
        for option in point.options() {
            let message = format!(
                "no utility for value `{}` of issue `{}`",
                option.id, point.id
            );
            let score = self
                .entry(table, &table_path, &option.id, message)
                .and_then(|utility| {
                    self.unit_number(utility, &child(&table_path, &option.id), "utility")
                });
            match score {
                Some(score) => scores.push(score),
                None => complete = false,
            }
        }
        complete.then_some(scores)
    }

    /// A bid `{"issuevalues": {issue: value}}` as (point index, option) pairs in point
    /// order; a partial bid leaves issues out.
    fn bid(&mut self, bid: &Value, path: &str, domain: &Domain) -> Option<Vec<(usize, OptionIdx)>> {
        let values_path = child(path, "issuevalues");
        let map = self
            .object(bid, path)
            .and_then(|bid| self.required(bid, path, "issuevalues"))
            .and_then(|values| self.object(values, &values_path))?;
        self.unknown_issues(map, &values_path, domain);
        let mut complete = map
            .keys()
            .all(|issue| domain.points.iter().any(|p| &p.id == issue));
        let mut choices = Vec::new();
        for (k, point) in domain.points.iter().enumerate() {
            let Some(value) = map.get(&point.id) else {
                continue;
            };
            let value_path = child(&values_path, &point.id);
            let Some(value) = self.string(value, &value_path) else {
                complete = false;
                continue;
            };
            if let Some(option) = point.option_idx(&value) {
                choices.push((k, option));
            } else {
                let message = format!("value `{value}` is not a value of issue `{}`", point.id);
                self.problem(&value_path, ErrorKind::Unknown, message);
                complete = false;
            }
        }
        complete.then_some(choices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::UtilityFunction;

    const DOMAIN: &str = r#"{"name": "d", "issuesValues": {
        "issueA": {"values": ["a1", "a2", "a3"]},
        "issueB": {"values": ["b1", "b2"]}}}"#;

    /// A profile over [`DOMAIN`] with the given weights, utilities and extra keys.
    fn profile(weights: &str, utilities: &str, extra: &str) -> String {
        format!(
            r#"{{"LinearAdditiveUtilitySpace": {{
                "name": "profileA", "domain": {DOMAIN},
                "issueWeights": {weights}, "issueUtilities": {utilities}{extra}}}}}"#
        )
    }

    const WEIGHTS: &str = r#"{"issueA": 0.4, "issueB": 0.6}"#;
    const UTILITIES: &str = r#"{
        "issueA": {"DiscreteValueSetUtilities": {"valueUtilities": {"a1": 0.0, "a2": 1.0, "a3": 0.5}}},
        "issueB": {"DiscreteValueSetUtilities": {"valueUtilities": {"b1": 1.0, "b2": 0.25}}}}"#;

    /// Reads the domain and, when given, the profile, and renders the outcome: the problems,
    /// or the points, weights, scores, reservation value and warnings.
    fn check(domain: &str, profile: Option<&str>, expected: &str) {
        let got = match read_domain("d.json", domain) {
            Err(error) => error.to_string(),
            Ok(domain) => {
                let mut lines: Vec<String> = domain
                    .points
                    .iter()
                    .map(|p| {
                        let ids: Vec<&str> = p.options().iter().map(|o| o.id.as_str()).collect();
                        format!("{}: {}", p.id, ids.join(" "))
                    })
                    .collect();
                match profile.map(|text| read_profile("p.json", text, &domain)) {
                    None => {}
                    Some(Err(error)) => lines = vec![error.to_string()],
                    Some(Ok(profile)) => {
                        let UtilityFunction::Additive(additive) = &profile.position.utility else {
                            panic!("not additive");
                        };
                        lines.push(format!("{} weights {:?}", profile.name, additive.weights()));
                        lines.push(format!("scores {:?}", additive.evaluators()));
                        lines.push(format!(
                            "reservation {} discount {}",
                            profile.position.reservation_value, profile.position.discount_factor
                        ));
                        lines.extend(profile.warnings);
                    }
                }
                lines.join("\n")
            }
        };
        assert_eq!(got, expected);
    }

    #[test]
    fn reads_a_good_domain_and_profile() {
        let text = profile(
            WEIGHTS,
            UTILITIES,
            r#", "reservationBid": {"issuevalues": {"issueA": "a3", "issueB": "b2"}}"#,
        );
        assert_eq!(classify(DOMAIN), FileKind::Domain);
        assert_eq!(classify(&text), FileKind::Profile);
        assert_eq!(classify(r#"{"size": 6, "nash": {}}"#), FileKind::Other);
        assert_eq!(classify("not json"), FileKind::Other);
        check(
            DOMAIN,
            Some(&text),
            "issueA: a1 a2 a3\nissueB: b1 b2\n\
             profileA weights [0.4, 0.6]\n\
             scores [Options([0.0, 1.0, 0.5]), Options([1.0, 0.25])]\n\
             reservation 0.35 discount 1",
        );
    }

    #[test]
    fn accepts_the_short_spelling_and_warns_about_names() {
        let utilities = UTILITIES.replace("DiscreteValueSetUtilities", "discreteutils");
        let text = profile(WEIGHTS, &utilities, r#", "reserved_value": 0.5"#)
            .replace("\"profileA\"", "\"profile A\"");
        check(
            DOMAIN,
            Some(&text),
            "issueA: a1 a2 a3\nissueB: b1 b2\n\
             profile A weights [0.4, 0.6]\n\
             scores [Options([0.0, 1.0, 0.5]), Options([1.0, 0.25])]\n\
             reservation 0 discount 1\n\
             p.json: $.LinearAdditiveUtilitySpace.reserved_value: key `reserved_value` is not \
             a GeniusWeb field and is ignored\n\
             p.json: $.LinearAdditiveUtilitySpace.name: profile name `profile A` is not \
             `[a-zA-Z0-9]+` as GeniusWeb requires",
        );
    }

    #[test]
    fn weights_must_sum_to_one() {
        let text = profile(r#"{"issueA": 0.4, "issueB": 0.5}"#, UTILITIES, "");
        check(
            DOMAIN,
            Some(&text),
            "p.json: $.LinearAdditiveUtilitySpace.issueWeights: the weights sum to `0.9`, not 1",
        );
    }

    #[test]
    fn every_issue_and_value_needs_a_utility() {
        let utilities = r#"{
            "issueA": {"DiscreteValueSetUtilities": {"valueUtilities": {"a1": 0.0, "a3": 1.5, "a9": 1}}}}"#;
        check(
            DOMAIN,
            Some(&profile(WEIGHTS, utilities, "")),
            "p.json: $.LinearAdditiveUtilitySpace.issueUtilities.issueA.DiscreteValueSetUtilities\
             .valueUtilities.a9: value `a9` is not a value of issue `issueA`\n\
             p.json: $.LinearAdditiveUtilitySpace.issueUtilities.issueA.DiscreteValueSetUtilities\
             .valueUtilities: no utility for value `a2` of issue `issueA`\n\
             p.json: $.LinearAdditiveUtilitySpace.issueUtilities.issueA.DiscreteValueSetUtilities\
             .valueUtilities.a3: utility `1.5` is not between 0 and 1\n\
             p.json: $.LinearAdditiveUtilitySpace.issueUtilities: no utilities for issue `issueB`",
        );
    }

    #[test]
    fn reservation_bid_must_name_known_values() {
        // Problems in the weights do not hide problems in the reservation bid.
        let text = profile(
            r#"{"issueA": 0.4, "issueB": 0.5}"#,
            UTILITIES,
            r#", "reservationBid": {"issuevalues": {"issueA": "a7", "issueC": "c1"}}"#,
        );
        check(
            DOMAIN,
            Some(&text),
            "p.json: $.LinearAdditiveUtilitySpace.issueWeights: the weights sum to `0.9`, not 1\n\
             p.json: $.LinearAdditiveUtilitySpace.reservationBid.issuevalues.issueC: issue \
             `issueC` is not in the domain `d`\n\
             p.json: $.LinearAdditiveUtilitySpace.reservationBid.issuevalues.issueA: value `a7` \
             is not a value of issue `issueA`",
        );
    }

    #[test]
    fn wrong_types_name_their_path() {
        let text = profile(r#"{"issueA": "0.4", "issueB": 0.6}"#, "[]", "")
            .replace(r#""name": "profileA""#, r#""name": 7"#);
        check(
            DOMAIN,
            Some(&text),
            "p.json: $.LinearAdditiveUtilitySpace.name: expected a string, found the number `7`\n\
             p.json: $.LinearAdditiveUtilitySpace.issueWeights.issueA: expected a number, found \
             the string `0.4`\n\
             p.json: $.LinearAdditiveUtilitySpace.issueUtilities: expected an object, found an \
             array",
        );
        check(
            r#"{"name": "d", "issuesValues": {"issue A": {"values": ["x", 3, "x"]}}}"#,
            None,
            "d.json: $.issuesValues[\"issue A\"].values[1]: expected a string, found the number \
             `3`\nd.json: $.issuesValues[\"issue A\"].values[2]: value `x` of issue `issue A` is \
             listed twice",
        );
        check("[1, 2", None, "d.json:1:5: EOF while parsing a list");
        check(
            "[]",
            Some("{}"),
            "d.json: $: expected an object, found an array",
        );
    }

    #[test]
    fn numeric_value_sets_and_other_profile_types_are_unsupported() {
        check(
            r#"{"name": "d", "issuesValues": {"price": {"range": {"low": 0, "high": 9, "step": 1}}}}"#,
            None,
            "d.json: $.issuesValues.price: issue `price` is not a discrete value set (keys \
             `range`); numeric value sets are not supported",
        );
        let utilities = UTILITIES.replacen(
            r#"{"DiscreteValueSetUtilities": {"valueUtilities": {"a1": 0.0, "a2": 1.0, "a3": 0.5}}}"#,
            r#"{"NumberValueSetUtilities": {"lowValue": 0, "lowUtility": 0, "highValue": 2, "highUtility": 1}}"#,
            1,
        );
        check(
            DOMAIN,
            Some(&profile(WEIGHTS, &utilities, "")),
            "p.json: $.LinearAdditiveUtilitySpace.issueUtilities.issueA.NumberValueSetUtilities: \
             numeric value set utilities (`NumberValueSetUtilities`) are not supported, issue \
             `issueA`",
        );
        check(
            DOMAIN,
            Some(r#"{"SumOfGroupsUtilitySpace": {}}"#),
            "p.json: $.SumOfGroupsUtilitySpace: profile type `SumOfGroupsUtilitySpace` is not \
             supported; only `LinearAdditiveUtilitySpace` is",
        );
    }

    #[test]
    fn embedded_domain_must_equal_the_domain_file() {
        let text = profile(WEIGHTS, UTILITIES, "").replacen(r#""a3"]"#, r#""a4"]"#, 1);
        check(
            DOMAIN,
            Some(&text),
            "p.json: $.LinearAdditiveUtilitySpace.domain.issuesValues.issueA.values: the values \
             of issue `issueA` differ from `d.json`: the embedded domain lacks `a3` and adds `a4`",
        );
    }
}
