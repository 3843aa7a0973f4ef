//! Elicitation answers files (TOML or JSON): a party's answers to the questions of
//! `accord_core::elicit`, by point and option id. The format is in docs/elicitation.md:
//!
//! ```toml
//! [options.wage]          # each option rated 0-100
//! "+2%" = 0
//! "+3%" = 60
//! [unacceptable]          # options the party cannot accept: they become red lines
//! wage = ["+2%"]
//! [ranges.hours]          # a range's shape: more-is-better, less-is-better or best
//! shape = "less-is-better"
//! [swings]                # what moving each point from worst to best is worth, 0-100
//! wage = 100
//! hours = 40
//! [[packages]]            # whole packages rated 0-100
//! rating = 70
//! package = { wage = "+3%", hours = 38 }
//! no_agreement = 40       # "no agreement" on the same scale: the reservation value
//! ```
//!
//! Every problem is collected and named with its line, column and field.

use accord_core::elicit::{Answers, RangeShape, ShapeKind};
use accord_core::{Case, OptionIdx, PointKind};
use serde_json::{Map, Value};

use crate::analysis_json::package_map;
use crate::case_file::{CaseFormat, Reader, key, parse_value};
use crate::error::{ErrorKind, FormatError};
use crate::locate::{Locator, Step};

/// The top-level keys of an answers file.
const KEYS: [&str; 7] = [
    "party",
    "options",
    "unacceptable",
    "ranges",
    "swings",
    "packages",
    "no_agreement",
];

/// Reads an answers file for `case`. The optional `party` key names the party the
/// answers are for; it is returned when present.
pub fn read_answers(
    source: &str,
    text: &str,
    format: CaseFormat,
    case: &Case,
) -> Result<(Answers, Option<String>), FormatError> {
    let value = parse_value(source, text, format).map_err(FormatError::single)?;
    let locator = Locator::new(text, format);
    let mut reader = Reader {
        source,
        locator: &locator,
        problems: Vec::new(),
    };
    let mut answers = Answers::empty(case);
    let Value::Object(root) = value else {
        reader.problem(
            &[],
            ErrorKind::WrongType,
            "answers are a table of questions",
        );
        return Err(FormatError {
            problems: reader.problems,
        });
    };
    for name in root.keys() {
        if !KEYS.contains(&name.as_str()) {
            reader.problem(
                &[key(name)],
                ErrorKind::Unknown,
                format!("unknown key `{name}`: expected one of {}", KEYS.join(", ")),
            );
        }
    }
    let party = match root.get("party") {
        None => None,
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => {
            reader.problem(&[key("party")], ErrorKind::WrongType, "expected a party id");
            None
        }
    };
    if let Some(table) = table(&mut reader, &root, "options") {
        options(&mut reader, table, case, &mut answers);
    }
    if let Some(table) = table(&mut reader, &root, "unacceptable") {
        unacceptable(&mut reader, table, case, &mut answers);
    }
    if let Some(table) = table(&mut reader, &root, "ranges") {
        ranges(&mut reader, table, case, &mut answers);
    }
    if let Some(table) = table(&mut reader, &root, "swings") {
        for (id, value) in table {
            let at = [key("swings"), key(id)];
            let Some(k) = point(&mut reader, &at, case, id) else {
                continue;
            };
            answers.swings[k] = rating(&mut reader, &at, value);
        }
    }
    match root.get("packages") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let at = [key("packages"), Step::Index(i)];
                let Value::Object(entry) = item else {
                    reader.problem(
                        &at,
                        ErrorKind::WrongType,
                        "expected a table `{ rating = 0-100, package = { point = value } }`",
                    );
                    continue;
                };
                for name in entry
                    .keys()
                    .filter(|n| !["rating", "package"].contains(&n.as_str()))
                {
                    let hint = if KEYS.contains(&name.as_str()) {
                        format!(
                            "; `{name}` belongs at the top of the file, before the first table \
                             (in TOML, a key after [[packages]] belongs to that package)"
                        )
                    } else {
                        String::new()
                    };
                    reader.problem(
                        &[at.as_slice(), &[key(name)]].concat(),
                        ErrorKind::Unknown,
                        format!("unknown key `{name}`: expected rating and package{hint}"),
                    );
                }
                let rated = if let Some(v) = entry.get("rating") {
                    rating(&mut reader, &[at.as_slice(), &[key("rating")]].concat(), v)
                } else {
                    reader.problem(&at, ErrorKind::Missing, "no `rating` (0-100)");
                    None
                };
                let package_at = [at.as_slice(), &[key("package")]].concat();
                let package = match entry.get("package") {
                    Some(Value::Object(map)) => {
                        let before = reader.problems.len();
                        let package = reader.package(&package_at, map, case);
                        (reader.problems.len() == before).then_some(package)
                    }
                    Some(_) => {
                        reader.problem(
                            &package_at,
                            ErrorKind::WrongType,
                            "a package is a table `{ point = value }`",
                        );
                        None
                    }
                    None => {
                        reader.problem(&at, ErrorKind::Missing, "no `package`");
                        None
                    }
                };
                if let (Some(package), Some(rated)) = (package, rated) {
                    answers.packages.push((package, rated));
                }
            }
        }
        Some(_) => reader.problem(
            &[key("packages")],
            ErrorKind::WrongType,
            "expected an array of tables `[[packages]]`",
        ),
    }
    if let Some(value) = root.get("no_agreement") {
        answers.no_agreement = rating(&mut reader, &[key("no_agreement")], value);
    }
    FormatError::check(reader.problems, (answers, party))
}

/// A top-level table, or a problem when the key holds something else.
fn table<'v>(
    reader: &mut Reader<'_, '_>,
    root: &'v Map<String, Value>,
    name: &str,
) -> Option<&'v Map<String, Value>> {
    match root.get(name) {
        None => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            reader.problem(
                &[key(name)],
                ErrorKind::WrongType,
                format!("`{name}` is a table"),
            );
            None
        }
    }
}

/// A point by id, or a problem.
fn point(reader: &mut Reader<'_, '_>, at: &[Step], case: &Case, id: &str) -> Option<usize> {
    let found = case.point_idx(id).map(|p| p.0);
    if found.is_none() {
        reader.problem(at, ErrorKind::Unknown, format!("no point `{id}`"));
    }
    found
}

/// A rating from 0 to 100, or a problem.
fn rating(reader: &mut Reader<'_, '_>, at: &[Step], value: &Value) -> Option<f64> {
    match value.as_f64() {
        Some(r) if (0.0..=100.0).contains(&r) => Some(r),
        Some(r) => {
            reader.problem(
                at,
                ErrorKind::Invalid,
                format!("`{r}` is not a rating from 0 to 100"),
            );
            None
        }
        None => {
            reader.problem(at, ErrorKind::WrongType, "expected a number from 0 to 100");
            None
        }
    }
}

/// `[options.POINT]`: every option of a point rated.
fn options(
    reader: &mut Reader<'_, '_>,
    table: &Map<String, Value>,
    case: &Case,
    answers: &mut Answers,
) {
    for (id, value) in table {
        let at = [key("options"), key(id)];
        let Some(k) = point(reader, &at, case, id) else {
            continue;
        };
        let point = &case.points()[k];
        let PointKind::Options(options) = &point.kind else {
            reader.problem(
                &at,
                ErrorKind::Invalid,
                format!("`{id}` is a range: give its shape under [ranges.{id}]"),
            );
            continue;
        };
        let Value::Object(ratings) = value else {
            reader.problem(
                &at,
                ErrorKind::WrongType,
                "expected a table `{ option = 0-100 }`",
            );
            continue;
        };
        let mut out = vec![None; options.len()];
        for (option, value) in ratings {
            let at = [key("options"), key(id), key(option)];
            match point.option_idx(option) {
                Some(o) => out[o.0] = rating(reader, &at, value),
                None => reader.problem(
                    &at,
                    ErrorKind::Unknown,
                    format!("no option `{option}` of point `{id}`"),
                ),
            }
        }
        let missing: Vec<&str> = options
            .iter()
            .zip(&out)
            .filter(|(_, r)| r.is_none())
            .map(|(o, _)| o.id.as_str())
            .collect();
        if missing.is_empty() {
            answers.ratings[k] = Some(out.into_iter().flatten().collect());
        } else if ratings.keys().all(|o| point.option_idx(o).is_some()) {
            reader.problem(
                &at,
                ErrorKind::Missing,
                format!(
                    "rate every option of `{id}`: `{}` not rated",
                    missing.join("`, `")
                ),
            );
        }
    }
}

/// `[unacceptable]`: `POINT = [options]`.
fn unacceptable(
    reader: &mut Reader<'_, '_>,
    table: &Map<String, Value>,
    case: &Case,
    answers: &mut Answers,
) {
    for (id, value) in table {
        let at = [key("unacceptable"), key(id)];
        let Some(k) = point(reader, &at, case, id) else {
            continue;
        };
        let point = &case.points()[k];
        if !matches!(point.kind, PointKind::Options(_)) {
            reader.problem(
                &at,
                ErrorKind::Invalid,
                format!("`{id}` is a range: its shape says what is worse, and its red lines are set in the case"),
            );
            continue;
        }
        let Value::Array(items) = value else {
            reader.problem(&at, ErrorKind::WrongType, "expected an array of option ids");
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let at = [key("unacceptable"), key(id), Step::Index(i)];
            match item.as_str().and_then(|o| point.option_idx(o)) {
                Some(o) if !answers.unacceptable[k].contains(&o) => answers.unacceptable[k].push(o),
                Some(_) => {}
                None => reader.problem(
                    &at,
                    ErrorKind::Unknown,
                    format!("no option {item} of point `{id}`"),
                ),
            }
        }
        answers.unacceptable[k].sort_by_key(|o: &OptionIdx| o.0);
    }
}

/// `[ranges.POINT]`: `shape`, `best`, `anchors`.
fn ranges(
    reader: &mut Reader<'_, '_>,
    table: &Map<String, Value>,
    case: &Case,
    answers: &mut Answers,
) {
    for (id, value) in table {
        let at = [key("ranges"), key(id)];
        let Some(k) = point(reader, &at, case, id) else {
            continue;
        };
        if matches!(case.points()[k].kind, PointKind::Options(_)) {
            reader.problem(
                &at,
                ErrorKind::Invalid,
                format!("`{id}` is a point of options: rate them under [options.{id}]"),
            );
            continue;
        }
        let Value::Object(entry) = value else {
            reader.problem(
                &at,
                ErrorKind::WrongType,
                "expected a table `{ shape = ... }`",
            );
            continue;
        };
        let field = |name: &str| [key("ranges"), key(id), key(name)];
        for name in entry
            .keys()
            .filter(|n| !["shape", "best", "anchors"].contains(&n.as_str()))
        {
            reader.problem(
                &field(name),
                ErrorKind::Unknown,
                format!("unknown key `{name}`: expected shape, best and anchors"),
            );
        }
        let best = entry.get("best").and_then(Value::as_f64);
        let kind = match entry.get("shape").and_then(Value::as_str) {
            Some("more-is-better") => Some(ShapeKind::MoreIsBetter),
            Some("less-is-better") => Some(ShapeKind::LessIsBetter),
            Some("best") => {
                if let Some(b) = best {
                    Some(ShapeKind::Best(b))
                } else {
                    reader.problem(&at, ErrorKind::Missing, "shape `best` needs `best = VALUE`");
                    None
                }
            }
            _ => {
                reader.problem(
                    &field("shape"),
                    ErrorKind::Invalid,
                    "expected `more-is-better`, `less-is-better` or `best`",
                );
                None
            }
        };
        let mut anchors = Vec::new();
        match entry.get("anchors") {
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let pair = item.as_array().filter(|p| p.len() == 2);
                    match pair.and_then(|p| Some((p[0].as_f64()?, p[1].as_f64()?))) {
                        Some((v, r)) if (0.0..=100.0).contains(&r) => anchors.push((v, r)),
                        _ => reader.problem(
                            &[key("ranges"), key(id), key("anchors"), Step::Index(i)],
                            ErrorKind::Invalid,
                            "expected `[value, rating 0-100]`",
                        ),
                    }
                }
            }
            Some(_) => reader.problem(
                &field("anchors"),
                ErrorKind::WrongType,
                "expected an array of `[value, rating]`",
            ),
        }
        if let Some(kind) = kind {
            answers.shapes[k] = Some(RangeShape { kind, anchors });
        }
    }
}

/// Answers in the answers file's form, as JSON: what [`read_answers`] reads back to the
/// same answers. Points not answered are left out.
#[must_use]
pub fn answers_json(case: &Case, answers: &Answers) -> Value {
    let mut root = Map::new();
    let mut options = Map::new();
    let mut unacceptable = Map::new();
    let mut ranges = Map::new();
    let mut swings = Map::new();
    for (k, point) in case.points().iter().enumerate() {
        if let (PointKind::Options(list), Some(Some(ratings))) =
            (&point.kind, answers.ratings.get(k))
        {
            let table: Map<String, Value> = list
                .iter()
                .zip(ratings)
                .map(|(o, r)| (o.id.clone(), number(*r)))
                .collect();
            options.insert(point.id.clone(), Value::Object(table));
        }
        if let (PointKind::Options(list), Some(marked)) = (&point.kind, answers.unacceptable.get(k))
            && !marked.is_empty()
        {
            let ids = marked
                .iter()
                .filter_map(|o| list.get(o.0))
                .map(|o| Value::String(o.id.clone()))
                .collect();
            unacceptable.insert(point.id.clone(), Value::Array(ids));
        }
        if let Some(Some(shape)) = answers.shapes.get(k) {
            let mut table = Map::new();
            let (name, best) = match shape.kind {
                ShapeKind::MoreIsBetter => ("more-is-better", None),
                ShapeKind::LessIsBetter => ("less-is-better", None),
                ShapeKind::Best(b) => ("best", Some(b)),
            };
            table.insert("shape".into(), Value::String(name.into()));
            if let Some(b) = best {
                table.insert("best".into(), number(b));
            }
            if !shape.anchors.is_empty() {
                let anchors = shape
                    .anchors
                    .iter()
                    .map(|(v, r)| Value::Array(vec![number(*v), number(*r)]))
                    .collect();
                table.insert("anchors".into(), Value::Array(anchors));
            }
            ranges.insert(point.id.clone(), Value::Object(table));
        }
        if let Some(Some(swing)) = answers.swings.get(k) {
            swings.insert(point.id.clone(), number(*swing));
        }
    }
    for (name, table) in [
        ("options", options),
        ("unacceptable", unacceptable),
        ("ranges", ranges),
        ("swings", swings),
    ] {
        if !table.is_empty() {
            root.insert(name.into(), Value::Object(table));
        }
    }
    if !answers.packages.is_empty() {
        let packages = answers
            .packages
            .iter()
            .map(|(package, rating)| {
                let mut entry = Map::new();
                entry.insert("rating".into(), number(*rating));
                entry.insert("package".into(), Value::Object(package_map(case, package)));
                Value::Object(entry)
            })
            .collect();
        root.insert("packages".into(), Value::Array(packages));
    }
    if let Some(r) = answers.no_agreement {
        root.insert("no_agreement".into(), number(r));
    }
    Value::Object(root)
}

/// A number as JSON: integers without a fraction.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}
