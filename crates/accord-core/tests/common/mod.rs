//! What the property tests share: small cases of option points, additive positions and
//! red lines, built from the specs their strategies draw.

// Each test file uses part of this.
#![allow(dead_code)]

use accord_core::{
    AdditiveUtility, Case, Condition, Constraint, EQUAL_EPS, Evaluator, OptionIdx, Package, Party,
    PartyIdx, Point, PointIdx, PointKind, Position, RedLine, Role, ValueSet,
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

/// A party: weights, scores per point, reservation value, red lines.
pub(crate) type PartySpec = (Vec<f64>, Vec<Vec<f64>>, f64, Vec<RedLineSpec>);

/// The case of points with `radix[i]` options and one party per spec.
pub(crate) fn case_of(radix: &[usize], parties: &[PartySpec]) -> Case {
    let points = option_points(radix);
    let parties = parties
        .iter()
        .enumerate()
        .map(|(k, (weights, scores, reservation, red_lines))| {
            let mut position = additive(weights, scores);
            position.reservation_value = *reservation;
            position
                .red_lines
                .extend(red_lines.iter().map(|&r| red_line(&points, radix, r)));
            party(k, position)
        })
        .collect();
    Case::new("generated", points, parties).expect("generated cases are valid")
}

/// Every package that clears the red lines of `parties`, with its utilities, by brute
/// force: the oracle of the property tests.
pub(crate) fn clear_packages(case: &Case, parties: &[PartyIdx]) -> Vec<(Package, Vec<f64>)> {
    (0..case.n_packages().expect("a small case"))
        .map(|k| case.package_at(k).expect("an index below the count"))
        .filter(|p| {
            parties
                .iter()
                .all(|&i| case.position(i).is_none_or(|pos| pos.clears_red_lines(p)))
        })
        .map(|p| {
            let u = case.utilities(parties, &p);
            (p, u)
        })
        .collect()
}

/// Whether some package is acceptable to every party once the constraints `relaxed` give
/// way, by brute force.
pub(crate) fn feasible_without(case: &Case, parties: &[PartyIdx], relaxed: &[Constraint]) -> bool {
    (0..case.n_packages().expect("a small case"))
        .map(|k| case.package_at(k).expect("an index below the count"))
        .any(|package| {
            parties.iter().all(|&p| {
                let position = case.position(p).expect("every party has a position");
                let clears = position.red_lines.iter().enumerate().all(|(index, r)| {
                    relaxed.contains(&Constraint::RedLine { party: p, index })
                        || !r.is_crossed_by(&package)
                });
                let content = relaxed.contains(&Constraint::Reservation { party: p })
                    || position.utility(&package) >= position.reservation_value - EQUAL_EPS;
                clears && content
            })
        })
}
