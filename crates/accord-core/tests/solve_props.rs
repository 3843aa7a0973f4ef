//! Property tests of the exact bargaining packages found without the frontier
//! (`solve_bargaining`) against a brute-force oracle that exists only here: every package
//! evaluated through `Position::utility`, every objective maximised over all of them.

mod common;

use accord_core::{
    AnalysisOptions, BargainingPoint, Case, Constraint, DiagnosisLimit, EQUAL_EPS, InsightOptions,
    Package, PartyIdx, SolveLimit, diagnose, dominates, epsilon_pareto_set, insight, pair_frontier,
    solve_bargaining,
};
use proptest::prelude::*;

use common::{PartySpec, clear_packages, feasible_without};

#[derive(Debug, Clone)]
struct Spec {
    radix: Vec<usize>,
    parties: Vec<PartySpec>,
    /// Points that copy the weight and scores of the point before them for every party
    /// (twins, which the search tells apart only by their order).
    twins: Vec<bool>,
}

/// Two to six parties, up to nine points of up to four options, finely graded scores
/// (and coarse ones, for ties), weights that may sum past 1 (the clamp), reservation
/// values high enough to exclude every package, red lines conditional or not.
fn spec() -> impl Strategy<Value = Spec> {
    spec_with(1..=9, 2..=6)
}

fn spec_with(
    points: std::ops::RangeInclusive<usize>,
    parties: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Spec> {
    (prop::collection::vec(1usize..=4, points), parties).prop_flat_map(|(radix, n_parties)| {
        let n_points = radix.len();
        let party = (
            prop::collection::vec((0u8..=4).prop_map(|w| f64::from(w) / 4.0), n_points),
            radix
                .iter()
                .map(|&r| {
                    prop::collection::vec(
                        prop_oneof![
                            (0u8..=4).prop_map(|k| f64::from(k) / 4.0),
                            (0u8..=100).prop_map(|k| f64::from(k) / 100.0),
                        ],
                        r,
                    )
                })
                .collect::<Vec<_>>(),
            (0u8..=9).prop_map(|k| f64::from(k) / 10.0),
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
            prop::collection::vec(prop::bool::weighted(0.3), n_points),
        )
            .prop_map(move |(parties, twins)| Spec {
                radix: radix.clone(),
                parties,
                twins,
            })
    })
}

fn build(spec: &Spec) -> Case {
    let mut parties = spec.parties.clone();
    for (weights, scores, _, _) in &mut parties {
        for i in 1..spec.radix.len() {
            if spec.twins[i] && spec.radix[i] == spec.radix[i - 1] {
                weights[i] = weights[i - 1];
                let (before, after) = scores.split_at_mut(i);
                after[0].clone_from(&before[i - 1]);
            }
        }
    }
    common::case_of(&spec.radix, &parties)
}

/// The largest `objective` over `candidates`, if any.
fn best<'a>(
    candidates: impl Iterator<Item = &'a Vec<f64>>,
    objective: impl Fn(&[f64]) -> f64,
) -> Option<f64> {
    candidates.map(|u| objective(u)).reduce(f64::max)
}

/// Checks one reported package: it clears the red lines, its utilities are its own, no
/// package dominates it, and its objective is the oracle's.
fn check_point(
    case: &Case,
    parties: &[PartyIdx],
    all: &[(Package, Vec<f64>)],
    name: &str,
    found: Option<&BargainingPoint>,
    oracle: Option<f64>,
    objective: impl Fn(&[f64]) -> f64,
) -> Result<(), TestCaseError> {
    match (found, oracle) {
        (None, None) => Ok(()),
        (Some(point), Some(expected)) => {
            prop_assert!(
                all.iter().any(|(p, _)| *p == point.package),
                "{name}: package crosses a red line"
            );
            prop_assert_eq!(&case.utilities(parties, &point.package), &point.utilities);
            let value = objective(&point.utilities);
            prop_assert!(
                (point.objective - value).abs() <= 1e-12,
                "{name}: objective"
            );
            prop_assert!(
                (value - expected).abs() <= 1e-9,
                "{name}: {value} where the best is {expected}"
            );
            prop_assert!(
                !all.iter().any(|(_, u)| dominates(u, &point.utilities)),
                "{name}: {:?} is dominated",
                point.utilities
            );
            Ok(())
        }
        (found, oracle) => Err(TestCaseError::fail(format!(
            "{name}: found {:?}, oracle {oracle:?}",
            found.map(|f| &f.utilities)
        ))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// The max-min searches run side by side and the sensitivity's points on every core:
    /// neither the packages, nor the work counted, nor the weight ranges depend on it.
    #[test]
    fn answers_do_not_depend_on_the_number_of_threads(spec in spec()) {
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    (
                        solve_bargaining(&case, &parties, SolveLimit::default()),
                        insight(&case, &parties, &InsightOptions::default()).sensitivity,
                    )
                })
        };
        let one = run(1);
        prop_assert_eq!(&one, &run(2));
        prop_assert_eq!(&one, &run(3));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn bargaining_packages_are_the_brute_force_optima(spec in spec()) {
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let d: Vec<f64> = parties
            .iter()
            .map(|&p| case.position(p).unwrap().reservation_value)
            .collect();
        let n = parties.len();
        let all = clear_packages(&case, &parties);
        let solved = solve_bargaining(&case, &parties, SolveLimit::default()).unwrap();
        let found = &solved.bargaining;
        let gains = |u: &[f64]| -> Vec<f64> { u.iter().zip(&d).map(|(u, d)| u - d).collect() };
        let rational: Vec<&Vec<f64>> = all
            .iter()
            .map(|(_, u)| u)
            .filter(|u| u.iter().zip(&d).all(|(u, d)| *u >= d - EQUAL_EPS))
            .collect();

        let welfare = |u: &[f64]| u.iter().sum::<f64>();
        check_point(&case, &parties, &all, "utilitarian", found.utilitarian.as_ref(),
            best(all.iter().map(|(_, u)| u), welfare), welfare)?;

        let ideal: Option<Vec<f64>> = (!rational.is_empty()).then(|| {
            (0..n).map(|p| best(rational.iter().copied(), |u| u[p]).unwrap()).collect()
        });
        match (&found.ideal_point, &ideal) {
            (Some(a), Some(b)) => prop_assert!(
                a.iter().zip(b).all(|(a, b)| (a - b).abs() <= 1e-12),
                "ideal {a:?} vs {b:?}"
            ),
            (a, b) => prop_assert_eq!(a, b),
        }

        // Each party's favourite compromise: its ideal, with the most welfare.
        match &ideal {
            Some(ideal) => {
                prop_assert_eq!(solved.favourites.len(), n);
                for (p, favourite) in solved.favourites.iter().enumerate() {
                    prop_assert!((favourite.utilities[p] - ideal[p]).abs() <= 1e-12);
                    let most = best(
                        rational.iter().copied().filter(|u| u[p] >= ideal[p] - EQUAL_EPS),
                        welfare,
                    )
                    .unwrap();
                    prop_assert!((welfare(&favourite.utilities) - most).abs() <= 1e-9);
                    prop_assert!(all.iter().any(|(q, _)| *q == favourite.package));
                }
            }
            None => prop_assert!(solved.favourites.is_empty()),
        }

        let smallest_gain = |u: &[f64]| gains(u).into_iter().fold(f64::INFINITY, f64::min);
        check_point(&case, &parties, &all, "egalitarian", found.egalitarian.as_ref(),
            best(rational.iter().copied(), smallest_gain), smallest_gain)?;

        let span: Vec<Option<f64>> = ideal.as_ref().map_or(vec![None; n], |ideal| {
            ideal.iter().zip(&d).map(|(i, d)| (i - d > EQUAL_EPS).then_some(i - d)).collect()
        });
        let relative = |u: &[f64]| {
            let r = gains(u)
                .iter()
                .zip(&span)
                .filter_map(|(g, s)| s.map(|s| g / s))
                .fold(f64::INFINITY, f64::min);
            if r.is_finite() { r } else { 0.0 }
        };
        check_point(&case, &parties, &all, "kalai-smorodinsky",
            found.kalai_smorodinsky.as_ref(), best(rational.iter().copied(), relative),
            |u| relative(u))?;

        let product = |u: &[f64]| gains(u).into_iter().product::<f64>();
        let strictly: Vec<&Vec<f64>> = rational
            .iter()
            .copied()
            .filter(|u| gains(u).iter().all(|g| *g > EQUAL_EPS))
            .collect();
        let nash_best = best(strictly.iter().copied(), product);
        match (found.nash.as_ref(), nash_best) {
            (Some(point), Some(expected)) => {
                // Optimal within the solver's tolerance on the logarithm.
                prop_assert!(
                    point.objective >= expected * (1.0 - 1e-9),
                    "nash: {} where the best is {expected}", point.objective
                );
                check_point(&case, &parties, &all, "nash", Some(point), Some(point.objective),
                    product)?;
            }
            (a, b) => prop_assert!(a.is_none() && b.is_none(), "nash: {:?} vs {b:?}",
                a.map(|a| &a.utilities)),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The frontier of every pair of parties among the packages every other party
    /// accepts is the brute-force one: the same vectors, each a real package's.
    #[test]
    fn pair_frontiers_are_the_brute_force_ones(spec in spec()) {
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let n = parties.len();
        let d: Vec<f64> = parties
            .iter()
            .map(|&p| case.position(p).unwrap().reservation_value)
            .collect();
        let all = clear_packages(&case, &parties);
        for not_a_pair in [(0, 0), (0, n)] {
            let found = pair_frontier(&case, &parties, not_a_pair, 10, SolveLimit::default()).unwrap();
            prop_assert!(found.frontier.is_empty());
        }
        for (i, j) in [(0, 1), (n - 1, 0)] {
            let found = pair_frontier(&case, &parties, (i, j), 10_000, SolveLimit::default()).unwrap();
            prop_assert_eq!(found.error_bound, 0.0);
            let accepted: Vec<(f64, f64)> = all
                .iter()
                .filter(|(_, u)| (0..n).all(|q| q == i || q == j || u[q] >= d[q] - EQUAL_EPS))
                .map(|(_, u)| (u[i], u[j]))
                .collect();
            let mut expected: Vec<(f64, f64)> = accepted
                .iter()
                .copied()
                .filter(|a| !accepted.iter().any(|b| dominates(&[b.0, b.1], &[a.0, a.1])))
                .collect();
            expected.sort_by(|a, b| a.0.total_cmp(&b.0));
            expected.dedup_by(|a, b| (a.0 - b.0).abs() <= EQUAL_EPS && (a.1 - b.1).abs() <= EQUAL_EPS);
            let got: Vec<(f64, f64)> = found.frontier.iter().map(|f| (f.utilities[i], f.utilities[j])).collect();
            for f in &found.frontier {
                prop_assert!(all.iter().any(|(p, _)| *p == f.package), "not a clear package");
                prop_assert_eq!(&case.utilities(&parties, &f.package), &f.utilities);
            }
            prop_assert_eq!(got.len(), expected.len(), "{:?} vs {:?}", got, expected);
            for (a, b) in got.iter().zip(&expected) {
                prop_assert!((a.0 - b.0).abs() <= 1e-12 && (a.1 - b.1).abs() <= 1e-12, "{got:?} vs {expected:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// An ε-Pareto set is certified: every vector is a real package's that clears the red
    /// lines, none dominates another, and every package that clears the red lines is at
    /// most ε worse than some vector for every party.
    #[test]
    fn epsilon_pareto_sets_cover_every_package(spec in spec(), epsilon in prop_oneof![Just(0.05), Just(0.2), Just(0.5)]) {
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let all = clear_packages(&case, &parties);
        let (scan, _) = epsilon_pareto_set(&case, &parties, epsilon, SolveLimit::default()).unwrap();
        prop_assert_eq!(scan.n_clear_red_lines, all.len() as u128);
        prop_assert_eq!(scan.frontier.is_empty(), all.is_empty());
        prop_assert!(scan.error_bound <= epsilon);
        for f in &scan.frontier {
            prop_assert!(all.iter().any(|(p, _)| *p == f.package), "not a clear package");
            prop_assert_eq!(&case.utilities(&parties, &f.package), &f.utilities);
            prop_assert!(!scan.frontier.iter().any(|g| dominates(&g.utilities, &f.utilities)));
        }
        for (package, u) in &all {
            prop_assert!(
                scan.frontier.iter().any(|f| f.utilities.iter().zip(u).all(|(f, u)| *f >= u - epsilon - 1e-9)),
                "{package:?} ({u:?}) is not covered within {epsilon}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// With five parties or more the blockers are found by search, without frontiers: each
    /// reported relaxation makes agreement possible and is minimal, and every relaxation
    /// of up to two constraints contains a reported one; the insight of a case whose
    /// frontier is refused still names them.
    #[test]
    fn many_party_blockers_are_the_minimal_relaxations(spec in spec_with(1..=6, 5..=6)) {
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let limit = DiagnosisLimit { max_size: 2, max_frontiers: 100_000 };
        let options = AnalysisOptions::default();
        let Some(diagnosis) = diagnose(&case, &parties, &options, limit) else {
            prop_assert!(feasible_without(&case, &parties, &[]));
            return Ok(());
        };
        prop_assert!(!feasible_without(&case, &parties, &[]));
        prop_assert!(diagnosis.complete);
        for set in &diagnosis.relaxations {
            prop_assert!(feasible_without(&case, &parties, set), "{:?}", set);
            for k in 0..set.len() {
                let mut smaller = set.clone();
                smaller.remove(k);
                prop_assert!(!feasible_without(&case, &parties, &smaller), "{:?} not minimal", set);
            }
        }
        let mut all: Vec<Constraint> = Vec::new();
        for &p in &parties {
            let n = case.position(p).unwrap().red_lines.len();
            all.extend((0..n).map(|index| Constraint::RedLine { party: p, index }));
        }
        all.extend(parties.iter().map(|&party| Constraint::Reservation { party }));
        for a in 0..all.len() {
            for b in a..all.len() {
                let mut set = vec![all[a], all[b]];
                set.dedup();
                if feasible_without(&case, &parties, &set) {
                    prop_assert!(
                        diagnosis.relaxations.iter().any(|r| r.iter().all(|x| set.contains(x))),
                        "{:?} relaxes but contains no reported relaxation", set
                    );
                }
            }
        }
        // The whole insight, with the frontier refused: the same blockers.
        let refused = InsightOptions {
            analysis: AnalysisOptions {
                enumeration: accord_core::EnumerationLimit(0),
                merge: accord_core::MergeLimit { max_comparisons: 0, ..accord_core::MergeLimit::default() },
                fallback_epsilon: None,
                ..AnalysisOptions::default()
            },
            diagnosis: limit,
            ..InsightOptions::default()
        };
        let seen = insight(&case, &parties, &refused);
        prop_assert_eq!(seen.feasible(), Some(false));
        prop_assert_eq!(seen.diagnosis.map(|d| d.relaxations), Some(diagnosis.relaxations));
    }
}
