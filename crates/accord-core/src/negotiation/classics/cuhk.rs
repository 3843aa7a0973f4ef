//! `CUHKAgent`, the winner of ANAC 2012.

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;

use super::BestReceived;
use crate::model::Package;
use crate::negotiation::boa::offering::best_for_opponents;
use crate::negotiation::models::{FrequencyModel, OpponentModel};
use crate::negotiation::negotiators::{acceptable, best_and_floor};
use crate::negotiation::{Action, Me, Negotiator, Offer, State};

/// `CUHKAgent` ("cuhkagent"), the winner of ANAC 2012, after its authors' adaptive
/// bilateral strategy (`ABiNeS`): it exploits the other parties until a
/// *non-exploitation point* λ that moves with how much they concede, then settles towards
/// the best they have offered; it offers, among the packages above its threshold, the one
/// its opponent model rates best for them, exploring at random now and then.
///
/// - **Concession degree.** `c` is the share of the way from the first offer it received
///   to its best package that the best offer received has come (0 before two offers).
/// - **Non-exploitation point.** `λ = λ₀ + (1 - λ₀) · c` (λ₀ = 0.6): the more the others
///   concede, the longer it exploits them.
/// - **Threshold.** With `B = max(floor, best received)` and `M = max(B, minimum · best)`
///   (`minimum` = 0.75): before λ, `l(t) = best - (best - M) · (t / λ)^α` (α = 2); from λ
///   on it stops exploiting and `l(t)` falls linearly from `M` at λ to `B` at the
///   deadline.
/// - **Acceptance.** It accepts an offer worth at least `l(t)` or at least the package it
///   would offer next (never across its red lines or below its reservation value).
/// - **Offers.** When the best offer received is worth at least `l(t)`, it offers that
///   back. Otherwise, with probability ε (0.1), a package drawn uniformly from those worth
///   between `l(t)` and `l(t) + window` (0.05); else, of those (the 16 closest to `l(t)`),
///   the one its frequency model ([`FrequencyModel`]) rates best for the other parties.
///
/// What was interpreted: the description's thresholds are written with the discount
/// factor, and without discounting they would stay at `best` until λ. accord keeps the
/// shape (a concave descent until λ, then the best the opponent has offered), reads no
/// discount factor, and bounds the exploiting phase by `minimum · best`. The
/// description's learnt acceptance of the opponent's best reads here as `B`; λ₀, α,
/// `minimum`, ε and the window are accord's.
#[derive(Debug, Clone)]
pub struct CuhkAgent {
    /// The non-exploitation point against an opponent that does not concede (λ₀).
    pub lambda: f64,
    /// The shape α of the descent before λ.
    pub alpha: f64,
    /// The least share of its best utility it aims at while exploiting.
    pub minimum: f64,
    /// How often it explores with a random package.
    pub epsilon: f64,
    /// How far above the threshold an offer may go.
    pub window: f64,
    model: FrequencyModel,
    /// Its utility of the first offer received.
    first_received: Option<f64>,
    best_received: BestReceived,
}

impl Default for CuhkAgent {
    fn default() -> Self {
        Self {
            lambda: 0.6,
            alpha: 2.0,
            minimum: 0.75,
            epsilon: 0.1,
            window: 0.05,
            model: FrequencyModel::default(),
            first_received: None,
            best_received: BestReceived::default(),
        }
    }
}

impl CuhkAgent {
    /// The other parties' concession degree `c` in `[0, 1]`.
    #[must_use]
    pub fn concession_degree(&self, best: f64) -> f64 {
        match (self.first_received, self.best_received.utility()) {
            (Some(first), Some(received)) if best > first => {
                ((received - first) / (best - first)).clamp(0.0, 1.0)
            }
            _ => 0.0,
        }
    }

    /// Its non-exploitation point λ.
    #[must_use]
    pub fn non_exploitation_point(&self, best: f64) -> f64 {
        let lambda = self.lambda.clamp(0.0, 1.0);
        lambda + (1.0 - lambda) * self.concession_degree(best)
    }

    /// Its threshold `l(t)`, between `best` and `floor`.
    #[must_use]
    pub fn threshold(&self, best: f64, floor: f64, time: f64) -> f64 {
        let time = time.clamp(0.0, 1.0);
        let received = self.best_received.utility().unwrap_or(floor);
        let settle = floor.max(received).min(best);
        let exploit = settle.max(self.minimum * best).min(best);
        let lambda = self.non_exploitation_point(best);
        if time < lambda {
            best - (best - exploit) * (time / lambda).powf(self.alpha)
        } else if lambda >= 1.0 {
            exploit
        } else {
            exploit - (exploit - settle) * ((time - lambda) / (1.0 - lambda))
        }
    }

    /// The package it offers against `threshold`, and its utility.
    fn next_offer(&self, me: &Me<'_>, threshold: f64, rng: &mut ChaCha8Rng) -> (Package, f64) {
        if let Some(offer) = self.best_received.at_least(threshold) {
            return offer;
        }
        let index = me.outcomes;
        let window = self.window.max(0.0);
        if rng.random::<f64>() < self.epsilon {
            let ranks = index.between(threshold, threshold + window);
            if !ranks.is_empty() {
                let rank = rng.random_range(ranks);
                return (index.package(rank), index.utility(rank));
            }
        }
        best_for_opponents(me, &self.model, threshold, window)
    }
}

impl Negotiator for CuhkAgent {
    fn name(&self) -> &'static str {
        "cuhkagent"
    }

    fn start(&mut self, me: &Me<'_>) {
        self.model.start(me);
        self.first_received = None;
        self.best_received = BestReceived::default();
    }

    fn act(
        &mut self,
        me: &Me<'_>,
        state: &State,
        standing: Option<&Offer>,
        rng: &mut ChaCha8Rng,
    ) -> Action {
        if me.outcomes.is_empty() {
            return Action::End;
        }
        let (best, floor) = best_and_floor(me);
        let threshold = self.threshold(best, floor, state.time);
        let (package, next) = self.next_offer(me, threshold, rng);
        if acceptable(me, standing).is_some_and(|u| u >= threshold || u >= next) {
            return Action::Accept;
        }
        Action::Offer(package)
    }

    fn observe(&mut self, me: &Me<'_>, by: usize, action: &Action) {
        let Action::Offer(package) = action else {
            return;
        };
        self.model.update(me, by, package, 0.0);
        if let Some(utility) = self.best_received.hear(me, package) {
            self.first_received.get_or_insert(utility);
        }
    }

    fn opponent_model(&self) -> Option<&dyn OpponentModel> {
        Some(&self.model)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng as _;

    use super::*;
    use crate::negotiation::negotiators::tests::{
        amount, amount_of, index, me, offered, position, turn,
    };

    #[test]
    fn cuhkagent_exploits_longer_the_more_the_opponent_concedes() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut agent = CuhkAgent::default();
        agent.start(&me);
        // Before any offer: λ = λ₀ and the threshold descends to 0.75 at λ, then to the
        // floor (0) at the deadline.
        assert!((agent.non_exploitation_point(1.0) - 0.6).abs() < 1e-12);
        assert!((agent.threshold(1.0, 0.0, 0.0) - 1.0).abs() < 1e-12);
        assert!((agent.threshold(1.0, 0.0, 0.3) - (1.0 - 0.25 * 0.25)).abs() < 1e-12);
        assert!((agent.threshold(1.0, 0.0, 0.6) - 0.75).abs() < 1e-12);
        assert!((agent.threshold(1.0, 0.0, 0.8) - 0.375).abs() < 1e-12);
        assert!(agent.threshold(1.0, 0.0, 1.0).abs() < 1e-12);
        // An opponent that opened at 0.2 and came to 0.6 has conceded half the way:
        // λ = 0.6 + 0.4 · 0.5 = 0.8, and the threshold never falls below its 0.6.
        agent.observe(&me, 1, &Action::Offer(amount_of(20)));
        agent.observe(&me, 1, &Action::Offer(amount_of(60)));
        assert!((agent.concession_degree(1.0) - 0.5).abs() < 1e-12);
        assert!((agent.non_exploitation_point(1.0) - 0.8).abs() < 1e-12);
        assert!((agent.threshold(1.0, 0.0, 0.8) - 0.75).abs() < 1e-12);
        assert!((agent.threshold(1.0, 0.0, 1.0) - 0.6).abs() < 1e-12);
        // One that does not concede gets the earlier point.
        let mut tough = CuhkAgent::default();
        tough.start(&me);
        tough.observe(&me, 1, &Action::Offer(amount_of(20)));
        tough.observe(&me, 1, &Action::Offer(amount_of(20)));
        assert!((tough.non_exploitation_point(1.0) - 0.6).abs() < 1e-12);
    }

    #[test]
    fn cuhkagent_offers_above_its_threshold_and_accepts_at_it() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut agent = CuhkAgent::default();
        agent.start(&me);
        agent.observe(&me, 1, &Action::Offer(amount_of(10)));
        for time in [0.0, 0.2, 0.4, 0.5] {
            let threshold = agent.threshold(1.0, 0.0, time);
            let amount = offered(&turn(&mut agent, &me, time, Some(10), &mut rng)).unwrap();
            let utility = amount as f64 / 100.0;
            assert!(
                utility >= threshold - 1e-12 && utility <= threshold + 0.05 + 1e-12,
                "{time}: {amount} against {threshold}"
            );
        }
        // At λ its threshold is 0.75: an offer of 0.75 is accepted, 0.74 is not.
        assert_eq!(
            turn(&mut agent, &me, 0.6, Some(75), &mut rng),
            Action::Accept
        );
        assert!(offered(&turn(&mut agent, &me, 0.6, Some(74), &mut rng)).is_some());
        assert!(agent.opponent_model().is_some());
    }
}
