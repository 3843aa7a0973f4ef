//! Preference elicitation against simulated respondents with known positions: exact
//! answers give back the true weights, noisy ones a position that orders packages as the
//! true one does, and contradictory answers are flagged.

use accord_core::elicit::{
    Answers, FitOptions, Inconsistency, RangeShape, ShapeKind, fit, kendall_tau, suggest,
};
use accord_core::{
    AdditiveUtility, Case, Choice, Evaluator, OptionIdx, Package, Party, Point, PointKind,
    Position, Role,
};
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

/// A respondent: true weights, true option scores (0 worst, 1 best) and a range that is
/// better the higher it is.
struct Respondent {
    weights: Vec<f64>,
    scores: Vec<Vec<f64>>,
}

const OPTIONS: usize = 4;
const POINTS: usize = 5;
const RANGE: (i64, i64) = (30, 40);

fn case() -> Case {
    let mut points: Vec<Point> = (0..POINTS - 1)
        .map(|k| Point::new(format!("p{k}"), PointKind::options(["a", "b", "c", "d"])))
        .collect();
    points.push(Point::new("hours", PointKind::integer(RANGE.0, RANGE.1)));
    let flat = Position::new(
        AdditiveUtility::new(
            vec![1.0 / POINTS as f64; POINTS],
            (0..POINTS)
                .map(|k| {
                    if k < POINTS - 1 {
                        Evaluator::Options(vec![0.0, 0.3, 0.6, 1.0])
                    } else {
                        Evaluator::Constant(0.0)
                    }
                })
                .collect(),
        )
        .into(),
    );
    Case::new(
        "t",
        points,
        vec![Party::new("x", "X", Role::Party).with_position(flat)],
    )
    .unwrap()
}

fn respondent(rng: &mut ChaCha8Rng) -> Respondent {
    let raw: Vec<f64> = (0..POINTS).map(|_| rng.random_range(0.05..1.0)).collect();
    let total: f64 = raw.iter().sum();
    let scores = (0..POINTS - 1)
        .map(|_| {
            let mut s: Vec<f64> = (0..OPTIONS).map(|_| rng.random_range(0.0..1.0)).collect();
            let (lo, hi) = s
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
                    (l.min(x), h.max(x))
                });
            for x in &mut s {
                *x = (*x - lo) / (hi - lo);
            }
            s
        })
        .collect();
    Respondent {
        weights: raw.iter().map(|w| w / total).collect(),
        scores,
    }
}

impl Respondent {
    fn utility(&self, p: &Package) -> f64 {
        (0..POINTS)
            .map(|k| {
                let s = match p.0[k] {
                    Choice::Option(o) => self.scores[k][o.0],
                    Choice::Integer(v) => (v - RANGE.0) as f64 / (RANGE.1 - RANGE.0) as f64,
                    Choice::Real(_) => unreachable!(),
                };
                self.weights[k] * s
            })
            .sum()
    }

    /// Every answer, each rating off by up to `noise` points of the 0-100 scale.
    fn answers(
        &self,
        case: &Case,
        packages: &[Package],
        noise: f64,
        rng: &mut ChaCha8Rng,
    ) -> Answers {
        let mut jitter = |x: f64| (x + rng.random_range(-noise..=noise)).clamp(0.0, 100.0);
        let mut answers = Answers::empty(case);
        for k in 0..POINTS - 1 {
            answers.ratings[k] = Some(self.scores[k].iter().map(|s| s * 100.0).collect());
        }
        answers.shapes[POINTS - 1] = Some(RangeShape {
            kind: ShapeKind::MoreIsBetter,
            anchors: Vec::new(),
        });
        let top = self.weights.iter().copied().fold(0.0, f64::max);
        for k in 0..POINTS {
            let s = 100.0 * self.weights[k] / top;
            answers.swings[k] = Some(if s >= 100.0 - 1e-12 {
                100.0
            } else {
                jitter(s).min(99.0)
            });
        }
        answers.packages = packages
            .iter()
            .map(|p| (p.clone(), jitter(100.0 * self.utility(p))))
            .collect();
        answers
    }
}

fn random_package(rng: &mut ChaCha8Rng) -> Package {
    let mut choices: Vec<Choice> = (0..POINTS - 1)
        .map(|_| Choice::Option(OptionIdx(rng.random_range(0..OPTIONS))))
        .collect();
    choices.push(Choice::Integer(rng.random_range(RANGE.0..=RANGE.1)));
    Package(choices)
}

/// Kendall's tau between the true and the fitted utilities over random packages.
fn agreement(r: &Respondent, position: &Position, rng: &mut ChaCha8Rng) -> f64 {
    let packages: Vec<Package> = (0..300).map(|_| random_package(rng)).collect();
    let truth: Vec<f64> = packages.iter().map(|p| r.utility(p)).collect();
    let fitted: Vec<f64> = packages.iter().map(|p| position.utility(p)).collect();
    kendall_tau(&truth, &fitted)
}

#[test]
fn exact_answers_give_back_the_true_weights() {
    let case = case();
    for seed in 0..20 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let r = respondent(&mut rng);
        let packages: Vec<Package> = (0..8).map(|_| random_package(&mut rng)).collect();
        let answers = r.answers(&case, &packages, 0.0, &mut rng);
        let found = fit(&case, &answers, &FitOptions::default()).unwrap();
        for (k, (w, truth)) in found.weights.iter().zip(&r.weights).enumerate() {
            assert!(
                (w - truth).abs() < 1e-6,
                "seed {seed}, point {k}: {w} vs {truth}"
            );
            let (lo, hi) = found.ranges[k];
            assert!(
                lo <= truth + 1e-9 && truth - 1e-9 <= hi,
                "seed {seed}: {truth} outside {lo}..{hi}"
            );
        }
        assert!(
            found.inconsistencies.is_empty(),
            "seed {seed}: {:?}",
            found.inconsistencies
        );
        assert!((found.tau.unwrap() - 1.0).abs() < 1e-9);
        let tau = agreement(&r, &found.position, &mut rng);
        assert!(tau > 0.999, "seed {seed}: tau {tau}");
    }
}

#[test]
fn a_raised_interrupt_stops_the_fit() {
    let case = case();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let r = respondent(&mut rng);
    let packages: Vec<Package> = (0..8).map(|_| random_package(&mut rng)).collect();
    let answers = r.answers(&case, &packages, 0.0, &mut rng);
    let interrupt = accord_core::Interrupt::new();
    let watched = interrupt.clone();
    interrupt.raise();
    let found = watched.watch(|| fit(&case, &answers, &FitOptions::default()));
    assert_eq!(
        found.unwrap_err(),
        accord_core::elicit::ElicitError::Stopped
    );
    // Not raised: the same answers fit.
    assert!(fit(&case, &answers, &FitOptions::default()).is_ok());
}

#[test]
fn noisy_answers_still_order_packages_as_the_truth_does() {
    let case = case();
    let mut taus = Vec::new();
    for seed in 0..20 {
        let mut rng = ChaCha8Rng::seed_from_u64(100 + seed);
        let r = respondent(&mut rng);
        let packages: Vec<Package> = (0..10).map(|_| random_package(&mut rng)).collect();
        let answers = r.answers(&case, &packages, 8.0, &mut rng);
        let found = fit(&case, &answers, &FitOptions::default()).unwrap();
        let total: f64 = found.weights.iter().sum();
        assert!((total - 1.0).abs() < 1e-9);
        for (k, w) in found.weights.iter().enumerate() {
            let (lo, hi) = found.ranges[k];
            assert!(
                lo - 1e-9 <= *w && *w <= hi + 1e-9,
                "seed {seed}: {w} outside {lo}..{hi}"
            );
        }
        taus.push(agreement(&r, &found.position, &mut rng));
    }
    taus.sort_by(f64::total_cmp);
    let median = taus[taus.len() / 2];
    assert!(median > 0.85, "median tau {median}: {taus:?}");
    assert!(taus[0] > 0.6, "worst tau {}: {taus:?}", taus[0]);
}

#[test]
fn packages_alone_are_enough_and_suggestions_make_them_informative() {
    let case = case();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let r = respondent(&mut rng);
    let mut answers = r.answers(&case, &[], 0.0, &mut rng);
    answers.swings = vec![None; POINTS];
    // Before any package: no way to weigh.
    assert!(fit(&case, &answers, &FitOptions::default()).is_err());
    let asked = suggest(&case, &answers, None, 8, 1).unwrap();
    assert_eq!(asked.len(), 8);
    assert_eq!(
        asked,
        suggest(&case, &answers, None, 8, 1).unwrap(),
        "deterministic"
    );
    for p in &asked {
        assert!(case.admits(p));
    }
    answers.packages = asked
        .iter()
        .map(|p| (p.clone(), 100.0 * r.utility(p)))
        .collect();
    let found = fit(&case, &answers, &FitOptions::default()).unwrap();
    for (w, truth) in found.weights.iter().zip(&r.weights) {
        assert!(
            (w - truth).abs() < 0.02,
            "{:?} vs {:?}",
            found.weights,
            r.weights
        );
    }
    // The next suggestions avoid what was rated.
    let next = suggest(&case, &answers, Some(&found), 4, 2).unwrap();
    for p in &next {
        assert!(!asked.contains(p));
    }
}

#[test]
fn contradictions_are_flagged() {
    let case = case();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let r = respondent(&mut rng);
    let best = Package(
        (0..POINTS - 1)
            .map(|k| {
                let o = (0..OPTIONS)
                    .max_by(|a, b| r.scores[k][*a].total_cmp(&r.scores[k][*b]))
                    .unwrap();
                Choice::Option(OptionIdx(o))
            })
            .chain([Choice::Integer(RANGE.1)])
            .collect(),
    );
    let worst = Package(
        (0..POINTS - 1)
            .map(|k| {
                let o = (0..OPTIONS)
                    .min_by(|a, b| r.scores[k][*a].total_cmp(&r.scores[k][*b]))
                    .unwrap();
                Choice::Option(OptionIdx(o))
            })
            .chain([Choice::Integer(RANGE.0)])
            .collect(),
    );
    let mut answers = r.answers(&case, &[], 0.0, &mut rng);
    // The worst package on every point rated far above the best one.
    answers.packages = vec![(worst.clone(), 80.0), (best.clone(), 20.0)];
    // And an option marked unacceptable inside a package rated above no agreement.
    let Choice::Option(o) = worst.0[0] else {
        unreachable!()
    };
    answers.unacceptable[0] = vec![o];
    answers.no_agreement = Some(40.0);
    let found = fit(&case, &answers, &FitOptions::default()).unwrap();
    assert!(
        found.inconsistencies.iter().any(|i| matches!(
            i,
            Inconsistency::Order { higher: 0, lower: 1, by } if *by > 0.5
        )),
        "{:?}",
        found.inconsistencies
    );
    assert!(
        found
            .inconsistencies
            .iter()
            .any(|i| matches!(i, Inconsistency::Unacceptable { package: 0, .. }))
    );
    assert!(found.tau.unwrap() < 0.0);
    // A point left unrated weighs nothing, and the position still fits the case.
    let mut partial = answers.clone();
    partial.ratings[1] = None;
    partial.swings[1] = None;
    let found_partial = fit(&case, &partial, &FitOptions::default()).unwrap();
    assert_eq!(found_partial.weights[1], 0.0);
    assert!(
        case.clone()
            .with_party_position(accord_core::PartyIdx(0), found_partial.position)
            .is_ok()
    );
    // The red line and the reservation value are in the position.
    assert_eq!(found.position.red_lines.len(), 1);
    assert!((found.position.reservation_value - 0.4).abs() < 1e-12);
}

#[test]
fn bad_answers_are_refused_by_point() {
    let case = case();
    let mut answers = Answers::empty(&case);
    assert!(fit(&case, &answers, &FitOptions::default()).is_err());
    answers.ratings[0] = Some(vec![0.0, 50.0, 100.0]);
    let error = fit(&case, &answers, &FitOptions::default()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("point `p0`: 3 ratings for 4 options"),
        "{error}"
    );
    answers.ratings[0] = Some(vec![0.0, 50.0, 100.0, 140.0]);
    let error = fit(&case, &answers, &FitOptions::default()).unwrap_err();
    assert!(error.to_string().contains("140"), "{error}");
    answers.ratings[0] = None;
    answers.shapes[POINTS - 1] = Some(RangeShape {
        kind: ShapeKind::Best(99.0),
        anchors: Vec::new(),
    });
    let error = fit(&case, &answers, &FitOptions::default()).unwrap_err();
    assert!(error.to_string().contains("outside"), "{error}");
}
