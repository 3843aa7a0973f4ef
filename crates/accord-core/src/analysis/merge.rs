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
//! before merging; a conditional one ("if A is in X then B must be in Y", A and B
//! different points) links its two points. From the first of them to the second, a partial
//! sum carries one bit for the link: whether its value of the first point obliges the
//! second (A in X when A comes first; B outside Y, which forbids X to A, when B does). A
//! partial sum's bits are its *key*; only sums with the same key are compared (they have the same
//! completions), and at the second point the values a set bit forbids are skipped. Keys
//! stay few when links are short, whatever their number: a case is never split into one
//! sub-case per combination of conditions. Partial sums are added in point order, exactly
//! as enumeration adds them, so both methods give the same numbers to the last bit.
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
    /// The most partial sums kept after any point with the same key (see the module's
    /// documentation).
    pub max_vectors: usize,
    /// The most keys (combinations of open conditional red lines, see the module's
    /// documentation) that partial sums may carry after any point.
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
    /// Conditional red lines left open more combinations than the limit after some point
    /// (or more than 64 at once).
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
    Plan::new(case, parties, limit)
        .ok()
        .map(|plan| plan.n_clear)
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

/// A case made ready to merge: contribution tables, allowed values, links and headrooms.
struct Plan<'c> {
    case: &'c Case,
    n: usize,
    radix: Vec<u64>,
    /// `[party][point][value]`.
    tables: Vec<Vec<Vec<f64>>>,
    /// What the conditional red lines linking two points do at each point.
    steps: Vec<Step>,
    /// How many packages clear every red line.
    n_clear: u128,
    /// `total[p] - best[i][p]`: what the points other than `i` can give party `p`.
    others: Vec<Vec<f64>>,
    /// `after[i][p]`: what points `i..` can give party `p`.
    after: Vec<Vec<f64>>,
}

/// A conditional red line between two different points, as the clause "the earlier point
/// takes a value of `early` or the later one a value of `late`".
struct Link {
    early: usize,
    late: usize,
    /// Per value of the earlier point: whether it satisfies the clause.
    early_ok: Vec<bool>,
    /// Per value of the later point: whether it satisfies the clause.
    late_ok: Vec<bool>,
}

/// The links at one point: the key bits that close here and the values that clear each,
/// and the bits that open here and the values that set each. Values that close and open
/// alike form a [`Group`].
#[derive(Default)]
struct Step {
    closing: u64,
    groups: Vec<Group>,
}

/// Values of a point that treat every link alike.
struct Group {
    /// The closing bits these values clear (a set bit outside it forbids them).
    clears: u64,
    /// The bits these values set.
    opens: u64,
    /// The values, ascending.
    values: Vec<u32>,
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

        let mask = |point: usize, values: &crate::ValueSet| -> Vec<bool> {
            (0..radix[point])
                .map(|k| values.contains(points[point].choice_at(k)))
                .collect()
        };
        let mut allowed: Vec<Vec<bool>> = radix.iter().map(|&n| vec![true; n as usize]).collect();
        let mut links = Vec::new();
        for red_line in &red_lines {
            let require = red_line.require.point.0;
            let required = mask(require, &red_line.require.values);
            match &red_line.when {
                None => and(&mut allowed[require], &required),
                Some(when) if when.point.0 == require => {
                    // "If the point is in X it must be in Y": values in X outside Y go.
                    let condition = mask(require, &when.values);
                    for ((a, c), r) in allowed[require].iter_mut().zip(condition).zip(required) {
                        *a &= !c || r;
                    }
                }
                Some(when) => {
                    let unless: Vec<bool> = mask(when.point.0, &when.values)
                        .into_iter()
                        .map(|c| !c)
                        .collect();
                    let (early, late) = if when.point.0 < require {
                        ((when.point.0, unless), (require, required))
                    } else {
                        ((require, required), (when.point.0, unless))
                    };
                    links.push(Link {
                        early: early.0,
                        late: late.0,
                        early_ok: early.1,
                        late_ok: late.1,
                    });
                }
            }
        }
        let steps = steps(&radix, &allowed, &links)?;
        let n_clear = count_keyed(&steps, limit.max_subcases)?;

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
            steps,
            n_clear,
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
            steps,
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
        let mut arena = Arena::default();
        let mut layer = Layer {
            utilities: vec![0.0; n],
            counts: vec![1],
            nodes: vec![Arena::ROOT],
            keys: vec![0],
        };
        for (i, step) in steps.iter().enumerate() {
            if crate::interrupt::raised() {
                return Err(NotMergeable::TooMuchWork {
                    limit: limit.max_comparisons,
                });
            }
            // A contribution is added to some partial sum and followed by the remaining
            // points: its headroom is everything the other points can give. Values of
            // different groups lead to different keys, so they are filtered apart.
            let mut contributions: Vec<(u32, usize, u64)> = Vec::new(); // value, group, count
            let mut raw = Candidates::new(n);
            for (g, group) in step.groups.iter().enumerate() {
                let mut own = Candidates::new(n);
                for &k in &group.values {
                    own.push(tables.iter().map(|t| t[i][k as usize]), 1, 0, k);
                }
                let own = own.thinned(thinning.contributions[i]);
                for c in skyline(&mut budget, &others[i], own.rows())? {
                    let at = c.index as usize;
                    contributions.push((own.values[at], g, c.count));
                    raw.push(
                        own.rows().row(c.index).iter().copied(),
                        c.count,
                        0,
                        own.values[at],
                    );
                }
            }
            // Value order, so that candidates come in prefix order.
            let mut order: Vec<usize> = (0..contributions.len()).collect();
            order.sort_by_key(|&c| contributions[c].0);
            // Partial sums are compared only with those of the same key: one list each.
            let mut keyed: Vec<(u64, Candidates)> = Vec::new();
            let mut key_slot: std::collections::HashMap<u64, usize> =
                std::collections::HashMap::new();
            for parent in 0..layer.counts.len() {
                let partial = &layer.utilities[parent * n..(parent + 1) * n];
                let key = layer.keys[parent];
                let obliged = key & step.closing;
                for &c in &order {
                    let (value, g, count) = contributions[c];
                    let group = &step.groups[g];
                    if obliged & !group.clears != 0 {
                        continue;
                    }
                    let next_key = (key & !step.closing) | group.opens;
                    let slot = *key_slot.entry(next_key).or_insert_with(|| {
                        keyed.push((next_key, Candidates::new(n)));
                        keyed.len() - 1
                    });
                    keyed[slot].1.push(
                        partial
                            .iter()
                            .zip(raw.rows().row(c as u32))
                            .map(|(a, b)| a + b),
                        layer.counts[parent].saturating_mul(count),
                        parent as u32,
                        value,
                    );
                }
                if keyed.len() > limit.max_subcases {
                    return Err(NotMergeable::TooManySubcases);
                }
            }
            // The survivors of every key, back in prefix order: candidates came in order of
            // (parent, value).
            let mut kept: Vec<(u32, u32, usize, u32, u64)> = Vec::new(); // parent, value, key slot, row, count
            let mut thinned: Vec<(u64, Candidates)> = Vec::with_capacity(keyed.len());
            for (slot, (key, candidates)) in keyed.into_iter().enumerate() {
                let candidates = candidates.thinned(thinning.layers);
                for k in skyline(&mut budget, &after[i + 1], candidates.rows())? {
                    let at = k.index as usize;
                    kept.push((
                        candidates.parents[at],
                        candidates.values[at],
                        slot,
                        k.index,
                        k.count,
                    ));
                }
                thinned.push((key, candidates));
            }
            kept.sort_unstable_by_key(|k| (k.0, k.1));
            layer = Layer {
                utilities: kept
                    .iter()
                    .flat_map(|&(_, _, slot, row, _)| thinned[slot].1.rows().row(row))
                    .copied()
                    .collect(),
                counts: kept.iter().map(|k| k.4).collect(),
                nodes: kept
                    .iter()
                    .map(|&(parent, value, ..)| arena.push(layer.nodes[parent as usize], value))
                    .collect(),
                keys: kept
                    .iter()
                    .map(|&(_, _, slot, ..)| thinned[slot].0)
                    .collect(),
            };
            // Each thinning loses less than its side, and the tolerance, per party.
            for side in [thinning.contributions[i], thinning.layers]
                .into_iter()
                .flatten()
            {
                error_bound += side + EQUAL_EPS;
            }
        }
        if thinning.layers.is_some() || thinning.contributions.iter().any(Option::is_some) {
            // The last filter below may also drop a vector for one within the tolerance.
            error_bound += 2.0 * EQUAL_EPS;
        }
        // The clamp at 1 is monotone, so the frontier of the clamped sums lies among the
        // clamped frontier sums; filter once more after clamping. Every link has closed:
        // the last layer has one key, in prefix order.
        let mut finals = Candidates::new(n);
        for k in 0..layer.counts.len() {
            let u = &layer.utilities[k * n..(k + 1) * n];
            finals.push(u.iter().map(|u| u.min(1.0)), layer.counts[k], k as u32, 0);
        }
        budget.max_kept = usize::MAX;
        let mut frontier: Vec<FrontierPoint> = skyline(&mut budget, &vec![0.0; n], finals.rows())?
            .into_iter()
            .map(|k| {
                let prefix = arena.prefix(layer.nodes[k.index as usize], points.len());
                FrontierPoint {
                    package: Package(
                        prefix
                            .iter()
                            .zip(points)
                            .map(|(&v, point)| point.choice_at(u64::from(v)))
                            .collect(),
                    ),
                    utilities: finals.rows().row(k.index).to_vec(),
                    n_packages: k.count,
                }
            })
            .collect();
        frontier
            .sort_by(|a, b| crate::analysis::frontier::lexicographic(&a.utilities, &b.utilities));
        Ok(FrontierScan {
            n_clear_red_lines: self.n_clear,
            n_feasible: None,
            frontier,
            error_bound,
            n_visited: 0,
        })
    }
}

/// What the links do at each point, over the values `allowed` outright: each link takes a key bit (a slot) from its earlier
/// point to its later one, a slot freed at the later point being reused; more than 64 open
/// at once are refused.
fn steps(radix: &[u64], allowed: &[Vec<bool>], links: &[Link]) -> Result<Vec<Step>, NotMergeable> {
    let mut slot_of = vec![0u32; links.len()];
    let mut free: u64 = u64::MAX;
    for i in 0..radix.len() {
        // Close first, so that a slot freed here may open again here.
        for (l, link) in links.iter().enumerate() {
            if link.late == i {
                free |= 1 << slot_of[l];
            }
        }
        for (l, link) in links.iter().enumerate() {
            if link.early == i {
                if free == 0 {
                    return Err(NotMergeable::TooManySubcases);
                }
                slot_of[l] = free.trailing_zeros();
                free &= free - 1;
            }
        }
    }
    Ok((0..radix.len())
        .map(|i| {
            let mut step = Step::default();
            for (l, link) in links.iter().enumerate() {
                if link.late == i {
                    step.closing |= 1 << slot_of[l];
                }
            }
            let mut groups: Vec<Group> = Vec::new();
            for k in (0..radix[i]).filter(|&k| allowed[i][k as usize]) {
                let (mut clears, mut opens) = (0u64, 0u64);
                for (l, link) in links.iter().enumerate() {
                    if link.late == i && link.late_ok[k as usize] {
                        clears |= 1 << slot_of[l];
                    }
                    if link.early == i && !link.early_ok[k as usize] {
                        opens |= 1 << slot_of[l];
                    }
                }
                match groups
                    .iter_mut()
                    .find(|g| g.clears == clears && g.opens == opens)
                {
                    Some(group) => group.values.push(k as u32),
                    None => groups.push(Group {
                        clears,
                        opens,
                        values: vec![k as u32],
                    }),
                }
            }
            step.groups
                .extend(groups.into_iter().filter(|g| !g.values.is_empty()));
            step
        })
        .collect())
}

/// How many packages take allowed values and clear every link: the merge's walk over
/// keys, counting instead of filtering. More than `max_keys` keys after a point are
/// refused.
fn count_keyed(steps: &[Step], max_keys: usize) -> Result<u128, NotMergeable> {
    let mut counts: Vec<(u64, u128)> = vec![(0, 1)];
    for step in steps {
        let mut next: std::collections::BTreeMap<u64, u128> = std::collections::BTreeMap::new();
        for &(key, count) in &counts {
            let obliged = key & step.closing;
            for group in &step.groups {
                if obliged & !group.clears != 0 {
                    continue;
                }
                let entry = next.entry((key & !step.closing) | group.opens).or_default();
                *entry = entry.saturating_add(count.saturating_mul(group.values.len() as u128));
            }
        }
        if next.len() > max_keys {
            return Err(NotMergeable::TooManySubcases);
        }
        counts = next.into_iter().collect();
    }
    Ok(counts.iter().map(|c| c.1).fold(0, u128::saturating_add))
}

/// The partial sums kept after a point, in prefix order.
struct Layer {
    /// `n` utilities a partial sum.
    utilities: Vec<f64>,
    counts: Vec<u64>,
    /// The arena node naming each one's prefix.
    nodes: Vec<u32>,
    /// The open links' bits of each one.
    keys: Vec<u64>,
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
