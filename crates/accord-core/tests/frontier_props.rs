//! Property tests of the frontier (enumerated and merged) and the bargaining packages against a
//! brute-force oracle that exists only here: every package evaluated through
//! `Position::utility` and compared with every other.

mod common;

use accord_core::{
    Aggregation, AnalysisOptions, Bound, Case, Condition, Constraint, ConstraintNode,
    ConstraintUtility, DiagnosisLimit, EQUAL_EPS, EnumerationLimit, FrontierMethod, MergeLimit,
    Package, PartyIdx, Point, PointIdx, PointKind, Position, Rectangle, RedLine, ValueSet, analyze,
    analyze_with, diagnose, dominates, equal_utilities, merged_frontier, pareto_frontier,
};
use proptest::prelude::*;

/// Scores on a coarse grid, so that ties and equal vectors are common.
fn score() -> impl Strategy<Value = f64> {
    (0u8..=4).prop_map(|k| f64::from(k) / 4.0)
}

use common::PartySpec;

#[derive(Debug, Clone)]
struct Spec {
    radix: Vec<usize>,
    parties: Vec<PartySpec>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (prop::collection::vec(1usize..=4, 1..=4), 2usize..=5).prop_flat_map(|(radix, n_parties)| {
        let n_points = radix.len();
        let party = (
            prop::collection::vec((0u8..=3).prop_map(f64::from), n_points),
            radix
                .iter()
                .map(|&r| prop::collection::vec(score(), r))
                .collect::<Vec<_>>(),
            (0u8..=6).prop_map(|k| f64::from(k) / 10.0),
            // Red lines: (point, forbidden option, optional (condition point, option)).
            prop::collection::vec(
                (
                    0..n_points,
                    0usize..4,
                    prop::option::of((0..n_points, 0usize..4)),
                ),
                0..=2,
            ),
        );
        prop::collection::vec(party, n_parties).prop_map(move |parties| Spec {
            radix: radix.clone(),
            parties,
        })
    })
}

/// Up to 8 points of 2 or 3 options and many conditional red lines per party.
fn linked_spec() -> impl Strategy<Value = Spec> {
    (prop::collection::vec(2usize..=3, 5..=8), 2usize..=3).prop_flat_map(|(radix, n_parties)| {
        let n_points = radix.len();
        let party = (
            prop::collection::vec((0u8..=3).prop_map(f64::from), n_points),
            radix
                .iter()
                .map(|&r| prop::collection::vec(score(), r))
                .collect::<Vec<_>>(),
            Just(0.0),
            prop::collection::vec(
                (
                    0..n_points,
                    0usize..3,
                    prop::option::weighted(0.9, (0..n_points, 0usize..3)),
                ),
                0..=6,
            ),
        );
        prop::collection::vec(party, n_parties).prop_map(move |parties| Spec {
            radix: radix.clone(),
            parties,
        })
    })
}

fn build(spec: &Spec) -> Case {
    common::case_of(&spec.radix, &spec.parties)
}

/// Every package that clears the red lines, with its utilities, by brute force.
fn oracle_packages(case: &Case, parties: &[PartyIdx]) -> Vec<(Package, Vec<f64>)> {
    common::clear_packages(case, parties)
}

/// Larger cases with finely graded scores and normalised weights, where coarse
/// approximation grids do drop vectors.
fn fine_spec() -> impl Strategy<Value = Spec> {
    (prop::collection::vec(2usize..=4, 3..=6), 2usize..=4).prop_flat_map(|(radix, n_parties)| {
        let n_points = radix.len();
        let party = (
            prop::collection::vec((1u8..=5).prop_map(f64::from), n_points),
            radix
                .iter()
                .map(|&r| prop::collection::vec((0u8..=20).prop_map(|k| f64::from(k) / 20.0), r))
                .collect::<Vec<_>>(),
            Just(0.0),
            prop::collection::vec(
                (
                    0..n_points,
                    0usize..4,
                    prop::option::of((0..n_points, 0usize..4)),
                ),
                0..=1,
            ),
        );
        prop::collection::vec(party, n_parties).prop_map(move |mut parties| {
            for party in &mut parties {
                let total: f64 = party.0.iter().sum();
                party.0.iter_mut().for_each(|w| *w /= total);
            }
            Spec {
                radix: radix.clone(),
                parties,
            }
        })
    })
}

/// A rectangle: reward, EXCLUDES or not, and bounds `(point, lo, hi)` (taken modulo the
/// point's range).
type RectangleSpec = (u8, bool, Vec<(usize, u8, u8)>);

/// A party's flat rectangles, a nested node (`true` for min, else max) and range red lines.
type ConstraintPartySpec = (
    Vec<RectangleSpec>,
    Option<(bool, Vec<RectangleSpec>)>,
    Vec<(usize, u8, u8)>,
);

/// A hyper-rectangle case: integer points `0..=max`, parties with a flat sum of rectangles
/// or a min/max node nested under it, and range red lines `(point, lo, hi)`.
#[derive(Debug, Clone)]
struct ConstraintSpec {
    maxima: Vec<u8>,
    parties: Vec<ConstraintPartySpec>,
}

fn constraint_spec() -> impl Strategy<Value = ConstraintSpec> {
    (prop::collection::vec(1u8..=4, 1..=4), 2usize..=3).prop_flat_map(|(maxima, n_parties)| {
        let n_points = maxima.len();
        let rectangle = || {
            (
                1u8..=20,
                any::<bool>(),
                prop::collection::vec((0..n_points, 0u8..5, 0u8..5), 0..=3),
            )
        };
        let party = (
            prop::collection::vec(rectangle(), 1..=5),
            prop::option::of((any::<bool>(), prop::collection::vec(rectangle(), 1..=3))),
            prop::collection::vec((0..n_points, 0u8..5, 0u8..5), 0..=1),
        );
        prop::collection::vec(party, n_parties).prop_map(move |parties| ConstraintSpec {
            maxima: maxima.clone(),
            parties,
        })
    })
}

fn build_constraint(spec: &ConstraintSpec) -> Case {
    let points: Vec<Point> = spec
        .maxima
        .iter()
        .enumerate()
        .map(|(i, &m)| Point::new(format!("p{i}"), PointKind::integer(0, i64::from(m))))
        .collect();
    let range = |point: usize, lo: u8, hi: u8| {
        let m = spec.maxima[point] + 1;
        let (a, b) = (lo % m, hi % m);
        (f64::from(a.min(b)), f64::from(a.max(b)))
    };
    let rectangles = |specs: &[RectangleSpec]| -> Vec<Rectangle> {
        specs
            .iter()
            .map(|(utility, excludes, bounds)| Rectangle {
                utility: f64::from(*utility),
                excludes: *excludes,
                bounds: bounds
                    .iter()
                    .map(|&(point, lo, hi)| {
                        let (min, max) = range(point, lo, hi);
                        Bound {
                            point: PointIdx(point),
                            min,
                            max,
                        }
                    })
                    .collect(),
            })
            .collect()
    };
    let parties = spec
        .parties
        .iter()
        .enumerate()
        .map(|(k, (flat, nested, red_lines))| {
            let children = nested
                .iter()
                .map(|(min, specs)| ConstraintNode {
                    aggregation: if *min {
                        Aggregation::Min
                    } else {
                        Aggregation::Max
                    },
                    weight: 0.5,
                    rectangles: rectangles(specs),
                    children: Vec::new(),
                })
                .collect();
            let root = ConstraintNode {
                aggregation: Aggregation::Sum,
                weight: 1.0,
                rectangles: rectangles(flat),
                children,
            };
            let mut position = Position::new(accord_core::UtilityFunction::Constraint(
                ConstraintUtility {
                    root,
                    max_utility: 40.0,
                },
            ));
            position.reservation_value = 0.2;
            for &(point, lo, hi) in red_lines {
                let (min, max) = range(point, lo, hi);
                position.red_lines.push(RedLine {
                    when: None,
                    require: Condition {
                        point: PointIdx(point),
                        values: ValueSet::Range { min, max },
                    },
                });
            }
            common::party(k, position)
        })
        .collect();
    Case::new("rectangles", points, parties).expect("generated cases are valid")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn rectangle_frontier_visits_classes_and_matches_brute_force(spec in constraint_spec()) {
        // Enumeration visits one package per class of alike values; the oracle visits
        // every package through `Position::utility`.
        let case = build_constraint(&spec);
        let parties = case.negotiating_parties();
        let scan = pareto_frontier(&case, &parties, EnumerationLimit::default()).unwrap();
        let packages = oracle_packages(&case, &parties);
        prop_assert_eq!(scan.n_clear_red_lines, packages.len() as u128);
        prop_assert!(u128::from(scan.n_visited) <= case.n_packages().unwrap());
        let rational = |u: &[f64]| u.iter().all(|x| *x >= 0.2 - EQUAL_EPS);
        prop_assert_eq!(scan.n_feasible, Some(packages.iter().filter(|(_, u)| rational(u)).count() as u64));
        let optimal: Vec<&(Package, Vec<f64>)> = packages
            .iter()
            .filter(|(_, u)| !packages.iter().any(|(_, v)| dominates(v, u)))
            .collect();
        prop_assert_eq!(scan.frontier.iter().map(|f| f.n_packages).sum::<u64>(), optimal.len() as u64);
        for f in &scan.frontier {
            // Each frontier vector stands for the first package (in enumeration order) with
            // its utilities, and evaluates to them.
            let first = optimal.iter().find(|(_, u)| equal_utilities(u, &f.utilities));
            prop_assert!(first.is_some(), "{:?} is not optimal", f.utilities);
            prop_assert_eq!(&first.unwrap().0, &f.package);
            prop_assert_eq!(case.utilities(&parties, &f.package), f.utilities.clone());
        }
        for (_, u) in &optimal {
            prop_assert!(scan.frontier.iter().any(|f| equal_utilities(&f.utilities, u)));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn frontier_and_bargaining_match_brute_force(spec in spec()) {
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let analysis = analyze(&case, &parties, EnumerationLimit::default());
        let exact = analysis.result.clone().unwrap();
        let packages = oracle_packages(&case, &parties);

        // Counts.
        prop_assert_eq!(exact.scan.n_clear_red_lines, packages.len() as u128);
        let d = &analysis.reservation_values;
        let rational = |u: &[f64]| u.iter().zip(d).all(|(x, r)| *x >= r - EQUAL_EPS);
        let n_feasible = packages.iter().filter(|(_, u)| rational(u)).count() as u64;
        prop_assert_eq!(exact.scan.n_feasible, Some(n_feasible));

        // No frontier vector is dominated by any package; every package is weakly dominated
        // by (or equal to) a frontier vector; frontier packages are real and evaluate right.
        let frontier = &exact.scan.frontier;
        for f in frontier {
            prop_assert!(case.admits(&f.package));
            prop_assert!(equal_utilities(&case.utilities(&parties, &f.package), &f.utilities));
            for (_, u) in &packages {
                prop_assert!(!dominates(u, &f.utilities), "{:?} dominates frontier {:?}", u, f.utilities);
            }
        }
        for (_, u) in &packages {
            prop_assert!(frontier.iter().any(|f| equal_utilities(&f.utilities, u) || dominates(&f.utilities, u)));
        }
        // The oracle's non-dominated packages are exactly those counted on the frontier.
        let optimal = packages.iter().filter(|(_, u)| !packages.iter().any(|(_, v)| dominates(v, u))).count();
        prop_assert_eq!(frontier.iter().map(|f| f.n_packages).sum::<u64>(), optimal as u64);

        // Bargaining points lie on the frontier, and each maximises its objective over every
        // eligible package (not only over frontier vectors).
        let b = &exact.bargaining;
        let on_frontier = |u: &[f64]| frontier.iter().any(|f| equal_utilities(&f.utilities, u));
        let gains = |u: &[f64]| u.iter().zip(d).map(|(x, r)| x - r).collect::<Vec<f64>>();
        let best_product = packages
            .iter()
            .map(|(_, u)| gains(u))
            .filter(|g| g.iter().all(|x| *x > EQUAL_EPS))
            .map(|g| g.iter().product::<f64>())
            .fold(None, |acc: Option<f64>, x| Some(acc.map_or(x, |a| a.max(x))));
        match (&b.nash, best_product) {
            (Some(nash), Some(best)) => {
                prop_assert!(on_frontier(&nash.utilities));
                prop_assert!((nash.objective - best).abs() <= 1e-9, "nash {} best {}", nash.objective, best);
            }
            (None, None) => {}
            (nash, best) => prop_assert!(false, "nash {:?} vs best product {:?}", nash, best),
        }
        let best_min_gain = packages
            .iter()
            .filter(|(_, u)| rational(u))
            .map(|(_, u)| gains(u).into_iter().fold(f64::INFINITY, f64::min))
            .fold(None, |acc: Option<f64>, x| Some(acc.map_or(x, |a| a.max(x))));
        match (&b.egalitarian, best_min_gain) {
            (Some(e), Some(best)) => {
                prop_assert!(on_frontier(&e.utilities));
                prop_assert!((e.objective - best).abs() <= 1e-9);
            }
            (None, None) => {}
            (e, best) => prop_assert!(false, "egalitarian {:?} vs {:?}", e, best),
        }
        if let Some(ks) = &b.kalai_smorodinsky {
            prop_assert!(on_frontier(&ks.utilities));
            prop_assert!(rational(&ks.utilities));
        }
        prop_assert_eq!(b.kalai_smorodinsky.is_some(), n_feasible > 0);
        let best_welfare = packages
            .iter()
            .map(|(_, u)| u.iter().sum::<f64>())
            .fold(None, |acc: Option<f64>, x| Some(acc.map_or(x, |a: f64| a.max(x))));
        match (&b.utilitarian, best_welfare) {
            (Some(w), Some(best)) => {
                prop_assert!(on_frontier(&w.utilities));
                prop_assert!((w.objective - best).abs() <= 1e-9);
            }
            (None, None) => {}
            (w, best) => prop_assert!(false, "utilitarian {:?} vs {:?}", w, best),
        }
    }

    #[test]
    fn merging_per_point_frontiers_equals_enumeration(spec in spec()) {
        // The merged frontier has the same vectors, the same first package of each and the
        // same package counts as enumeration, red lines (conditional ones too) included.
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let enumerated = pareto_frontier(&case, &parties, EnumerationLimit::default()).unwrap();
        let merged = merged_frontier(&case, &parties, MergeLimit::default()).unwrap();
        prop_assert_eq!(merged.n_clear_red_lines, enumerated.n_clear_red_lines);
        prop_assert_eq!(merged.n_feasible, None);
        prop_assert_eq!(merged.frontier, enumerated.frontier);
    }

    #[test]
    fn merging_with_many_linked_points_equals_enumeration(spec in linked_spec()) {
        // Many conditional red lines between points far apart, overlapping and sharing
        // points: the keys that carry them must give the same frontier and counts.
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let enumerated = pareto_frontier(&case, &parties, EnumerationLimit::default()).unwrap();
        let merged = merged_frontier(&case, &parties, MergeLimit::default()).unwrap();
        prop_assert_eq!(merged.n_clear_red_lines, enumerated.n_clear_red_lines);
        prop_assert_eq!(merged.frontier, enumerated.frontier);
    }

    #[test]
    fn approximate_frontier_covers_every_package_within_its_bound(
        spec in fine_spec(),
        epsilon in prop::sample::select(vec![0.05, 0.3, 1.0, 3.0]),
        max_point_values in prop::sample::select(vec![2u64, 3, 10_000]),
    ) {
        // Points with more values than `max_point_values` are thinned alone (the partial
        // sums stay exact); with none, every step is thinned.
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let limit = MergeLimit { epsilon: Some(epsilon), max_point_values, ..MergeLimit::default() };
        let approximate = merged_frontier(&case, &parties, limit).unwrap();
        prop_assert!(approximate.error_bound <= epsilon);
        for f in &approximate.frontier {
            // Every returned vector is a real package's.
            prop_assert!(case.admits(&f.package));
            prop_assert!(parties.iter().all(|&p| case.position(p).unwrap().clears_red_lines(&f.package)));
            prop_assert!(equal_utilities(&case.utilities(&parties, &f.package), &f.utilities));
        }
        // Every package that clears the red lines is covered within the bound.
        for (_, u) in oracle_packages(&case, &parties) {
            prop_assert!(
                approximate.frontier.iter().any(|f| f
                    .utilities
                    .iter()
                    .zip(&u)
                    .all(|(r, x)| *r >= x - approximate.error_bound)),
                "{:?} not covered within {}", u, approximate.error_bound
            );
        }
    }

    #[test]
    fn nash_and_ks_ignore_a_positive_affine_rescaling_of_one_party(spec in spec(), scale in 1u8..=4) {
        // Party 0's weights sum to 1, so the clamp at 1 never binds; scaling them and its
        // reservation value by a factor in (0, 1] scales its utilities: Nash and KS give the
        // other parties the same utilities (up to ties).
        let sum: f64 = spec.parties[0].0.iter().sum();
        prop_assume!(sum > 0.0);
        let mut spec = spec;
        spec.parties[0].0.iter_mut().for_each(|w| *w /= sum);
        let case = build(&spec);
        let mut scaled = spec.clone();
        let factor = f64::from(scale) / 4.0;
        for w in &mut scaled.parties[0].0 {
            *w *= factor;
        }
        scaled.parties[0].2 *= factor;
        let other = build(&scaled);
        let parties = case.negotiating_parties();
        let a = analyze(&case, &parties, EnumerationLimit::default()).result.unwrap().bargaining;
        let b = analyze(&other, &parties, EnumerationLimit::default()).result.unwrap().bargaining;
        for (x, y) in [(&a.nash, &b.nash), (&a.kalai_smorodinsky, &b.kalai_smorodinsky)] {
            prop_assert_eq!(x.is_some(), y.is_some());
            if let (Some(x), Some(y)) = (x, y) {
                // Compare the utilities of the parties that were not rescaled, tie-aware.
                let rest = |u: &[f64]| u[1..].to_vec();
                prop_assert!(
                    y.ties.iter().any(|t| equal_utilities(&rest(t), &rest(&x.utilities)))
                        || x.ties.len() > 1,
                    "{:?} vs {:?}", x.utilities, y.utilities
                );
            }
        }
    }
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    // A case big enough to span several enumeration chunks: 7 points of 7 options, 3 parties.
    let radix = vec![7; 7];
    let parties = (0..3)
        .map(|k| {
            let raw: Vec<f64> = (0..7)
                .map(|i| f64::from(((i * 7 + k * 3) % 5 + 1) as u8))
                .collect();
            let total: f64 = raw.iter().sum();
            let weights = raw.iter().map(|w| w / total).collect();
            let scores = radix
                .iter()
                .enumerate()
                .map(|(i, &r)| {
                    (0..r)
                        .map(|o| {
                            f64::from(((o * (k + 2) + i * 3 + o * o * (k + 1)) % 11) as u8) / 10.0
                        })
                        .collect()
                })
                .collect();
            (weights, scores, 0.1, vec![(1, 2, Some((0, 3)))])
        })
        .collect();
    let case = build(&Spec { radix, parties });
    let parties = case.negotiating_parties();
    // Enumerated (to count feasible packages), and merged (the default for it).
    for count_feasible in [true, false] {
        let options = AnalysisOptions {
            count_feasible,
            ..AnalysisOptions::default()
        };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| analyze_with(&case, &parties, &options))
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(5));
        let exact = one.result.unwrap();
        let method = if count_feasible {
            FrontierMethod::Enumeration
        } else {
            FrontierMethod::Merge
        };
        assert_eq!(exact.method, method);
        let frontier = exact.scan.frontier.len();
        assert!(frontier > 10, "frontier of {frontier} vectors");
    }
}

/// Whether some package clears every red line not in `relaxed` and gives every party whose
/// reservation value is not in `relaxed` at least that value, by brute force.
use common::feasible_without;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn reported_relaxations_are_exactly_the_minimal_ones(spec in spec()) {
        let case = build(&spec);
        let parties = case.negotiating_parties();
        let limit = DiagnosisLimit { max_size: 3, max_frontiers: 100_000 };
        let diagnosis = diagnose(&case, &parties, &AnalysisOptions::default(), limit);
        let Some(diagnosis) = diagnosis else {
            prop_assert!(feasible_without(&case, &parties, &[]));
            return Ok(());
        };
        prop_assert!(!feasible_without(&case, &parties, &[]));
        prop_assert!(diagnosis.complete);
        for set in &diagnosis.relaxations {
            // Relaxing the set makes agreement possible; relaxing any proper subset does
            // not (dropping one member is enough to check: relaxing less never helps).
            prop_assert!(feasible_without(&case, &parties, set), "{:?}", set);
            for k in 0..set.len() {
                let mut smaller = set.clone();
                smaller.remove(k);
                prop_assert!(!feasible_without(&case, &parties, &smaller), "{:?} not minimal", set);
            }
        }
        // Every relaxation of up to 3 constraints contains a reported one.
        let mut all: Vec<Constraint> = Vec::new();
        for &p in &parties {
            let n = case.position(p).unwrap().red_lines.len();
            all.extend((0..n).map(|index| Constraint::RedLine { party: p, index }));
        }
        all.extend(parties.iter().map(|&party| Constraint::Reservation { party }));
        let n = all.len();
        for a in 0..n {
            for b in a..n {
                for c in b..n {
                    let mut set = vec![all[a], all[b], all[c]];
                    set.dedup();
                    if feasible_without(&case, &parties, &set) {
                        prop_assert!(
                            diagnosis.relaxations.iter().any(|r| r.iter().all(|x| set.contains(x))),
                            "{:?} relaxes but contains no reported relaxation", set
                        );
                    }
                }
            }
        }
    }
}
