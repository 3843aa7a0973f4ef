//! Property tests of the two-party frontier traced over hyper-rectangles
//! (`rectangle_frontier`) against enumeration (`pareto_frontier`), on small cases with
//! `INCLUDES` and `EXCLUDES` rectangles, rectangles without bounds, nested weighted sums,
//! options and integer points, and a divisor below the true maximum (the clamp at 1).

use accord_core::{
    Aggregation, Bound, Case, ConstraintNode, ConstraintUtility, EnumerationLimit, NotSolvable,
    Party, Point, PointIdx, PointKind, Position, Rectangle, Role, SolveLimit, equal_utilities,
    pareto_frontier, rectangle_frontier,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct RectangleSpec {
    reward: u8,
    excludes: bool,
    /// `(point, a, b)`: the bound `min(a, b)..=max(a, b)` on that point.
    bounds: Vec<(usize, u8, u8)>,
    /// Put in the nested node rather than the top one.
    nested: bool,
}

#[derive(Debug, Clone)]
struct Spec {
    /// Values per point; a point of odd index is an integer range from -1.
    radix: Vec<u8>,
    parties: [(Vec<RectangleSpec>, u8, u8); 2],
}

fn rectangle(n_points: usize) -> impl Strategy<Value = RectangleSpec> {
    (
        1u8..=9,
        prop::bool::weighted(0.2),
        prop::collection::vec((0..n_points, 0u8..4, 0u8..4), 0..=3),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(reward, excludes, bounds, nested)| RectangleSpec {
            reward,
            excludes,
            bounds,
            nested,
        })
}

fn spec() -> impl Strategy<Value = Spec> {
    prop::collection::vec(2u8..=4, 1..=6).prop_flat_map(|radix| {
        let n = radix.len();
        // Rectangles; divisor, as a share of the sum of rewards in tenths; nested weight.
        let party = move || {
            (
                prop::collection::vec(rectangle(n), 0..=12),
                3u8..=10,
                1u8..=3,
            )
        };
        (Just(radix), party(), party()).prop_map(|(radix, a, b)| Spec {
            radix,
            parties: [a, b],
        })
    })
}

fn case_of(spec: &Spec) -> Case {
    let points: Vec<Point> = spec
        .radix
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            let kind = if i % 2 == 1 {
                PointKind::Integer {
                    min: -1,
                    max: i64::from(r) - 2,
                }
            } else {
                PointKind::options((0..r).map(|k| format!("o{k}")))
            };
            Point::new(format!("p{i}"), kind)
        })
        .collect();
    let parties = spec
        .parties
        .iter()
        .enumerate()
        .map(|(k, (rectangles, share, nested_weight))| {
            let make = |r: &RectangleSpec| Rectangle {
                utility: f64::from(r.reward),
                excludes: r.excludes,
                bounds: r
                    .bounds
                    .iter()
                    .map(|&(point, a, b)| {
                        // Integer points start at -1: shift the bound with them.
                        let shift = if point % 2 == 1 { -1.0 } else { 0.0 };
                        Bound {
                            point: PointIdx(point),
                            min: f64::from(a.min(b)) + shift,
                            max: f64::from(a.max(b)) + shift,
                        }
                    })
                    .collect(),
            };
            let child = ConstraintNode {
                aggregation: Aggregation::Sum,
                weight: f64::from(*nested_weight) / 2.0,
                rectangles: rectangles.iter().filter(|r| r.nested).map(make).collect(),
                children: Vec::new(),
            };
            let root = ConstraintNode {
                aggregation: Aggregation::Sum,
                weight: 1.0,
                rectangles: rectangles.iter().filter(|r| !r.nested).map(make).collect(),
                children: vec![child],
            };
            let total: f64 = rectangles.iter().map(|r| f64::from(r.reward)).sum();
            let utility = ConstraintUtility {
                root,
                max_utility: (total * f64::from(*share) / 10.0).max(1.0),
            };
            Party::new(format!("q{k}"), format!("Q{k}"), Role::Party).with_position(Position::new(
                accord_core::UtilityFunction::Constraint(utility),
            ))
        })
        .collect();
    Case::new("rectangles", points, parties).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The traced frontier has exactly the vectors enumeration finds, each vector the
    /// case's own utilities of the package given.
    #[test]
    fn the_traced_frontier_is_the_enumerated_one(spec in spec()) {
        let case = case_of(&spec);
        let parties = case.negotiating_parties();
        let (traced, _) = rectangle_frontier(&case, &parties, SolveLimit::default()).unwrap();
        let enumerated = pareto_frontier(&case, &parties, EnumerationLimit::default()).unwrap();
        let vectors = |f: &[accord_core::FrontierPoint]| -> Vec<Vec<f64>> {
            f.iter().map(|p| p.utilities.clone()).collect()
        };
        prop_assert_eq!(traced.frontier.len(), enumerated.frontier.len(),
            "traced {:?}, enumerated {:?}", vectors(&traced.frontier), vectors(&enumerated.frontier));
        for (a, b) in traced.frontier.iter().zip(&enumerated.frontier) {
            prop_assert!(equal_utilities(&a.utilities, &b.utilities),
                "traced {:?}, enumerated {:?}", vectors(&traced.frontier), vectors(&enumerated.frontier));
            prop_assert_eq!(&case.utilities(&parties, &a.package), &a.utilities);
        }
        prop_assert_eq!(traced.error_bound, 0.0);
    }
}

/// What the search does not take is refused in words that name the party.
#[test]
fn other_utilities_are_refused_by_name() {
    let spec = Spec {
        radix: vec![2, 3],
        parties: [(Vec::new(), 5, 1), (Vec::new(), 5, 1)],
    };
    let mut case = case_of(&spec);
    let parties = case.negotiating_parties();
    let three = [parties[0], parties[1], parties[0]];
    assert!(matches!(
        rectangle_frontier(&case, &three, SolveLimit::default()),
        Err(NotSolvable::Unsupported { .. })
    ));
    let additive = Position::new(
        accord_core::AdditiveUtility::new(
            vec![0.5, 0.5],
            vec![
                accord_core::Evaluator::Options(vec![0.0, 1.0]),
                accord_core::Evaluator::Constant(0.5),
            ],
        )
        .into(),
    );
    let mut parties_list = case.parties().to_vec();
    parties_list[1] = parties_list[1].clone().with_position(additive);
    case = Case::new("mixed", case.points().to_vec(), parties_list).unwrap();
    let refused = rectangle_frontier(&case, &parties, SolveLimit::default()).unwrap_err();
    assert!(refused.to_string().contains("`q1`"), "{refused}");
}
