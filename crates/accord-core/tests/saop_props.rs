//! Property tests of [`run_saop`] with the standard negotiators and BOA compositions (every
//! offering strategy, acceptance condition and opponent model) on small generated additive
//! cases: sessions are reproducible from their seed, an agreement is one every party
//! accepted (its proposer by offering it, every other party by an accept in turn), the
//! payoffs are the discounted utilities of the outcome, and the deadline holds.

mod common;

use accord_core::{
    Action, Case, Deadline, NEGOTIATORS, Negotiator, NegotiatorSpec, NoClock, OptionIdx,
    OutcomeIndex, PartyIdx, PointIdx, Position, RedLine, SaopOptions, SaopOutcome, TrueProfiles,
    run_saop,
};

/// BOA compositions covering every component, beside the standard negotiators.
const COMPOSITIONS: &[&str] = &[
    "boa(offering=boulware, acceptance=combi-max-w, model=frequency)",
    "boa(offering=time-dependent(e=1.5, window=0.1), acceptance=combi-avg-w(t=0.5), model=bayesian)",
    "boa(offering=conceder, acceptance=prev(a=1.1, b=-0.05), model=perfect)",
    "boa(offering=hardliner, acceptance=time(t=0.5))",
    "boa(offering=random, acceptance=const(c=0.3), model=frequency(learn=1))",
    "boa(offering=linear:window=0.3, acceptance=next:a=0.9:b=0.1, model=perfect)",
];

/// The negotiator of index `k`: standard ones first, then the compositions.
fn name(k: usize) -> &'static str {
    NEGOTIATORS
        .get(k)
        .copied()
        .unwrap_or_else(|| COMPOSITIONS[k - NEGOTIATORS.len()])
}
use proptest::prelude::*;

/// A party: weights, scores per point, reservation value, discount factor, forbidden
/// (point, option).
type PartySpec = (Vec<f64>, Vec<Vec<f64>>, f64, f64, Option<(usize, usize)>);

#[derive(Debug, Clone)]
struct Spec {
    radix: Vec<usize>,
    parties: Vec<PartySpec>,
    /// Negotiator of each party, as an index into `NEGOTIATORS` then `COMPOSITIONS`.
    lineup: Vec<usize>,
    rounds: u32,
    seed: u64,
}

/// 1 to 3 points of 2 to 4 options, 2 or 3 parties; weights in eighths, scores in quarters
/// and reservation values in tenths, so ties are common.
fn spec() -> impl Strategy<Value = Spec> {
    (prop::collection::vec(2usize..=4, 1..=3), 2usize..=3).prop_flat_map(|(radix, n_parties)| {
        let n_points = radix.len();
        let party = (
            prop::collection::vec((1u8..=4).prop_map(|k| f64::from(k) / 8.0), n_points),
            radix
                .iter()
                .map(|&r| prop::collection::vec((0u8..=4).prop_map(|k| f64::from(k) / 4.0), r))
                .collect::<Vec<_>>(),
            (0u8..=6).prop_map(|k| f64::from(k) / 10.0),
            prop::sample::select(vec![1.0, 0.9, 0.5]),
            prop::option::weighted(0.3, (0..n_points, 0usize..4)),
        );
        (
            prop::collection::vec(party, n_parties),
            prop::collection::vec(0..NEGOTIATORS.len() + COMPOSITIONS.len(), n_parties),
            1u32..=30,
            any::<u64>(),
        )
            .prop_map(move |(parties, lineup, rounds, seed)| Spec {
                radix: radix.clone(),
                parties,
                lineup,
                rounds,
                seed,
            })
    })
}

fn build(spec: &Spec) -> Case {
    let points = common::option_points(&spec.radix);
    let parties = spec
        .parties
        .iter()
        .enumerate()
        .map(|(k, (weights, scores, reservation, discount, forbidden))| {
            let mut position = common::additive(weights, scores);
            position.reservation_value = *reservation;
            position.discount_factor = *discount;
            if let Some((point, option)) = *forbidden {
                let option = option % spec.radix[point];
                position.red_lines.push(RedLine::forbid(
                    &points[point],
                    PointIdx(point),
                    &[OptionIdx(option)],
                ));
            }
            common::party(k, position)
        })
        .collect();
    Case::new("generated", points, parties).unwrap()
}

fn play(spec: &Spec, case: &Case, parties: &[PartyIdx], indexes: &[OutcomeIndex]) -> SaopOutcome {
    let profiles = TrueProfiles::new(case, parties).unwrap();
    let mut negotiators: Vec<Box<dyn Negotiator>> = spec
        .lineup
        .iter()
        .map(|&k| {
            NegotiatorSpec::parse(name(k))
                .unwrap()
                .build(Some(&profiles))
                .unwrap()
        })
        .collect();
    let outcomes: Vec<&OutcomeIndex> = indexes.iter().collect();
    let options = SaopOptions {
        deadline: Deadline::rounds(spec.rounds),
        seed: spec.seed,
        record: true,
    };
    run_saop(
        case,
        parties,
        &mut negotiators,
        &outcomes,
        &options,
        &NoClock,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sessions_are_reproducible_and_agreements_accepted_by_all(spec in spec()) {
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let n = parties.len();
        let indexes: Vec<OutcomeIndex> = parties
            .iter()
            .map(|&p| OutcomeIndex::new(case.points(), case.position(p).unwrap(),
                                        OutcomeIndex::DEFAULT_LIMIT, 0))
            .collect();
        let outcome = play(&spec, &case, &parties, &indexes);

        // The same seed gives the same session, action for action.
        prop_assert_eq!(&play(&spec, &case, &parties, &indexes), &outcome);

        // The deadline holds.
        prop_assert!(outcome.rounds <= spec.rounds);
        prop_assert!(outcome.trace.len() <= outcome.rounds as usize * n);
        prop_assert!((0.0..=1.0).contains(&outcome.time));
        prop_assert!(outcome.trace.iter().all(|step| step.time < 1.0));

        // The standard and BOA negotiators walk away only when every package crosses one of
        // their red lines.
        if let Some(place) = outcome.ended_by {
            prop_assert!(indexes[place].is_empty());
            prop_assert_eq!(&outcome.agreement, &None);
        }

        let positions: Vec<&Position> =
            parties.iter().map(|&p| case.position(p).unwrap()).collect();
        if let Some(agreement) = &outcome.agreement {
            // The last n steps: the offer of the agreement by its proposer, then an
            // accept by each other party in turn.
            prop_assert!(outcome.trace.len() >= n);
            let last = &outcome.trace[outcome.trace.len() - n..];
            prop_assert_eq!(&last[0].action, &Action::Offer(agreement.clone()));
            let proposer = last[0].by;
            for (k, step) in last[1..].iter().enumerate() {
                prop_assert_eq!(&step.action, &Action::Accept);
                prop_assert_eq!(step.by, (proposer + k + 1) % n);
                // No negotiator accepts less than its reservation value, or a
                // package across one of its red lines.
                prop_assert!(
                    positions[step.by].utility(agreement)
                        >= positions[step.by].reservation_value
                );
                prop_assert!(positions[step.by].clears_red_lines(agreement));
            }
            prop_assert!(case.admits(agreement));
            // The proposer offered a package of its own index: it clears its red lines.
            prop_assert!(positions[proposer].clears_red_lines(agreement));
            prop_assert_eq!(outcome.ended_by, None);
            for (place, position) in positions.iter().enumerate() {
                let expected = position.discounted_utility(agreement, outcome.time);
                prop_assert!((outcome.utilities[place] - expected).abs() < 1e-12);
            }
        } else {
            for (place, position) in positions.iter().enumerate() {
                let expected = position.reservation_value
                    * position.discount_factor.powf(outcome.time);
                prop_assert!((outcome.utilities[place] - expected).abs() < 1e-12);
            }
            if outcome.ended_by.is_none() {
                // Without agreement or walking away, the deadline ended it.
                prop_assert_eq!(outcome.rounds, spec.rounds);
                prop_assert_eq!(outcome.time, 1.0);
            }
        }
    }
}
