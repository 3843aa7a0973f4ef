//! accord's core: the case model, utilities, and exact analysis of multi-party,
//! multi-issue negotiations.
//!
//! - [`Case`] holds the [`Point`]s of an agreement and its [`Party`]s, each negotiating
//!   party with a confidential [`Position`] (utility function, red lines, reservation value,
//!   discount factor). [`Case::new`] validates everything; analysis then cannot fail.
//! - [`analyze`] finds the Pareto frontier ([`pareto_frontier`]) and the Nash,
//!   Kalai–Smorodinsky, egalitarian and utilitarian packages ([`bargaining_points`]).
//!
//! - [`elicit`] builds a party's position from answers a delegate can give (option
//!   ratings, swings, ratings of whole packages) instead of typed weights.
//!
//! The crate does no I/O, has no clock, no global random generator and no async runtime:
//! readers and writers live in `accord-formats`, the command line in `accord-cli`.
//!
//! ```
//! use accord_core::*;
//!
//! let points = vec![
//!     Point::new("wage", PointKind::options(["low", "mid", "high"])),
//!     Point::new("hours", PointKind::options(["35", "40"])),
//! ];
//! let union = Position::new(AdditiveUtility::new(
//!     vec![0.7, 0.3],
//!     vec![Evaluator::Options(vec![0.0, 0.6, 1.0]), Evaluator::Options(vec![1.0, 0.0])],
//! ).into());
//! let employer = Position::new(AdditiveUtility::new(
//!     vec![0.5, 0.5],
//!     vec![Evaluator::Options(vec![1.0, 0.7, 0.0]), Evaluator::Options(vec![0.0, 1.0])],
//! ).into());
//! let case = Case::new("labour", points, vec![
//!     Party::new("union", "Union", Role::Party).with_position(union),
//!     Party::new("employer", "Employer", Role::Party).with_position(employer),
//! ]).unwrap();
//! let analysis = analyze(&case, &case.negotiating_parties(), EnumerationLimit::default());
//! let exact = analysis.result.unwrap();
//! assert!(exact.scan.frontier.len() >= 2);
//! assert!(exact.bargaining.nash.is_some());
//! ```
#![warn(missing_docs)]

mod analysis;
pub mod elicit;
mod error;
mod insight;
mod interrupt;
mod model;
mod negotiation;
mod position;

pub use analysis::bargaining::{BargainingPoint, BargainingPoints, TIE_EPS, bargaining_points};
pub use analysis::frontier::{
    EQUAL_EPS, EnumerationLimit, FrontierPoint, FrontierScan, NotEnumerable, dominates,
    equal_utilities, pareto_frontier,
};
pub use analysis::merge::{MergeLimit, NotMergeable, merged_frontier};
pub use analysis::solve::{
    NotSolvable, PairFrontier, SOLVE_TOLERANCE, SolveLimit, SolvedBargaining, epsilon_pareto_set,
    pair_frontier, pair_frontiers, rectangle_frontier, rectangle_maximum, solve_bargaining,
};
pub use analysis::{
    Analysis, AnalysisOptions, ExactAnalysis, FrontierMethod, analyze, analyze_with,
};
pub use error::ModelError;
pub use insight::consensus::{OptionStance, PointConsensus, conflict_order, point_consensus};
pub use insight::diagnosis::{Constraint, Diagnosis, DiagnosisLimit, diagnose, relaxed};
pub use insight::fairness::{Fairness, PartyFairness, fairness, favourite_compromises};
pub use insight::sensitivity::{
    PartySensitivity, SENSITIVITY_ALL, Sensitivity, WeightRange, sensitivity,
};
pub use insight::trades::{Change, Logroll, Trade, TradeLimit, Trades, trades};
pub use insight::{DraftInsight, Insight, InsightOptions, Relaxed, Solution, insight};
pub use interrupt::Interrupt;
pub use model::{
    Case, Choice, Delegate, ModelErrors, OptionIdx, Package, Party, PartyIdx, Point, PointIdx,
    PointKind, PointOption, Role,
};
pub use negotiation::boa::acceptance::{
    ACCEPTANCE_CONDITIONS, Acceptance, AcceptanceCondition, Moment,
};
pub use negotiation::boa::offering::{
    MODEL_CANDIDATES, OFFERING_STRATEGIES, Offering, OfferingStrategy,
};
pub use negotiation::boa::{
    Boa, BoaSpec, ModelChoice, NegotiatorSpec, NegotiatorSpecError, split_negotiators,
};
pub use negotiation::classics::{AgentK, Atlas3, CuhkAgent, HardHeaded};
pub use negotiation::mediation::{
    MediationOptions, MediationOutcome, MediationStep, MediatorRule, Voter, run_single_text,
};
pub use negotiation::models::{
    BayesianModel, FrequencyModel, ModelQuality, ModelSample, OPPONENT_MODELS, OpponentModel,
    PerfectModel, TrueProfiles, model_quality, session_model_quality,
};
pub use negotiation::negotiators::{
    Aspiration, HardLiner, Micro, NEGOTIATORS, RandomNegotiator, TimeBased, TitForTat, negotiator,
};
pub use negotiation::saop::{
    RoundWatch, SaopOptions, SaopOutcome, Step, run_saop, run_saop_watched,
};
pub use negotiation::scoring::{
    LearningPoint, NegotiatorSummary, RANK_TIE, SummaryRow, learning_curves, summarize,
    summarize_by_domain, summary,
};
pub use negotiation::tournament::{
    BuiltIn, Job, MAX_JOBS, ModelCheckpoint, NegotiationResult, NegotiatorSource, TournamentDomain,
    TournamentError, TournamentSpec, job_seed, jobs, n_jobs, run_tournament, run_tournament_range,
    run_tournament_range_with, validate_tournament, validate_tournament_with,
};
pub use negotiation::{
    Action, Clock, Deadline, Me, Negotiator, NoClock, Offer, OutcomeIndex, State,
};
pub use position::{
    AdditiveUtility, Aggregation, Bound, Condition, ConstraintNode, ConstraintUtility, Evaluator,
    Position, Rectangle, RedLine, UtilityFunction, ValueSet,
};
pub use rand_chacha::ChaCha8Rng;
