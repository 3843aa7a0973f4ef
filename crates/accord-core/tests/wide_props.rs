//! Property tests of the bargaining search on a wide integer point, searched as segments
//! on which every contribution is linear (a point with more values than
//! `SolveLimit::max_point_values`): the same optima as the search that lists every value,
//! for linear (clamped), piecewise and triangular evaluators, red lines on the range and
//! reservation values.

use accord_core::{
    AdditiveUtility, BargainingPoint, Case, Condition, Evaluator, OptionIdx, Party, Point,
    PointIdx, PointKind, Position, RedLine, Role, SolveLimit, ValueSet, solve_bargaining,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Shape {
    Linear(i8, i8),
    Piecewise(Vec<(u8, u8)>),
    Triangular(u8, u8, u8),
}

#[derive(Debug, Clone)]
struct PartySpec {
    weights: Vec<u8>,
    ratings: Vec<Vec<u8>>,
    shape: Shape,
    reservation: u8,
    /// An unconditional red line on the range: `(min, max)` in value units.
    range_red_line: Option<(u8, u8)>,
    /// An option red line: `(point, option)`.
    option_red_line: Option<(usize, usize)>,
}

#[derive(Debug, Clone)]
struct Spec {
    radix: Vec<usize>,
    /// The range is `low..=low + width`.
    low: i8,
    width: u8,
    parties: Vec<PartySpec>,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        (-20i8..=20, -10i8..=10).prop_map(|(a, b)| Shape::Linear(a, b)),
        prop::collection::vec((0u8..=60, 0u8..=10), 1..=4).prop_map(Shape::Piecewise),
        (0u8..=60, 0u8..=60, 0u8..=60).prop_map(|(a, b, c)| Shape::Triangular(a, b, c)),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(2usize..=3, 1..=3),
        -10i8..=10,
        5u8..=50,
        2usize..=4,
    )
        .prop_flat_map(|(radix, low, width, n_parties)| {
            let n_points = radix.len();
            let party = (
                prop::collection::vec(0u8..=4, n_points + 1),
                radix
                    .iter()
                    .map(|&r| prop::collection::vec(0u8..=10, r))
                    .collect::<Vec<_>>(),
                shape(),
                0u8..=6,
                prop::option::weighted(0.3, (0u8..=60, 0u8..=60)),
                prop::option::weighted(0.2, (0..n_points, 0usize..2)),
            )
                .prop_map(
                    |(weights, ratings, shape, reservation, range_red_line, option_red_line)| {
                        PartySpec {
                            weights,
                            ratings,
                            shape,
                            reservation,
                            range_red_line,
                            option_red_line,
                        }
                    },
                );
            (
                Just(radix),
                Just(low),
                Just(width),
                prop::collection::vec(party, n_parties),
            )
                .prop_map(|(radix, low, width, parties)| Spec {
                    radix,
                    low,
                    width,
                    parties,
                })
        })
}

fn case_of(spec: &Spec) -> Case {
    let low = f64::from(spec.low);
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
    let range = points.len();
    points.push(Point::new(
        "range",
        PointKind::Integer {
            min: i64::from(spec.low),
            max: i64::from(spec.low) + i64::from(spec.width),
        },
    ));
    let parties = spec
        .parties
        .iter()
        .enumerate()
        .map(|(k, party)| {
            let total: f64 = party
                .weights
                .iter()
                .map(|w| f64::from(*w))
                .sum::<f64>()
                .max(1.0);
            let mut evaluators: Vec<Evaluator> = party
                .ratings
                .iter()
                .map(|r| Evaluator::Options(r.iter().map(|x| f64::from(*x) / 10.0).collect()))
                .collect();
            evaluators.push(match &party.shape {
                Shape::Linear(slope, offset) => Evaluator::Linear {
                    origin: low,
                    offset: f64::from(*offset) / 10.0,
                    slope: f64::from(*slope) / 200.0,
                },
                Shape::Piecewise(points) => {
                    let mut points: Vec<(f64, f64)> = points
                        .iter()
                        .map(|(x, y)| (low + f64::from(*x), f64::from(*y) / 10.0))
                        .collect();
                    points.sort_by(|a, b| a.0.total_cmp(&b.0));
                    points.dedup_by(|a, b| a.0 == b.0);
                    Evaluator::Piecewise(points)
                }
                Shape::Triangular(a, b, c) => {
                    let mut v = [*a, *b, *c];
                    v.sort_unstable();
                    let (lower, top, upper) = (
                        low + f64::from(v[0]),
                        low + f64::from(v[1]) + 0.5,
                        low + f64::from(v[2]) + 1.0,
                    );
                    Evaluator::Triangular { lower, top, upper }
                }
            });
            let mut position = Position::new(
                AdditiveUtility::new(
                    party
                        .weights
                        .iter()
                        .map(|w| f64::from(*w) / total)
                        .collect(),
                    evaluators,
                )
                .into(),
            );
            position.reservation_value = f64::from(party.reservation) / 10.0;
            if let Some((a, b)) = party.range_red_line {
                position.red_lines.push(RedLine {
                    when: None,
                    require: Condition {
                        point: PointIdx(range),
                        values: ValueSet::Range {
                            min: low + f64::from(a.min(b)),
                            max: low + f64::from(a.max(b)) + 0.5,
                        },
                    },
                });
            }
            if let Some((point, option)) = party.option_red_line {
                position.red_lines.push(RedLine::forbid(
                    &points[point],
                    PointIdx(point),
                    &[OptionIdx(option)],
                ));
            }
            Party::new(format!("q{k}"), format!("Q{k}"), Role::Party).with_position(position)
        })
        .collect();
    Case::new("wide", points, parties).unwrap()
}

fn same(a: Option<&BargainingPoint>, b: Option<&BargainingPoint>, what: &str) {
    match (a, b) {
        (Some(a), Some(b)) => assert!(
            (a.objective - b.objective).abs() <= 1e-9,
            "{what}: segments {} vs listed {}",
            a.objective,
            b.objective
        ),
        (a, b) => assert_eq!(a.is_some(), b.is_some(), "{what}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Searched as segments, the range gives the optima that listing its values gives,
    /// and every package is the case's own (its utilities as the case scores them).
    #[test]
    fn segments_find_the_optima_of_listed_values(spec in spec()) {
        let case = case_of(&spec);
        let parties = case.negotiating_parties();
        let listed = solve_bargaining(&case, &parties, SolveLimit::default()).unwrap();
        let segments = solve_bargaining(
            &case,
            &parties,
            SolveLimit { max_point_values: 4, ..SolveLimit::default() },
        )
        .unwrap();
        let (a, b) = (&segments.bargaining, &listed.bargaining);
        match (&a.ideal_point, &b.ideal_point) {
            (Some(x), Some(y)) => {
                for (x, y) in x.iter().zip(y) {
                    prop_assert!((x - y).abs() <= 1e-9, "ideal {x} vs {y}");
                }
            }
            (x, y) => prop_assert_eq!(x.is_some(), y.is_some()),
        }
        same(a.nash.as_ref(), b.nash.as_ref(), "nash");
        same(a.kalai_smorodinsky.as_ref(), b.kalai_smorodinsky.as_ref(), "kalai-smorodinsky");
        same(a.egalitarian.as_ref(), b.egalitarian.as_ref(), "egalitarian");
        same(a.utilitarian.as_ref(), b.utilitarian.as_ref(), "utilitarian");
        for point in [&a.nash, &a.kalai_smorodinsky, &a.egalitarian, &a.utilitarian]
            .into_iter()
            .flatten()
        {
            prop_assert_eq!(&case.utilities(&parties, &point.package), &point.utilities);
            for &party in &parties {
                prop_assert!(case.position(party).unwrap().clears_red_lines(&point.package));
            }
        }
    }
}
