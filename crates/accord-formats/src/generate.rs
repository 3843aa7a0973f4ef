//! Random additive and hyper-rectangle cases, reproducible from a seed, for benchmarks and
//! `accord generate`.
//!
//! [`generate_case`] builds a [`Case`] of `points` points with `options` options each and
//! `parties` parties with random weights and ratings, from a [`GenerateSpec`]. The random
//! generator is `rand_chacha`'s `ChaCha8`, seeded from the spec, so the same spec gives the
//! same case on every machine and with every build (benchmarks and bug reports rely on it).
//!
//! ```
//! use accord_formats::generate::{GenerateSpec, generate_case};
//!
//! let spec = GenerateSpec { points: 4, options: 3, parties: 2, red_lines: 1, reservation: 0.4, seed: 1 };
//! let case = generate_case(&spec).unwrap();
//! assert_eq!(case.points().len(), 4);
//! assert_eq!(case, generate_case(&spec).unwrap());
//! ```

use accord_core::{
    AdditiveUtility, Aggregation, Bound, Case, ConstraintNode, ConstraintUtility, Evaluator,
    ModelErrors, OptionIdx, Party, PartyIdx, Point, PointIdx, PointKind, Position, Rectangle,
    RedLine, Role, SolveLimit, UtilityFunction, rectangle_maximum,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenerateSpec {
    /// Number of points (at least 1).
    pub points: usize,
    /// Options per point (at least 2).
    pub options: usize,
    /// Number of parties (at least 1).
    pub parties: usize,
    /// Red lines, each forbidding one option of one point for one party.
    pub red_lines: usize,
    /// The largest reservation value: each party's is drawn between half of it and it
    /// (0: every reservation value is 0).
    pub reservation: f64,
    /// Seed of the random generator.
    pub seed: u64,
}

/// Why a spec cannot be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// No point, fewer than two options per point, or no party.
    #[error("a generated case needs at least 1 point, 2 options per point and 1 party")]
    TooSmall,
    /// More red lines than options that can be forbidden while every point keeps one.
    #[error(
        "{red_lines} red lines cannot each forbid a different option and leave every point an option (at most {max})"
    )]
    TooManyRedLines {
        /// The red lines asked for.
        red_lines: usize,
        /// The most that fit.
        max: usize,
    },
    /// A size over what a generated case may have ([`MAX_POINTS`] and its kin).
    #[error("{what} is {value}, more than the {max} a generated case may have")]
    TooLarge {
        /// The size: `points`, `options`, `parties`, `rectangles`, or a product of them.
        what: &'static str,
        /// Its value.
        value: u128,
        /// The most allowed.
        max: u128,
    },
    /// A reservation value outside `0..=1`.
    #[error("the reservation value `{0}` is not between 0 and 1")]
    BadReservation(f64),
    /// The largest sum of a party's rectangles could not be found within the search limit.
    #[error("the largest sum of a party's rectangles was not found: {0}")]
    Unsolvable(String),
    /// The case failed validation (a bug of the generator: its cases are valid by
    /// construction).
    #[error(transparent)]
    Invalid(#[from] ModelErrors),
}

/// The most points, options per point, parties and rectangles per party a generated case
/// may have, and the most ratings (points × options × parties) or rectangles in all
/// (parties × rectangles): far beyond any benchmark, and short of what a case file can
/// hold in memory.
pub const MAX_POINTS: usize = 100_000;
/// See [`MAX_POINTS`].
pub const MAX_OPTIONS: usize = 10_000;
/// See [`MAX_POINTS`].
pub const MAX_PARTIES: usize = 1_000;
/// See [`MAX_POINTS`].
pub const MAX_RECTANGLES: usize = 100_000;
/// See [`MAX_POINTS`].
pub const MAX_RATINGS: u128 = 20_000_000;

/// Refuses sizes over the limits ([`MAX_POINTS`]), before anything is allocated.
fn check_sizes(spec: &GenerateSpec, rectangles: usize) -> Result<(), GenerateError> {
    let too_large = |what, value: u128, max: u128| {
        if value > max {
            Err(GenerateError::TooLarge { what, value, max })
        } else {
            Ok(())
        }
    };
    let wide = |n: usize| n as u128;
    too_large("points", wide(spec.points), wide(MAX_POINTS))?;
    too_large("options", wide(spec.options), wide(MAX_OPTIONS))?;
    too_large("parties", wide(spec.parties), wide(MAX_PARTIES))?;
    too_large("rectangles", wide(rectangles), wide(MAX_RECTANGLES))?;
    too_large(
        "points × options × parties",
        wide(spec.points) * wide(spec.options) * wide(spec.parties),
        MAX_RATINGS,
    )?;
    too_large(
        "parties × rectangles",
        wide(spec.parties) * wide(rectangles),
        MAX_RATINGS,
    )
}

/// A case of `points` points with `options` options each and `parties` parties with
/// random weights and ratings (integers 0..=10, so ties occur as in real cases), and
/// `red_lines` red lines each forbidding one option of one point for one party (never
/// every option of a point), and reservation values between `reservation / 2` and
/// `reservation`. The same spec always gives the same case.
pub fn generate_case(spec: &GenerateSpec) -> Result<Case, GenerateError> {
    if spec.points == 0 || spec.options < 2 || spec.parties == 0 {
        return Err(GenerateError::TooSmall);
    }
    check_sizes(spec, 0)?;
    if !(0.0..=1.0).contains(&spec.reservation) {
        return Err(GenerateError::BadReservation(spec.reservation));
    }
    let max_red_lines = spec.points * (spec.options - 1);
    if spec.red_lines > max_red_lines {
        return Err(GenerateError::TooManyRedLines {
            red_lines: spec.red_lines,
            max: max_red_lines,
        });
    }
    // The order of the draws below is the file format of a seed: changing it changes
    // every generated case, and so every benchmark and bug report that names a seed.
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let points: Vec<Point> = (1..=spec.points)
        .map(|i| {
            Point::new(
                format!("p{i}"),
                PointKind::options((1..=spec.options).map(|k| format!("o{k}"))),
            )
        })
        .collect();
    let mut parties: Vec<Party> = (1..=spec.parties)
        .map(|p| {
            let weights: Vec<f64> = (0..spec.points)
                .map(|_| f64::from(rng.random_range(1..=100u8)))
                .collect();
            let total: f64 = weights.iter().sum();
            let evaluators = (0..spec.points)
                .map(|_| {
                    let mut ratings: Vec<f64> = (0..spec.options)
                        .map(|_| f64::from(rng.random_range(0..=10u8)))
                        .collect();
                    // Every point has a best option worth 1 and a worst worth 0.
                    let best = rng.random_range(0..spec.options);
                    ratings[best] = 10.0;
                    let worst = (best + 1 + rng.random_range(0..spec.options - 1)) % spec.options;
                    ratings[worst] = 0.0;
                    Evaluator::Options(ratings.iter().map(|r| r / 10.0).collect())
                })
                .collect();
            let utility =
                AdditiveUtility::new(weights.iter().map(|w| w / total).collect(), evaluators);
            Party::new(format!("party{p}"), format!("Party {p}"), Role::Party)
                .with_position(Position::new(utility.into()))
        })
        .collect();
    let mut forbidden = vec![Vec::new(); spec.points];
    let mut placed = 0;
    while placed < spec.red_lines {
        let point = rng.random_range(0..spec.points);
        let option = OptionIdx(rng.random_range(0..spec.options));
        let party = rng.random_range(0..spec.parties);
        if forbidden[point].contains(&option) || forbidden[point].len() + 1 >= spec.options {
            continue;
        }
        forbidden[point].push(option);
        let red_line = RedLine::forbid(&points[point], PointIdx(point), &[option]);
        if let Some(position) = parties[party].position.as_mut() {
            position.red_lines.push(red_line);
        }
        placed += 1;
    }
    // Drawn last, and only when asked for, so that cases without them stay as they were.
    let reservation = draw_reservations(spec.reservation, &mut rng, &mut parties);
    let name = format!(
        "generated: {} points x {} options, {} parties, {} red lines{reservation}, seed {}",
        spec.points, spec.options, spec.parties, spec.red_lines, spec.seed
    );
    Ok(Case::new(name, points, parties)?)
}

/// A hyper-rectangle case of the ANAC 2014 shape: `spec.points` integer points of values
/// `0..spec.options`, and `spec.parties` parties whose utility is a sum of `rectangles`
/// rewards each (integers 1..=100), each paid inside a box of one to four bounds on
/// distinct points (as in the ANAC 2014 files, mostly one-sided: "at most b" with `b` from
/// the middle up, "at least a" with `a` from a third up, one in ten an inner interval),
/// divided by the party's largest sum
/// ([`accord_core::rectangle_maximum`]) so that its best package is worth exactly 1.
/// Reservation values are drawn as for [`generate_case`]; red lines are refused
/// (`TooManyRedLines`: none fits), since the rectangles say everything. The same spec and
/// count always give the same case.
pub fn generate_rectangle_case(
    spec: &GenerateSpec,
    rectangles: usize,
) -> Result<Case, GenerateError> {
    if spec.points == 0 || spec.options < 2 || spec.parties == 0 || rectangles == 0 {
        return Err(GenerateError::TooSmall);
    }
    check_sizes(spec, rectangles)?;
    if !(0.0..=1.0).contains(&spec.reservation) {
        return Err(GenerateError::BadReservation(spec.reservation));
    }
    if spec.red_lines > 0 {
        return Err(GenerateError::TooManyRedLines {
            red_lines: spec.red_lines,
            max: 0,
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let top = spec.options as i64 - 1;
    let points: Vec<Point> = (1..=spec.points)
        .map(|i| Point::new(format!("i{i}"), PointKind::Integer { min: 0, max: top }))
        .collect();
    let mut parties: Vec<Party> = (1..=spec.parties)
        .map(|p| {
            let boxes = (0..rectangles)
                .map(|_| {
                    let n_bounds = rng.random_range(1..=4usize).min(spec.points);
                    let mut bounded: Vec<usize> = Vec::with_capacity(n_bounds);
                    while bounded.len() < n_bounds {
                        let point = rng.random_range(0..spec.points);
                        if !bounded.contains(&point) {
                            bounded.push(point);
                        }
                    }
                    let bounds = bounded
                        .into_iter()
                        .map(|point| {
                            // As in the ANAC 2014 files: mostly "at most b" from the middle
                            // up, or "at least a" from a third up; a few inner intervals.
                            let (min, max) = match rng.random_range(0..20u8) {
                                0..=8 => (0, rng.random_range((top + 1) / 2..=(top - 1).max(0))),
                                9..=17 => (rng.random_range((top + 2) / 3..=top), top),
                                _ => {
                                    let a = rng.random_range(0..=top);
                                    let b = rng.random_range(0..=top);
                                    (a.min(b), a.max(b))
                                }
                            };
                            Bound {
                                point: PointIdx(point),
                                min: min as f64,
                                max: max as f64,
                            }
                        })
                        .collect();
                    Rectangle {
                        utility: f64::from(rng.random_range(1..=100u8)),
                        excludes: false,
                        bounds,
                    }
                })
                .collect();
            let utility = ConstraintUtility {
                root: ConstraintNode {
                    aggregation: Aggregation::Sum,
                    weight: 1.0,
                    rectangles: boxes,
                    children: Vec::new(),
                },
                max_utility: 1.0,
            };
            Party::new(format!("party{p}"), format!("Party {p}"), Role::Party)
                .with_position(Position::new(UtilityFunction::Constraint(utility)))
        })
        .collect();
    let reservation = draw_reservations(spec.reservation, &mut rng, &mut parties);
    let name = format!(
        "generated: {} points of {} values, {} parties of {rectangles} hyper-rectangles{reservation}, seed {}",
        spec.points, spec.options, spec.parties, spec.seed
    );
    // Each divisor is the party's largest sum, found by search (one party at a time).
    let draft = Case::new(name.clone(), points.clone(), parties.clone())?;
    for (k, party) in parties.iter_mut().enumerate() {
        let largest = rectangle_maximum(&draft, PartyIdx(k), SolveLimit::default())
            .map_err(|why| GenerateError::Unsolvable(why.to_string()))?;
        if let Some(Position {
            utility: UtilityFunction::Constraint(utility),
            ..
        }) = party.position.as_mut()
        {
            utility.max_utility = largest.max(1.0);
        }
    }
    Ok(Case::new(name, points, parties)?)
}

/// Draws each party's reservation value between `largest / 2` and `largest` (none when
/// `largest` is 0, so that cases without them stay as they were); returns the words the
/// case's name gives them.
fn draw_reservations(largest: f64, rng: &mut ChaCha8Rng, parties: &mut [Party]) -> String {
    if largest <= 0.0 {
        return String::new();
    }
    for party in parties {
        let draw = f64::from(rng.random_range(0..=1000u16)) / 1000.0;
        if let Some(position) = party.position.as_mut() {
            position.reservation_value = largest * (0.5 + draw / 2.0);
        }
    }
    format!(", reservation values up to {largest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(points: usize, options: usize, parties: usize, red_lines: usize) -> GenerateSpec {
        GenerateSpec {
            points,
            options,
            parties,
            red_lines,
            reservation: 0.0,
            seed: 5,
        }
    }

    /// Generates `spec` and checks its shape: points, options, parties, red lines.
    fn check(spec: &GenerateSpec) {
        let case = generate_case(spec).unwrap();
        assert_eq!(case.points().len(), spec.points);
        assert_eq!(case.parties().len(), spec.parties);
        let red_lines: usize = case
            .parties()
            .iter()
            .filter_map(|p| p.position.as_ref())
            .map(|p| p.red_lines.len())
            .sum();
        assert_eq!(red_lines, spec.red_lines);
        assert_eq!(
            case,
            generate_case(spec).unwrap(),
            "the same spec, the same case"
        );
    }

    /// A hyper-rectangle case has the shape asked for, depends only on the spec, and each
    /// party's best package is worth exactly 1 (its divisor is its largest sum).
    #[test]
    fn rectangle_cases_have_the_shape_asked_for_and_a_best_package_worth_1() {
        let spec = GenerateSpec {
            points: 6,
            options: 4,
            parties: 2,
            red_lines: 0,
            reservation: 0.5,
            seed: 3,
        };
        let case = generate_rectangle_case(&spec, 5).unwrap();
        assert_eq!(case, generate_rectangle_case(&spec, 5).unwrap());
        assert_eq!(case.n_packages(), Some(4u128.pow(6)));
        for (k, party) in case.parties().iter().enumerate() {
            let position = party.position.as_ref().unwrap();
            let UtilityFunction::Constraint(utility) = &position.utility else {
                panic!("a hyper-rectangle position");
            };
            assert_eq!(utility.root.rectangles.len(), 5);
            assert!((0.25..=0.5).contains(&position.reservation_value));
            let best = (0..4u64.pow(6))
                .map(|i| position.utility(&case.package_at(u128::from(i)).unwrap()))
                .fold(0.0, f64::max);
            assert_eq!(best, 1.0, "party {k}");
        }
        assert!(matches!(
            generate_rectangle_case(
                &GenerateSpec {
                    red_lines: 1,
                    ..spec
                },
                5
            ),
            Err(GenerateError::TooManyRedLines { .. })
        ));
        assert!(matches!(
            generate_rectangle_case(&spec, 0),
            Err(GenerateError::TooSmall)
        ));
    }

    #[test]
    fn cases_have_the_shape_asked_for_and_depend_only_on_the_spec() {
        check(&spec(1, 2, 1, 0));
        check(&spec(6, 4, 3, 5));
        check(&spec(3, 2, 2, 3));
        let other_seed = GenerateSpec {
            seed: 6,
            ..spec(6, 4, 3, 5)
        };
        assert_ne!(
            generate_case(&spec(6, 4, 3, 5)).unwrap(),
            generate_case(&other_seed).unwrap()
        );
        let with_reservation = GenerateSpec {
            reservation: 0.6,
            ..spec(6, 4, 3, 5)
        };
        let case = generate_case(&with_reservation).unwrap();
        for party in case.parties() {
            let value = party.position.as_ref().unwrap().reservation_value;
            assert!((0.3..=0.6).contains(&value), "{value}");
        }
        // Reservation values are drawn last: the rest of the case is unchanged.
        let points_and_weights = |case: &Case| {
            case.parties()
                .iter()
                .map(|p| p.position.as_ref().unwrap().utility.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            points_and_weights(&case),
            points_and_weights(&generate_case(&spec(6, 4, 3, 5)).unwrap())
        );
    }

    #[test]
    fn impossible_specs_are_errors() {
        assert_eq!(
            generate_case(&GenerateSpec {
                reservation: 1.5,
                ..spec(3, 3, 2, 0)
            }),
            Err(GenerateError::BadReservation(1.5))
        );
        assert_eq!(
            generate_case(&spec(0, 3, 2, 0)),
            Err(GenerateError::TooSmall)
        );
        assert_eq!(
            generate_case(&spec(3, 1, 2, 0)),
            Err(GenerateError::TooSmall)
        );
        assert_eq!(
            generate_case(&spec(3, 3, 0, 0)),
            Err(GenerateError::TooSmall)
        );
        assert_eq!(
            generate_case(&spec(3, 2, 2, 4)),
            Err(GenerateError::TooManyRedLines {
                red_lines: 4,
                max: 3
            })
        );
    }
}
