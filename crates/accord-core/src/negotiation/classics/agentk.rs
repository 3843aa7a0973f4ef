//! `AgentK`, the winner of ANAC 2010.

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;

use super::BestReceived;
use crate::model::Package;
use crate::negotiation::negotiators::{acceptable, best_and_floor};
use crate::negotiation::{Action, Me, Negotiator, Offer, State};

/// `AgentK` ("agentk"), the winner of ANAC 2010, as its authors describe it: it estimates
/// the best utility the other parties will come to offer it from the statistics of their
/// offers, concedes towards that estimate by the deadline, and accepts an offer below its
/// target with a probability that grows with time and with the offer's closeness to the
/// estimate and the target.
///
/// - **Estimate.** With `μ` and `σ` the mean and standard deviation of its utilities of
///   the other parties' offers so far, the estimated maximum is
///   `emax = μ + (best - μ) · d`, where `d = min(1, √12 · σ)` is the width of a uniform
///   spread with that deviation. Before any offer, `emax = best`.
/// - **Target.** `τ(t) = best - (best - emax) · t^α` (α = 3 by default), never below
///   `floor`: it reaches `emax` at the deadline and never concedes beyond it, however
///   uncooperative the others are.
/// - **Acceptance.** It accepts an offer worth at least `τ(t)`; below, it accepts with
///   probability `P(t) = t⁵/5 + (u - emax) + (u - τ(t))`, clamped to `[0, 1]`, where `u`
///   is its utility of the offer ([`AgentK::acceptance_probability`]). Never across its
///   red lines or below its reservation value.
/// - **Offers.** When the best offer it has received is worth at least `τ(t)`, it offers
///   that back; otherwise a package drawn uniformly from those worth between `τ(t)` and
///   `τ(t) + window` (0.05) to itself (the least package at or above the target when none
///   lies there).
///
/// What was interpreted: the description's utilities run from 0 to 1; accord's run from
/// `floor` to `best`, so 1 reads `best`. The width factor `√12`, the constant α and the
/// window of the random search are accord's readings of the description, which adjusts
/// the speed of compromise without fixing it. An offer across its red lines counts as
/// worth 0 in the statistics.
#[derive(Debug, Clone)]
pub struct AgentK {
    /// The compromise exponent α.
    pub alpha: f64,
    /// How far above the target a random offer may go.
    pub window: f64,
    /// How many offers it has heard, and the sum and sum of squares of their utilities.
    count: u32,
    sum: f64,
    sum_sq: f64,
    best_received: BestReceived,
}

impl Default for AgentK {
    fn default() -> Self {
        Self {
            alpha: 3.0,
            window: 0.05,
            count: 0,
            sum: 0.0,
            sum_sq: 0.0,
            best_received: BestReceived::default(),
        }
    }
}

impl AgentK {
    /// The mean and (population) standard deviation of its utilities of the offers heard;
    /// `None` before any.
    #[must_use]
    pub fn statistics(&self) -> Option<(f64, f64)> {
        (self.count > 0).then(|| {
            let n = f64::from(self.count);
            let mean = self.sum / n;
            (mean, (self.sum_sq / n - mean * mean).max(0.0).sqrt())
        })
    }

    /// Its estimate `emax` of the best utility the others will offer it.
    #[must_use]
    pub fn estimated_max(&self, best: f64) -> f64 {
        let Some((mean, deviation)) = self.statistics() else {
            return best;
        };
        let width = (12.0_f64.sqrt() * deviation).min(1.0);
        (mean + (best - mean).max(0.0) * width).min(best)
    }

    /// Its target `τ(t)`, between `best` and `floor`.
    #[must_use]
    pub fn target(&self, best: f64, floor: f64, time: f64) -> f64 {
        let emax = self.estimated_max(best);
        (best - (best - emax) * time.clamp(0.0, 1.0).powf(self.alpha)).clamp(floor.min(best), best)
    }

    /// The probability that it accepts an offer worth `offered` to it at `time`: 1 at or
    /// above its target, else `t⁵/5 + (u - emax) + (u - τ(t))` clamped to `[0, 1]`.
    #[must_use]
    pub fn acceptance_probability(&self, offered: f64, best: f64, floor: f64, time: f64) -> f64 {
        let target = self.target(best, floor, time);
        if offered >= target {
            return 1.0;
        }
        let t = time.clamp(0.0, 1.0);
        (t.powi(5) / 5.0 + (offered - self.estimated_max(best)) + (offered - target))
            .clamp(0.0, 1.0)
    }

    /// The package it offers against `target`.
    fn next_offer(&self, me: &Me<'_>, target: f64, rng: &mut ChaCha8Rng) -> Package {
        if let Some((package, _)) = self.best_received.at_least(target) {
            return package;
        }
        let index = me.outcomes;
        let ranks = index.between(target, target + self.window.max(0.0));
        if ranks.is_empty() {
            index.at_least(target).0
        } else {
            index.package(rng.random_range(ranks))
        }
    }
}

impl Negotiator for AgentK {
    fn name(&self) -> &'static str {
        "agentk"
    }

    fn start(&mut self, _me: &Me<'_>) {
        (self.count, self.sum, self.sum_sq) = (0, 0.0, 0.0);
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
        if let Some(offered) = acceptable(me, standing) {
            let p = self.acceptance_probability(offered, best, floor, state.time);
            if p >= 1.0 || (p > 0.0 && rng.random::<f64>() < p) {
                return Action::Accept;
            }
        }
        let target = self.target(best, floor, state.time);
        Action::Offer(self.next_offer(me, target, rng))
    }

    fn observe(&mut self, me: &Me<'_>, _by: usize, action: &Action) {
        let Action::Offer(package) = action else {
            return;
        };
        // An offer across its red lines counts as worth 0.
        let utility = self.best_received.hear(me, package).unwrap_or(0.0);
        self.count += 1;
        self.sum += utility;
        self.sum_sq += utility * utility;
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng as _;

    use super::*;
    use crate::negotiation::negotiators::tests::{
        amount, amount_of, index, me, offered, position, turn,
    };

    /// `AgentK` after hearing offers of 20 and 40 (utilities 0.2 and 0.4): `μ` = 0.3,
    /// `σ` = 0.1, `emax` = 0.3 + 0.7 · √12 · 0.1.
    fn heard(me: &Me<'_>) -> AgentK {
        let mut agent = AgentK::default();
        agent.start(me);
        agent.observe(me, 1, &Action::Offer(amount_of(20)));
        agent.observe(me, 1, &Action::Offer(amount_of(40)));
        agent
    }

    #[test]
    fn agentk_estimates_the_maximum_and_targets_it_at_the_deadline() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let agent = heard(&me);
        let (mean, deviation) = agent.statistics().unwrap();
        assert!((mean - 0.3).abs() < 1e-12 && (deviation - 0.1).abs() < 1e-12);
        let emax = 0.3 + 0.7 * 12.0_f64.sqrt() * 0.1;
        assert!((agent.estimated_max(1.0) - emax).abs() < 1e-12);
        assert!((agent.target(1.0, 0.0, 0.0) - 1.0).abs() < 1e-12);
        assert!((agent.target(1.0, 0.0, 0.5) - (1.0 - (1.0 - emax) * 0.125)).abs() < 1e-12);
        assert!((agent.target(1.0, 0.0, 1.0) - emax).abs() < 1e-12);
        // Never below its floor.
        assert!((agent.target(1.0, 0.7, 1.0) - 0.7).abs() < 1e-12);
        // Before any offer it aims at its best.
        assert!((AgentK::default().target(1.0, 0.0, 1.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn agentk_accepts_with_the_published_probability() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let agent = heard(&me);
        let emax = 0.3 + 0.7 * 12.0_f64.sqrt() * 0.1;
        // At the deadline the target is emax ≈ 0.5425; an offer of 0.5:
        // P = 1/5 + 2 · (0.5 - emax) ≈ 0.115.
        let expected = 0.2 + 2.0 * (0.5 - emax);
        let p = agent.acceptance_probability(0.5, 1.0, 0.0, 1.0);
        assert!((p - expected).abs() < 1e-12, "{p} vs {expected}");
        assert!((0.1..0.13).contains(&p));
        // Half way, the same offer is far below the target: never accepted.
        assert_eq!(agent.acceptance_probability(0.5, 1.0, 0.0, 0.5), 0.0);
        // At or above the target: always.
        assert_eq!(agent.acceptance_probability(0.55, 1.0, 0.0, 1.0), 1.0);
        // In play, it accepts that offer at t = 1 about as often as P says.
        let trials = 4000;
        let mut accepted = 0;
        for seed in 0..trials {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut agent = heard(&me);
            if turn(&mut agent, &me, 1.0, Some(50), &mut rng) == Action::Accept {
                accepted += 1;
            }
        }
        let rate = f64::from(accepted) / trials as f64;
        assert!((rate - expected).abs() < 0.02, "{rate} vs {expected}");
    }

    #[test]
    fn agentk_offers_back_the_best_offer_above_its_target_or_a_package_near_it() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut agent = heard(&me);
        // Half way its target is 1 - (1 - emax) / 8 ≈ 0.943: it offers between 0.943 and
        // 0.993, and refuses the 40 on the table.
        let target = agent.target(1.0, 0.0, 0.5);
        for _ in 0..20 {
            let amount = offered(&turn(&mut agent, &me, 0.5, Some(40), &mut rng)).unwrap();
            let utility = amount as f64 / 100.0;
            assert!(
                utility >= target - 1e-12 && utility <= target + 0.05 + 1e-12,
                "{amount}"
            );
        }
        // After five offers of 30 and one of 70, its estimate at the deadline is
        // 0.367 + 0.633 · √12 · 0.149 ≈ 0.69: the 70 it heard is above it, so it offers 70
        // back rather than accept 30.
        let mut agent = AgentK::default();
        agent.start(&me);
        for amount in [30, 30, 30, 30, 30, 70] {
            agent.observe(&me, 1, &Action::Offer(amount_of(amount)));
        }
        let target = agent.target(1.0, 0.0, 1.0);
        assert!(target < 0.7 && target > 0.68, "{target}");
        assert_eq!(
            turn(&mut agent, &me, 1.0, Some(30), &mut rng),
            Action::Offer(amount_of(70))
        );
    }
}
