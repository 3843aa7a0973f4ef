//! Standard automated negotiators, for sessions ([`crate::run_saop`]) and tournaments:
//!
//! | name | type | strategy |
//! |---|---|---|
//! | `boulware`, `linear`, `conceder` | [`TimeBased`] | concede along a time curve (Faratin, Sierra & Jennings 1998) |
//! | `hardliner` | [`HardLiner`] | never concede |
//! | `random` | [`RandomNegotiator`] | random acceptable offers |
//! | `tit-for-tat` | [`TitForTat`] | mirror the opponents' concessions |
//! | `micro` | [`Micro`] | concede one package per new opponent package (de Jonge 2022) |
//! | `aspiration` | [`Aspiration`] | concede along a polynomial aspiration level |
//! | `hardheaded` | [`crate::HardHeaded`] | the ANAC 2011 winner (van Krimpen, Looije & Hajizadeh 2013) |
//! | `agentk` | [`crate::AgentK`] | the ANAC 2010 winner (Kawaguchi, Fujita & Ito 2012) |
//! | `cuhkagent` | [`crate::CuhkAgent`] | the ANAC 2012 winner (Hao & Leung 2012) |
//! | `atlas3` | [`crate::Atlas3`] | the ANAC 2015 multilateral winner (Mori & Ito 2017) |
//!
//! [`negotiator`] builds one by name ([`NEGOTIATORS`] lists the names).
//!
//! Every negotiator sees only its own position ([`Me`]) and looks packages up in its own
//! [`crate::OutcomeIndex`] by binary search, so a turn costs a few logarithmic lookups. It
//! offers only packages of that index (which clear its own red lines), never accepts an
//! offer worth less than its reservation value, and walks away at once when its index is
//! empty (every package crosses one of its red lines). Randomness comes only from the
//! generator the protocol hands it, so a session is reproducible from its seed.
//!
//! Below, `best` and `worst` are the utilities of the best and worst listed packages,
//! `r` the reservation value, and `floor = max(r, worst)` (at most `best`).
//!
//! ```
//! use accord_core::{NEGOTIATORS, negotiator};
//!
//! for name in NEGOTIATORS {
//!     assert_eq!(negotiator(name).unwrap().name(), *name);
//! }
//! assert_eq!(negotiator("Boulware").unwrap().name(), "boulware");
//! assert!(negotiator("nobody").is_none());
//! ```

use std::collections::BTreeSet;

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;

use crate::model::{Choice, Package};
use crate::negotiation::{Action, Me, Negotiator, Offer, State};

/// The names [`negotiator`] knows, in a stable order.
pub const NEGOTIATORS: &[&str] = &[
    "boulware",
    "linear",
    "conceder",
    "hardliner",
    "random",
    "tit-for-tat",
    "micro",
    "aspiration",
    "hardheaded",
    "agentk",
    "cuhkagent",
    "atlas3",
];

/// The negotiator called `name` (case-insensitive), fresh: a standard one or a BOA
/// composition ([`crate::NegotiatorSpec`]); `None` for an unknown name, a composition that
/// does not parse, or one with the perfect model (which needs
/// [`crate::NegotiatorSpec::build`] with the true profiles).
#[must_use]
pub fn negotiator(name: &str) -> Option<Box<dyn Negotiator>> {
    crate::NegotiatorSpec::parse(name).ok()?.build(None).ok()
}

/// The standard negotiator called `name` (lower case), fresh.
pub(crate) fn standard(name: &str) -> Option<Box<dyn Negotiator>> {
    Some(match name {
        "boulware" => Box::new(TimeBased::boulware()),
        "linear" => Box::new(TimeBased::linear()),
        "conceder" => Box::new(TimeBased::conceder()),
        "hardliner" => Box::new(HardLiner),
        "random" => Box::new(RandomNegotiator),
        "tit-for-tat" => Box::new(TitForTat::new()),
        "micro" => Box::new(Micro::new()),
        "aspiration" => Box::new(Aspiration::default()),
        "hardheaded" => Box::new(crate::HardHeaded::default()),
        "agentk" => Box::new(crate::AgentK::default()),
        "cuhkagent" => Box::new(crate::CuhkAgent::default()),
        "atlas3" => Box::new(crate::Atlas3::default()),
        _ => return None,
    })
}

/// The best listed utility and `max(r, worst)` (at most the best). The index is not empty.
pub(crate) fn best_and_floor(me: &Me<'_>) -> (f64, f64) {
    let best = me.outcomes.best().1;
    let floor = me.reservation_value().max(me.outcomes.worst().1).min(best);
    (best, floor)
}

/// Its utility of the standing offer, when that offer crosses none of its red lines and
/// is worth at least its reservation value. No standard negotiator accepts anything else.
pub(crate) fn acceptable(me: &Me<'_>, standing: Option<&Offer>) -> Option<f64> {
    standing
        .filter(|offer| me.position.clears_red_lines(&offer.package))
        .map(|offer| me.utility(&offer.package))
        .filter(|&u| u >= me.reservation_value())
}

/// `AC_next`: accept the standing offer when it is worth at least `bar` (and the
/// reservation value), else offer `next`.
fn accept_or_offer(me: &Me<'_>, standing: Option<&Offer>, bar: f64, next: Package) -> Action {
    if acceptable(me, standing).is_some_and(|u| u >= bar) {
        Action::Accept
    } else {
        Action::Offer(next)
    }
}

/// A time-dependent negotiator (Faratin, Sierra & Jennings 1998, "Negotiation decision
/// functions for autonomous agents"; GENIUS `TimeDependentAgent`).
///
/// At normalised time `t` its target utility is
/// `u(t) = best + (floor - best) * t^(1/e)`: it starts at its best package and reaches
/// `floor` at the deadline. With `e < 1` (Boulware) it holds firm until late, with `e = 1`
/// it concedes linearly, with `e > 1` (Conceder) it concedes early. It offers the package
/// of least utility at or above the target ([`crate::OutcomeIndex::at_least`]) and accepts
/// the standing offer when it is worth at least that package (`AC_next`). An exponent
/// that is not positive never concedes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeBased {
    /// The concession exponent `e`.
    pub exponent: f64,
}

impl TimeBased {
    /// `e = 0.2`: concedes late ("boulware").
    #[must_use]
    pub const fn boulware() -> Self {
        Self { exponent: 0.2 }
    }

    /// `e = 1`: concedes linearly ("linear").
    #[must_use]
    pub const fn linear() -> Self {
        Self { exponent: 1.0 }
    }

    /// `e = 2`: concedes early ("conceder").
    #[must_use]
    pub const fn conceder() -> Self {
        Self { exponent: 2.0 }
    }

    /// The target utility at `time` between `best` and `floor`.
    fn target(self, best: f64, floor: f64, time: f64) -> f64 {
        let conceded = if self.exponent > 0.0 {
            time.clamp(0.0, 1.0).powf(1.0 / self.exponent)
        } else {
            0.0
        };
        best + (floor - best) * conceded
    }
}

impl Negotiator for TimeBased {
    fn name(&self) -> &str {
        match self.exponent {
            0.2 => "boulware",
            1.0 => "linear",
            2.0 => "conceder",
            _ => "time-based",
        }
    }

    fn act(
        &mut self,
        me: &Me<'_>,
        state: &State,
        standing: Option<&Offer>,
        _rng: &mut ChaCha8Rng,
    ) -> Action {
        if me.outcomes.is_empty() {
            return Action::End;
        }
        let (best, floor) = best_and_floor(me);
        let (package, utility) = me.outcomes.at_least(self.target(best, floor, state.time));
        accept_or_offer(me, standing, utility, package)
    }
}

/// Never concedes: always offers its best package and accepts only an offer at least as
/// good ("hardliner").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HardLiner;

impl Negotiator for HardLiner {
    fn name(&self) -> &'static str {
        "hardliner"
    }

    fn act(
        &mut self,
        me: &Me<'_>,
        _state: &State,
        standing: Option<&Offer>,
        _rng: &mut ChaCha8Rng,
    ) -> Action {
        if me.outcomes.is_empty() {
            return Action::End;
        }
        let (package, best) = me.outcomes.best();
        accept_or_offer(me, standing, best, package)
    }
}

/// A baseline that ignores time and the others ("random"): it accepts a standing offer
/// worth at least its reservation value with probability 1/2; otherwise it offers a
/// package drawn uniformly from its listed packages worth at least its reservation value
/// (its best package when none is). It never walks away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RandomNegotiator;

impl Negotiator for RandomNegotiator {
    fn name(&self) -> &'static str {
        "random"
    }

    fn act(
        &mut self,
        me: &Me<'_>,
        _state: &State,
        standing: Option<&Offer>,
        rng: &mut ChaCha8Rng,
    ) -> Action {
        if me.outcomes.is_empty() {
            return Action::End;
        }
        if acceptable(me, standing).is_some() && rng.random::<f64>() < 0.5 {
            return Action::Accept;
        }
        let candidates = me.outcomes.between(me.reservation_value(), f64::INFINITY);
        let package = if candidates.is_empty() {
            me.outcomes.best().0
        } else {
            me.outcomes.package(rng.random_range(candidates))
        };
        Action::Offer(package)
    }
}

/// Naive tit-for-tat ("tit-for-tat"), after the behaviour of NegMAS's `NaiveTitForTat`:
/// it starts at its best package and then keeps a level `l`. Whenever another party
/// makes an offer, it compares that offer's utility *for itself* with the previous offer
/// it heard from any other party and moves its level by the same amount the other way:
/// `l <- clamp(l - (u(new) - u(previous)), floor, best)`. A concession is mirrored by a
/// concession, a retraction by a retraction. (In a multilateral session the offers of
/// all other parties form one stream.) It offers the package of least utility at or
/// above `l` and accepts an offer worth at least that package.
#[derive(Debug, Clone, PartialEq)]
pub struct TitForTat {
    level: f64,
    last_heard: Option<f64>,
}

impl TitForTat {
    /// A fresh tit-for-tat negotiator, at its best package.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            level: f64::INFINITY,
            last_heard: None,
        }
    }
}

impl Default for TitForTat {
    fn default() -> Self {
        Self::new()
    }
}

impl Negotiator for TitForTat {
    fn name(&self) -> &'static str {
        "tit-for-tat"
    }

    fn start(&mut self, _me: &Me<'_>) {
        *self = Self::new();
    }

    fn act(
        &mut self,
        me: &Me<'_>,
        _state: &State,
        standing: Option<&Offer>,
        _rng: &mut ChaCha8Rng,
    ) -> Action {
        if me.outcomes.is_empty() {
            return Action::End;
        }
        let (package, utility) = me.outcomes.at_least(self.level);
        accept_or_offer(me, standing, utility, package)
    }

    fn observe(&mut self, me: &Me<'_>, _by: usize, action: &Action) {
        let Action::Offer(package) = action else {
            return;
        };
        if me.outcomes.is_empty() {
            return;
        }
        let heard = me.utility(package);
        if let Some(previous) = self.last_heard {
            let (best, floor) = best_and_floor(me);
            // `min` then `max`, not `clamp`: `floor <= best` holds, but never panic.
            self.level = (self.level.min(best) - (heard - previous))
                .min(best)
                .max(floor);
        }
        self.last_heard = Some(heard);
    }
}

/// `MiCRO` (de Jonge 2022, "An analysis of the linear bilateral ANAC domains using the
/// `MiCRO` benchmark strategy", IJCAI) ("micro"): it walks down its packages from the best,
/// one at a time. On its turn it offers the next, less good package only when every other
/// party has made at least as many distinct offers as it has (and that package is worth
/// at least its reservation value); otherwise it repeats, uniformly at random, one of the
/// packages it has already offered. It accepts an offer at least as good as the worst
/// package it has offered or is about to offer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Micro {
    /// How many packages it has offered: the best `proposed` of its index.
    proposed: usize,
    /// The distinct packages offered by each place.
    heard: Vec<BTreeSet<Vec<u64>>>,
}

impl Micro {
    /// A fresh `MiCRO` negotiator.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            proposed: 0,
            heard: Vec::new(),
        }
    }
}

/// A package as an ordered key (a point holds one kind of choice, so the bits suffice).
fn package_key(package: &Package) -> Vec<u64> {
    package
        .0
        .iter()
        .map(|choice| match *choice {
            Choice::Option(option) => option.0 as u64,
            Choice::Integer(v) => v as u64,
            Choice::Real(v) => v.to_bits(),
        })
        .collect()
}

impl Negotiator for Micro {
    fn name(&self) -> &'static str {
        "micro"
    }

    fn start(&mut self, me: &Me<'_>) {
        self.proposed = 0;
        self.heard = vec![BTreeSet::new(); me.n_parties];
    }

    fn act(
        &mut self,
        me: &Me<'_>,
        _state: &State,
        standing: Option<&Offer>,
        rng: &mut ChaCha8Rng,
    ) -> Action {
        let index = me.outcomes;
        let n = index.len();
        if n == 0 {
            return Action::End;
        }
        let fewest_heard = self
            .heard
            .iter()
            .enumerate()
            .filter(|&(place, _)| place != me.place)
            .map(|(_, offers)| offers.len())
            .min()
            .unwrap_or(0);
        // Packages are listed ascending: the k-th best is at `n - 1 - k`.
        let next = (self.proposed < n)
            .then(|| index.utility(n - 1 - self.proposed))
            .filter(|u| *u >= me.reservation_value());
        // It always opens with its best package, even one below its reservation value.
        let concede = self.proposed == 0 || (fewest_heard >= self.proposed && next.is_some());
        let worst = if concede {
            next.unwrap_or(index.utility(n - 1))
        } else {
            index.utility(n - self.proposed)
        };
        if acceptable(me, standing).is_some_and(|u| u >= worst) {
            return Action::Accept;
        }
        let k = if concede {
            self.proposed += 1;
            self.proposed - 1
        } else {
            rng.random_range(0..self.proposed)
        };
        Action::Offer(index.package(n - 1 - k.min(n - 1)))
    }

    fn observe(&mut self, _me: &Me<'_>, by: usize, action: &Action) {
        if let (Action::Offer(package), Some(offers)) = (action, self.heard.get_mut(by)) {
            offers.insert(package_key(package));
        }
    }
}

/// An aspiration-level negotiator ("aspiration"): its aspiration falls from its best
/// utility to its reservation value as a polynomial in time,
/// `a(t) = r + (best - r) * (1 - t^e)` (with `e = 3` by default, and `r` at most `best`;
/// for utilities normalised to a best of 1 this is `r + (1 - r)(1 - t^e)`). It offers
/// the package of least utility at or above `a(t)` and accepts an offer worth at least
/// `a(t)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aspiration {
    /// The exponent `e` of the aspiration curve.
    pub exponent: f64,
}

impl Default for Aspiration {
    fn default() -> Self {
        Self { exponent: 3.0 }
    }
}

impl Aspiration {
    /// The aspiration at `time` between `best` and `reservation`.
    fn aspiration(self, best: f64, reservation: f64, time: f64) -> f64 {
        let reservation = reservation.min(best);
        reservation + (best - reservation) * (1.0 - time.clamp(0.0, 1.0).powf(self.exponent))
    }
}

impl Negotiator for Aspiration {
    fn name(&self) -> &'static str {
        "aspiration"
    }

    fn act(
        &mut self,
        me: &Me<'_>,
        state: &State,
        standing: Option<&Offer>,
        _rng: &mut ChaCha8Rng,
    ) -> Action {
        if me.outcomes.is_empty() {
            return Action::End;
        }
        let best = me.outcomes.best().1;
        let aspiration = self.aspiration(best, me.reservation_value(), state.time);
        accept_or_offer(me, standing, aspiration, me.outcomes.at_least(aspiration).0)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use rand::SeedableRng as _;

    use super::*;
    use crate::model::{Case, OptionIdx, Party, Point, PointIdx, PointKind, Role};
    use crate::negotiation::saop::{SaopOptions, run_saop};
    use crate::negotiation::{Deadline, NoClock, OutcomeIndex};
    use crate::position::{AdditiveUtility, Evaluator, Position, RedLine};

    /// One point "amount" from 0 to 100; the party's utility is `amount / 100` (rising) or
    /// `1 - amount / 100` (falling), so listed utilities are 0.01 apart.
    pub(crate) fn amount() -> Vec<Point> {
        vec![Point::new("amount", PointKind::integer(0, 100))]
    }

    pub(crate) fn position(rising: bool, reservation_value: f64) -> Position {
        let (offset, slope) = if rising { (0.0, 0.01) } else { (1.0, -0.01) };
        let mut position = Position::new(
            AdditiveUtility::new(
                vec![1.0],
                vec![Evaluator::Linear {
                    origin: 0.0,
                    offset,
                    slope,
                }],
            )
            .into(),
        );
        position.reservation_value = reservation_value;
        position
    }

    pub(crate) fn index(points: &[Point], position: &Position) -> OutcomeIndex {
        OutcomeIndex::new(points, position, OutcomeIndex::DEFAULT_LIMIT, 0)
    }

    pub(crate) fn amount_of(k: i64) -> Package {
        Package(vec![Choice::Integer(k)])
    }

    /// One turn of `negotiator` as the rising party at place 0 of 2, at `time`, facing an
    /// offer of `standing` (an amount).
    pub(crate) fn turn(
        negotiator: &mut dyn Negotiator,
        me: &Me<'_>,
        time: f64,
        standing: Option<i64>,
        rng: &mut ChaCha8Rng,
    ) -> Action {
        let standing = standing.map(|k| Offer {
            package: amount_of(k),
            by: 1,
        });
        negotiator.act(me, &State { round: 0, time }, standing.as_ref(), rng)
    }

    pub(crate) fn me<'a>(
        points: &'a [Point],
        position: &'a Position,
        outcomes: &'a OutcomeIndex,
    ) -> Me<'a> {
        Me {
            points,
            position,
            outcomes,
            place: 0,
            n_parties: 2,
        }
    }

    /// The amount offered, or `None` for an accept or an end.
    pub(crate) fn offered(action: &Action) -> Option<i64> {
        match action {
            Action::Offer(package) => match package.0[0] {
                Choice::Integer(k) => Some(k),
                _ => None,
            },
            _ => None,
        }
    }

    /// Plays `negotiator` (rising, reservation value `reservation`) at place 0 against a
    /// hardliner (falling) for 50 rounds and checks that at every turn it offered the
    /// least listed package at or above `best + (floor - best) * t^(1/e)`, where best = 1
    /// and floor = max(r, worst) = max(r, 0).
    fn check_time_based(negotiator: TimeBased, reservation: f64) {
        let points = amount();
        let parties = vec![
            Party::new("a", "A", Role::Party).with_position(position(true, reservation)),
            Party::new("b", "B", Role::Party).with_position(position(false, 0.0)),
        ];
        let case = Case::new("amount", points, parties).unwrap();
        let parties = case.negotiating_parties();
        let indexes: Vec<OutcomeIndex> = parties
            .iter()
            .map(|&p| index(case.points(), case.position(p).unwrap()))
            .collect();
        let outcomes: Vec<&OutcomeIndex> = indexes.iter().collect();
        let mut negotiators: Vec<Box<dyn Negotiator>> =
            vec![Box::new(negotiator), Box::new(HardLiner)];
        let options = SaopOptions {
            deadline: Deadline::rounds(50),
            seed: 3,
            record: true,
        };
        let outcome = run_saop(
            &case,
            &parties,
            &mut negotiators,
            &outcomes,
            &options,
            &NoClock,
        );
        // The hardliner accepts only amount 0, which the time-based party offers only at
        // t = 1, after the deadline: every round is played.
        assert_eq!(outcome.agreement, None);
        assert_eq!(outcome.rounds, 50);
        let floor = reservation.max(0.0);
        let listed = &indexes[0];
        let mut turns = 0;
        for step in outcome.trace.iter().filter(|step| step.by == 0) {
            let target = 1.0 + (floor - 1.0) * step.time.powf(1.0 / negotiator.exponent);
            let Action::Offer(package) = &step.action else {
                panic!("{step:?}")
            };
            let utility = case.position(parties[0]).unwrap().utility(package);
            // At or above the target, and no listed package lies in between: the least
            // listed utility at or above it, within the index's granularity of 0.01.
            assert!(utility >= target, "{step:?}: {utility} < {target}");
            assert!(
                !(0..listed.len())
                    .any(|k| listed.utility(k) >= target && listed.utility(k) < utility),
                "{step:?}"
            );
            assert!(
                utility - target < 0.01 + 1e-9,
                "{step:?}: {utility} vs {target}"
            );
            turns += 1;
        }
        assert_eq!(turns, 50);
    }

    #[test]
    fn time_based_offers_follow_the_concession_curve() {
        for negotiator in [
            TimeBased::boulware(),
            TimeBased::linear(),
            TimeBased::conceder(),
        ] {
            for reservation in [0.0, 0.3] {
                check_time_based(negotiator, reservation);
            }
        }
    }

    #[test]
    fn boulware_holds_firm_then_concedes_late() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut boulware = TimeBased::boulware();
        let mut at = |time| offered(&turn(&mut boulware, &me, time, None, &mut rng)).unwrap();
        // 1 - 0.5^5 = 0.96875, so amount 97; 1 - 0.9^5 = 0.40951, so amount 41.
        assert_eq!(at(0.0), 100);
        assert_eq!(at(0.5), 97);
        assert_eq!(at(0.9), 41);
        assert_eq!(at(1.0), 0);
        let mut conceder = TimeBased::conceder();
        // 1 - 0.5^(1/2) = 0.29289..., so amount 30.
        assert_eq!(
            offered(&turn(&mut conceder, &me, 0.5, None, &mut rng)),
            Some(30)
        );
    }

    #[test]
    fn time_based_accepts_an_offer_worth_its_next_offer() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut linear = TimeBased::linear();
        // At t = 0.25 it would offer amount 75 (utility 0.75): 75 and more are accepted,
        // 74 is not.
        assert_eq!(
            turn(&mut linear, &me, 0.25, Some(75), &mut rng),
            Action::Accept
        );
        assert_eq!(
            turn(&mut linear, &me, 0.25, Some(90), &mut rng),
            Action::Accept
        );
        assert_eq!(
            turn(&mut linear, &me, 0.25, Some(74), &mut rng),
            Action::Offer(amount_of(75))
        );
    }

    #[test]
    fn nothing_below_the_reservation_value_is_accepted() {
        // Reservation value 0.5 above the best listed utility 0.4 (amounts up to 40).
        let points = vec![Point::new("amount", PointKind::integer(0, 40))];
        let position = position(true, 0.5);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut all: Vec<Box<dyn Negotiator>> = NEGOTIATORS
            .iter()
            .map(|name| negotiator(name).unwrap())
            .collect();
        for negotiator in &mut all {
            negotiator.start(&me);
            for time in [0.0, 0.5, 1.0] {
                let action = turn(negotiator.as_mut(), &me, time, Some(40), &mut rng);
                assert_ne!(action, Action::Accept, "{}", negotiator.name());
            }
        }
    }

    #[test]
    fn nothing_across_its_own_red_line_is_accepted() {
        // A rising party that forbids amounts above 90: an offer of 100, its favourite by
        // utility, crosses its red line. No negotiator accepts it, at any time; the
        // hardliner, whose best package is now 90, accepts 90.
        let points = amount();
        let mut position = position(true, 0.0);
        position.red_lines.push(crate::RedLine {
            when: None,
            require: crate::Condition {
                point: crate::PointIdx(0),
                values: crate::ValueSet::Range {
                    min: f64::NEG_INFINITY,
                    max: 90.0,
                },
            },
        });
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        for name in NEGOTIATORS {
            let mut negotiator = negotiator(name).unwrap();
            negotiator.start(&me);
            for time in [0.0, 0.5, 1.0] {
                let action = turn(negotiator.as_mut(), &me, time, Some(100), &mut rng);
                assert_ne!(action, Action::Accept, "{name} at {time}");
            }
        }
        let mut hardliner = HardLiner;
        assert_eq!(
            turn(&mut hardliner, &me, 1.0, Some(90), &mut rng),
            Action::Accept
        );
    }

    #[test]
    fn hardliner_offers_its_best_and_accepts_only_as_good() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        for time in [0.0, 0.5, 1.0] {
            assert_eq!(
                turn(&mut HardLiner, &me, time, Some(99), &mut rng),
                Action::Offer(amount_of(100))
            );
            assert_eq!(
                turn(&mut HardLiner, &me, time, Some(100), &mut rng),
                Action::Accept
            );
        }
    }

    #[test]
    fn random_offers_and_accepts_only_above_its_reservation_value() {
        let points = amount();
        let position = position(true, 0.6);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let run = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..200)
                .map(|k| turn(&mut RandomNegotiator, &me, 0.5, Some(k % 101), &mut rng))
                .collect::<Vec<_>>()
        };
        let actions = run(5);
        for (k, action) in actions.iter().enumerate() {
            match action {
                // Amount `k % 101` was standing: accepted only when worth at least 0.6.
                Action::Accept => assert!(k % 101 >= 60, "{k}"),
                Action::Offer(_) => assert!(offered(action).unwrap() >= 60),
                Action::End => panic!("random never walks away"),
            }
        }
        // About half of the acceptable offers are accepted, and offers vary.
        let accepts = actions.iter().filter(|a| **a == Action::Accept).count();
        assert!((20..=60).contains(&accepts), "{accepts}");
        let distinct: BTreeSet<_> = actions.iter().filter_map(offered).collect();
        assert!(distinct.len() > 10);
        // The same seed, the same actions.
        assert_eq!(run(5), actions);
    }

    #[test]
    fn tit_for_tat_mirrors_the_opponents_concessions() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut tft = TitForTat::new();
        tft.start(&me);
        // It starts at its best.
        assert_eq!(
            turn(&mut tft, &me, 0.0, None, &mut rng),
            Action::Offer(amount_of(100))
        );
        // The opponent offers amounts 10 then 30: a concession of 0.2 in its terms, which
        // it mirrors from 1.0 to 0.8.
        tft.observe(&me, 1, &Action::Offer(amount_of(10)));
        assert_eq!(
            turn(&mut tft, &me, 0.1, Some(10), &mut rng),
            Action::Offer(amount_of(100))
        );
        tft.observe(&me, 1, &Action::Offer(amount_of(30)));
        assert_eq!(
            turn(&mut tft, &me, 0.2, Some(30), &mut rng),
            Action::Offer(amount_of(80))
        );
        // A retraction to 20 moves it back up by 0.1.
        tft.observe(&me, 1, &Action::Offer(amount_of(20)));
        assert_eq!(
            turn(&mut tft, &me, 0.3, Some(20), &mut rng),
            Action::Offer(amount_of(90))
        );
        // An offer as good as what it would offer is accepted.
        assert_eq!(turn(&mut tft, &me, 0.3, Some(90), &mut rng), Action::Accept);
        // It never goes above its best, nor below its floor.
        tft.observe(&me, 1, &Action::Offer(amount_of(0)));
        assert_eq!(
            turn(&mut tft, &me, 0.4, None, &mut rng),
            Action::Offer(amount_of(100))
        );
    }

    #[test]
    fn micro_concedes_one_package_per_new_opponent_offer() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut micro = Micro::new();
        micro.start(&me);
        // It opens with its best (it has made 0 offers, the opponent 0).
        assert_eq!(
            turn(&mut micro, &me, 0.0, None, &mut rng),
            Action::Offer(amount_of(100))
        );
        // One distinct opponent offer against its one: it offers its second best.
        micro.observe(&me, 1, &Action::Offer(amount_of(0)));
        assert_eq!(
            turn(&mut micro, &me, 0.1, Some(0), &mut rng),
            Action::Offer(amount_of(99))
        );
        // The opponent repeats itself: 1 distinct offer against its 2, so it repeats one of
        // 100 and 99, whatever the draw.
        for _ in 0..20 {
            micro.observe(&me, 1, &Action::Offer(amount_of(0)));
            let k = offered(&turn(&mut micro, &me, 0.2, Some(0), &mut rng)).unwrap();
            assert!(k == 100 || k == 99, "{k}");
        }
        // A new opponent offer: 2 against 2, so it concedes to 98.
        micro.observe(&me, 1, &Action::Offer(amount_of(1)));
        assert_eq!(
            turn(&mut micro, &me, 0.3, Some(1), &mut rng),
            Action::Offer(amount_of(98))
        );
        // Its worst offer is 98: 98 is accepted, and 97 only when it is about to offer 97.
        assert_eq!(
            turn(&mut micro, &me, 0.4, Some(98), &mut rng),
            Action::Accept
        );
        assert_ne!(
            turn(&mut micro, &me, 0.4, Some(97), &mut rng),
            Action::Accept
        );
        micro.observe(&me, 1, &Action::Offer(amount_of(2)));
        assert_eq!(
            turn(&mut micro, &me, 0.5, Some(97), &mut rng),
            Action::Accept
        );
    }

    #[test]
    fn micro_never_concedes_below_its_reservation_value() {
        let points = amount();
        let position = position(true, 0.98);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut micro = Micro::new();
        micro.start(&me);
        for k in 0..20 {
            micro.observe(&me, 1, &Action::Offer(amount_of(k)));
            let amount = offered(&turn(&mut micro, &me, 0.5, Some(k), &mut rng)).unwrap();
            assert!(amount >= 98, "{amount}");
        }
    }

    #[test]
    fn aspiration_follows_its_polynomial_curve() {
        let points = amount();
        let position = position(true, 0.25);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut aspiration = Aspiration::default();
        // a(0.5) = 0.25 + 0.75 * (1 - 0.5^3) = 0.90625: offers 91, accepts 91, not 90.
        assert_eq!(
            turn(&mut aspiration, &me, 0.5, Some(90), &mut rng),
            Action::Offer(amount_of(91))
        );
        assert_eq!(
            turn(&mut aspiration, &me, 0.5, Some(91), &mut rng),
            Action::Accept
        );
        // a(1) = r = 0.25: offers about 25, accepts 30, not 20.
        let k = offered(&turn(&mut aspiration, &me, 1.0, None, &mut rng)).unwrap();
        assert!((25..=26).contains(&k), "{k}");
        assert_eq!(
            turn(&mut aspiration, &me, 1.0, Some(30), &mut rng),
            Action::Accept
        );
        assert_ne!(
            turn(&mut aspiration, &me, 1.0, Some(20), &mut rng),
            Action::Accept
        );
    }

    #[test]
    fn with_every_package_across_a_red_line_each_negotiator_walks_away() {
        let points = vec![Point::new("wage", PointKind::options(["low", "high"]))];
        let mut position = Position::new(
            AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(vec![0.0, 1.0])]).into(),
        );
        position.red_lines.push(RedLine::forbid(
            &points[0],
            PointIdx(0),
            &[OptionIdx(0), OptionIdx(1)],
        ));
        let index = index(&points, &position);
        assert!(index.is_empty());
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        for name in NEGOTIATORS {
            let mut negotiator = negotiator(name).unwrap();
            negotiator.start(&me);
            negotiator.observe(
                &me,
                1,
                &Action::Offer(Package(vec![Choice::Option(OptionIdx(1))])),
            );
            let action = negotiator.act(
                &me,
                &State {
                    round: 0,
                    time: 0.5,
                },
                None,
                &mut rng,
            );
            assert_eq!(action, Action::End, "{name}");
        }
    }

    #[test]
    fn the_registry_knows_every_name_case_insensitively() {
        for name in NEGOTIATORS {
            assert_eq!(negotiator(name).unwrap().name(), *name);
            assert_eq!(negotiator(&name.to_uppercase()).unwrap().name(), *name);
        }
        assert!(negotiator("tit for tat").is_none());
        assert_eq!(TimeBased { exponent: 0.5 }.name(), "time-based");
    }
}
