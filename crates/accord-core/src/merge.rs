//! The exact Pareto frontier of an additive case without enumerating its packages.
//!
//! With additive utilities a package's utility vector is the sum of one contribution
//! vector per point, and the frontier of a sum lies inside the sum of the frontiers. So
//! the frontier is built one point at a time: every kept partial sum (over the points so
//! far) is extended by every value of the next point, and partial sums that another
//! dominates are dropped at once, since adding the same remaining contributions to both
//! keeps the dominance. Each partial sum carries the value numbers that produced it (its
//! prefix), so every frontier vector comes with a real package, and the number of
//! packages sharing it.
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

use std::collections::HashMap;

use crate::frontier::{EQUAL_EPS, FrontierPoint, FrontierScan, equal_utilities};
use crate::model::{Case, Package, PartyIdx, PointIdx, PointKind};
use crate::position::UtilityFunction;

/// Bounds on the work of [`merged_frontier`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MergeLimit {
    /// The most partial sums kept after any point (the work of one merge step grows with
    /// the square of it).
    pub max_vectors: usize,
    /// The most sub-cases that conditional red lines may split the case into.
    pub max_subcases: usize,
    /// The most values a single point may have.
    pub max_point_values: u64,
    /// The most vector comparisons in all, so that a hard case is refused in seconds.
    pub max_comparisons: u64,
    /// When set, an approximate frontier within this distance (in utility, for every
    /// party) of the exact one: see [`merged_frontier`].
    pub epsilon: Option<f64>,
}

impl Default for MergeLimit {
    fn default() -> Self {
        Self {
            max_vectors: 100_000,
            max_subcases: 1024,
            max_point_values: 10_000,
            max_comparisons: 1_000_000_000,
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

/// A partial sum over the points merged so far.
#[derive(Debug, Clone)]
struct Partial {
    utilities: Vec<f64>,
    /// Value number of each point merged so far.
    prefix: Vec<u32>,
    /// How many prefixes share these utilities (saturating).
    count: u64,
}

/// Finds the Pareto frontier over the packages that cross no red line of `parties`, for
/// additive utilities, without enumerating packages. The answer is the same as
/// [`crate::pareto_frontier`]'s; only `n_feasible` is not counted (`None`).
///
/// With `limit.epsilon = Some(e)` the frontier is approximate: after each point, partial
/// sums (and the point's own contributions) that fall in the same cell of a grid of side
/// `d = e / (2 * n_points)` are represented by one of them. Every returned vector is a
/// real package's; and every package `x` that clears the red lines has a returned vector
/// `r` with `r_i >= u_i(x) - error_bound` for every party, because each thinning loses
/// less than `d` per party and the errors of successive points add up (plus `1e-12` per
/// pruning for the equality tolerance). `error_bound`, at most `e`, is reported.
pub fn merged_frontier(
    case: &Case,
    parties: &[PartyIdx],
    limit: MergeLimit,
) -> Result<FrontierScan, NotMergeable> {
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
    let mut budget = Budget {
        max_kept: limit.max_vectors,
        comparisons_left: limit.max_comparisons,
        limit: limit.max_comparisons,
    };
    // The grid side of the approximation, and the error it has accumulated.
    let cell = limit
        .epsilon
        .map(|e| (e / (2.0 * points.len() as f64) - 2.0 * EQUAL_EPS).max(EQUAL_EPS));
    let mut error_bound: f64 = 0.0;
    let mut n_clear: u128 = 0;
    let mut all = Vec::new();
    for allowed in &subcases {
        n_clear = n_clear.saturating_add(
            allowed
                .iter()
                .map(|m| m.iter().filter(|b| **b).count() as u128)
                .fold(1u128, u128::saturating_mul),
        );
        let mut subcase_error: f64 = 0.0;
        let mut partials = vec![Partial {
            utilities: vec![0.0; n],
            prefix: Vec::new(),
            count: 1,
        }];
        for (i, values) in allowed.iter().enumerate() {
            // A contribution is added to some partial sum and followed by the remaining
            // points: its headroom is everything the other points can give.
            let others: Vec<f64> = (0..n).map(|p| total[p] - best[i][p]).collect();
            let raw: Vec<Partial> = values
                .iter()
                .enumerate()
                .filter(|(_, ok)| **ok)
                .map(|(k, _)| Partial {
                    utilities: tables.iter().map(|t| t[i][k]).collect(),
                    prefix: vec![k as u32],
                    count: 1,
                })
                .collect();
            let contributions = skyline(&mut budget, &others, thin(raw, cell))?;
            let mut next = Vec::with_capacity(partials.len() * contributions.len());
            for partial in &partials {
                for c in &contributions {
                    let mut prefix = Vec::with_capacity(partial.prefix.len() + 1);
                    prefix.extend_from_slice(&partial.prefix);
                    prefix.push(c.prefix[0]);
                    next.push(Partial {
                        utilities: partial
                            .utilities
                            .iter()
                            .zip(&c.utilities)
                            .map(|(a, b)| a + b)
                            .collect(),
                        prefix,
                        count: partial.count.saturating_mul(c.count),
                    });
                }
            }
            partials = skyline(&mut budget, &after[i + 1], thin(next, cell))?;
            if let Some(side) = cell {
                subcase_error += 2.0 * (side + EQUAL_EPS);
            }
        }
        error_bound = error_bound.max(subcase_error);
        all.extend(partials);
    }
    if cell.is_some() {
        // The last filter below may also drop a vector for one within the tolerance.
        error_bound += 2.0 * EQUAL_EPS;
    }
    // The clamp at 1 is monotone, so the frontier of the clamped sums lies among the
    // clamped frontier sums; filter once more after clamping.
    for partial in &mut all {
        for u in &mut partial.utilities {
            *u = u.min(1.0);
        }
    }
    budget.max_kept = usize::MAX;
    let mut frontier: Vec<FrontierPoint> = skyline(&mut budget, &vec![0.0; n], all)?
        .into_iter()
        .map(|p| FrontierPoint {
            package: Package(
                p.prefix
                    .iter()
                    .zip(points)
                    .map(|(&k, point)| point.choice_at(u64::from(k)))
                    .collect(),
            ),
            utilities: p.utilities,
            n_packages: p.count,
        })
        .collect();
    frontier.sort_by(|a, b| crate::frontier::lexicographic(&a.utilities, &b.utilities));
    Ok(FrontierScan {
        n_clear_red_lines: n_clear,
        n_feasible: None,
        frontier,
        error_bound,
    })
}

/// One representative per grid cell of side `cell` (the largest welfare, then the first
/// prefix); no thinning without a cell.
fn thin(parts: Vec<Partial>, cell: Option<f64>) -> Vec<Partial> {
    let Some(side) = cell else {
        return parts;
    };
    let welfare = |p: &Partial| p.utilities.iter().sum::<f64>();
    let mut best: HashMap<Vec<i64>, Partial> = HashMap::with_capacity(parts.len());
    for part in parts {
        let key: Vec<i64> = part
            .utilities
            .iter()
            .map(|u| (u / side).floor() as i64)
            .collect();
        match best.get_mut(&key) {
            Some(kept) => {
                let better = welfare(&part)
                    .total_cmp(&welfare(kept))
                    .then_with(|| kept.prefix.cmp(&part.prefix))
                    .is_gt();
                if better {
                    *kept = part;
                }
            }
            None => {
                best.insert(key, part);
            }
        }
    }
    // Hash order is arbitrary; the skyline that follows sorts.
    best.into_values().collect()
}

/// What merging may still spend.
struct Budget {
    max_kept: usize,
    comparisons_left: u64,
    limit: u64,
}

impl Budget {
    fn spend(&mut self, comparisons: u64) -> Result<(), NotMergeable> {
        self.comparisons_left = self
            .comparisons_left
            .checked_sub(comparisons)
            .ok_or(NotMergeable::TooMuchWork { limit: self.limit })?;
        Ok(())
    }
}

fn and(mask: &mut [bool], other: &[bool]) {
    for (m, o) in mask.iter_mut().zip(other) {
        *m &= *o;
    }
}

/// Whether every completion of `a` dominates the same completion of `b`, when the points
/// still to come can add at most `headroom[p]` to party `p`: `a` is at least as good for
/// everyone, and better for someone who cannot reach the clamp at 1. (Where `b` could
/// reach 1, the clamp might make both equal, and `b` must stay to be counted.)
fn robustly_dominates(a: &[f64], b: &[f64], headroom: &[f64]) -> bool {
    let mut better = false;
    for ((&x, &y), &h) in a.iter().zip(b).zip(headroom) {
        if x < y - EQUAL_EPS {
            return false;
        }
        if x > y + EQUAL_EPS && y + h < 1.0 - EQUAL_EPS {
            better = true;
        }
    }
    better
}

/// The partial sums that no other robustly dominates, equal ones merged (counts added,
/// the first prefix in enumeration order kept): sort-filter-skyline by decreasing welfare.
/// `None` as soon as more than `max_kept` are kept, so that a frontier too large to merge
/// is refused quickly rather than merged slowly.
fn skyline(
    budget: &mut Budget,
    headroom: &[f64],
    parts: Vec<Partial>,
) -> Result<Vec<Partial>, NotMergeable> {
    match headroom.len() {
        2 => skyline_2d(budget, headroom, parts),
        3 => skyline_3d(budget, headroom, parts),
        _ => skyline_nd(budget, headroom, parts),
    }
}

/// [`skyline`] for two parties: sorted by the first party's utility, a candidate is
/// compared only with the kept vectors that are at least as good for the second party
/// (found from the end, by a running maximum), so the work is near-linear.
fn skyline_2d(
    budget: &mut Budget,
    headroom: &[f64],
    mut parts: Vec<Partial>,
) -> Result<Vec<Partial>, NotMergeable> {
    parts.sort_by(|a, b| {
        b.utilities[0]
            .total_cmp(&a.utilities[0])
            .then(b.utilities[1].total_cmp(&a.utilities[1]))
            .then_with(|| a.prefix.cmp(&b.prefix))
    });
    let mut kept: Vec<Partial> = Vec::new();
    // best_second[j]: the largest second utility among kept[..=j].
    let mut best_second: Vec<f64> = Vec::new();
    'candidates: for part in parts {
        let floor = part.utilities[1] - EQUAL_EPS;
        let mut j = kept.len();
        while j > 0 && best_second[j - 1] >= floor {
            j -= 1;
            budget.spend(1)?;
            let k = &mut kept[j];
            if equal_utilities(&k.utilities, &part.utilities) {
                k.count = k.count.saturating_add(part.count);
                if part.prefix < k.prefix {
                    k.prefix = part.prefix;
                    k.utilities = part.utilities;
                }
                continue 'candidates;
            }
            if robustly_dominates(&k.utilities, &part.utilities, headroom) {
                continue 'candidates;
            }
        }
        let best = best_second
            .last()
            .map_or(part.utilities[1], |b| b.max(part.utilities[1]));
        best_second.push(best);
        kept.push(part);
        if kept.len() > budget.max_kept {
            return Err(NotMergeable::FrontierTooLarge {
                limit: budget.max_kept,
            });
        }
    }
    // A dominator worse by noise for the first party sorted after its victim.
    let dominated: Vec<bool> = (0..kept.len())
        .map(|i| {
            ((i + 1)..kept.len())
                .take_while(|&j| kept[j].utilities[0] >= kept[i].utilities[0] - 2.0 * EQUAL_EPS)
                .any(|j| robustly_dominates(&kept[j].utilities, &kept[i].utilities, headroom))
        })
        .collect();
    Ok(kept
        .into_iter()
        .zip(dominated)
        .filter(|(_, d)| !d)
        .map(|(p, _)| p)
        .collect())
}

/// The 2-D maxima of the kept vectors' second and third utilities: sorted by the second
/// ascending, so the third descends. It names, for a candidate, the kept vector best placed
/// to dominate it.
#[derive(Default)]
struct Staircase {
    steps: Vec<(f64, f64, usize)>,
}

impl Staircase {
    /// The kept vector with the largest third utility among those whose second is at
    /// least `second`, if its third is at least `third`.
    fn witness(&self, second: f64, third: f64) -> Option<usize> {
        let i = self.steps.partition_point(|s| s.0 < second);
        self.steps.get(i).filter(|s| s.1 >= third).map(|s| s.2)
    }

    fn insert(&mut self, second: f64, third: f64, index: usize) {
        let pos = self.steps.partition_point(|s| s.0 < second);
        if self.steps.get(pos).is_some_and(|s| s.1 >= third) {
            return;
        }
        let mut end = pos;
        while end < self.steps.len() && self.steps[end].0 == second && self.steps[end].1 <= third {
            end += 1;
        }
        let start = self.steps[..pos].partition_point(|s| s.1 > third);
        self.steps.splice(start..end, [(second, third, index)]);
    }
}

/// [`skyline`] for three parties: sorted by the first party's utility, every kept vector is
/// at least as good for it as the candidate, so a [`Staircase`] of the other two finds a
/// dominator, or proves there is none, in logarithmic time. Equal vectors are looked for
/// among the last kept (the first utility is within the tolerance); the rare candidate the
/// staircase's witness does not settle is compared with every kept vector.
fn skyline_3d(
    budget: &mut Budget,
    headroom: &[f64],
    mut parts: Vec<Partial>,
) -> Result<Vec<Partial>, NotMergeable> {
    parts.sort_by(|a, b| {
        b.utilities[0]
            .total_cmp(&a.utilities[0])
            .then(b.utilities[1].total_cmp(&a.utilities[1]))
            .then(b.utilities[2].total_cmp(&a.utilities[2]))
            .then_with(|| a.prefix.cmp(&b.prefix))
    });
    let mut kept: Vec<Partial> = Vec::new();
    let mut stairs = Staircase::default();
    'candidates: for part in parts {
        let u = &part.utilities;
        let Some(witness) = stairs.witness(u[1] - EQUAL_EPS, u[2] - EQUAL_EPS) else {
            // Nothing kept is as good for the second and third parties: keep it.
            stairs.insert(u[1], u[2], kept.len());
            kept.push(part);
            if kept.len() > budget.max_kept {
                return Err(NotMergeable::FrontierTooLarge {
                    limit: budget.max_kept,
                });
            }
            continue;
        };
        // An equal vector sorted just before: its first utility is within the tolerance.
        for k in kept.iter_mut().rev() {
            budget.spend(1)?;
            if k.utilities[0] > u[0] + 2.0 * EQUAL_EPS {
                break;
            }
            if equal_utilities(&k.utilities, &part.utilities) {
                k.count = k.count.saturating_add(part.count);
                if part.prefix < k.prefix {
                    k.prefix = part.prefix;
                    k.utilities = part.utilities;
                }
                continue 'candidates;
            }
        }
        if robustly_dominates(&kept[witness].utilities, &part.utilities, headroom) {
            continue 'candidates;
        }
        budget.spend(kept.len() as u64)?;
        if kept
            .iter()
            .any(|k| robustly_dominates(&k.utilities, &part.utilities, headroom))
        {
            continue 'candidates;
        }
        stairs.insert(part.utilities[1], part.utilities[2], kept.len());
        kept.push(part);
        if kept.len() > budget.max_kept {
            return Err(NotMergeable::FrontierTooLarge {
                limit: budget.max_kept,
            });
        }
    }
    // A dominator worse by noise for the first party sorted after its victim.
    let dominated: Vec<bool> = (0..kept.len())
        .map(|i| {
            ((i + 1)..kept.len())
                .take_while(|&j| kept[j].utilities[0] >= kept[i].utilities[0] - 2.0 * EQUAL_EPS)
                .any(|j| robustly_dominates(&kept[j].utilities, &kept[i].utilities, headroom))
        })
        .collect();
    Ok(kept
        .into_iter()
        .zip(dominated)
        .filter(|(_, d)| !d)
        .map(|(p, _)| p)
        .collect())
}

/// [`skyline`] for any number of parties: sort-filter-skyline by decreasing welfare.
fn skyline_nd(
    budget: &mut Budget,
    headroom: &[f64],
    mut parts: Vec<Partial>,
) -> Result<Vec<Partial>, NotMergeable> {
    let welfare = |p: &Partial| p.utilities.iter().sum::<f64>();
    parts.sort_by(|a, b| {
        welfare(b)
            .total_cmp(&welfare(a))
            .then_with(|| a.prefix.cmp(&b.prefix))
    });
    let mut kept: Vec<Partial> = Vec::new();
    'candidates: for part in parts {
        budget.spend(kept.len() as u64)?;
        for k in &mut kept {
            if equal_utilities(&k.utilities, &part.utilities) {
                k.count = k.count.saturating_add(part.count);
                if part.prefix < k.prefix {
                    k.prefix = part.prefix;
                    k.utilities = part.utilities;
                }
                continue 'candidates;
            }
            if robustly_dominates(&k.utilities, &part.utilities, headroom) {
                continue 'candidates;
            }
        }
        kept.push(part);
        if kept.len() > budget.max_kept {
            return Err(NotMergeable::FrontierTooLarge {
                limit: budget.max_kept,
            });
        }
    }
    // With the tolerance, a vector may be dominated by one whose welfare is lower by up to
    // n * EQUAL_EPS, which sorted after it.
    let window = kept.first().map_or(0.0, |p| p.utilities.len() as f64) * EQUAL_EPS * 2.0;
    let welfares: Vec<f64> = kept.iter().map(welfare).collect();
    let dominated: Vec<bool> = (0..kept.len())
        .map(|i| {
            ((i + 1)..kept.len())
                .take_while(|&j| welfares[j] >= welfares[i] - window)
                .any(|j| robustly_dominates(&kept[j].utilities, &kept[i].utilities, headroom))
        })
        .collect();
    Ok(kept
        .into_iter()
        .zip(dominated)
        .filter(|(_, d)| !d)
        .map(|(p, _)| p)
        .collect())
}
