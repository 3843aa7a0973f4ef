//! Opponent models and BOA compositions, from the outside: what the models learn from a
//! party's offers, how their quality is measured, how a model steers an offer, and how
//! compositions are named.

mod common;

use accord_core::{
    Acceptance, BayesianModel, Case, Choice, FrequencyModel, Me, ModelChoice, ModelSample,
    NegotiatorSpec, Offering, OfferingStrategy, OpponentModel, OptionIdx, OutcomeIndex, Package,
    PartyIdx, PerfectModel, State, TrueProfiles, model_quality,
};
use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;

/// Four points of five options; party 0 rates options by their index on every point, with
/// weights 0.1, 0.2, 0.3 and 0.4; party 1 the other way round, with weights 0.4, 0.3, 0.2
/// and 0.1.
fn case() -> Case {
    let radix = [5, 5, 5, 5];
    let up: Vec<f64> = (0..5).map(|k| f64::from(k) / 4.0).collect();
    let down: Vec<f64> = up.iter().rev().copied().collect();
    let me = common::additive(&[0.1, 0.2, 0.3, 0.4], &vec![up; 4]);
    let them = common::additive(&[0.4, 0.3, 0.2, 0.1], &vec![down; 4]);
    Case::new(
        "models",
        common::option_points(&radix),
        vec![common::party(0, me), common::party(1, them)],
    )
    .unwrap()
}

fn package(values: [usize; 4]) -> Package {
    Package(
        values
            .iter()
            .map(|&v| Choice::Option(OptionIdx(v)))
            .collect(),
    )
}

fn ranking(weights: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]));
    order
}

struct Seat {
    case: Case,
    index: OutcomeIndex,
}

impl Seat {
    fn new() -> Self {
        let case = case();
        let index = OutcomeIndex::new(
            case.points(),
            case.position(PartyIdx(0)).unwrap(),
            OutcomeIndex::DEFAULT_LIMIT,
            0,
        );
        Self { case, index }
    }

    fn me(&self) -> Me<'_> {
        Me {
            points: self.case.points(),
            position: self.case.position(PartyIdx(0)).unwrap(),
            outcomes: &self.index,
            place: 0,
            n_parties: 2,
        }
    }
}

/// The offers of a party that concedes on its least important points first: point 3
/// changes at every offer, point 2 every third, point 1 every ninth, point 0 never.
fn conceding_offers() -> Vec<Package> {
    (0..27)
        .map(|k: usize| package([0, (k / 9) % 5, (k / 3) % 5, k % 5]))
        .collect()
}

#[test]
fn frequency_weights_converge_to_the_true_ranking() {
    let seat = Seat::new();
    let me = seat.me();
    let mut model = FrequencyModel::default();
    model.start(&me);
    // Before any offer, every point weighs the same.
    assert_eq!(model.weights(1), vec![0.25; 4]);
    for (k, offer) in conceding_offers().iter().enumerate() {
        model.update(&me, 1, offer, k as f64 / 30.0);
    }
    let weights = model.weights(1);
    assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert_eq!(ranking(&weights), [0, 1, 2, 3], "{weights:?}");
    // The value it always offered scores highest.
    assert!(model.utility(1, &package([0, 0, 0, 0])) > model.utility(1, &package([4, 0, 0, 0])));
    // Another party, never heard, is unknown.
    assert_eq!(model.utility(0, &package([0, 0, 0, 0])), 0.0);
}

#[test]
fn the_bayesian_model_learns_the_shapes_and_follows_the_truth() {
    let seat = Seat::new();
    let me = seat.me();
    let mut model = BayesianModel::default();
    model.start(&me);
    let offers = conceding_offers();
    let n = offers.len() as f64;
    for (k, offer) in offers.iter().enumerate() {
        model.update(&me, 1, offer, k as f64 / n);
    }
    let weights = model.weights(1);
    assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // The point it conceded on last outweighs the one it conceded on at every offer.
    assert!(weights[1] > weights[3], "{weights:?}");
    // The party rates options downhill: the first option of the most important point beats
    // the last.
    assert!(model.utility(1, &package([0, 2, 2, 2])) > model.utility(1, &package([4, 2, 2, 2])));
    // Its estimates follow the truth over the whole domain.
    let sample = ModelSample::new(&seat.case, &[PartyIdx(0), PartyIdx(1)], 0).unwrap();
    assert_eq!(sample.len(), 625);
    let quality = model_quality(&model, 0, &sample).unwrap();
    assert!(quality.pearson.unwrap() > 0.8, "{quality:?}");
}

#[test]
fn the_perfect_model_scores_a_correlation_of_one() {
    let seat = Seat::new();
    let parties = [PartyIdx(0), PartyIdx(1)];
    let profiles = TrueProfiles::new(&seat.case, &parties).unwrap();
    let model = PerfectModel::new(profiles);
    let sample = ModelSample::new(&seat.case, &parties, 0).unwrap();
    let quality = model_quality(&model, 0, &sample).unwrap();
    assert!(
        (quality.pearson.unwrap() - 1.0).abs() < 1e-12,
        "{quality:?}"
    );
    assert_eq!(quality.mean_abs_error, 0.0);
    assert_eq!(quality.frontier_distance, 0.0);
    // A model that knows nothing (the frequency model before any offer) estimates 0
    // everywhere: no correlation, a large error and a frontier far from the truth.
    let mut blank = FrequencyModel::default();
    blank.start(&seat.me());
    let quality = model_quality(&blank, 0, &sample).unwrap();
    assert_eq!(quality.pearson, None);
    assert!(quality.mean_abs_error > 0.3, "{quality:?}");
    assert!(quality.frontier_distance > 0.1, "{quality:?}");
}

#[test]
fn a_model_steers_the_offer_towards_the_opponent_within_the_window() {
    let seat = Seat::new();
    let me = seat.me();
    let parties = [PartyIdx(0), PartyIdx(1)];
    let model = PerfectModel::new(TrueProfiles::new(&seat.case, &parties).unwrap());
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let state = State {
        round: 10,
        time: 0.5,
    };
    let mut offering = Offering::TimeDependent {
        e: 1.0,
        window: 0.1,
    };
    let (plain, plain_utility) = offering.offer(&me, &state, None, &mut rng);
    let (steered, steered_utility) = offering.offer(&me, &state, Some(&model), &mut rng);
    // Both at or above the target 0.5, the steered one within the window.
    assert!(plain_utility >= 0.5 && steered_utility >= 0.5);
    assert!(steered_utility <= 0.6 + 1e-12);
    let theirs = |p: &Package| seat.case.position(PartyIdx(1)).unwrap().utility(p);
    assert!(theirs(&steered) > theirs(&plain));
    // It is the best for them among the candidates it compares.
    let candidates = seat.index.between(0.5, 0.6);
    let compared = candidates.start..candidates.end.min(candidates.start + 16);
    let best = compared
        .map(|rank| theirs(&seat.index.package(rank)))
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(theirs(&steered), best);
}

#[test]
fn compositions_read_in_either_syntax_and_name_themselves_in_full() {
    let paren = NegotiatorSpec::parse(
        "boa(offering=time-dependent(e=0.2, window=0.05), acceptance=combi-max-w(t=0.95), model=bayesian(sigma=0.2))",
    )
    .unwrap();
    let colon = NegotiatorSpec::parse(
        " BOA( model = bayesian:sigma=0.2 , acceptance=AC_combi-max-w:t=0.95, offering=boulware:window=0.05 )",
    )
    .unwrap();
    assert_eq!(paren, colon);
    let NegotiatorSpec::Boa(spec) = &paren else {
        panic!("{paren:?}")
    };
    assert_eq!(spec.acceptance, Acceptance::CombiMax { t: 0.95 });
    assert_eq!(
        spec.model,
        ModelChoice::Bayesian {
            concession: 0.5,
            sigma: 0.2
        }
    );
    // The full name reads back as the same composition.
    assert_eq!(NegotiatorSpec::parse(&paren.name()).unwrap(), paren);
    // Defaults: time-dependent with e = 1, AC_next, no model.
    assert_eq!(
        NegotiatorSpec::parse("boa()").unwrap().name(),
        "boa(offering=time-dependent(e=1, window=0.02), acceptance=next(a=1, b=0), model=none)"
    );
    assert_eq!(
        NegotiatorSpec::parse("Boulware").unwrap(),
        NegotiatorSpec::Standard("boulware")
    );
    // Only the perfect model needs the true profiles.
    let perfect = NegotiatorSpec::parse("boa(model=perfect)").unwrap();
    assert!(perfect.needs_profiles() && !paren.needs_profiles());
    assert!(perfect.build(None).is_err());
    assert!(accord_core::negotiator("boa(model=perfect)").is_none());
}

#[test]
fn a_bad_composition_names_its_part_and_parameter() {
    let cases = [
        (
            "boa(offering=greedy)",
            "unknown offering `greedy` (the offering strategies are time-dependent, boulware, linear, conceder, hardliner, random)",
        ),
        (
            "boa(acceptance=time(t=2))",
            "acceptance `time` parameter `t` = `2` must be in [0, 1]",
        ),
        (
            "boa(acceptance=const(c=high))",
            "acceptance `const` parameter `c`: `high` is not a finite number",
        ),
        ("boa(model=frequency, model=none)", "`model` is given twice"),
        (
            "boa(offering=hardliner(e=1))",
            "offering `hardliner` takes no parameter (`e` given)",
        ),
        (
            "boa(strategy=linear)",
            "unknown part `strategy` (a composition has offering, acceptance and model)",
        ),
        ("boa(model=frequency", "its parentheses do not pair up"),
        ("boa(offering=linear(e=1)", "its parentheses do not pair up"),
        (
            "boa(acceptance=next(a=nan))",
            "acceptance `next` parameter `a`: `nan` is not a finite number",
        ),
        (
            "boa(offering=time-dependent(e=-1))",
            "offering `time-dependent` parameter `e` = `-1` must be at least 0",
        ),
        (
            "boa(model=bayesian(sigma=0))",
            "model `bayesian` parameter `sigma` = `0` must be above 0",
        ),
        (
            "boa(offering=time-dependent(e=1e400))",
            "offering `time-dependent` parameter `e`: `1e400` is not a finite number",
        ),
        ("boa(offering=boulware))", "its parentheses do not pair up"),
        (
            "boa(model=frequency)(x)",
            "text after the closing parenthesis of `boa(...)`",
        ),
        (
            "boa(offering=foo(x=abc))",
            "unknown offering `foo` (the offering strategies are time-dependent, boulware, linear, conceder, hardliner, random)",
        ),
        (
            "boa(offering=boa(offering=boulware))",
            "unknown offering `boa` (the offering strategies are time-dependent, boulware, linear, conceder, hardliner, random)",
        ),
        (
            "boa(offering=time-dependent(e=(1)))",
            "a parameter of `time-dependent(e=(1))` is not a number",
        ),
        (
            "boa(model=ac_frequency)",
            "unknown model `ac_frequency` (the opponent models are none, frequency, bayesian, perfect)",
        ),
    ];
    for (name, reason) in cases {
        let error = NegotiatorSpec::parse(name).unwrap_err().to_string();
        assert_eq!(error, format!("negotiator `{name}`: {reason}"));
    }
    // A very long name is quoted short.
    let long = format!("boa(offering=time-dependent(e={}))", "9".repeat(100_000));
    let message = NegotiatorSpec::parse(&long).unwrap_err().to_string();
    assert!(message.len() < 400, "{}", message.len());
    assert!(
        NegotiatorSpec::parse("psychic")
            .unwrap_err()
            .to_string()
            .starts_with("unknown negotiator `psychic`\nhint: the negotiators are boulware")
    );
}

mod names {
    use accord_core::{
        ACCEPTANCE_CONDITIONS, NegotiatorSpec, OFFERING_STRATEGIES, OPPONENT_MODELS,
    };
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Any text made of the grammar's characters is read or refused, never a panic;
        /// what is read names itself in full, and that name reads back the same.
        #[test]
        fn any_text_is_read_or_refused(text in "[boa(),=:.\\- 0-9a-z_]{0,60}") {
            if let Ok(spec) = NegotiatorSpec::parse(&text) {
                prop_assert_eq!(NegotiatorSpec::parse(&spec.name()).unwrap(), spec);
            }
        }

        /// Every combination of parts with their default parameters reads, and reads
        /// back from its full name.
        #[test]
        fn every_combination_reads(
            offering in prop::sample::select(OFFERING_STRATEGIES),
            acceptance in prop::sample::select(ACCEPTANCE_CONDITIONS),
            model in prop::sample::select(OPPONENT_MODELS),
        ) {
            let text = format!("boa(model={model}, acceptance={acceptance}, offering={offering})");
            let spec = NegotiatorSpec::parse(&text).unwrap();
            prop_assert_eq!(NegotiatorSpec::parse(&spec.name()).unwrap(), spec.clone());
            prop_assert_eq!(spec.needs_profiles(), model == "perfect");
        }
    }
}
