//! The stacked alternating offers protocol (SAOP), bilateral and multilateral, with the
//! semantics of GENIUS (Aydoğan et al. 2017, "Alternating offers protocols for multilateral
//! negotiation"): [`run_saop`] plays one session between [`Negotiator`]s and returns a
//! [`SaopOutcome`].
//!
//! **Turns.** The parties act in the order given; place 0 opens and must offer. Each next
//! party, in a cycle, either accepts the standing offer ([`Action::Accept`]), makes a
//! counter-offer ([`Action::Offer`]), which replaces the standing offer (its proposer's
//! acceptance is implied, every earlier acceptance is void), or walks away
//! ([`Action::End`]). The session ends in agreement on the standing offer as soon as every
//! party other than its proposer has accepted it in turn: `n - 1` consecutive accepts.
//!
//! **Rounds and time.** A round is every party acting once, from place 0. Before each
//! action the protocol computes the normalised time `t = deadline.time(round,
//! clock.elapsed())` ([`Deadline::time`]); when `t` reaches 1 (or the round reaches the
//! deadline in rounds) the session ends without agreement, before that action. A
//! negotiator acting sees that `t` in its [`State`].
//!
//! **Invalid actions.** Accepting when nothing stands (the opening move) and offering a
//! package the case does not admit ([`Case::admits`]) count as walking away: the session
//! ends without agreement and [`SaopOutcome::ended_by`] names the party. The protocol does
//! not check red lines: a party offers what it likes, and others accept what they value.
//! (The standard negotiators neither offer nor accept a package across their own red
//! lines, so an agreement between them clears every party's.)
//!
//! **Payoffs.** With an agreement `p` at end time `t`, each party gets its discounted
//! utility `u(p) * d^t`; without one, its discounted reservation value `r * d^t`
//! ([`Position::discount_factor`], [`Position::reservation_value`]).
//!
//! **What each negotiator hears.** [`Negotiator::start`] once, with its [`Me`] (the case's
//! points, its own position, `outcomes[place]`, its place and the number of parties);
//! [`Negotiator::act`] on its turn with its own [`ChaCha8Rng`], seeded from
//! `(options.seed, place)`; [`Negotiator::observe`] for every other party's valid action
//! (an accept of a standing offer, an offer of an admitted package, or an end), in order.
//! A session is therefore reproducible from its seed when the deadline is in rounds (or
//! the clock is [`crate::NoClock`]).
//!
//! **Input that does not fit** (fewer than two parties, `parties`, `negotiators` and
//! `outcomes` of different lengths, a party index out of range or a party without a
//! position, or a deadline with neither rounds nor seconds) returns an immediate
//! disagreement: no rounds, time 0, each party with a position getting its reservation
//! value (0 for the others), and `ended_by` `None`. It never panics. A deadline in seconds
//! only ends when the clock passes it: with a clock that never moves such a session only
//! ends by agreement or walking away (or after `u32::MAX` rounds).
//!
//! ```
//! use accord_core::*;
//!
//! let points = vec![Point::new("wage", PointKind::options(["low", "mid", "high"]))];
//! let scores = |s: [f64; 3]| Position::new(
//!     AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(s.to_vec())]).into());
//! let case = Case::new("wage", points, vec![
//!     Party::new("union", "Union", Role::Party).with_position(scores([0.0, 0.6, 1.0])),
//!     Party::new("employer", "Employer", Role::Party).with_position(scores([1.0, 0.7, 0.0])),
//! ]).unwrap();
//! let parties = case.negotiating_parties();
//! let indexes: Vec<OutcomeIndex> = parties
//!     .iter()
//!     .map(|&p| OutcomeIndex::new(case.points(), case.position(p).unwrap(),
//!                                 OutcomeIndex::DEFAULT_LIMIT, 0))
//!     .collect();
//! let outcomes: Vec<&OutcomeIndex> = indexes.iter().collect();
//! let mut negotiators = vec![negotiator("linear").unwrap(), negotiator("conceder").unwrap()];
//! let options = SaopOptions { deadline: Deadline::rounds(20), seed: 7, record: true };
//! let outcome = run_saop(&case, &parties, &mut negotiators, &outcomes, &options, &NoClock);
//! // Both concede towards "mid", the only package worth something to both.
//! assert_eq!(outcome.agreement, Some(Package(vec![Choice::Option(OptionIdx(1))])));
//! assert!(outcome.rounds <= 20);
//! // The last action recorded is the accept that closed the deal.
//! assert_eq!(outcome.trace.last().map(|step| &step.action), Some(&Action::Accept));
//! assert_eq!(outcome.ended_by, None);
//! ```

use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;

use crate::model::{Case, Package, PartyIdx};
use crate::negotiation::{Action, Clock, Deadline, Me, Negotiator, Offer, OutcomeIndex, State};
use crate::position::Position;

/// How a SAOP session runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaopOptions {
    /// When the session ends without agreement.
    pub deadline: Deadline,
    /// Seeds every negotiator's random generator (with its place).
    pub seed: u64,
    /// Whether to record every action in [`SaopOutcome::trace`].
    pub record: bool,
}

/// One action of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The round it was taken in, from 0.
    pub round: u32,
    /// The place of the party that took it.
    pub by: usize,
    /// What it did.
    pub action: Action,
    /// Normalised time when it acted.
    pub time: f64,
}

/// How a SAOP session ended.
#[derive(Debug, Clone, PartialEq)]
pub struct SaopOutcome {
    /// The package agreed, if any.
    pub agreement: Option<Package>,
    /// Per party in order of play: its discounted utility of the agreement at the end time
    /// (`u * d^t`), or without agreement its discounted reservation value (`r * d^t`).
    pub utilities: Vec<f64>,
    /// Rounds started.
    pub rounds: u32,
    /// Normalised time at the end.
    pub time: f64,
    /// The place of the party that walked away ([`Action::End`] or an invalid action).
    pub ended_by: Option<usize>,
    /// Every action, when [`SaopOptions::record`] is set; else empty.
    pub trace: Vec<Step>,
}

/// The seed of the random generator of the negotiator at `place`.
fn place_seed(seed: u64, place: usize) -> u64 {
    seed ^ (place as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Each party's position, when the input fits (see the module documentation).
fn positions<'a>(
    case: &'a Case,
    parties: &[PartyIdx],
    negotiators: &[Box<dyn Negotiator>],
    outcomes: &[&OutcomeIndex],
    deadline: &Deadline,
) -> Option<Vec<&'a Position>> {
    let n = parties.len();
    if n < 2
        || negotiators.len() != n
        || outcomes.len() != n
        || (deadline.rounds.is_none() && deadline.seconds.is_none())
    {
        return None;
    }
    parties
        .iter()
        .map(|&p| case.parties().get(p.0)?.position.as_ref())
        .collect()
}

/// Plays one SAOP session (see the module documentation for the rules).
///
/// `parties[place]` is played by `negotiators[place]`, which sees its packages through
/// `outcomes[place]`.
#[must_use]
pub fn run_saop(
    case: &Case,
    parties: &[PartyIdx],
    negotiators: &mut [Box<dyn Negotiator>],
    outcomes: &[&OutcomeIndex],
    options: &SaopOptions,
    clock: &dyn Clock,
) -> SaopOutcome {
    run_saop_watched(
        case,
        parties,
        negotiators,
        outcomes,
        options,
        clock,
        &mut |_, _| {},
    )
}

/// What [`run_saop_watched`] calls at the start of every round: the state, and the
/// negotiators in order of play.
pub type RoundWatch<'a> = dyn FnMut(&State, &[Box<dyn Negotiator>]) + 'a;

/// [`run_saop`], calling `watch` with the state and the negotiators at the start of every
/// round the session plays (before the first party acts): to measure the negotiators as
/// the session goes, say how well their opponent models learn.
#[must_use]
pub fn run_saop_watched(
    case: &Case,
    parties: &[PartyIdx],
    negotiators: &mut [Box<dyn Negotiator>],
    outcomes: &[&OutcomeIndex],
    options: &SaopOptions,
    clock: &dyn Clock,
    watch: &mut RoundWatch<'_>,
) -> SaopOutcome {
    let Some(positions) = positions(case, parties, negotiators, outcomes, &options.deadline) else {
        return SaopOutcome {
            agreement: None,
            utilities: parties
                .iter()
                .map(|&p| {
                    case.parties()
                        .get(p.0)
                        .and_then(|party| party.position.as_ref())
                        .map_or(0.0, |position| position.reservation_value)
                })
                .collect(),
            rounds: 0,
            time: 0.0,
            ended_by: None,
            trace: Vec::new(),
        };
    };
    let n = parties.len();
    let mes: Vec<Me<'_>> = positions
        .iter()
        .zip(outcomes)
        .enumerate()
        .map(|(place, (&position, &outcomes))| Me {
            points: case.points(),
            position,
            outcomes,
            place,
            n_parties: n,
        })
        .collect();
    let mut rngs: Vec<ChaCha8Rng> = (0..n)
        .map(|place| ChaCha8Rng::seed_from_u64(place_seed(options.seed, place)))
        .collect();
    for (negotiator, me) in negotiators.iter_mut().zip(&mes) {
        negotiator.start(me);
    }

    let mut standing: Option<Offer> = None;
    // Consecutive accepts of the standing offer.
    let mut accepts = 0;
    let mut trace = Vec::new();
    let mut rounds = 0;
    let mut agreement = None;
    let mut ended_by = None;
    let time = 'session: loop {
        let round = rounds;
        for place in 0..n {
            let time = options.deadline.time(round, clock.elapsed());
            if time >= 1.0 || options.deadline.rounds.is_some_and(|r| round >= r) {
                break 'session 1.0_f64.max(time);
            }
            let state = State { round, time };
            if place == 0 {
                rounds = round + 1;
                watch(&state, negotiators);
            }
            let action =
                negotiators[place].act(&mes[place], &state, standing.as_ref(), &mut rngs[place]);
            if options.record {
                trace.push(Step {
                    round,
                    by: place,
                    action: action.clone(),
                    time,
                });
            }
            let valid = match &action {
                Action::Accept => standing.is_some(),
                Action::Offer(package) => case.admits(package),
                Action::End => true,
            };
            if valid {
                for (other, negotiator) in negotiators.iter_mut().enumerate() {
                    if other != place {
                        negotiator.observe(&mes[other], place, &action);
                    }
                }
            }
            match action {
                Action::Offer(package) if valid => {
                    standing = Some(Offer { package, by: place });
                    accepts = 0;
                }
                Action::Accept if valid => {
                    accepts += 1;
                    if accepts + 1 == n {
                        agreement = standing.take().map(|offer| offer.package);
                        break 'session time;
                    }
                }
                _ => {
                    ended_by = Some(place);
                    break 'session time;
                }
            }
        }
        if rounds == u32::MAX {
            break options.deadline.time(rounds, clock.elapsed());
        }
    };
    let utilities = positions
        .iter()
        .map(|position| {
            let discount = position.discount_factor.powf(time);
            agreement
                .as_ref()
                .map_or(position.reservation_value, |package| {
                    position.utility(package)
                })
                * discount
        })
        .collect();
    SaopOutcome {
        agreement,
        utilities,
        rounds,
        time,
        ended_by,
        trace,
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::model::{Choice, OptionIdx, Party, Point, PointKind, Role};
    use crate::negotiation::NoClock;
    use crate::negotiation::negotiators::HardLiner;
    use crate::position::{AdditiveUtility, Evaluator};

    /// What a scripted negotiator heard: (its place, by, action).
    type Heard = Arc<Mutex<Vec<(usize, usize, Action)>>>;

    /// Plays the given actions in turn (then walks away) and writes down what it hears.
    struct Script {
        actions: std::vec::IntoIter<Action>,
        heard: Heard,
    }

    impl Negotiator for Script {
        fn name(&self) -> &'static str {
            "script"
        }

        fn act(
            &mut self,
            _me: &Me<'_>,
            _state: &State,
            _standing: Option<&Offer>,
            _rng: &mut ChaCha8Rng,
        ) -> Action {
            self.actions.next().unwrap_or(Action::End)
        }

        fn observe(&mut self, me: &Me<'_>, by: usize, action: &Action) {
            self.heard
                .lock()
                .unwrap()
                .push((me.place, by, action.clone()));
        }
    }

    /// Offer of option `k` of the one point "wage" (low, mid, high).
    fn offer(k: usize) -> Action {
        Action::Offer(wage(k))
    }

    fn wage(k: usize) -> Package {
        Package(vec![Choice::Option(OptionIdx(k))])
    }

    /// A party per `(scores of low, mid, high; reservation value; discount factor)`.
    fn case(parties: &[([f64; 3], f64, f64)]) -> Case {
        let points = vec![Point::new(
            "wage",
            PointKind::options(["low", "mid", "high"]),
        )];
        let parties = parties
            .iter()
            .enumerate()
            .map(|(k, (scores, reservation, discount))| {
                let mut position = Position::new(
                    AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(scores.to_vec())])
                        .into(),
                );
                position.reservation_value = *reservation;
                position.discount_factor = *discount;
                Party::new(format!("p{k}"), format!("P{k}"), Role::Party).with_position(position)
            })
            .collect();
        Case::new("wage", points, parties).unwrap()
    }

    /// Plays scripted parties (one script each) on `case`.
    fn session(
        case: &Case,
        scripts: Vec<Vec<Action>>,
        deadline: Deadline,
        clock: &dyn Clock,
    ) -> (SaopOutcome, Heard) {
        let heard = Heard::default();
        let mut negotiators: Vec<Box<dyn Negotiator>> = scripts
            .into_iter()
            .map(|actions| {
                Box::new(Script {
                    actions: actions.into_iter(),
                    heard: heard.clone(),
                }) as Box<dyn Negotiator>
            })
            .collect();
        let outcome = play(case, &mut negotiators, deadline, true, clock);
        (outcome, heard)
    }

    fn play(
        case: &Case,
        negotiators: &mut [Box<dyn Negotiator>],
        deadline: Deadline,
        record: bool,
        clock: &dyn Clock,
    ) -> SaopOutcome {
        let parties = case.negotiating_parties();
        let indexes: Vec<OutcomeIndex> = parties
            .iter()
            .map(|&p| {
                OutcomeIndex::new(
                    case.points(),
                    case.position(p).unwrap(),
                    OutcomeIndex::DEFAULT_LIMIT,
                    0,
                )
            })
            .collect();
        let outcomes: Vec<&OutcomeIndex> = indexes.iter().collect();
        let options = SaopOptions {
            deadline,
            seed: 1,
            record,
        };
        run_saop(case, &parties, negotiators, &outcomes, &options, clock)
    }

    /// Checks who acted, in which round and what, and the agreement.
    fn check(outcome: &SaopOutcome, expected: &[(u32, usize, Action)], agreement: Option<usize>) {
        let got: Vec<(u32, usize, Action)> = outcome
            .trace
            .iter()
            .map(|step| (step.round, step.by, step.action.clone()))
            .collect();
        assert_eq!(got, expected);
        assert_eq!(outcome.agreement, agreement.map(wage));
    }

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
        assert!(
            a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12),
            "{a:?} vs {b:?}"
        );
    }

    const UNION: [f64; 3] = [0.0, 0.6, 1.0];
    const EMPLOYER: [f64; 3] = [1.0, 0.7, 0.0];

    #[test]
    fn party_zero_opens_and_the_parties_act_in_turn() {
        let case = case(&[(UNION, 0.0, 1.0), (EMPLOYER, 0.0, 1.0)]);
        let (outcome, _) = session(
            &case,
            vec![vec![offer(2), offer(1)], vec![offer(0), Action::Accept]],
            Deadline::rounds(10),
            &NoClock,
        );
        // Round 0: 0 opens with high, 1 counters with low. Round 1: 0 offers mid, 1
        // accepts: two parties need one accept.
        check(
            &outcome,
            &[
                (0, 0, offer(2)),
                (0, 1, offer(0)),
                (1, 0, offer(1)),
                (1, 1, Action::Accept),
            ],
            Some(1),
        );
        assert_eq!(outcome.rounds, 2);
        assert_eq!(outcome.ended_by, None);
        // The accept came in round 1 of 10: t = 0.1, no discount.
        assert!((outcome.time - 0.1).abs() < 1e-12);
        close(&outcome.utilities, &[0.6, 0.7]);
        let times: Vec<f64> = outcome.trace.iter().map(|s| s.time).collect();
        close(&times, &[0.0, 0.0, 0.1, 0.1]);
    }

    #[test]
    fn three_parties_need_two_consecutive_accepts() {
        let case = case(&[(UNION, 0.0, 1.0), (EMPLOYER, 0.0, 1.0), (UNION, 0.0, 1.0)]);
        // 0 offers mid, 1 and 2 accept in turn: agreement within round 0.
        let (outcome, _) = session(
            &case,
            vec![vec![offer(1)], vec![Action::Accept], vec![Action::Accept]],
            Deadline::rounds(10),
            &NoClock,
        );
        check(
            &outcome,
            &[
                (0, 0, offer(1)),
                (0, 1, Action::Accept),
                (0, 2, Action::Accept),
            ],
            Some(1),
        );
        assert_eq!(outcome.rounds, 1);
        // One accept is not enough: after 1 accepts, 2 walks away.
        let (outcome, _) = session(
            &case,
            vec![vec![offer(1)], vec![Action::Accept], vec![Action::End]],
            Deadline::rounds(10),
            &NoClock,
        );
        assert_eq!(outcome.agreement, None);
        assert_eq!(outcome.ended_by, Some(2));
        close(&outcome.utilities, &[0.0, 0.0, 0.0]);
    }

    #[test]
    fn a_counter_offer_resets_the_acceptances() {
        let case = case(&[(UNION, 0.0, 1.0), (EMPLOYER, 0.0, 1.0), (UNION, 0.0, 1.0)]);
        // 0 offers low, 1 accepts, 2 counters with mid: 1's accept of low is void, and only
        // 2's own acceptance of mid is implied. Then 0 accepts mid (one accept) and 1
        // accepts (two): agreement on mid in round 1. Had 1's first accept counted, 0's
        // accept would have closed the deal.
        let (outcome, _) = session(
            &case,
            vec![
                vec![offer(0), Action::Accept],
                vec![Action::Accept, Action::Accept],
                vec![offer(1)],
            ],
            Deadline::rounds(10),
            &NoClock,
        );
        check(
            &outcome,
            &[
                (0, 0, offer(0)),
                (0, 1, Action::Accept),
                (0, 2, offer(1)),
                (1, 0, Action::Accept),
                (1, 1, Action::Accept),
            ],
            Some(1),
        );
        close(&outcome.utilities, &[0.6, 0.7, 0.6]);
    }

    #[test]
    fn accepting_when_nothing_stands_ends_the_session() {
        let case = case(&[(UNION, 0.3, 1.0), (EMPLOYER, 0.2, 1.0)]);
        let (outcome, heard) = session(
            &case,
            vec![vec![Action::Accept], vec![]],
            Deadline::rounds(10),
            &NoClock,
        );
        check(&outcome, &[(0, 0, Action::Accept)], None);
        assert_eq!(outcome.ended_by, Some(0));
        assert_eq!(outcome.rounds, 1);
        // Walking away at t = 0: the undiscounted reservation values.
        close(&outcome.utilities, &[0.3, 0.2]);
        // An invalid action is not heard by the others.
        assert!(heard.lock().unwrap().is_empty());
    }

    #[test]
    fn an_offer_the_case_does_not_admit_ends_the_session() {
        let case = case(&[(UNION, 0.0, 1.0), (EMPLOYER, 0.0, 1.0)]);
        // "wage" has 3 options: option 3 does not exist.
        let (outcome, _) = session(
            &case,
            vec![vec![offer(2)], vec![offer(3)]],
            Deadline::rounds(10),
            &NoClock,
        );
        assert_eq!(outcome.agreement, None);
        assert_eq!(outcome.ended_by, Some(1));
        assert_eq!(outcome.trace.len(), 2);
    }

    #[test]
    fn a_deadline_in_rounds_gives_disagreement_with_discounted_reservation_values() {
        // Two hardliners on opposed scores never agree.
        let case = case(&[(UNION, 0.3, 0.5), (EMPLOYER, 0.2, 0.9)]);
        let mut negotiators: Vec<Box<dyn Negotiator>> =
            vec![Box::new(HardLiner), Box::new(HardLiner)];
        let outcome = play(&case, &mut negotiators, Deadline::rounds(4), true, &NoClock);
        assert_eq!(outcome.agreement, None);
        assert_eq!(outcome.ended_by, None);
        // Rounds 0 to 3 are played, 2 actions each; at round 4 t = 1.
        assert_eq!(outcome.rounds, 4);
        assert_eq!(outcome.trace.len(), 8);
        assert_eq!(outcome.time, 1.0);
        // r * d^1: 0.3 * 0.5 and 0.2 * 0.9.
        close(&outcome.utilities, &[0.15, 0.18]);
        assert!(
            outcome
                .trace
                .iter()
                .all(|s| s.action == offer(if s.by == 0 { 2 } else { 0 }))
        );
    }

    #[test]
    fn a_deadline_of_zero_rounds_plays_nothing() {
        let case = case(&[(UNION, 0.3, 0.5), (EMPLOYER, 0.2, 0.9)]);
        let (outcome, _) = session(
            &case,
            vec![vec![offer(1)], vec![Action::Accept]],
            Deadline::rounds(0),
            &NoClock,
        );
        assert_eq!(outcome.rounds, 0);
        assert!(outcome.trace.is_empty());
        assert_eq!(outcome.time, 1.0);
        close(&outcome.utilities, &[0.15, 0.18]);
    }

    #[test]
    fn discount_factors_apply_to_the_agreement_at_the_end_time() {
        let case = case(&[(UNION, 0.0, 0.81), (EMPLOYER, 0.0, 0.64)]);
        // Agreement on mid when 1 accepts in round 2 of 4: t = 0.5, so the discounts are
        // 0.81^0.5 = 0.9 and 0.64^0.5 = 0.8.
        let (outcome, _) = session(
            &case,
            vec![
                vec![offer(2), offer(2), offer(1)],
                vec![offer(0), offer(0), Action::Accept],
            ],
            Deadline::rounds(4),
            &NoClock,
        );
        assert_eq!(outcome.agreement, Some(wage(1)));
        assert_eq!(outcome.rounds, 3);
        assert!((outcome.time - 0.5).abs() < 1e-12);
        close(&outcome.utilities, &[0.6 * 0.9, 0.7 * 0.8]);
    }

    #[test]
    fn the_trace_is_recorded_only_when_asked() {
        let case = case(&[(UNION, 0.0, 1.0), (EMPLOYER, 0.0, 1.0)]);
        let mut negotiators: Vec<Box<dyn Negotiator>> =
            vec![Box::new(HardLiner), Box::new(HardLiner)];
        let quiet = play(
            &case,
            &mut negotiators,
            Deadline::rounds(3),
            false,
            &NoClock,
        );
        assert!(quiet.trace.is_empty());
        let loud = play(&case, &mut negotiators, Deadline::rounds(3), true, &NoClock);
        assert_eq!(loud.trace.len(), 6);
        // Recording changes nothing else.
        assert_eq!(
            SaopOutcome {
                trace: Vec::new(),
                ..loud
            },
            quiet
        );
    }

    #[test]
    fn every_party_hears_every_other_partys_valid_action() {
        let case = case(&[(UNION, 0.0, 1.0), (EMPLOYER, 0.0, 1.0), (UNION, 0.0, 1.0)]);
        let (_, heard) = session(
            &case,
            vec![vec![offer(1)], vec![Action::Accept], vec![Action::End]],
            Deadline::rounds(10),
            &NoClock,
        );
        // (listener, speaker, action), listeners in place order after each action.
        assert_eq!(
            *heard.lock().unwrap(),
            vec![
                (1, 0, offer(1)),
                (2, 0, offer(1)),
                (0, 1, Action::Accept),
                (2, 1, Action::Accept),
                (0, 2, Action::End),
                (1, 2, Action::End),
            ]
        );
    }

    /// A clock that moves one second every time it is read.
    struct Ticking(Cell<f64>);

    impl Clock for Ticking {
        fn elapsed(&self) -> f64 {
            let now = self.0.get();
            self.0.set(now + 1.0);
            now
        }
    }

    #[test]
    fn a_deadline_in_seconds_reads_the_callers_clock() {
        let case = case(&[(UNION, 0.5, 1.0), (EMPLOYER, 0.5, 1.0)]);
        let mut negotiators: Vec<Box<dyn Negotiator>> =
            vec![Box::new(HardLiner), Box::new(HardLiner)];
        let deadline = Deadline {
            rounds: None,
            seconds: Some(5.0),
        };
        let outcome = play(
            &case,
            &mut negotiators,
            deadline,
            true,
            &Ticking(Cell::new(0.0)),
        );
        // The clock is read before each action: at 0, 1, 2, 3, 4 seconds the parties act;
        // at 5 the deadline has passed. Three rounds were started.
        let times: Vec<f64> = outcome.trace.iter().map(|s| s.time).collect();
        close(&times, &[0.0, 0.2, 0.4, 0.6, 0.8]);
        assert_eq!(outcome.rounds, 3);
        assert_eq!(outcome.time, 1.0);
        assert_eq!(outcome.agreement, None);
    }

    /// Input that does not fit: (parties, negotiators, indexes, options, expected
    /// utilities).
    type Unfit = (Vec<PartyIdx>, usize, usize, SaopOptions, Vec<f64>);

    #[test]
    fn input_that_does_not_fit_is_an_immediate_disagreement() {
        let mut case_parties = vec![
            Party::new("a", "A", Role::Party).with_position({
                let mut p = Position::new(
                    AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(UNION.to_vec())])
                        .into(),
                );
                p.reservation_value = 0.4;
                p
            }),
            Party::new("b", "B", Role::Party).with_position(Position::new(
                AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(EMPLOYER.to_vec())]).into(),
            )),
        ];
        case_parties.push(Party::new("o", "Observer", Role::Observer));
        let points = vec![Point::new(
            "wage",
            PointKind::options(["low", "mid", "high"]),
        )];
        let case = Case::new("wage", points, case_parties).unwrap();
        let index = OutcomeIndex::new(
            case.points(),
            case.position(PartyIdx(0)).unwrap(),
            OutcomeIndex::DEFAULT_LIMIT,
            0,
        );
        let rounds = SaopOptions {
            deadline: Deadline::rounds(10),
            seed: 0,
            record: true,
        };
        let no_deadline = SaopOptions {
            deadline: Deadline {
                rounds: None,
                seconds: None,
            },
            ..rounds
        };
        let hardliners = |n: usize| -> Vec<Box<dyn Negotiator>> {
            (0..n)
                .map(|_| Box::new(HardLiner) as Box<dyn Negotiator>)
                .collect()
        };
        let cases: Vec<Unfit> = vec![
            // Fewer negotiators than parties.
            (vec![PartyIdx(0), PartyIdx(1)], 1, 2, rounds, vec![0.4, 0.0]),
            // Fewer indexes than parties.
            (vec![PartyIdx(0), PartyIdx(1)], 2, 1, rounds, vec![0.4, 0.0]),
            // The observer has no position.
            (vec![PartyIdx(0), PartyIdx(2)], 2, 2, rounds, vec![0.4, 0.0]),
            // No such party.
            (vec![PartyIdx(0), PartyIdx(7)], 2, 2, rounds, vec![0.4, 0.0]),
            // One party alone.
            (vec![PartyIdx(0)], 1, 1, rounds, vec![0.4]),
            // No deadline at all.
            (
                vec![PartyIdx(0), PartyIdx(1)],
                2,
                2,
                no_deadline,
                vec![0.4, 0.0],
            ),
        ];
        for (parties, n_negotiators, n_indexes, options, utilities) in cases {
            let mut negotiators = hardliners(n_negotiators);
            let outcomes = vec![&index; n_indexes];
            let outcome = run_saop(
                &case,
                &parties,
                &mut negotiators,
                &outcomes,
                &options,
                &NoClock,
            );
            assert_eq!(
                outcome,
                SaopOutcome {
                    agreement: None,
                    utilities,
                    rounds: 0,
                    time: 0.0,
                    ended_by: None,
                    trace: Vec::new(),
                },
                "{parties:?}"
            );
        }
    }
}
