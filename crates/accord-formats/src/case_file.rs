//! accord's own case file: one schema, written as TOML or JSON (docs/case-format.md).
//!
//! [`read_case`] parses a case file into a validated [`Case`], collecting every problem
//! with its line and column (TOML or JSON) and its path (`points[2].options`);
//! [`write_case`] writes a case back, so that reading what was written gives the same case.
//!
//! ```
//! use accord_formats::case_file::{read_case, write_case, CaseFormat};
//!
//! let text = r#"
//! name = "Labour contract"
//! [[points]]
//! id = "wage"
//! options = ["+1%", "+3%"]
//! [[parties]]
//! id = "union"
//! [parties.position]
//! weights = { wage = 1 }
//! ratings = { wage = { "+1%" = 0, "+3%" = 10 } }
//! "#;
//! let case = read_case("labour.toml", text, CaseFormat::Toml).unwrap();
//! assert_eq!(case.points()[0].options().len(), 2);
//! let again = read_case("out.json", &write_case(&case, CaseFormat::Json), CaseFormat::Json).unwrap();
//! assert_eq!(again, case);
//! ```

use std::collections::HashSet;

use accord_core::{
    AdditiveUtility, Aggregation, Bound, Case, Choice, Condition, ConstraintNode,
    ConstraintUtility, Delegate, Evaluator, OptionIdx, Party, Point, PointIdx, PointKind,
    PointOption, Position, Rectangle, RedLine, Role, UtilityFunction, ValueSet,
};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorKind, FormatError, Problem};
use crate::locate::{
    Locator, Step, deepest_line, field_of, first_line, kind_of, line_col, path_string,
    strip_json_position, tidy_serde_message,
};

/// The two spellings of a case file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseFormat {
    /// TOML 1.1.
    Toml,
    /// JSON.
    Json,
}

impl CaseFormat {
    /// The format a file name's extension names (`.toml` or `.json`).
    #[must_use]
    pub fn from_extension(name: &str) -> Option<Self> {
        match extension(name).as_str() {
            "toml" => Some(Self::Toml),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// The lowercase extension of a file name (empty when there is none).
pub(crate) fn extension(name: &str) -> String {
    std::path::Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// The file schema (serde). Core types are not a wire format: these structs are.

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    points: Vec<PointFile>,
    #[serde(default)]
    parties: Vec<PartyFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    draft: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PointFile {
    id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    options: Option<Vec<OptionFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    range: Option<RangeFile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "an option is an id `\"x\"` or a table `{ id = \"x\", label = \"...\" }`"
)]
enum OptionFile {
    Id(String),
    Full {
        id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        label: String,
    },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeFile {
    min: Value,
    max: Value,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    real: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartyFile {
    id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    delegates: Vec<DelegateFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    position: Option<PositionFile>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DelegateFile {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    title: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PositionFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reservation_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    discount_factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    normalise_weights: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weights: Option<IndexMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ratings: Option<IndexMap<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    constraint: Option<ConstraintFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    red_lines: Vec<RedLineFile>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstraintFile {
    max_utility: f64,
    #[serde(flatten)]
    node: NodeFile,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct NodeFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    aggregation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rectangles: Vec<RectangleFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    children: Vec<NodeFile>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RectangleFile {
    utility: f64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    excludes: bool,
    #[serde(default)]
    bounds: IndexMap<String, [f64; 2]>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RedLineFile {
    #[serde(rename = "if", default, skip_serializing_if = "Option::is_none")]
    when: Option<ConditionFile>,
    point: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    only: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionFile {
    point: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    is: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
}

// ---------------------------------------------------------------------------------------
// Reading.

/// A file's bytes as text: UTF-8, or a problem naming the line and column of the first
/// byte that is not.
pub fn utf8_text(source: &str, bytes: Vec<u8>) -> Result<String, FormatError> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = String::from_utf8_lossy(&bytes[..valid]);
        let (line, column) = line_col(&before, before.len());
        FormatError::single(Problem::at(
            source,
            Some((line, column)),
            "",
            ErrorKind::Syntax,
            format!(
                "byte 0x{:02x} is not UTF-8 (save the file as UTF-8)",
                bytes[valid]
            ),
        ))
    })
}

/// Reads a case file. `source` names it in messages; every problem is collected.
pub fn read_case(source: &str, text: &str, format: CaseFormat) -> Result<Case, FormatError> {
    let file: CaseFile = match format {
        CaseFormat::Toml => parse_toml(source, text)?,
        CaseFormat::Json => parse_json(source, text)?,
    };
    let locator = Locator::new(text, format);
    let mut reader = Reader {
        source,
        locator: &locator,
        problems: Vec::new(),
    };
    let case = reader.case(file);
    FormatError::check(reader.problems, ())?;
    case.ok_or_else(|| {
        // Every rule of Case::new is checked above; this is a safety net.
        FormatError::single(Problem::at(
            source,
            None,
            "",
            ErrorKind::Invalid,
            "the case is not valid",
        ))
    })
}

fn parse_toml(source: &str, text: &str) -> Result<CaseFile, FormatError> {
    let deserializer = toml::Deserializer::parse(text).map_err(|e| {
        let line_col = e.span().map(|s| line_col(text, s.start));
        let message = first_line(e.message());
        if message.contains("recursion limit") {
            return Problem::at(
                source,
                Some(deepest_line(text)),
                "",
                ErrorKind::Syntax,
                "the tables or arrays nest too deeply (a case file nests a few levels)",
            );
        }
        Problem::at(source, line_col, "", ErrorKind::Syntax, message)
    })?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let line_col = inner.span().map(|s| line_col(text, s.start));
        let message = tidy_serde_message(&first_line(inner.message()));
        FormatError::single(Problem::at(
            source,
            line_col,
            field_of(&path),
            kind_of(&message),
            message,
        ))
    })
}

fn parse_json(source: &str, text: &str) -> Result<CaseFile, FormatError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let file: CaseFile = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = tidy_serde_message(&strip_json_position(&inner.to_string()));
        let kind = if inner.is_syntax() || inner.is_eof() {
            ErrorKind::Syntax
        } else {
            kind_of(&message)
        };
        FormatError::single(Problem::at(
            source,
            Some((inner.line(), inner.column())),
            field_of(&path),
            kind,
            message,
        ))
    })?;
    deserializer.end().map_err(|e| {
        Problem::at(
            source,
            Some((e.line(), e.column())),
            "",
            ErrorKind::Syntax,
            strip_json_position(&e.to_string()),
        )
    })?;
    Ok(file)
}

pub(crate) struct Reader<'a, 't> {
    pub(crate) source: &'a str,
    pub(crate) locator: &'a Locator<'t>,
    pub(crate) problems: Vec<Problem>,
}

pub(crate) fn key(name: &str) -> Step {
    Step::Key(name.to_string())
}

impl Reader<'_, '_> {
    pub(crate) fn problem(&mut self, path: &[Step], kind: ErrorKind, message: impl Into<String>) {
        let line_col = self.locator.locate(path);
        self.problems.push(Problem::at(
            self.source,
            line_col,
            path_string(path),
            kind,
            message,
        ));
    }

    fn case(&mut self, file: CaseFile) -> Option<Case> {
        if file.points.is_empty() {
            self.problem(
                &[key("points")],
                ErrorKind::Missing,
                "a case needs at least one point",
            );
        }
        let points: Vec<Point> = file
            .points
            .into_iter()
            .enumerate()
            .map(|(k, p)| self.point(&[key("points"), Step::Index(k)], p))
            .collect();
        // A point defined twice is reported once: the parties are read against the first
        // definition alone, so that the second adds no errors of its own.
        let mut seen = HashSet::new();
        let mut first = Vec::with_capacity(points.len());
        for (k, point) in points.into_iter().enumerate() {
            if seen.insert(point.id.clone()) {
                first.push(point);
            } else {
                self.problem(
                    &[key("points"), Step::Index(k), key("id")],
                    ErrorKind::Duplicate,
                    format!("point `{}` is defined twice", point.id),
                );
            }
        }
        let points = first;
        let mut parties = Vec::new();
        let mut seen = HashSet::new();
        for (k, party) in file.parties.into_iter().enumerate() {
            let path = [key("parties"), Step::Index(k)];
            if !seen.insert(party.id.clone()) {
                self.problem(
                    &[key("parties"), Step::Index(k), key("id")],
                    ErrorKind::Duplicate,
                    format!("party `{}` is defined twice", party.id),
                );
            }
            parties.push(self.party(&path, party, &points));
        }
        if !self.problems.is_empty() {
            return None;
        }
        let case = Case::new(file.name, points, parties)
            .map(|case| case.with_description(file.description))
            .map_err(|errors| {
                for error in errors.0 {
                    self.problem(&[], ErrorKind::Invalid, error.to_string());
                }
            })
            .ok()?;
        let Some(draft) = file.draft else {
            return Some(case);
        };
        let package = self.package(&[key("draft")], &draft, &case);
        if !self.problems.is_empty() {
            return None;
        }
        case.with_draft(package)
            .map_err(|errors| {
                for error in errors.0 {
                    self.problem(&[key("draft")], ErrorKind::Invalid, error.to_string());
                }
            })
            .ok()
    }

    fn point(&mut self, path: &[Step], file: PointFile) -> Point {
        let at = |name: &str| [path, &[key(name)]].concat();
        let kind = match (file.options, file.range) {
            (Some(options), None) => {
                if options.is_empty() {
                    self.problem(
                        &at("options"),
                        ErrorKind::Invalid,
                        format!("point `{}` has no options", file.id),
                    );
                }
                let options: Vec<PointOption> = options
                    .into_iter()
                    .map(|o| match o {
                        OptionFile::Id(id) => PointOption::new(id),
                        OptionFile::Full { id, label } => PointOption { id, label },
                    })
                    .collect();
                let mut seen = HashSet::new();
                for (k, option) in options.iter().enumerate() {
                    if !seen.insert(option.id.as_str()) {
                        self.problem(
                            &[path, &[key("options"), Step::Index(k)]].concat(),
                            ErrorKind::Duplicate,
                            format!("option `{}` is listed twice", option.id),
                        );
                    }
                }
                PointKind::Options(options)
            }
            (None, Some(range)) => self.range(&at("range"), &file.id, &range),
            (Some(_), Some(_)) => {
                self.problem(
                    path,
                    ErrorKind::Invalid,
                    format!(
                        "point `{}` has both `options` and `range`; give one",
                        file.id
                    ),
                );
                PointKind::Options(vec![])
            }
            (None, None) => {
                self.problem(
                    path,
                    ErrorKind::Missing,
                    format!("point `{}` needs `options` or `range`", file.id),
                );
                PointKind::Options(vec![])
            }
        };
        Point {
            id: file.id,
            title: file.title,
            text: file.text,
            kind,
        }
    }

    fn range(&mut self, path: &[Step], point: &str, range: &RangeFile) -> PointKind {
        let mut number = |name: &str, value: &Value| -> Option<f64> {
            let n = value.as_f64();
            if n.is_none() {
                let at = [path, &[key(name)]].concat();
                let message = not_a_number(&self.locator.shown(&at, value), value);
                self.problem(&at, ErrorKind::WrongType, message);
            }
            n
        };
        let (Some(min), Some(max)) = (number("min", &range.min), number("max", &range.max)) else {
            return PointKind::Options(vec![]);
        };
        let kind = match (range.real, range.min.as_i64(), range.max.as_i64()) {
            (false, Some(min), Some(max)) => PointKind::Integer { min, max },
            (false, _, _) => {
                self.problem(
                    path,
                    ErrorKind::WrongType,
                    "an integer range needs integer bounds; add `real = true` for a real range",
                );
                // Keep it a range so its ratings and red lines are checked as a range's.
                return PointKind::Real { min, max };
            }
            (true, _, _) => PointKind::Real { min, max },
        };
        if min > max {
            self.problem(
                path,
                ErrorKind::Invalid,
                format!("point `{point}`: the range `{min}..={max}` is empty"),
            );
        }
        kind
    }

    fn party(&mut self, path: &[Step], file: PartyFile, points: &[Point]) -> Party {
        let role = match file.role.as_deref() {
            None | Some("party") => Role::Party,
            Some("mediator") => Role::Mediator,
            Some("observer") => Role::Observer,
            Some(other) => {
                self.problem(
                    &[path, &[key("role")]].concat(),
                    ErrorKind::Invalid,
                    format!("unknown role `{other}`\nhint: use `party`, `mediator` or `observer`"),
                );
                Role::Party
            }
        };
        let position = file.position.map(|position| {
            let at = [path, &[key("position")]].concat();
            if role != Role::Party {
                self.problem(
                    &at,
                    ErrorKind::Invalid,
                    format!("{} cannot hold a position", role.with_article()),
                );
            }
            self.position(&at, position, points)
        });
        Party {
            name: if file.name.is_empty() {
                file.id.clone()
            } else {
                file.name
            },
            id: file.id,
            role,
            delegates: file
                .delegates
                .into_iter()
                .map(|d| Delegate {
                    name: d.name,
                    title: d.title,
                })
                .collect(),
            position,
        }
    }

    fn point_by_id(&mut self, path: &[Step], points: &[Point], id: &str) -> Option<usize> {
        let found = points.iter().position(|p| p.id == id);
        if found.is_none() {
            self.problem(path, ErrorKind::Unknown, format!("no point `{id}`"));
        }
        found
    }

    fn position(&mut self, path: &[Step], file: PositionFile, points: &[Point]) -> Position {
        let at = |name: &str| [path, &[key(name)]].concat();
        let utility = match (file.weights, file.constraint) {
            (Some(weights), None) => UtilityFunction::Additive(self.additive(
                path,
                &weights,
                file.ratings.as_ref(),
                file.normalise_weights.unwrap_or(true),
                points,
            )),
            (None, Some(constraint)) => {
                if file.ratings.is_some() {
                    self.problem(
                        &at("ratings"),
                        ErrorKind::Invalid,
                        "`ratings` belong with `weights`, not with `constraint`",
                    );
                }
                UtilityFunction::Constraint(ConstraintUtility {
                    max_utility: self.positive(
                        &at("constraint"),
                        "max_utility",
                        constraint.max_utility,
                    ),
                    root: self.node(&at("constraint"), constraint.node, points),
                })
            }
            (Some(_), Some(_)) => {
                self.problem(
                    path,
                    ErrorKind::Invalid,
                    "give `weights` (additive) or `constraint`, not both",
                );
                UtilityFunction::Additive(AdditiveUtility::new(vec![], vec![]))
            }
            (None, None) => {
                self.problem(
                    path,
                    ErrorKind::Missing,
                    "a position needs `weights` and `ratings` (or a `constraint`)",
                );
                UtilityFunction::Additive(AdditiveUtility::new(vec![], vec![]))
            }
        };
        let reservation_value = file.reservation_value.unwrap_or(0.0);
        if !reservation_value.is_finite() {
            self.problem(
                &at("reservation_value"),
                ErrorKind::Invalid,
                format!("`{reservation_value}` is not a finite number"),
            );
        } else if !(0.0..=1.0).contains(&reservation_value) {
            // Utilities lie in 0..1: above 1 nothing would be acceptable, below 0 the
            // walk-away would be worse than any package.
            self.problem(
                &at("reservation_value"),
                ErrorKind::Invalid,
                format!(
                    "reservation value `{reservation_value}` is outside 0 to 1, the range of utilities"
                ),
            );
        }
        let discount_factor = file.discount_factor.unwrap_or(1.0);
        if !(discount_factor > 0.0 && discount_factor <= 1.0) {
            self.problem(
                &at("discount_factor"),
                ErrorKind::Invalid,
                format!("`{discount_factor}` must be in (0, 1]"),
            );
        }
        let red_lines = file
            .red_lines
            .into_iter()
            .enumerate()
            .filter_map(|(k, r)| {
                self.red_line(
                    &[path, &[key("red_lines"), Step::Index(k)]].concat(),
                    r,
                    points,
                )
            })
            .collect();
        Position {
            utility,
            red_lines,
            reservation_value,
            discount_factor,
        }
    }

    fn positive(&mut self, path: &[Step], name: &str, value: f64) -> f64 {
        if !(value.is_finite() && value > 0.0) {
            self.problem(
                &[path, &[key(name)]].concat(),
                ErrorKind::Invalid,
                format!("`{value}` must be a positive number"),
            );
        }
        value
    }

    fn additive(
        &mut self,
        path: &[Step],
        weights: &IndexMap<String, f64>,
        ratings: Option<&IndexMap<String, Value>>,
        normalise: bool,
        points: &[Point],
    ) -> AdditiveUtility {
        let weights_path = [path, &[key("weights")]].concat();
        let mut by_point = vec![0.0; points.len()];
        let mut refused = false;
        for (id, &weight) in weights {
            let at = [weights_path.as_slice(), &[key(id)]].concat();
            let Some(k) = self.point_by_id(&at, points, id) else {
                continue;
            };
            if !(weight.is_finite() && weight >= 0.0) {
                let message = if weight.is_finite() {
                    format!("weight `{weight}` must be a number >= 0")
                } else {
                    let shown = if weight.is_nan() {
                        "nan".to_string()
                    } else {
                        weight.to_string()
                    };
                    format!("weight `{shown}` is not a finite number")
                };
                self.problem(&at, ErrorKind::Invalid, message);
                refused = true;
            }
            by_point[k] = weight;
        }
        let mut sum: f64 = by_point.iter().sum();
        if normalise && sum.is_infinite() && by_point.iter().all(|w| w.is_finite()) {
            // Finite weights whose sum overflows: scaled by the largest first.
            let largest = by_point.iter().copied().fold(0.0, f64::max);
            for w in &mut by_point {
                *w /= largest;
            }
            sum = by_point.iter().sum();
        }
        if normalise {
            if sum > 0.0 && sum.is_finite() {
                // Weights are relative; a set that already sums to 1 is kept bit for bit.
                if (sum - 1.0).abs() > 1e-12 {
                    for w in &mut by_point {
                        *w /= sum;
                    }
                }
            } else if !refused && by_point.iter().all(|w| *w >= 0.0) {
                self.problem(
                    &weights_path,
                    ErrorKind::Invalid,
                    "the weights are all zero\nhint: give at least one point a positive weight",
                );
            }
        }
        let ratings_path = [path, &[key("ratings")]].concat();
        let empty = IndexMap::new();
        let ratings = ratings.unwrap_or(&empty);
        for id in ratings.keys() {
            if !points.iter().any(|p| &p.id == id) {
                self.problem(
                    &[ratings_path.as_slice(), &[key(id)]].concat(),
                    ErrorKind::Unknown,
                    format!("no point `{id}`"),
                );
            }
        }
        let evaluators = points
            .iter()
            .zip(&by_point)
            .map(|(point, &weight)| {
                let at = [ratings_path.as_slice(), &[key(&point.id)]].concat();
                match ratings.get(&point.id) {
                    Some(value) => self.evaluator(&at, point, value),
                    None if weight > 0.0 => {
                        self.problem(
                            &at,
                            ErrorKind::Missing,
                            format!("point `{}` has a weight but no ratings", point.id),
                        );
                        Evaluator::Constant(0.0)
                    }
                    None => match point.kind {
                        PointKind::Options(ref options) => {
                            Evaluator::Options(vec![0.0; options.len()])
                        }
                        _ => Evaluator::Constant(0.0),
                    },
                }
            })
            .collect();
        AdditiveUtility::new(by_point, evaluators)
    }

    fn evaluator(&mut self, path: &[Step], point: &Point, value: &Value) -> Evaluator {
        match (&point.kind, value) {
            // A point without options was refused already (no options, or a range that does
            // not read): its ratings cannot be checked against it.
            (PointKind::Options(options), _) if options.is_empty() => Evaluator::Options(vec![]),
            (PointKind::Options(options), Value::Object(map)) => {
                let mut scores = vec![f64::NAN; options.len()];
                for (id, rating) in map {
                    let at = [path, &[key(id)]].concat();
                    let Some(k) = point.option_idx(id) else {
                        self.problem(
                            &at,
                            ErrorKind::Unknown,
                            format!("point `{}` has no option `{id}`", point.id),
                        );
                        continue;
                    };
                    match rating.as_f64() {
                        Some(r) if r >= 0.0 => scores[k.0] = r,
                        Some(r) => self.problem(
                            &at,
                            ErrorKind::Invalid,
                            format!("rating `{r}` must be >= 0"),
                        ),
                        None => {
                            let message = not_a_number(&self.locator.shown(&at, rating), rating);
                            self.problem(&at, ErrorKind::WrongType, message);
                        }
                    }
                }
                for (option, score) in options.iter().zip(&mut scores) {
                    if score.is_nan() {
                        if !map.contains_key(&option.id) {
                            self.problem(
                                path,
                                ErrorKind::Missing,
                                format!("option `{}` has no rating", option.id),
                            );
                        }
                        *score = 0.0;
                    }
                }
                Evaluator::Options(scale_by_max(scores))
            }
            (PointKind::Options(_), _) => {
                self.problem(
                    path,
                    ErrorKind::WrongType,
                    "ratings of a point with options are a table `{ option = rating }`",
                );
                Evaluator::Constant(0.0)
            }
            (_, Value::Array(pairs)) => {
                let mut breakpoints = Vec::new();
                for (k, pair) in pairs.iter().enumerate() {
                    let at = [path, &[Step::Index(k)]].concat();
                    match pair
                        .as_array()
                        .map(|p| p.iter().map(Value::as_f64).collect::<Vec<_>>())
                        .as_deref()
                    {
                        Some([Some(x), Some(y)]) if *y >= 0.0 => breakpoints.push((*x, *y)),
                        Some([Some(_), Some(y)]) => self.problem(
                            &at,
                            ErrorKind::Invalid,
                            format!("rating `{y}` must be >= 0"),
                        ),
                        _ => self.problem(
                            &at,
                            ErrorKind::WrongType,
                            format!("`{pair}` is not a pair `[value, rating]`"),
                        ),
                    }
                }
                if breakpoints.is_empty() {
                    self.problem(
                        path,
                        ErrorKind::Missing,
                        "a value function needs at least one `[value, rating]` pair",
                    );
                }
                if breakpoints.windows(2).any(|w| w[0].0 >= w[1].0) {
                    self.problem(
                        path,
                        ErrorKind::Invalid,
                        "`[value, rating]` pairs must be in increasing order of value",
                    );
                }
                let max = breakpoints.iter().map(|b| b.1).fold(0.0, f64::max);
                Evaluator::Piecewise(
                    breakpoints
                        .into_iter()
                        .map(|(x, y)| {
                            (
                                x,
                                if max > 0.0 && max != 1.0 {
                                    y / max
                                } else if max > 0.0 {
                                    y
                                } else {
                                    0.0
                                },
                            )
                        })
                        .collect(),
                )
            }
            (_, Value::Object(map)) => self.function(path, map),
            _ => {
                self.problem(
                    path,
                    ErrorKind::WrongType,
                    "ratings of a range are `[[value, rating], ...]` or a function table",
                );
                Evaluator::Constant(0.0)
            }
        }
    }

    fn function(&mut self, path: &[Step], map: &serde_json::Map<String, Value>) -> Evaluator {
        const HINT: &str = "hint: use `{ linear = { origin, offset, slope } }`, `{ triangular = [lower, top, upper] }` or `{ constant = x }`";
        let names: Vec<&String> = map.keys().collect();
        let [name] = names.as_slice() else {
            let found = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.problem(
                path,
                ErrorKind::Invalid,
                format!(
                    "a value function is one of `linear`, `triangular`, `constant`; found {}\n{HINT}",
                    if found.is_empty() { "none" } else { &found }
                ),
            );
            return Evaluator::Constant(0.0);
        };
        let at = [path, &[key(name)]].concat();
        let value = &map[name.as_str()];
        // A finite number at `at`, or a problem (NaN and infinities read as `null`).
        let finite = |reader: &mut Self, at: &[Step], value: Option<&Value>, what: &str| {
            let number = value.and_then(Value::as_f64).filter(|x| x.is_finite());
            if number.is_none() {
                let message = match value {
                    None => format!("`{what}` is missing"),
                    Some(Value::Null) => format!("`{what}` is not a finite number"),
                    Some(other) => format!("`{what}` is not a number: `{other}`"),
                };
                reader.problem(at, ErrorKind::Invalid, message);
            }
            number
        };
        let evaluator = match name.as_str() {
            "linear" => {
                match value {
                    Value::Object(linear) => {
                        let unknown: Vec<&String> = linear
                            .keys()
                            .filter(|k| !["origin", "offset", "slope"].contains(&k.as_str()))
                            .collect();
                        for extra in &unknown {
                            self.problem(
                            &[at.as_slice(), &[key(extra)]].concat(),
                            ErrorKind::Unknown,
                            format!("unknown field `{extra}`, expected `origin`, `offset` or `slope`"),
                        );
                        }
                        let get = |reader: &mut Self, name: &str| {
                            finite(
                                reader,
                                &[at.as_slice(), &[key(name)]].concat(),
                                linear.get(name),
                                name,
                            )
                        };
                        let (origin, offset, slope) =
                            (get(self, "origin"), get(self, "offset"), get(self, "slope"));
                        match (origin, offset, slope) {
                            (Some(origin), Some(offset), Some(slope)) if unknown.is_empty() => {
                                Some(Evaluator::Linear {
                                    origin,
                                    offset,
                                    slope,
                                })
                            }
                            _ => return Evaluator::Constant(0.0),
                        }
                    }
                    _ => None,
                }
            }
            "triangular" => match value {
                Value::Array(t) if t.len() == 3 => {
                    let corners: Vec<Option<f64>> = ["lower", "top", "upper"]
                        .iter()
                        .enumerate()
                        .map(|(k, what)| {
                            finite(
                                self,
                                &[at.as_slice(), &[Step::Index(k)]].concat(),
                                t.get(k),
                                what,
                            )
                        })
                        .collect();
                    match corners.as_slice() {
                        [Some(lower), Some(top), Some(upper)] if lower <= top && top <= upper => {
                            Some(Evaluator::Triangular {
                                lower: *lower,
                                top: *top,
                                upper: *upper,
                            })
                        }
                        [Some(lower), Some(top), Some(upper)] => {
                            self.problem(
                                &at,
                                ErrorKind::Invalid,
                                format!(
                                    "the corners `[{lower}, {top}, {upper}]` are not in order: \
                                     lower <= top <= upper"
                                ),
                            );
                            return Evaluator::Constant(0.0);
                        }
                        _ => return Evaluator::Constant(0.0),
                    }
                }
                _ => None,
            },
            "constant" => match finite(self, &at, Some(value), "constant") {
                Some(x) => Some(Evaluator::Constant(x)),
                None => return Evaluator::Constant(0.0),
            },
            _ => None,
        };
        evaluator.unwrap_or_else(|| {
            let message = match name.as_str() {
                "linear" => format!("`linear` is a table `{{ origin, offset, slope }}`\n{HINT}"),
                "triangular" => {
                    format!("`triangular` is a list of three numbers `[lower, top, upper]`\n{HINT}")
                }
                other => format!("unknown value function `{other}`\n{HINT}"),
            };
            self.problem(&at, ErrorKind::Invalid, message);
            Evaluator::Constant(0.0)
        })
    }

    fn node(&mut self, path: &[Step], file: NodeFile, points: &[Point]) -> ConstraintNode {
        let aggregation = match file.aggregation.as_deref() {
            None | Some("sum") => Aggregation::Sum,
            Some("min") => Aggregation::Min,
            Some("max") => Aggregation::Max,
            Some(other) => {
                self.problem(
                    &[path, &[key("aggregation")]].concat(),
                    ErrorKind::Invalid,
                    format!("unknown aggregation `{other}`\nhint: use `sum`, `min` or `max`"),
                );
                Aggregation::Sum
            }
        };
        let rectangles = file
            .rectangles
            .into_iter()
            .enumerate()
            .map(|(k, r)| {
                let at = [path, &[key("rectangles"), Step::Index(k), key("bounds")]].concat();
                let bounds = r
                    .bounds
                    .iter()
                    .filter_map(|(id, [min, max])| {
                        let here = [at.as_slice(), &[key(id)]].concat();
                        let point = self.point_by_id(&here, points, id)?;
                        if min > max {
                            self.problem(
                                &here,
                                ErrorKind::Invalid,
                                format!("the bound `[{min}, {max}]` is empty"),
                            );
                        }
                        Some(Bound {
                            point: PointIdx(point),
                            min: *min,
                            max: *max,
                        })
                    })
                    .collect();
                Rectangle {
                    utility: r.utility,
                    excludes: r.excludes,
                    bounds,
                }
            })
            .collect();
        let children = file
            .children
            .into_iter()
            .enumerate()
            .map(|(k, c)| {
                self.node(
                    &[path, &[key("children"), Step::Index(k)]].concat(),
                    c,
                    points,
                )
            })
            .collect();
        ConstraintNode {
            aggregation,
            weight: file.weight.unwrap_or(1.0),
            rectangles,
            children,
        }
    }

    fn options(&mut self, path: &[Step], point: &Point, ids: &[String]) -> Vec<OptionIdx> {
        ids.iter()
            .enumerate()
            .filter_map(|(k, id)| {
                let idx = point.option_idx(id);
                if idx.is_none() {
                    self.problem(
                        &[path, &[Step::Index(k)]].concat(),
                        ErrorKind::Unknown,
                        format!("point `{}` has no option `{id}`", point.id),
                    );
                }
                idx
            })
            .collect()
    }

    /// The value set of a condition or red line: options, or a `min`/`max` range.
    fn value_set(
        &mut self,
        path: &[Step],
        point: &Point,
        options: Option<(&str, &[String])>,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Option<ValueSet> {
        // A point without options was refused already (no options, or a range that does
        // not read).
        if matches!(&point.kind, PointKind::Options(options) if options.is_empty()) {
            return None;
        }
        let is_options = matches!(point.kind, PointKind::Options(_));
        match (options, min.is_some() || max.is_some()) {
            (Some((name, ids)), false) if is_options => Some(ValueSet::Options(self.options(
                &[path, &[key(name)]].concat(),
                point,
                ids,
            ))),
            (None, true) if !is_options => {
                let mut sound = true;
                for (name, bound) in [("min", min), ("max", max)] {
                    if bound.is_some_and(f64::is_nan) {
                        self.problem(
                            &[path, &[key(name)]].concat(),
                            ErrorKind::Invalid,
                            format!("`{name}` is not a number"),
                        );
                        sound = false;
                    }
                }
                let (min, max) = (
                    min.unwrap_or(f64::NEG_INFINITY),
                    max.unwrap_or(f64::INFINITY),
                );
                if sound && min > max {
                    self.problem(
                        &[path, &[key("min")]].concat(),
                        ErrorKind::Invalid,
                        format!("the values `{min}..={max}` are none: `min` is above `max`"),
                    );
                    sound = false;
                }
                sound.then_some(ValueSet::Range { min, max })
            }
            (_, _) if is_options => {
                self.problem(
                    path,
                    ErrorKind::Invalid,
                    format!(
                        "point `{}` has options: name them with `not` or `only` (`min`/`max` are for ranges)",
                        point.id
                    ),
                );
                None
            }
            _ => {
                self.problem(
                    path,
                    ErrorKind::Invalid,
                    format!("point `{}` is a range: give `min` and/or `max`", point.id),
                );
                None
            }
        }
    }

    fn red_line(&mut self, path: &[Step], file: RedLineFile, points: &[Point]) -> Option<RedLine> {
        let point_idx = self.point_by_id(&[path, &[key("point")]].concat(), points, &file.point);
        let when = match file.when {
            Some(c) => {
                let at = [path, &[key("if")]].concat();
                let idx =
                    self.point_by_id(&[at.as_slice(), &[key("point")]].concat(), points, &c.point);
                let values = idx.and_then(|k| {
                    self.value_set(
                        &at,
                        &points[k],
                        c.is.as_deref().map(|v| ("is", v)),
                        c.min,
                        c.max,
                    )
                });
                Some(Condition {
                    point: PointIdx(idx?),
                    values: values?,
                })
            }
            None => None,
        };
        let point = &points[point_idx?];
        let require = match (&file.not, &file.only) {
            (Some(_), Some(_)) => {
                self.problem(path, ErrorKind::Invalid, "give `not` or `only`, not both");
                return None;
            }
            (Some(not), None) => {
                match self.value_set(path, point, Some(("not", not)), file.min, file.max)? {
                    ValueSet::Options(forbidden) => ValueSet::Options(
                        (0..point.options().len())
                            .map(OptionIdx)
                            .filter(|o| !forbidden.contains(o))
                            .collect(),
                    ),
                    range @ ValueSet::Range { .. } => range,
                }
            }
            (None, only) => self.value_set(
                path,
                point,
                only.as_deref().map(|v| ("only", v)),
                file.min,
                file.max,
            )?,
        };
        Some(RedLine {
            when,
            require: Condition {
                point: PointIdx(point_idx?),
                values: require,
            },
        })
    }
}

/// The problem of a value that should be a number: `shown` as written; a null (read from
/// `nan` or an infinity) is a number, but not a finite one.
fn not_a_number(shown: &str, value: &Value) -> String {
    if value.is_null() {
        format!("`{shown}` is not a finite number")
    } else {
        format!("`{shown}` is not a number")
    }
}

/// Divides scores by their maximum (GENIUS' rule, so a 0..10 scale works); all-zero stays zero.
fn scale_by_max(scores: Vec<f64>) -> Vec<f64> {
    let max = scores.iter().copied().fold(0.0, f64::max);
    if max > 0.0 && max != 1.0 {
        scores.into_iter().map(|s| s / max).collect()
    } else {
        scores
    }
}

// ---------------------------------------------------------------------------------------
// Writing.

/// Writes a case as a case file that [`read_case`] reads back to the same case.
#[must_use]
pub fn write_case(case: &Case, format: CaseFormat) -> String {
    let file = CaseFile {
        name: case.name().to_string(),
        description: case.description().to_string(),
        points: case.points().iter().map(point_file).collect(),
        parties: case
            .parties()
            .iter()
            .map(|party| PartyFile {
                id: party.id.clone(),
                name: if party.name == party.id {
                    String::new()
                } else {
                    party.name.clone()
                },
                role: (party.role != Role::Party).then(|| party.role.as_str().to_string()),
                delegates: party
                    .delegates
                    .iter()
                    .map(|d| DelegateFile {
                        name: d.name.clone(),
                        title: d.title.clone(),
                    })
                    .collect(),
                position: party
                    .position
                    .as_ref()
                    .map(|p| position_file(case.points(), p)),
            })
            .collect(),
        draft: case
            .draft()
            .map(|draft| crate::analysis_json::package_map(case, draft)),
    };
    match format {
        CaseFormat::Toml => toml::to_string_pretty(&file).expect("case files serialise to TOML"),
        CaseFormat::Json => {
            let mut text =
                serde_json::to_string_pretty(&file).expect("case files serialise to JSON");
            text.push('\n');
            text
        }
    }
}

fn point_file(point: &Point) -> PointFile {
    let (options, range) = match &point.kind {
        PointKind::Options(options) => (
            Some(
                options
                    .iter()
                    .map(|o| {
                        if o.label.is_empty() {
                            OptionFile::Id(o.id.clone())
                        } else {
                            OptionFile::Full {
                                id: o.id.clone(),
                                label: o.label.clone(),
                            }
                        }
                    })
                    .collect(),
            ),
            None,
        ),
        PointKind::Integer { min, max } => (
            None,
            Some(RangeFile {
                min: (*min).into(),
                max: (*max).into(),
                real: false,
            }),
        ),
        PointKind::Real { min, max } => (
            None,
            Some(RangeFile {
                min: (*min).into(),
                max: (*max).into(),
                real: true,
            }),
        ),
    };
    PointFile {
        id: point.id.clone(),
        title: point.title.clone(),
        text: point.text.clone(),
        options,
        range,
    }
}

fn position_file(points: &[Point], position: &Position) -> PositionFile {
    let mut file = PositionFile {
        reservation_value: (position.reservation_value != 0.0)
            .then_some(position.reservation_value),
        discount_factor: (position.discount_factor != 1.0).then_some(position.discount_factor),
        ..PositionFile::default()
    };
    match &position.utility {
        UtilityFunction::Additive(additive) => {
            let sum: f64 = additive.weights().iter().sum();
            if (sum - 1.0).abs() > 1e-12 {
                file.normalise_weights = Some(false);
            }
            file.weights = Some(
                points
                    .iter()
                    .zip(additive.weights())
                    .map(|(p, w)| (p.id.clone(), *w))
                    .collect(),
            );
            file.ratings = Some(
                points
                    .iter()
                    .zip(additive.evaluators())
                    .map(|(p, e)| (p.id.clone(), evaluator_value(p, e)))
                    .collect(),
            );
        }
        UtilityFunction::Constraint(constraint) => {
            file.constraint = Some(ConstraintFile {
                max_utility: constraint.max_utility,
                node: node_file(points, &constraint.root),
            });
        }
    }
    file.red_lines = position
        .red_lines
        .iter()
        .map(|r| red_line_file(points, r))
        .collect();
    file
}

fn evaluator_value(point: &Point, evaluator: &Evaluator) -> Value {
    match evaluator {
        Evaluator::Options(scores) => Value::Object(
            point
                .options()
                .iter()
                .zip(scores)
                .map(|(o, s)| (o.id.clone(), Value::from(*s)))
                .collect(),
        ),
        Evaluator::Linear {
            origin,
            offset,
            slope,
        } => {
            serde_json::json!({ "linear": { "origin": origin, "offset": offset, "slope": slope } })
        }
        Evaluator::Piecewise(breakpoints) => Value::Array(
            breakpoints
                .iter()
                .map(|(x, y)| serde_json::json!([x, y]))
                .collect(),
        ),
        Evaluator::Triangular { lower, top, upper } => {
            serde_json::json!({ "triangular": [lower, top, upper] })
        }
        Evaluator::Constant(c) => serde_json::json!({ "constant": c }),
    }
}

fn node_file(points: &[Point], node: &ConstraintNode) -> NodeFile {
    NodeFile {
        aggregation: match node.aggregation {
            Aggregation::Sum => None,
            Aggregation::Min => Some("min".into()),
            Aggregation::Max => Some("max".into()),
        },
        weight: (node.weight != 1.0).then_some(node.weight),
        rectangles: node
            .rectangles
            .iter()
            .map(|r| RectangleFile {
                utility: r.utility,
                excludes: r.excludes,
                bounds: r
                    .bounds
                    .iter()
                    .map(|b| (points[b.point.0].id.clone(), [b.min, b.max]))
                    .collect(),
            })
            .collect(),
        children: node.children.iter().map(|c| node_file(points, c)).collect(),
    }
}

fn option_ids(point: &Point, options: &[OptionIdx]) -> Vec<String> {
    options
        .iter()
        .map(|o| point.choice_label(&Choice::Option(*o)))
        .collect()
}

fn red_line_file(points: &[Point], red_line: &RedLine) -> RedLineFile {
    let point = &points[red_line.require.point.0];
    let mut file = RedLineFile {
        point: point.id.clone(),
        ..RedLineFile::default()
    };
    match &red_line.require.values {
        ValueSet::Options(allowed) => {
            let forbidden: Vec<OptionIdx> = (0..point.options().len())
                .map(OptionIdx)
                .filter(|o| !allowed.contains(o))
                .collect();
            if forbidden.len() <= allowed.len() {
                file.not = Some(option_ids(point, &forbidden));
            } else {
                file.only = Some(option_ids(point, allowed));
            }
        }
        ValueSet::Range { min, max } => {
            file.min = min.is_finite().then_some(*min);
            file.max = max.is_finite().then_some(*max);
        }
    }
    file.when = red_line.when.as_ref().map(|c| {
        let point = &points[c.point.0];
        let mut condition = ConditionFile {
            point: point.id.clone(),
            ..ConditionFile::default()
        };
        match &c.values {
            ValueSet::Options(options) => condition.is = Some(option_ids(point, options)),
            ValueSet::Range { min, max } => {
                condition.min = min.is_finite().then_some(*min);
                condition.max = max.is_finite().then_some(*max);
            }
        }
        condition
    });
    file
}

/// Why [`choose_parties`] refused the parties asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PartyChoiceError {
    /// No party of the case has a position.
    #[error("no party has a position, so there is nothing to analyse")]
    NoPosition,
    /// No party has this id.
    #[error("no party `{id}`\nhint: the parties are {}", known.join(", "))]
    Unknown {
        /// The id asked for.
        id: String,
        /// The case's party ids.
        known: Vec<String>,
    },
    /// The party has no position to analyse.
    #[error("party `{id}` has no position to analyse")]
    WithoutPosition {
        /// The id asked for.
        id: String,
    },
    /// The same party asked for twice.
    #[error("party `{id}` is given twice; each party takes one seat")]
    Twice {
        /// The id asked for.
        id: String,
    },
}

impl PartyChoiceError {
    /// This refusal as a problem of whoever asked for `ids` (named `source`): field
    /// `parties[k]` for the id at fault (the second time, for one given twice), or `parties`
    /// for the list as a whole. No line: the caller knows where `ids` were written.
    #[must_use]
    pub fn problem(&self, source: &str, ids: &[String]) -> FormatError {
        // The place of the `nth` time (from 0) `id` is asked for.
        let place = |id: &str, nth: usize| {
            ids.iter()
                .enumerate()
                .filter(|(_, p)| *p == id)
                .nth(nth)
                .map_or_else(|| "parties".to_string(), |(k, _)| format!("parties[{k}]"))
        };
        let (field, kind) = match self {
            Self::NoPosition => ("parties".to_string(), ErrorKind::Missing),
            Self::Unknown { id, .. } => (place(id, 0), ErrorKind::Unknown),
            Self::WithoutPosition { id } => (place(id, 0), ErrorKind::Invalid),
            Self::Twice { id } => (place(id, 1), ErrorKind::Duplicate),
        };
        FormatError::single(Problem::at(source, None, field, kind, self.to_string()))
    }
}

/// The parties of a case file to analyse: those named by `ids`, in that order, or every
/// party with a position when `ids` is empty.
pub fn choose_parties(
    case: &accord_core::Case,
    ids: &[String],
) -> Result<Vec<accord_core::PartyIdx>, PartyChoiceError> {
    if ids.is_empty() {
        let chosen = case.negotiating_parties();
        if chosen.is_empty() {
            return Err(PartyChoiceError::NoPosition);
        }
        return Ok(chosen);
    }
    ids.iter()
        .enumerate()
        .map(|(k, id)| {
            if ids[..k].contains(id) {
                return Err(PartyChoiceError::Twice { id: id.clone() });
            }
            let Some(idx) = case.party_idx(id) else {
                return Err(PartyChoiceError::Unknown {
                    id: id.clone(),
                    known: case.parties().iter().map(|p| p.id.clone()).collect(),
                });
            };
            if case.position(idx).is_none() {
                return Err(PartyChoiceError::WithoutPosition { id: id.clone() });
            }
            Ok(idx)
        })
        .collect()
}

/// A TOML or JSON document as a JSON value, or its syntax error with its line.
pub(crate) fn parse_value(source: &str, text: &str, format: CaseFormat) -> Result<Value, Problem> {
    match format {
        CaseFormat::Toml => toml::from_str(text).map_err(|e| {
            let line_col = e.span().map(|s| line_col(text, s.start));
            Problem::at(
                source,
                line_col,
                "",
                ErrorKind::Syntax,
                first_line(e.message()),
            )
        }),
        CaseFormat::Json => serde_json::from_str(text).map_err(|e| {
            Problem::at(
                source,
                Some((e.line(), e.column())),
                "",
                ErrorKind::Syntax,
                strip_json_position(&e.to_string()),
            )
        }),
    }
}

/// Reads a package written as `{ point_id = option_id or number }` (TOML or JSON; the form
/// of every `package` in the analysis JSON) against a case. Every problem is collected.
pub fn read_package(
    source: &str,
    text: &str,
    format: CaseFormat,
    case: &Case,
) -> Result<accord_core::Package, FormatError> {
    let parsed = parse_value(source, text, format);
    let Value::Object(map) = parsed? else {
        return Err(FormatError::single(Problem::at(
            source,
            None,
            "",
            ErrorKind::WrongType,
            "a package is a table `{ point = value }`",
        )));
    };
    let locator = Locator::new(text, format);
    let mut reader = Reader {
        source,
        locator: &locator,
        problems: Vec::new(),
    };
    let package = reader.package(&[], &map, case);
    FormatError::check(reader.problems, package)
}

impl Reader<'_, '_> {
    /// A package `{ point = value }` for `case`, read at `path`.
    pub(crate) fn package(
        &mut self,
        path: &[Step],
        map: &serde_json::Map<String, Value>,
        case: &Case,
    ) -> accord_core::Package {
        let at = |name: &str| [path, &[key(name)]].concat();
        for id in map.keys() {
            if case.point_idx(id).is_none() {
                self.problem(&at(id), ErrorKind::Unknown, format!("no point `{id}`"));
            }
        }
        let mut choices = Vec::new();
        for point in case.points() {
            let Some(value) = map.get(&point.id) else {
                self.problem(
                    path,
                    ErrorKind::Missing,
                    format!("no value for point `{}`", point.id),
                );
                continue;
            };
            let choice = match (&point.kind, value) {
                (PointKind::Options(_), Value::String(id)) => {
                    point.option_idx(id).map(Choice::Option)
                }
                (PointKind::Integer { .. }, v) => v.as_i64().map(Choice::Integer),
                (PointKind::Real { .. }, v) => v.as_f64().map(Choice::Real),
                _ => None,
            };
            match choice {
                Some(choice) if point.admits(&choice) => choices.push(choice),
                _ => {
                    let shown = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_string);
                    self.problem(
                        &at(&point.id),
                        ErrorKind::Invalid,
                        format!("`{shown}` is not a value of point `{}`", point.id),
                    );
                }
            }
        }
        accord_core::Package(choices)
    }
}

/// A position as the case file spells it (a party's `position` table), as JSON: what the
/// workbench stores and the case file reads back.
#[must_use]
pub fn position_json(points: &[Point], position: &Position) -> Value {
    serde_json::to_value(position_file(points, position))
        .expect("a position file is plain data that serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        let got = match read_case("case.toml", text, CaseFormat::Toml) {
            Ok(case) => format!(
                "ok: {} points, {} parties",
                case.points().len(),
                case.parties().len()
            ),
            Err(error) => error.to_string(),
        };
        assert_eq!(got, expected);
    }

    const POINTS: &str = r#"
name = "t"
[[points]]
id = "a"
options = ["x", "y"]
[[points]]
id = "b"
range = { min = 1, max = 5 }
"#;

    #[test]
    fn weights_whose_sum_overflows_are_normalised_not_called_zero() {
        let text = format!(
            "{POINTS}[[parties]]\nid = \"p\"\n[parties.position]\nweights = {{ a = 1e308, b = 1e308 }}\n\
             [parties.position.ratings]\na = {{ x = 1, y = 0 }}\nb = [[1, 0], [5, 1]]\n"
        );
        let case = read_case("t.toml", &text, CaseFormat::Toml).unwrap();
        let Some(UtilityFunction::Additive(additive)) =
            case.parties()[0].position.as_ref().map(|p| &p.utility)
        else {
            panic!("an additive position");
        };
        assert_eq!(additive.weights(), [0.5, 0.5]);
    }

    #[test]
    fn a_party_is_chosen_once() {
        let text = format!(
            "{POINTS}[[parties]]\nid = \"p\"\n[parties.position]\nweights = {{ a = 1 }}\n\
             [parties.position.ratings]\na = {{ x = 1, y = 0 }}\n"
        );
        let case = read_case("t.toml", &text, CaseFormat::Toml).unwrap();
        let twice = choose_parties(&case, &["p".to_string(), "p".to_string()]).unwrap_err();
        assert_eq!(
            twice.to_string(),
            "party `p` is given twice; each party takes one seat"
        );
    }

    #[test]
    fn reads_a_minimal_case() {
        check(POINTS, "ok: 2 points, 0 parties");
    }

    #[test]
    fn names_line_and_path_of_semantic_problems() {
        let text = format!(
            "{POINTS}[[parties]]\nid = \"p\"\n[parties.position]\nweights = {{ a = 1, c = 2 }}\n\
             ratings = {{ a = {{ x = 1, z = 2 }} }}\n"
        );
        check(
            &text,
            "case.toml:12:24: parties[0].position.weights.c: no point `c`\n\
             case.toml:13:30: parties[0].position.ratings.a.z: point `a` has no option `z`\n\
             case.toml:13:17: parties[0].position.ratings.a: option `y` has no rating",
        );
    }

    #[test]
    fn names_line_of_type_errors() {
        check(
            "name = \"t\"\n[[points]]\nid = 3\noptions = [\"x\"]\n",
            "case.toml:3:6: points[0].id: invalid type: integer `3`, expected a string",
        );
    }

    #[test]
    fn red_lines_read_and_write_back() {
        let text = format!(
            "{POINTS}[[parties]]\nid = \"p\"\n[parties.position]\nweights = {{ a = 1, b = 1 }}\n\
             ratings = {{ a = {{ x = 1, y = 2 }}, b = [[1, 0], [5, 10]] }}\n\
             [[parties.position.red_lines]]\npoint = \"b\"\nmin = 2\nif = {{ point = \"a\", is = [\"y\"] }}\n"
        );
        let case = read_case("case.toml", &text, CaseFormat::Toml).unwrap();
        let red_line = &case.parties()[0].position.as_ref().unwrap().red_lines[0];
        assert_eq!(
            red_line.require.values,
            ValueSet::Range {
                min: 2.0,
                max: f64::INFINITY
            }
        );
        for format in [CaseFormat::Toml, CaseFormat::Json] {
            let again = read_case("again", &write_case(&case, format), format).unwrap();
            assert_eq!(again, case);
        }
    }

    #[test]
    fn a_draft_reads_writes_back_and_names_its_bad_values() {
        let text = format!("{POINTS}[draft]\na = \"y\"\nb = 4\n");
        let case = read_case("case.toml", &text, CaseFormat::Toml).unwrap();
        assert_eq!(
            case.draft(),
            Some(&accord_core::Package(vec![
                Choice::Option(accord_core::OptionIdx(1)),
                Choice::Integer(4)
            ]))
        );
        for format in [CaseFormat::Toml, CaseFormat::Json] {
            let again = read_case("again", &write_case(&case, format), format).unwrap();
            assert_eq!(again, case);
        }
        check(
            &format!("{POINTS}[draft]\na = \"z\"\nb = 9\nc = 1\n"),
            "case.toml:12:5: draft.c: no point `c`\n\
             case.toml:10:5: draft.a: `z` is not a value of point `a`\n\
             case.toml:11:5: draft.b: `9` is not a value of point `b`",
        );
        check(
            &format!("{POINTS}[draft]\na = \"x\"\n"),
            "case.toml:9:1: draft: no value for point `b`",
        );
    }
}
