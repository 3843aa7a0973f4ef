//! The Pareto frontier of a case, found by enumerating every package.
//!
//! Packages are streamed by index in chunks (never stored as a list of all packages);
//! each chunk keeps only its own non-dominated utility vectors, found by sort-filter-skyline
//! (Chomicki et al. 2003): sorted by decreasing welfare, a vector can only be dominated by
//! one already kept. The chunk fronts are then merged the same way. Chunks are processed in
//! parallel with the `parallel` feature, and merged in chunk order, so the answer does not
//! depend on the number of threads.
//!
//! Utilities are compared with a tolerance: two utilities within [`EQUAL_EPS`] are equal,
//! so vectors that differ only by floating-point noise are one frontier vector.
//!
//! ```
//! use accord_core::{pareto_frontier, Case, Point, PointKind, Party, Role, Position,
//!     AdditiveUtility, Evaluator, EnumerationLimit};
//!
//! let points = vec![Point::new("a", PointKind::options(["x", "y"]))];
//! let position = |scores: Vec<f64>| Position::new(
//!     AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(scores)]).into());
//! let parties = vec![
//!     Party::new("p", "P", Role::Party).with_position(position(vec![1.0, 0.0])),
//!     Party::new("q", "Q", Role::Party).with_position(position(vec![0.0, 1.0])),
//! ];
//! let case = Case::new("t", points, parties).unwrap();
//! let scan = pareto_frontier(&case, &case.negotiating_parties(), EnumerationLimit::default()).unwrap();
//! assert_eq!(scan.frontier.len(), 2);
//! ```

use std::cmp::Ordering;

use crate::model::{Case, Choice, Package, PartyIdx, PointKind};
use crate::position::{RedLine, UtilityFunction, ValueSet};

/// Two utilities closer than this are equal (the reference answers' `equal` tolerance).
pub const EQUAL_EPS: f64 = 1e-12;

/// The largest number of packages that exact enumeration will visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumerationLimit(pub u128);

impl Default for EnumerationLimit {
    /// 5 * 10^7 packages: a few seconds on two cores.
    fn default() -> Self {
        Self(50_000_000)
    }
}

/// Why a case was not enumerated.
#[derive(Debug, Clone, PartialEq)]
pub enum NotEnumerable {
    /// More packages than the limit (the count, as a power of ten, may exceed `u128`),
    /// and no method that avoids enumeration applied.
    TooLarge {
        /// Base-10 logarithm of the number of packages.
        log10_n_packages: f64,
        /// The limit in force.
        limit: u128,
        /// Why merging per-point frontiers did not answer either, when it was tried.
        merge: Option<crate::NotMergeable>,
    },
    /// A point is a real range, which has infinitely many values.
    RealPoint {
        /// The point's id.
        point: String,
    },
}

/// One vector of the Pareto frontier, with the first package (in enumeration order)
/// that attains it.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierPoint {
    /// Utility of `package` for each analysed party, in the order given.
    pub utilities: Vec<f64>,
    /// A package with these utilities.
    pub package: Package,
    /// How many packages have (within [`EQUAL_EPS`]) these utilities.
    pub n_packages: u64,
}

/// A frontier and the counts gathered while finding it.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierScan {
    /// Packages that cross no analysed party's red line.
    pub n_clear_red_lines: u128,
    /// Packages that cross no red line and give every party at least its reservation value
    /// (within [`EQUAL_EPS`]); `None` when the method does not count them (merging).
    pub n_feasible: Option<u64>,
    /// The Pareto-optimal utility vectors among packages that cross no red line, sorted
    /// ascending lexicographically.
    pub frontier: Vec<FrontierPoint>,
    /// 0 for an exact frontier; for an approximate one, a proven bound: every package that
    /// clears the red lines has a frontier vector at most this much worse for any party.
    pub error_bound: f64,
}

/// Whether `a` dominates `b`: at least as good for everyone and better for someone,
/// with the [`EQUAL_EPS`] tolerance.
#[must_use]
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (&x, &y) in a.iter().zip(b) {
        if x < y - EQUAL_EPS {
            return false;
        }
        if x > y + EQUAL_EPS {
            better = true;
        }
    }
    better
}

/// Whether every coordinate of `a` and `b` is within [`EQUAL_EPS`].
#[must_use]
pub fn equal_utilities(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= EQUAL_EPS)
}

/// Finds the Pareto frontier over the packages that cross no red line of `parties`, by
/// enumerating every package. Refuses (without work) when the case has more packages
/// than `limit` or a real-valued point.
pub fn pareto_frontier(
    case: &Case,
    parties: &[PartyIdx],
    limit: EnumerationLimit,
) -> Result<FrontierScan, NotEnumerable> {
    if let Some(point) = case
        .points()
        .iter()
        .find(|p| matches!(p.kind, PointKind::Real { .. }))
    {
        return Err(NotEnumerable::RealPoint {
            point: point.id.clone(),
        });
    }
    let n_packages = match case.n_packages() {
        Some(n) if n <= limit.0 => n as u64,
        _ => {
            return Err(NotEnumerable::TooLarge {
                log10_n_packages: case.log10_n_packages().unwrap_or(f64::INFINITY),
                limit: limit.0,
                merge: None,
            });
        }
    };
    let plan = Plan::new(case, parties);
    let n_chunks = n_packages.div_ceil(CHUNK);
    let chunk = |k: u64| plan.scan(k * CHUNK, ((k + 1) * CHUNK).min(n_packages));
    #[cfg(feature = "parallel")]
    let chunks: Vec<ChunkResult> = {
        use rayon::prelude::*;
        (0..n_chunks).into_par_iter().map(chunk).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let chunks: Vec<ChunkResult> = (0..n_chunks).map(chunk).collect();

    let n = parties.len();
    let mut all = Front::new(n);
    let (mut n_clear, mut n_feasible) = (0, 0);
    for result in chunks {
        n_clear += result.n_clear;
        n_feasible += result.n_feasible;
        all.extend(&result.front);
    }
    let front = all.skyline();
    let mut frontier: Vec<FrontierPoint> = (0..front.len())
        .map(|k| FrontierPoint {
            utilities: front.utilities(k).to_vec(),
            package: case
                .package_at(u128::from(front.index[k]))
                .expect("a visited index is a package"),
            n_packages: front.count[k],
        })
        .collect();
    frontier.sort_by(|a, b| lexicographic(&a.utilities, &b.utilities));
    Ok(FrontierScan {
        n_clear_red_lines: u128::from(n_clear),
        n_feasible: Some(n_feasible),
        frontier,
        error_bound: 0.0,
    })
}

/// Ascending lexicographic order of utility vectors.
pub(crate) fn lexicographic(a: &[f64], b: &[f64]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.total_cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

const CHUNK: u64 = 1 << 17;

/// Utility vectors with the first package index and package count of each, stored flat.
#[derive(Debug, Clone)]
struct Front {
    n: usize,
    utilities: Vec<f64>,
    index: Vec<u64>,
    count: Vec<u64>,
}

impl Front {
    fn new(n: usize) -> Self {
        Self {
            n,
            utilities: Vec::new(),
            index: Vec::new(),
            count: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.index.len()
    }

    fn utilities(&self, k: usize) -> &[f64] {
        &self.utilities[k * self.n..(k + 1) * self.n]
    }

    fn push(&mut self, utilities: &[f64], index: u64, count: u64) {
        self.utilities.extend_from_slice(utilities);
        self.index.push(index);
        self.count.push(count);
    }

    fn extend(&mut self, other: &Front) {
        self.utilities.extend_from_slice(&other.utilities);
        self.index.extend_from_slice(&other.index);
        self.count.extend_from_slice(&other.count);
    }

    /// The non-dominated vectors, equal vectors merged (counts added, first index kept).
    fn skyline(&self) -> Front {
        let welfare: Vec<f64> = (0..self.len())
            .map(|k| self.utilities(k).iter().sum())
            .collect();
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| {
            welfare[b]
                .total_cmp(&welfare[a])
                .then(self.index[a].cmp(&self.index[b]))
        });
        let mut kept = Front::new(self.n);
        let mut kept_welfare = Vec::new();
        'candidates: for k in order {
            let u = self.utilities(k);
            for j in 0..kept.len() {
                let v = kept.utilities(j);
                if equal_utilities(v, u) {
                    kept.count[j] += self.count[k];
                    if self.index[k] < kept.index[j] {
                        kept.index[j] = self.index[k];
                        kept.utilities[j * self.n..(j + 1) * self.n].copy_from_slice(u);
                    }
                    continue 'candidates;
                }
                if dominates(v, u) {
                    continue 'candidates;
                }
            }
            kept.push(u, self.index[k], self.count[k]);
            kept_welfare.push(welfare[k]);
        }
        // With the tolerance, a vector may be dominated by one whose welfare is lower by
        // up to n * EQUAL_EPS, which sorted after it: look for those in a narrow window.
        let window = self.n as f64 * EQUAL_EPS * 2.0;
        let dominated: Vec<bool> = (0..kept.len())
            .map(|i| {
                ((i + 1)..kept.len())
                    .take_while(|&j| kept_welfare[j] >= kept_welfare[i] - window)
                    .any(|j| dominates(kept.utilities(j), kept.utilities(i)))
            })
            .collect();
        if !dominated.contains(&true) {
            return kept;
        }
        let mut clean = Front::new(self.n);
        for (k, _) in dominated.iter().enumerate().filter(|(_, d)| !**d) {
            clean.push(kept.utilities(k), kept.index[k], kept.count[k]);
        }
        clean
    }
}

struct ChunkResult {
    n_clear: u64,
    n_feasible: u64,
    front: Front,
}

/// How one party's utility is computed during enumeration.
enum PartyPlan<'a> {
    /// Contribution of value `k` of point `i`: `tables[i][k]`, summed in point order.
    Additive(Vec<Vec<f64>>),
    /// Evaluated on the package as a whole.
    General(&'a UtilityFunction),
}

/// A red line over value numbers: `when` and `require` as per-value masks.
struct RedLineMask {
    when: Option<(usize, Vec<bool>)>,
    require: (usize, Vec<bool>),
}

struct Plan<'a> {
    case: &'a Case,
    radix: Vec<u64>,
    parties: Vec<PartyPlan<'a>>,
    red_lines: Vec<RedLineMask>,
    reservation: Vec<f64>,
}

impl<'a> Plan<'a> {
    fn new(case: &'a Case, parties: &[PartyIdx]) -> Self {
        let points = case.points();
        let radix: Vec<u64> = points
            .iter()
            .map(|p| p.n_values().expect("real points are refused earlier"))
            .collect();
        let mask = |point: usize, values: &ValueSet| -> (usize, Vec<bool>) {
            let p = &points[point];
            let m = (0..radix[point])
                .map(|k| values.contains(p.choice_at(k)))
                .collect();
            (point, m)
        };
        let mut plans = Vec::new();
        let mut red_lines = Vec::new();
        let mut reservation = Vec::new();
        for &party in parties {
            let Some(position) = case.position(party) else {
                // A party without a position is indifferent: utility 0 everywhere.
                plans.push(PartyPlan::Additive(
                    radix.iter().map(|&r| vec![0.0; r as usize]).collect(),
                ));
                reservation.push(0.0);
                continue;
            };
            reservation.push(position.reservation_value);
            plans.push(match &position.utility {
                UtilityFunction::Additive(additive) => PartyPlan::Additive(
                    points
                        .iter()
                        .enumerate()
                        .map(|(i, p)| {
                            (0..radix[i])
                                .map(|k| additive.contribution(crate::PointIdx(i), p.choice_at(k)))
                                .collect()
                        })
                        .collect(),
                ),
                other @ UtilityFunction::Constraint(_) => PartyPlan::General(other),
            });
            red_lines.extend(position.red_lines.iter().map(|r: &RedLine| RedLineMask {
                when: r.when.as_ref().map(|c| mask(c.point.0, &c.values)),
                require: mask(r.require.point.0, &r.require.values),
            }));
        }
        Self {
            case,
            radix,
            parties: plans,
            red_lines,
            reservation,
        }
    }

    /// Visits packages `start..end` in enumeration order.
    fn scan(&self, start: u64, end: u64) -> ChunkResult {
        let n_points = self.radix.len();
        let n = self.parties.len();
        let points = self.case.points();
        let mut digits = vec![0u64; n_points];
        let mut rest = start;
        for i in (0..n_points).rev() {
            digits[i] = rest % self.radix[i];
            rest /= self.radix[i];
        }
        let needs_package = self
            .parties
            .iter()
            .any(|p| matches!(p, PartyPlan::General(_)));
        let mut package = Package(
            points
                .iter()
                .zip(&digits)
                .map(|(p, &k)| p.choice_at(k))
                .collect::<Vec<Choice>>(),
        );
        // prefix[p * n_points + i] = sum of party p's contributions of points 0..=i.
        let mut prefix = vec![0.0; n * n_points];
        let mut dirty_from = 0;
        let mut candidates = Front::new(n);
        let mut utilities = vec![0.0; n];
        let (mut n_clear, mut n_feasible) = (0, 0);
        for index in start..end {
            for (p, plan) in self.parties.iter().enumerate() {
                if let PartyPlan::Additive(tables) = plan {
                    let row = &mut prefix[p * n_points..(p + 1) * n_points];
                    let mut sum = if dirty_from == 0 {
                        0.0
                    } else {
                        row[dirty_from - 1]
                    };
                    for i in dirty_from..n_points {
                        sum += tables[i][digits[i] as usize];
                        row[i] = sum;
                    }
                }
            }
            // A red line is crossed when its condition holds (or it has none) and its
            // requirement fails.
            let clear = self.red_lines.iter().all(|r| {
                r.when
                    .as_ref()
                    .is_some_and(|(i, m)| !m[digits[*i] as usize])
                    || r.require.1[digits[r.require.0] as usize]
            });
            if clear {
                n_clear += 1;
                for (p, plan) in self.parties.iter().enumerate() {
                    utilities[p] = match plan {
                        PartyPlan::Additive(_) if n_points > 0 => {
                            prefix[p * n_points + n_points - 1].min(1.0)
                        }
                        PartyPlan::Additive(_) => 0.0,
                        PartyPlan::General(utility) => match utility {
                            UtilityFunction::Additive(a) => a.utility(&package),
                            UtilityFunction::Constraint(c) => c.utility(&package),
                        },
                    };
                }
                if utilities
                    .iter()
                    .zip(&self.reservation)
                    .all(|(u, d)| *u >= d - EQUAL_EPS)
                {
                    n_feasible += 1;
                }
                candidates.push(&utilities, index, 1);
            }
            // Advance the odometer: the last point varies fastest.
            let mut i = n_points;
            while i > 0 {
                i -= 1;
                digits[i] += 1;
                if digits[i] < self.radix[i] {
                    break;
                }
                digits[i] = 0;
            }
            dirty_from = i;
            if needs_package {
                for j in i..n_points {
                    package.0[j] = points[j].choice_at(digits[j]);
                }
            }
        }
        ChunkResult {
            n_clear,
            n_feasible,
            front: candidates.skyline(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(vectors: &[[f64; 2]], expected: &[[f64; 2]]) {
        let mut front = Front::new(2);
        for (k, v) in vectors.iter().enumerate() {
            front.push(v, k as u64, 1);
        }
        let sky = front.skyline();
        let mut got: Vec<Vec<f64>> = (0..sky.len()).map(|k| sky.utilities(k).to_vec()).collect();
        got.sort_by(|a, b| lexicographic(a, b));
        assert_eq!(got, expected.iter().map(|v| v.to_vec()).collect::<Vec<_>>());
    }

    #[test]
    fn skyline_drops_dominated_vectors() {
        check(
            &[[0.5, 0.5], [0.4, 0.4], [1.0, 0.0], [0.5, 0.6]],
            &[[0.5, 0.6], [1.0, 0.0]],
        );
    }

    #[test]
    fn skyline_merges_vectors_within_tolerance() {
        // The second differs by floating-point noise only; the first (lower index) stays.
        check(&[[0.3, 0.7], [0.3 + 1e-16, 0.7]], &[[0.3, 0.7]]);
        // A vector worse by noise in one party and better by more in another dominates.
        check(&[[0.5, 0.3 + 1e-16], [0.6, 0.3]], &[[0.6, 0.3]]);
    }
}
