//! The exact Pareto frontier of an additive case without enumerating its packages.
//!
//! With additive utilities a package's utility vector is the sum of one contribution
//! vector per point, and the frontier of a sum lies inside the sum of the frontiers. So
//! the frontier is built one point at a time: every kept partial sum (over the points so
//! far) is extended by every value of the next point, and partial sums that another
//! dominates are dropped at once, since adding the same remaining contributions to both
//! keeps the dominance. Each partial sum points back to the value that extended it and the
//! partial sum it extended (a node in an arena of prefixes, so a step copies no prefix),
//! so every frontier vector comes with a real package, and the number of packages sharing
//! it. Dropping dominated sums is the work of [`crate::analysis::skyline`]: sweeps for two to four
//! parties, a k-d tree beyond.
//!
//! Red lines are handled exactly: a red line that forbids values outright removes them
//! before merging; a conditional one ("if A is in X then B must be in Y") splits the case
//! in two disjoint sub-cases, A in X with B restricted to Y, and A outside X, which are
//! merged separately and joined. Partial sums are added in point order, exactly as
//! enumeration adds them, so both methods give the same numbers to the last bit.
//!
//! ```
//! use accord_core::{merged_frontier, AdditiveUtility, Case, Evaluator, MergeLimit, Party,
//!     Point, PointKind, Position, Role};
//!
//! let points: Vec<Point> = (0..30)
//!     .map(|i| Point::new(format!("p{i}"), PointKind::options(["a", "b", "c"])))
//!     .collect();
//! let position = |scores: Vec<f64>| Position::new(AdditiveUtility::new(
//!     vec![1.0 / 30.0; 30],
//!     (0..30).map(|_| Evaluator::Options(scores.clone())).collect(),
//! ).into());
//! let parties = vec![
//!     Party::new("p", "P", Role::Party).with_position(position(vec![1.0, 0.5, 0.0])),
//!     Party::new("q", "Q", Role::Party).with_position(position(vec![0.0, 0.6, 1.0])),
//! ];
//! let case = Case::new("big", points, parties).unwrap();
//! // 3^30 = 2 * 10^14 packages, never enumerated.
//! let scan = merged_frontier(&case, &case.negotiating_parties(), MergeLimit::default()).unwrap();
//! assert!(scan.frontier.len() > 30);
//! ```

use crate::analysis::frontier::{EQUAL_EPS, FrontierPoint, FrontierScan};
use crate::analysis::skyline::{Budget, Rows, skyline, thin};
use crate::model::{Case, Package, PartyIdx, PointIdx, PointKind};
use crate::position::UtilityFunction;

/// Bounds on the work of [`merged_frontier`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MergeLimit {
    /// The most partial sums kept after any point.
    pub max_vectors: usize,
    /// The most sub-cases that conditional red lines may split the case into.
    pub max_subcases: usize,
    /// The most values a single point may have.
    pub max_point_values: u64,
    /// The most units of filtering work in all (vector comparisons, or tree nodes visited),
    /// so that a hard case is refused in seconds.
    pub max_comparisons: u64,
    /// When set, an approximate frontier within this distance (in utility, for every
    /// party) of the exact one: see [`merged_frontier`].
    pub epsilon: Option<f64>,
}

impl Default for MergeLimit {
    fn default() -> Self {
        Self {
            max_vectors: 1_000_000,
            max_subcases: 1024,
            max_point_values: 10_000,
            max_comparisons: 100_000_000,
            epsilon: None,
        }
    }
}

/// Why [`merged_frontier`] did not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotMergeable {
    /// A party's utility is not additive (a constraint utility).
    NotAdditive {
        /// The party's id.
        party: String,
    },
    /// A point is a real range.
    RealPoint {
        /// The point's id.
        point: String,
    },
    /// A point has more values than the limit.
    PointTooLarge {
        /// The point's id.
        point: String,
    },
    /// Conditional red lines split the case into more sub-cases than the limit.
    TooManySubcases,
    /// The partial frontier grew beyond the limit.
    FrontierTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// Merging needed more comparisons than the limit.
    TooMuchWork {
        /// The limit in force.
        limit: u64,
    },
}

impl NotMergeable {
    /// Whether an approximate merge (`MergeLimit::epsilon`) might answer where the exact
    /// one did not: the case is additive and finite, only too large.
    #[must_use]
    pub fn approximation_may_help(&self) -> bool {
        matches!(
            self,
            Self::FrontierTooLarge { .. } | Self::TooMuchWork { .. } | Self::PointTooLarge { .. }
        )
    }
}

/// Finds the Pareto frontier over the packages that cross no red line of `parties`, for
/// additive utilities, without enumerating packages. The answer is the same as
/// [`crate::pareto_frontier`]'s; only `n_feasible` is not counted (`None`).
///
/// With `limit.epsilon = Some(e)` the frontier is approximate. Values that fall in the same
/// cell of a grid are represented by one of them (the best for welfare): first only the
/// contributions of the points with more than `limit.max_point_values` values, with cells
/// of side about `e / n_large`, the partial sums staying exact; if that is still too large,
/// the contributions and partial sums of every point, with cells of side about
/// `e / (2 * n_points)`. Every returned vector is a real package's; and every package `x`
/// that clears the red lines has a returned vector `r` with `r_i >= u_i(x) - error_bound`
/// for every party, because each thinning loses less than its side per party and the
/// errors of successive points add up (plus `1e-12` per pruning for the equality
/// tolerance). `error_bound`, at most `e`, is reported.
pub fn merged_frontier(
    case: &Case,
    parties: &[PartyIdx],
    limit: MergeLimit,
) -> Result<FrontierScan, NotMergeable> {
    let plan = Plan::new(case, parties, limit)?;
    let n_points = plan.radix.len();
    let Some(epsilon) = limit.epsilon else {
        return plan.merge(&Thinning::none(n_points), limit);
    };
    let large: Vec<bool> = plan
        .radix
        .iter()
        .map(|&n| n > limit.max_point_values)
        .collect();
    let n_large = large.iter().filter(|l| **l).count();
    if n_large > 0 {
        // Thin only the points with too many values: the error is theirs alone.
        let side = (epsilon / n_large as f64 - 4.0 * EQUAL_EPS).max(EQUAL_EPS);
        let thinning = Thinning {
            contributions: large.iter().map(|&l| l.then_some(side)).collect(),
            layers: None,
        };
        match plan.merge(&thinning, limit) {
            Err(NotMergeable::FrontierTooLarge { .. } | NotMergeable::TooMuchWork { .. }) => {}
            answer => return answer,
        }
    }
    let side = (epsilon / (2.0 * n_points as f64) - 3.0 * EQUAL_EPS).max(EQUAL_EPS);
    let thinning = Thinning {
        contributions: vec![Some(side); n_points],
        layers: Some(side),
    };
    plan.merge(&thinning, limit)
}

/// How many packages clear the red lines of `parties` (the conditional ones split into
/// disjoint sub-cases, as merging does), or `None` where merging cannot take the case.
pub(crate) fn count_clear(case: &Case, parties: &[PartyIdx]) -> Option<u128> {
    let limit = MergeLimit {
        epsilon: Some(1.0),
        ..MergeLimit::default()
    };
    let plan = Plan::new(case, parties, limit).ok()?;
    Some(
        plan.subcases
            .iter()
            .map(|allowed| count_allowed(allowed))
            .fold(0u128, u128::saturating_add),
    )
}

/// How many packages take only allowed values.
fn count_allowed(allowed: &[Vec<bool>]) -> u128 {
    allowed
        .iter()
        .map(|m| m.iter().filter(|b| **b).count() as u128)
        .fold(1u128, u128::saturating_mul)
}

/// Grid sides for thinning, per point: of its own contributions, and of the partial sums
/// after it.
struct Thinning {
    contributions: Vec<Option<f64>>,
    layers: Option<f64>,
}

impl Thinning {
    fn none(n_points: usize) -> Self {
        Self {
            contributions: vec![None; n_points],
            layers: None,
        }
    }
}

/// A case made ready to merge: contribution tables, sub-cases and headrooms.
struct Plan<'c> {
    case: &'c Case,
    n: usize,
    radix: Vec<u64>,
    /// `[party][point][value]`.
    tables: Vec<Vec<Vec<f64>>>,
    /// Allowed values per point, one mask per sub-case.
    subcases: Vec<Vec<Vec<bool>>>,
    /// `total[p] - best[i][p]`: what the points other than `i` can give party `p`.
    others: Vec<Vec<f64>>,
    /// `after[i][p]`: what points `i..` can give party `p`.
    after: Vec<Vec<f64>>,
}

impl<'c> Plan<'c> {
    fn new(case: &'c Case, parties: &[PartyIdx], limit: MergeLimit) -> Result<Self, NotMergeable> {
        let points = case.points();
        let mut tables: Vec<Vec<Vec<f64>>> = Vec::new(); // [party][point][value]
        let mut radix = Vec::with_capacity(points.len());
        for point in points {
            match (&point.kind, point.n_values()) {
                (PointKind::Real { .. }, _) | (_, None) => {
                    return Err(NotMergeable::RealPoint {
                        point: point.id.clone(),
                    });
                }
                (_, Some(n)) if n > limit.max_point_values && limit.epsilon.is_none() => {
                    return Err(NotMergeable::PointTooLarge {
                        point: point.id.clone(),
                    });
                }
                (_, Some(n)) => radix.push(n),
            }
        }
        let mut red_lines = Vec::new();
        for &party in parties {
            let Some(position) = case.position(party) else {
                tables.push(radix.iter().map(|&n| vec![0.0; n as usize]).collect());
                continue;
            };
            let UtilityFunction::Additive(additive) = &position.utility else {
                return Err(NotMergeable::NotAdditive {
                    party: case.parties()[party.0].id.clone(),
                });
            };
            tables.push(
                points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        (0..radix[i])
                            .map(|k| additive.contribution(PointIdx(i), p.choice_at(k)))
                            .collect()
                    })
                    .collect(),
            );
            red_lines.extend(position.red_lines.iter());
        }

        // Allowed values per point, one mask per sub-case.
        let mask = |point: usize, values: &crate::ValueSet| -> Vec<bool> {
            (0..radix[point])
                .map(|k| values.contains(points[point].choice_at(k)))
                .collect()
        };
        let mut subcases: Vec<Vec<Vec<bool>>> =
            vec![radix.iter().map(|&n| vec![true; n as usize]).collect()];
        for red_line in &red_lines {
            let require = red_line.require.point.0;
            let required = mask(require, &red_line.require.values);
            let mut next = Vec::new();
            for allowed in subcases {
                match &red_line.when {
                    None => {
                        let mut restricted = allowed;
                        and(&mut restricted[require], &required);
                        next.push(restricted);
                    }
                    Some(when) => {
                        let condition = mask(when.point.0, &when.values);
                        let mut holds = allowed.clone();
                        and(&mut holds[when.point.0], &condition);
                        and(&mut holds[require], &required);
                        let mut fails = allowed;
                        let negated: Vec<bool> = condition.iter().map(|c| !c).collect();
                        and(&mut fails[when.point.0], &negated);
                        next.extend([holds, fails]);
                    }
                }
                next.retain(|allowed| allowed.iter().all(|m| m.contains(&true)));
                if next.len() > limit.max_subcases {
                    return Err(NotMergeable::TooManySubcases);
                }
            }
            subcases = next;
        }

        let n = parties.len();
        // best[i][p]: party p's largest contribution from point i; headroom after point i is
        // what the remaining points can still add (see `robustly_dominates`).
        let best: Vec<Vec<f64>> = (0..points.len())
            .map(|i| {
                tables
                    .iter()
                    .map(|t| t[i].iter().copied().fold(f64::NEG_INFINITY, f64::max))
                    .collect()
            })
            .collect();
        let total: Vec<f64> = (0..n).map(|p| best.iter().map(|b| b[p]).sum()).collect();
        let mut after = vec![vec![0.0; n]; points.len() + 1];
        for i in (0..points.len()).rev() {
            after[i] = (0..n).map(|p| after[i + 1][p] + best[i][p]).collect();
        }
        let others = best
            .iter()
            .map(|b| (0..n).map(|p| total[p] - b[p]).collect())
            .collect();
        Ok(Self {
            case,
            n,
            radix,
            tables,
            subcases,
            others,
            after,
        })
    }

    /// Merges the points in order, thinning as `thinning` says.
    fn merge(&self, thinning: &Thinning, limit: MergeLimit) -> Result<FrontierScan, NotMergeable> {
        let Self {
            case,
            n,
            tables,
            subcases,
            others,
            after,
            ..
        } = self;
        let (n, points) = (*n, case.points());
        let mut budget = Budget {
            max_kept: limit.max_vectors,
            comparisons_left: limit.max_comparisons,
            limit: limit.max_comparisons,
        };
        let mut error_bound: f64 = 0.0;
        let mut n_clear: u128 = 0;
        let mut arena = Arena::default();
        // The survivors of every sub-case: clamped utilities, counts and prefixes.
        let mut finals = Candidates::new(n);
        let mut prefixes: Vec<Vec<u32>> = Vec::new();
        for allowed in subcases {
            n_clear = n_clear.saturating_add(count_allowed(allowed));
            let mut subcase_error: f64 = 0.0;
            let mut layer = Layer {
                utilities: vec![0.0; n],
                counts: vec![1],
                nodes: vec![Arena::ROOT],
            };
            for (i, values) in allowed.iter().enumerate() {
                // A contribution is added to some partial sum and followed by the remaining
                // points: its headroom is everything the other points can give.
                let mut raw = Candidates::new(n);
                for (k, _) in values.iter().enumerate().filter(|(_, ok)| **ok) {
                    raw.push(tables.iter().map(|t| t[i][k]), 1, 0, k as u32);
                }
                let raw = raw.thinned(thinning.contributions[i]);
                let contributions = skyline(&mut budget, &others[i], raw.rows())?;
                let mut next = Candidates::new(n);
                for parent in 0..layer.counts.len() {
                    let partial = &layer.utilities[parent * n..(parent + 1) * n];
                    for c in &contributions {
                        let contribution = raw.rows().row(c.index);
                        next.push(
                            partial.iter().zip(contribution).map(|(a, b)| a + b),
                            layer.counts[parent].saturating_mul(c.count),
                            parent as u32,
                            raw.values[c.index as usize],
                        );
                    }
                }
                let next = next.thinned(thinning.layers);
                let kept = skyline(&mut budget, &after[i + 1], next.rows())?;
                layer = Layer {
                    utilities: kept
                        .iter()
                        .flat_map(|k| next.rows().row(k.index))
                        .copied()
                        .collect(),
                    counts: kept.iter().map(|k| k.count).collect(),
                    nodes: kept
                        .iter()
                        .map(|k| {
                            let at = k.index as usize;
                            arena.push(layer.nodes[next.parents[at] as usize], next.values[at])
                        })
                        .collect(),
                };
                // Each thinning loses less than its side, and the tolerance, per party.
                for side in [thinning.contributions[i], thinning.layers]
                    .into_iter()
                    .flatten()
                {
                    subcase_error += side + EQUAL_EPS;
                }
            }
            error_bound = error_bound.max(subcase_error);
            // The clamp at 1 is monotone, so the frontier of the clamped sums lies among the
            // clamped frontier sums; filter once more after clamping.
            for (k, &node) in layer.nodes.iter().enumerate() {
                let u = &layer.utilities[k * n..(k + 1) * n];
                finals.push(u.iter().map(|u| u.min(1.0)), layer.counts[k], 0, 0);
                prefixes.push(arena.prefix(node, points.len()));
            }
        }
        if thinning.layers.is_some() || thinning.contributions.iter().any(Option::is_some) {
            // The last filter below may also drop a vector for one within the tolerance.
            error_bound += 2.0 * EQUAL_EPS;
        }
        // Sub-cases are disjoint: put their survivors in prefix order for the last filter.
        let mut order: Vec<usize> = (0..prefixes.len()).collect();
        order.sort_by(|&a, &b| prefixes[a].cmp(&prefixes[b]));
        let mut sorted = Candidates::new(n);
        for &k in &order {
            let u = &finals.utilities[k * n..(k + 1) * n];
            sorted.push(u.iter().copied(), finals.counts[k], k as u32, 0);
        }
        budget.max_kept = usize::MAX;
        let mut frontier: Vec<FrontierPoint> = skyline(&mut budget, &vec![0.0; n], sorted.rows())?
            .into_iter()
            .map(|k| {
                let prefix = &prefixes[sorted.parents[k.index as usize] as usize];
                FrontierPoint {
                    package: Package(
                        prefix
                            .iter()
                            .zip(points)
                            .map(|(&v, point)| point.choice_at(u64::from(v)))
                            .collect(),
                    ),
                    utilities: sorted.rows().row(k.index).to_vec(),
                    n_packages: k.count,
                }
            })
            .collect();
        frontier
            .sort_by(|a, b| crate::analysis::frontier::lexicographic(&a.utilities, &b.utilities));
        Ok(FrontierScan {
            n_clear_red_lines: n_clear,
            n_feasible: None,
            frontier,
            error_bound,
            n_visited: 0,
        })
    }
}

/// The partial sums kept after a point, in prefix order.
struct Layer {
    /// `n` utilities a partial sum.
    utilities: Vec<f64>,
    counts: Vec<u64>,
    /// The arena node naming each one's prefix.
    nodes: Vec<u32>,
}

/// Candidate partial sums: a partial sum of the previous layer (`parents`) extended by one
/// value of the next point (`values`), in prefix order.
struct Candidates {
    dims: usize,
    utilities: Vec<f64>,
    counts: Vec<u64>,
    parents: Vec<u32>,
    values: Vec<u32>,
}

impl Candidates {
    fn new(dims: usize) -> Self {
        Self {
            dims,
            utilities: Vec::new(),
            counts: Vec::new(),
            parents: Vec::new(),
            values: Vec::new(),
        }
    }

    fn push(&mut self, utilities: impl Iterator<Item = f64>, count: u64, parent: u32, value: u32) {
        self.utilities.extend(utilities);
        self.counts.push(count);
        self.parents.push(parent);
        self.values.push(value);
    }

    fn rows(&self) -> Rows<'_> {
        Rows {
            dims: self.dims,
            utilities: &self.utilities,
            counts: &self.counts,
        }
    }

    /// One candidate per grid cell of side `cell` (see [`thin`]); all without a cell.
    fn thinned(self, cell: Option<f64>) -> Self {
        let Some(side) = cell else {
            return self;
        };
        let mut out = Self::new(self.dims);
        for i in thin(self.rows(), side) {
            let at = i as usize;
            out.push(
                self.rows().row(i).iter().copied(),
                self.counts[at],
                self.parents[at],
                self.values[at],
            );
        }
        out
    }
}

/// Prefixes as a tree of back-pointers: a node is a value of some point and the node of
/// the prefix before it, so a kept partial sum costs one node, not a copy of its prefix.
#[derive(Default)]
struct Arena {
    parents: Vec<u32>,
    values: Vec<u32>,
}

impl Arena {
    /// The empty prefix.
    const ROOT: u32 = u32::MAX;

    fn push(&mut self, parent: u32, value: u32) -> u32 {
        self.parents.push(parent);
        self.values.push(value);
        (self.parents.len() - 1) as u32
    }

    /// The values of the prefix that ends at `node`, first point first.
    fn prefix(&self, mut node: u32, len: usize) -> Vec<u32> {
        let mut values = Vec::with_capacity(len);
        while node != Self::ROOT {
            values.push(self.values[node as usize]);
            node = self.parents[node as usize];
        }
        values.reverse();
        values
    }
}

fn and(mask: &mut [bool], other: &[bool]) {
    for (m, o) in mask.iter_mut().zip(other) {
        *m &= *o;
    }
}
