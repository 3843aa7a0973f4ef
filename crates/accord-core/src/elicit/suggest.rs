//! Which whole packages to ask a party to rate next: those whose utility the answers so
//! far pin down least.

use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use super::{Answers, ElicitError, evaluators, scores, unacceptable};
use crate::elicit::fit::Fit;
use crate::model::{Case, Choice, OptionIdx, Package, PointKind};
use crate::position::Evaluator;

/// Random packages drawn as candidates, besides one "swing" package per point.
const CANDIDATES: usize = 2000;
/// Weightings drawn to measure how uncertain a package's utility is.
const SAMPLES: usize = 256;

/// Up to `n` packages for the party to rate, the most informative first.
///
/// Candidates are one package per weighable point that is best there and worst
/// everywhere else (it measures that point's weight alone), and random packages, none
/// with an option marked unacceptable. Each candidate's utility is computed under
/// weightings drawn from each weight's range (from `fit`, or anywhere from 0 to 1 before
/// any fit), and the candidates whose utility varies most are taken, each differing from
/// those taken and those already rated in at least a third of the weighable points.
/// Deterministic for a given `seed`.
pub fn suggest(
    case: &Case,
    answers: &Answers,
    fit: Option<&Fit>,
    n: usize,
    seed: u64,
) -> Result<Vec<Package>, ElicitError> {
    let evaluators = evaluators(case, answers)?;
    let active: Vec<usize> = (0..evaluators.len()).filter(|&k| evaluators[k].1).collect();
    if active.is_empty() {
        return Err(ElicitError::NothingRated);
    }
    // The values worth asking about on each point: acceptable options; a range's ends
    // and the values its shape turns at.
    let values: Vec<Vec<Choice>> = case
        .points()
        .iter()
        .enumerate()
        .map(|(k, point)| match &point.kind {
            PointKind::Options(options) => {
                let ok: Vec<Choice> = (0..options.len())
                    .map(|o| Choice::Option(OptionIdx(o)))
                    .filter(|&c| !unacceptable(answers, k, c))
                    .collect();
                if ok.is_empty() {
                    (0..options.len())
                        .map(|o| Choice::Option(OptionIdx(o)))
                        .collect()
                } else {
                    ok
                }
            }
            PointKind::Integer { min, max } => {
                let mut v: Vec<i64> = vec![*min, *max, min.midpoint(*max)];
                v.extend(
                    turns(&evaluators[k].0)
                        .into_iter()
                        .map(|x| x.round() as i64),
                );
                v.retain(|x| (min..=max).contains(&x));
                v.sort_unstable();
                v.dedup();
                v.into_iter().map(Choice::Integer).collect()
            }
            PointKind::Real { min, max } => {
                let mut v: Vec<f64> = vec![*min, *max, (min + max) / 2.0];
                v.extend(turns(&evaluators[k].0));
                v.retain(|x| (*min..=*max).contains(x));
                v.sort_by(f64::total_cmp);
                v.dedup();
                v.into_iter().map(Choice::Real).collect()
            }
        })
        .collect();
    let score = |k: usize, c: Choice| evaluators[k].0.score(c);
    let extreme = |k: usize, best: bool| -> Choice {
        let mut pick = values[k][0];
        for &c in &values[k] {
            let better = if best {
                score(k, c) > score(k, pick)
            } else {
                score(k, c) < score(k, pick)
            };
            if better {
                pick = c;
            }
        }
        pick
    };
    let mut candidates: Vec<Package> = active
        .iter()
        .map(|&i| Package((0..values.len()).map(|k| extreme(k, k == i)).collect()))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..CANDIDATES {
        candidates.push(Package(
            values
                .iter()
                .map(|v| v[rng.random_range(0..v.len())])
                .collect(),
        ));
    }
    // Weightings within the current ranges.
    let ranges: Vec<(f64, f64)> = match fit {
        Some(fit) => fit.ranges.clone(),
        None => (0..values.len())
            .map(|k| {
                if evaluators[k].1 {
                    (0.0, 1.0)
                } else {
                    (0.0, 0.0)
                }
            })
            .collect(),
    };
    let samples: Vec<Vec<f64>> = (0..SAMPLES)
        .map(|_| {
            let mut w: Vec<f64> = ranges
                .iter()
                .map(|&(lo, hi)| {
                    if hi > lo {
                        rng.random_range(lo..=hi)
                    } else {
                        lo
                    }
                })
                .collect();
            let total: f64 = w.iter().sum();
            if total > 0.0 {
                for x in &mut w {
                    *x /= total;
                }
            }
            w
        })
        .collect();
    let spread = |package: &Package| -> f64 {
        let s = scores(&evaluators, package);
        let u: Vec<f64> = samples
            .iter()
            .map(|w| w.iter().zip(&s).map(|(w, s)| w * s).sum())
            .collect();
        let mean = u.iter().sum::<f64>() / u.len() as f64;
        u.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / u.len() as f64
    };
    let mut scored: Vec<(f64, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(k, p)| (spread(p), k))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let apart = active.len().div_ceil(3).max(1);
    let differ = |a: &Package, b: &Package| active.iter().filter(|&&k| a.0[k] != b.0[k]).count();
    let mut taken: Vec<Package> = Vec::new();
    for (_, k) in scored {
        if taken.len() >= n {
            break;
        }
        let candidate = &candidates[k];
        let far = taken
            .iter()
            .chain(answers.packages.iter().map(|(p, _)| p))
            .all(|other| differ(candidate, other) >= apart);
        if far {
            taken.push(candidate.clone());
        }
    }
    Ok(taken)
}

/// The values where a range evaluator turns: its breakpoints.
fn turns(evaluator: &Evaluator) -> Vec<f64> {
    match evaluator {
        Evaluator::Piecewise(points) => points.iter().map(|p| p.0).collect(),
        Evaluator::Triangular { lower, top, upper } => vec![*lower, *top, *upper],
        _ => Vec::new(),
    }
}
