//! The GeniusWeb JSON writer: a domain (`name`, `issuesValues`) and one
//! `LinearAdditiveUtilitySpace` profile per party, as `shared/formats/geniusweb-json.md`
//! describes and the GeniusWeb reader of this crate reads.

use accord_core::{Evaluator, PartyIdx, Point, Position, UtilityFunction};
use serde_json::{Map, Value, json};

use super::{BidSearch, Writer, number, reservation_bid};
use crate::folder::FolderFile;

/// How far the weights may sum from 1 (the reader's tolerance).
const WEIGHT_SUM_TOLERANCE: f64 = 1e-9;

/// The domain file and the profiles, in party order.
pub(super) fn write(
    writer: &mut Writer,
    points: &[Point],
    positions: &[(PartyIdx, &Position)],
    stems: &[String],
) -> (FolderFile, Vec<FolderFile>) {
    let mut issues = Map::new();
    for point in points {
        let values: Vec<Value> = point
            .options()
            .iter()
            .map(|o| Value::String(o.id.clone()))
            .collect();
        issues.insert(point.id.clone(), json!({ "values": values }));
    }
    let domain = json!({ "name": writer.case.name(), "issuesValues": issues });
    let mut profiles = Vec::with_capacity(positions.len());
    for (k, (&(party, position), stem)) in positions.iter().zip(stems).enumerate() {
        writer.red_lines(party, position);
        let profile = profile(
            writer,
            points,
            party,
            position,
            &domain,
            profile_name(stem, k),
        );
        profiles.push(FolderFile {
            name: format!("{stem}.json"),
            bytes: pretty(&profile),
        });
    }
    let domain = FolderFile {
        name: "domain.json".to_string(),
        bytes: pretty(&domain),
    };
    (domain, profiles)
}

fn pretty(value: &Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// GeniusWeb profile names are letters and digits.
fn profile_name(stem: &str, k: usize) -> String {
    let name: String = stem.chars().filter(char::is_ascii_alphanumeric).collect();
    if name.is_empty() {
        format!("profile{}", k + 1)
    } else {
        name
    }
}

fn profile(
    writer: &mut Writer,
    points: &[Point],
    party: PartyIdx,
    position: &Position,
    domain: &Value,
    name: String,
) -> Value {
    if position.discount_factor != 1.0 {
        let field = writer.party_field(party, ".discount_factor");
        let message = format!(
            "GeniusWeb JSON has no discount factor ({} here)",
            position.discount_factor
        );
        writer.lossy(field, message, "left out");
    }
    let additive = match &position.utility {
        UtilityFunction::Additive(additive) => additive,
        UtilityFunction::Constraint(_) => {
            let field = writer.party_field(party, ".utility");
            writer.problem(
                field,
                "GeniusWeb JSON has no hyper-rectangle utilities (only linear-additive ones)",
            );
            return Value::Null;
        }
    };
    let Some((mut weights, evaluators)) = writer.folded(party, additive, points) else {
        return Value::Null;
    };
    let scores: Vec<Vec<f64>> = evaluators
        .into_iter()
        .map(|e| match e {
            Evaluator::Options(scores) => scores,
            // Ranges are refused (or expanded) before; score nothing rather than panic.
            _ => Vec::new(),
        })
        .collect();
    if scores.iter().any(Vec::is_empty) {
        return Value::Null;
    }
    let sum: f64 = weights.iter().sum();
    if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
        let field = writer.party_field(party, ".weights");
        if sum <= 0.0 {
            writer.problem(field, "the weights are all 0; GeniusWeb weights sum to 1");
            return Value::Null;
        }
        writer.lossy(
            field,
            format!(
                "with each point's best score 1, the weights sum to {sum}; GeniusWeb weights sum to 1"
            ),
            "divided by their sum (every utility divided by it)",
        );
        for w in &mut weights {
            *w /= sum;
        }
    }
    let mut issue_weights = Map::new();
    let mut issue_utilities = Map::new();
    for ((point, weight), scores) in points.iter().zip(&weights).zip(&scores) {
        issue_weights.insert(point.id.clone(), number_value(*weight));
        let mut values = Map::new();
        for (option, score) in point.options().iter().zip(scores) {
            values.insert(option.id.clone(), number_value(*score));
        }
        issue_utilities.insert(
            point.id.clone(),
            json!({ "DiscreteValueSetUtilities": { "valueUtilities": values } }),
        );
    }
    let mut space = Map::new();
    space.insert("name".into(), Value::String(name));
    space.insert("domain".into(), domain.clone());
    space.insert("issueWeights".into(), Value::Object(issue_weights));
    space.insert("issueUtilities".into(), Value::Object(issue_utilities));
    if let Some(bid) = reservation(writer, party, position.reservation_value, &weights, &scores) {
        let mut values = Map::new();
        for (point, option) in points.iter().zip(bid) {
            values.insert(
                point.id.clone(),
                Value::String(point.options()[option].id.clone()),
            );
        }
        space.insert("reservationBid".into(), json!({ "issuevalues": values }));
    }
    json!({ "LinearAdditiveUtilitySpace": space })
}

/// A number as JSON: the shortest decimal that reads back to the same `f64`.
fn number_value(x: f64) -> Value {
    serde_json::from_str(&number(x)).unwrap_or(Value::Null)
}

/// The reservation bid for a reservation value: none for 0, else the package whose
/// utility is exactly it (with `allow_loss`, the least above it).
fn reservation(
    writer: &mut Writer,
    party: PartyIdx,
    value: f64,
    weights: &[f64],
    scores: &[Vec<f64>],
) -> Option<Vec<usize>> {
    let field = writer.party_field(party, ".reservation_value");
    if value == 0.0 {
        return None;
    }
    if value < 0.0 {
        writer.lossy(
            field,
            format!("a GeniusWeb reservation is a bid, so at least 0; `{value}` here"),
            "left out (reservation value 0)",
        );
        return None;
    }
    let why =
        "GeniusWeb holds a reservation bid, the package whose utility is the reservation value";
    match reservation_bid(weights, scores, value) {
        BidSearch::Exact(bid) => Some(bid),
        BidSearch::Above(bid, utility) => {
            writer.lossy(
                field,
                format!("{why}, and no package has utility exactly {value} (the least above is {utility})"),
                &format!("written as a bid of utility {utility}: the same packages clear it"),
            );
            Some(bid)
        }
        BidSearch::Unreachable => {
            writer.lossy(
                field,
                format!("{why}, and no package reaches {value}"),
                "left out (reservation value 0)",
            );
            None
        }
        BidSearch::TooLarge => {
            writer.lossy(
                field,
                format!("{why}, and the search for a package of utility exactly {value} gave up"),
                "left out (reservation value 0)",
            );
            None
        }
    }
}
