//! What the property tests share: small cases of option points, additive positions and
//! red lines, built from the specs their strategies draw.

// Each test file uses part of this.
#![allow(dead_code)]

use accord_core::{
    AdditiveUtility, Condition, Evaluator, OptionIdx, Party, Point, PointIdx, PointKind, Position,
    RedLine, Role, ValueSet,
};

/// A red line: (point, forbidden option, optional condition (point, option)); options are
/// taken modulo the point's option count.
pub(crate) type RedLineSpec = (usize, usize, Option<(usize, usize)>);

/// Points `p0`, `p1`, … with options `o0`, `o1`, …: `radix[i]` options for point `i`.
pub(crate) fn option_points(radix: &[usize]) -> Vec<Point> {
    radix
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            Point::new(
                format!("p{i}"),
                PointKind::options((0..r).map(|k| format!("o{k}"))),
            )
        })
        .collect()
}

/// An additive position: weights and a score per option of each point.
pub(crate) fn additive(weights: &[f64], scores: &[Vec<f64>]) -> Position {
    Position::new(
        AdditiveUtility::new(
            weights.to_vec(),
            scores.iter().cloned().map(Evaluator::Options).collect(),
        )
        .into(),
    )
}

/// The red line `spec` over `points` (built by [`option_points`] from `radix`).
pub(crate) fn red_line(points: &[Point], radix: &[usize], spec: RedLineSpec) -> RedLine {
    let (point, option, when) = spec;
    let mut red_line = RedLine::forbid(
        &points[point],
        PointIdx(point),
        &[OptionIdx(option % radix[point])],
    );
    red_line.when = when.map(|(p, o)| Condition {
        point: PointIdx(p),
        values: ValueSet::Options(vec![OptionIdx(o % radix[p])]),
    });
    red_line
}

/// Party `k` (`partyK`, "Party K") holding `position`.
pub(crate) fn party(k: usize, position: Position) -> Party {
    Party::new(format!("party{k}"), format!("Party {k}"), Role::Party).with_position(position)
}
