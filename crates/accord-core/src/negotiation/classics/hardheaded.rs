//! `HardHeaded`, the winner of ANAC 2011.

use rand_chacha::ChaCha8Rng;

use super::BestReceived;
use crate::model::Package;
use crate::negotiation::boa::offering::best_for_opponents;
use crate::negotiation::models::{FrequencyModel, OpponentModel};
use crate::negotiation::{Action, Me, Negotiator, Offer, State};

/// `HardHeaded` ("hardheaded"), the winner of ANAC 2011, as its authors describe it: a very
/// Boulware concession, a frequency opponent model to pick, among the packages it is ready
/// to offer, the one the opponent likes best, and acceptance of anything at least as good
/// as what it would offer.
///
/// - **Target.** `p(t) = p_min + (p_max - p_min) · (1 - t^(1/e))` with `e` = 0.05: it
///   stays near its best package until the very end. `p_max` is its best utility; `p_min`
///   the larger of its floor (`max(r, worst)`) and `minimum` times its best (`minimum` =
///   0.585 by default), so it never concedes below that.
/// - **Offers.** It opens with its best package. Then, among the packages worth between
///   the target and the target plus `window` (0.02) to itself (the 16 closest to the
///   target), it offers the one its frequency model ([`FrequencyModel`], step 0.2) rates
///   best for the other parties. When the best offer it has received is worth at least the
///   target, it offers that one back instead.
/// - **Acceptance.** It accepts an offer worth at least the package it would offer next,
///   or at least the least good package it has offered so far (never below its
///   reservation value or across its red lines).
///
/// What was interpreted: the description gives the concession curve and the model but
/// not how many packages the window holds; the window, the 16 packages and `minimum` as a
/// share of the best are accord's.
#[derive(Debug, Clone)]
pub struct HardHeaded {
    /// The concession exponent `e`.
    pub exponent: f64,
    /// The least share of its best utility it concedes to.
    pub minimum: f64,
    /// How far above the target an offer may go.
    pub window: f64,
    model: FrequencyModel,
    best_received: BestReceived,
    /// The least utility among its own offers.
    lowest_offered: Option<f64>,
}

impl Default for HardHeaded {
    fn default() -> Self {
        Self {
            exponent: 0.05,
            minimum: 0.585,
            window: 0.02,
            model: FrequencyModel::default(),
            best_received: BestReceived::default(),
            lowest_offered: None,
        }
    }
}

impl HardHeaded {
    /// Its target utility at `time`, between `best` and `bottom`.
    #[must_use]
    pub fn target(&self, best: f64, bottom: f64, time: f64) -> f64 {
        bottom + (best - bottom) * (1.0 - time.clamp(0.0, 1.0).powf(1.0 / self.exponent))
    }

    /// The package it offers at `time` and its utility.
    fn next_offer(&self, me: &Me<'_>, time: f64) -> (Package, f64) {
        let (best, floor) = crate::negotiation::negotiators::best_and_floor(me);
        let bottom = floor.max(self.minimum * best).min(best);
        let target = self.target(best, bottom, time);
        if let Some(offer) = self.best_received.at_least(target) {
            return offer;
        }
        best_for_opponents(me, &self.model, target, self.window)
    }
}

impl Negotiator for HardHeaded {
    fn name(&self) -> &'static str {
        "hardheaded"
    }

    fn start(&mut self, me: &Me<'_>) {
        self.model.start(me);
        self.best_received = BestReceived::default();
        self.lowest_offered = None;
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
        let (package, next) = if self.lowest_offered.is_none() {
            me.outcomes.best()
        } else {
            self.next_offer(me, state.time)
        };
        let offered = standing
            .filter(|offer| me.position.clears_red_lines(&offer.package))
            .map(|offer| me.utility(&offer.package))
            .filter(|&u| u >= me.reservation_value());
        if let Some(offered) = offered
            && (offered >= next || self.lowest_offered.is_some_and(|low| offered >= low))
        {
            return Action::Accept;
        }
        self.lowest_offered = Some(self.lowest_offered.map_or(next, |low| low.min(next)));
        Action::Offer(package)
    }

    fn observe(&mut self, me: &Me<'_>, by: usize, action: &Action) {
        let Action::Offer(package) = action else {
            return;
        };
        self.model.update(me, by, package, 0.0);
        self.best_received.hear(me, package);
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
    fn hardheaded_never_concedes_below_its_target_early() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut agent = HardHeaded::default();
        agent.start(&me);
        // It opens with its best.
        assert_eq!(
            turn(&mut agent, &me, 0.0, None, &mut rng),
            Action::Offer(amount_of(100))
        );
        // Facing ever lower offers, it holds its target: 0.585 + 0.415 · (1 - t^20), above
        // 0.99 until t = 0.8.
        for (k, time) in [0.1, 0.3, 0.5, 0.7, 0.8].into_iter().enumerate() {
            agent.observe(&me, 1, &Action::Offer(amount_of(k as i64)));
            let amount = offered(&turn(&mut agent, &me, time, Some(k as i64), &mut rng)).unwrap();
            let target = agent.target(1.0, 0.585, time);
            assert!(
                f64::from(amount as i32) / 100.0 >= target - 1e-12,
                "{time}: {amount}"
            );
            assert!(amount >= 99, "{time}: {amount}");
        }
        // At the deadline it reaches its minimum, never lower.
        let amount = offered(&turn(&mut agent, &me, 1.0, Some(0), &mut rng)).unwrap();
        assert!((59..=61).contains(&amount), "{amount}");
    }

    #[test]
    fn hardheaded_offers_back_the_best_offer_above_its_target_and_accepts_as_good() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut agent = HardHeaded::default();
        agent.start(&me);
        let _ = turn(&mut agent, &me, 0.0, None, &mut rng);
        agent.observe(&me, 1, &Action::Offer(amount_of(70)));
        agent.observe(&me, 1, &Action::Offer(amount_of(40)));
        // At t = 0.99 its target is 0.585 + 0.415 · (1 - 0.99^20) = 0.6605: the best offer
        // received (70) is above it, so it offers 70 back rather than accept 40.
        assert_eq!(
            turn(&mut agent, &me, 0.99, Some(40), &mut rng),
            Action::Offer(amount_of(70))
        );
        // An offer as good as the least it has offered (70) is accepted.
        assert_eq!(
            turn(&mut agent, &me, 0.99, Some(70), &mut rng),
            Action::Accept
        );
        // Its model learnt from the offers it heard.
        assert!(agent.opponent_model().is_some());
    }
}
