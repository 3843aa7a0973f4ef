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
use crate::position::{ConstraintUtility, RedLine, UtilityFunction, ValueSet};

/// Two utilities closer than this are equal (the reference answers' `equal` tolerance).
pub const EQUAL_EPS: f64 = 1e-12;

/// The largest number of packages (or classes of alike packages, see [`FrontierScan::n_visited`])
/// that exact enumeration will visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumerationLimit(pub u128);

impl Default for EnumerationLimit {
    /// 10^8 packages: a few seconds on two cores.
    fn default() -> Self {
        Self(100_000_000)
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
        /// Why the search over hyper-rectangles did not answer either, when it was tried
        /// (every analysed utility a constraint one).
        search: Option<crate::NotSolvable>,
    },
    /// A point is a real range, which has infinitely many values.
    RealPoint {
        /// The point's id.
        point: String,
    },
}

impl std::fmt::Display for NotEnumerable {
    /// Why there is no exact analysis, in words (lowercase, as every message).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::NotMergeable;
        let text = match self {
            NotEnumerable::TooLarge {
                log10_n_packages,
                limit,
                merge,
                search,
            } => {
                let searched = search
                    .as_ref()
                    .map(|why| format!("; the search over its hyper-rectangles: {why}"))
                    .unwrap_or_default();
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
                    "about 10^{log10_n_packages:.1} packages: too large for exact enumeration (limit {limit}){why}{searched}"
                )
            }
            NotEnumerable::RealPoint { point } => {
                format!("point `{point}` is a real range: exact analysis needs finite points")
            }
        };
        f.write_str(&text)
    }
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
    /// How many packages enumeration visited: fewer than the case has when values that no
    /// party and no red line tells apart were visited once for all (their counts still
    /// count every package); 0 when the frontier was merged.
    pub n_visited: u64,
}

impl FrontierScan {
    /// How many packages attain the frontier's vectors, or `None` when the count does not
    /// fit in 64 bits (a count that reached `u64::MAX` saturated there).
    #[must_use]
    pub fn n_frontier_packages(&self) -> Option<u64> {
        self.frontier
            .iter()
            .try_fold(0u64, |sum, f| sum.checked_add(f.n_packages))
            .filter(|&n| n < u64::MAX)
    }
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
    let too_large = || NotEnumerable::TooLarge {
        log10_n_packages: case.log10_n_packages().unwrap_or(f64::INFINITY),
        limit: limit.0,
        merge: None,
        search: None,
    };
    if case.n_packages().is_none() {
        return Err(too_large());
    }
    // Values no party and no red line tells apart are visited once: see `Plan::new`.
    let plan = Plan::new(case, parties).ok_or_else(too_large)?;
    let n_packages = plan
        .radix
        .iter()
        .try_fold(1u128, |n, &r| n.checked_mul(u128::from(r)))
        .filter(|&n| n <= limit.0)
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(too_large)?;
    let n_chunks = n_packages.div_ceil(CHUNK);
    // A stopped analysis scans no more chunks (see `crate::interrupt`).
    let chunk = |k: u64| {
        if crate::interrupt::raised() {
            return None;
        }
        Some(plan.scan(k * CHUNK, ((k + 1) * CHUNK).min(n_packages)))
    };
    #[cfg(feature = "parallel")]
    let chunks: Option<Vec<ChunkResult>> = {
        use rayon::prelude::*;
        if n_chunks == 1 {
            // One chunk: no thread is worth waking.
            chunk(0).map(|c| vec![c])
        } else {
            let interrupt = crate::Interrupt::current();
            (0..n_chunks)
                .into_par_iter()
                .map(|k| crate::interrupt::watching(interrupt.as_ref(), || chunk(k)))
                .collect()
        }
    };
    #[cfg(not(feature = "parallel"))]
    let chunks: Option<Vec<ChunkResult>> = (0..n_chunks).map(chunk).collect();
    let chunks = chunks.ok_or_else(too_large)?;

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
            package: plan.package_at(front.index[k]),
            n_packages: front.count[k],
        })
        .collect();
    frontier.sort_by(|a, b| lexicographic(&a.utilities, &b.utilities));
    Ok(FrontierScan {
        n_clear_red_lines: u128::from(n_clear),
        n_feasible: Some(n_feasible),
        frontier,
        error_bound: 0.0,
        n_visited: n_packages,
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

/// Up to this many packages of an additive case, every value is its own class: finding
/// the classes costs more than it saves.
const SMALL: u64 = 1 << 12;

/// How many vectors each chunk keeps at hand to drop dominated packages at once.
const ELITE: usize = 16;

/// The value classes of every point: values that get the same contribution from every
/// additive party, lie inside the same bounds of every constraint party's rectangles, and
/// fall on the same side of every red line are alike for the analysis, so a package can
/// swap one for another without changing any utility or crossing any other red line. Each
/// class is `(first value, number of values)`, in order of first value, so class order is
/// enumeration order.
fn value_classes(
    case: &Case,
    radix: &[u64],
    wide: &[bool],
    plans: &[PartyPlan<'_>],
    red_lines: &[RedLineMask],
) -> Vec<Vec<(u64, u64)>> {
    let points = case.points();
    let bounds: Vec<&crate::Bound> = plans
        .iter()
        .filter_map(|p| match p {
            PartyPlan::Constraint(c, _) => Some(c.root.bounds()),
            PartyPlan::Additive(_) => None,
        })
        .flatten()
        .collect();
    (0..points.len())
        .map(|i| {
            if wide[i] {
                // Found from its breakpoints instead (`interval_classes`).
                return Vec::new();
            }
            let here: Vec<&crate::Bound> =
                bounds.iter().copied().filter(|b| b.point.0 == i).collect();
            let masks: Vec<&Vec<bool>> = red_lines
                .iter()
                .flat_map(|r| r.when.iter().chain([&r.require]))
                .filter(|(point, _)| *point == i)
                .map(|(_, mask)| mask)
                .collect();
            let signature = |k: u64| -> Vec<u64> {
                let v = points[i].choice_at(k).as_f64();
                let mut key: Vec<u64> = plans
                    .iter()
                    .filter_map(|p| match p {
                        PartyPlan::Additive(tables) => Some(tables[i][k as usize].to_bits()),
                        PartyPlan::Constraint(..) => None,
                    })
                    .collect();
                key.extend(here.iter().map(|b| u64::from(b.min <= v && v <= b.max)));
                key.extend(masks.iter().map(|m| u64::from(m[k as usize])));
                key
            };
            let mut index: std::collections::HashMap<Vec<u64>, usize> =
                std::collections::HashMap::new();
            let mut classes: Vec<(u64, u64)> = Vec::new();
            for k in 0..radix[i] {
                let class = *index.entry(signature(k)).or_insert_with(|| {
                    classes.push((k, 0));
                    classes.len() - 1
                });
                classes[class].1 += 1;
            }
            classes
        })
        .collect()
}

/// An integer point with more values than this is never visited value by value: its value
/// classes are intervals found from the breakpoints on it ([`interval_classes`]).
const WIDE: u64 = 1 << 16;

/// The most value classes a wide point may have; beyond, the case is too large to
/// enumerate (each value then counts for some party).
const MAX_WIDE_CLASSES: u64 = 1 << 20;

/// The value classes of wide integer point `i`, as intervals, without visiting its values:
/// the points where some analysed value function bends, where a box or a red line on the
/// point starts or ends, cut its range into segments on which every contribution is linear
/// and every box and red line says the same; a segment whose ends score alike for every
/// party is one class, any other has one class per value. `None` when that makes more
/// than [`MAX_WIDE_CLASSES`].
fn interval_classes(
    case: &Case,
    i: usize,
    plans: &[PartyPlan<'_>],
    additive: &[Option<&crate::position::AdditiveUtility>],
    red_lines: &[&RedLine],
) -> Option<Vec<(u64, u64)>> {
    let point = &case.points()[i];
    let PointKind::Integer { min, max } = point.kind else {
        return None;
    };
    let n = max.abs_diff(min).checked_add(1)?;
    // Offsets of the first value of each segment, from 0 to n (the end).
    let mut cuts: Vec<u64> = vec![0, n];
    let mut cut_before = |value: f64| {
        // The first integer value at or above `value`, as an offset into the range.
        let first = value.ceil();
        if first > min as f64 && first <= max as f64 {
            #[allow(clippy::cast_possible_truncation, reason = "inside the i64 range")]
            let first = first as i64;
            cuts.push(first.abs_diff(min));
        }
    };
    for utility in additive.iter().flatten() {
        for kink in utility.evaluators()[i].kinks() {
            // The value function is linear between kinks: cut just after each.
            cut_before(kink.floor() + 1.0);
            cut_before(kink);
        }
    }
    let bounds = plans.iter().filter_map(|p| match p {
        PartyPlan::Constraint(c, _) => Some(c.root.bounds()),
        PartyPlan::Additive(_) => None,
    });
    let mut ranges: Vec<(f64, f64)> = bounds
        .flatten()
        .filter(|b| b.point.0 == i)
        .map(|b| (b.min, b.max))
        .collect();
    for red_line in red_lines {
        for condition in red_line.when.iter().chain([&red_line.require]) {
            if condition.point.0 == i
                && let ValueSet::Range { min, max } = condition.values
            {
                ranges.push((min, max));
            }
        }
    }
    for (low, high) in ranges {
        cut_before(low);
        cut_before(high.floor() + 1.0);
    }
    // A cut computed in f64 beyond the range (values past 2^53 round) is dropped.
    cuts.retain(|&c| c <= n);
    cuts.sort_unstable();
    cuts.dedup();
    // What tells two values apart: every contribution, box and red line on the point.
    let signature = |k: u64| -> Vec<u64> {
        let choice = point.choice_at(k);
        let v = choice.as_f64();
        let mut key: Vec<u64> = additive
            .iter()
            .flatten()
            .map(|u| u.contribution(crate::PointIdx(i), choice).to_bits())
            .collect();
        for plan in plans {
            if let PartyPlan::Constraint(c, _) = plan {
                key.extend(
                    c.root
                        .bounds()
                        .iter()
                        .filter(|b| b.point.0 == i)
                        .map(|b| u64::from(b.min <= v && v <= b.max)),
                );
            }
        }
        for red_line in red_lines {
            for condition in red_line.when.iter().chain([&red_line.require]) {
                if condition.point.0 == i {
                    key.push(u64::from(condition.values.contains(choice)));
                }
            }
        }
        key
    };
    let mut classes: Vec<(u64, u64)> = Vec::new();
    for segment in cuts.windows(2) {
        let (first, end) = (segment[0], segment[1]);
        if signature(first) == signature(end - 1) {
            classes.push((first, end - first));
        } else {
            if (classes.len() as u64).saturating_add(end - first) > MAX_WIDE_CLASSES {
                return None;
            }
            classes.extend((first..end).map(|k| (k, 1)));
        }
        if classes.len() as u64 > MAX_WIDE_CLASSES {
            return None;
        }
    }
    Some(classes)
}

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
    /// Hyper-rectangles; compiled over the value classes once they are known.
    Constraint(&'a ConstraintUtility, Option<Compiled>),
}

/// A constraint utility over value classes: for each class of each point, the rectangles
/// (one bit each, numbered as `ConstraintNode::all_rectangles` lists them) one of whose
/// bounds keeps the class out. A package's rectangles are then the union over its points,
/// kept as running unions as the odometer turns, as additive sums are.
struct Compiled {
    words: usize,
    /// `fails[i][c]`: `words` words of rectangle bits.
    fails: Vec<Vec<Vec<u64>>>,
    /// Per rectangle: `Some(excludes)` when it has bounds, `None` when it pays everywhere.
    kinds: Vec<Option<bool>>,
    /// The rectangles' rewards when the utility is one flat sum of them (ANAC 2014's).
    flat: Option<Vec<f64>>,
}

impl Compiled {
    fn new(case: &Case, utility: &ConstraintUtility, classes: &[Vec<(u64, u64)>]) -> Self {
        let rectangles = utility.root.all_rectangles();
        let words = rectangles.len().div_ceil(64).max(1);
        let points = case.points();
        let fails = classes
            .iter()
            .enumerate()
            .map(|(i, point)| {
                point
                    .iter()
                    .map(|&(first, _)| {
                        let v = points[i].choice_at(first).as_f64();
                        let mut bits = vec![0u64; words];
                        for (k, r) in rectangles.iter().enumerate() {
                            if r.bounds
                                .iter()
                                .any(|b| b.point.0 == i && !(b.min <= v && v <= b.max))
                            {
                                bits[k / 64] |= 1 << (k % 64);
                            }
                        }
                        bits
                    })
                    .collect()
            })
            .collect();
        let kinds = rectangles
            .iter()
            .map(|r| (!r.bounds.is_empty()).then_some(r.excludes))
            .collect();
        let root = &utility.root;
        let flat = (root.children.is_empty() && root.aggregation == crate::Aggregation::Sum)
            .then(|| rectangles.iter().map(|r| r.utility).collect());
        Self {
            words,
            fails,
            kinds,
            flat,
        }
    }

    /// The utility of a package whose points keep out the rectangles `failed`.
    fn utility(&self, utility: &ConstraintUtility, failed: &[u64]) -> f64 {
        let pays = |k: usize| {
            let out = failed.get(k / 64).is_some_and(|w| w & (1 << (k % 64)) != 0);
            match self.kinds[k] {
                None => true,
                Some(excludes) => out == excludes,
            }
        };
        // The same additions, in the same order, as `ConstraintNode::value`.
        let value = match &self.flat {
            Some(rewards) => rewards
                .iter()
                .enumerate()
                .map(|(k, &r)| if pays(k) { r } else { 0.0 })
                .sum(),
            None => utility.root.value_with(&pays, &std::cell::Cell::new(0)),
        };
        (value / utility.max_utility).min(1.0)
    }
}

/// A red line over value numbers: `when` and `require` as per-value masks.
struct RedLineMask {
    when: Option<(usize, Vec<bool>)>,
    require: (usize, Vec<bool>),
}

struct Plan<'a> {
    case: &'a Case,
    /// The number of value classes of each point.
    radix: Vec<u64>,
    /// `classes[i][c]`: the first value of class `c` of point `i`, and its number of values.
    classes: Vec<Vec<(u64, u64)>>,
    parties: Vec<PartyPlan<'a>>,
    red_lines: Vec<RedLineMask>,
    reservation: Vec<f64>,
}

impl<'a> Plan<'a> {
    /// The plan, or `None` when a wide integer point has more value classes than
    /// [`MAX_WIDE_CLASSES`] (the case is then too large to enumerate).
    fn new(case: &'a Case, parties: &[PartyIdx]) -> Option<Self> {
        let points = case.points();
        let radix: Vec<u64> = points
            .iter()
            .map(|p| p.n_values().expect("real points are refused earlier"))
            .collect();
        // Wide integer points are never visited value by value: their classes come from
        // the breakpoints on them, and their tables and masks are filled per class.
        let wide: Vec<bool> = points
            .iter()
            .zip(&radix)
            .map(|(p, &r)| r > WIDE && matches!(p.kind, PointKind::Integer { .. }))
            .collect();
        let per_value = |i: usize| if wide[i] { 0 } else { radix[i] };
        let mask = |point: usize, values: &ValueSet| -> (usize, Vec<bool>) {
            let p = &points[point];
            let m = (0..per_value(point))
                .map(|k| values.contains(p.choice_at(k)))
                .collect();
            (point, m)
        };
        let mut plans = Vec::new();
        let mut additive: Vec<Option<&crate::position::AdditiveUtility>> = Vec::new();
        let mut red_lines: Vec<RedLineMask> = Vec::new();
        let mut sources: Vec<&RedLine> = Vec::new();
        let mut reservation = Vec::new();
        for &party in parties {
            let Some(position) = case.position(party) else {
                // A party without a position is indifferent: utility 0 everywhere.
                plans.push(PartyPlan::Additive(
                    (0..points.len())
                        .map(|i| vec![0.0; per_value(i) as usize])
                        .collect(),
                ));
                additive.push(None);
                reservation.push(0.0);
                continue;
            };
            reservation.push(position.reservation_value);
            plans.push(match &position.utility {
                UtilityFunction::Additive(utility) => {
                    additive.push(Some(utility));
                    PartyPlan::Additive(
                        points
                            .iter()
                            .enumerate()
                            .map(|(i, p)| {
                                (0..per_value(i))
                                    .map(|k| {
                                        utility.contribution(crate::PointIdx(i), p.choice_at(k))
                                    })
                                    .collect()
                            })
                            .collect(),
                    )
                }
                UtilityFunction::Constraint(constraint) => {
                    additive.push(None);
                    PartyPlan::Constraint(constraint, None)
                }
            });
            for r in &position.red_lines {
                red_lines.push(RedLineMask {
                    when: r.when.as_ref().map(|c| mask(c.point.0, &c.values)),
                    require: mask(r.require.point.0, &r.require.values),
                });
                sources.push(r);
            }
        }
        let n_packages = radix
            .iter()
            .try_fold(1u64, |n, &r| n.checked_mul(r))
            .unwrap_or(u64::MAX);
        let rectangles = plans.iter().any(|p| matches!(p, PartyPlan::Constraint(..)));
        let mut classes = if n_packages <= SMALL && !rectangles {
            // Visiting every package is as quick as finding the classes.
            radix
                .iter()
                .map(|&r| (0..r).map(|v| (v, 1)).collect())
                .collect()
        } else {
            value_classes(case, &radix, &wide, &plans, &red_lines)
        };
        for i in (0..points.len()).filter(|&i| wide[i]) {
            classes[i] = interval_classes(case, i, &plans, &additive, &sources)?;
        }
        // From here on, a digit is a class number.
        for (plan, utility) in plans.iter_mut().zip(&additive) {
            match plan {
                PartyPlan::Additive(tables) => {
                    for (i, (table, point)) in tables.iter_mut().zip(&classes).enumerate() {
                        *table = if wide[i] {
                            let score = |v: u64| {
                                utility.map_or(0.0, |u| {
                                    u.contribution(crate::PointIdx(i), points[i].choice_at(v))
                                })
                            };
                            point.iter().map(|&(v, _)| score(v)).collect()
                        } else {
                            point.iter().map(|&(v, _)| table[v as usize]).collect()
                        };
                    }
                }
                PartyPlan::Constraint(constraint, compiled) => {
                    *compiled = Some(Compiled::new(case, constraint, &classes));
                }
            }
        }
        for (red_line, source) in red_lines.iter_mut().zip(&sources) {
            let conditions = red_line
                .when
                .iter_mut()
                .zip(source.when.iter())
                .chain([(&mut red_line.require, &source.require)]);
            for ((i, mask), condition) in conditions {
                *mask = if wide[*i] {
                    let point = &points[*i];
                    classes[*i]
                        .iter()
                        .map(|&(v, _)| condition.values.contains(point.choice_at(v)))
                        .collect()
                } else {
                    classes[*i].iter().map(|&(v, _)| mask[v as usize]).collect()
                };
            }
        }
        Some(Self {
            case,
            radix: classes.iter().map(|c| c.len() as u64).collect(),
            classes,
            parties: plans,
            red_lines,
            reservation,
        })
    }

    /// The package that stands for class combination `index` (its first values).
    fn package_at(&self, mut index: u64) -> Package {
        let points = self.case.points();
        let mut choices = vec![Choice::Option(crate::OptionIdx(0)); points.len()];
        for i in (0..points.len()).rev() {
            let class = index % self.radix[i];
            choices[i] = points[i].choice_at(self.classes[i][class as usize].0);
            index /= self.radix[i];
        }
        Package(choices)
    }

    /// Visits packages `start..end` in enumeration order.
    fn scan(&self, start: u64, end: u64) -> ChunkResult {
        let n_points = self.radix.len();
        let n = self.parties.len();
        let mut digits = vec![0u64; n_points];
        let mut rest = start;
        for i in (0..n_points).rev() {
            digits[i] = rest % self.radix[i];
            rest /= self.radix[i];
        }
        // prefix[p * n_points + i] = sum of party p's contributions of points 0..=i.
        let mut prefix = vec![0.0; n * n_points];
        // failed[p][i]: the rectangles of constraint party p that points 0..=i keep out.
        let mut failed: Vec<Vec<u64>> = self
            .parties
            .iter()
            .map(|plan| match plan {
                PartyPlan::Constraint(_, Some(c)) => vec![0; c.words * n_points],
                _ => Vec::new(),
            })
            .collect();
        let mut dirty_from = 0;
        // weights[i]: how many packages the classes of points 0..=i stand for (saturating).
        let mut weights = vec![1u64; n_points];
        let mut candidates = Front::new(n);
        let expected = (end - start).min(SMALL) as usize;
        candidates.utilities.reserve(expected * n);
        candidates.index.reserve(expected);
        candidates.count.reserve(expected);
        // A few vectors not dominated so far: most packages are dominated by one of them
        // and need not wait for the chunk's skyline.
        let mut elite: Vec<f64> = Vec::with_capacity(ELITE * n);
        let mut replace = 0;
        let mut hit = 0;
        let mut utilities = vec![0.0; n];
        let (mut n_clear, mut n_feasible) = (0, 0);
        for index in start..end {
            for i in dirty_from..n_points {
                let before = if i == 0 { 1 } else { weights[i - 1] };
                weights[i] = before.saturating_mul(self.classes[i][digits[i] as usize].1);
            }
            for (p, plan) in self.parties.iter().enumerate() {
                match plan {
                    PartyPlan::Additive(tables) => {
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
                    PartyPlan::Constraint(_, Some(c)) => {
                        let w = c.words;
                        let row = &mut failed[p];
                        for i in dirty_from..n_points {
                            let fails = &c.fails[i][digits[i] as usize];
                            for k in 0..w {
                                let before = if i == 0 { 0 } else { row[(i - 1) * w + k] };
                                row[i * w + k] = before | fails[k];
                            }
                        }
                    }
                    PartyPlan::Constraint(_, None) => {}
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
                let weight = weights.last().copied().unwrap_or(1);
                n_clear += weight;
                for (p, plan) in self.parties.iter().enumerate() {
                    utilities[p] = match plan {
                        PartyPlan::Additive(_) if n_points > 0 => {
                            prefix[p * n_points + n_points - 1].min(1.0)
                        }
                        PartyPlan::Additive(_) => 0.0,
                        PartyPlan::Constraint(utility, Some(c)) => {
                            let w = c.words;
                            let all = if n_points == 0 {
                                &[][..]
                            } else {
                                &failed[p][(n_points - 1) * w..n_points * w]
                            };
                            c.utility(utility, all)
                        }
                        PartyPlan::Constraint(_, None) => unreachable!("compiled in Plan::new"),
                    };
                }
                if utilities
                    .iter()
                    .zip(&self.reservation)
                    .all(|(u, d)| *u >= d - EQUAL_EPS)
                {
                    n_feasible += weight;
                }
                if n == 0 {
                    candidates.push(&utilities, index, weight);
                } else if elite
                    .get(hit * n..(hit + 1) * n)
                    .is_some_and(|e| dominates(e, &utilities))
                {
                    // The vector that dropped the last package usually drops this one.
                } else if let Some(k) = elite.chunks(n).position(|e| dominates(e, &utilities)) {
                    hit = k;
                } else {
                    candidates.push(&utilities, index, weight);
                    if elite.len() < ELITE * n {
                        elite.extend_from_slice(&utilities);
                    } else if let Some(k) = elite.chunks(n).position(|e| dominates(&utilities, e)) {
                        elite[k * n..(k + 1) * n].copy_from_slice(&utilities);
                    } else {
                        elite[replace * n..(replace + 1) * n].copy_from_slice(&utilities);
                        replace = (replace + 1) % ELITE;
                    }
                }
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
    fn no_parties_means_one_vector_standing_for_every_package() {
        let points = vec![
            crate::Point::new("a", PointKind::options(["x", "y", "z"])),
            crate::Point::new("b", PointKind::integer(1, 2000)),
        ];
        let case = Case::new("empty", points, vec![]).unwrap();
        let scan = pareto_frontier(&case, &[], EnumerationLimit::default()).unwrap();
        assert_eq!(scan.frontier.len(), 1);
        assert_eq!(scan.frontier[0].n_packages, 6000);
        assert_eq!(scan.n_clear_red_lines, 6000);
        // No party tells any value apart: one class per point.
        assert_eq!(scan.n_visited, 1);
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
