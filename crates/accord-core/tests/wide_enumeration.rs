//! Enumeration over a wide integer point (more values than are ever visited one by one):
//! its value classes come from the breakpoints of the value functions, red lines and boxes
//! on it, and the frontier, the counts of packages clearing the red lines and meeting the
//! reservation values, and each frontier vector's package count equal a brute force over
//! every package. And ranges up to the whole of i64 answer at once.

use accord_core::{
    AdditiveUtility, Case, Choice, Condition, EnumerationLimit, Evaluator, OptionIdx, Package,
    Party, PartyIdx, Point, PointIdx, PointKind, Position, RedLine, Role, ValueSet, dominates,
    equal_utilities, pareto_frontier,
};
use proptest::prelude::*;

/// Values in the wide range: more than are visited one by one.
const WIDTH: i64 = 70_000;

#[derive(Debug, Clone)]
enum Shape {
    /// Clamped line through `(x0, 0)` and `(x1, 1)`, in thousandths of the range.
    Linear(u16, u16),
    /// Breakpoints `(x, score)` in thousandths of the range and tenths.
    Piecewise(Vec<(u16, u8)>),
    Triangular(u16, u16, u16),
}

#[derive(Debug, Clone)]
struct PartySpec {
    weights: [u8; 2],
    ratings: Vec<u8>,
    shape: Shape,
    reservation: u8,
    /// A red line on the range, in thousandths (fractional bounds), unconditional or
    /// only when the option point takes option 0.
    range_red_line: Option<(u16, u16, bool)>,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        (0u16..=1000, 0u16..=1000).prop_map(|(a, b)| Shape::Linear(a, b)),
        prop::collection::vec((0u16..=1000, 0u8..=10), 1..=4).prop_map(Shape::Piecewise),
        (0u16..=1000, 0u16..=1000, 0u16..=1000).prop_map(|(a, b, c)| Shape::Triangular(a, b, c)),
    ]
}

fn party_spec(n_options: usize) -> impl Strategy<Value = PartySpec> {
    (
        [0u8..=4, 0u8..=4],
        prop::collection::vec(0u8..=10, n_options),
        shape(),
        0u8..=8,
        prop::option::of((0u16..=1000, 0u16..=1000, any::<bool>())),
    )
        .prop_map(
            |(weights, ratings, shape, reservation, range_red_line)| PartySpec {
                weights,
                ratings,
                shape,
                reservation,
                range_red_line,
            },
        )
}

/// A value of the range from thousandths, off the integers.
fn at(low: i64, thousandths: u16) -> f64 {
    low as f64 + f64::from(thousandths) * WIDTH as f64 / 1000.0 + 0.37
}

fn build(low: i64, n_options: usize, specs: &[PartySpec]) -> Case {
    let points = vec![
        Point::new("n", PointKind::integer(low, low + WIDTH - 1)),
        Point::new(
            "c",
            PointKind::options((0..n_options).map(|k| format!("o{k}"))),
        ),
    ];
    let parties = specs
        .iter()
        .enumerate()
        .map(|(k, spec)| {
            let evaluator = match &spec.shape {
                Shape::Linear(a, b) => {
                    let (x0, x1) = (at(low, *a), at(low, *b));
                    let slope = if x1 == x0 { 0.0 } else { 1.0 / (x1 - x0) };
                    Evaluator::Linear {
                        origin: x0,
                        offset: 0.0,
                        slope,
                    }
                }
                Shape::Piecewise(points) => {
                    let mut breakpoints: Vec<(f64, f64)> = points
                        .iter()
                        .map(|&(x, y)| (at(low, x), f64::from(y) / 10.0))
                        .collect();
                    breakpoints.sort_by(|a, b| a.0.total_cmp(&b.0));
                    breakpoints.dedup_by(|a, b| a.0 == b.0);
                    Evaluator::Piecewise(breakpoints)
                }
                Shape::Triangular(a, b, c) => {
                    let mut x = [at(low, *a), at(low, *b), at(low, *c)];
                    x.sort_by(f64::total_cmp);
                    Evaluator::Triangular {
                        lower: x[0],
                        top: x[1],
                        upper: x[2],
                    }
                }
            };
            let utility = AdditiveUtility::new(
                spec.weights.iter().map(|&w| f64::from(w) / 8.0).collect(),
                vec![
                    evaluator,
                    Evaluator::Options(spec.ratings.iter().map(|&r| f64::from(r) / 10.0).collect()),
                ],
            );
            let mut position = Position::new(utility.into());
            position.reservation_value = f64::from(spec.reservation) / 10.0;
            if let Some((a, b, conditional)) = spec.range_red_line {
                let (min, max) = (at(low, a.min(b)), at(low, a.max(b)));
                position.red_lines.push(RedLine {
                    when: conditional.then(|| Condition {
                        point: PointIdx(1),
                        values: ValueSet::Options(vec![OptionIdx(0)]),
                    }),
                    require: Condition {
                        point: PointIdx(0),
                        values: ValueSet::Range { min, max },
                    },
                });
            }
            Party::new(format!("p{k}"), format!("P{k}"), Role::Party).with_position(position)
        })
        .collect();
    Case::new("wide", points, parties).unwrap()
}

/// Every package: the frontier vectors with their package counts, and the counts of
/// packages clearing the red lines and meeting the reservation values.
fn brute_force(case: &Case, parties: &[PartyIdx]) -> (Vec<(Vec<f64>, u64)>, u64, u64) {
    let mut vectors: Vec<Vec<f64>> = Vec::new();
    let (mut clear, mut feasible) = (0, 0);
    for k in 0..case.n_packages().unwrap() {
        let package = case.package_at(k).unwrap();
        let positions: Vec<&Position> =
            parties.iter().map(|&p| case.position(p).unwrap()).collect();
        if !positions.iter().all(|p| p.clears_red_lines(&package)) {
            continue;
        }
        clear += 1;
        let u = case.utilities(parties, &package);
        if positions
            .iter()
            .zip(&u)
            .all(|(p, &x)| x >= p.reservation_value - 1e-9)
        {
            feasible += 1;
        }
        vectors.push(u);
    }
    let mut front: Vec<Vec<f64>> = Vec::new();
    for v in &vectors {
        if front
            .iter()
            .any(|f| dominates(f, v) || equal_utilities(f, v))
        {
            continue;
        }
        front.retain(|f| !dominates(v, f));
        front.push(v.clone());
    }
    let counted = front
        .into_iter()
        .map(|f| {
            let n = vectors.iter().filter(|v| equal_utilities(v, &f)).count() as u64;
            (f, n)
        })
        .collect();
    (counted, clear, feasible)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn classes_of_a_wide_range_give_the_brute_force_answer(
        low in -1_000_000i64..=1_000_000,
        specs in (2usize..=3).prop_flat_map(|n| prop::collection::vec(party_spec(n), 2..=3)),
    ) {
        let n_options = specs[0].ratings.len();
        let specs: Vec<PartySpec> = specs
            .into_iter()
            .map(|mut s| { s.ratings.resize(n_options, 0); s })
            .collect();
        let case = build(low, n_options, &specs);
        let parties = case.negotiating_parties();
        let scan = pareto_frontier(&case, &parties, EnumerationLimit::default()).unwrap();
        let (front, clear, feasible) = brute_force(&case, &parties);
        prop_assert_eq!(scan.n_clear_red_lines, u128::from(clear));
        prop_assert_eq!(scan.n_feasible, Some(feasible));
        prop_assert_eq!(scan.frontier.len(), front.len());
        for point in &scan.frontier {
            let found = front.iter().find(|(f, _)| equal_utilities(f, &point.utilities));
            prop_assert!(found.is_some(), "{:?} is not on the brute-force frontier", point.utilities);
            prop_assert_eq!(point.n_packages, found.unwrap().1);
            let again = case.utilities(&parties, &point.package);
            prop_assert!(equal_utilities(&again, &point.utilities));
        }
        // Far fewer packages visited than the case has.
        prop_assert!(scan.n_visited < case.n_packages().unwrap() as u64);
    }
}

#[test]
fn ranges_up_to_the_whole_of_i64_answer_at_once() {
    for (min, max) in [
        (0, i64::MAX),
        (i64::MIN, i64::MAX - 1),
        (-(1 << 40), 1 << 40),
        (0, 4_294_967_296),
    ] {
        let points = vec![
            Point::new("n", PointKind::integer(min, max)),
            Point::new("c", PointKind::options(["x", "y"])),
        ];
        let party = |slope: f64, ratings: Vec<f64>, red_line: Option<(f64, f64)>| {
            let utility = AdditiveUtility::new(
                vec![0.5, 0.5],
                vec![
                    Evaluator::Piecewise(vec![(0.0, 0.5 - slope), (100.0, 0.5 + slope)]),
                    Evaluator::Options(ratings),
                ],
            );
            let mut position = Position::new(utility.into());
            if let Some((lo, hi)) = red_line {
                position.red_lines.push(RedLine {
                    when: None,
                    require: Condition {
                        point: PointIdx(0),
                        values: ValueSet::Range { min: lo, max: hi },
                    },
                });
            }
            position
        };
        let case = Case::new(
            "wide",
            points,
            vec![
                Party::new("a", "A", Role::Party).with_position(party(
                    0.5,
                    vec![1.0, 0.0],
                    Some((10.0, f64::INFINITY)),
                )),
                Party::new("b", "B", Role::Party).with_position(party(-0.5, vec![0.0, 1.0], None)),
            ],
        )
        .unwrap();
        let parties = case.negotiating_parties();
        let scan = pareto_frontier(&case, &parties, EnumerationLimit::default()).unwrap();
        // Values 10..=100 trade one party's gain for the other's, with either option (the
        // values above 100 score as 100 does).
        assert_eq!(scan.frontier.len(), 2 * 91, "{min}..={max}");
        let clear = u128::from(max.abs_diff(min.max(10))) + 1;
        assert_eq!(scan.n_clear_red_lines, 2 * clear, "{min}..={max}");
        let package: &Package = &scan.frontier[0].package;
        assert!(matches!(package.0[0], Choice::Integer(v) if (10..=100).contains(&v)));
    }
    // 2^64 values: refused by name.
    let error = Case::new(
        "all",
        vec![Point::new("n", PointKind::integer(i64::MIN, i64::MAX))],
        Vec::new(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("has 2^64 values"), "{error}");
}
