//! The JSON form of an analysis (`accord analyze --json`), documented in
//! docs/analysis-json.md. Packages are objects `{point id: option id or number}`.
//!
//! ```
//! use accord_core::{analyze, Case, EnumerationLimit, Point, PointKind};
//! use accord_formats::analysis_json::{analysis_to_json, Source};
//!
//! let case = Case::new("t", vec![Point::new("a", PointKind::options(["x"]))], vec![]).unwrap();
//! let analysis = analyze(&case, &[], EnumerationLimit::default());
//! let json = analysis_to_json(&case, &analysis, &Source::default());
//! assert_eq!(json["n_packages"], 1);
//! ```

use accord_core::{
    Analysis, AnalysisOptions, BargainingPoint, Case, Choice, Constraint, DiagnosisLimit,
    FrontierMethod, NotEnumerable, NotMergeable, Package, PointConsensus, diagnose,
    point_consensus,
};
use serde_json::{Map, Value, json};

/// Where the case came from, echoed in the output.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// `case-file`, `genius-xml` or `geniusweb-json`.
    pub format: String,
    /// The file or folder analysed.
    pub path: String,
    /// Warnings from reading the input.
    pub warnings: Vec<String>,
}

/// A package as `{point id: option id or number}`, in point order.
#[must_use]
pub fn package_to_json(case: &Case, package: &Package) -> Value {
    let map: Map<String, Value> = case
        .points()
        .iter()
        .zip(&package.0)
        .map(|(point, choice)| {
            let value = match choice {
                Choice::Option(_) => Value::String(point.choice_label(choice)),
                Choice::Integer(v) => json!(v),
                Choice::Real(v) => json!(v),
            };
            (point.id.clone(), value)
        })
        .collect();
    Value::Object(map)
}

fn bargaining_json(case: &Case, point: Option<&BargainingPoint>, objective: &str) -> Value {
    point.map_or(Value::Null, |p| {
        json!({
            "package": package_to_json(case, &p.package),
            "utilities": p.utilities,
            objective: p.objective,
            "ties": p.ties,
        })
    })
}

/// A count as a JSON integer, or a float when it does not fit in 64 bits.
fn count_json(count: u128) -> Value {
    u64::try_from(count).map_or_else(|_| json!(count as f64), |c| json!(c))
}

/// Why there is no exact analysis, in words (lowercase, as every message).
#[must_use]
pub fn explain(reason: &NotEnumerable) -> String {
    match reason {
        NotEnumerable::TooLarge {
            log10_n_packages,
            limit,
            merge,
        } => {
            let why = match merge {
                None => String::new(),
                Some(NotMergeable::NotAdditive { party }) => format!(
                    "; merging per-point frontiers needs additive utilities, and party `{party}`'s is not"
                ),
                Some(NotMergeable::RealPoint { point }) => {
                    format!("; point `{point}` is a real range")
                }
                Some(NotMergeable::PointTooLarge { point }) => {
                    format!("; point `{point}` has too many values to merge")
                }
                Some(NotMergeable::TooManySubcases) => {
                    "; its conditional red lines split it into too many sub-cases to merge"
                        .to_string()
                }
                Some(NotMergeable::FrontierTooLarge { limit }) => format!(
                    "; merging per-point frontiers gave more than {limit} partial frontier vectors"
                ),
                Some(NotMergeable::TooMuchWork { limit }) => {
                    format!(
                        "; merging per-point frontiers needed more than {limit} units of work (comparisons)"
                    )
                }
            };
            format!(
                "about 10^{log10_n_packages:.1} packages: too large for exact enumeration (limit {limit}){why}"
            )
        }
        NotEnumerable::RealPoint { point } => {
            format!("point `{point}` is a real range: exact analysis needs finite points")
        }
    }
}

/// The whole analysis as one JSON object.
#[must_use]
pub fn analysis_to_json(case: &Case, analysis: &Analysis, source: &Source) -> Value {
    let n_packages = case.n_packages().and_then(|n| u64::try_from(n).ok());
    let mut out = json!({
        "case": case.name(),
        "format": source.format,
        "source": source.path,
        "parties": analysis.parties.iter().map(|p| case.parties()[p.0].id.clone()).collect::<Vec<_>>(),
        "points": case.points().iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
        "n_packages": n_packages,
        "log10_n_packages": case.log10_n_packages(),
        "reservation_values": analysis.reservation_values,
    });
    let map = out.as_object_mut().expect("an object");
    match &analysis.result {
        Ok(exact) => {
            let scan = &exact.scan;
            let b = &exact.bargaining;
            let fields = json!({
                "status": if scan.error_bound > 0.0 { "approximate" } else { "exact" },
                "error_bound": scan.error_bound,
                "method": match exact.method {
                    FrontierMethod::Enumeration => "enumeration",
                    FrontierMethod::Merge => "merge",
                },
                "n_visited": scan.n_visited,
                "n_clear_red_lines": count_json(scan.n_clear_red_lines),
                "feasible": scan.n_feasible,
                "any_feasible": b.ideal_point.is_some(),
                "ideal_point": b.ideal_point,
                "frontier_size": scan.frontier.len(),
                "frontier_n_packages": scan.frontier.iter().map(|f| f.n_packages).fold(0u64, u64::saturating_add),
                "frontier": scan.frontier.iter().map(|f| json!({
                    "package": package_to_json(case, &f.package),
                    "utilities": f.utilities,
                    "n_packages": f.n_packages,
                })).collect::<Vec<_>>(),
                "nash": bargaining_json(case, b.nash.as_ref(), "nash_product"),
                "kalai_smorodinsky": bargaining_json(case, b.kalai_smorodinsky.as_ref(), "min_relative_gain"),
                "egalitarian": bargaining_json(case, b.egalitarian.as_ref(), "min_gain"),
                "utilitarian": bargaining_json(case, b.utilitarian.as_ref(), "welfare"),
            });
            map.extend(fields.as_object().expect("an object").clone());
        }
        Err(reason) => {
            let status = match reason {
                NotEnumerable::TooLarge { .. } => "too-large",
                NotEnumerable::RealPoint { .. } => "not-enumerable",
            };
            let message = explain(reason);
            let fields = json!({
                "status": status,
                "message": message,
                "n_clear_red_lines": null,
                "feasible": null,
                "any_feasible": null,
                "ideal_point": null,
                "frontier": null,
                "nash": null,
                "kalai_smorodinsky": null,
                "egalitarian": null,
                "utilitarian": null,
            });
            map.extend(fields.as_object().expect("an object").clone());
        }
    }
    let infeasible =
        matches!(&analysis.result, Ok(exact) if exact.bargaining.ideal_point.is_none());
    map.insert(
        "blockers".into(),
        if infeasible {
            blockers_json(case, &analysis.parties)
        } else {
            Value::Null
        },
    );
    map.insert(
        "conflicts".into(),
        Value::Array(
            point_consensus(case, &analysis.parties)
                .iter()
                .map(|c| consensus_json(case, &analysis.parties, c))
                .collect(),
        ),
    );
    map.insert("warnings".into(), json!(source.warnings));
    out
}

/// The minimal relaxations that would make agreement possible (see `accord_core::diagnose`).
fn blockers_json(case: &Case, parties: &[accord_core::PartyIdx]) -> Value {
    let Some(diagnosis) = diagnose(
        case,
        parties,
        &AnalysisOptions::default(),
        DiagnosisLimit::default(),
    ) else {
        return Value::Null;
    };
    let id = |p: accord_core::PartyIdx| case.parties()[p.0].id.clone();
    json!({
        "complete": diagnosis.complete,
        "max_size": DiagnosisLimit::default().max_size,
        "relaxations": diagnosis.relaxations.iter().map(|set| set.iter().map(|c| match *c {
            Constraint::RedLine { party, index } => json!({
                "kind": "red-line", "party": id(party), "red_line": index,
            }),
            Constraint::Reservation { party } => json!({
                "kind": "reservation", "party": id(party),
            }),
        }).collect::<Vec<_>>()).collect::<Vec<_>>(),
    })
}

/// One point's consensus, parties by id.
fn consensus_json(case: &Case, parties: &[accord_core::PartyIdx], c: &PointConsensus) -> Value {
    let point = &case.points()[c.point.0];
    let label = |k: accord_core::OptionIdx| point.choice_label(&Choice::Option(k));
    let id = |p: &accord_core::PartyIdx| case.parties()[p.0].id.clone();
    let by_party =
        |values: Vec<Value>| -> Map<String, Value> { parties.iter().map(id).zip(values).collect() };
    json!({
        "point": point.id,
        "consensus": c.consensus.map(label),
        "conflict": c.conflict,
        "stakes": by_party(c.stakes.iter().map(|s| json!(s)).collect()),
        "options": c.options.iter().map(|o| json!({
            "option": label(o.option),
            "blocked_by": o.blocked_by.iter().map(id).collect::<Vec<_>>(),
            "ratings": by_party(o.ratings.iter().map(|r| json!(r)).collect()),
        })).collect::<Vec<_>>(),
    })
}
