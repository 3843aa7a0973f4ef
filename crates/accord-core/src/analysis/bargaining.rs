//! Bargaining solutions over a Pareto frontier: Nash, Kalai–Smorodinsky, egalitarian and
//! utilitarian packages.
//!
//! They take a frontier (however it was found) and the disagreement point (each party's
//! reservation value), and follow the definitions of the reference answers:
//!
//! - **Nash** (Nash 1950): among individually rational frontier vectors giving every party
//!   strictly more than its reservation value, the one maximising the product of gains.
//! - **Kalai–Smorodinsky** (Kalai and Smorodinsky 1975): among individually rational
//!   frontier vectors, the one maximising the smallest gain relative to the party's ideal
//!   gain; parties that can gain nothing are left out of the minimum.
//! - **Egalitarian** (max-min gain, Kalai 1977): maximise the smallest gain.
//! - **Utilitarian**: maximise the sum of utilities over the whole frontier.
//!
//! Among exact ties the first vector in frontier order is reported, and every vector whose
//! objective is within [`TIE_EPS`] of the best is listed in `ties`.
//!
//! ```
//! use accord_core::{bargaining_points, FrontierPoint, Package};
//!
//! let frontier: Vec<FrontierPoint> = [[0.2, 0.9], [0.6, 0.6], [0.9, 0.1]]
//!     .iter()
//!     .map(|u| FrontierPoint { utilities: u.to_vec(), package: Package(vec![]), n_packages: 1 })
//!     .collect();
//! let points = bargaining_points(&frontier, &[0.0, 0.0]);
//! assert_eq!(points.nash.unwrap().utilities, vec![0.6, 0.6]);
//! ```

use crate::analysis::frontier::{EQUAL_EPS, FrontierPoint};
use crate::model::Package;

/// Objectives within this of the best are ties (the reference answers' `tie` tolerance).
pub const TIE_EPS: f64 = 1e-9;

/// One bargaining solution.
#[derive(Debug, Clone, PartialEq)]
pub struct BargainingPoint {
    /// Utility for each party.
    pub utilities: Vec<f64>,
    /// A package with these utilities.
    pub package: Package,
    /// The value of the objective maximised (product, ratio, gain or welfare).
    pub objective: f64,
    /// Every frontier vector whose objective is within [`TIE_EPS`] of the best.
    pub ties: Vec<Vec<f64>>,
}

/// The four bargaining solutions, the ideal point and the count of rational vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct BargainingPoints {
    /// Each party's best utility over individually rational frontier vectors; `None`
    /// when no frontier vector is individually rational.
    pub ideal_point: Option<Vec<f64>>,
    /// Nash (1950): maximise the product of gains over the reservation values.
    pub nash: Option<BargainingPoint>,
    /// Kalai–Smorodinsky (1975): maximise the smallest relative gain.
    pub kalai_smorodinsky: Option<BargainingPoint>,
    /// Maximise the smallest gain.
    pub egalitarian: Option<BargainingPoint>,
    /// Maximise the sum of utilities.
    pub utilitarian: Option<BargainingPoint>,
}

/// Computes every bargaining solution over `frontier` with disagreement point `disagreement`.
#[must_use]
pub fn bargaining_points(frontier: &[FrontierPoint], disagreement: &[f64]) -> BargainingPoints {
    let rational: Vec<&FrontierPoint> = frontier
        .iter()
        .filter(|f| {
            f.utilities
                .iter()
                .zip(disagreement)
                .all(|(u, d)| *u >= d - EQUAL_EPS)
        })
        .collect();
    let ideal_point = (!rational.is_empty()).then(|| {
        (0..disagreement.len())
            .map(|i| {
                rational
                    .iter()
                    .map(|f| f.utilities[i])
                    .fold(f64::NEG_INFINITY, f64::max)
            })
            .collect::<Vec<f64>>()
    });
    let strictly_rational: Vec<&FrontierPoint> = rational
        .iter()
        .copied()
        .filter(|f| gains_over(f, disagreement).all(|g| g > EQUAL_EPS))
        .collect();
    let nash = best(&strictly_rational, |f| {
        gains_over(f, disagreement).product()
    });
    let kalai_smorodinsky = ideal_point.as_ref().and_then(|ideal| {
        let span: Vec<Option<f64>> = ideal
            .iter()
            .zip(disagreement)
            .map(|(i, d)| (i - d > EQUAL_EPS).then_some(i - d))
            .collect();
        best(&rational, |f| {
            let relative = gains_over(f, disagreement)
                .zip(&span)
                .filter_map(|(g, s)| s.map(|s| g / s))
                .fold(f64::INFINITY, f64::min);
            if relative.is_finite() { relative } else { 0.0 }
        })
    });
    let egalitarian = best(&rational, |f| {
        gains_over(f, disagreement).fold(f64::INFINITY, f64::min)
    });
    let all: Vec<&FrontierPoint> = frontier.iter().collect();
    let utilitarian = best(&all, |f| f.utilities.iter().sum());
    BargainingPoints {
        ideal_point,
        nash,
        kalai_smorodinsky,
        egalitarian,
        utilitarian,
    }
}

/// Each party's utility less its disagreement value.
fn gains_over<'a>(f: &'a FrontierPoint, disagreement: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
    f.utilities.iter().zip(disagreement).map(|(u, d)| u - d)
}

/// The first vector with the largest objective, and all within [`TIE_EPS`] of it.
fn best(
    candidates: &[&FrontierPoint],
    objective: impl Fn(&FrontierPoint) -> f64,
) -> Option<BargainingPoint> {
    let values: Vec<f64> = candidates.iter().map(|f| objective(f)).collect();
    let (winner, &top) =
        values
            .iter()
            .enumerate()
            .fold(None, |acc: Option<(usize, &f64)>, (k, v)| match acc {
                Some((_, b)) if *v <= *b => acc,
                _ => Some((k, v)),
            })?;
    let ties = candidates
        .iter()
        .zip(&values)
        .filter(|(_, v)| **v >= top - TIE_EPS)
        .map(|(f, _)| f.utilities.clone())
        .collect();
    Some(BargainingPoint {
        utilities: candidates[winner].utilities.clone(),
        package: candidates[winner].package.clone(),
        objective: top,
        ties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frontier(vectors: &[[f64; 2]]) -> Vec<FrontierPoint> {
        vectors
            .iter()
            .map(|u| FrontierPoint {
                utilities: u.to_vec(),
                package: Package(vec![]),
                n_packages: 1,
            })
            .collect()
    }

    fn check(vectors: &[[f64; 2]], disagreement: [f64; 2], expected: &str) {
        let points = bargaining_points(&frontier(vectors), &disagreement);
        let show = |p: &Option<BargainingPoint>| {
            p.as_ref()
                .map_or("-".to_string(), |p| format!("{:?}", p.utilities))
        };
        let got = format!(
            "nash {} ks {} egal {} util {}",
            show(&points.nash),
            show(&points.kalai_smorodinsky),
            show(&points.egalitarian),
            show(&points.utilitarian)
        );
        assert_eq!(got, expected);
    }

    #[test]
    fn symmetric_frontier_agrees_on_the_middle() {
        check(
            &[[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]],
            [0.0, 0.0],
            "nash [0.5, 0.5] ks [0.5, 0.5] egal [0.5, 0.5] util [0.0, 1.0]",
        );
    }

    #[test]
    fn solutions_differ_on_an_asymmetric_frontier() {
        // Products: 0.09, 0.2, 0.16 -> Nash (0.4, 0.5). Ideal (0.8, 0.9): relative gains
        // min(0.125, 1) , min(0.5, 0.56), min(1, 0.22) -> KS (0.4, 0.5). Min gains 0.1, 0.4,
        // 0.2 -> egalitarian (0.4, 0.5). Welfare 1.0, 0.9, 1.0 -> the first of the tie.
        check(
            &[[0.1, 0.9], [0.4, 0.5], [0.8, 0.2]],
            [0.0, 0.0],
            "nash [0.4, 0.5] ks [0.4, 0.5] egal [0.4, 0.5] util [0.1, 0.9]",
        );
        // Reservation values move the disagreement point: only (0.4, 0.5) and (0.8, 0.2)
        // are rational with d = (0.3, 0.2); Nash needs strict gains, so (0.8, 0.2) is out.
        check(
            &[[0.1, 0.9], [0.4, 0.5], [0.8, 0.2]],
            [0.3, 0.2],
            "nash [0.4, 0.5] ks [0.4, 0.5] egal [0.4, 0.5] util [0.1, 0.9]",
        );
    }

    #[test]
    fn nothing_rational_gives_no_solution_but_utilitarian() {
        check(
            &[[0.1, 0.9], [0.9, 0.1]],
            [0.95, 0.95],
            "nash - ks - egal - util [0.1, 0.9]",
        );
    }
}
