//! Exact bargaining packages without the frontier, for any number of parties.
//!
//! The frontier of a case with many parties can be far too large to list, yet the four
//! bargaining packages are single optima: [`solve_bargaining`] finds each by a branch and
//! bound over one value per point, for additive positions with red lines (conditional
//! ones too) and reservation values, and proves it optimal.
//!
//! **Bounds.** A party's utility is a sum of one contribution per point. Every objective
//! maximised here is a concave function `F` of the utility vector `u`, so for any
//! multipliers `λ` Lagrangian duality bounds it by what a weighted sum can reach:
//! `max F(u) <= H(λ) + Σ_i max_v λ·c_i(v)`, where `c_i(v)` is the contribution vector of
//! value `v` of point `i` and `H` depends on the objective alone (for the smallest gain
//! `H(λ) = -λ·d` with `λ` on the simplex; for the Nash product's logarithm
//! `H(λ) = -λ·d - n - Σ ln λ_p`; for a weighted sum with lower bounds `u >= l`,
//! `λ = w + μ` and `H = -μ·l`). The maximum splits into one small maximum per point, so a
//! bound costs one pass over the values left, whatever `λ`; the multipliers are tightened
//! by projected subgradient steps (Polyak's step towards the best package known) and
//! handed down the tree. Nodes wait in an open list and the one of best bound is taken
//! next, diving into its best child until closed, so that good packages come early and
//! the rest of the tree only proves them. Any `λ` gives a valid bound, so the steps
//! decide only the speed; a node is dropped when its bound is no better than the best
//! package found (within [`SOLVE_TOLERANCE`]), and when the tree is exhausted that
//! package is proven optimal. Each bound also names a package (the maximising value of
//! every free point): checked against the red lines, scored exactly and improved one
//! point at a time, it is how good packages are found.
//!
//! **Red lines.** A red line that forbids values removes them before the search; a
//! conditional one ("if A is in X then B must be in Y") is enforced while branching:
//! fixing A in X blocks B's values outside Y, and fixing B outside Y blocks A's values in
//! X. The bounds of a node see the blocks, and the packages found are checked in full.
//! Values of a point in no conditional red line that another value of the same point
//! matches or beats for every party are dropped first: every objective here is
//! monotone, so they can never be needed.
//!
//! **A wide integer point** (more values than [`SolveLimit::max_point_values`], at most
//! one) is searched as segments on which every contribution is linear: cut at every kink
//! of every party's evaluator and at its red lines' ends. A bound takes the better end of
//! each segment; once every other point is fixed, the best value inside is found exactly,
//! since each objective is concave along a segment.
//!
//! **Definitions** are those of [`crate::bargaining_points`] over the exact frontier, with
//! utilities clamped at 1 as the positions clamp them: the optimum over every package that
//! clears the red lines is the optimum over the frontier. The packages for the smallest
//! gain and the smallest relative gain are then lifted to the frontier (the most welfare
//! among packages at least as good for every party), so that each reported package is
//! Pareto-optimal. Only the winner of each objective is found, so `ties` lists it alone.
//!
//! ```
//! use accord_core::{solve_bargaining, AdditiveUtility, Case, Evaluator, Party, Point,
//!     PointKind, Position, Role, SolveLimit};
//!
//! let points: Vec<Point> = (0..12)
//!     .map(|i| Point::new(format!("p{i}"), PointKind::options(["a", "b", "c"])))
//!     .collect();
//! let position = |k: usize| Position::new(AdditiveUtility::new(
//!     vec![1.0 / 12.0; 12],
//!     (0..12).map(|i| Evaluator::Options(
//!         (0..3).map(|o| ((i * 7 + o * 3 + k * k * 5) % 11) as f64 / 10.0).collect())).collect(),
//! ).into());
//! let parties: Vec<Party> = (0..6)
//!     .map(|k| Party::new(format!("p{k}"), format!("P{k}"), Role::Party).with_position(position(k)))
//!     .collect();
//! let case = Case::new("six", points, parties).unwrap();
//! // Six parties: the bargaining packages come without the frontier.
//! let solved = solve_bargaining(&case, &case.negotiating_parties(), SolveLimit::default()).unwrap();
//! assert!(solved.bargaining.nash.is_some());
//! ```

mod cover;
mod model;
mod rectangles;
mod search;

pub use cover::epsilon_pareto_set;
pub use rectangles::{rectangle_frontier, rectangle_maximum};

use crate::analysis::bargaining::BargainingPoints;
use crate::analysis::frontier::EQUAL_EPS;
use crate::model::{Case, PartyIdx};
use model::Model;
use search::{Goal, Solver};

/// Each package [`solve_bargaining`] returns is proven within this of the optimum of its
/// objective (for Nash, of the logarithm of the product of gains).
pub const SOLVE_TOLERANCE: f64 = 1e-10;

/// Bounds on the work of [`solve_bargaining`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolveLimit {
    /// The most values a point is searched value by value; one integer point above it is
    /// searched as segments.
    pub max_point_values: u64,
    /// The most search nodes over all objectives, so that a hard case is refused in
    /// seconds rather than answered in hours.
    pub max_nodes: u64,
}

impl Default for SolveLimit {
    fn default() -> Self {
        Self {
            max_point_values: 10_000,
            max_nodes: 2_000_000,
        }
    }
}

/// Why [`solve_bargaining`] did not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSolvable {
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
    /// A point has more values than the limit (a second wide integer point, a wide point
    /// in a conditional red line, or a wide point of options).
    PointTooLarge {
        /// The point's id.
        point: String,
    },
    /// The search needed more nodes than the limit.
    TooMuchWork {
        /// The limit in force.
        limit: u64,
    },
    /// The case is of a kind this search does not take (said in `reason`).
    Unsupported {
        /// What it does not take, naming the party.
        reason: String,
    },
}

impl std::fmt::Display for NotSolvable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAdditive { party } => write!(f, "party `{party}` has a non-additive utility"),
            Self::RealPoint { point } => write!(f, "point `{point}` is a real range"),
            Self::PointTooLarge { point } => write!(f, "point `{point}` has too many values"),
            Self::TooMuchWork { limit } => {
                write!(f, "the search needed more than {limit} nodes")
            }
            Self::Unsupported { reason } => f.write_str(reason),
        }
    }
}

/// The bargaining packages [`solve_bargaining`] found, and the work of the proof.
#[derive(Debug, Clone, PartialEq)]
pub struct SolvedBargaining {
    /// The ideal point and the four bargaining packages, as [`crate::bargaining_points`]
    /// defines them over the exact frontier.
    pub bargaining: BargainingPoints,
    /// Each party's favourite compromise, in the order of the parties: among the packages
    /// that clear the red lines and give every party its reservation value, the best for
    /// it, and of those the one with most welfare (as [`crate::favourite_compromises`]
    /// picks over the exact frontier); empty when there is no such package. With the
    /// bargaining packages they stand in for the frontier where fairness is judged.
    pub favourites: Vec<crate::FrontierPoint>,
    /// Search nodes visited over all objectives.
    pub nodes: u64,
}

/// Finds the exact ideal point and Nash, Kalai–Smorodinsky, egalitarian and utilitarian
/// packages of `case` for `parties`, without the frontier (see the module documentation).
/// Every analysed party's utility must be additive.
pub fn solve_bargaining(
    case: &Case,
    parties: &[PartyIdx],
    limit: SolveLimit,
) -> Result<SolvedBargaining, NotSolvable> {
    let reservation_values: Vec<f64> = parties
        .iter()
        .map(|&p| case.position(p).map_or(0.0, |pos| pos.reservation_value))
        .collect();
    let Some(model) = Model::new(case, parties, limit)? else {
        // Some point has no value that clears the red lines: nothing to bargain over.
        return Ok(SolvedBargaining {
            bargaining: BargainingPoints {
                ideal_point: None,
                nash: None,
                kalai_smorodinsky: None,
                egalitarian: None,
                utilitarian: None,
            },
            favourites: Vec::new(),
            nodes: 0,
        });
    };
    let mut solver = Solver {
        model: &model,
        nodes: 0,
        max_nodes: limit.max_nodes,
        heuristics: true,
        gap: SOLVE_TOLERANCE,
        slack: 0.0,
        floor: f64::NEG_INFINITY,
    };
    let n = parties.len();
    let rational: Vec<f64> = reservation_values.iter().map(|d| d - EQUAL_EPS).collect();
    let unbounded = vec![f64::NEG_INFINITY; n];

    let utilitarian = solver.solve(
        &Goal::Linear {
            weights: vec![1.0; n],
            lower: unbounded,
        },
        &[],
    )?;
    let mut seeds: Vec<Vec<usize>> = utilitarian.iter().cloned().collect();
    let mut ideal = Vec::with_capacity(n);
    for p in 0..n {
        let mut weights = vec![0.0; n];
        weights[p] = 1.0;
        let goal = Goal::Linear {
            weights,
            lower: rational.clone(),
        };
        match solver.solve(&goal, &seeds)? {
            Some(best) => {
                ideal.push(model.utilities(&best)[p]);
                seeds.push(best);
            }
            None => break,
        }
    }
    let mut bargaining = BargainingPoints {
        ideal_point: None,
        nash: None,
        kalai_smorodinsky: None,
        egalitarian: None,
        utilitarian: utilitarian.map(|best| model.point(case, parties, &best, |u| u.iter().sum())),
    };
    if ideal.len() < n {
        // Not even one package gives every party its reservation value.
        return Ok(SolvedBargaining {
            bargaining,
            favourites: Vec::new(),
            nodes: solver.nodes,
        });
    }
    let mut favourites = Vec::with_capacity(n);
    for p in 0..n {
        let mut lower = rational.clone();
        lower[p] = ideal[p];
        let goal = Goal::Linear {
            weights: vec![1.0; n],
            lower,
        };
        if let Some(best) = solver.solve(&goal, &seeds)? {
            let package = model.package(case, &best);
            favourites.push(crate::FrontierPoint {
                utilities: case.utilities(parties, &package),
                package,
                n_packages: 1,
            });
        }
    }

    // The Nash package is cheap to prove and close to the max-min ones: solved first, it
    // seeds them.
    let nash = solver.solve(
        &Goal::Nash {
            disagreement: reservation_values.clone(),
        },
        &seeds,
    )?;
    seeds.extend(nash.iter().cloned());
    let span: Vec<f64> = ideal
        .iter()
        .zip(&reservation_values)
        .map(|(i, d)| {
            if i - d > EQUAL_EPS {
                1.0 / (i - d)
            } else {
                0.0
            }
        })
        .collect();
    // The two max-min packages take nearly all the work: they are searched side by side,
    // each from the same seeds (so the answer does not depend on the number of threads).
    let max_min = |solver: &mut Solver<'_>, scale: &[f64]| {
        solver
            .solve(
                &Goal::MaxMin {
                    scale: scale.to_vec(),
                    disagreement: reservation_values.clone(),
                    lower: rational.clone(),
                },
                &seeds,
            )?
            .map(|best| solver.lift(&best))
            .transpose()
    };
    let equal = vec![1.0; n];
    let (egalitarian, kalai_smorodinsky) = if span.iter().any(|s| *s > 0.0) {
        let (egalitarian, kalai_smorodinsky) =
            solver.side_by_side(|s| max_min(s, &equal), |s| max_min(s, &span))?;
        (egalitarian?, kalai_smorodinsky?)
    } else {
        // No party can gain: every rational package is as good, as over the frontier.
        let egalitarian = max_min(&mut solver, &equal)?;
        (egalitarian.clone(), egalitarian)
    };

    let gains = |u: &[f64]| -> Vec<f64> {
        u.iter()
            .zip(&reservation_values)
            .map(|(u, d)| u - d)
            .collect()
    };
    bargaining.ideal_point = Some(ideal);
    bargaining.egalitarian = egalitarian.map(|best| {
        model.point(case, parties, &best, |u| {
            gains(u).into_iter().fold(f64::INFINITY, f64::min)
        })
    });
    bargaining.kalai_smorodinsky = kalai_smorodinsky.map(|best| {
        model.point(case, parties, &best, |u| {
            let relative = gains(u)
                .iter()
                .zip(&span)
                .filter(|(_, s)| **s > 0.0)
                .map(|(g, s)| g * s)
                .fold(f64::INFINITY, f64::min);
            if relative.is_finite() { relative } else { 0.0 }
        })
    });
    bargaining.nash =
        nash.map(|best| model.point(case, parties, &best, |u| gains(u).into_iter().product()));
    Ok(SolvedBargaining {
        bargaining,
        favourites,
        nodes: solver.nodes,
    })
}

/// The frontier of two parties among the packages every other analysed party accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct PairFrontier {
    /// The two parties, as positions in the analysed parties.
    pub pair: (usize, usize),
    /// Its vectors in increasing utility of the first party (and decreasing of the
    /// second), each a real package's, with the utilities of every analysed party.
    pub frontier: Vec<crate::FrontierPoint>,
    /// 0 when the frontier is exact; else every package the others accept has a returned
    /// vector at most this much worse for the first party and no worse for the second.
    pub error_bound: f64,
}

/// [`pair_frontier`] of each of `pairs`, in order, the pairs searched on every core.
#[must_use]
pub fn pair_frontiers(
    case: &Case,
    parties: &[PartyIdx],
    pairs: &[(usize, usize)],
    max_vectors: usize,
    limit: SolveLimit,
) -> Vec<Result<PairFrontier, NotSolvable>> {
    crate::interrupt::map_all(pairs, |&pair| {
        pair_frontier(case, parties, pair, max_vectors, limit)
    })
}

/// The frontier of parties `pair` (positions in `parties`) over the packages that clear
/// every red line and give every other party in `parties` its reservation value, by the
/// ε-constraint method over the same search as [`solve_bargaining`]: the package best for
/// the second party among those giving the first at least a level, then the best for the
/// first among those as good for the second, and the level raised past it. With
/// `max_vectors` reached the level is raised by `step` of the first party's range and
/// the frontier is approximate within that (reported in `error_bound`). A `pair` that is
/// not two different analysed parties has an empty frontier.
pub fn pair_frontier(
    case: &Case,
    parties: &[PartyIdx],
    pair: (usize, usize),
    max_vectors: usize,
    limit: SolveLimit,
) -> Result<PairFrontier, NotSolvable> {
    let (first, second) = pair;
    let n = parties.len();
    let mut found = PairFrontier {
        pair,
        frontier: Vec::new(),
        error_bound: 0.0,
    };
    if first == second || first >= n || second >= n {
        // Not a pair of the analysed parties: nothing to plot.
        return Ok(found);
    }
    let Some(model) = Model::new(case, parties, limit)? else {
        return Ok(found);
    };
    let mut solver = Solver {
        model: &model,
        nodes: 0,
        max_nodes: limit.max_nodes,
        heuristics: true,
        gap: SOLVE_TOLERANCE,
        slack: 0.0,
        floor: f64::NEG_INFINITY,
    };
    let mut lower: Vec<f64> = parties
        .iter()
        .map(|&p| case.position(p).map_or(0.0, |pos| pos.reservation_value) - EQUAL_EPS)
        .collect();
    lower[first] = f64::NEG_INFINITY;
    lower[second] = f64::NEG_INFINITY;
    let unit = |p: usize| -> Vec<f64> { (0..n).map(|q| if q == p { 1.0 } else { 0.0 }).collect() };
    // The first party's range over these packages sets the step of an approximation.
    let Some(low_end) = solver.solve(
        &Goal::Linear {
            weights: unit(second),
            lower: lower.clone(),
        },
        &[],
    )?
    else {
        return Ok(found);
    };
    let Some(high_end) = solver.solve(
        &Goal::Linear {
            weights: unit(first),
            lower: lower.clone(),
        },
        std::slice::from_ref(&low_end),
    )?
    else {
        return Ok(found);
    };
    // No package gives the first party more than the high end (within the search's
    // gap): past it the frontier has ended, and no search needs to prove so.
    let top = model.utilities(&high_end)[first];
    let range = top - model.utilities(&low_end)[first];
    let step = (range / max_vectors.max(1) as f64).max(0.0);
    let mut seeds = vec![low_end, high_end];
    let mut level = f64::NEG_INFINITY;
    while level <= top + SOLVE_TOLERANCE {
        let mut bounded = lower.clone();
        bounded[first] = level;
        let Some(best_second) = solver.solve(
            &Goal::Linear {
                weights: unit(second),
                lower: bounded.clone(),
            },
            &seeds,
        )?
        else {
            break;
        };
        bounded[second] = model.utilities(&best_second)[second] - EQUAL_EPS;
        let chosen = solver
            .solve(
                &Goal::Linear {
                    weights: unit(first),
                    lower: bounded,
                },
                std::slice::from_ref(&best_second),
            )?
            .unwrap_or(best_second);
        let u = model.utilities(&chosen);
        let package = model.package(case, &chosen);
        let utilities = case.utilities(parties, &package);
        let next = if found.frontier.len() + 1 >= max_vectors {
            found.error_bound = found.error_bound.max(step);
            u[first] + step.max(1e-9)
        } else {
            u[first] + 1e-9
        };
        found.frontier.push(crate::FrontierPoint {
            utilities,
            package,
            n_packages: 1,
        });
        seeds.push(chosen);
        if u[first] >= 1.0 {
            break;
        }
        level = next;
    }
    Ok(found)
}

/// Whether some package clears every red line of `parties` and gives each party at
/// least `lower[p]` (`-inf` for none), by the same search as [`solve_bargaining`].
pub(crate) fn acceptable(
    case: &Case,
    parties: &[PartyIdx],
    lower: &[f64],
    limit: SolveLimit,
) -> Result<bool, NotSolvable> {
    let Some(model) = Model::new(case, parties, limit)? else {
        return Ok(false);
    };
    let mut solver = Solver {
        model: &model,
        nodes: 0,
        max_nodes: limit.max_nodes,
        heuristics: true,
        gap: SOLVE_TOLERANCE,
        slack: 0.0,
        floor: f64::NEG_INFINITY,
    };
    let goal = Goal::Linear {
        weights: vec![0.0; parties.len()],
        lower: lower.to_vec(),
    };
    Ok(solver.solve(&goal, &[])?.is_some())
}
