//! `Atlas3`, the winner of ANAC 2015 (multilateral).

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;

use crate::model::{Choice, Package};
use crate::negotiation::negotiators::{acceptable, best_and_floor};
use crate::negotiation::{Action, Me, Negotiator, Offer, State};

/// A package as a map key: each choice as 64 bits (a point has one kind of choice).
fn key(package: &Package) -> Vec<u64> {
    package
        .0
        .iter()
        .map(|choice| match *choice {
            Choice::Option(option) => option.0 as u64,
            Choice::Integer(value) => value as u64,
            Choice::Real(value) => value.to_bits(),
        })
        .collect()
}

/// A package some other party has offered or accepted.
#[derive(Debug, Clone)]
struct Supported {
    package: Package,
    /// Its utility to the negotiator.
    utility: f64,
    /// Which places have offered or accepted it.
    supporters: Vec<bool>,
}

/// `Atlas3` ("atlas3"), the winner of the multilateral ANAC 2015, after its authors'
/// description: until its final phase it never concedes below a *lower limit* found from
/// a game of conceding and insisting; it searches packages near its target that stay
/// close to what the others propose; and in the final phase, as its bar falls from that
/// limit to its floor, it offers, best first, the packages every other party has
/// supported.
///
/// - **Lower limit.** With `a` the utility to itself of the best package the toughest
///   other party has supported (offered or accepted; the least over the parties of each
///   one's best), and `r = floor`: in the two-by-two game where each side insists or
///   concedes (both insist: `r`; it insists and the others concede: `best`; it concedes:
///   `a`; both concede: halfway, `(best + a) / 2`), the mixed equilibrium has the others
///   concede with probability `q = 2 (a - r) / (best - 2r + a)`, and its expected utility
///   there, `E = r + q (best - r)`, is the lower limit ([`Atlas3::lower_limit`]). `E = r`
///   until every other party has supported a package worth more than `r`.
/// - **Target.** `τ(t) = best - (best - E) · t^k` (k = 3).
/// - **Offers.** Of the packages worth between `τ(t)` and `τ(t) + window` (0.02) to itself
///   (the 16 closest to the target), the one that shares the most point choices with the
///   others' latest offers (the least good for itself on a tie).
/// - **Final phase.** From `end` (t = 0.95) on, its bar falls linearly from `E` at `end`
///   to `floor` at the deadline ([`Atlas3::final_bar`]). Each package every other party
///   has supported is offered once, best first, as soon as the bar reaches it; otherwise
///   it offers near its target as before.
/// - **Acceptance.** It accepts an offer worth at least `τ(t)` or the package it would
///   offer next, and in the final phase any offer worth at least the bar; never across its
///   red lines or below its reservation value.
///
/// What was interpreted: the description derives the lower limit from a game of conceding
/// and insisting without fixing its payoffs for more than two parties; accord plays it
/// against the toughest other party, with the payoffs above. Its relative-utility search
/// reads here as the point-by-point closeness to the others' offers. The falling bar of
/// the final phase is accord's: with more than two parties a package every other party
/// supports is rare, and a lower limit held to the deadline leaves lucky parties holding
/// out against each other. k, the window and `end` are accord's.
#[derive(Debug, Clone)]
pub struct Atlas3 {
    /// The concession exponent k.
    pub exponent: f64,
    /// How far above the target an offer may go.
    pub window: f64,
    /// When the final phase starts, in normalised time.
    pub end: f64,
    /// The packages the others have supported, by key.
    supported: BTreeMap<Vec<u64>, Supported>,
    /// Each place's best utility (to the negotiator) among the packages it supported.
    best_from: Vec<Option<f64>>,
    /// Each place's latest offer.
    latest: Vec<Option<Package>>,
    /// The offer on the table.
    standing: Option<Package>,
    /// The keys of the supported packages it has offered in the final phase.
    offered_late: Vec<Vec<u64>>,
}

impl Default for Atlas3 {
    fn default() -> Self {
        Self {
            exponent: 3.0,
            window: 0.02,
            end: 0.95,
            supported: BTreeMap::new(),
            best_from: Vec::new(),
            latest: Vec::new(),
            standing: None,
            offered_late: Vec::new(),
        }
    }
}

impl Atlas3 {
    /// Its lower limit `E`, between `floor` and `best`, for the negotiator at `place`.
    #[must_use]
    pub fn lower_limit(&self, place: usize, best: f64, floor: f64) -> f64 {
        let r = floor.min(best);
        let a = self
            .best_from
            .iter()
            .enumerate()
            .filter(|&(p, _)| p != place)
            .map(|(_, u)| u.unwrap_or(r))
            .fold(f64::INFINITY, f64::min);
        if !a.is_finite() || a <= r {
            return r;
        }
        let a = a.min(best);
        let q = (2.0 * (a - r) / (best - 2.0 * r + a)).clamp(0.0, 1.0);
        r + q * (best - r)
    }

    /// Its target `τ(t)` above the lower limit `limit`.
    #[must_use]
    pub fn target(&self, best: f64, limit: f64, time: f64) -> f64 {
        best - (best - limit) * time.clamp(0.0, 1.0).powf(self.exponent)
    }

    /// What it accepts at `time` in the final phase: from the lower limit `limit` at `end`
    /// down to `floor` at the deadline; `limit` before the final phase.
    #[must_use]
    pub fn final_bar(&self, limit: f64, floor: f64, time: f64) -> f64 {
        if time < self.end || self.end >= 1.0 {
            return limit;
        }
        let share = ((time - self.end) / (1.0 - self.end)).clamp(0.0, 1.0);
        limit - (limit - floor).max(0.0) * share
    }

    /// Party `by` supports `package`.
    fn support(&mut self, me: &Me<'_>, by: usize, package: &Package) {
        if by >= self.best_from.len() || !me.position.clears_red_lines(package) {
            return;
        }
        let utility = me.utility(package);
        let entry = self
            .supported
            .entry(key(package))
            .or_insert_with(|| Supported {
                package: package.clone(),
                utility,
                supporters: vec![false; me.n_parties],
            });
        entry.supporters[by] = true;
        let best = &mut self.best_from[by];
        if best.is_none_or(|u| utility > u) {
            *best = Some(utility);
        }
    }

    /// The best package every other party has supported, worth at least `bar`, that it
    /// has not offered in the final phase yet.
    fn late_offer(&self, me: &Me<'_>, bar: f64) -> Option<(Vec<u64>, Package, f64)> {
        self.supported
            .iter()
            .filter(|(k, s)| {
                s.utility >= bar
                    && s.supporters
                        .iter()
                        .enumerate()
                        .all(|(p, &yes)| yes || p == me.place)
                    && !self.offered_late.contains(k)
            })
            .max_by(|a, b| a.1.utility.total_cmp(&b.1.utility))
            .map(|(k, s)| (k.clone(), s.package.clone(), s.utility))
    }

    /// Of the packages near `target`, the one closest to the others' latest offers.
    fn near_offer(&self, me: &Me<'_>, target: f64) -> (Package, f64) {
        let index = me.outcomes;
        let ranks = index.between(target, target + self.window.max(0.0));
        if ranks.len() <= 1 {
            return index.at_least(target);
        }
        let end = ranks.end.min(ranks.start + crate::MODEL_CANDIDATES);
        let closeness = |package: &Package| -> usize {
            self.latest
                .iter()
                .enumerate()
                .filter(|&(p, _)| p != me.place)
                .filter_map(|(_, offer)| offer.as_ref())
                .map(|offer| {
                    offer
                        .0
                        .iter()
                        .zip(&package.0)
                        .filter(|(a, b)| a == b)
                        .count()
                })
                .sum()
        };
        let mut chosen: Option<(usize, Package)> = None;
        for rank in ranks.start..end {
            let package = index.package(rank);
            let close = closeness(&package);
            if chosen.as_ref().is_none_or(|(c, _)| close > *c) {
                chosen = Some((close, package));
            }
        }
        let package = chosen.map_or_else(|| index.package(ranks.start), |(_, p)| p);
        let utility = me.utility(&package);
        (package, utility)
    }
}

impl Negotiator for Atlas3 {
    fn name(&self) -> &'static str {
        "atlas3"
    }

    fn start(&mut self, me: &Me<'_>) {
        self.supported.clear();
        self.best_from = vec![None; me.n_parties];
        self.latest = vec![None; me.n_parties];
        self.standing = None;
        self.offered_late.clear();
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
        let limit = self.lower_limit(me.place, best, floor);
        let target = self.target(best, limit, state.time);
        let late = state.time >= self.end;
        let bar = self.final_bar(limit, floor, state.time);
        let mut next = self.near_offer(me, target);
        if late && let Some((key, package, utility)) = self.late_offer(me, bar) {
            self.offered_late.push(key);
            next = (package, utility);
        }
        if acceptable(me, standing)
            .is_some_and(|u| u >= target || u >= next.1 || (late && u >= bar))
        {
            return Action::Accept;
        }
        self.standing = Some(next.0.clone());
        Action::Offer(next.0)
    }

    fn observe(&mut self, me: &Me<'_>, by: usize, action: &Action) {
        match action {
            Action::Offer(package) => {
                self.support(me, by, package);
                if let Some(slot) = self.latest.get_mut(by) {
                    *slot = Some(package.clone());
                }
                self.standing = Some(package.clone());
            }
            Action::Accept => {
                if let Some(package) = self.standing.clone() {
                    self.support(me, by, &package);
                }
            }
            Action::End => {}
        }
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
    fn atlas3_lower_limit_is_the_equilibrium_of_conceding_and_insisting() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut agent = Atlas3::default();
        agent.start(&me);
        // Nothing supported yet: the floor.
        assert_eq!(agent.lower_limit(0, 1.0, 0.0), 0.0);
        // The other offered 50: q = 2 · 0.5 / 1.5 = 2/3, E = 2/3.
        agent.observe(&me, 1, &Action::Offer(amount_of(50)));
        assert!((agent.lower_limit(0, 1.0, 0.0) - 2.0 / 3.0).abs() < 1e-12);
        // With a reservation value of 0.2: q = 2 · 0.3 / 1.1, E = 0.2 + 0.8 q.
        let q = 0.6 / 1.1;
        assert!((agent.lower_limit(0, 1.0, 0.2) - (0.2 + 0.8 * q)).abs() < 1e-12);
        // The target descends to E at the deadline as t³.
        let e = 2.0 / 3.0;
        assert!((agent.target(1.0, e, 0.5) - (1.0 - (1.0 - e) / 8.0)).abs() < 1e-12);
        assert!((agent.target(1.0, e, 1.0) - e).abs() < 1e-12);
    }

    #[test]
    fn atlas3_plays_against_the_toughest_of_several_parties() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let mut me = me(&points, &position, &index);
        me.n_parties = 3;
        let mut agent = Atlas3::default();
        agent.start(&me);
        agent.observe(&me, 1, &Action::Offer(amount_of(80)));
        // Party 2 has supported nothing: the limit stays at the floor.
        assert_eq!(agent.lower_limit(0, 1.0, 0.0), 0.0);
        // Party 2 accepts 80: the toughest best is now 80.
        agent.observe(&me, 2, &Action::Accept);
        let q = 1.6 / 1.8;
        assert!((agent.lower_limit(0, 1.0, 0.0) - q).abs() < 1e-12);
        // Party 2 offers 90 too: the toughest is still party 1, at 80.
        agent.observe(&me, 2, &Action::Offer(amount_of(90)));
        assert!((agent.lower_limit(0, 1.0, 0.0) - q).abs() < 1e-12);
    }

    #[test]
    fn atlas3_offers_what_everyone_supported_in_the_final_phase_best_first() {
        let points = amount();
        let position = position(true, 0.0);
        let index = index(&points, &position);
        let me = me(&points, &position, &index);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut agent = Atlas3::default();
        agent.start(&me);
        for amount in [10, 30, 20] {
            agent.observe(&me, 1, &Action::Offer(amount_of(amount)));
        }
        // E = 2 · 0.3 / 1.3 ≈ 0.46. Before the final phase it holds near its target.
        let e = 0.6 / 1.3;
        let target = agent.target(1.0, e, 0.5);
        let amount = offered(&turn(&mut agent, &me, 0.5, Some(20), &mut rng)).unwrap();
        assert!(amount as f64 / 100.0 >= target - 1e-12, "{amount}");
        // In the final phase its bar falls from E at 0.95 to the floor at 1: E · 0.8 ≈
        // 0.369 at t = 0.96, E · 0.6 ≈ 0.277 at 0.97, E · 0.2 ≈ 0.092 at 0.99.
        assert!((agent.final_bar(e, 0.0, 0.96) - 0.8 * e).abs() < 1e-12);
        assert!((agent.final_bar(e, 0.0, 0.97) - 0.6 * e).abs() < 1e-12);
        assert_eq!(agent.final_bar(e, 0.0, 0.5), e);
        let near_target = |agent: &mut Atlas3, rng: &mut ChaCha8Rng, time: f64| {
            let amount = offered(&turn(agent, &me, time, Some(5), rng)).unwrap();
            assert!(
                amount as f64 / 100.0 >= agent.target(1.0, e, time) - 1e-12,
                "{amount}"
            );
        };
        // At 0.96 nothing the other supported reaches the bar: it offers near its target.
        near_target(&mut agent, &mut rng, 0.96);
        // At 0.97 the bar (0.277) reaches 30, offered once; 20 and 10 are still below.
        assert_eq!(
            offered(&turn(&mut agent, &me, 0.97, Some(5), &mut rng)),
            Some(30)
        );
        near_target(&mut agent, &mut rng, 0.97);
        // At 0.99 (bar 0.092): 20, then 10, then its target again.
        for expected in [20, 10] {
            assert_eq!(
                offered(&turn(&mut agent, &me, 0.99, Some(5), &mut rng)),
                Some(expected)
            );
        }
        near_target(&mut agent, &mut rng, 0.99);
        // It accepts anything worth at least the bar.
        assert_eq!(
            turn(&mut agent, &me, 0.96, Some(37), &mut rng),
            Action::Accept
        );
        assert!(offered(&turn(&mut agent, &me, 0.96, Some(36), &mut rng)).is_some());
        assert!(offered(&turn(&mut agent, &me, 0.99, Some(9), &mut rng)).is_some());
        assert_eq!(
            turn(&mut agent, &me, 0.99, Some(10), &mut rng),
            Action::Accept
        );
    }
}
