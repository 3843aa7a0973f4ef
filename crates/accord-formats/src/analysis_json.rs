//! The JSON form of an analysis (`accord analyze --json`), documented in
//! docs/analysis-json.md. Packages are objects `{point id: option id or number}`.
//!
//! ```
//! use accord_core::{insight, Case, InsightOptions, Point, PointKind};
//! use accord_formats::analysis_json::{analysis_to_json, Source};
//!
//! let case = Case::new("t", vec![Point::new("a", PointKind::options(["x"]))], vec![]).unwrap();
//! let found = insight(&case, &[], &InsightOptions::default());
//! let json = analysis_to_json(&case, &found, &Source::default());
//! assert_eq!(json["n_packages"], 1);
//! ```

use accord_core::{
    Action, BargainingPoint, Case, Change, Choice, Constraint, Fairness, FrontierMethod, Insight,
    ModelQuality, NotEnumerable, Package, PartyIdx, PointConsensus, SaopOutcome, Sensitivity,
    Trades,
};
use serde_json::{Map, Value, json};

/// A SAOP session as the JSON of `accord negotiate --json`: `path`, `parties` (ids, in
/// order of play), `negotiators`, `deadline_rounds`, `seed`, `trace` (per action its
/// 1-based `round`, `party`, `action` (`offer`, `accept`, `end`), `time`, and the `package`
/// it concerns with every party's `utilities` of it), `agreement`, `utilities`, `rounds`,
/// `time`, `ended_by` and `model_quality` (per party, how well its negotiator's opponent
/// model learnt the others, `null` without one: `models`).
#[must_use]
pub fn session_to_json(
    case: &Case,
    parties: &[PartyIdx],
    negotiators: &[String],
    outcome: &SaopOutcome,
    models: &[Option<ModelQuality>],
    (deadline_rounds, seed): (u32, u64),
    path: &str,
) -> Value {
    let ids: Vec<&str> = parties
        .iter()
        .map(|p| case.parties()[p.0].id.as_str())
        .collect();
    let mut standing: Option<&Package> = None;
    let trace: Vec<Value> = outcome
        .trace
        .iter()
        .map(|step| {
            let (word, package) = match &step.action {
                Action::Offer(package) => {
                    standing = Some(package);
                    ("offer", Some(package))
                }
                Action::Accept => ("accept", standing),
                Action::End => ("end", None),
            };
            json!({
                "round": step.round + 1,
                "party": ids[step.by],
                "action": word,
                "time": step.time,
                "package": package.map(|p| package_to_json(case, p)),
                "utilities": package.map(|p| case.utilities(parties, p)),
            })
        })
        .collect();
    json!({
        "path": path,
        "parties": ids,
        "negotiators": negotiators,
        "deadline_rounds": deadline_rounds,
        "seed": seed,
        "trace": trace,
        "agreement": outcome.agreement.as_ref().map(|p| package_to_json(case, p)),
        "utilities": outcome.utilities,
        "rounds": outcome.rounds,
        "time": outcome.time,
        "ended_by": outcome.ended_by.map(|place| ids[place]),
        "model_quality": models
            .iter()
            .map(|q| {
                q.map_or(Value::Null, |q| {
                    json!({
                        "pearson": q.pearson,
                        "mean_abs_error": q.mean_abs_error,
                        "frontier_distance": q.frontier_distance,
                    })
                })
            })
            .collect::<Vec<Value>>(),
    })
}

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
    Value::Object(package_map(case, package))
}

/// The map of [`package_to_json`].
#[must_use]
pub fn package_map(case: &Case, package: &Package) -> Map<String, Value> {
    case.points()
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
        .collect()
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
    reason.to_string()
}

/// The whole analysis as one JSON object.
#[must_use]
pub fn analysis_to_json(case: &Case, insight: &Insight, source: &Source) -> Value {
    let analysis = &insight.analysis;
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
                    FrontierMethod::Search => "search",
                },
                "n_visited": scan.n_visited,
                "n_clear_red_lines": count_json(scan.n_clear_red_lines),
                "feasible": scan.n_feasible,
                "any_feasible": b.ideal_point.is_some(),
                "ideal_point": b.ideal_point,
                "frontier_size": scan.frontier.len(),
                // A traced frontier names one package a vector and counts none.
                // Null too where the count does not fit in 64 bits.
                "frontier_n_packages": (exact.method != FrontierMethod::Search)
                    .then(|| scan.n_frontier_packages())
                    .flatten(),
                "frontier": scan.frontier.iter().map(|f| json!({
                    "package": package_to_json(case, &f.package),
                    "utilities": f.utilities,
                    "n_packages": (exact.method != FrontierMethod::Search).then_some(f.n_packages),
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
            if let Some(Ok(solved)) = &analysis.solved {
                // No frontier, but the bargaining packages proven by search.
                let b = &solved.bargaining;
                let fields = json!({
                    "any_feasible": b.ideal_point.is_some(),
                    "ideal_point": b.ideal_point,
                    "nash": bargaining_json(case, b.nash.as_ref(), "nash_product"),
                    "kalai_smorodinsky": bargaining_json(case, b.kalai_smorodinsky.as_ref(), "min_relative_gain"),
                    "egalitarian": bargaining_json(case, b.egalitarian.as_ref(), "min_gain"),
                    "utilitarian": bargaining_json(case, b.utilitarian.as_ref(), "welfare"),
                });
                map.extend(fields.as_object().expect("an object").clone());
            }
        }
    }
    map.insert(
        "bargaining_status".into(),
        json!(match (&analysis.solved, &analysis.result) {
            (Some(Ok(_)), _) => "exact",
            (_, Ok(_)) if analysis.bargaining_is_exact() => "exact",
            (_, Ok(_)) => "approximate",
            (_, Err(_)) => "none",
        }),
    );
    map.insert(
        "bargaining_method".into(),
        match (&analysis.solved, &analysis.result) {
            (Some(Ok(_)), _) => json!("search"),
            (_, Ok(_)) => json!("frontier"),
            (_, Err(_)) => Value::Null,
        },
    );
    map.insert(
        "search".into(),
        match &analysis.solved {
            Some(Ok(solved)) => {
                json!({"nodes": solved.nodes, "tolerance": accord_core::SOLVE_TOLERANCE})
            }
            Some(Err(why)) => json!({"stopped": why.to_string()}),
            None => Value::Null,
        },
    );
    let parties = &analysis.parties;
    map.insert(
        "blockers".into(),
        insight.diagnosis.as_ref().map_or(Value::Null, |d| {
            json!({
                "complete": d.complete,
                "max_size": d.max_size,
                "relaxations": d.relaxations.iter()
                    .map(|set| relaxation_json(case, set))
                    .collect::<Vec<_>>(),
            })
        }),
    );
    map.insert(
        "conflicts".into(),
        Value::Array({
            // Most conflicted first, as every surface lists them; then the points where
            // nobody gives anything up, in point order.
            let mut ordered = accord_core::conflict_order(&insight.consensus);
            let mut listed = vec![false; case.points().len()];
            for c in &ordered {
                listed[c.point.0] = true;
            }
            ordered.extend(insight.consensus.iter().filter(|c| !listed[c.point.0]));
            ordered
                .into_iter()
                .map(|c| consensus_json(case, parties, c))
                .collect()
        }),
    );
    map.insert(
        "draft".into(),
        insight.draft.as_ref().map_or(Value::Null, |d| {
            json!({
                "package": package_to_json(case, &d.package),
                "utilities": d.utilities,
                "accepts": by_party(case, parties, d.accepts.iter().map(|a| json!(a))),
                "red_lines_crossed": by_party(case, parties, d.crossed.iter().map(|c| json!(c))),
                "fairness": d.fairness.as_ref().map_or(Value::Null, |f| fairness_json(case, f)),
            })
        }),
    );
    map.insert(
        "trades".into(),
        insight
            .draft
            .as_ref()
            .map_or(Value::Null, |d| trades_json(case, parties, &d.trades)),
    );
    map.insert(
        "sensitivity".into(),
        insight
            .sensitivity
            .as_ref()
            .map_or(Value::Null, |s| sensitivity_json(case, s)),
    );
    map.insert(
        "fairness".into(),
        Value::Object(
            insight
                .fairness
                .iter()
                .map(|(solution, f)| (solution.key().to_string(), fairness_json(case, f)))
                .collect(),
        ),
    );
    map.insert(
        "relaxed".into(),
        insight.relaxed.as_ref().map_or(Value::Null, |r| {
            let mut inner = analysis_to_json(&r.case, &r.insight, source);
            let object = inner.as_object_mut().expect("an object");
            object.insert("relaxation".into(), relaxation_json(case, &r.relaxation));
            object.remove("warnings");
            inner
        }),
    );
    map.insert("warnings".into(), json!(source.warnings));
    out
}

fn party_id(case: &Case, party: PartyIdx) -> String {
    case.parties()[party.0].id.clone()
}

/// `{party id: value}` in the order of `parties`.
fn by_party(case: &Case, parties: &[PartyIdx], values: impl Iterator<Item = Value>) -> Value {
    Value::Object(
        parties
            .iter()
            .map(|&p| party_id(case, p))
            .zip(values)
            .collect(),
    )
}

/// One relaxation: its constraints, each naming the party and, for a red line, its place
/// in the party's list.
fn relaxation_json(case: &Case, set: &[Constraint]) -> Value {
    Value::Array(
        set.iter()
            .map(|c| match *c {
                Constraint::RedLine { party, index } => json!({
                    "kind": "red-line", "party": party_id(case, party), "red_line": index,
                }),
                Constraint::Reservation { party } => json!({
                    "kind": "reservation", "party": party_id(case, party),
                }),
            })
            .collect(),
    )
}

fn change_json(case: &Case, change: &Change) -> Value {
    let point = &case.points()[change.point.0];
    let value = |choice: &Choice| match choice {
        Choice::Option(_) => Value::String(point.choice_label(choice)),
        Choice::Integer(v) => json!(v),
        Choice::Real(v) => json!(v),
    };
    json!({ "point": point.id, "from": value(&change.from), "to": value(&change.to) })
}

fn trades_json(case: &Case, parties: &[PartyIdx], trades: &Trades) -> Value {
    json!({
        "complete": trades.complete,
        "n_evaluated": trades.n_evaluated,
        "draft_utilities": trades.draft_utilities,
        "improvements": trades.improvements.iter().map(|t| json!({
            "changes": t.changes.iter().map(|c| change_json(case, c)).collect::<Vec<_>>(),
            "utilities": t.utilities,
            "gains": t.gains,
            "resolves": t.resolves.iter().map(|&(party, index)| json!({
                "party": party_id(case, party), "red_line": index,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "logrolls": trades.logrolls.iter().map(|l| json!({
            "parties": l.parties.iter().map(|&p| party_id(case, p)).collect::<Vec<_>>(),
            "concessions": l.parties.iter().zip(&l.changes).map(|(&p, c)| {
                let mut change = change_json(case, c);
                change.as_object_mut().expect("an object")
                    .insert("conceded_by".into(), json!(party_id(case, p)));
                change
            }).collect::<Vec<_>>(),
            "utilities": l.utilities,
            "gains": by_party(case, parties, l.gains.iter().map(|g| json!(g))),
            "others_not_worse": l.others_not_worse,
        })).collect::<Vec<_>>(),
    })
}

/// The points where `to` differs from `from`, as a package fragment.
fn changed_points(case: &Case, from: &Package, to: &Package) -> Value {
    let full = package_map(case, to);
    Value::Object(
        full.into_iter()
            .zip(from.0.iter().zip(&to.0))
            .filter(|(_, (a, b))| a != b)
            .map(|(entry, _)| entry)
            .collect(),
    )
}

fn sensitivity_json(case: &Case, s: &Sensitivity) -> Value {
    json!({
        "solution": "nash",
        "exact": s.exact,
        "package": package_to_json(case, &s.package),
        "utilities": s.utilities,
        "parties": Value::Object(s.parties.iter().map(|p| (party_id(case, p.party), json!({
            "margin": p.margin,
            "tightest": p.tightest.map(|k| case.points()[k.0].id.clone()),
            "ranges": p.ranges.iter().map(|r| json!({
                "point": case.points()[r.point.0].id,
                "share": r.share,
                "low": r.low,
                "high": r.high,
                "switches_below": r.switches_below,
                "switches_above": r.switches_above,
                "below": r.below.as_ref().map(|b| changed_points(case, &s.package, b)),
                "above": r.above.as_ref().map(|b| changed_points(case, &s.package, b)),
            })).collect::<Vec<_>>(),
        }))).collect()),
    })
}

fn fairness_json(case: &Case, f: &Fairness) -> Value {
    json!({
        "spread": f.spread,
        "worst_off": f.worst_off.map(|p| party_id(case, p)),
        "parties": Value::Object(f.parties.iter().map(|p| (party_id(case, p.party), json!({
            "utility": p.utility,
            "gain": p.gain,
            "gain_share": p.gain_share,
            "prefers": p.prefers.iter().map(|&q| party_id(case, q)).collect::<Vec<_>>(),
        }))).collect()),
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
