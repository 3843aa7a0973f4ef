//! The branch and bound itself: the objectives ([`Goal`]), their Lagrangian multipliers
//! ([`Duals`]), and one search over the model ([`Solver`], [`Search`]).

use crate::analysis::frontier::EQUAL_EPS;

use super::model::Model;
use super::{NotSolvable, SOLVE_TOLERANCE};

/// What one search maximises, over packages that clear the red lines.
pub(super) enum Goal {
    /// `weights · u` subject to `u >= lower`.
    Linear { weights: Vec<f64>, lower: Vec<f64> },
    /// `min_p scale_p (u_p - d_p)` over the parties of positive scale, subject to
    /// `u >= lower`.
    MaxMin {
        scale: Vec<f64>,
        disagreement: Vec<f64>,
        lower: Vec<f64>,
    },
    /// `Σ_p ln(u_p - d_p)`, every gain above [`EQUAL_EPS`].
    Nash { disagreement: Vec<f64> },
}

impl Goal {
    /// The least utility each party must get.
    fn lower(&self) -> Vec<f64> {
        match self {
            Goal::Linear { lower, .. } | Goal::MaxMin { lower, .. } => lower.clone(),
            Goal::Nash { disagreement } => disagreement.iter().map(|d| d + EQUAL_EPS).collect(),
        }
    }

    /// What local search compares, for utilities `u` of objective `value`: the value
    /// alone, or for a max-min goal every scaled gain, smallest first.
    fn key(&self, u: &[f64], value: f64, key: &mut Vec<f64>) {
        key.clear();
        match self {
            Goal::MaxMin {
                scale,
                disagreement,
                ..
            } => {
                key.extend(
                    scale
                        .iter()
                        .zip(u.iter().zip(disagreement))
                        .filter(|(s, _)| **s > 0.0)
                        .map(|(s, (u, d))| s * (u - d)),
                );
                key.sort_by(f64::total_cmp);
            }
            _ => key.push(value),
        }
    }

    /// The objective of clamped utilities `u`, or `None` where `u` is not allowed.
    fn value(&self, u: &[f64], lower: &[f64]) -> Option<f64> {
        match self {
            Goal::Nash { disagreement } => {
                let mut sum = 0.0;
                for (u, d) in u.iter().zip(disagreement) {
                    let gain = u - d;
                    if gain <= EQUAL_EPS {
                        return None;
                    }
                    sum += gain.ln();
                }
                Some(sum)
            }
            _ if u.iter().zip(lower).any(|(u, l)| u < l) => None,
            Goal::Linear { weights, .. } => Some(weights.iter().zip(u).map(|(w, u)| w * u).sum()),
            Goal::MaxMin {
                scale,
                disagreement,
                ..
            } => {
                let worst = scale
                    .iter()
                    .zip(u.iter().zip(disagreement))
                    .filter(|(s, _)| **s > 0.0)
                    .map(|(s, (u, d))| s * (u - d))
                    .fold(f64::INFINITY, f64::min);
                Some(if worst.is_finite() { worst } else { 0.0 })
            }
        }
    }
}

/// Whether sorted key `a` beats `b`: larger at the first place where they differ by more
/// than the tolerance.
fn leximin_better(a: &[f64], b: &[f64]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x > &(y + SOLVE_TOLERANCE) {
            return true;
        }
        if x < &(y - SOLVE_TOLERANCE) {
            return false;
        }
    }
    false
}

/// The multipliers of a bound: `alpha` for the objective's own terms (fixed weights, the
/// simplex of the smallest gain, or the Nash multipliers), `mu` for the lower bounds.
#[derive(Clone)]
struct Duals {
    alpha: Vec<f64>,
    mu: Vec<f64>,
}

impl Duals {
    fn start(goal: &Goal) -> Self {
        match goal {
            Goal::Linear { weights, .. } => Self {
                alpha: weights.clone(),
                mu: vec![0.0; weights.len()],
            },
            Goal::MaxMin { scale, .. } => {
                let m = scale.iter().filter(|s| **s > 0.0).count().max(1) as f64;
                Self {
                    alpha: scale
                        .iter()
                        .map(|s| if *s > 0.0 { 1.0 / m } else { 0.0 })
                        .collect(),
                    mu: vec![0.0; scale.len()],
                }
            }
            Goal::Nash { disagreement } => Self {
                alpha: vec![1.0; disagreement.len()],
                mu: vec![0.0; disagreement.len()],
            },
        }
    }

    /// The weights `λ` of the contributions and the constant `H(λ)` of the bound.
    fn weights(&self, goal: &Goal, lambda: &mut [f64]) -> f64 {
        let lower_term = |lower: &[f64]| -> f64 {
            self.mu
                .iter()
                .zip(lower)
                .filter(|(m, _)| **m > 0.0)
                .map(|(m, l)| -m * l)
                .sum()
        };
        match goal {
            Goal::Linear { weights, lower } => {
                for (l, (w, m)) in lambda.iter_mut().zip(weights.iter().zip(&self.mu)) {
                    *l = w + m;
                }
                lower_term(lower)
            }
            Goal::MaxMin {
                scale,
                disagreement,
                lower,
            } => {
                let mut constant = lower_term(lower);
                for (p, l) in lambda.iter_mut().enumerate() {
                    *l = self.alpha[p] * scale[p] + self.mu[p];
                    constant -= self.alpha[p] * scale[p] * disagreement[p];
                }
                constant
            }
            Goal::Nash { disagreement } => {
                let mut constant = 0.0;
                for (p, l) in lambda.iter_mut().enumerate() {
                    *l = self.alpha[p];
                    constant -= self.alpha[p] * disagreement[p] + 1.0 + self.alpha[p].ln();
                }
                constant
            }
        }
    }

    /// One projected subgradient step of size `step` at the bound's maximiser `sum`
    /// (unclamped utilities); `direction` is filled with the subgradient first.
    fn subgradient(&self, goal: &Goal, sum: &[f64], lower: &[f64], direction: &mut Vec<f64>) {
        direction.clear();
        let n = sum.len();
        match goal {
            Goal::Linear { .. } => direction.extend(std::iter::repeat_n(0.0, n)),
            Goal::MaxMin {
                scale,
                disagreement,
                ..
            } => direction.extend((0..n).map(|p| scale[p] * (sum[p] - disagreement[p]))),
            Goal::Nash { disagreement } => {
                direction.extend((0..n).map(|p| sum[p] - disagreement[p] - 1.0 / self.alpha[p]));
            }
        }
        // The lower bounds' part, after the objective's.
        direction.extend((0..n).map(|p| {
            if lower[p].is_finite() && !matches!(goal, Goal::Nash { .. }) {
                sum[p] - lower[p]
            } else {
                0.0
            }
        }));
    }

    fn step(&mut self, goal: &Goal, direction: &[f64], step: f64) {
        let n = self.alpha.len();
        for p in 0..n {
            self.mu[p] = (self.mu[p] - step * direction[n + p]).max(0.0);
        }
        match goal {
            Goal::Linear { .. } => {}
            Goal::MaxMin { scale, .. } => {
                let moved: Vec<f64> = (0..n)
                    .map(|p| self.alpha[p] - step * direction[p])
                    .collect();
                project_on_simplex(&moved, scale, &mut self.alpha);
            }
            Goal::Nash { .. } => {
                for (alpha, d) in self.alpha.iter_mut().zip(direction) {
                    // A step may not cross zero: at most a tenfold shrink.
                    let moved = *alpha - step * d;
                    *alpha = moved.max(*alpha / 10.0).max(1e-12);
                }
            }
        }
    }
}

/// Euclidean projection of `point` onto the simplex of the coordinates whose `support`
/// is positive (the others are 0).
fn project_on_simplex(point: &[f64], support: &[f64], out: &mut [f64]) {
    let mut sorted: Vec<f64> = point
        .iter()
        .zip(support)
        .filter(|(_, s)| **s > 0.0)
        .map(|(x, _)| *x)
        .collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let mut cumulative = 0.0;
    let mut theta = 0.0;
    for (k, x) in sorted.iter().enumerate() {
        cumulative += x;
        let t = (cumulative - 1.0) / (k + 1) as f64;
        if x - t > 0.0 {
            theta = t;
        }
    }
    for (o, (x, s)) in out.iter_mut().zip(point.iter().zip(support)) {
        *o = if *s > 0.0 { (x - theta).max(0.0) } else { 0.0 };
    }
}

/// Subgradient steps at the root, and at every other node that its inherited multipliers
/// do not close.
const ROOT_STEPS: usize = 500;
const NODE_STEPS: usize = 20;

/// The search over all objectives (it counts nodes against one limit).
pub(super) struct Solver<'m> {
    pub(super) model: &'m Model,
    pub(super) nodes: u64,
    pub(super) max_nodes: u64,
    pub(super) heuristics: bool,
    /// How far below the best bound a package may stay and still close the search
    /// ([`SOLVE_TOLERANCE`] for a proven optimum).
    pub(super) gap: f64,
    /// How far below the goal's lower bounds a package may be and still be taken (0 for
    /// the bounds as stated). With a slack `s` the search answers a package meeting the
    /// bounds less `s` that is within `gap` of the best meeting the bounds themselves, or
    /// `None` when no package meets the bounds: a looser question, and easier to settle
    /// near the bounds.
    pub(super) slack: f64,
    /// A value every package's objective reaches (`-inf` when none is known): a node
    /// bounded below it holds no package that meets the bounds, which lets the
    /// multipliers prove a node empty without a package found.
    pub(super) floor: f64,
}

impl Solver<'_> {
    /// The package maximising `goal`, as kept-value indices per point, or `None` when no
    /// package clears the red lines and `goal`'s lower bounds. `seeds` are full choices
    /// to start from.
    pub(super) fn solve(
        &mut self,
        goal: &Goal,
        seeds: &[Vec<usize>],
    ) -> Result<Option<Vec<usize>>, NotSolvable> {
        let model = self.model;
        let n_points = model.values.len();
        let lower = goal.lower();
        let accept = lower.iter().map(|l| l - self.slack).collect();
        let mut search = Search {
            model,
            goal,
            lower,
            accept,
            blocked: model.values.iter().map(|v| vec![0; v.len()]).collect(),
            chosen: vec![usize::MAX; n_points],
            fixed: vec![0.0; model.n],
            best: None,
            nodes: 0,
            max_nodes: self.max_nodes.saturating_sub(self.nodes),
            lambda: vec![0.0; model.n],
            direction: Vec::new(),
            high: vec![0.0; model.n],
            clamped: vec![0.0; model.n],
            heuristics: self.heuristics,
            gap: self.gap,
            floor: self.floor,
            feasibility: false,
            excluded: vec![false; model.values.iter().map(Vec::len).sum()],
            scores: vec![0.0; model.values.iter().map(Vec::len).sum()],
            offsets: model
                .values
                .iter()
                .scan(0, |at, v| {
                    let offset = *at;
                    *at += v.len();
                    Some(offset)
                })
                .collect(),
        };
        for seed in seeds {
            search.offer(seed);
        }
        search.feasibility =
            matches!(goal, Goal::Linear { weights, .. } if weights.iter().all(|w| *w == 0.0));
        let explored = search.run(Duals::start(goal));
        self.nodes += search.nodes;
        explored.map_err(|()| NotSolvable::TooMuchWork {
            limit: self.max_nodes,
        })?;
        Ok(search.best.map(|(_, chosen)| chosen))
    }

    /// Runs `a` and `b` on solvers like this one, side by side where the core is parallel,
    /// and counts their nodes here: `Err` when together they went past the limit, so that
    /// the answer does not depend on the number of threads.
    pub(super) fn side_by_side<A: Send, B: Send>(
        &mut self,
        a: impl FnOnce(&mut Solver<'_>) -> A + Send,
        b: impl FnOnce(&mut Solver<'_>) -> B + Send,
    ) -> Result<(A, B), NotSolvable> {
        let fork = || Solver {
            model: self.model,
            nodes: self.nodes,
            max_nodes: self.max_nodes,
            heuristics: self.heuristics,
            gap: self.gap,
            slack: self.slack,
            floor: self.floor,
        };
        let (mut left, mut right) = (fork(), fork());
        #[cfg(feature = "parallel")]
        let (a, b) = {
            let interrupt = crate::Interrupt::current();
            rayon::join(
                || crate::interrupt::watching(interrupt.as_ref(), || a(&mut left)),
                || crate::interrupt::watching(interrupt.as_ref(), || b(&mut right)),
            )
        };
        #[cfg(not(feature = "parallel"))]
        let (a, b) = (a(&mut left), b(&mut right));
        self.nodes += (left.nodes - self.nodes) + (right.nodes - self.nodes);
        if self.nodes > self.max_nodes {
            return Err(NotSolvable::TooMuchWork {
                limit: self.max_nodes,
            });
        }
        Ok((a, b))
    }

    /// The package with most welfare among those at least as good as `chosen` for every
    /// party: Pareto-optimal, and as good for any monotone objective.
    pub(super) fn lift(&mut self, chosen: &[usize]) -> Result<Vec<usize>, NotSolvable> {
        let floor = self.model.utilities(chosen);
        let goal = Goal::Linear {
            weights: vec![1.0; floor.len()],
            lower: floor,
        };
        Ok(self
            .solve(&goal, &[chosen.to_vec()])?
            .unwrap_or_else(|| chosen.to_vec()))
    }
}

/// One branch and bound.
struct Search<'m, 'g> {
    model: &'m Model,
    goal: &'g Goal,
    lower: Vec<f64>,
    /// The bounds a package must meet to be taken (`lower` less the solver's slack).
    accept: Vec<f64>,
    /// `[point][value]`: how many reasons exclude it in the current node (a conditional
    /// red line through a fixed point, or a bound).
    blocked: Vec<Vec<u32>>,
    /// Kept-value index per point, `usize::MAX` while free.
    chosen: Vec<usize>,
    /// Unclamped utilities of the fixed points.
    fixed: Vec<f64>,
    best: Option<(f64, Vec<usize>)>,
    nodes: u64,
    max_nodes: u64,
    lambda: Vec<f64>,
    direction: Vec<f64>,
    /// Scratch: each party's best contribution from one point.
    high: Vec<f64>,
    /// Scratch: clamped utilities.
    clamped: Vec<f64>,

    /// Whether packages met along the way are offered and improved (off only to test the
    /// bounds alone).
    heuristics: bool,
    gap: f64,
    floor: f64,
    /// Whether the goal is only to find some package that meets the lower bounds (its
    /// weights are all 0): the search stops at the first.
    feasibility: bool,
    /// `[offsets[point] + value]`: excluded by the bound of the current node or of one
    /// above it (a subset of `blocked`).
    excluded: Vec<bool>,
    offsets: Vec<usize>,
    /// Scratch: `λ·c` of every value, point `i`'s from `offsets[i]`.
    scores: Vec<f64>,
}

/// Where a node branches: on `point`, into one child per value left, each with its bound
/// under the node's multipliers, best first.
struct Branching {
    point: usize,
    children: Vec<(f64, usize)>,
}

/// A node whose children wait in the open list: its fixed values, its excluded values
/// (as bits) and its multipliers, which every child starts from.
struct Saved {
    chosen: Vec<u32>,
    excluded: Vec<u64>,
    duals: Duals,
    /// Children still in the open list; the node is dropped with the last.
    waiting: usize,
}

/// A child in the open list: the value `value` of `point` added to the node `parent`.
struct Open {
    bound: f64,
    parent: usize,
    point: u32,
    value: u32,
}

impl PartialEq for Open {
    fn eq(&self, other: &Self) -> bool {
        self.bound.total_cmp(&other.bound).is_eq()
    }
}
impl Eq for Open {}
impl PartialOrd for Open {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Open {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bound.total_cmp(&other.bound)
    }
}

/// The state a node is explored in: fixed values, excluded values, multipliers.
struct NodeState {
    chosen: Vec<u32>,
    excluded: Vec<u64>,
    duals: Duals,
}

/// A bound at one node: its value, the maximising utilities (unclamped) and values.
struct Bound {
    value: f64,
    sum: Vec<f64>,
    argmax: Vec<usize>,
}

impl Search<'_, '_> {
    /// Offers the package of a bound, unless its unclamped sums already show it is no
    /// better than the best (the clamp and the conditional red lines only lower it).
    fn offer_bound(&mut self, bound: &Bound) {
        if !self.heuristics {
            return;
        }
        for (c, s) in self.clamped.iter_mut().zip(&bound.sum) {
            *c = s.min(1.0);
        }
        if let Some((best, _)) = &self.best
            && self
                .goal
                .value(&self.clamped, &self.accept)
                .is_none_or(|v| v <= *best)
        {
            return;
        }
        self.offer(&bound.argmax);
    }

    /// Scores a full choice and, if it is the best allowed so far, keeps it after
    /// improving it one point at a time while that helps. The wide point's value is first
    /// set to the best in its segment, which makes a leaf of the search exact.
    fn offer(&mut self, chosen: &[usize]) {
        if !self.model.clears_conditionals(chosen) {
            return;
        }
        let model = self.model;
        let n = model.n;
        let n_points = model.values.len();
        let mut current = chosen.to_vec();
        // Unclamped sums, updated as values change.
        let mut sum = vec![0.0; n];
        let offset = model.offset(&current);
        for (i, &v) in current.iter().take(n_points).enumerate() {
            model.add(i, v, offset, 1.0, &mut sum);
        }
        if let Some(segments) = &model.segments {
            let w = segments.point;
            model.add(w, current[w], offset, -1.0, &mut sum);
            match self.best_offset(&sum, current[w]) {
                Some((best, _)) => current[n_points] = best as usize,
                None => return,
            }
            model.add(w, current[w], model.offset(&current), 1.0, &mut sum);
        }
        let u = model.utilities(&current);
        let Some(value) = self.goal.value(&u, &self.accept) else {
            return;
        };
        if self.best.as_ref().is_some_and(|(b, _)| value <= *b) {
            return;
        }
        if !self.heuristics {
            self.best = Some((value, current));
            return;
        }
        let mut current_value = value;
        let mut trial = vec![0.0; n];
        // Changes are judged by their sorted gains for a max-min goal (leximin), so that
        // the search can raise a party that is not the worst off while the worst stays.
        let mut key = Vec::with_capacity(n);
        let mut best_key = Vec::with_capacity(n);
        for (t, s) in trial.iter_mut().zip(&sum) {
            *t = s.min(1.0);
        }
        self.goal.key(&trial, current_value, &mut best_key);
        let wide = model.segments.as_ref().map(|s| s.point);
        loop {
            let mut improved = false;
            for i in 0..n_points {
                let was = current[i];
                let was_offset = if wide == Some(i) {
                    model.offset(&current)
                } else {
                    0
                };
                // (value, kept value, offset in its segment)
                let mut best_here = (current_value, was, was_offset);
                let mut base = sum.clone();
                model.add(i, was, was_offset, -1.0, &mut base);
                for v in 0..model.values[i].len() {
                    if v == was && wide != Some(i) {
                        continue;
                    }
                    current[i] = v;
                    if !model.clears_conditionals_at(i, &current) {
                        continue;
                    }
                    let offset = if wide == Some(i) {
                        match self.best_offset(&base, v) {
                            Some((offset, _)) => offset,
                            None => continue,
                        }
                    } else {
                        0
                    };
                    trial.copy_from_slice(&base);
                    model.add(i, v, offset, 1.0, &mut trial);
                    for t in &mut trial {
                        *t = t.min(1.0);
                    }
                    if let Some(value) = self.goal.value(&trial, &self.accept)
                        && value >= best_here.0 - SOLVE_TOLERANCE
                    {
                        self.goal.key(&trial, value, &mut key);
                        if leximin_better(&key, &best_key) {
                            best_here = (value, v, offset);
                            std::mem::swap(&mut key, &mut best_key);
                        }
                    }
                }
                current[i] = best_here.1;
                if wide == Some(i) {
                    current[n_points] = best_here.2 as usize;
                }
                if (best_here.1, best_here.2) != (was, was_offset) {
                    sum = base;
                    model.add(i, best_here.1, best_here.2, 1.0, &mut sum);
                    current_value = best_here.0;
                    improved = true;
                }
            }
            if !improved {
                break;
            }
        }
        // Scored again from scratch, in point order, so that rounding never flatters it.
        let u = model.utilities(&current);
        let Some(current_value) = self.goal.value(&u, &self.accept) else {
            return;
        };
        if self.best.as_ref().is_some_and(|(b, _)| current_value <= *b) {
            return;
        }
        self.best = Some((current_value, current));
    }

    /// The best offset in segment `value` of the wide point, given the unclamped sums
    /// `base` of every other point, and its objective; `None` when no value of the segment
    /// meets the lower bounds. Every objective is concave along a segment (utilities are
    /// linear there, then clamped, then combined concavely), so the allowed offsets are
    /// an interval, searched by thirds.
    fn best_offset(&self, base: &[f64], value: usize) -> Option<(u64, f64)> {
        let model = self.model;
        let segments = model.segments.as_ref()?;
        let wide = segments.point;
        let n = model.n;
        let span = segments.span[value];
        let start = model.contribution(wide, value);
        let slope = &segments.slope[value * n..(value + 1) * n];
        let mut trial = vec![0.0; n];
        let mut at = |t: u64| -> Option<f64> {
            for (p, x) in trial.iter_mut().enumerate() {
                *x = (base[p] + start[p] + t as f64 * slope[p]).min(1.0);
            }
            self.goal.value(&trial, &self.accept)
        };
        if span == 0 {
            return at(0).map(|v| (0, v));
        }
        // The offsets that meet every lower bound (up to rounding, checked below).
        let (mut low, mut high) = (0.0_f64, span as f64);
        let lower = self.goal.lower();
        for p in 0..n {
            let least = lower[p];
            if !least.is_finite() {
                continue;
            }
            if least > 1.0 {
                return None;
            }
            let first = base[p] + start[p];
            let step = slope[p];
            if step > 0.0 {
                low = low.max((least - first) / step);
            } else if step < 0.0 {
                high = high.min((first - least) / -step);
            } else if first < least {
                return None;
            }
        }
        if low > high + 1.0 {
            return None;
        }
        let mut low = (low.floor().max(0.0) as u64).min(span);
        let mut high = (high.ceil().max(0.0) as u64).min(span);
        while low <= high && at(low).is_none() {
            low += 1;
        }
        while high >= low && at(high).is_none() {
            if high == 0 {
                break;
            }
            high -= 1;
        }
        if low > high || at(low).is_none() {
            return None;
        }
        let score = |v: Option<f64>| v.unwrap_or(f64::NEG_INFINITY);
        while high - low > 2 {
            let third = (high - low) / 3;
            let (m1, m2) = (low + third, high - third);
            if score(at(m1)) < score(at(m2)) {
                low = m1 + 1;
            } else {
                high = m2;
            }
        }
        (low..=high).filter_map(|t| at(t).map(|v| (t, v))).fold(
            None,
            |best: Option<(u64, f64)>, (t, v)| match best {
                Some((_, b)) if b >= v => best,
                _ => Some((t, v)),
            },
        )
    }

    fn closed(&self, bound: f64) -> bool {
        if self.feasibility {
            // Any package found answers; a bound below 0 proves there is none below.
            return self.best.is_some() || bound < -SOLVE_TOLERANCE;
        }
        match &self.best {
            Some((b, _)) => bound <= b + self.gap,
            None => bound < self.floor,
        }
    }

    /// Whether some completion of the current node can still give every party its lower
    /// bound (each free point giving each party its best remaining value).
    fn reachable(&mut self) -> bool {
        let model = self.model;
        let n = model.n;
        let mut total = self.fixed.clone();
        let high = &mut self.high;
        let wide = model.segments.as_ref();
        for (i, &chosen) in self.chosen.iter().enumerate() {
            let segments = wide.filter(|s| s.point == i);
            if chosen != usize::MAX && segments.is_none() {
                continue;
            }
            high.fill(f64::NEG_INFINITY);
            for (v, c) in model.contributions[i].chunks_exact(n).enumerate() {
                let open = if chosen == usize::MAX {
                    self.blocked[i][v] == 0
                } else {
                    v == chosen
                };
                if !open {
                    continue;
                }
                for (h, c) in high.iter_mut().zip(c) {
                    *h = h.max(*c);
                }
                if let Some(segments) = segments {
                    // A segment's other end.
                    let span = segments.span[v] as f64;
                    for ((h, c), d) in high.iter_mut().zip(c).zip(&segments.slope[v * n..]) {
                        *h = h.max(c + span * d);
                    }
                }
            }
            for (t, h) in total.iter_mut().zip(high.iter()) {
                *t += h;
            }
        }
        // A point with every value excluded leaves -inf: unreachable.
        total.iter().zip(&self.lower).all(|(t, l)| t >= l)
    }

    /// The bound of the current node under `duals`, into `out`; `false` when some free
    /// point has every value excluded. `scores`, when given, receives `λ·c` of every value
    /// of every free point.
    fn bound(&mut self, duals: &Duals, out: &mut Bound, mut scores: Option<&mut [f64]>) -> bool {
        let model = self.model;
        let constant = duals.weights(self.goal, &mut self.lambda);
        let lambda = &self.lambda;
        let mut value = constant
            + lambda
                .iter()
                .zip(&self.fixed)
                .map(|(l, f)| l * f)
                .sum::<f64>();
        out.sum.copy_from_slice(&self.fixed);
        let n_points = self.chosen.len();
        out.argmax[..n_points].copy_from_slice(&self.chosen);
        let wide = model.segments.as_ref();
        for (i, &chosen) in self.chosen.iter().enumerate() {
            // The wide point's segment, even fixed, still has a value to choose: the better
            // end for the bound (its contributions are linear along it).
            let segments = wide.filter(|s| s.point == i);
            if chosen != usize::MAX && segments.is_none() {
                continue;
            }
            let blocked = &self.blocked[i];
            let mut best = f64::NEG_INFINITY;
            let mut best_v = usize::MAX;
            let mut best_end = 0;
            let mut best_c: &[f64] = &[];
            for (v, c) in model.contributions[i].chunks_exact(model.n).enumerate() {
                let open = if chosen == usize::MAX {
                    blocked[v] == 0
                } else {
                    v == chosen
                };
                if !open {
                    continue;
                }
                let mut score: f64 = lambda.iter().zip(c).map(|(l, c)| l * c).sum();
                let mut end = 0;
                if let Some(segments) = segments {
                    let span = segments.span[v];
                    let along: f64 = lambda
                        .iter()
                        .zip(&segments.slope[v * model.n..(v + 1) * model.n])
                        .map(|(l, d)| l * d)
                        .sum();
                    if span > 0 && along > 0.0 {
                        score += span as f64 * along;
                        end = span;
                    }
                }
                if chosen == usize::MAX
                    && let Some(scores) = scores.as_deref_mut()
                {
                    scores[self.offsets[i] + v] = score;
                }
                if score > best {
                    best = score;
                    best_v = v;
                    best_end = end;
                    best_c = c;
                }
            }
            if best_v == usize::MAX {
                return false;
            }
            value += best;
            out.argmax[i] = best_v;
            if segments.is_some() {
                out.argmax[n_points] = best_end as usize;
                model.add(i, best_v, best_end, 1.0, &mut out.sum);
            } else {
                for (s, c) in out.sum.iter_mut().zip(best_c) {
                    *s += c;
                }
            }
        }
        out.value = value;
        true
    }

    /// The whole search: best bound first, each node plunging into its best child (a
    /// dive finds good packages early; the open list then proves them). `Err` when the
    /// node limit is reached.
    fn run(&mut self, duals: Duals) -> Result<(), ()> {
        const FREE: u32 = u32::MAX;
        let n_points = self.model.values.len();
        let words = self.excluded.len().div_ceil(64);
        let mut saved: Vec<Option<Saved>> = Vec::new();
        let mut free: Vec<usize> = Vec::new();
        let mut open: std::collections::BinaryHeap<Open> = std::collections::BinaryHeap::new();
        let mut current = Some(NodeState {
            chosen: vec![FREE; n_points],
            excluded: vec![0; words],
            duals,
        });
        loop {
            let mut state = if let Some(state) = current.take() {
                state
            } else {
                let Some(next) = open.pop() else {
                    return Ok(());
                };
                let node = saved[next.parent]
                    .as_mut()
                    .expect("a waiting node is saved");
                let mut chosen = node.chosen.clone();
                chosen[next.point as usize] = next.value;
                let state = NodeState {
                    chosen,
                    excluded: node.excluded.clone(),
                    duals: node.duals.clone(),
                };
                node.waiting -= 1;
                if node.waiting == 0 {
                    saved[next.parent] = None;
                    free.push(next.parent);
                }
                if self.closed(next.bound) {
                    continue;
                }
                state
            };
            if !self.load(&state) {
                continue;
            }
            let Some(branching) = self.expand(&mut state.duals)? else {
                continue;
            };
            // The children share this node's fixed values, exclusions and multipliers.
            let mut excluded = vec![0u64; words];
            for (k, _) in self.excluded.iter().enumerate().filter(|(_, e)| **e) {
                excluded[k / 64] |= 1 << (k % 64);
            }
            let chosen: Vec<u32> = self
                .chosen
                .iter()
                .map(|&c| if c == usize::MAX { FREE } else { c as u32 })
                .collect();
            let mut children = branching.children.into_iter();
            let Some((_, first)) = children.next() else {
                continue;
            };
            let rest: Vec<(f64, usize)> = children.collect();
            if !rest.is_empty() {
                let node = Saved {
                    chosen: chosen.clone(),
                    excluded: excluded.clone(),
                    duals: state.duals.clone(),
                    waiting: rest.len(),
                };
                let at = if let Some(at) = free.pop() {
                    saved[at] = Some(node);
                    at
                } else {
                    saved.push(Some(node));
                    saved.len() - 1
                };
                for (bound, value) in rest {
                    open.push(Open {
                        bound,
                        parent: at,
                        point: branching.point as u32,
                        value: value as u32,
                    });
                }
            }
            // Plunge into the best child.
            let mut chosen = chosen;
            chosen[branching.point] = first as u32;
            current = Some(NodeState {
                chosen,
                excluded,
                duals: state.duals,
            });
        }
    }

    /// Sets the search to `state`: its fixed values with the blocks their conditional red
    /// lines and twins put, and its exclusions. Returns whether no fixed value is
    /// blocked.
    fn load(&mut self, state: &NodeState) -> bool {
        for blocked in &mut self.blocked {
            blocked.fill(0);
        }
        self.chosen.fill(usize::MAX);
        self.fixed.fill(0.0);
        self.excluded.fill(false);
        let mut clear = true;
        for (point, &value) in state.chosen.iter().enumerate() {
            if value != u32::MAX {
                clear &= self.fix(point, value as usize, 1);
            }
        }
        for (point, offset) in self.offsets.iter().enumerate() {
            for value in 0..self.blocked[point].len() {
                let k = offset + value;
                if state.excluded[k / 64] >> (k % 64) & 1 == 1 {
                    self.excluded[k] = true;
                    self.blocked[point][value] += 1;
                }
            }
        }
        clear
            && self
                .chosen
                .iter()
                .enumerate()
                .all(|(i, &c)| c == usize::MAX || self.blocked[i][c] == 0)
    }

    /// Bounds the current node (loaded with [`Search::load`]) and tightens `duals` for
    /// it, excluding the values that cannot be in a better package; returns the point to
    /// branch on with each child's bound under these multipliers, best first, or `None`
    /// when the node is closed. `Err` when the node limit is reached.
    fn expand(&mut self, duals: &mut Duals) -> Result<Option<Branching>, ()> {
        self.nodes += 1;
        if self.nodes > self.max_nodes
            || (self.nodes.is_multiple_of(1024) && crate::interrupt::raised())
        {
            return Err(());
        }
        let model = self.model;
        if !self.reachable() {
            return Ok(None);
        }
        let blank = || Bound {
            value: 0.0,
            sum: vec![0.0; model.n],
            argmax: vec![0; model.choice_len()],
        };
        let (mut bound, mut next) = (blank(), blank());
        if !self.bound(duals, &mut bound, None) {
            return Ok(None);
        }
        self.offer_bound(&bound);
        let root = self.chosen.iter().all(|c| *c == usize::MAX);
        let steps = if root { ROOT_STEPS } else { NODE_STEPS };
        let mut best_duals = duals.clone();
        let mut best_value = bound.value;
        let mut scale = 1.0;
        for _ in 0..steps {
            if self.closed(best_value) {
                break;
            }
            duals.subgradient(self.goal, &bound.sum, &self.lower, &mut self.direction);
            // A lower bound's multiplier at 0 that the step would push below 0 stays
            // there: leave it out of the direction, so that it does not shorten the step.
            let n = model.n;
            for (d, m) in self.direction[n..].iter_mut().zip(&duals.mu) {
                if *m <= 0.0 && *d > 0.0 {
                    *d = 0.0;
                }
            }
            let norm: f64 = self.direction.iter().map(|d| d * d).sum();
            if norm <= 0.0 {
                break;
            }
            // Polyak's step towards the best package known (or a little below the bound).
            let target = match &self.best {
                Some((b, _)) => *b,
                None if self.floor.is_finite() => self.floor - 0.1,
                None => bound.value - 0.1 * bound.value.abs().max(0.1),
            };
            duals.step(
                self.goal,
                &self.direction,
                scale * (bound.value - target) / norm,
            );
            if !self.bound(duals, &mut next, None) {
                return Ok(None);
            }
            self.offer_bound(&next);
            if next.value < best_value {
                best_value = next.value;
                best_duals.clone_from(duals);
            } else {
                scale *= 0.7;
                if scale < 1e-3 {
                    // Twenty steps without progress: the multipliers are as good as
                    // these steps make them.
                    break;
                }
            }
            std::mem::swap(&mut bound, &mut next);
        }
        *duals = best_duals;
        if self.closed(best_value) {
            return Ok(None);
        }

        // Scores of every free value under the best multipliers: a value whose score is
        // short of its point's best by more than the bound's lead over the best package
        // cannot be in a better package anywhere below this node.
        // (Scores of point `i` at `offsets[i]..`, in a buffer kept from node to node.)
        let mut scores = std::mem::take(&mut self.scores);
        let bounded = self.bound(duals, &mut bound, Some(&mut scores));
        let branching = if bounded {
            self.branching(&bound, &scores)
        } else {
            None
        };
        self.scores = scores;
        Ok(branching)
    }

    /// Excludes the values that cannot be in a better package than the best under the
    /// node's `bound` (with `scores` of every free value), and picks the point to branch
    /// on; `None` when every free point is down to one value (the bound's package is
    /// offered).
    fn branching(&mut self, bound: &Bound, scores: &[f64]) -> Option<Branching> {
        let model = self.model;
        let lead = self
            .best
            .as_ref()
            .map_or(f64::INFINITY, |(b, _)| bound.value - b - self.gap);
        // The point to branch on: the one whose best two values score closest.
        let mut branch: Option<(f64, usize)> = None;
        for i in 0..model.values.len() {
            if self.chosen[i] != usize::MAX {
                continue;
            }
            let at = self.offsets[i];
            let top = scores[at + bound.argmax[i]];
            let mut second = f64::NEG_INFINITY;
            for (v, &score) in scores[at..at + model.values[i].len()].iter().enumerate() {
                if self.blocked[i][v] > 0 || v == bound.argmax[i] {
                    continue;
                }
                if top - score >= lead {
                    self.blocked[i][v] += 1;
                    self.excluded[self.offsets[i] + v] = true;
                } else {
                    second = second.max(score);
                }
            }
            if second > f64::NEG_INFINITY && branch.is_none_or(|(gap, _)| top - second < gap) {
                branch = Some((top - second, i));
            }
        }
        match branch {
            // Every free point is down to one value: the bound's package.
            None => {
                self.offer(&bound.argmax);
                None
            }
            Some((_, point)) => {
                let at = self.offsets[point];
                let top = scores[at + bound.argmax[point]];
                let mut children: Vec<(f64, usize)> = (0..model.values[point].len())
                    .filter(|&v| self.blocked[point][v] == 0)
                    .map(|v| (bound.value - (top - scores[at + v]), v))
                    .collect();
                children.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                Some(Branching { point, children })
            }
        }
    }

    /// Fixes (`sign` 1) or frees (`sign` -1) `point` at `value`, with the blocks its
    /// conditional red lines put on other points. Returns whether no fixed point is
    /// blocked afterwards.
    fn fix(&mut self, point: usize, value: usize, sign: i32) -> bool {
        let model = self.model;
        let wide = model.segments.as_ref().is_some_and(|s| s.point == point);
        if !wide {
            // (The wide point's contribution stays in the bound: its value is still open.)
            let contribution = model.contribution(point, value);
            for (f, c) in self.fixed.iter_mut().zip(contribution) {
                if sign > 0 {
                    *f += c;
                } else {
                    *f -= c;
                }
            }
        }
        self.chosen[point] = if sign > 0 { value } else { usize::MAX };
        let mut clear = true;
        for &c in &model.touches[point] {
            let conditional = &model.conditionals[c];
            let (other, mask, blocks_when) =
                if conditional.when_point == point && conditional.when[value] {
                    (conditional.require_point, &conditional.require, false)
                } else if conditional.require_point == point && !conditional.require[value] {
                    (conditional.when_point, &conditional.when, true)
                } else {
                    continue;
                };
            for (b, &m) in self.blocked[other].iter_mut().zip(mask) {
                // Fixing the condition blocks the values outside what it requires; fixing
                // a value outside what it requires blocks the condition's values.
                if m == blocks_when {
                    if sign > 0 {
                        *b += 1;
                    } else {
                        *b -= 1;
                    }
                }
            }
            let fixed_other = self.chosen[other];
            if fixed_other != usize::MAX && self.blocked[other][fixed_other] > 0 {
                clear = false;
            }
        }
        let (group, place) = &model.twins[point];
        for (other_place, &other) in group.iter().enumerate() {
            if other_place == *place {
                continue;
            }
            // Twins after this point take no smaller value, twins before it no larger.
            let range = if other_place > *place {
                0..value
            } else {
                value + 1..model.values[other].len()
            };
            for b in &mut self.blocked[other][range] {
                if sign > 0 {
                    *b += 1;
                } else {
                    *b -= 1;
                }
            }
            let fixed_other = self.chosen[other];
            if fixed_other != usize::MAX && self.blocked[other][fixed_other] > 0 {
                clear = false;
            }
        }
        clear
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::solve::SolveLimit;
    use crate::model::{Case, OptionIdx, Party, PartyIdx, Point, PointIdx, Role};
    use crate::position::{AdditiveUtility, Condition, Evaluator, Position, RedLine, ValueSet};

    /// A small case drawn from `seed` by a linear congruential generator: 2 to 5
    /// parties, 3 to 8 points of 2 to 4 options, ratings on a grid of tenths (ties), some
    /// points twins of the one before, some red lines conditional, reservation values.
    fn case(seed: u64) -> Case {
        let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut draw = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let n_parties = 2 + draw(4) as usize;
        let n_points = 3 + draw(6) as usize;
        let radix: Vec<usize> = (0..n_points).map(|_| 2 + draw(3) as usize).collect();
        let twin: Vec<bool> = (0..n_points)
            .map(|i| i > 0 && radix[i] == radix[i - 1] && draw(3) == 0)
            .collect();
        let points: Vec<Point> = radix
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                Point::new(
                    format!("p{i}"),
                    crate::PointKind::options((0..r).map(|k| format!("o{k}"))),
                )
            })
            .collect();
        let parties = (0..n_parties)
            .map(|k| {
                let mut weights: Vec<f64> = Vec::new();
                let mut scores: Vec<Vec<f64>> = Vec::new();
                for i in 0..n_points {
                    if twin[i] {
                        weights.push(weights[i - 1]);
                        scores.push(scores[i - 1].clone());
                    } else {
                        weights.push((1 + draw(4)) as f64 / (2 * n_points) as f64);
                        scores.push((0..radix[i]).map(|_| draw(11) as f64 / 10.0).collect());
                    }
                }
                let mut position = Position::new(
                    AdditiveUtility::new(
                        weights,
                        scores.into_iter().map(Evaluator::Options).collect(),
                    )
                    .into(),
                );
                position.reservation_value = draw(5) as f64 / 10.0;
                for _ in 0..draw(3) {
                    let point = draw(n_points as u64) as usize;
                    let option = OptionIdx(draw(radix[point] as u64) as usize);
                    let mut red_line = RedLine::forbid(&points[point], PointIdx(point), &[option]);
                    if draw(2) == 0 {
                        let when = draw(n_points as u64) as usize;
                        red_line.when = Some(Condition {
                            point: PointIdx(when),
                            values: ValueSet::Options(vec![OptionIdx(
                                draw(radix[when] as u64) as usize
                            )]),
                        });
                    }
                    position.red_lines.push(red_line);
                }
                Party::new(format!("q{k}"), format!("Q{k}"), Role::Party).with_position(position)
            })
            .collect();
        Case::new("drawn", points, parties).unwrap()
    }

    /// The best value of `goal` over every package that clears the red lines, by brute
    /// force over the case itself.
    fn brute_force(case: &Case, parties: &[PartyIdx], goal: &Goal) -> Option<f64> {
        let lower = goal.lower();
        (0..case.n_packages().unwrap())
            .map(|k| case.package_at(k).unwrap())
            .filter(|p| {
                parties
                    .iter()
                    .all(|&i| case.position(i).unwrap().clears_red_lines(p))
            })
            .filter_map(|p| goal.value(&case.utilities(parties, &p), &lower))
            .reduce(f64::max)
    }

    /// The bounds alone, with no package offered but at the leaves of the search, prove
    /// the same optima as brute force, for every kind of objective.
    #[test]
    fn bounds_alone_find_the_brute_force_optimum() {
        for seed in 0..300 {
            let case = case(seed);
            let parties = case.negotiating_parties();
            let n = parties.len();
            let d: Vec<f64> = parties
                .iter()
                .map(|&p| case.position(p).unwrap().reservation_value)
                .collect();
            let rational: Vec<f64> = d.iter().map(|d| d - EQUAL_EPS).collect();
            let mut goals = vec![
                Goal::Linear {
                    weights: vec![1.0; n],
                    lower: vec![f64::NEG_INFINITY; n],
                },
                Goal::Linear {
                    weights: (0..n).map(|p| if p == 0 { 1.0 } else { 0.0 }).collect(),
                    lower: rational.clone(),
                },
                Goal::MaxMin {
                    scale: vec![1.0; n],
                    disagreement: d.clone(),
                    lower: rational.clone(),
                },
                Goal::Nash {
                    disagreement: d.clone(),
                },
            ];
            goals.push(Goal::MaxMin {
                scale: (0..n).map(|p| 1.0 + p as f64).collect(),
                disagreement: d.clone(),
                lower: rational,
            });
            let Some(model) = Model::new(&case, &parties, SolveLimit::default()).unwrap() else {
                continue;
            };
            for goal in &goals {
                let mut solver = Solver {
                    model: &model,
                    nodes: 0,
                    max_nodes: u64::MAX,
                    heuristics: false,
                    gap: SOLVE_TOLERANCE,
                    slack: 0.0,
                    floor: f64::NEG_INFINITY,
                };
                let found = solver.solve(goal, &[]).unwrap();
                let lower = goal.lower();
                let found =
                    found.map(|chosen| goal.value(&model.utilities(&chosen), &lower).unwrap());
                let expected = brute_force(&case, &parties, goal);
                match (found, expected) {
                    (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-9, "seed {seed}: {a} vs {b}"),
                    (a, b) => assert_eq!(a, b, "seed {seed}"),
                }
            }
        }
    }
}
