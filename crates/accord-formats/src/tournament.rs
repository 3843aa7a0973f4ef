//! Tournament files (docs/tournament.md): the configuration (TOML) that `accord
//! tournament` runs, and the results it writes, one line per session, as JSON Lines and
//! CSV.
//!
//! - [`read_config`] parses a configuration into a [`TournamentConfig`] of names and
//!   paths as written (the caller resolves paths against the file's folder and loads the
//!   domains), collecting every problem with its line and field.
//! - [`ResultRecord`] is the file form of a [`NegotiationResult`] (packages as `{point:
//!   value}`); [`write_jsonl`] and [`write_csv`] write records, [`read_jsonl`] reads a
//!   JSON Lines file back (for `accord merge`), so that writing what was read gives the
//!   same bytes.
//! - [`write_summary_csv`] writes the summary per negotiator ([`NegotiatorSummary`]).
//!
//! ```
//! use accord_formats::tournament::read_config;
//!
//! let text = r#"
//! name = "demo"
//! negotiators = ["boulware", "conceder"]
//! [[domains]]
//! path = "labour-contract.toml"
//! "#;
//! let config = read_config("demo.toml", text).unwrap();
//! assert_eq!(config.rounds, 100);
//! assert_eq!(config.repetitions, 1);
//! assert_eq!(config.domains[0].path, "labour-contract.toml");
//!
//! let bad = read_config("demo.toml", "name = \"x\"\nnegotiators = [\"nobody\"]\ndomains = []\n");
//! let message = bad.unwrap_err().to_string();
//! assert!(message.starts_with("demo.toml:2:16: negotiators[0]: unknown negotiator `nobody`"));
//! ```

use std::fmt::Write as _;

use std::borrow::Cow;

use accord_core::{
    Case, LearningPoint, ModelCheckpoint, ModelQuality, NEGOTIATORS, NegotiationResult,
    NegotiatorSpec, NegotiatorSpecError, NegotiatorSummary, SummaryRow,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use toml::Spanned;

use crate::analysis_json::package_map;
use crate::error::{ErrorKind, FormatError, Problem};

/// Rounds per session when the configuration does not say.
pub const DEFAULT_ROUNDS: u32 = 100;

/// A tournament configuration as written: names and paths, nothing loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct TournamentConfig {
    /// The tournament's name.
    pub name: String,
    /// The seed every session's seed is derived from (default 0).
    pub seed: u64,
    /// How many times each line-up plays each domain (default 1).
    pub repetitions: u32,
    /// The deadline of every session, in rounds (default [`DEFAULT_ROUNDS`]).
    pub rounds: u32,
    /// The negotiators, each one of [`NEGOTIATORS`], each listed once.
    pub negotiators: Vec<String>,
    /// Moments (normalised time) at which opponent models are measured beside the end
    /// ([`accord_core::TournamentSpec::model_checkpoints`]); empty by default.
    pub model_checkpoints: Vec<f64>,
    /// The domains, in the order they are played.
    pub domains: Vec<DomainEntry>,
}

/// One `[[domains]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainEntry {
    /// The case file or domain folder, as written (relative paths are relative to the
    /// configuration's folder).
    pub path: String,
    /// The parties that negotiate, in order of play: party ids of a case file or profile
    /// file names of a folder; empty for the default.
    pub parties: Vec<String>,
    /// Where the entry's `path` is written, to name in messages: `file:line:column:
    /// domains[k].path`.
    pub location: String,
    /// The line and column of `path` in the configuration.
    pub path_at: (usize, usize),
    /// The line and column of each of `parties`.
    pub parties_at: Vec<(usize, usize)>,
}

impl DomainEntry {
    /// Problems with the parties this entry (number `k` of the configuration `source`)
    /// asks for, as problems of the configuration: a problem of field `parties[j]` (as
    /// [`crate::case_file::PartyChoiceError::problem`] gives) is placed at the line of that
    /// party, field `domains[k].parties[j]`; one of the list as a whole (field `parties`,
    /// or none) at the first party, or at the entry's `path` when it names none. Problems
    /// with a line of their own, or a field other than these, are problems of the domain's
    /// files (a profile that does not read) and are kept as they are.
    #[must_use]
    pub fn party_problems(&self, source: &str, k: usize, err: FormatError) -> FormatError {
        let problems = err
            .problems
            .into_iter()
            .map(|problem| {
                // A problem found within one of the domain's files (it has a line, or a
                // field of its own) stays that file's.
                let asked = problem.field.is_empty()
                    || problem.field == "parties"
                    || problem.field.starts_with("parties[");
                if problem.line_col.is_some() || !asked {
                    return problem;
                }
                let field = if problem.field.is_empty() {
                    "parties"
                } else {
                    problem.field.as_str()
                };
                let at = field
                    .strip_prefix("parties[")
                    .and_then(|rest| rest.strip_suffix(']'))
                    .and_then(|j| j.parse::<usize>().ok())
                    .and_then(|j| self.parties_at.get(j))
                    .or(self.parties_at.first())
                    .copied()
                    .unwrap_or(self.path_at);
                Problem::at(
                    source,
                    Some(at),
                    format!("domains[{k}].{field}"),
                    problem.kind,
                    format!("`{}`: {}", self.path, problem.message),
                )
            })
            .collect();
        FormatError { problems }
    }
}

impl DomainEntry {
    /// The problem of a domain (entry `k` of the configuration `source`) that loads with
    /// `n` negotiating parties, fewer than the two a session needs: at its `parties`, or
    /// its `path` when it names none.
    #[must_use]
    pub fn too_few_parties(&self, source: &str, k: usize, n: usize) -> FormatError {
        let problem = Problem::at(
            source,
            None,
            "parties",
            ErrorKind::Invalid,
            format!("a session needs at least two negotiating parties; this domain gives {n}"),
        );
        self.party_problems(source, k, FormatError::single(problem))
    }
}

/// The most model checkpoints a configuration may ask for.
pub const MAX_CHECKPOINTS: usize = 100;

/// The keys of a configuration, and of one of its `[[domains]]`: others are refused, every
/// one of them named ([`unknown_keys`]).
const CONFIG_KEYS: [&str; 8] = [
    "name",
    "seed",
    "repetitions",
    "rounds",
    "seconds",
    "negotiators",
    "model_checkpoints",
    "domains",
];
const DOMAIN_KEYS: [&str; 2] = ["path", "parties"];

#[derive(Debug, Deserialize)]
struct ConfigFile {
    name: Spanned<String>,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    repetitions: Option<Spanned<u32>>,
    #[serde(default)]
    rounds: Option<Spanned<u32>>,
    /// Read only to refuse it with a clear message.
    #[serde(default)]
    seconds: Option<Spanned<f64>>,
    negotiators: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    model_checkpoints: Vec<Spanned<f64>>,
    domains: Spanned<Vec<DomainFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(expecting = "a table `{ path = \"...\", parties = [...] }`")]
struct DomainFile {
    path: Spanned<String>,
    #[serde(default)]
    parties: Vec<Spanned<String>>,
}

/// Reads a tournament configuration (TOML); `source` names the file in messages. Every
/// problem is collected.
pub fn read_config(source: &str, text: &str) -> Result<TournamentConfig, FormatError> {
    read_config_with(source, text, &[])
}

/// [`read_config`] where `extra` names negotiators beyond the built-in ones (written in
/// Python, say) that the configuration may list.
pub fn read_config_with(
    source: &str,
    text: &str,
    extra: &[String],
) -> Result<TournamentConfig, FormatError> {
    // Unknown keys are found apart from the schema, so that they hide no other problem.
    let mut problems = unknown_keys(source, text);
    let file = match parse(source, text) {
        Ok(file) => file,
        Err(error) => {
            // serde stops at the first value of the wrong type: each field is read on its
            // own to find them all.
            let each = field_problems(source, text);
            problems.extend(if each.is_empty() {
                error.problems
            } else {
                each
            });
            problems.sort_by_key(|p| p.line_col);
            return Err(FormatError { problems });
        }
    };
    let at = |span: std::ops::Range<usize>| Some(line_col(text, span.start));
    let mut problem = |span, field: String, kind, message: String| {
        problems.push(Problem::at(source, at(span), field, kind, message));
    };
    if file.name.get_ref().trim().is_empty() {
        problem(
            file.name.span(),
            "name".into(),
            ErrorKind::Invalid,
            "the name is empty".into(),
        );
    }
    if let Some(seconds) = &file.seconds {
        problem(
            seconds.span(),
            "seconds".into(),
            ErrorKind::Unsupported,
            "a tournament's deadline is a number of rounds only: a time budget would make \
             results depend on the machine\nhint: use `rounds = N`"
                .into(),
        );
    }
    for (value, field) in [(&file.repetitions, "repetitions"), (&file.rounds, "rounds")] {
        if let Some(value) = value
            && *value.get_ref() == 0
        {
            problem(
                value.span(),
                field.into(),
                ErrorKind::Invalid,
                format!("`{field}` must be at least 1"),
            );
        }
    }
    if file.negotiators.get_ref().is_empty() {
        problem(
            file.negotiators.span(),
            "negotiators".into(),
            ErrorKind::Missing,
            format!(
                "no negotiator is listed\nhint: the negotiators are {}",
                NEGOTIATORS.join(", ")
            ),
        );
    }
    for (k, name) in file.negotiators.get_ref().iter().enumerate() {
        let field = format!("negotiators[{k}]");
        let parsed = NegotiatorSpec::parse(name.get_ref());
        if let (Err(error), false) = (&parsed, extra.contains(name.get_ref())) {
            let (kind, message) = match error {
                NegotiatorSpecError::Invalid { reason, .. } => (
                    ErrorKind::Invalid,
                    format!(
                        "negotiator `{}`: {reason}\nhint: docs/tournament.md gives the syntax of boa(...)",
                        name.get_ref()
                    ),
                ),
                _ => (
                    ErrorKind::Unknown,
                    format!(
                        "unknown negotiator `{}`\nhint: the negotiators are {}, or a composition boa(offering=..., acceptance=..., model=...)",
                        name.get_ref(),
                        NEGOTIATORS.join(", ")
                    ),
                ),
            };
            problem(name.span(), field, kind, message);
        } else if let Some(other) = file.negotiators.get_ref()[..k]
            .iter()
            .find(|other| NegotiatorSpec::same(other.get_ref(), name.get_ref()))
        {
            let message = if other.get_ref() == name.get_ref() {
                format!("negotiator `{}` is listed twice", name.get_ref())
            } else {
                format!(
                    "negotiator `{}` is listed twice (as `{}` before)",
                    name.get_ref(),
                    other.get_ref()
                )
            };
            problem(name.span(), field, ErrorKind::Duplicate, message);
        }
    }
    if let Some(extra) = file.model_checkpoints.get(MAX_CHECKPOINTS) {
        problem(
            extra.span(),
            format!("model_checkpoints[{MAX_CHECKPOINTS}]"),
            ErrorKind::Invalid,
            format!(
                "{} model checkpoints: at most {MAX_CHECKPOINTS} (each measures every model \
                 of every session once more)",
                file.model_checkpoints.len()
            ),
        );
    }
    let mut previous = 0.0;
    for (k, checkpoint) in file.model_checkpoints.iter().enumerate() {
        let value = *checkpoint.get_ref();
        let why = if !(value > 0.0 && value < 1.0) {
            Some("is not strictly between 0 and 1 (a moment of the session, in normalised time)")
        } else if value <= previous {
            Some("is not after the checkpoint before it")
        } else {
            None
        };
        if let Some(why) = why {
            problem(
                checkpoint.span(),
                format!("model_checkpoints[{k}]"),
                ErrorKind::Invalid,
                format!("model checkpoint `{value}` {why}"),
            );
        } else {
            previous = value;
        }
    }
    if file.domains.get_ref().is_empty() {
        problem(
            file.domains.span(),
            "domains".into(),
            ErrorKind::Missing,
            "no domain is listed\nhint: add `[[domains]]` with `path = \"case.toml\"`".into(),
        );
    }
    let mut domains = Vec::new();
    for (k, domain) in file.domains.get_ref().iter().enumerate() {
        if domain.path.get_ref().trim().is_empty() {
            problem(
                domain.path.span(),
                format!("domains[{k}].path"),
                ErrorKind::Invalid,
                "the path is empty".into(),
            );
        }
        for (j, party) in domain.parties.iter().enumerate() {
            if domain.parties[..j]
                .iter()
                .any(|other| other.get_ref() == party.get_ref())
            {
                problem(
                    party.span(),
                    format!("domains[{k}].parties[{j}]"),
                    ErrorKind::Duplicate,
                    format!("party `{}` is listed twice", party.get_ref()),
                );
            }
        }
        let (line, column) = line_col(text, domain.path.span().start);
        domains.push(DomainEntry {
            path: domain.path.get_ref().clone(),
            parties: domain.parties.iter().map(|p| p.get_ref().clone()).collect(),
            location: format!("{source}:{line}:{column}: domains[{k}].path"),
            path_at: (line, column),
            parties_at: domain
                .parties
                .iter()
                .map(|p| line_col(text, p.span().start))
                .collect(),
        });
    }
    let config = TournamentConfig {
        name: file.name.into_inner(),
        seed: file.seed,
        repetitions: file.repetitions.map_or(1, Spanned::into_inner),
        rounds: file.rounds.map_or(DEFAULT_ROUNDS, Spanned::into_inner),
        negotiators: file
            .negotiators
            .into_inner()
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        model_checkpoints: file
            .model_checkpoints
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        domains,
    };
    // In the order of the file.
    problems.sort_by_key(|p| p.line_col);
    FormatError::check(problems, config)
}

/// Every key of the configuration `text` that is not one of its fields, top level and in
/// each `[[domains]]` entry; none when the text does not parse (its syntax error says so).
fn unknown_keys(source: &str, text: &str) -> Vec<Problem> {
    use toml::de::{DeTable, DeValue};
    let Ok(document) = DeTable::parse(text) else {
        return Vec::new();
    };
    let expected = |keys: &[&str]| match keys {
        [a, b] => format!("`{a}` or `{b}`"),
        _ => format!(
            "one of {}",
            keys.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut problems = Vec::new();
    let mut unknown =
        |key: &toml::Spanned<toml::de::DeString<'_>>, field: String, keys: &[&str]| {
            problems.push(Problem::at(
                source,
                Some(line_col(text, key.span().start)),
                field,
                ErrorKind::Unknown,
                format!(
                    "unknown field `{}`, expected {}",
                    key.get_ref(),
                    expected(keys)
                ),
            ));
        };
    for (key, value) in document.get_ref() {
        let name: &str = key.get_ref();
        if !CONFIG_KEYS.contains(&name) {
            unknown(key, name.to_string(), &CONFIG_KEYS);
        } else if name == "domains"
            && let DeValue::Array(entries) = value.get_ref()
        {
            for (k, entry) in entries.iter().enumerate() {
                if let DeValue::Table(entry) = entry.get_ref() {
                    for (key, _) in entry {
                        let field: &str = key.get_ref();
                        if !DOMAIN_KEYS.contains(&field) {
                            unknown(key, format!("domains[{k}].{field}"), &DOMAIN_KEYS);
                        }
                    }
                }
            }
        }
    }
    problems
}

/// The problems of the configuration `text` field by field, each value read on its own as
/// its field's type (and each element of a list as its element's), so that a value of the
/// wrong type hides no other; none when the text does not parse.
fn field_problems(source: &str, text: &str) -> Vec<Problem> {
    use serde::de::DeserializeOwned;
    use toml::de::{DeTable, DeValue, ValueDeserializer};
    type Value<'i> = toml::Spanned<DeValue<'i>>;

    /// A problem of `value` read as `T` (field `field`), if any.
    fn check<T: DeserializeOwned>(
        source: &str,
        text: &str,
        value: &Value<'_>,
        field: &str,
    ) -> Option<Problem> {
        let error =
            serde_path_to_error::deserialize::<_, T>(ValueDeserializer::from(value.clone()))
                .err()?;
        let mut problem = schema_problem(source, text, error);
        if problem.line_col.is_none() {
            problem.line_col = Some(line_col(text, value.span().start));
        }
        problem.field = match problem.field.as_str() {
            "" => field.to_string(),
            inner if inner.starts_with('[') => format!("{field}{inner}"),
            inner => format!("{field}.{inner}"),
        };
        Some(problem)
    }
    /// The problems of a list whose elements are `T`: each element's, or the list's.
    fn check_list<T: DeserializeOwned>(
        source: &str,
        text: &str,
        value: &Value<'_>,
        field: &str,
    ) -> Vec<Problem> {
        match value.get_ref().as_array() {
            Some(items) => items
                .iter()
                .enumerate()
                .filter_map(|(k, item)| check::<T>(source, text, item, &format!("{field}[{k}]")))
                .collect(),
            None => check::<Vec<T>>(source, text, value, field)
                .into_iter()
                .collect(),
        }
    }

    let Ok(document) = DeTable::parse(text) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let missing = |at: usize, field: &str, key: &str| {
        Problem::at(
            source,
            Some(line_col(text, at)),
            field,
            ErrorKind::Missing,
            format!("missing field `{key}`"),
        )
    };
    let table = document.get_ref();
    let has = |table: &DeTable<'_>, key: &str| table.iter().any(|(k, _)| k.get_ref() == key);
    for key in ["name", "negotiators", "domains"] {
        if !has(table, key) {
            problems.push(missing(document.span().start, "", key));
        }
    }
    for (key, value) in table {
        let name: &str = key.get_ref();
        match name {
            "name" => problems.extend(check::<String>(source, text, value, name)),
            "seed" => problems.extend(check::<u64>(source, text, value, name)),
            "repetitions" | "rounds" => problems.extend(check::<u32>(source, text, value, name)),
            "seconds" => problems.extend(check::<f64>(source, text, value, name)),
            "negotiators" => problems.extend(check_list::<String>(source, text, value, name)),
            "model_checkpoints" => problems.extend(check_list::<f64>(source, text, value, name)),
            "domains" => match value.get_ref().as_array() {
                None => problems.extend(check::<Vec<()>>(source, text, value, name)),
                Some(entries) => {
                    for (k, entry) in entries.iter().enumerate() {
                        let field = format!("domains[{k}]");
                        let Some(entry_table) = entry.get_ref().as_table() else {
                            problems.extend(check::<DomainFile>(source, text, entry, &field));
                            continue;
                        };
                        if !has(entry_table, "path") {
                            problems.push(missing(entry.span().start, &field, "path"));
                        }
                        for (key, value) in entry_table {
                            let inner = format!("{field}.{}", key.get_ref());
                            match &**key.get_ref() {
                                "path" => {
                                    problems.extend(check::<String>(source, text, value, &inner));
                                }
                                "parties" => {
                                    problems
                                        .extend(check_list::<String>(source, text, value, &inner));
                                }
                                // Unknown keys are [`unknown_keys`]' to name.
                                _ => {}
                            }
                        }
                    }
                }
            },
            _ => {}
        }
    }
    problems
}

fn parse(source: &str, text: &str) -> Result<ConfigFile, FormatError> {
    let deserializer = toml::Deserializer::parse(text).map_err(|e| {
        Problem::at(
            source,
            e.span().map(|s| line_col(text, s.start)),
            "",
            ErrorKind::Syntax,
            first_line(e.message()),
        )
    })?;
    serde_path_to_error::deserialize(deserializer)
        .map_err(|e| FormatError::single(schema_problem(source, text, e)))
}

/// A problem serde found with a value (the field from its path, the kind from its words).
fn schema_problem(
    source: &str,
    text: &str,
    e: serde_path_to_error::Error<toml::de::Error>,
) -> Problem {
    // Spanned values show up in serde's path under a private key.
    let path = e
        .path()
        .to_string()
        .replace(".$__serde_spanned_private_value", "")
        .replace("$__serde_spanned_private_value", "");
    let inner = e.into_inner();
    let message = tidy_message(&first_line(inner.message()));
    let kind = if message.starts_with("missing field") {
        ErrorKind::Missing
    } else if message.starts_with("unknown field") {
        ErrorKind::Unknown
    } else if message.starts_with("invalid type") {
        ErrorKind::WrongType
    } else {
        ErrorKind::Invalid
    };
    let field = if path == "." || path == "?" {
        String::new()
    } else {
        path
    };
    Problem::at(
        source,
        inner.span().map(|s| line_col(text, s.start)),
        field,
        kind,
        message,
    )
}

/// serde's wording in the project's style: no Rust type names.
fn tidy_message(message: &str) -> String {
    message
        .replace("expected u64", "expected a whole number")
        .replace("expected u32", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array")
        .replace("expected a map", "expected a table")
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_string()
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.chars().count(), |k| before[k + 1..].chars().count())
        + 1;
    (line, column)
}

// ---------------------------------------------------------------------------------------
// Results.

/// One session's result as written: a [`NegotiationResult`] with its package as
/// `{point id: option id or number}`. Keys, in this order, are those of the JSON Lines
/// file; the CSV has the same columns except the package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultRecord {
    /// The job's index in the tournament's canonical order.
    pub index: u64,
    /// The domain's name.
    pub domain: String,
    /// The negotiators, one per party in order of play.
    pub line_up: Vec<String>,
    /// The repetition, from 0.
    pub repetition: u32,
    /// The session's seed.
    pub seed: u64,
    /// The package agreed; `null` without agreement.
    pub agreement: Option<Map<String, Value>>,
    /// Each party's discounted utility of the outcome, in order of play.
    pub utilities: Vec<f64>,
    /// Rounds the session took.
    pub rounds: u32,
    /// Normalised time in `[0, 1]` when it ended.
    pub time: f64,
    /// The sum of `utilities`.
    pub welfare: f64,
    /// The agreement's distance to the Pareto frontier (undiscounted utilities).
    pub distance_to_frontier: Option<f64>,
    /// The agreement's distance to the Nash package (undiscounted utilities).
    pub distance_to_nash: Option<f64>,
    /// Per party in order of play, how well its negotiator's opponent model learnt the
    /// others (`null` for a negotiator without one); left out when no negotiator of the
    /// session keeps a model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_quality: Vec<Option<QualityRecord>>,
    /// The same at each of the tournament's `model_checkpoints`; left out when it has none
    /// or no negotiator of the session keeps a model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_quality_over_time: Vec<CheckpointRecord>,
}

/// Opponent-model quality at one moment of a session, as written ([`ModelCheckpoint`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointRecord {
    /// The moment, in normalised time.
    pub time: f64,
    /// Per party in order of play, as [`ResultRecord::model_quality`].
    pub model_quality: Vec<Option<QualityRecord>>,
}

impl CheckpointRecord {
    /// The checkpoint as the core reads it.
    #[must_use]
    pub fn checkpoint(&self) -> ModelCheckpoint {
        ModelCheckpoint {
            time: self.time,
            quality: self
                .model_quality
                .iter()
                .map(|q| q.map(ModelQuality::from))
                .collect(),
        }
    }
}

/// An opponent model's quality as written ([`ModelQuality`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityRecord {
    /// The Pearson correlation of the estimated and true utilities; `null` when either is
    /// constant.
    pub pearson: Option<f64>,
    /// Their mean absolute difference.
    pub mean_abs_error: f64,
    /// The distance of the implied frontier from the true one.
    pub frontier_distance: f64,
}

impl From<ModelQuality> for QualityRecord {
    fn from(q: ModelQuality) -> Self {
        Self {
            pearson: q.pearson,
            mean_abs_error: q.mean_abs_error,
            frontier_distance: q.frontier_distance,
        }
    }
}

impl From<QualityRecord> for ModelQuality {
    fn from(q: QualityRecord) -> Self {
        Self {
            pearson: q.pearson,
            mean_abs_error: q.mean_abs_error,
            frontier_distance: q.frontier_distance,
        }
    }
}

impl ResultRecord {
    /// The record of `result`, a session on `case`.
    #[must_use]
    pub fn new(case: &Case, result: &NegotiationResult) -> Self {
        Self {
            index: result.index,
            domain: result.domain.clone(),
            line_up: result.line_up.clone(),
            repetition: result.repetition,
            seed: result.seed,
            agreement: result
                .agreement
                .as_ref()
                .map(|package| package_map(case, package)),
            utilities: result.utilities.clone(),
            rounds: result.rounds,
            time: result.time,
            welfare: result.welfare,
            distance_to_frontier: result.distance_to_frontier,
            distance_to_nash: result.distance_to_nash,
            model_quality: if result.model_quality.iter().any(Option::is_some) {
                result
                    .model_quality
                    .iter()
                    .map(|q| q.map(QualityRecord::from))
                    .collect()
            } else {
                Vec::new()
            },
            model_quality_over_time: if result.model_quality.iter().any(Option::is_some) {
                result
                    .model_quality_over_time
                    .iter()
                    .map(|c| CheckpointRecord {
                        time: c.time,
                        model_quality: c
                            .quality
                            .iter()
                            .map(|q| q.map(QualityRecord::from))
                            .collect(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Its line-up and model checkpoints, as [`accord_core::learning_curves`] reads them.
    #[must_use]
    pub fn learning(&self) -> (&[String], Cow<'_, [ModelCheckpoint]>) {
        (
            &self.line_up,
            Cow::Owned(
                self.model_quality_over_time
                    .iter()
                    .map(CheckpointRecord::checkpoint)
                    .collect(),
            ),
        )
    }

    /// What [`accord_core::summarize`] reads of it.
    #[must_use]
    pub fn summary_row(&self) -> SummaryRow<'_> {
        SummaryRow {
            domain: &self.domain,
            repetition: self.repetition,
            line_up: &self.line_up,
            agreed: self.agreement.is_some(),
            utilities: &self.utilities,
            welfare: self.welfare,
            distance_to_frontier: self.distance_to_frontier,
            distance_to_nash: self.distance_to_nash,
            model_quality: self
                .model_quality
                .iter()
                .map(|q| q.map(ModelQuality::from))
                .collect(),
        }
    }
}

/// The records as JSON Lines: one compact object per line, each line ending in `\n`.
#[must_use]
pub fn write_jsonl(records: &[ResultRecord]) -> String {
    let mut out = String::new();
    for record in records {
        out.push_str(&serde_json::to_string(record).expect("records serialise to JSON"));
        out.push('\n');
    }
    out
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "index",
    "domain",
    "line_up",
    "repetition",
    "seed",
    "agreement",
    "utilities",
    "rounds",
    "time",
    "welfare",
    "distance_to_frontier",
    "distance_to_nash",
    "model_pearson",
    "model_error",
    "model_frontier_distance",
];

/// The records as CSV (RFC 4180, `\n` line ends) with a header line: the line-up joined
/// with `+`, the agreement as `true` or `false`, utilities joined with `;`, a missing
/// distance empty; the model columns hold one entry per party joined with `;` (empty for
/// a party without a model, `nan` for a correlation that is not defined, and empty as a
/// whole when no party has one).
#[must_use]
pub fn write_csv(records: &[ResultRecord]) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    let number = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
    for r in records {
        let utilities: Vec<String> = r.utilities.iter().map(ToString::to_string).collect();
        let fields = [
            r.index.to_string(),
            csv_field(&r.domain),
            csv_field(&r.line_up.join("+")),
            r.repetition.to_string(),
            r.seed.to_string(),
            r.agreement.is_some().to_string(),
            utilities.join(";"),
            r.rounds.to_string(),
            r.time.to_string(),
            r.welfare.to_string(),
            number(r.distance_to_frontier),
            number(r.distance_to_nash),
            per_seat(&r.model_quality, |q| {
                q.pearson
                    .map_or_else(|| "nan".to_string(), |r| r.to_string())
            }),
            per_seat(&r.model_quality, |q| q.mean_abs_error.to_string()),
            per_seat(&r.model_quality, |q| q.frontier_distance.to_string()),
        ];
        let _ = writeln!(out, "{}", fields.join(","));
    }
    out
}

/// One entry per seat joined with `;`, empty where a seat has no model.
fn per_seat(
    qualities: &[Option<QualityRecord>],
    value: impl Fn(&QualityRecord) -> String,
) -> String {
    qualities
        .iter()
        .map(|q| q.as_ref().map_or_else(String::new, &value))
        .collect::<Vec<_>>()
        .join(";")
}

/// The columns of the summary CSV, in order.
pub const SUMMARY_CSV_COLUMNS: &[&str] = &[
    "negotiator",
    "rank",
    "sessions",
    "agreement_rate",
    "mean_utility",
    "utility_ci95",
    "mean_distance_to_frontier",
    "mean_distance_to_nash",
    "mean_welfare",
    "welfare_ci95",
    "mean_model_pearson",
    "mean_model_error",
    "mean_model_frontier_distance",
];

/// The summary per negotiator as CSV (RFC 4180, `\n` line ends) with a header line: the
/// agreement rate as a share in [0, 1], numbers in full, a missing distance or interval
/// empty.
#[must_use]
pub fn write_summary_csv(rows: &[NegotiatorSummary]) -> String {
    let mut out = SUMMARY_CSV_COLUMNS.join(",");
    out.push('\n');
    for row in rows {
        let _ = writeln!(out, "{}", summary_fields(row).join(","));
    }
    out
}

/// The summary per domain and negotiator as CSV: a `domain` column, then the columns of
/// [`write_summary_csv`]; domains in the order given, negotiators in each as in the
/// summary.
#[must_use]
pub fn write_domain_summary_csv(domains: &[(String, Vec<NegotiatorSummary>)]) -> String {
    let mut out = format!("domain,{}\n", SUMMARY_CSV_COLUMNS.join(","));
    for (domain, rows) in domains {
        for row in rows {
            let _ = writeln!(
                out,
                "{},{}",
                csv_field(domain),
                summary_fields(row).join(",")
            );
        }
    }
    out
}

/// The columns of [`write_learning_csv`], in order.
pub const LEARNING_CSV_COLUMNS: &[&str] = &[
    "negotiator",
    "time",
    "seats",
    "mean_model_pearson",
    "mean_model_error",
    "mean_model_frontier_distance",
];

/// The opponent models' learning curves as CSV ([`accord_core::learning_curves`]): one row
/// per negotiator that keeps a model and checkpoint; an empty mean correlation where it is
/// never defined.
#[must_use]
pub fn write_learning_csv(points: &[LearningPoint]) -> String {
    let mut out = LEARNING_CSV_COLUMNS.join(",");
    out.push('\n');
    for point in points {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            csv_field(&point.name),
            point.time,
            point.seats,
            point
                .mean_pearson
                .map_or_else(String::new, |r| r.to_string()),
            point.mean_error,
            point.mean_frontier_distance
        );
    }
    out
}

/// One summary row's fields, in the order of [`SUMMARY_CSV_COLUMNS`].
fn summary_fields(row: &NegotiatorSummary) -> [String; 13] {
    let number = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
    [
        csv_field(&row.name),
        row.rank.to_string(),
        row.negotiations.to_string(),
        row.agreement_rate.to_string(),
        row.mean_utility.to_string(),
        number(row.utility_ci95),
        number(row.mean_distance_to_frontier),
        number(row.mean_distance_to_nash),
        row.mean_welfare.to_string(),
        number(row.welfare_ci95),
        number(row.mean_model_pearson),
        number(row.mean_model_error),
        number(row.mean_model_frontier_distance),
    ]
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Reads a JSON Lines file of results ([`write_jsonl`]); blank lines are skipped. Every
/// bad line is reported, with its line and column.
pub fn read_jsonl(source: &str, text: &str) -> Result<Vec<ResultRecord>, FormatError> {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (k, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut deserializer = serde_json::Deserializer::from_str(line);
        let parsed = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|e| (e.path().to_string(), e.into_inner()))
            .and_then(|record: ResultRecord| {
                deserializer
                    .end()
                    .map(|()| record)
                    .map_err(|e| (String::new(), e))
            });
        match parsed {
            Ok(record) => records.push(record),
            Err((path, inner)) => {
                let message = inner.to_string();
                let message = message
                    .rfind(" at line ")
                    .map_or(message.as_str(), |at| &message[..at]);
                let kind = if inner.is_syntax() || inner.is_eof() {
                    ErrorKind::Syntax
                } else if message.starts_with("missing field") {
                    ErrorKind::Missing
                } else if message.starts_with("unknown field") {
                    ErrorKind::Unknown
                } else {
                    ErrorKind::WrongType
                };
                let field = if path == "." || path == "?" {
                    String::new()
                } else {
                    path
                };
                problems.push(Problem::at(
                    source,
                    Some((k + 1, inner.column())),
                    field,
                    kind,
                    tidy_message(message),
                ));
            }
        }
    }
    FormatError::check(problems, records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_config(text: &str, expected: &str) {
        let found = match read_config("t.toml", text) {
            Ok(config) => format!("{config:?}"),
            Err(e) => e.to_string(),
        };
        assert_eq!(found, expected, "{text}");
    }

    #[test]
    fn a_full_configuration_is_read() {
        check_config(
            "name = \"n\"\nseed = 3\nrepetitions = 2\nrounds = 50\n\
             negotiators = [\"boulware\", \"linear\"]\n\
             [[domains]]\npath = \"a.toml\"\nparties = [\"x\", \"y\"]\n\
             [[domains]]\npath = \"folder\"\n",
            "TournamentConfig { name: \"n\", seed: 3, repetitions: 2, rounds: 50, \
             negotiators: [\"boulware\", \"linear\"], model_checkpoints: [], domains: [\
             DomainEntry { path: \"a.toml\", parties: [\"x\", \"y\"], location: \"t.toml:7:8: domains[0].path\", \
             path_at: (7, 8), parties_at: [(8, 12), (8, 17)] }, \
             DomainEntry { path: \"folder\", parties: [], location: \"t.toml:10:8: domains[1].path\", \
             path_at: (10, 8), parties_at: [] }] }",
        );
    }

    #[test]
    fn every_problem_is_named_with_its_line_and_field() {
        check_config(
            "name = \"n\"\nrounds = 0\nseconds = 3.0\n\
             negotiators = [\"boulware\", \"nobody\", \"boulware\"]\n\
             [[domains]]\npath = \"a\"\nparties = [\"x\", \"x\"]\n",
            "t.toml:2:10: rounds: `rounds` must be at least 1\n\
             t.toml:3:11: seconds: a tournament's deadline is a number of rounds only: a time \
             budget would make results depend on the machine\nhint: use `rounds = N`\n\
             t.toml:4:28: negotiators[1]: unknown negotiator `nobody`\nhint: the negotiators are \
             boulware, linear, conceder, hardliner, random, tit-for-tat, micro, aspiration, \
             hardheaded, agentk, cuhkagent, atlas3, or a \
             composition boa(offering=..., acceptance=..., model=...)\n\
             t.toml:4:38: negotiators[2]: negotiator `boulware` is listed twice\n\
             t.toml:7:17: domains[0].parties[1]: party `x` is listed twice",
        );
    }

    #[test]
    fn schema_problems_name_the_field() {
        check_config(
            "name = \"n\"\nnegotiators = [\"linear\"]\n[[domains]]\npth = \"a\"\n",
            "t.toml:3:1: domains[0]: missing field `path`\n\
             t.toml:4:1: domains[0].pth: unknown field `pth`, expected `path` or `parties`",
        );
        // An unknown key hides no other problem, of the schema or of the values.
        check_config(
            "name = \"n\"\nrepetitions = \"two\"\nround = 3\nnegotiators = []\ndomains = []\n",
            "t.toml:2:15: repetitions: invalid type: string \"two\", expected a whole number\n\
             t.toml:3:1: round: unknown field `round`, expected one of `name`, `seed`, \
             `repetitions`, `rounds`, `seconds`, `negotiators`, `model_checkpoints`, `domains`",
        );
        check_config(
            "name = \"\"\nround = 3\nnegotiators = [\"linear\"]\n[[domains]]\npath = \"a\"\nwho = 1\n",
            "t.toml:1:8: name: the name is empty\n\
             t.toml:2:1: round: unknown field `round`, expected one of `name`, `seed`, \
             `repetitions`, `rounds`, `seconds`, `negotiators`, `model_checkpoints`, `domains`\n\
             t.toml:6:1: domains[0].who: unknown field `who`, expected `path` or `parties`",
        );
        check_config(
            "name = \"n\"\nrepetitions = \"two\"\nnegotiators = []\ndomains = []\n",
            "t.toml:2:15: repetitions: invalid type: string \"two\", expected a whole number",
        );
        check_config(
            "negotiators = [\"linear\"]\ndomains = []\n",
            "t.toml:1:1: missing field `name`",
        );
        // A value of the wrong type hides no other.
        check_config(
            "name = 3\nseed = -1\nrepetitions = \"two\"\nrounds = 1.5\n\
             negotiators = [\"linear\", 4]\nmodel_checkpoints = \"x\"\n\
             [[domains]]\npath = 7\nparties = [\"a\", false]\n[[domains]]\nparties = []\n",
            "t.toml:1:8: name: invalid type: integer `3`, expected a string\n\
             t.toml:2:8: seed: invalid value: integer `-1`, expected a whole number\n\
             t.toml:3:15: repetitions: invalid type: string \"two\", expected a whole number\n\
             t.toml:4:10: rounds: invalid type: floating point `1.5`, expected a whole number\n\
             t.toml:5:26: negotiators[1]: invalid type: integer `4`, expected a string\n\
             t.toml:6:21: model_checkpoints: invalid type: string \"x\", expected an array\n\
             t.toml:8:8: domains[0].path: invalid type: integer `7`, expected a string\n\
             t.toml:9:17: domains[0].parties[1]: invalid type: boolean `false`, expected a \
             string\n\
             t.toml:10:1: domains[1]: missing field `path`",
        );
        check_config(
            "name = \"n\"\nnegotiators = \"linear\"\ndomains = 3\n",
            "t.toml:2:15: negotiators: invalid type: string \"linear\", expected an array\n\
             t.toml:3:11: domains: invalid type: integer `3`, expected an array",
        );
        check_config(
            "name = \"n\"\nnegotiators = [\"linear\"]\ndomains = [3, \"a.toml\"]\n",
            "t.toml:3:12: domains[0]: invalid type: integer `3`, expected a table \
             `{ path = \"...\", parties = [...] }`\n\
             t.toml:3:15: domains[1]: invalid type: string \"a.toml\", expected a table \
             `{ path = \"...\", parties = [...] }`",
        );
        check_config(
            "name = \n",
            "t.toml:1:8: string values must be quoted, expected literal string",
        );
    }

    fn record(index: u64, agreement: bool) -> ResultRecord {
        let mut package = Map::new();
        package.insert("wage".into(), Value::String("+3%".into()));
        package.insert("hours".into(), serde_json::json!(38));
        ResultRecord {
            index,
            domain: "a, \"b\"".into(),
            line_up: vec!["boulware".into(), "tit-for-tat".into()],
            repetition: 1,
            seed: u64::MAX,
            agreement: agreement.then_some(package),
            utilities: vec![0.1 + 0.2, 1.0 / 3.0],
            rounds: 7,
            time: 0.07,
            welfare: 0.1 + 0.2 + 1.0 / 3.0,
            distance_to_frontier: agreement.then_some(0.0),
            distance_to_nash: agreement.then_some(1e-17),
            // A session with an opponent model (the second seat's), and one without.
            model_quality: if agreement {
                vec![
                    None,
                    Some(QualityRecord {
                        pearson: Some(0.5),
                        mean_abs_error: 0.25,
                        frontier_distance: 0.125,
                    }),
                ]
            } else {
                Vec::new()
            },
            model_quality_over_time: if agreement {
                vec![CheckpointRecord {
                    time: 0.5,
                    model_quality: vec![
                        None,
                        Some(QualityRecord {
                            pearson: None,
                            mean_abs_error: 0.5,
                            frontier_distance: 0.25,
                        }),
                    ],
                }]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn model_checkpoints_are_read_and_checked() {
        let text = "name = \"x\"\nnegotiators = [\"boulware\"]\nmodel_checkpoints = [0.25, 0.5]\n\
                    [[domains]]\npath = \"a\"\n";
        assert_eq!(
            read_config("t.toml", text).unwrap().model_checkpoints,
            [0.25, 0.5]
        );
        let text = "name = \"x\"\nnegotiators = [\"boulware\"]\n\
                    model_checkpoints = [0.5, 0.5, 1.0, 0.75]\n[[domains]]\npath = \"a\"\n";
        assert_eq!(
            read_config("t.toml", text).unwrap_err().to_string(),
            "t.toml:3:27: model_checkpoints[1]: model checkpoint `0.5` is not after the \
             checkpoint before it\n\
             t.toml:3:32: model_checkpoints[2]: model checkpoint `1` is not strictly between 0 \
             and 1 (a moment of the session, in normalised time)"
        );
    }

    #[test]
    fn learning_curves_are_written_one_row_per_negotiator_and_moment() {
        let records = [record(0, true), record(1, false)];
        let names = vec!["boulware".to_string(), "tit-for-tat".to_string()];
        let curve =
            accord_core::learning_curves(&names, records.iter().map(ResultRecord::learning));
        assert_eq!(
            write_learning_csv(&curve),
            "negotiator,time,seats,mean_model_pearson,mean_model_error,\
             mean_model_frontier_distance\ntit-for-tat,0.5,1,,0.5,0.25\n"
        );
    }

    #[test]
    fn two_spellings_of_one_negotiator_are_listed_twice() {
        let text = "name = \"x\"\nnegotiators = [\"boa(model=frequency)\", \"Boulware\", \
                    \"BOA(acceptance=next, model=frequency:learn=0.2)\", \"boulware\"]\n\
                    [[domains]]\npath = \"a\"\n";
        let error = read_config("t.toml", text).unwrap_err().to_string();
        assert_eq!(
            error,
            "t.toml:2:52: negotiators[2]: negotiator `BOA(acceptance=next, \
             model=frequency:learn=0.2)` is listed twice (as `boa(model=frequency)` before)\n\
             t.toml:2:103: negotiators[3]: negotiator `boulware` is listed twice (as `Boulware` \
             before)"
        );
    }

    #[test]
    fn jsonl_reads_back_to_the_same_bytes() {
        let records = vec![record(0, true), record(1, false)];
        let text = write_jsonl(&records);
        assert_eq!(text.lines().count(), 2);
        let read = read_jsonl("r.jsonl", &text).unwrap();
        assert_eq!(read, records);
        assert_eq!(write_jsonl(&read), text);
        assert!(text.starts_with(
            "{\"index\":0,\"domain\":\"a, \\\"b\\\"\",\"line_up\":[\"boulware\",\"tit-for-tat\"],\
             \"repetition\":1,\"seed\":18446744073709551615,\"agreement\":{\"wage\":\"+3%\",\"hours\":38},"
        ));
    }

    #[test]
    fn bad_jsonl_lines_are_each_reported() {
        let good = write_jsonl(&[record(0, false)]);
        let text = format!("{good}\n{{\"index\": 1}}\nnot json\n");
        let error = read_jsonl("r.jsonl", &text).unwrap_err();
        assert_eq!(error.problems.len(), 2);
        assert_eq!(
            error.to_string(),
            "r.jsonl:3:12: missing field `domain`\nr.jsonl:4:2: expected ident"
        );
    }

    #[test]
    fn summary_csv_has_the_documented_columns() {
        let row = |name: &str, distance: Option<f64>| NegotiatorSummary {
            name: name.into(),
            negotiations: 4,
            agreement_rate: 0.75,
            mean_utility: 0.1 + 0.2,
            mean_distance_to_frontier: distance,
            mean_distance_to_nash: distance,
            mean_welfare: 1.0 / 3.0,
            rank: 2,
            utility_ci95: distance.map(|_| 0.125),
            welfare_ci95: None,
            mean_model_pearson: distance.map(|_| 0.5),
            mean_model_error: distance.map(|_| 0.25),
            mean_model_frontier_distance: distance,
        };
        let text = write_summary_csv(&[row("boulware", Some(0.0)), row("a, \"b\"", None)]);
        assert_eq!(
            text,
            "negotiator,rank,sessions,agreement_rate,mean_utility,utility_ci95,\
             mean_distance_to_frontier,mean_distance_to_nash,mean_welfare,welfare_ci95,\
             mean_model_pearson,mean_model_error,mean_model_frontier_distance\n\
             boulware,2,4,0.75,0.30000000000000004,0.125,0,0,0.3333333333333333,,0.5,0.25,0\n\
             \"a, \"\"b\"\"\",2,4,0.75,0.30000000000000004,,,,0.3333333333333333,,,,\n"
        );
    }

    #[test]
    fn csv_has_the_documented_columns() {
        let text = write_csv(&[record(0, true), record(1, false)]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "index,domain,line_up,repetition,seed,agreement,utilities,rounds,time,welfare,\
             distance_to_frontier,distance_to_nash,model_pearson,model_error,model_frontier_distance"
        );
        assert_eq!(
            lines[1],
            "0,\"a, \"\"b\"\"\",boulware+tit-for-tat,1,18446744073709551615,true,\
             0.30000000000000004;0.3333333333333333,7,0.07,0.6333333333333333,0,0.00000000000000001,\
             ;0.5,;0.25,;0.125"
        );
        assert!(lines[2].ends_with(
            ",false,0.30000000000000004;0.3333333333333333,7,0.07,0.6333333333333333,,,,,"
        ));
    }
}
