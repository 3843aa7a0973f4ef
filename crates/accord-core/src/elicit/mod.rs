//! Preference elicitation: a party's position built from answers a delegate can give
//! without ever typing a weight.
//!
//! The questions, in the order a delegation meets them (the hybrid conjoint of
//! negotiation support systems):
//!
//! 1. **Options.** Each option of a point rated from 0 to 100; options the party cannot
//!    accept marked (they become red lines). A range point gets a shape instead: more is
//!    better, less is better, or a best value, optionally with anchor values and their
//!    ratings. Ratings are rescaled per point, the worst to 0 and the best to 1, so that
//!    a weight is what a swing from the worst to the best option is worth.
//! 2. **Swings.** How much moving each point from its worst to its best value is worth,
//!    from 0 to 100, against the point whose swing matters most (100).
//! 3. **Whole packages.** Packages rated from 0 (the worst on every point) to 100 (the
//!    best on every point), and "no agreement" placed on the same scale, which gives the
//!    reservation value. [`suggest`] picks the packages that tell most about the weights.
//!
//! [`fit`] turns the answers into an ordinary [`Position`](crate::Position): the weights
//! that fit every answer best (least absolute deviations, a linear program: weights at
//! least 0 summing to 1), how sure each weight is (its range over the weights that fit every answer
//! within its tolerance), and where the answers disagree with each other.
//!
//! Everything here is pure and deterministic: no clock, no global randomness.

mod fit;
mod suggest;

pub use fit::{Fit, FitOptions, Inconsistency, Residual, fit, kendall_tau};
pub use suggest::suggest;

use crate::model::{Case, Choice, OptionIdx, Package, PointIdx, PointKind};
use crate::position::Evaluator;

/// How a party values a range point (integers or reals).
#[derive(Debug, Clone, PartialEq)]
pub struct RangeShape {
    /// The shape.
    pub kind: ShapeKind,
    /// Values with their 0-100 rating; when given, the score runs through them (linearly
    /// between, constant beyond the first and the last), and the kind only documents it.
    pub anchors: Vec<(f64, f64)>,
}

/// The shape of a range point's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShapeKind {
    /// The higher the better: 0 at the range's minimum, 1 at its maximum.
    MoreIsBetter,
    /// The lower the better.
    LessIsBetter,
    /// One value is best; the score falls linearly to 0 at both ends of the range.
    Best(f64),
}

/// A party's answers to the elicitation questions, by point index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answers {
    /// Per point of options: a 0-100 rating of each option, in option order; `None` for a
    /// point not rated (it gets weight 0).
    pub ratings: Vec<Option<Vec<f64>>>,
    /// Per point of options: the options the party cannot accept.
    pub unacceptable: Vec<Vec<OptionIdx>>,
    /// Per range point: its shape; `None` for a point not answered (weight 0).
    pub shapes: Vec<Option<RangeShape>>,
    /// Per point: what its swing from worst to best is worth, 0-100, against the point
    /// whose swing matters most (rated 100); `None` where not answered.
    pub swings: Vec<Option<f64>>,
    /// Whole packages, each rated 0-100.
    pub packages: Vec<(Package, f64)>,
    /// Where "no agreement" stands on the packages' 0-100 scale: the reservation value.
    pub no_agreement: Option<f64>,
}

impl Answers {
    /// No answer yet, for every point of `case`.
    #[must_use]
    pub fn empty(case: &Case) -> Self {
        let n = case.points().len();
        Self {
            ratings: vec![None; n],
            unacceptable: vec![Vec::new(); n],
            shapes: vec![None; n],
            swings: vec![None; n],
            packages: Vec::new(),
            no_agreement: None,
        }
    }
}

/// Why answers cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ElicitError {
    /// The answers are not sized for the case.
    #[error("the answers cover {answers} points, the case has {points}")]
    WrongSize {
        /// Points in the answers.
        answers: usize,
        /// Points in the case.
        points: usize,
    },
    /// A point's answer does not match its kind or its options.
    #[error("point `{point}`: {message}")]
    BadAnswer {
        /// The point's id.
        point: String,
        /// What is wrong.
        message: String,
    },
    /// No point has a value to weigh.
    #[error("no point is rated: rate the options of some point (or give a range its shape)")]
    NothingRated,
    /// Nothing says how the points weigh against each other.
    #[error(
        "nothing tells how the points weigh against each other: give the swings, or rate \
         whole packages"
    )]
    NoWeights,
    /// The linear program failed (it should not: it is always feasible).
    #[error("the fit failed: {0}")]
    Solver(String),
    /// The interrupt watched on this thread was raised ([`crate::Interrupt`]).
    #[error("the fit was stopped")]
    Stopped,
}

/// Checks the answers against the case's points (sizes, options, a range's best value and
/// anchors), without fitting anything.
pub fn check(case: &Case, answers: &Answers) -> Result<(), ElicitError> {
    evaluators(case, answers).map(|_| ())
}

/// Each point's value function from the answers: scores from 0 (worst) to 1 (best), and
/// whether the point has any value to weigh.
pub(crate) fn evaluators(
    case: &Case,
    answers: &Answers,
) -> Result<Vec<(Evaluator, bool)>, ElicitError> {
    let n = case.points().len();
    for (len, _) in [
        (answers.ratings.len(), "ratings"),
        (answers.unacceptable.len(), "unacceptable"),
        (answers.shapes.len(), "shapes"),
        (answers.swings.len(), "swings"),
    ] {
        if len != n {
            return Err(ElicitError::WrongSize {
                answers: len,
                points: n,
            });
        }
    }
    let bad = |k: usize, message: String| ElicitError::BadAnswer {
        point: case.points()[k].id.clone(),
        message,
    };
    let rating_ok = |r: f64| r.is_finite() && (0.0..=100.0).contains(&r);
    let mut out = Vec::with_capacity(n);
    for (k, point) in case.points().iter().enumerate() {
        let evaluator = match &point.kind {
            PointKind::Options(options) => {
                if answers.shapes[k].is_some() {
                    return Err(bad(k, "a point of options has no shape".into()));
                }
                match &answers.ratings[k] {
                    // Not rated: every option scores 0 (a point of options takes scores
                    // per option, never a value function).
                    None => (Evaluator::Options(vec![0.0; options.len()]), false),
                    Some(ratings) => {
                        if ratings.len() != options.len() {
                            return Err(bad(
                                k,
                                format!("{} ratings for {} options", ratings.len(), options.len()),
                            ));
                        }
                        if let Some(r) = ratings.iter().find(|r| !rating_ok(**r)) {
                            return Err(bad(k, format!("a rating of {r} is not in 0..=100")));
                        }
                        let lo = ratings.iter().copied().fold(f64::INFINITY, f64::min);
                        let hi = ratings.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        if hi > lo {
                            let scores = ratings.iter().map(|r| (r - lo) / (hi - lo)).collect();
                            (Evaluator::Options(scores), true)
                        } else {
                            // Every option alike: nothing to weigh.
                            (Evaluator::Options(vec![0.0; options.len()]), false)
                        }
                    }
                }
            }
            PointKind::Integer { .. } | PointKind::Real { .. } => {
                if answers.ratings[k].is_some() || !answers.unacceptable[k].is_empty() {
                    return Err(bad(
                        k,
                        "a range is answered with a shape, not option ratings".into(),
                    ));
                }
                match &answers.shapes[k] {
                    None => (Evaluator::Constant(0.0), false),
                    Some(shape) => range_evaluator(point_bounds(&point.kind), shape)
                        .map_err(|message| bad(k, message))?,
                }
            }
        };
        for option in &answers.unacceptable[k] {
            if option.0 >= point.options().len() {
                return Err(bad(k, format!("no option #{}", option.0)));
            }
        }
        if let Some(s) = answers.swings[k]
            && !rating_ok(s)
        {
            return Err(bad(k, format!("a swing of {s} is not in 0..=100")));
        }
        out.push(evaluator);
    }
    for (package, rating) in &answers.packages {
        if !rating_ok(*rating) {
            return Err(ElicitError::BadAnswer {
                point: String::new(),
                message: format!("a package rating of {rating} is not in 0..=100"),
            });
        }
        if package.0.len() != n || !case.admits(package) {
            return Err(ElicitError::BadAnswer {
                point: String::new(),
                message: "a rated package is not a package of the case".into(),
            });
        }
    }
    if let Some(r) = answers.no_agreement
        && !rating_ok(r)
    {
        return Err(ElicitError::BadAnswer {
            point: String::new(),
            message: format!("no agreement rated {r}, not in 0..=100"),
        });
    }
    Ok(out)
}

fn point_bounds(kind: &PointKind) -> (f64, f64) {
    match kind {
        PointKind::Integer { min, max } => (*min as f64, *max as f64),
        PointKind::Real { min, max } => (*min, *max),
        PointKind::Options(_) => (0.0, 0.0),
    }
}

/// A range point's evaluator from its shape, scores rescaled to run from 0 to 1.
fn range_evaluator(
    (min, max): (f64, f64),
    shape: &RangeShape,
) -> Result<(Evaluator, bool), String> {
    if !shape.anchors.is_empty() {
        let mut anchors = shape.anchors.clone();
        if let Some((v, r)) = anchors
            .iter()
            .find(|(v, r)| !v.is_finite() || !r.is_finite() || !(0.0..=100.0).contains(r))
        {
            return Err(format!(
                "the anchor ({v}, {r}) needs a finite value and a rating in 0..=100"
            ));
        }
        anchors.sort_by(|a, b| a.0.total_cmp(&b.0));
        if anchors.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err("two anchors at the same value".into());
        }
        let lo = anchors.iter().map(|a| a.1).fold(f64::INFINITY, f64::min);
        let hi = anchors
            .iter()
            .map(|a| a.1)
            .fold(f64::NEG_INFINITY, f64::max);
        if hi <= lo {
            return Ok((Evaluator::Constant(0.0), false));
        }
        let points = anchors
            .into_iter()
            .map(|(v, r)| (v, (r - lo) / (hi - lo)))
            .collect();
        return Ok((Evaluator::Piecewise(points), true));
    }
    if max <= min {
        return Ok((Evaluator::Constant(0.0), false));
    }
    let evaluator = match shape.kind {
        ShapeKind::MoreIsBetter => Evaluator::Linear {
            origin: min,
            offset: 0.0,
            slope: 1.0 / (max - min),
        },
        ShapeKind::LessIsBetter => Evaluator::Linear {
            origin: min,
            offset: 1.0,
            slope: -1.0 / (max - min),
        },
        ShapeKind::Best(best) => {
            if !(min..=max).contains(&best) {
                return Err(format!("the best value {best} is outside {min}..={max}"));
            }
            // A best value at an end is a straight line from the other end.
            if best == min {
                Evaluator::Linear {
                    origin: min,
                    offset: 1.0,
                    slope: -1.0 / (max - min),
                }
            } else if best == max {
                Evaluator::Linear {
                    origin: min,
                    offset: 0.0,
                    slope: 1.0 / (max - min),
                }
            } else {
                Evaluator::Piecewise(vec![(min, 0.0), (best, 1.0), (max, 0.0)])
            }
        }
    };
    Ok((evaluator, true))
}

/// Each point's score (0 to 1) in `package`, by the answers' evaluators.
pub(crate) fn scores(evaluators: &[(Evaluator, bool)], package: &Package) -> Vec<f64> {
    evaluators
        .iter()
        .enumerate()
        .map(|(k, (e, _))| e.score(package.choice(PointIdx(k))))
        .collect()
}

/// Whether `choice` on point `k` is one the party marked unacceptable.
pub(crate) fn unacceptable(answers: &Answers, k: usize, choice: Choice) -> bool {
    matches!(choice, Choice::Option(o) if answers.unacceptable[k].contains(&o))
}
