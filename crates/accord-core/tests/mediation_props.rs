//! Property tests of [`run_single_text`] on small generated additive cases with red lines:
//! hill-climbers under the veto rule never lose along the trace, the final text keeps
//! clearing every red line the start cleared, and a run is reproducible from its seed.

mod common;

use accord_core::{
    AdditiveUtility, Case, Choice, Evaluator, MediationOptions, MediationOutcome, MediatorRule,
    OptionIdx, Package, Point, PointKind, Position, Voter, run_single_text,
};
use proptest::prelude::*;

use common::RedLineSpec;
/// A party: weights and scores per point (the last point is an integer range scored
/// linearly by a slope), red lines on the options points.
type PartySpec = (Vec<f64>, Vec<Vec<f64>>, f64, Vec<RedLineSpec>);

/// Options points, an integer range `0..=range`, additive parties, a start and a seed.
#[derive(Debug, Clone)]
struct Spec {
    radix: Vec<usize>,
    range: i64,
    parties: Vec<PartySpec>,
    start: (Vec<usize>, i64),
    seed: u64,
}

/// 1 to 4 options points of 2 to 4 options plus an integer range of 1 to 6 values, and 2
/// to 4 parties with up to 2 red lines each. Weights are eighths and scores quarters, so
/// ties (and zero changes, which a hill-climber accepts) are common.
fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(2usize..=4, 1..=4),
        0i64..=5,
        2usize..=4,
    )
        .prop_flat_map(|(radix, range, n_parties)| {
            let n_points = radix.len();
            let party = (
                prop::collection::vec((1u8..=4).prop_map(|k| f64::from(k) / 8.0), n_points + 1),
                radix
                    .iter()
                    .map(|&r| prop::collection::vec((0u8..=4).prop_map(|k| f64::from(k) / 4.0), r))
                    .collect::<Vec<_>>(),
                (-2i8..=2).prop_map(|k| f64::from(k) / 8.0),
                prop::collection::vec(
                    (
                        0..n_points,
                        0usize..4,
                        prop::option::of((0..n_points, 0usize..4)),
                    ),
                    0..=2,
                ),
            );
            (
                prop::collection::vec(party, n_parties),
                (prop::collection::vec(0usize..4, n_points), 0..=range),
                any::<u64>(),
            )
                .prop_map(move |(parties, start, seed)| Spec {
                    radix: radix.clone(),
                    range,
                    parties,
                    start,
                    seed,
                })
        })
}

fn build(spec: &Spec) -> (Case, Package) {
    let mut points: Vec<Point> = spec
        .radix
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            Point::new(
                format!("p{i}"),
                PointKind::options((0..r).map(|k| format!("o{k}"))),
            )
        })
        .collect();
    points.push(Point::new("days", PointKind::integer(0, spec.range)));
    let parties = spec
        .parties
        .iter()
        .enumerate()
        .map(|(k, (weights, scores, slope, red_lines))| {
            let mut evaluators: Vec<Evaluator> = scores
                .iter()
                .map(|s| Evaluator::Options(s.clone()))
                .collect();
            evaluators.push(Evaluator::Linear {
                origin: 0.0,
                offset: if *slope < 0.0 { 1.0 } else { 0.0 },
                slope: *slope,
            });
            let mut position =
                Position::new(AdditiveUtility::new(weights.clone(), evaluators).into());
            position.red_lines.extend(
                red_lines
                    .iter()
                    .map(|&r| common::red_line(&points, &spec.radix, r)),
            );
            common::party(k, position)
        })
        .collect();
    let mut start: Vec<Choice> = spec
        .start
        .0
        .iter()
        .zip(&spec.radix)
        .map(|(&o, &r)| Choice::Option(OptionIdx(o % r)))
        .collect();
    start.push(Choice::Integer(spec.start.1));
    let case = Case::new("generated", points, parties).expect("generated cases are valid");
    (case, Package(start))
}

fn mediate(case: &Case, start: &Package, options: &MediationOptions) -> MediationOutcome {
    run_single_text(case, &case.negotiating_parties(), start, options)
}

fn options(seed: u64) -> MediationOptions {
    MediationOptions {
        steps: 60,
        voters: vec![Voter::HillClimber],
        rule: MediatorRule::Veto,
        seed,
        record: true,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn hill_climbers_under_veto_never_lose(spec in spec()) {
        let (case, start) = build(&spec);
        let parties = case.negotiating_parties();
        let outcome = mediate(&case, &start, &options(spec.seed));
        prop_assert_eq!(outcome.steps, 60);
        prop_assert_eq!(outcome.trace.len(), 60);
        let mut text = start.clone();
        let mut now = case.utilities(&parties, &text);
        for step in &outcome.trace {
            // The proposal changes exactly one point of the text.
            let changed = text.0.iter().zip(&step.proposal.0).filter(|(a, b)| a != b).count();
            prop_assert_eq!(changed, 1);
            if step.adopted {
                prop_assert!(step.votes.iter().all(|&v| v));
                let then = case.utilities(&parties, &step.proposal);
                for ((a, b), &party) in now.iter().zip(&then).zip(&parties) {
                    // A party may lose only for a change that clears one of its red lines.
                    let red_lines = &case.position(party).unwrap().red_lines;
                    let clears_one = red_lines
                        .iter()
                        .any(|r| r.is_crossed_by(&text) && !r.is_crossed_by(&step.proposal));
                    prop_assert!(b >= a || clears_one, "{:?} -> {:?}", now, then);
                }
                text = step.proposal.clone();
                now = then;
            }
        }
        prop_assert_eq!(&text, &outcome.text);
        prop_assert_eq!(&now, &outcome.utilities);
    }

    #[test]
    fn the_final_text_clears_every_red_line_the_start_cleared(spec in spec()) {
        let (case, start) = build(&spec);
        let hot = Voter::Annealer { initial_temperature: 1.0 };
        for (voters, rule) in [
            (vec![Voter::HillClimber], MediatorRule::Veto),
            (vec![hot], MediatorRule::Veto),
            (vec![Voter::HillClimber, hot], MediatorRule::Annealing { initial_temperature: 2.0 }),
        ] {
            let outcome = mediate(&case, &start, &MediationOptions {
                voters,
                rule,
                ..options(spec.seed)
            });
            for party in case.negotiating_parties() {
                let position = case.position(party).unwrap();
                if position.clears_red_lines(&start) {
                    prop_assert!(position.clears_red_lines(&outcome.text));
                }
            }
            // Whatever the rule, an adopted text crosses no red line the text before it
            // cleared.
            let mut text = start.clone();
            for step in outcome.trace.iter().filter(|s| s.adopted) {
                for party in case.negotiating_parties() {
                    for r in &case.position(party).unwrap().red_lines {
                        prop_assert!(!r.is_crossed_by(&step.proposal) || r.is_crossed_by(&text));
                    }
                }
                text = step.proposal.clone();
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_outcome(spec in spec()) {
        let (case, start) = build(&spec);
        for (voters, rule) in [
            (vec![Voter::HillClimber], MediatorRule::Veto),
            (
                vec![Voter::Annealer { initial_temperature: 0.5 }, Voter::HillClimber],
                MediatorRule::Annealing { initial_temperature: 1.0 },
            ),
        ] {
            let options = MediationOptions { voters, rule, ..options(spec.seed) };
            let first = mediate(&case, &start, &options);
            prop_assert_eq!(&mediate(&case, &start, &options), &first);
            // Without a trace, the same text.
            let quiet = mediate(&case, &start, &MediationOptions { record: false, ..options });
            prop_assert!(quiet.trace.is_empty());
            prop_assert_eq!(&quiet.text, &first.text);
            prop_assert_eq!(quiet.adopted, first.adopted);
        }
    }
}
