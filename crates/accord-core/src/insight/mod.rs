//! Everything a mediator asks of a case, in one call: the analysis (frontier and
//! bargaining packages), the consensus per point, why there is no agreement when there is
//! none, how the draft on the table fares and which trades improve it, how robust the
//! recommendation is, and how fair each bargaining package is.
//!
//! When nothing is acceptable to every party, [`insight`] diagnoses why and then analyses
//! the case once more with the first (smallest) relaxation applied, so the mediator sees
//! what agreement would look like if those constraints gave way.
//!
//! This is a mediator's view: it holds every party's utilities and red lines.
//!
//! ```
//! use accord_core::{insight, AdditiveUtility, Case, Choice, Evaluator, InsightOptions,
//!     OptionIdx, Package, Party, Point, PointKind, Position, Role};
//!
//! let points = vec![
//!     Point::new("wage", PointKind::options(["low", "high"])),
//!     Point::new("hours", PointKind::options(["35", "40"])),
//! ];
//! let position = |weights: Vec<f64>, wage: Vec<f64>, hours: Vec<f64>| Position::new(
//!     AdditiveUtility::new(weights, vec![Evaluator::Options(wage), Evaluator::Options(hours)])
//!         .into());
//! let case = Case::new("labour", points, vec![
//!     Party::new("union", "Union", Role::Party)
//!         .with_position(position(vec![0.7, 0.3], vec![0.0, 1.0], vec![1.0, 0.0])),
//!     Party::new("employer", "Employer", Role::Party)
//!         .with_position(position(vec![0.3, 0.7], vec![1.0, 0.0], vec![0.0, 1.0])),
//! ]).unwrap();
//! // The draft gives each side the point it cares less about: (low wage, 35 hours).
//! let draft = Package(vec![Choice::Option(OptionIdx(0)), Choice::Option(OptionIdx(0))]);
//! let case = case.with_draft(draft).unwrap();
//! let seen = insight(&case, &case.negotiating_parties(), &InsightOptions::default());
//! // Swapping both points gives each side what it cares more about: a trade.
//! let draft = seen.draft.unwrap();
//! assert_eq!(draft.trades.improvements[0].changes.len(), 2);
//! assert!(seen.sensitivity.is_some());
//! ```

pub(crate) mod consensus;
pub(crate) mod diagnosis;
pub(crate) mod fairness;
pub(crate) mod sensitivity;
pub(crate) mod trades;

use crate::analysis::bargaining::BargainingPoints;
use crate::analysis::frontier::{EQUAL_EPS, FrontierPoint};
use crate::analysis::{Analysis, AnalysisOptions, analysis_from, analyze_with};
use crate::insight::consensus::{PointConsensus, point_consensus};
use crate::insight::diagnosis::{Constraint, Diagnosis, DiagnosisLimit, diagnose_keeping, relaxed};
use crate::insight::fairness::{Fairness, fairness};
use crate::insight::sensitivity::{Sensitivity, sensitivity};
use crate::insight::trades::{TradeLimit, Trades, trades};
use crate::model::{Case, Package, PartyIdx};

/// How far [`insight`] searches.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct InsightOptions {
    /// How the frontier is found.
    pub analysis: AnalysisOptions,
    /// How far the infeasibility diagnosis searches.
    pub diagnosis: DiagnosisLimit,
    /// How far the search for trades on the draft goes.
    pub trades: TradeLimit,
}

/// The four bargaining solutions, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solution {
    /// Nash (1950).
    Nash,
    /// Kalai–Smorodinsky (1975).
    KalaiSmorodinsky,
    /// Egalitarian (max-min gain).
    Egalitarian,
    /// Utilitarian (max welfare).
    Utilitarian,
}

impl Solution {
    /// The four, in the order reports list them.
    pub const ALL: [Solution; 4] = [
        Solution::Nash,
        Solution::KalaiSmorodinsky,
        Solution::Egalitarian,
        Solution::Utilitarian,
    ];

    /// The name used in reports and JSON keys.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Solution::Nash => "nash",
            Solution::KalaiSmorodinsky => "kalai_smorodinsky",
            Solution::Egalitarian => "egalitarian",
            Solution::Utilitarian => "utilitarian",
        }
    }

    /// The name in words.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Solution::Nash => "Nash",
            Solution::KalaiSmorodinsky => "Kalai–Smorodinsky",
            Solution::Egalitarian => "Egalitarian",
            Solution::Utilitarian => "Utilitarian",
        }
    }
}

/// How the draft on the table fares.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftInsight {
    /// The draft.
    pub package: Package,
    /// Each party's utility for it.
    pub utilities: Vec<f64>,
    /// For each party, the indices of its red lines the draft crosses.
    pub crossed: Vec<Vec<usize>>,
    /// For each party, whether it can accept the draft: no red line crossed and at least
    /// its reservation value.
    pub accepts: Vec<bool>,
    /// How evenly it shares the gains; `None` without a frontier to judge against.
    pub fairness: Option<Fairness>,
    /// The Pareto improvements and logrolls reachable from it.
    pub trades: Trades,
}

/// The analysis of a relaxed case.
#[derive(Debug, Clone, PartialEq)]
pub struct Relaxed {
    /// The constraints dropped (the first minimal relaxation of the diagnosis).
    pub relaxation: Vec<Constraint>,
    /// The case with them dropped.
    pub case: Case,
    /// Its insight.
    pub insight: Box<Insight>,
}

/// What [`insight`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Insight {
    /// Frontier and bargaining packages.
    pub analysis: Analysis,
    /// Consensus and conflict on every point of options.
    pub consensus: Vec<PointConsensus>,
    /// Why nothing is acceptable to every party; `None` when something is, or when
    /// neither the frontier nor the search for packages could tell.
    pub diagnosis: Option<Diagnosis>,
    /// The case analysed again with the diagnosis's first relaxation applied.
    pub relaxed: Option<Relaxed>,
    /// The draft's standing and trades, when the case has a draft.
    pub draft: Option<DraftInsight>,
    /// How far weights can move before the Nash package changes; `None` without one.
    pub sensitivity: Option<Sensitivity>,
    /// The fairness of each bargaining package that exists.
    pub fairness: Vec<(Solution, Fairness)>,
}

impl Insight {
    /// Whether some package is acceptable to every party (`None`: not known, because
    /// neither the frontier nor the bargaining packages could be found).
    #[must_use]
    pub fn feasible(&self) -> Option<bool> {
        self.analysis
            .bargaining()
            .map(|bargaining| bargaining.ideal_point.is_some())
    }
}

/// Everything [`Insight`] holds, for `parties` of `case` (its draft from
/// [`Case::draft`]).
#[must_use]
pub fn insight(case: &Case, parties: &[PartyIdx], options: &InsightOptions) -> Insight {
    insight_once(case, parties, options, true)
}

fn insight_once(
    case: &Case,
    parties: &[PartyIdx],
    options: &InsightOptions,
    may_relax: bool,
) -> Insight {
    let analysis = analyze_with(case, parties, &options.analysis);
    insight_of(case, parties, options, may_relax, analysis)
}

fn insight_of(
    case: &Case,
    parties: &[PartyIdx],
    options: &InsightOptions,
    may_relax: bool,
    analysis: Analysis,
) -> Insight {
    let consensus = point_consensus(case, parties);
    let (diagnosis, first_frontier) = match &analysis.result {
        Ok(exact) if exact.bargaining.ideal_point.is_none() => diagnose_keeping(
            case,
            parties,
            &options.analysis,
            options.diagnosis,
            Some(&exact.scan),
        ),
        // No frontier, but the search proved that nothing is acceptable to every party.
        Err(_)
            if analysis
                .bargaining()
                .is_some_and(|b| b.ideal_point.is_none()) =>
        {
            diagnose_keeping(case, parties, &options.analysis, options.diagnosis, None)
        }
        _ => (None, None),
    };
    let relaxed_insight = diagnosis
        .as_ref()
        .and_then(|d| d.relaxations.first())
        .filter(|_| may_relax)
        .map(|relaxation| {
            let case = relaxed(case, relaxation);
            // The diagnosis found this frontier already (reservation values do not
            // change a frontier, only the bargaining packages over it), but counted the
            // packages meeting the reservation values before any was waived: with one
            // waived, a counted frontier is found again.
            let waives = relaxation
                .iter()
                .any(|c| matches!(c, Constraint::Reservation { .. }));
            let reusable = first_frontier.filter(|f| !(waives && f.1.n_feasible.is_some()));
            let insight = match reusable {
                Some(found) => {
                    let analysis = analysis_from(&case, parties, Ok(found), options.analysis.solve);
                    insight_of(&case, parties, options, false, analysis)
                }
                None => insight_once(&case, parties, options, false),
            };
            Relaxed {
                relaxation: relaxation.clone(),
                case,
                insight: Box::new(insight),
            }
        });
    let exact = analysis.result.as_ref().ok();
    // Without a frontier, the packages the search proved optimal stand in for it where
    // fairness is judged: each party's favourite compromise and the bargaining packages.
    let found: Option<Vec<FrontierPoint>> = match (&analysis.result, &analysis.solved) {
        (Err(_), Some(Ok(solved))) => Some(
            solved
                .favourites
                .iter()
                .cloned()
                .chain(bargaining_vectors(&solved.bargaining))
                .collect(),
        ),
        _ => None,
    };
    let frontier = exact
        .map(|e| e.scan.frontier.as_slice())
        .or(found.as_deref());
    let draft = case.draft().map(|package| {
        let utilities = case.utilities(parties, package);
        let crossed: Vec<Vec<usize>> = parties
            .iter()
            .map(|&p| {
                case.position(p).map_or_else(Vec::new, |position| {
                    position
                        .red_lines
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.is_crossed_by(package))
                        .map(|(k, _)| k)
                        .collect()
                })
            })
            .collect();
        let accepts = crossed
            .iter()
            .zip(&utilities)
            .zip(&analysis.reservation_values)
            .map(|((c, u), d)| c.is_empty() && *u >= d - EQUAL_EPS)
            .collect();
        DraftInsight {
            package: package.clone(),
            fairness: frontier
                .map(|f| fairness(parties, &utilities, &analysis.reservation_values, f)),
            utilities,
            crossed,
            accepts,
            trades: trades(case, parties, package, options.trades),
        }
    });
    let sensitivity = exact.and_then(|e| {
        e.bargaining
            .nash
            .as_ref()
            .map(|nash| sensitivity(case, parties, &e.scan.frontier, nash))
    });
    let fairness_of = analysis
        .bargaining()
        .zip(frontier)
        .map_or_else(Vec::new, |(b, frontier)| {
            Solution::ALL
                .iter()
                .zip([
                    &b.nash,
                    &b.kalai_smorodinsky,
                    &b.egalitarian,
                    &b.utilitarian,
                ])
                .filter_map(|(&solution, point)| {
                    point.as_ref().map(|point| {
                        (
                            solution,
                            fairness(
                                parties,
                                &point.utilities,
                                &analysis.reservation_values,
                                frontier,
                            ),
                        )
                    })
                })
                .collect()
        });
    Insight {
        analysis,
        consensus,
        diagnosis,
        relaxed: relaxed_insight,
        draft,
        sensitivity,
        fairness: fairness_of,
    }
}

/// The bargaining packages as frontier vectors.
fn bargaining_vectors(b: &BargainingPoints) -> impl Iterator<Item = FrontierPoint> + '_ {
    [
        &b.nash,
        &b.kalai_smorodinsky,
        &b.egalitarian,
        &b.utilitarian,
    ]
    .into_iter()
    .flatten()
    .map(|p| FrontierPoint {
        utilities: p.utilities.clone(),
        package: p.package.clone(),
        n_packages: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OptionIdx, Party, Point, PointIdx, PointKind, Role};
    use crate::position::{AdditiveUtility, Evaluator, Position, RedLine};

    /// East forbids `south`, west forbids `north`: nothing is acceptable. Either red line
    /// alone is a minimal relaxation; east's comes first.
    fn deadlock() -> Case {
        let points = vec![
            Point::new("border", PointKind::options(["north", "south"])),
            Point::new("trade", PointKind::options(["open", "closed"])),
        ];
        let side = |forbidden: usize, scores: Vec<f64>| {
            let mut p = Position::new(
                AdditiveUtility::new(
                    vec![0.5, 0.5],
                    vec![
                        Evaluator::Options(vec![0.5, 0.5]),
                        Evaluator::Options(scores),
                    ],
                )
                .into(),
            );
            p.red_lines.push(RedLine::forbid(
                &points[0],
                PointIdx(0),
                &[OptionIdx(forbidden)],
            ));
            p.reservation_value = 0.2;
            p
        };
        Case::new(
            "deadlock",
            points.clone(),
            vec![
                Party::new("east", "East", Role::Party).with_position(side(1, vec![1.0, 0.2])),
                Party::new("west", "West", Role::Party).with_position(side(0, vec![0.4, 1.0])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn the_relaxed_analysis_reuses_the_diagnosis_frontier_and_matches_a_fresh_one() {
        let case = deadlock();
        let parties = case.negotiating_parties();
        let seen = insight(&case, &parties, &InsightOptions::default());
        assert_eq!(seen.feasible(), Some(false));
        let relaxed_seen = seen.relaxed.expect("a relaxation exists");
        assert_eq!(
            relaxed_seen.relaxation,
            vec![Constraint::RedLine {
                party: PartyIdx(0),
                index: 0
            }]
        );
        let fresh = analyze_with(
            &relaxed(&case, &relaxed_seen.relaxation),
            &parties,
            &AnalysisOptions::default(),
        );
        assert_eq!(relaxed_seen.insight.analysis, fresh);
        assert_eq!(relaxed_seen.insight.feasible(), Some(true));
        // Only one level: the relaxed case is not relaxed again.
        assert!(relaxed_seen.insight.relaxed.is_none());
    }

    #[test]
    fn a_relaxation_that_waives_a_reservation_value_counts_the_packages_meeting_the_rest() {
        // A forbids both options (a red line) and B asks 0.9 of a utility that tops at 0.5:
        // the relaxation drops both, and then both packages meet every reservation value.
        let points = vec![Point::new("a", PointKind::options(["x", "y"]))];
        let mut a = Position::new(
            AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(vec![1.0, 0.0])]).into(),
        );
        a.red_lines.push(RedLine::forbid(
            &points[0],
            PointIdx(0),
            &[OptionIdx(0), OptionIdx(1)],
        ));
        let mut b = Position::new(
            AdditiveUtility::new(vec![0.5], vec![Evaluator::Options(vec![1.0, 1.0])]).into(),
        );
        b.reservation_value = 0.9;
        let case = Case::new(
            "waive",
            points,
            vec![
                Party::new("A", "A", Role::Party).with_position(a),
                Party::new("B", "B", Role::Party).with_position(b),
            ],
        )
        .unwrap();
        let parties = case.negotiating_parties();
        let seen = insight(&case, &parties, &InsightOptions::default());
        let relaxed_seen = seen.relaxed.expect("a relaxation exists");
        assert!(
            relaxed_seen
                .relaxation
                .contains(&Constraint::Reservation { party: PartyIdx(1) })
        );
        let fresh = analyze_with(
            &relaxed(&case, &relaxed_seen.relaxation),
            &parties,
            &AnalysisOptions::default(),
        );
        assert_eq!(relaxed_seen.insight.analysis, fresh);
        let scan = &fresh.result.as_ref().unwrap().scan;
        assert_eq!(scan.n_feasible, Some(2));
        assert_eq!(relaxed_seen.insight.feasible(), Some(true));
    }
}
