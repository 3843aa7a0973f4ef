//! Offering strategies: what a BOA negotiator offers next.
//!
//! | name | offers |
//! |---|---|
//! | `time-dependent(e, window)` | a package at or just above the target `best + (floor - best) · t^(1/e)` (Faratin, Sierra and Jennings 1998); with an opponent model, of the packages worth between the target and `target + window` to itself (the 16 closest to the target), the one the model rates best for the other parties (their least estimated utility); `e` = 1, `window` = 0.02 by default |
//! | `boulware`, `linear`, `conceder` | `time-dependent` with `e` = 0.2, 1 and 2 |
//! | `hardliner` | its best package, always |
//! | `random` | a package drawn uniformly from those worth at least its floor |
//!
//! `best` and `floor` are as for the standard negotiators: the utilities of its best listed
//! package and of `max(r, worst)`.

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;

use crate::model::Package;
use crate::negotiation::models::OpponentModel;
use crate::negotiation::negotiators::best_and_floor;
use crate::negotiation::{Me, State};

/// What to offer. Implement it to bring your own strategy.
pub trait OfferingStrategy: Send {
    /// The strategy's name as a negotiator specification writes it, with its parameters.
    fn name(&self) -> String;

    /// The package to offer next and its utility to the negotiator; `me.outcomes` is not
    /// empty. `model` is the negotiator's opponent model, if it has one.
    fn offer(
        &mut self,
        me: &Me<'_>,
        state: &State,
        model: Option<&dyn OpponentModel>,
        rng: &mut ChaCha8Rng,
    ) -> (Package, f64);
}

/// The names of the offering strategies, in a stable order.
pub const OFFERING_STRATEGIES: &[&str] = &[
    "time-dependent",
    "boulware",
    "linear",
    "conceder",
    "hardliner",
    "random",
];

/// The most packages a model-aware offer compares.
pub const MODEL_CANDIDATES: usize = 16;

/// The standard offering strategies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Offering {
    /// Concede along `best + (floor - best) · t^(1/e)`.
    TimeDependent {
        /// The concession exponent `e` (not positive: never concede).
        e: f64,
        /// How far above the target a model-aware offer may go.
        window: f64,
    },
    /// Always its best package.
    HardLiner,
    /// A uniform draw above its floor.
    Random,
}

impl Offering {
    /// The time-dependent strategy with exponent `e` and the default window.
    #[must_use]
    pub const fn time_dependent(e: f64) -> Self {
        Self::TimeDependent { e, window: 0.02 }
    }
}

/// The least estimated utility of `package` among the other parties.
fn opponents_utility(me: &Me<'_>, model: &dyn OpponentModel, package: &Package) -> f64 {
    (0..me.n_parties)
        .filter(|&p| p != me.place)
        .map(|p| model.utility(p, package))
        .fold(f64::INFINITY, f64::min)
}

/// Of the packages worth between `target` and `target + window` to the negotiator (the
/// [`MODEL_CANDIDATES`] closest to the target), the one `model` rates best for the other
/// parties (their least estimated utility; the least good for itself on a tie), with its
/// utility; the least package at or above the target when that range holds at most one.
/// `me.outcomes` is not empty.
pub(crate) fn best_for_opponents(
    me: &Me<'_>,
    model: &dyn OpponentModel,
    target: f64,
    window: f64,
) -> (Package, f64) {
    let index = me.outcomes;
    let ranks = index.between(target, target + window.max(0.0));
    if ranks.len() <= 1 {
        return index.at_least(target);
    }
    let end = ranks.end.min(ranks.start + MODEL_CANDIDATES);
    let mut chosen = (ranks.start, f64::NEG_INFINITY, None);
    for rank in ranks.start..end {
        let package = index.package(rank);
        let theirs = opponents_utility(me, model, &package);
        if theirs > chosen.1 {
            chosen = (rank, theirs, Some(package));
        }
    }
    let (rank, _, package) = chosen;
    (
        package.unwrap_or_else(|| index.package(rank)),
        index.utility(rank),
    )
}

impl OfferingStrategy for Offering {
    fn name(&self) -> String {
        match *self {
            Self::TimeDependent { e, window } => format!("time-dependent(e={e}, window={window})"),
            Self::HardLiner => "hardliner".into(),
            Self::Random => "random".into(),
        }
    }

    fn offer(
        &mut self,
        me: &Me<'_>,
        state: &State,
        model: Option<&dyn OpponentModel>,
        rng: &mut ChaCha8Rng,
    ) -> (Package, f64) {
        let index = me.outcomes;
        let (best, floor) = best_and_floor(me);
        match *self {
            Self::HardLiner => index.best(),
            Self::Random => {
                let ranks = index.between(floor, f64::INFINITY);
                if ranks.is_empty() {
                    index.best()
                } else {
                    let rank = rng.random_range(ranks);
                    (index.package(rank), index.utility(rank))
                }
            }
            Self::TimeDependent { e, window } => {
                let conceded = if e > 0.0 {
                    state.time.clamp(0.0, 1.0).powf(1.0 / e)
                } else {
                    0.0
                };
                let target = best + (floor - best) * conceded;
                match model {
                    Some(model) => best_for_opponents(me, model, target, window),
                    None => index.at_least(target),
                }
            }
        }
    }
}
