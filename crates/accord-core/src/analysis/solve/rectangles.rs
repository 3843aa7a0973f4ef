//! The exact two-party frontier of hyper-rectangle (ANAC 2014) positions, far beyond
//! enumeration.
//!
//! A constraint utility pays each rectangle's reward when the package lies in its box (or,
//! for an `EXCLUDES` rectangle, outside it), so a package's raw sum is the reward of the
//! rectangles it satisfies. Each box bounds a few points to intervals of their value line,
//! and intervals have the Helly property: rectangles that agree pairwise (no two bound the
//! same point to disjoint intervals) are satisfied together by some package. So the sums
//! a package can reach are exactly the rewards of the sets of pairwise compatible
//! rectangles, and finding the best package is finding a heaviest independent set in the
//! conflict graph of the rectangles of every analysed party: a branch and bound over
//! rectangles (take one and drop its conflicts, or leave it), whose bound covers the
//! rectangles left with cliques of conflicts, of which at most one can be taken. An
//! `EXCLUDES` rectangle becomes one item per way of leaving its box (below or above one of
//! its bounds), items that conflict with each other so that its reward counts once.
//!
//! The frontier of two parties is traced by the ε-constraint method: the best package for
//! the second party among those giving the first at least a level, then the best for the
//! first among those as good for the second, and the level raised just past it. Each
//! vector is a real package's (the lowest value of every bounded interval, the first value
//! of every other point), scored by the case itself.

use crate::analysis::frontier::{EQUAL_EPS, FrontierPoint, FrontierScan};
use crate::model::{Case, Choice, Package, PartyIdx, PointKind};
use crate::position::{Aggregation, ConstraintNode, UtilityFunction};

use super::{NotSolvable, SolveLimit};

/// A value interval of one point, in the numbers of [`Choice::as_f64`].
#[derive(Debug, Clone, Copy)]
struct Interval {
    point: usize,
    low: f64,
    high: f64,
}

/// What can be chosen: a rectangle's box (or one way out of an `EXCLUDES` box), paying
/// `reward` to party `party`.
struct Item {
    party: usize,
    reward: f64,
    intervals: Vec<Interval>,
    /// The `EXCLUDES` rectangle it is a way out of (its ways conflict), if any.
    group: Option<usize>,
}

/// The items, their conflicts and each party's scale.
struct Graph {
    items: Vec<Item>,
    /// `[item]`: the items it conflicts with, as bits.
    conflicts: Vec<Vec<u64>>,
    /// Per party, the reward paid whatever the package (rectangles without bounds).
    constant: Vec<f64>,
    /// Per party, the divisor of its raw sum.
    max_utility: Vec<f64>,
    words: usize,
}

/// The most items searched: the search goes one item deeper a branch, so this bounds its
/// depth (the ANAC and GENIUS domains have 40 to 250).
const MAX_ITEMS: u64 = 1_000;

/// Each point's value line: the smallest and largest value, and whether values are whole.
fn line(kind: &PointKind) -> (f64, f64, bool) {
    match kind {
        PointKind::Options(options) => (0.0, options.len() as f64 - 1.0, true),
        PointKind::Integer { min, max } => (*min as f64, *max as f64, true),
        PointKind::Real { min, max } => (*min, *max, false),
    }
}

/// An interval of `point` cut to its values; `None` when no value lies in it.
fn interval(case: &Case, point: usize, low: f64, high: f64) -> Option<Interval> {
    let (first, last, whole) = line(&case.points()[point].kind);
    let (mut low, mut high) = (low.max(first), high.min(last));
    if whole {
        low = low.ceil();
        high = high.floor();
    }
    (low <= high).then_some(Interval { point, low, high })
}

impl Graph {
    fn new(case: &Case, parties: &[PartyIdx], limit: SolveLimit) -> Result<Self, NotSolvable> {
        let unsupported = |reason: String| NotSolvable::Unsupported { reason };
        let n_parties = parties.len();
        let mut items: Vec<Item> = Vec::new();
        let mut constant = vec![0.0; n_parties];
        let mut max_utility = vec![1.0; n_parties];
        let mut groups = 0;
        for (p, &party) in parties.iter().enumerate() {
            let id = &case.parties()[party.0].id;
            let Some(position) = case.position(party) else {
                continue;
            };
            if !position.red_lines.is_empty() {
                return Err(unsupported(format!(
                    "party `{id}` has red lines beside its hyper-rectangles"
                )));
            }
            let UtilityFunction::Constraint(utility) = &position.utility else {
                return Err(unsupported(format!(
                    "party `{id}` has an additive utility among hyper-rectangle ones"
                )));
            };
            max_utility[p] = utility.max_utility;
            let mut rectangles = Vec::new();
            flatten(&utility.root, 1.0, true, &mut rectangles)
                .map_err(|why| unsupported(format!("party `{id}`: {why}")))?;
            for (reward, rectangle) in rectangles {
                if reward < 0.0 {
                    return Err(unsupported(format!(
                        "party `{id}` has a rectangle of negative reward"
                    )));
                }
                if reward == 0.0 {
                    continue;
                }
                if rectangle.bounds.is_empty() {
                    constant[p] += reward;
                    continue;
                }
                if rectangle.excludes {
                    // One item per way out of the box; they conflict with each other.
                    groups += 1;
                    for bound in &rectangle.bounds {
                        let point = bound.point.0;
                        let below = interval(case, point, f64::NEG_INFINITY, bound.min - 1e-9);
                        let above = interval(case, point, bound.max + 1e-9, f64::INFINITY);
                        for way in [below, above].into_iter().flatten() {
                            items.push(Item {
                                party: p,
                                reward,
                                intervals: vec![way],
                                group: Some(groups),
                            });
                        }
                    }
                } else {
                    // Bounds on the same point must all hold: their intersection.
                    let mut intervals: Option<Vec<Interval>> = Some(Vec::new());
                    for b in &rectangle.bounds {
                        let Some(list) = intervals.as_mut() else {
                            break;
                        };
                        let (mut low, mut high) = (b.min, b.max);
                        if let Some(at) = list.iter().position(|i| i.point == b.point.0) {
                            let same = list.swap_remove(at);
                            low = low.max(same.low);
                            high = high.min(same.high);
                        }
                        match interval(case, b.point.0, low, high) {
                            Some(i) => list.push(i),
                            None => intervals = None,
                        }
                    }
                    // A box with no value on some point never pays.
                    if let Some(intervals) = intervals {
                        items.push(Item {
                            party: p,
                            reward,
                            intervals,
                            group: None,
                        });
                    }
                }
            }
        }
        let most = limit.max_point_values.min(MAX_ITEMS);
        if items.len() as u64 > most {
            return Err(unsupported(format!(
                "{} rectangles (and ways out of EXCLUDES boxes) are more than the limit of {most}",
                items.len()
            )));
        }
        let words = items.len().div_ceil(64).max(1);
        let mut conflicts = vec![vec![0u64; words]; items.len()];
        for a in 0..items.len() {
            for b in a + 1..items.len() {
                let same_group = items[a].group.is_some() && items[a].group == items[b].group;
                let disjoint = items[a].intervals.iter().any(|x| {
                    items[b]
                        .intervals
                        .iter()
                        .any(|y| x.point == y.point && (x.high < y.low || y.high < x.low))
                });
                if same_group || disjoint {
                    conflicts[a][b / 64] |= 1 << (b % 64);
                    conflicts[b][a / 64] |= 1 << (a % 64);
                }
            }
        }
        Ok(Self {
            items,
            conflicts,
            constant,
            max_utility,
            words,
        })
    }

    /// The package of a set of compatible items: on every point the lowest value of the
    /// intersection of its intervals, elsewhere the first value.
    fn package(&self, case: &Case, chosen: &[u64]) -> Package {
        let mut low: Vec<Option<f64>> = vec![None; case.points().len()];
        for (k, item) in self.items.iter().enumerate() {
            if chosen[k / 64] >> (k % 64) & 1 == 1 {
                for i in &item.intervals {
                    let at = &mut low[i.point];
                    *at = Some(at.map_or(i.low, |l| l.max(i.low)));
                }
            }
        }
        Package(
            case.points()
                .iter()
                .zip(low)
                .map(|(point, low)| match (&point.kind, low) {
                    (_, None) => point.choice_at(0),
                    (PointKind::Options(_), Some(v)) => {
                        Choice::Option(crate::model::OptionIdx(v as usize))
                    }
                    (PointKind::Integer { .. }, Some(v)) => Choice::Integer(v as i64),
                    (PointKind::Real { .. }, Some(v)) => Choice::Real(v),
                })
                .collect(),
        )
    }
}

/// The rectangles of a tree of sum nodes with their rewards times the weights above them.
fn flatten<'a>(
    node: &'a ConstraintNode,
    weight: f64,
    top: bool,
    out: &mut Vec<(f64, &'a crate::position::Rectangle)>,
) -> Result<(), String> {
    if node.aggregation != Aggregation::Sum && node.rectangles.len() + node.children.len() > 1 {
        return Err("a min or max aggregation is not a sum of rectangles".into());
    }
    let weight = if top { weight } else { weight * node.weight };
    if !weight.is_finite() || weight < 0.0 {
        return Err("a nested weight is negative".into());
    }
    for rectangle in &node.rectangles {
        out.push((rectangle.utility * weight, rectangle));
    }
    for child in &node.children {
        flatten(child, weight, false, out)?;
    }
    Ok(())
}

/// The multipliers of the lower bounds tried at each node (0: the objective's own bound).
const MULTIPLIERS: [f64; 4] = [0.0, 0.5, 1.0, 2.0];

/// One branch and bound over the items: the most of `weights · sums` among compatible sets
/// whose sum for each party is at least `lower` (raw sums, constants included).
struct Search<'g> {
    graph: &'g Graph,
    weights: Vec<f64>,
    lower: Vec<f64>,
    /// Every item by decreasing weight, for each of [`MULTIPLIERS`] (the weights plus the
    /// multiplier on each party with a lower bound), and by decreasing reward for each
    /// party (its own items first).
    orders: Vec<Vec<usize>>,
    reach_orders: Vec<Vec<usize>>,
    best: Option<(f64, Vec<u64>)>,
    nodes: u64,
    max_nodes: u64,
}

impl Search<'_> {
    fn value(&self, item: usize) -> f64 {
        let item = &self.graph.items[item];
        self.weights[item.party] * item.reward
    }

    /// An upper bound on what the items of `mask` can add, for the weights `reward`: the
    /// items covered by cliques of conflicts, each clique giving at most its best.
    /// `order` lists every item by decreasing `reward`.
    fn cover(&self, mask: &[u64], reward: &dyn Fn(usize) -> f64, order: &[usize]) -> f64 {
        let graph = self.graph;
        let mut left = mask.to_vec();
        let mut total = 0.0;
        for (at, &v) in order.iter().enumerate() {
            if left[v / 64] >> (v % 64) & 1 == 0 {
                continue;
            }
            total += reward(v);
            left[v / 64] &= !(1 << (v % 64));
            // Grow a clique of conflicts from v, heaviest first, and remove it (the items
            // before v in the order are gone already).
            let mut candidates: Vec<u64> = graph.conflicts[v]
                .iter()
                .zip(&left)
                .map(|(c, l)| c & l)
                .collect();
            if candidates.iter().all(|c| *c == 0) {
                continue;
            }
            for &u in &order[at + 1..] {
                if candidates[u / 64] >> (u % 64) & 1 == 1 {
                    left[u / 64] &= !(1 << (u % 64));
                    for (c, x) in candidates.iter_mut().zip(&graph.conflicts[u]) {
                        *c &= x;
                    }
                    if candidates.iter().all(|c| *c == 0) {
                        break;
                    }
                }
            }
        }
        total
    }

    fn explore(&mut self, mask: Vec<u64>, chosen: Vec<u64>, sums: Vec<f64>) -> Result<(), ()> {
        self.nodes += 1;
        if self.nodes > self.max_nodes
            || (self.nodes.is_multiple_of(1024) && crate::interrupt::raised())
        {
            return Err(());
        }
        let graph = self.graph;
        let (mut mask, mut chosen, mut sums) = (mask, chosen, sums);
        // Items in no conflict with any other left are taken at once: they cost nothing.
        let free: Vec<usize> = members(&mask)
            .filter(|&v| {
                graph.conflicts[v]
                    .iter()
                    .zip(&mask)
                    .all(|(c, m)| c & m == 0)
            })
            .collect();
        for v in free {
            mask[v / 64] &= !(1 << (v % 64));
            chosen[v / 64] |= 1 << (v % 64);
            sums[graph.items[v].party] += graph.items[v].reward;
        }
        let value: f64 = sums.iter().zip(&self.weights).map(|(s, w)| s * w).sum();
        let meets = sums
            .iter()
            .zip(&self.lower)
            .all(|(s, l)| *s >= l - EQUAL_EPS);
        if meets && self.best.as_ref().is_none_or(|(b, _)| value > *b) {
            self.best = Some((value, chosen.clone()));
        }
        if mask.iter().all(|m| *m == 0) {
            return Ok(());
        }
        // Every party with a lower bound must still be able to reach it.
        for (p, (&sum, &lower)) in sums.iter().zip(&self.lower).enumerate() {
            if lower > f64::NEG_INFINITY {
                let reach = self.cover(
                    &mask,
                    &|v| {
                        if graph.items[v].party == p {
                            graph.items[v].reward
                        } else {
                            0.0
                        }
                    },
                    &self.reach_orders[p],
                );
                if sum + reach < lower - EQUAL_EPS {
                    return Ok(());
                }
            }
        }
        if let Some((best, _)) = &self.best {
            // Lagrangian bounds: for any μ >= 0 a set meeting the lower bounds has
            // value <= value + μ·(sums - lower) + the cover under weights + μ.
            let best = *best + EQUAL_EPS * 1e-3;
            for (f, factor) in MULTIPLIERS.into_iter().enumerate() {
                let mu: Vec<f64> = self
                    .lower
                    .iter()
                    .map(|l| if l.is_finite() { factor } else { 0.0 })
                    .collect();
                if factor > 0.0 && mu.iter().all(|m| *m == 0.0) {
                    break;
                }
                // (Against the lower bounds less the tolerance, as sets are accepted.)
                let slack: f64 = mu
                    .iter()
                    .zip(sums.iter().zip(&self.lower))
                    .filter(|(m, _)| **m > 0.0)
                    .map(|(m, (s, l))| m * (s - (l - EQUAL_EPS)))
                    .sum();
                let weight = |v: usize| {
                    let item = &graph.items[v];
                    (self.weights[item.party] + mu[item.party]) * item.reward
                };
                if value + slack + self.cover(&mask, &weight, &self.orders[f]) <= best {
                    return Ok(());
                }
            }
        }
        // Branch on the item with the most conflicts left (the heaviest of those).
        let degree = |v: usize| -> u32 {
            graph.conflicts[v]
                .iter()
                .zip(&mask)
                .map(|(c, m)| (c & m).count_ones())
                .sum()
        };
        let Some(v) = members(&mask).max_by(|&a, &b| {
            degree(a)
                .cmp(&degree(b))
                .then(self.value(a).total_cmp(&self.value(b)))
                .then(b.cmp(&a))
        }) else {
            return Ok(());
        };
        // Take it: its conflicts go.
        let mut taken = mask.clone();
        for (t, c) in taken.iter_mut().zip(&graph.conflicts[v]) {
            *t &= !c;
        }
        taken[v / 64] &= !(1 << (v % 64));
        let mut with = chosen.clone();
        with[v / 64] |= 1 << (v % 64);
        let mut more = sums.clone();
        more[graph.items[v].party] += graph.items[v].reward;
        self.explore(taken, with, more)?;
        // Leave it.
        mask[v / 64] &= !(1 << (v % 64));
        self.explore(mask, chosen, sums)
    }
}

fn members(mask: &[u64]) -> impl Iterator<Item = usize> + '_ {
    mask.iter().enumerate().flat_map(|(w, &bits)| {
        let mut bits = bits;
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                w * 64 + b
            })
        })
    })
}

/// A set of compatible items (as bits) and each party's raw sum with it.
type Chosen = (Vec<u64>, Vec<f64>);

/// The solver over one graph: solves count nodes against one limit.
struct Rectangles<'g> {
    graph: &'g Graph,
    nodes: u64,
    max_nodes: u64,
}

impl Rectangles<'_> {
    /// The best set for `weights` with raw sums at least `lower`, and its sums.
    /// `seed`, a set known to meet `lower`, is the one to beat from the start.
    fn solve(
        &mut self,
        weights: Vec<f64>,
        lower: Vec<f64>,
        seed: Option<&Chosen>,
    ) -> Result<Option<Chosen>, NotSolvable> {
        let graph = self.graph;
        let best = seed.map(|(chosen, sums)| {
            let value: f64 = sums.iter().zip(&weights).map(|(s, w)| s * w).sum();
            (value, chosen.clone())
        });
        let by = |key: &dyn Fn(&Item) -> f64| -> Vec<usize> {
            let mut order: Vec<usize> = (0..graph.items.len()).collect();
            order.sort_by(|&a, &b| {
                key(&graph.items[b])
                    .total_cmp(&key(&graph.items[a]))
                    .then(a.cmp(&b))
            });
            order
        };
        let orders = MULTIPLIERS
            .iter()
            .map(|&factor| {
                by(&|item: &Item| {
                    let mu = if lower[item.party].is_finite() {
                        factor
                    } else {
                        0.0
                    };
                    (weights[item.party] + mu) * item.reward
                })
            })
            .collect();
        let reach_orders = (0..lower.len())
            .map(|p| {
                by(&|item: &Item| {
                    if item.party == p { item.reward } else { 0.0 }
                })
            })
            .collect();
        let mut search = Search {
            graph,
            weights,
            lower,
            orders,
            reach_orders,
            best,
            nodes: 0,
            max_nodes: self.max_nodes.saturating_sub(self.nodes),
        };
        let mut all = vec![0u64; graph.words];
        for v in 0..graph.items.len() {
            all[v / 64] |= 1 << (v % 64);
        }
        let explored = search.explore(all, vec![0; graph.words], graph.constant.clone());
        self.nodes += search.nodes;
        explored.map_err(|()| NotSolvable::TooMuchWork {
            limit: self.max_nodes,
        })?;
        Ok(search.best.map(|(_, chosen)| {
            let mut sums = graph.constant.clone();
            for v in members(&chosen) {
                sums[graph.items[v].party] += graph.items[v].reward;
            }
            (chosen, sums)
        }))
    }
}

/// The exact Pareto frontier of two parties whose utilities are sums of hyper-rectangle
/// rewards (see the module documentation), over every package of the case; with the
/// search nodes it took. Parties with red lines, min or max aggregations, negative rewards
/// or additive utilities are refused (`NotSolvable::Unsupported`), as is any number of
/// parties but two.
pub fn rectangle_frontier(
    case: &Case,
    parties: &[PartyIdx],
    limit: SolveLimit,
) -> Result<(FrontierScan, u64), NotSolvable> {
    if parties.len() != 2 {
        return Err(NotSolvable::Unsupported {
            reason: format!(
                "the hyper-rectangle frontier is for two parties, not {}",
                parties.len()
            ),
        });
    }
    let graph = Graph::new(case, parties, limit)?;
    let mut solver = Rectangles {
        graph: &graph,
        nodes: 0,
        max_nodes: limit.max_nodes,
    };
    let unit = |p: usize| -> Vec<f64> { (0..2).map(|q| if q == p { 1.0 } else { 0.0 }).collect() };
    // A utility of at least `level` is a raw sum of at least `level * max_utility`; the
    // clamp at 1 makes every sum from `max_utility` on alike.
    let cap = |p: usize, sum: f64| sum.min(graph.max_utility[p]);
    let mut frontier: Vec<FrontierPoint> = Vec::new();
    let mut level = f64::NEG_INFINITY;
    while let Some(found) = solver.solve(unit(1), vec![level, f64::NEG_INFINITY], None)? {
        let second = cap(1, found.1[1]);
        // The set just found meets both levels: the one to beat.
        let Some((chosen, sums)) = solver.solve(unit(0), vec![level, second], Some(&found))? else {
            break;
        };
        let package = graph.package(case, &chosen);
        let utilities = case.utilities(parties, &package);
        frontier.push(FrontierPoint {
            utilities,
            package,
            n_packages: 1,
        });
        let first = cap(0, sums[0]);
        if first >= graph.max_utility[0] {
            break;
        }
        level = first + 1e-9 * first.abs().max(1.0);
    }
    // Scored by the case, sums that the clamp makes alike may repeat a vector.
    frontier.sort_by(|a, b| crate::analysis::frontier::lexicographic(&a.utilities, &b.utilities));
    frontier
        .dedup_by(|a, b| crate::analysis::frontier::equal_utilities(&a.utilities, &b.utilities));
    let n_packages = case
        .points()
        .iter()
        .map(|p| u128::from(p.n_values().unwrap_or(u64::MAX)))
        .fold(1u128, u128::saturating_mul);
    Ok((
        FrontierScan {
            n_clear_red_lines: n_packages,
            n_feasible: None,
            frontier,
            error_bound: 0.0,
            n_visited: 0,
        },
        solver.nodes,
    ))
}

/// The largest raw sum (before the divisor and the clamp) that `party`'s hyper-rectangle
/// utility reaches over every package, by the same search as [`rectangle_frontier`]: what
/// a domain's `maxutility` is meant to be.
pub fn rectangle_maximum(
    case: &Case,
    party: PartyIdx,
    limit: SolveLimit,
) -> Result<f64, NotSolvable> {
    let graph = Graph::new(case, &[party], limit)?;
    let mut solver = Rectangles {
        graph: &graph,
        nodes: 0,
        max_nodes: limit.max_nodes,
    };
    Ok(solver
        .solve(vec![1.0], vec![f64::NEG_INFINITY], None)?
        .map_or(graph.constant[0], |(_, sums)| sums[0]))
}
