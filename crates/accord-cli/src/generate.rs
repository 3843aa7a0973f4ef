//! `accord generate`: a random additive case, reproducible from its seed, for benchmarks.

use accord_core::{
    AdditiveUtility, Case, Evaluator, OptionIdx, Party, Point, PointIdx, PointKind, Position,
    RedLine, Role,
};
use anyhow::{Result, bail};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
pub(crate) struct Spec {
    pub(crate) points: usize,
    pub(crate) options: usize,
    pub(crate) parties: usize,
    pub(crate) red_lines: usize,
    pub(crate) seed: u64,
}

/// A case of `points` points with `options` options each and `parties` parties with
/// random weights and ratings (integers 0..=10, so ties occur as in real cases), and
/// `red_lines` red lines each forbidding one option of one point for one party (never
/// every option of a point). The same spec always gives the same case.
pub(crate) fn generate(spec: &Spec) -> Result<Case> {
    if spec.points == 0 || spec.options < 2 || spec.parties == 0 {
        bail!("a generated case needs --points >= 1, --options >= 2 and --parties >= 1");
    }
    if spec.red_lines > spec.points * (spec.options - 1) {
        bail!(
            "{} red lines cannot each forbid a different option and leave every point an option (at most {})",
            spec.red_lines,
            spec.points * (spec.options - 1)
        );
    }
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
    let name = format!(
        "generated: {} points x {} options, {} parties, {} red lines, seed {}",
        spec.points, spec.options, spec.parties, spec.red_lines, spec.seed
    );
    Ok(Case::new(name, points, parties)?)
}
