//! The exact analysis of a case: feasibility, the Pareto frontier and the bargaining
//! packages, for a chosen set of parties.
//!
//! [`analyze`] combines [`crate::pareto_frontier`] (how the frontier is found) with
//! [`crate::bargaining_points`] (what is computed from it), so another frontier method can
//! replace the first without touching the second.
//!
//! ```
//! use accord_core::{analyze, Case, Point, PointKind, Party, Role, Position,
//!     AdditiveUtility, Evaluator, EnumerationLimit};
//!
//! let points = vec![Point::new("a", PointKind::options(["x", "y", "z"]))];
//! let position = |scores: Vec<f64>| Position::new(
//!     AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(scores)]).into());
//! let parties = vec![
//!     Party::new("p", "P", Role::Party).with_position(position(vec![1.0, 0.6, 0.0])),
//!     Party::new("q", "Q", Role::Party).with_position(position(vec![0.0, 0.6, 1.0])),
//! ];
//! let case = Case::new("t", points, parties).unwrap();
//! let analysis = analyze(&case, &case.negotiating_parties(), EnumerationLimit::default());
//! let exact = analysis.result.unwrap();
//! assert_eq!(exact.bargaining.nash.unwrap().utilities, vec![0.6, 0.6]);
//! ```

pub(crate) mod bargaining;
pub(crate) mod frontier;
pub(crate) mod merge;
pub(crate) mod skyline;
pub(crate) mod solve;

use crate::analysis::bargaining::{BargainingPoints, bargaining_points};
use crate::analysis::frontier::{EnumerationLimit, FrontierScan, NotEnumerable, pareto_frontier};
use crate::analysis::merge::{MergeLimit, NotMergeable, merged_frontier};
use crate::analysis::solve::{
    NotSolvable, SolveLimit, SolvedBargaining, epsilon_pareto_set, rectangle_frontier,
    solve_bargaining,
};
use crate::model::{Case, PartyIdx};
use crate::position::UtilityFunction;

/// What [`analyze`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The parties analysed, in the order of every utility vector.
    pub parties: Vec<PartyIdx>,
    /// Each party's reservation value: the disagreement point.
    pub reservation_values: Vec<f64>,
    /// The frontier and bargaining packages, or why they could not be found exactly.
    pub result: Result<ExactAnalysis, NotEnumerable>,
    /// Where the frontier is approximate or missing and every analysed utility is
    /// additive: the exact bargaining packages found without it
    /// ([`crate::solve_bargaining`]), or why the search gave up. An approximate frontier's
    /// `bargaining` is then replaced by these. `None` where the frontier is exact.
    pub solved: Option<Result<SolvedBargaining, NotSolvable>>,
}

impl Analysis {
    /// The bargaining packages to report: the exact frontier's, else those proven by
    /// search, else an approximate frontier's; `None` when there is neither.
    #[must_use]
    pub fn bargaining(&self) -> Option<&BargainingPoints> {
        match (&self.result, &self.solved) {
            (_, Some(Ok(solved))) => Some(&solved.bargaining),
            (Ok(exact), _) => Some(&exact.bargaining),
            (Err(_), _) => None,
        }
    }

    /// Whether [`Analysis::bargaining`] is exact: from an exact frontier, or proven by
    /// search.
    #[must_use]
    pub fn bargaining_is_exact(&self) -> bool {
        match (&self.result, &self.solved) {
            (_, Some(Ok(_))) => true,
            (Ok(exact), _) => exact.scan.error_bound == 0.0,
            (Err(_), _) => false,
        }
    }
}

/// How an exact frontier was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontierMethod {
    /// Every package visited ([`crate::pareto_frontier`]); every count is known.
    Enumeration,
    /// Per-point frontiers merged ([`crate::merged_frontier`]), for additive cases too
    /// large to enumerate; the feasible packages are not counted.
    Merge,
    /// Traced by search, one vector at a time ([`crate::rectangle_frontier`]), for two
    /// hyper-rectangle positions too large to enumerate; no package is counted.
    Search,
}

/// The exact answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactAnalysis {
    /// How the frontier was found.
    pub method: FrontierMethod,
    /// The frontier and the counts found while enumerating.
    pub scan: FrontierScan,
    /// The bargaining packages over that frontier.
    pub bargaining: BargainingPoints,
}

/// How [`analyze_with`] may find the frontier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalysisOptions {
    /// Enumerate every package up to this many.
    pub enumeration: EnumerationLimit,
    /// Bounds on merging per-point frontiers.
    pub merge: MergeLimit,
    /// Ask for an approximate frontier within this bound (additive cases), even where an
    /// exact one could be found.
    pub epsilon: Option<f64>,
    /// The bound first tried when an additive case's exact frontier is too large to merge
    /// (at least 0.05 for four parties or more); below five parties coarser bounds follow
    /// (2.5 times each, up to 0.1) while the frontier keeps more than 25,000 vectors of one
    /// key after some point ([`crate::merged_frontier`]). The bound reached is `scan.error_bound`.
    pub fallback_epsilon: Option<f64>,
    /// Enumerate (within the limit) even an additive case that merging would answer
    /// faster, to count the packages that meet every reservation value
    /// (`FrontierScan::n_feasible`), which merging does not.
    pub count_feasible: bool,
    /// Bounds on the search for exact bargaining packages where the frontier is not
    /// exact ([`crate::solve_bargaining`]); `None` skips it.
    pub solve: Option<SolveLimit>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            enumeration: EnumerationLimit::default(),
            merge: MergeLimit::default(),
            epsilon: None,
            fallback_epsilon: Some(0.01),
            count_feasible: false,
            solve: Some(SolveLimit::default()),
        }
    }
}

impl AnalysisOptions {
    /// These options insisting on the exact frontier: no approximation as a fallback, and
    /// merging may keep up to 20,000,000 partial frontier vectors and do 100 times its
    /// usual work before it gives way (`accord analyze --exact`).
    #[must_use]
    pub fn exact(self) -> Self {
        Self {
            fallback_epsilon: None,
            merge: MergeLimit {
                max_vectors: 20_000_000,
                max_comparisons: MergeLimit::default().max_comparisons.saturating_mul(100),
                ..self.merge
            },
            ..self
        }
    }
}

/// Analyses `case` for `parties` with the default options and an enumeration limit.
/// See [`analyze_with`].
#[must_use]
pub fn analyze(case: &Case, parties: &[PartyIdx], limit: EnumerationLimit) -> Analysis {
    let options = AnalysisOptions {
        enumeration: limit,
        ..AnalysisOptions::default()
    };
    analyze_with(case, parties, &options)
}

/// Analyses `case` for `parties`: counts, frontier and bargaining packages. Never fails.
/// A case whose utilities are all additive gets the exact frontier by merging per-point
/// frontiers (unless it is small, or `count_feasible` asks for enumeration); a case
/// within the enumeration limit is enumerated; an additive case too large for both gets
/// an approximate frontier within `fallback_epsilon` (with its proven bound in
/// `scan.error_bound`); anything else gets `Err(NotEnumerable)` in `result`.
#[must_use]
pub fn analyze_with(case: &Case, parties: &[PartyIdx], options: &AnalysisOptions) -> Analysis {
    analysis_from(
        case,
        parties,
        find_frontier(case, parties, options),
        options.solve,
    )
}

/// What a frontier found for `case` gives: the bargaining packages over it.
pub(crate) fn analysis_from(
    case: &Case,
    parties: &[PartyIdx],
    found: Result<(FrontierMethod, FrontierScan), NotEnumerable>,
    solve: Option<SolveLimit>,
) -> Analysis {
    let reservation_values: Vec<f64> = parties
        .iter()
        .map(|&p| case.position(p).map_or(0.0, |pos| pos.reservation_value))
        .collect();
    let mut result = found.map(|(method, mut scan)| {
        // An empty frontier is exact whatever the method: thinning keeps a package of
        // every cell it merges, so it empties a frontier only when nothing clears the red
        // lines.
        if scan.frontier.is_empty() {
            scan.error_bound = 0.0;
        }
        let bargaining = bargaining_points(&scan.frontier, &reservation_values);
        ExactAnalysis {
            method,
            scan,
            bargaining,
        }
    });
    let frontier_is_exact = matches!(&result, Ok(exact) if exact.scan.error_bound == 0.0);
    let additive = parties.iter().all(|&p| {
        case.position(p)
            .is_none_or(|pos| matches!(pos.utility, UtilityFunction::Additive(_)))
    });
    let solved = solve
        .filter(|_| !frontier_is_exact && additive)
        .map(|limit| solve_bargaining(case, parties, limit));
    if let (Ok(exact), Some(Ok(found))) = (&mut result, &solved) {
        // Proven packages replace the best of an approximate frontier.
        exact.bargaining = found.bargaining.clone();
    }
    Analysis {
        parties: parties.to_vec(),
        reservation_values,
        result,
        solved,
    }
}

/// From this many parties merging gives way early to the search for bargaining packages.
pub(crate) const MANY_PARTIES: usize = 5;

/// The most vectors a fallback approximate frontier may keep after any point: beyond, its
/// grid is made coarser (up to [`FALLBACK_COARSEST`]), so that the answer and everything
/// computed over it come in about a second.
const FALLBACK_VECTORS: usize = 25_000;
/// The coarsest grid a fallback approximate frontier is tried with.
const FALLBACK_COARSEST: f64 = 0.1;
/// The finest grid a fallback approximate frontier of four parties or more is tried with.
const FOUR_PARTY_EPSILON: f64 = 0.05;

/// The bounds tried in turn for the certified ε-Pareto set of many parties, coarsest
/// first ([`certified_cover`]).
const COVER_LADDER: [f64; 14] = [
    0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.075, 0.05, 0.035, 0.025, 0.02, 0.015, 0.01,
];
/// The most vectors a default ε-Pareto set is refined towards: a finer bound is tried only
/// while the set it would give (growing like `(1/ε)^(parties - 1)`) stays below this, so
/// that it comes in about a second.
const COVER_VECTORS: f64 = 15_000.0;

/// A certified ε-Pareto set of many parties ([`epsilon_pareto_set`]): at `explicit` when
/// the user asked for a bound, otherwise the finest bound of [`COVER_LADDER`] down to
/// `finest` whose set stays near [`COVER_VECTORS`] vectors and within the search's limits.
fn certified_cover(
    case: &Case,
    parties: &[PartyIdx],
    finest: f64,
    explicit: Option<f64>,
    limit: SolveLimit,
) -> Result<FrontierScan, NotSolvable> {
    if let Some(epsilon) = explicit {
        return epsilon_pareto_set(case, parties, epsilon, limit).map(|(scan, _)| scan);
    }
    let dims = parties.len().saturating_sub(1) as i32;
    let mut best: Option<FrontierScan> = None;
    let ladder = COVER_LADDER
        .iter()
        .copied()
        .filter(|&e| e >= finest - 1e-12);
    for epsilon in ladder
        .chain(std::iter::once(finest))
        .take_while(|&e| e >= finest - 1e-12)
    {
        if let Some(scan) = &best {
            let grows = (scan.error_bound / epsilon).powi(dims);
            if epsilon >= scan.error_bound || scan.frontier.len() as f64 * grows > COVER_VECTORS {
                break;
            }
        }
        match (epsilon_pareto_set(case, parties, epsilon, limit), &best) {
            (Ok((scan, _)), _) => best = Some(scan),
            (Err(_), Some(_)) => break,
            (Err(why), None) => return Err(why),
        }
    }
    best.ok_or(NotSolvable::Unsupported {
        reason: "no bound to try".to_owned(),
    })
}

/// Below this many packages enumeration is as fast as merging, and counts more.
const MERGE_FROM: u128 = 1 << 10;

/// The frontier by the fastest method that answers (see [`analyze_with`]).
pub(crate) fn find_frontier(
    case: &Case,
    parties: &[PartyIdx],
    options: &AnalysisOptions,
) -> Result<(FrontierMethod, FrontierScan), NotEnumerable> {
    let merge = |limit: MergeLimit| {
        merged_frontier(case, parties, limit).map(|scan| (FrontierMethod::Merge, scan))
    };
    // With five parties or more a large case's frontier rarely fits, and the search finds
    // the bargaining packages without it: merging gets a tenth of its work before it
    // gives way.
    let options = &AnalysisOptions {
        merge: MergeLimit {
            max_comparisons: if parties.len() >= MANY_PARTIES && options.solve.is_some() {
                options.merge.max_comparisons / 10
            } else {
                options.merge.max_comparisons
            },
            ..options.merge
        },
        ..*options
    };
    if let Some(epsilon) = options.epsilon {
        let limit = MergeLimit {
            epsilon: Some(epsilon),
            ..options.merge
        };
        // An approximation that cannot be had (e.g. non-additive) leaves the exact way.
        if let Ok(found) = merge(limit) {
            return Ok(found);
        }
    }
    let mut refusal = None;
    if !options.count_feasible && case.n_packages().is_none_or(|n| n >= MERGE_FROM) {
        // Where enumeration could answer, merging may spend no more than enumerating would.
        let enumerable = case.n_packages().filter(|&n| n <= options.enumeration.0);
        let budget = enumerable.map_or(options.merge.max_comparisons, |n| {
            options
                .merge
                .max_comparisons
                .min(u64::try_from(n).unwrap_or(u64::MAX))
        });
        match merge(MergeLimit {
            max_comparisons: budget,
            ..options.merge
        }) {
            Ok(found) => return Ok(found),
            Err(why) => refusal = Some(why),
        }
    }
    match pareto_frontier(case, parties, options.enumeration) {
        Ok(scan) => Ok((FrontierMethod::Enumeration, scan)),
        Err(NotEnumerable::TooLarge {
            log10_n_packages,
            limit,
            ..
        }) => {
            let constraint = parties.iter().all(|&p| {
                case.position(p)
                    .is_some_and(|pos| matches!(pos.utility, UtilityFunction::Constraint(_)))
            });
            let search = match options.solve.filter(|_| constraint) {
                Some(solve) => match rectangle_frontier(case, parties, solve) {
                    Ok((scan, _)) => return Ok((FrontierMethod::Search, scan)),
                    Err(why) => Some(why),
                },
                None => None,
            };
            let exact = match refusal {
                Some(why) => Err(why),
                None => merge(options.merge),
            };
            let found = match (exact, options.fallback_epsilon) {
                (Err(why), Some(epsilon)) if why.approximation_may_help() => {
                    // Many parties: a certified ε-Pareto set by search, where it takes the
                    // case; merging on a grid otherwise.
                    if parties.len() >= MANY_PARTIES
                        && let Some(solve) = options.solve
                        && let Ok(scan) =
                            certified_cover(case, parties, epsilon, options.epsilon, solve)
                    {
                        return Ok((FrontierMethod::Search, scan));
                    }
                    // A fallback, not a request: after a costly refusal give it a fifth of
                    // the work, so that a case too hard for both is refused quickly.
                    let max_comparisons = match why {
                        NotMergeable::PointTooLarge { .. } => options.merge.max_comparisons,
                        _ => options.merge.max_comparisons / 5,
                    };
                    // The finest bound whose frontier stays small enough to answer in about
                    // a second, everything downstream included: coarser grids in turn.
                    // A grid of 0.01 in four dimensions rarely fits: four parties start at
                    // 0.05; from five on, one attempt (the search gives the packages).
                    let mut epsilon = if parties.len() >= 4 {
                        epsilon.max(FOUR_PARTY_EPSILON)
                    } else {
                        epsilon
                    };
                    loop {
                        let found = merge(MergeLimit {
                            epsilon: Some(epsilon),
                            max_comparisons,
                            max_vectors: options.merge.max_vectors.min(FALLBACK_VECTORS),
                            ..options.merge
                        });
                        match found {
                            Err(
                                NotMergeable::FrontierTooLarge { .. }
                                | NotMergeable::TooMuchWork { .. },
                            ) if epsilon < FALLBACK_COARSEST && parties.len() < MANY_PARTIES => {
                                epsilon = (epsilon * 2.5).min(FALLBACK_COARSEST);
                            }
                            other => break other,
                        }
                    }
                }
                (other, _) => other,
            };
            found.map_err(|why| NotEnumerable::TooLarge {
                log10_n_packages,
                limit,
                merge: Some(why),
                search,
            })
        }
        Err(other) => Err(other),
    }
}
