//! Property tests of [`trades`] against a brute-force oracle that exists only here: every
//! package within a few changes of the draft, evaluated through `Case::utilities` and
//! `RedLine::is_crossed_by`.

mod common;

use accord_core::{
    Aggregation, Bound, Case, Choice, Condition, ConstraintNode, ConstraintUtility, EQUAL_EPS,
    OptionIdx, Package, PartyIdx, Point, PointIdx, PointKind, Position, Rectangle, RedLine,
    TradeLimit, Trades, UtilityFunction, ValueSet, trades,
};
use proptest::prelude::*;

use common::RedLineSpec;
/// A party: weights and scores per point, red lines.
type PartySpec = (Vec<f64>, Vec<Vec<f64>>, Vec<RedLineSpec>);

/// Points of options, additive parties and a draft (option numbers, taken modulo the
/// point's options).
#[derive(Debug, Clone)]
struct Spec {
    radix: Vec<usize>,
    parties: Vec<PartySpec>,
    draft: Vec<usize>,
}

/// 2 to 5 points of 2 or 3 options and 2 to 4 parties. Weights are eighths and scores quarters, so
/// every sum is exact (and some pass the clamp at 1), and ties and zero gains are common.
fn spec() -> impl Strategy<Value = Spec> {
    (prop::collection::vec(2usize..=3, 2..=5), 2usize..=4).prop_flat_map(|(radix, n_parties)| {
        let n_points = radix.len();
        let party = (
            prop::collection::vec((1u8..=4).prop_map(|k| f64::from(k) / 8.0), n_points),
            radix
                .iter()
                .map(|&r| prop::collection::vec((0u8..=4).prop_map(|k| f64::from(k) / 4.0), r))
                .collect::<Vec<_>>(),
            prop::collection::vec(
                (
                    0..n_points,
                    0usize..3,
                    prop::option::of((0..n_points, 0usize..3)),
                ),
                0..=1,
            ),
        );
        (
            prop::collection::vec(party, n_parties),
            prop::collection::vec(0usize..3, n_points),
        )
            .prop_map(move |(parties, draft)| Spec {
                radix: radix.clone(),
                parties,
                draft,
            })
    })
}

fn build(spec: &Spec) -> (Case, Package) {
    let points = common::option_points(&spec.radix);
    let parties = spec
        .parties
        .iter()
        .enumerate()
        .map(|(k, (weights, scores, red_lines))| {
            let mut position = common::additive(weights, scores);
            position.red_lines.extend(
                red_lines
                    .iter()
                    .map(|&r| common::red_line(&points, &spec.radix, r)),
            );
            common::party(k, position)
        })
        .collect();
    let draft = Package(
        spec.draft
            .iter()
            .zip(&spec.radix)
            .map(|(&o, &r)| Choice::Option(OptionIdx(o % r)))
            .collect(),
    );
    let case = Case::new("generated", points, parties).expect("generated cases are valid");
    (case, draft)
}

/// A rectangle: reward and bounds `(point, lo, hi)` (taken modulo the point's range).
type RectangleSpec = (u8, bool, Vec<(usize, u8, u8)>);
/// A party: its rectangles, a nested min or max node of rectangles, and range red lines,
/// some conditional.
type ConstraintPartySpec = (
    Vec<RectangleSpec>,
    Option<(bool, Vec<RectangleSpec>)>,
    Vec<((usize, u8, u8), Option<(usize, u8, u8)>)>,
);

/// Integer points `0..=max`, constraint-utility parties and a draft.
#[derive(Debug, Clone)]
struct ConstraintSpec {
    maxima: Vec<u8>,
    parties: Vec<ConstraintPartySpec>,
    draft: Vec<u8>,
}

fn constraint_spec() -> impl Strategy<Value = ConstraintSpec> {
    (prop::collection::vec(1u8..=4, 2..=4), 2usize..=3).prop_flat_map(|(maxima, n_parties)| {
        let n_points = maxima.len();
        let rectangle = || {
            (
                1u8..=20,
                any::<bool>(),
                prop::collection::vec((0..n_points, 0u8..5, 0u8..5), 0..=3),
            )
        };
        let range = || (0..n_points, 0u8..5, 0u8..5);
        let party = (
            prop::collection::vec(rectangle(), 1..=5),
            prop::option::of((any::<bool>(), prop::collection::vec(rectangle(), 1..=3))),
            prop::collection::vec((range(), prop::option::of(range())), 0..=2),
        );
        (
            prop::collection::vec(party, n_parties),
            prop::collection::vec(0u8..5, n_points),
        )
            .prop_map(move |(parties, draft)| ConstraintSpec {
                maxima: maxima.clone(),
                parties,
                draft,
            })
    })
}

fn build_constraint(spec: &ConstraintSpec) -> (Case, Package) {
    let points: Vec<Point> = spec
        .maxima
        .iter()
        .enumerate()
        .map(|(i, &m)| Point::new(format!("p{i}"), PointKind::integer(0, i64::from(m))))
        .collect();
    let range = |(point, lo, hi): (usize, u8, u8)| {
        let m = spec.maxima[point] + 1;
        let (a, b) = (lo % m, hi % m);
        Condition {
            point: PointIdx(point),
            values: ValueSet::Range {
                min: f64::from(a.min(b)),
                max: f64::from(a.max(b)),
            },
        }
    };
    let rectangles = |specs: &[RectangleSpec]| -> Vec<Rectangle> {
        specs
            .iter()
            .map(|(utility, excludes, bounds)| Rectangle {
                utility: f64::from(*utility),
                excludes: *excludes,
                bounds: bounds
                    .iter()
                    .map(|&b| {
                        let Condition { point, values } = range(b);
                        let ValueSet::Range { min, max } = values else {
                            unreachable!("range() gives a range")
                        };
                        Bound { point, min, max }
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
            let mut position = Position::new(UtilityFunction::Constraint(ConstraintUtility {
                root,
                max_utility: 40.0,
            }));
            for &(require, when) in red_lines {
                position.red_lines.push(RedLine {
                    when: when.map(range),
                    require: range(require),
                });
            }
            common::party(k, position)
        })
        .collect();
    let draft = Package(
        spec.draft
            .iter()
            .zip(&spec.maxima)
            .map(|(&v, &m)| Choice::Integer(i64::from(v % (m + 1))))
            .collect(),
    );
    let case = Case::new("rectangles", points, parties).expect("generated cases are valid");
    (case, draft)
}

/// The points where `package` differs from `draft`.
fn changed(draft: &Package, package: &Package) -> Vec<usize> {
    (0..draft.0.len())
        .filter(|&i| draft.0[i] != package.0[i])
        .collect()
}

fn gains(case: &Case, parties: &[PartyIdx], draft: &Package, package: &Package) -> Vec<f64> {
    let before = case.utilities(parties, draft);
    case.utilities(parties, package)
        .iter()
        .zip(&before)
        .map(|(u, d)| u - d)
        .collect()
}

/// Every red line of `parties`, as (party, index), with whether `package` crosses it.
fn crossings(case: &Case, parties: &[PartyIdx], package: &Package) -> Vec<bool> {
    parties
        .iter()
        .flat_map(|&p| &case.position(p).unwrap().red_lines)
        .map(|r| r.is_crossed_by(package))
        .collect()
}

/// Whether `package` crosses no red line that `draft` clears.
fn clears(case: &Case, parties: &[PartyIdx], draft: &Package, package: &Package) -> bool {
    crossings(case, parties, draft)
        .iter()
        .zip(crossings(case, parties, package))
        .all(|(&before, after)| before || !after)
}

/// Whether `package` crosses no new red line, no party loses and some party gains.
fn improves(case: &Case, parties: &[PartyIdx], draft: &Package, package: &Package) -> bool {
    let g = gains(case, parties, draft, package);
    clears(case, parties, draft, package)
        && g.iter().all(|&x| x >= -EQUAL_EPS)
        && g.iter().any(|&x| x > EQUAL_EPS)
}

/// Whether no proper subset of the changes (the rest put back) gives an improvement that
/// clears every red line the package clears.
fn minimal(case: &Case, parties: &[PartyIdx], draft: &Package, package: &Package) -> bool {
    let cleared = crossings(case, parties, package);
    let points = changed(draft, package);
    (1..(1_u32 << points.len()) - 1).all(|keep| {
        let mut back = package.clone();
        for (t, &i) in points.iter().enumerate() {
            if keep & (1 << t) == 0 {
                back.0[i] = draft.0[i];
            }
        }
        let keeps_clear = cleared
            .iter()
            .zip(crossings(case, parties, &back))
            .all(|(&was, now)| was || !now);
        !(keeps_clear && improves(case, parties, draft, &back))
    })
}

/// Every minimal improvement of `1..=max_points` changes, in enumeration order.
fn oracle_improvements(
    case: &Case,
    parties: &[PartyIdx],
    draft: &Package,
    max_points: usize,
) -> Vec<Package> {
    (0..case.n_packages().unwrap())
        .map(|k| case.package_at(k).unwrap())
        .filter(|p| {
            let n = changed(draft, p).len();
            (1..=max_points).contains(&n)
                && improves(case, parties, draft, p)
                && minimal(case, parties, draft, p)
        })
        .collect()
}

/// Every logroll: a package of two changes clearing the red lines, a pair of parties (by
/// place in `parties`), and the point the first concedes on.
fn oracle_logrolls(
    case: &Case,
    parties: &[PartyIdx],
    draft: &Package,
) -> Vec<(Package, [usize; 2], usize)> {
    let additive = |k: usize| match &case.position(parties[k]).unwrap().utility {
        UtilityFunction::Additive(a) => a.clone(),
        UtilityFunction::Constraint(_) => unreachable!("generated parties are additive"),
    };
    let mut found = Vec::new();
    for package in (0..case.n_packages().unwrap()).map(|k| case.package_at(k).unwrap()) {
        let points = changed(draft, &package);
        if points.len() != 2 || !clears(case, parties, draft, &package) {
            continue;
        }
        let g = gains(case, parties, draft, &package);
        let delta = |party: usize, point: usize| {
            let u = additive(party);
            u.contribution(PointIdx(point), package.0[point])
                - u.contribution(PointIdx(point), draft.0[point])
        };
        for a in 0..parties.len() {
            for b in a + 1..parties.len() {
                if g[a] <= EQUAL_EPS || g[b] <= EQUAL_EPS {
                    continue;
                }
                for (i, j) in [(points[0], points[1]), (points[1], points[0])] {
                    if delta(a, i) < -EQUAL_EPS
                        && delta(b, i) > EQUAL_EPS
                        && delta(b, j) < -EQUAL_EPS
                        && delta(a, j) > EQUAL_EPS
                    {
                        found.push((package.clone(), [a, b], i));
                    }
                }
            }
        }
    }
    found
}

/// Every reported improvement is a minimal Pareto improvement with the reported numbers
/// and changes, and the list is ranked.
fn check_improvements(
    case: &Case,
    parties: &[PartyIdx],
    draft: &Package,
    found: &Trades,
    max_points: usize,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(&found.draft_utilities, &case.utilities(parties, draft));
    for trade in &found.improvements {
        let p = &trade.package;
        prop_assert!(case.admits(p));
        let utilities = case.utilities(parties, p);
        prop_assert!(
            utilities
                .iter()
                .zip(&trade.utilities)
                .all(|(a, b)| (a - b).abs() <= 1e-9)
        );
        let g = gains(case, parties, draft, p);
        prop_assert!(
            g.iter()
                .zip(&trade.gains)
                .all(|(a, b)| (a - b).abs() <= 1e-9)
        );
        prop_assert!(
            improves(case, parties, draft, p),
            "{:?} is no improvement",
            trade
        );
        prop_assert!(
            minimal(case, parties, draft, p),
            "{:?} is not minimal",
            trade
        );
        let points: Vec<usize> = trade.changes.iter().map(|c| c.point.0).collect();
        prop_assert_eq!(&points, &changed(draft, p));
        prop_assert!((1..=max_points).contains(&points.len()));
        for change in &trade.changes {
            prop_assert_eq!(change.from, draft.choice(change.point));
            prop_assert_eq!(change.to, p.choice(change.point));
        }
    }
    // Ranked by the sum of gains, then fewer changes.
    for pair in found.improvements.windows(2) {
        let sum = |t: &accord_core::Trade| t.gains.iter().sum::<f64>();
        let (a, b) = (sum(&pair[0]), sum(&pair[1]));
        prop_assert!(a >= b);
        prop_assert!(a > b || pair[0].changes.len() <= pair[1].changes.len());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn improvements_and_logrolls_match_brute_force(
        spec in spec(),
        max_points in 1usize..=3,
        max_trades in prop::sample::select(vec![3usize, 20, 10_000]),
        opposed in any::<bool>(),
    ) {
        // Half the cases make the second party rate every option the reverse of the first,
        // so that what one gives up the other gains and logrolls are common.
        let mut spec = spec;
        if opposed {
            spec.parties[1].1 = spec.parties[0].1.iter().map(|s| s.iter().map(|x| 1.0 - x).collect()).collect();
        }
        let (case, draft) = build(&spec);
        let parties = case.negotiating_parties();
        let limit = TradeLimit { max_points, max_trades, ..TradeLimit::default() };
        let found = trades(&case, &parties, &draft, limit);
        prop_assert!(found.complete);
        check_improvements(&case, &parties, &draft, &found, max_points)?;

        // Completeness: every minimal improvement is found, or the list is full of ones at
        // least as good as any left out.
        let oracle = oracle_improvements(&case, &parties, &draft, max_points);
        let packages: Vec<&Package> = found.improvements.iter().map(|t| &t.package).collect();
        for (k, p) in packages.iter().enumerate() {
            prop_assert!(!packages[..k].contains(p), "{:?} listed twice", p);
        }
        if oracle.len() < max_trades {
            prop_assert_eq!(packages.len(), oracle.len());
        } else {
            prop_assert_eq!(packages.len(), max_trades);
            let worst = found.improvements.last().map_or(f64::INFINITY, |t| t.gains.iter().sum());
            for p in oracle.iter().filter(|p| !packages.contains(p)) {
                let left_out: f64 = gains(&case, &parties, &draft, p).iter().sum();
                prop_assert!(left_out <= worst + 1e-9, "{:?} left out", p);
            }
        }

        // Logrolls have the stated sign pattern and both parties gain.
        for logroll in &found.logrolls {
            let [a, b] = logroll.parties.map(|p| parties.iter().position(|&q| q == p).unwrap());
            prop_assert!(a < b);
            let p = &logroll.package;
            prop_assert!(clears(&case, &parties, &draft, p));
            let g = gains(&case, &parties, &draft, p);
            prop_assert!(g.iter().zip(&logroll.gains).all(|(x, y)| (x - y).abs() <= 1e-9));
            prop_assert!(g[a] > EQUAL_EPS && g[b] > EQUAL_EPS);
            prop_assert_eq!(
                logroll.others_not_worse,
                g.iter().enumerate().all(|(k, x)| k == a || k == b || *x >= -EQUAL_EPS)
            );
            let delta = |party: PartyIdx, change: &accord_core::Change| {
                let UtilityFunction::Additive(u) = &case.position(party).unwrap().utility else {
                    unreachable!("generated parties are additive")
                };
                u.contribution(change.point, change.to) - u.contribution(change.point, change.from)
            };
            let [x, y] = &logroll.changes;
            let [pa, pb] = logroll.parties;
            prop_assert!(delta(pa, x) < -EQUAL_EPS && delta(pb, x) > EQUAL_EPS);
            prop_assert!(delta(pb, y) < -EQUAL_EPS && delta(pa, y) > EQUAL_EPS);
            // Each concedes on the point it weighs less.
            prop_assert!(-delta(pa, x) < delta(pa, y) && -delta(pb, y) < delta(pb, x));
            let mut expected = draft.clone();
            expected.0[x.point.0] = x.to;
            expected.0[y.point.0] = y.to;
            prop_assert_eq!(&expected, p);
            prop_assert_eq!(changed(&draft, p).len(), 2);
        }
        let score = |l: &accord_core::Logroll| {
            let [a, b] = l.parties.map(|p| parties.iter().position(|&q| q == p).unwrap());
            l.gains[a].min(l.gains[b])
        };
        for pair in found.logrolls.windows(2) {
            prop_assert!(score(&pair[0]) >= score(&pair[1]));
        }
        // Logrolls need only two changes, so they are all found whatever `max_points` is
        // above 1.
        if max_points >= 2 {
            let oracle = oracle_logrolls(&case, &parties, &draft);
            if oracle.len() < max_trades {
                prop_assert_eq!(found.logrolls.len(), oracle.len());
                for logroll in &found.logrolls {
                    let pair = logroll.parties.map(|p| parties.iter().position(|&q| q == p).unwrap());
                    let key = (logroll.package.clone(), pair, logroll.changes[0].point.0);
                    prop_assert!(oracle.contains(&key), "{:?} not in the oracle", logroll);
                }
            } else {
                // The list is full of logrolls at least as good as any left out.
                prop_assert_eq!(found.logrolls.len(), max_trades);
                let worst = found.logrolls.last().map_or(f64::INFINITY, score);
                let kept = |p: &Package| found.logrolls.iter().any(|l| &l.package == p);
                for (p, [a, b], _) in oracle.iter().filter(|(p, _, _)| !kept(p)) {
                    let g = gains(&case, &parties, &draft, p);
                    prop_assert!(g[*a].min(g[*b]) <= worst + 1e-9, "{:?} left out", p);
                }
            }
        } else {
            prop_assert!(found.logrolls.is_empty());
        }
    }

    #[test]
    fn a_budget_cuts_the_same_search_short(spec in spec(), fraction in 0u8..=10) {
        // The search is deterministic: with a smaller budget it follows the same path and
        // stops, so it ends incomplete with exactly the budget spent; with enough budget
        // the answer is unchanged.
        let (case, draft) = build(&spec);
        let parties = case.negotiating_parties();
        let full = trades(&case, &parties, &draft, TradeLimit::default());
        prop_assert_eq!(&full, &trades(&case, &parties, &draft, TradeLimit::default()));
        let budget = full.n_evaluated * u64::from(fraction) / 10;
        let limit = TradeLimit { max_evaluations: budget, ..TradeLimit::default() };
        let cut = trades(&case, &parties, &draft, limit);
        if budget < full.n_evaluated {
            prop_assert!(!cut.complete);
            prop_assert_eq!(cut.n_evaluated, budget);
            check_improvements(&case, &parties, &draft, &cut, 3)?;
        } else {
            prop_assert_eq!(cut, full);
        }
    }

    #[test]
    fn landmark_values_find_every_kind_of_improvement_on_ranges(
        spec in constraint_spec(),
        max_points in 1usize..=2,
    ) {
        // With hyper-rectangle utilities and range red lines, utilities and red lines are
        // constant between landmarks: every minimal improvement found by brute force has a
        // found one changing the same points with the same utilities, and every found one
        // is a real minimal improvement.
        let (case, draft) = build_constraint(&spec);
        let parties = case.negotiating_parties();
        let limit = TradeLimit { max_points, max_trades: 100_000, ..TradeLimit::default() };
        let found = trades(&case, &parties, &draft, limit);
        prop_assert!(found.complete);
        prop_assert!(found.logrolls.is_empty());
        check_improvements(&case, &parties, &draft, &found, max_points)?;
        for p in oracle_improvements(&case, &parties, &draft, max_points) {
            let utilities = case.utilities(&parties, &p);
            prop_assert!(
                found.improvements.iter().any(|t| {
                    changed(&draft, &t.package) == changed(&draft, &p)
                        && t.utilities.iter().zip(&utilities).all(|(a, b)| (a - b).abs() <= 1e-9)
                }),
                "nothing like {:?} found", p
            );
        }
    }
}
