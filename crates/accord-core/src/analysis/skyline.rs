//! Non-dominated filters over flat rows of partial utility sums, for the merge.
//!
//! Rows come in prefix order (the order in which enumeration meets them), `dims` utilities
//! a row. A filter keeps the rows that no other row robustly dominates (see
//! [`robustly_dominates`]), merges rows with equal utilities into the first of them (their
//! package counts added), and returns the kept rows in prefix order. Two and three parties
//! have sweep filters; more parties use a static k-d tree that knows, in every node, the
//! largest utility of each party below it.

use crate::analysis::frontier::{EQUAL_EPS, equal_utilities};
use crate::analysis::merge::NotMergeable;

/// Rows of utilities, `dims` a row, each with a package count.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rows<'a> {
    pub(crate) dims: usize,
    pub(crate) utilities: &'a [f64],
    pub(crate) counts: &'a [u64],
}

impl<'a> Rows<'a> {
    pub(crate) fn len(&self) -> usize {
        self.counts.len()
    }

    pub(crate) fn row(&self, i: u32) -> &'a [f64] {
        let i = i as usize;
        &self.utilities[i * self.dims..(i + 1) * self.dims]
    }

    fn welfare(&self, i: u32) -> f64 {
        self.row(i).iter().sum()
    }
}

/// A kept row: the first (in prefix order) of the equal rows it stands for, and the number
/// of packages they share (saturating).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kept {
    pub(crate) index: u32,
    pub(crate) count: u64,
}

/// What merging may still spend.
#[derive(Debug)]
pub(crate) struct Budget {
    pub(crate) max_kept: usize,
    pub(crate) comparisons_left: u64,
    pub(crate) limit: u64,
}

impl Budget {
    fn spend(&mut self, comparisons: u64) -> Result<(), NotMergeable> {
        let before = self.comparisons_left;
        self.comparisons_left = before
            .checked_sub(comparisons)
            .ok_or(NotMergeable::TooMuchWork { limit: self.limit })?;
        // Every 16,384 units of work, see whether the caller has stopped the analysis.
        if before >> 14 != self.comparisons_left >> 14 && crate::interrupt::raised() {
            return Err(NotMergeable::TooMuchWork { limit: self.limit });
        }
        Ok(())
    }

    fn check_kept(&self, kept: usize) -> Result<(), NotMergeable> {
        if kept > self.max_kept {
            return Err(NotMergeable::FrontierTooLarge {
                limit: self.max_kept,
            });
        }
        Ok(())
    }
}

/// Whether every completion of `a` dominates the same completion of `b`, when the points
/// still to come can add at most `headroom[p]` to party `p`: `a` is at least as good for
/// everyone, and better for someone who cannot reach the clamp at 1. (Where `b` could
/// reach 1, the clamp might make both equal, and `b` must stay to be counted.)
pub(crate) fn robustly_dominates(a: &[f64], b: &[f64], headroom: &[f64]) -> bool {
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

/// The rows that no other row robustly dominates, equal rows merged, in prefix order.
/// Refuses as soon as more than `budget.max_kept` are kept, so that a frontier too large
/// to merge is refused quickly rather than merged slowly.
pub(crate) fn skyline(
    budget: &mut Budget,
    headroom: &[f64],
    rows: Rows<'_>,
) -> Result<Vec<Kept>, NotMergeable> {
    let mut kept = match rows.dims {
        2 => skyline_2d(budget, headroom, rows)?,
        3 => skyline_3d(budget, headroom, rows)?,
        4 => skyline_4d(budget, headroom, rows)?,
        _ => skyline_nd(budget, headroom, rows)?,
    };
    kept.sort_unstable_by_key(|k| k.index);
    Ok(kept)
}

/// Folds `candidate` into `kept` when their utilities are equal: the count is added and the
/// earlier row stands for both.
fn merge_equal(rows: Rows<'_>, kept: &mut Kept, candidate: u32, count: u64) -> bool {
    if !equal_utilities(rows.row(kept.index), rows.row(candidate)) {
        return false;
    }
    kept.count = kept.count.saturating_add(count);
    kept.index = kept.index.min(candidate);
    true
}

/// Drops the kept rows (sorted by decreasing first utility) that a row sorted after them
/// robustly dominates: possible only when the dominator is worse for the first party by
/// noise.
fn drop_late_dominated(rows: Rows<'_>, headroom: &[f64], kept: Vec<Kept>) -> Vec<Kept> {
    let dominated: Vec<bool> = (0..kept.len())
        .map(|i| {
            let u = rows.row(kept[i].index);
            kept[i + 1..]
                .iter()
                .map(|k| rows.row(k.index))
                .take_while(|v| v[0] >= u[0] - 2.0 * EQUAL_EPS)
                .any(|v| robustly_dominates(v, u, headroom))
        })
        .collect();
    kept.into_iter()
        .zip(dominated)
        .filter(|(_, d)| !d)
        .map(|(k, _)| k)
        .collect()
}

/// For a candidate sorted after every kept row (so no worse for the first party, up to the
/// tolerance), and that a staircase says some kept row may match: whether it is equal to
/// a kept row (then merged into it, looking back while the first utility is within the
/// tolerance) or robustly dominated by one (`witness` first, then every kept row).
fn settled_by_kept(
    budget: &mut Budget,
    headroom: &[f64],
    rows: Rows<'_>,
    kept: &mut [Kept],
    i: u32,
    witness: Option<usize>,
) -> Result<bool, NotMergeable> {
    let u = rows.row(i);
    for k in kept.iter_mut().rev() {
        budget.spend(1)?;
        if rows.row(k.index)[0] > u[0] + 2.0 * EQUAL_EPS {
            break;
        }
        if merge_equal(rows, k, i, rows.counts[i as usize]) {
            return Ok(true);
        }
    }
    if witness.is_some_and(|w| robustly_dominates(rows.row(kept[w].index), u, headroom)) {
        return Ok(true);
    }
    budget.spend(kept.len() as u64)?;
    Ok(kept
        .iter()
        .any(|k| robustly_dominates(rows.row(k.index), u, headroom)))
}

/// The row indices by decreasing utilities, lexicographically, then prefix order.
fn by_decreasing_utilities(rows: Rows<'_>) -> Vec<u32> {
    // The first utility beside each index, so that most comparisons read no row.
    let mut order: Vec<(f64, u32)> = (0..rows.len() as u32)
        .map(|i| (rows.row(i)[0], i))
        .collect();
    order.sort_unstable_by(|&(x, a), &(y, b)| {
        y.total_cmp(&x)
            .then_with(|| {
                crate::analysis::frontier::lexicographic(&rows.row(b)[1..], &rows.row(a)[1..])
            })
            .then(a.cmp(&b))
    });
    order.into_iter().map(|(_, i)| i).collect()
}

/// [`skyline`] for two parties: sorted by the first party's utility, a candidate is
/// compared only with the kept rows that are at least as good for the second party (found
/// from the end, by a running maximum), so the work is near-linear.
fn skyline_2d(
    budget: &mut Budget,
    headroom: &[f64],
    rows: Rows<'_>,
) -> Result<Vec<Kept>, NotMergeable> {
    let mut kept: Vec<Kept> = Vec::new();
    // best_second[j]: the largest second utility among kept[..=j].
    let mut best_second: Vec<f64> = Vec::new();
    'candidates: for i in by_decreasing_utilities(rows) {
        let u = rows.row(i);
        let floor = u[1] - EQUAL_EPS;
        let mut j = kept.len();
        while j > 0 && best_second[j - 1] >= floor {
            j -= 1;
            budget.spend(1)?;
            if merge_equal(rows, &mut kept[j], i, rows.counts[i as usize]) {
                continue 'candidates;
            }
            if robustly_dominates(rows.row(kept[j].index), u, headroom) {
                continue 'candidates;
            }
        }
        best_second.push(best_second.last().map_or(u[1], |b| b.max(u[1])));
        kept.push(Kept {
            index: i,
            count: rows.counts[i as usize],
        });
        budget.check_kept(kept.len())?;
    }
    Ok(drop_late_dominated(rows, headroom, kept))
}

/// The 2-D maxima of the kept rows' second and third utilities: sorted by the second
/// ascending, so the third descends. It names, for a candidate, the kept row best placed
/// to dominate it.
#[derive(Default)]
struct Staircase {
    steps: Vec<(f64, f64, usize)>,
}

impl Staircase {
    /// The kept row with the largest third utility among those whose second is at least
    /// `second`, if its third is at least `third`.
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
        // Steps `start..end` are dominated by the new one: it takes the first's place.
        if start == end {
            self.steps.insert(start, (second, third, index));
        } else {
            self.steps[start] = (second, third, index);
            self.steps.drain(start + 1..end);
        }
    }
}

/// [`skyline`] for three parties: sorted by the first party's utility, every kept row is
/// at least as good for it as the candidate, so a [`Staircase`] of the other two finds a
/// dominator, or proves there is none, in logarithmic time. Equal rows are looked for among
/// the last kept (the first utility is within the tolerance); the rare candidate the
/// staircase's witness does not settle is compared with every kept row.
fn skyline_3d(
    budget: &mut Budget,
    headroom: &[f64],
    rows: Rows<'_>,
) -> Result<Vec<Kept>, NotMergeable> {
    let mut kept: Vec<Kept> = Vec::new();
    let mut stairs = Staircase::default();
    'candidates: for i in by_decreasing_utilities(rows) {
        let u = rows.row(i);
        let count = rows.counts[i as usize];
        if let Some(witness) = stairs.witness(u[1] - EQUAL_EPS, u[2] - EQUAL_EPS)
            && settled_by_kept(budget, headroom, rows, &mut kept, i, Some(witness))?
        {
            continue 'candidates;
        }
        stairs.insert(u[1], u[2], kept.len());
        kept.push(Kept { index: i, count });
        budget.check_kept(kept.len())?;
    }
    Ok(drop_late_dominated(rows, headroom, kept))
}

/// [`skyline`] for four parties: sorted by the first party's utility as for three, with
/// the kept rows in a Fenwick tree over the ranks of the second party's utility whose nodes
/// are [`Staircase`]s of the third and fourth: the kept rows at least as good for the
/// second party lie in a logarithmic number of nodes, each asked in logarithmic time.
fn skyline_4d(
    budget: &mut Budget,
    headroom: &[f64],
    rows: Rows<'_>,
) -> Result<Vec<Kept>, NotMergeable> {
    // Positions by decreasing second utility; equal utilities share a position. For each
    // row: `slot`, the position it is inserted at (1-based), and `reach`, how many rows
    // have a second utility of at least its own less the tolerance.
    let n = rows.len();
    let mut by_second: Vec<u32> = (0..n as u32).collect();
    by_second.sort_unstable_by(|&a, &b| rows.row(b)[1].total_cmp(&rows.row(a)[1]));
    let mut slot = vec![0usize; n];
    let mut reach = vec![0usize; n];
    let mut first_equal = 0;
    let mut end = 0;
    for (pos, &i) in by_second.iter().enumerate() {
        let v = rows.row(i)[1];
        if rows.row(by_second[first_equal])[1] != v {
            first_equal = pos;
        }
        slot[i as usize] = first_equal + 1;
        end = end.max(pos);
        while end < n && rows.row(by_second[end])[1] >= v - EQUAL_EPS {
            end += 1;
        }
        reach[i as usize] = end;
    }
    drop(by_second);
    let mut fenwick: Vec<Staircase> = Vec::new();
    fenwick.resize_with(n + 1, Staircase::default);
    let mut kept: Vec<Kept> = Vec::new();
    let mut nodes: Vec<usize> = Vec::with_capacity(64);
    'candidates: for i in by_decreasing_utilities(rows) {
        let u = rows.row(i);
        let count = rows.counts[i as usize];
        // The kept rows whose second utility is at least u[1] - EQUAL_EPS are in these
        // nodes; the largest (last found) are the likeliest to hold a dominator.
        nodes.clear();
        let mut node = reach[i as usize];
        while node > 0 {
            nodes.push(node);
            node &= node - 1;
        }
        budget.spend(nodes.len() as u64)?;
        let mut witnesses = 0u64;
        let mut settled = false;
        for &node in nodes.iter().rev() {
            if let Some(w) = fenwick[node].witness(u[2] - EQUAL_EPS, u[3] - EQUAL_EPS) {
                witnesses += 1;
                if robustly_dominates(rows.row(kept[w].index), u, headroom) {
                    settled = true;
                    break;
                }
            }
        }
        if settled {
            continue 'candidates;
        }
        if witnesses > 0 {
            // Something kept is as good for everyone up to the tolerance: an equal row
            // sorted just before, or (rarely) a dominator the witnesses missed.
            if settled_by_kept(budget, headroom, rows, &mut kept, i, None)? {
                continue 'candidates;
            }
        }
        let mut node = slot[i as usize];
        while node < fenwick.len() {
            fenwick[node].insert(u[2], u[3], kept.len());
            node += node & node.wrapping_neg();
        }
        kept.push(Kept { index: i, count });
        budget.check_kept(kept.len())?;
    }
    Ok(drop_late_dominated(rows, headroom, kept))
}

/// [`skyline`] for any number of parties: equal rows are merged first (sorted by decreasing
/// welfare, equal rows are neighbours), then every remaining row asks a [`DominanceTree`]
/// of all of them whether another robustly dominates it.
fn skyline_nd(
    budget: &mut Budget,
    headroom: &[f64],
    rows: Rows<'_>,
) -> Result<Vec<Kept>, NotMergeable> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    let welfare: Vec<f64> = order.iter().map(|&i| rows.welfare(i)).collect();
    order.sort_unstable_by(|&a, &b| {
        welfare[b as usize]
            .total_cmp(&welfare[a as usize])
            .then(a.cmp(&b))
    });
    // Equal rows have welfares within dims * EQUAL_EPS.
    let window = (rows.dims as f64 + 1.0) * EQUAL_EPS;
    let mut uniques: Vec<(Kept, f64)> = Vec::new();
    'candidates: for i in order {
        let w = welfare[i as usize];
        let count = rows.counts[i as usize];
        for (k, kw) in uniques.iter_mut().rev() {
            if *kw > w + window {
                break;
            }
            budget.spend(1)?;
            if merge_equal(rows, k, i, count) {
                continue 'candidates;
            }
        }
        uniques.push((Kept { index: i, count }, w));
    }
    let uniques: Vec<Kept> = uniques.into_iter().map(|(k, _)| k).collect();
    let tree = DominanceTree::new(rows, uniques.iter().map(|k| k.index).collect());
    let query = |k: &Kept| tree.dominated(rows.row(k.index), k.index, headroom);
    #[cfg(feature = "parallel")]
    let answers: Vec<(bool, u64)> = {
        use rayon::prelude::*;
        if uniques.len() >= 4096 {
            uniques.par_iter().map(query).collect()
        } else {
            uniques.iter().map(query).collect()
        }
    };
    #[cfg(not(feature = "parallel"))]
    let answers: Vec<(bool, u64)> = uniques.iter().map(query).collect();
    budget.spend(answers.iter().map(|a| a.1).fold(0, u64::saturating_add))?;
    let kept: Vec<Kept> = uniques
        .into_iter()
        .zip(answers)
        .filter(|(_, (dominated, _))| !dominated)
        .map(|(k, _)| k)
        .collect();
    budget.check_kept(kept.len())?;
    Ok(kept)
}

/// Rows in a leaf of a [`DominanceTree`].
const LEAF: usize = 16;

/// A node of a [`DominanceTree`]: the rows `start..end` of the tree's order; its left child
/// is the next node, its right child `right` (0 for a leaf).
#[derive(Debug, Clone, Copy)]
struct Node {
    start: u32,
    end: u32,
    right: u32,
}

/// A static k-d tree over some rows whose nodes keep the largest utility of each party
/// among their rows: a query skips every node whose maxima cannot dominate the row asked
/// about, and stops at the first dominator.
struct DominanceTree {
    dims: usize,
    /// Row indices in leaf order.
    order: Vec<u32>,
    /// Their utilities, in the same order.
    utilities: Vec<f64>,
    nodes: Vec<Node>,
    /// `dims` maxima a node.
    maxima: Vec<f64>,
}

impl DominanceTree {
    fn new(rows: Rows<'_>, mut order: Vec<u32>) -> Self {
        let dims = rows.dims;
        let mut tree = Self {
            dims,
            order: Vec::new(),
            utilities: Vec::new(),
            nodes: Vec::new(),
            maxima: Vec::new(),
        };
        if !order.is_empty() {
            tree.build(rows, &mut order, 0);
        }
        tree.utilities = order.iter().flat_map(|&i| rows.row(i)).copied().collect();
        tree.order = order;
        tree
    }

    /// Builds the subtree over `order[..]`, which starts at `offset` in the whole order.
    fn build(&mut self, rows: Rows<'_>, order: &mut [u32], offset: usize) {
        let dims = self.dims;
        let id = self.nodes.len();
        self.nodes.push(Node {
            start: offset as u32,
            end: (offset + order.len()) as u32,
            right: 0,
        });
        let mut lo = vec![f64::INFINITY; dims];
        let mut hi = vec![f64::NEG_INFINITY; dims];
        for &i in order.iter() {
            for (p, &u) in rows.row(i).iter().enumerate() {
                lo[p] = lo[p].min(u);
                hi[p] = hi[p].max(u);
            }
        }
        self.maxima.extend_from_slice(&hi);
        if order.len() <= LEAF {
            return;
        }
        let split = (0..dims)
            .max_by(|&a, &b| (hi[a] - lo[a]).total_cmp(&(hi[b] - lo[b])))
            .unwrap_or(0);
        let mid = order.len() / 2;
        order.select_nth_unstable_by(mid, |&a, &b| {
            rows.row(a)[split]
                .total_cmp(&rows.row(b)[split])
                .then(a.cmp(&b))
        });
        let (left, right) = order.split_at_mut(mid);
        self.build(rows, left, offset);
        self.nodes[id].right = self.nodes.len() as u32;
        self.build(rows, right, offset + mid);
    }

    /// Whether a row other than `own` robustly dominates `u`, and the nodes visited.
    fn dominated(&self, u: &[f64], own: u32, headroom: &[f64]) -> (bool, u64) {
        let dims = self.dims;
        let mut compared = 0u64;
        let mut stack: Vec<u32> = Vec::with_capacity(64);
        if !self.nodes.is_empty() {
            stack.push(0);
        }
        while let Some(id) = stack.pop() {
            compared += 1;
            let maxima = &self.maxima[id as usize * dims..(id as usize + 1) * dims];
            if maxima.iter().zip(u).any(|(&m, &x)| m < x - EQUAL_EPS) {
                continue;
            }
            let node = self.nodes[id as usize];
            if node.right == 0 {
                for slot in node.start as usize..node.end as usize {
                    let v = &self.utilities[slot * dims..(slot + 1) * dims];
                    if self.order[slot] != own && robustly_dominates(v, u, headroom) {
                        return (true, compared);
                    }
                }
            } else {
                // The right child holds the larger values of its split: look there first.
                stack.push(id + 1);
                stack.push(node.right);
            }
        }
        (false, compared)
    }
}

/// One representative per grid cell of side `cell`: the row with the largest welfare, then
/// the first in prefix order. Returns the representatives' indices in prefix order.
pub(crate) fn thin(rows: Rows<'_>, cell: f64) -> Vec<u32> {
    let dims = rows.dims;
    let keys: Vec<i64> = rows
        .utilities
        .iter()
        .map(|u| (u / cell).floor() as i64)
        .collect();
    let key = |i: u32| &keys[i as usize * dims..(i as usize + 1) * dims];
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        key(a)
            .cmp(key(b))
            .then(rows.welfare(b).total_cmp(&rows.welfare(a)))
            .then(a.cmp(&b))
    });
    let mut picked: Vec<u32> = Vec::new();
    for (n, &i) in order.iter().enumerate() {
        if n == 0 || key(order[n - 1]) != key(i) {
            picked.push(i);
        }
    }
    picked.sort_unstable();
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows on a coarse grid, so that equal rows are equal exactly and dominance never
    /// hangs on the tolerance; many rows repeat.
    fn grid_rows(n: usize, dims: usize, seed: u64) -> (Vec<f64>, Vec<u64>) {
        let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        let utilities = (0..n * dims).map(|_| (next() % 9) as f64 / 8.0).collect();
        let counts = (0..n).map(|_| 1 + next() % 3).collect();
        (utilities, counts)
    }

    /// Rows on the plane where the utilities sum to 1 (so none dominates another), a third
    /// of them then lowered for one party.
    fn antichain_rows(n: usize, dims: usize, seed: u64) -> (Vec<f64>, Vec<u64>) {
        let (grid, counts) = grid_rows(n, dims, seed);
        let mut utilities = Vec::with_capacity(n * dims);
        for (i, row) in grid.chunks(dims).enumerate() {
            let free: Vec<f64> = row[..dims - 1].iter().map(|u| u / dims as f64).collect();
            let last = 1.0 - free.iter().sum::<f64>();
            let start = utilities.len();
            utilities.extend(free);
            utilities.push(last);
            if i % 3 == 0 {
                utilities[start + i % dims] -= 0.125;
            }
        }
        (utilities, counts)
    }

    /// Every row compared with every other.
    fn brute_force(rows: Rows<'_>, headroom: &[f64]) -> Vec<Kept> {
        let n = rows.len() as u32;
        let mut kept: Vec<Kept> = Vec::new();
        for i in 0..n {
            if (0..n).any(|j| robustly_dominates(rows.row(j), rows.row(i), headroom)) {
                continue;
            }
            match kept.iter_mut().find(|k| rows.row(k.index) == rows.row(i)) {
                Some(k) => k.count += rows.counts[i as usize],
                None => kept.push(Kept {
                    index: i,
                    count: rows.counts[i as usize],
                }),
            }
        }
        kept
    }

    #[test]
    fn every_filter_agrees_with_comparing_every_pair() {
        for dims in 1..=6 {
            for (seed, n) in [(1, 3), (2, 40), (3, 400), (4, 1500)] {
                let seed = seed + 10 * dims as u64;
                for (utilities, counts) in [grid_rows(n, dims, seed), antichain_rows(n, dims, seed)]
                {
                    let rows = Rows {
                        dims,
                        utilities: &utilities,
                        counts: &counts,
                    };
                    // No headroom, then headroom that lets the first party reach the clamp.
                    for headroom in [vec![0.0; dims], {
                        let mut h = vec![0.1; dims];
                        h[0] = 0.5;
                        h
                    }] {
                        let mut budget = Budget {
                            max_kept: usize::MAX,
                            comparisons_left: u64::MAX,
                            limit: u64::MAX,
                        };
                        let fast = skyline(&mut budget, &headroom, rows).unwrap();
                        assert_eq!(
                            fast,
                            brute_force(rows, &headroom),
                            "{dims} parties, {n} rows, headroom {headroom:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_budget_refuses_a_large_frontier_and_too_much_work() {
        let (utilities, counts) = antichain_rows(2000, 4, 7);
        let rows = Rows {
            dims: 4,
            utilities: &utilities,
            counts: &counts,
        };
        let mut small = Budget {
            max_kept: 3,
            comparisons_left: u64::MAX,
            limit: u64::MAX,
        };
        assert_eq!(
            skyline(&mut small, &[0.0; 4], rows),
            Err(NotMergeable::FrontierTooLarge { limit: 3 })
        );
        let mut poor = Budget {
            max_kept: usize::MAX,
            comparisons_left: 10,
            limit: 10,
        };
        assert_eq!(
            skyline(&mut poor, &[0.0; 4], rows),
            Err(NotMergeable::TooMuchWork { limit: 10 })
        );
    }

    #[test]
    fn thinning_keeps_one_row_per_cell_the_best_for_welfare() {
        let utilities = [0.01, 0.01, 0.02, 0.03, 0.5, 0.5, 0.03, 0.02];
        let counts = [1, 1, 1, 1];
        let rows = Rows {
            dims: 2,
            utilities: &utilities,
            counts: &counts,
        };
        // Rows 0, 1 and 3 share the cell [0, 0.1)^2; row 1 has the largest welfare, and
        // row 3 ties with it but comes later.
        assert_eq!(thin(rows, 0.1), vec![1, 2]);
    }
}
