//! A certified ε-Pareto set for any number of parties, by the ε-constraint method on a
//! grid.
//!
//! The last party's utility is maximised subject to a lower bound on each other party's,
//! the bounds stepping through a grid of side `ε/2` from each party's lowest possible
//! utility. The question put at grid point `g` is a loose one, easy to settle near the
//! bounds: a package `x >= g` whose last utility is within `ε` of the best among packages
//! `>= g + ε/2`, or a proof that there is no such package. For any package `y` that clears
//! the red lines, the grid point `g` just below `y - ε/2` has `y` among the packages
//! `>= g + ε/2`, so the package `x` found there is at most `ε` worse than `y` for every
//! party (`y_p - x_p < ε/2 + ε/2`): the packages found, without the dominated ones, are an
//! ε-Pareto set.
//!
//! The work follows the size of the answer rather than of the grid: a package found at
//! grid point `g` is also an answer at every grid point between `g` and its own
//! utilities, and a grid point without a package has none above it; both are skipped.

use crate::analysis::frontier::{EQUAL_EPS, FrontierPoint, FrontierScan, lexicographic};
use crate::analysis::merge::count_clear;
use crate::analysis::skyline::{Budget, Rows, skyline};
use crate::model::{Case, PartyIdx};

use super::model::Model;
use super::search::{Goal, Solver};
use super::{NotSolvable, SolveLimit};

/// How many recent packages seed each search.
const SEEDS: usize = 8;
/// How many grid points the walk may visit per node of the search's limit (a visit costs
/// a few comparisons, a node a bound).
const VISITS_PER_NODE: u64 = 16;

/// An ε-Pareto set of the packages that clear the red lines of `parties`: every returned
/// vector is a real package's, and every package that clears the red lines is at most
/// `epsilon` worse than some returned vector for every party (`scan.error_bound`). With
/// the search nodes spent. The search's node limit holds over all its searches, and the
/// grid points visited may be 16 times as many.
///
/// # Errors
/// As [`super::solve_bargaining`], and [`NotSolvable::Unsupported`] for fewer than two
/// parties, an `epsilon` that is not positive, or a case whose packages cannot be counted.
pub fn epsilon_pareto_set(
    case: &Case,
    parties: &[PartyIdx],
    epsilon: f64,
    limit: SolveLimit,
) -> Result<(FrontierScan, u64), NotSolvable> {
    let n = parties.len();
    if n < 2 || epsilon.is_nan() || epsilon <= 0.0 {
        return Err(NotSolvable::Unsupported {
            reason: format!("an ε-Pareto set needs two parties or more and ε > 0 (ε = {epsilon})"),
        });
    }
    let n_clear = count_clear(case, parties).ok_or_else(|| NotSolvable::Unsupported {
        reason: "the packages that clear the red lines cannot be counted".to_owned(),
    })?;
    let empty = FrontierScan {
        n_clear_red_lines: n_clear,
        n_feasible: None,
        frontier: Vec::new(),
        error_bound: 0.0,
        n_visited: 0,
    };
    let Some(model) = Model::new(case, parties, limit)? else {
        return Ok((empty, 0));
    };
    let low = lowest(&model);
    let mut cover = Cover {
        solver: Solver {
            model: &model,
            nodes: 0,
            max_nodes: limit.max_nodes,
            heuristics: true,
            gap: (epsilon - 4.0 * EQUAL_EPS).max(EQUAL_EPS),
            slack: epsilon / 2.0,
            // Every package gives the maximised party at least its lowest utility.
            floor: low[n - 1] - 1e-9,
        },
        m: n - 1,
        low,
        step: epsilon / 2.0,
        boxes: Vec::new(),
        found: Vec::new(),
        infeasible: Vec::new(),
        boxes_at: vec![Vec::new(); n - 1],
        infeasible_at: vec![Vec::new(); n - 1],
        visits: 0,
    };
    let mut grid = vec![f64::NEG_INFINITY; n];
    cover.walk(0, &mut grid)?;
    let nodes = cover.solver.nodes;

    // Real utilities of each package found; the dominated ones (covered by those that
    // dominate them) and repeats dropped.
    let points: Vec<FrontierPoint> = cover
        .found
        .iter()
        .map(|chosen| {
            let package = model.package(case, chosen);
            FrontierPoint {
                utilities: case.utilities(parties, &package),
                package,
                n_packages: 1,
            }
        })
        .collect();
    let utilities: Vec<f64> = points
        .iter()
        .flat_map(|p| p.utilities.iter().copied())
        .collect();
    let counts = vec![1; points.len()];
    let mut budget = Budget {
        max_kept: usize::MAX,
        comparisons_left: u64::MAX,
        limit: u64::MAX,
    };
    let rows = Rows {
        dims: n,
        utilities: &utilities,
        counts: &counts,
    };
    let kept = skyline(&mut budget, &vec![0.0; n], rows).expect("an unlimited budget");
    let mut frontier: Vec<FrontierPoint> = kept
        .iter()
        .map(|k| points[k.index as usize].clone())
        .collect();
    frontier.sort_by(|a, b| lexicographic(&a.utilities, &b.utilities));
    Ok((
        FrontierScan {
            error_bound: epsilon,
            frontier,
            ..empty
        },
        nodes,
    ))
}

/// Each party's lowest possible utility (a lower bound: every point at its worst value
/// for the party, the red lines ignored).
fn lowest(model: &Model) -> Vec<f64> {
    let n = model.n;
    let mut low = vec![0.0; n];
    for (i, values) in model.values.iter().enumerate() {
        for (p, low) in low.iter_mut().enumerate() {
            let mut worst = f64::INFINITY;
            for v in 0..values.len() {
                let start = model.contribution(i, v)[p];
                let end = match &model.segments {
                    Some(s) if s.point == i => start + s.span[v] as f64 * s.slope[v * n + p],
                    _ => start,
                };
                worst = worst.min(start).min(end);
            }
            *low += worst;
        }
    }
    low.iter().map(|l| l.min(1.0)).collect()
}

/// The state of one ε-constraint walk over the grid.
struct Cover<'m> {
    solver: Solver<'m>,
    /// Parties `0..m` are bounded; party `m` is maximised.
    m: usize,
    low: Vec<f64>,
    /// The side of the grid, and the slack of its questions.
    step: f64,
    /// Per package found: the grid point it was found for and its utilities (it answers
    /// every grid point between the two).
    boxes: Vec<(Vec<f64>, Vec<f64>)>,
    found: Vec<Vec<usize>>,
    /// Grid points without a package (nor any above them).
    infeasible: Vec<Vec<f64>>,
    /// `[dim]`: the boxes, and the grid points without a package, that agree with the
    /// grid point being walked in the parties before `dim`.
    boxes_at: Vec<Vec<usize>>,
    infeasible_at: Vec<Vec<usize>>,
    /// Grid points visited.
    visits: u64,
}

impl Cover<'_> {
    /// The bound of party `p` at grid level `k`: none at level 0 (its lowest utility is
    /// met by every package).
    fn level(&self, p: usize, k: u64) -> f64 {
        if k == 0 {
            f64::NEG_INFINITY
        } else {
            self.low[p] + k as f64 * self.step
        }
    }

    /// Walks the levels of party `dim` (the parties after it at level 0 on entry and on
    /// return), returning whether the first grid point met has a package.
    fn walk(&mut self, dim: usize, grid: &mut [f64]) -> Result<bool, NotSolvable> {
        let mut k = 0;
        let mut any = false;
        loop {
            grid[dim] = self.level(dim, k);
            if grid[dim] > 1.0 + EQUAL_EPS {
                break;
            }
            self.visits += 1;
            if self.visits > self.solver.max_nodes.saturating_mul(VISITS_PER_NODE)
                || (self.visits.is_multiple_of(1024) && crate::interrupt::raised())
            {
                return Err(NotSolvable::TooMuchWork {
                    limit: self.solver.max_nodes,
                });
            }
            if dim + 1 < self.m {
                let g = grid[dim];
                let boxes: Vec<usize> = self.boxes_at[dim]
                    .iter()
                    .copied()
                    .filter(|&b| {
                        let (at, u) = &self.boxes[b];
                        at[dim] <= g + EQUAL_EPS && g <= u[dim] + EQUAL_EPS
                    })
                    .collect();
                let infeasible: Vec<usize> = self.infeasible_at[dim]
                    .iter()
                    .copied()
                    .filter(|&h| self.infeasible[h][dim] <= g + EQUAL_EPS)
                    .collect();
                self.boxes_at[dim + 1] = boxes;
                self.infeasible_at[dim + 1] = infeasible;
                // A level whose lowest grid point has no package has none above.
                if !self.walk(dim + 1, grid)? {
                    break;
                }
                k += 1;
            } else {
                let Some(top) = self.settle(grid)? else {
                    break;
                };
                // The package answers every level up to its own utility.
                let past = ((top - self.low[dim]) / self.step).floor() as u64 + 1;
                k = past.max(k + 1);
            }
            any = true;
        }
        grid[dim] = f64::NEG_INFINITY;
        Ok(any)
    }

    /// The package answering grid point `grid` (found before, or searched for now): the
    /// utility of the last bounded party in it, or `None` when no package meets the
    /// bounds. Only the last bounded party is compared: the lists of the walk agree with
    /// `grid` in the others.
    fn settle(&mut self, grid: &[f64]) -> Result<Option<f64>, NotSolvable> {
        let bounded = self.m;
        let last = bounded - 1;
        let level = grid[last];
        if self.infeasible_at[last]
            .iter()
            .any(|&h| self.infeasible[h][last] <= level + EQUAL_EPS)
        {
            return Ok(None);
        }
        let covered = self.boxes_at[last]
            .iter()
            .map(|&b| &self.boxes[b])
            .filter(|(at, u)| at[last] <= level + EQUAL_EPS && level <= u[last] + EQUAL_EPS)
            .map(|(_, u)| u[last])
            .fold(None, |top: Option<f64>, u| {
                Some(top.map_or(u, |t| t.max(u)))
            });
        if covered.is_some() {
            return Ok(covered);
        }
        let mut weights = vec![0.0; bounded + 1];
        weights[bounded] = 1.0;
        let mut lower: Vec<f64> = grid.iter().map(|g| g + self.step).collect();
        lower[bounded] = f64::NEG_INFINITY;
        let start = self.found.len().saturating_sub(SEEDS);
        let found = self
            .solver
            .solve(&Goal::Linear { weights, lower }, &self.found[start..])?;
        let Some(chosen) = found else {
            // It agrees with the grid point walked in every party before each list's.
            let h = self.infeasible.len();
            self.infeasible.push(grid[..bounded].to_vec());
            for list in &mut self.infeasible_at {
                list.push(h);
            }
            return Ok(None);
        };
        let u = self.solver.model.utilities(&chosen);
        let top = u[last];
        let b = self.boxes.len();
        self.boxes
            .push((grid[..bounded].to_vec(), u[..bounded].to_vec()));
        for list in &mut self.boxes_at {
            list.push(b);
        }
        self.found.push(chosen);
        Ok(Some(top))
    }
}
