//! The fit: weights from swings and package ratings by a linear program, their ranges,
//! and the answers that disagree.

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, microlp, variable};

use super::{Answers, ElicitError, evaluators, scores, unacceptable};
use crate::model::{Case, Choice, OptionIdx, PointIdx};
use crate::position::{AdditiveUtility, Position, RedLine};

/// How loosely answers may fit and still count as fitting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// How far, in points of the 0-100 scale, a package's rating may be from its fitted
    /// utility (default 5).
    pub package_tolerance: f64,
    /// How far, in points of the 0-100 scale, a swing may be from the ratio of the fitted
    /// weights (default 10).
    pub swing_tolerance: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            package_tolerance: 5.0,
            swing_tolerance: 10.0,
        }
    }
}

/// One answer against the fitted position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Residual {
    /// The answer, 0-100.
    pub given: f64,
    /// What the fitted position says, 0-100.
    pub fitted: f64,
}

/// Where the answers disagree with each other.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Inconsistency {
    /// Package `higher` was rated clearly above package `lower`, yet by the fitted weights
    /// `lower` is better, by `by` in utility.
    Order {
        /// The package rated higher (index into the answers' packages).
        higher: usize,
        /// The package rated lower.
        lower: usize,
        /// How much better the fitted position finds `lower`, in utility (0 to 1).
        by: f64,
    },
    /// A package's rating is further from its fitted utility than the tolerance.
    Package {
        /// Index into the answers' packages.
        package: usize,
        /// The rating and the fitted utility, 0-100.
        residual: Residual,
    },
    /// A swing is further from the ratio of the fitted weights than the tolerance.
    Swing {
        /// The point.
        point: PointIdx,
        /// The point whose swing the others are measured against.
        top: PointIdx,
        /// The swing given and the fitted ratio, 0-100.
        residual: Residual,
    },
    /// A package rated above "no agreement" holds an option marked unacceptable.
    Unacceptable {
        /// Index into the answers' packages.
        package: usize,
        /// The point.
        point: PointIdx,
        /// The option marked unacceptable.
        option: OptionIdx,
    },
}

/// What [`fit`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The position: fitted weights, the rescaled ratings, red lines from the unacceptable
    /// options, the reservation value from "no agreement".
    pub position: Position,
    /// The fitted weight of each point (summing to 1; 0 for points not rated).
    pub weights: Vec<f64>,
    /// Each weight's range over every weighting that fits every answer within its
    /// tolerance (or within its own fitted residual, when that is larger).
    pub ranges: Vec<(f64, f64)>,
    /// Each rated package against its fitted utility.
    pub packages: Vec<Residual>,
    /// Each swing against the fitted ratio (`None` where no swing was given).
    pub swings: Vec<Option<Residual>>,
    /// The point whose swing the others are measured against (`None` without swings).
    pub top: Option<PointIdx>,
    /// Kendall's tau-b between the package ratings and the fitted utilities (`None` with
    /// fewer than two rated packages).
    pub tau: Option<f64>,
    /// Where the answers disagree, the most telling first.
    pub inconsistencies: Vec<Inconsistency>,
    /// Points with no value to weigh (not rated, or every option alike): weight 0.
    pub unweighed: Vec<PointIdx>,
}

/// A small pull towards equal weights, so that weights the answers leave free are spread
/// evenly rather than at an arbitrary vertex.
const EVEN: f64 = 1e-3;

/// A fitted order reversal smaller than this, in utility, is not reported.
const ORDER_MARGIN: f64 = 0.01;

/// The linear program's data: which points carry weight, their scores in every rated
/// package, and the swing ratios.
struct Model {
    /// Points with a value to weigh.
    active: Vec<usize>,
    /// Per rated package: each active point's score, and the rating (0 to 1).
    packages: Vec<(Vec<f64>, f64)>,
    /// The swing reference (an index into `active`), and per active point with a swing,
    /// (index into `active`, ratio to the reference).
    top: Option<usize>,
    swings: Vec<(usize, f64)>,
}

/// Residual bounds for the range programs.
struct Tolerances {
    /// Per package: the largest allowed |utility - rating|.
    packages: Vec<f64>,
    /// Per swing: the largest allowed `|w - ratio * w_top|`, as a share of `w_top`.
    swings: Vec<f64>,
}

enum Goal {
    Fit,
    Min(usize),
    Max(usize),
}

impl Model {
    fn solve(&self, goal: &Goal, tolerances: Option<&Tolerances>) -> Result<Vec<f64>, ElicitError> {
        let m = self.active.len();
        let mut vars = ProblemVariables::new();
        let w: Vec<Variable> = (0..m)
            .map(|_| vars.add(variable().min(0.0).max(1.0)))
            .collect();
        let utility =
            |scores: &[f64]| -> Expression { scores.iter().zip(&w).map(|(&s, &v)| s * v).sum() };
        let swing_gap = |i: usize, ratio: f64, top: usize| -> Expression {
            Expression::from(w[i]) - ratio * w[top]
        };
        let mut constraints = Vec::new();
        let sum: Expression = w.iter().copied().sum();
        constraints.push(sum.eq(1.0));
        let objective: Expression = match goal {
            Goal::Fit => {
                let mut objective = Expression::from(0.0);
                for (scores, rating) in &self.packages {
                    let e = vars.add(variable().min(0.0));
                    constraints.push((utility(scores) - *rating).leq(e));
                    constraints.push((*rating - utility(scores)).leq(e));
                    objective += e;
                }
                if let Some(top) = self.top {
                    for &(i, ratio) in &self.swings {
                        let d = vars.add(variable().min(0.0));
                        constraints.push(swing_gap(i, ratio, top).leq(d));
                        constraints.push((-swing_gap(i, ratio, top)).leq(d));
                        objective += d;
                    }
                }
                let even = 1.0 / m as f64;
                for &v in &w {
                    let g = vars.add(variable().min(0.0));
                    constraints.push((Expression::from(v) - even).leq(g));
                    constraints.push((even - Expression::from(v)).leq(g));
                    objective += EVEN * g;
                }
                objective
            }
            Goal::Min(i) => Expression::from(w[*i]),
            Goal::Max(i) => -Expression::from(w[*i]),
        };
        if let Some(t) = tolerances {
            for ((scores, rating), &bound) in self.packages.iter().zip(&t.packages) {
                constraints.push(utility(scores).leq(*rating + bound));
                constraints.push(utility(scores).geq(*rating - bound));
            }
            if let Some(top) = self.top {
                for (&(i, ratio), &share) in self.swings.iter().zip(&t.swings) {
                    constraints.push(swing_gap(i, ratio, top).leq(share * w[top]));
                    constraints.push(swing_gap(i, ratio, top).geq(-share * w[top]));
                }
            }
        }
        let mut problem = vars.minimise(objective).using(microlp);
        for c in constraints {
            problem.add_constraint(c);
        }
        let solution = problem
            .solve()
            .map_err(|e| ElicitError::Solver(e.to_string()))?;
        Ok(w.iter().map(|&v| solution.value(v).max(0.0)).collect())
    }
}

/// Fits a position for a party of `case` to its answers.
pub fn fit(case: &Case, answers: &Answers, options: &FitOptions) -> Result<Fit, ElicitError> {
    let evaluators = evaluators(case, answers)?;
    let n = case.points().len();
    let active: Vec<usize> = (0..n).filter(|&k| evaluators[k].1).collect();
    if active.is_empty() {
        return Err(ElicitError::NothingRated);
    }
    let unweighed: Vec<PointIdx> = (0..n).filter(|k| !evaluators[*k].1).map(PointIdx).collect();
    // The swing reference: the largest swing among weighable points (100 when answered
    // as asked), the first on a tie.
    let swung: Vec<(usize, f64)> = active
        .iter()
        .enumerate()
        .filter_map(|(a, &k)| answers.swings[k].map(|s| (a, s)))
        .collect();
    let top = swung
        .iter()
        .copied()
        .fold(None, |best: Option<(usize, f64)>, (a, s)| match best {
            Some((_, b)) if b >= s => best,
            _ if s > 0.0 => Some((a, s)),
            _ => best,
        });
    if top.is_none() && answers.packages.is_empty() {
        return Err(ElicitError::NoWeights);
    }
    let model = Model {
        packages: answers
            .packages
            .iter()
            .map(|(package, rating)| {
                let all = scores(&evaluators, package);
                (active.iter().map(|&k| all[k]).collect(), rating / 100.0)
            })
            .collect(),
        top: top.map(|(a, _)| a),
        swings: top.map_or_else(Vec::new, |(t, s_top)| {
            swung
                .iter()
                .filter(|(a, _)| *a != t)
                .map(|&(a, s)| (a, s / s_top))
                .collect()
        }),
        active,
    };
    let best = model.solve(&Goal::Fit, None)?;
    // Residuals at the fit, and the tolerances of the range programs: each answer's own
    // tolerance, or its residual at the fit when that is larger (so the fit itself is
    // always within them).
    let utility_of =
        |w: &[f64], scores: &[f64]| -> f64 { scores.iter().zip(w).map(|(s, w)| s * w).sum() };
    let fitted: Vec<f64> = model
        .packages
        .iter()
        .map(|(scores, _)| utility_of(&best, scores))
        .collect();
    let slack = 1e-7;
    let tolerances = Tolerances {
        packages: model
            .packages
            .iter()
            .zip(&fitted)
            .map(|((_, r), u)| (options.package_tolerance / 100.0).max((u - r).abs() + slack))
            .collect(),
        swings: model.top.map_or_else(Vec::new, |t| {
            model
                .swings
                .iter()
                .map(|&(i, ratio)| {
                    let gap = if best[t] > 0.0 {
                        (best[i] - ratio * best[t]).abs() / best[t]
                    } else {
                        0.0
                    };
                    (options.swing_tolerance / 100.0).max(gap + slack)
                })
                .collect()
        }),
    };
    let mut ranges = vec![(0.0, 0.0); n];
    for (a, &k) in model.active.iter().enumerate() {
        // Two programs per point: a caller with a time budget may stop between them.
        if crate::interrupt::raised() {
            return Err(ElicitError::Stopped);
        }
        let lo = model.solve(&Goal::Min(a), Some(&tolerances))?[a];
        let hi = model.solve(&Goal::Max(a), Some(&tolerances))?[a];
        // The fit is feasible here, so its weight lies within (up to rounding).
        ranges[k] = (lo.min(best[a]), hi.max(best[a]));
    }
    let mut weights = vec![0.0; n];
    for (a, &k) in model.active.iter().enumerate() {
        weights[k] = best[a];
    }

    let packages: Vec<Residual> = answers
        .packages
        .iter()
        .zip(&fitted)
        .map(|((_, r), u)| Residual {
            given: *r,
            fitted: u * 100.0,
        })
        .collect();
    let top_point = top.map(|(a, _)| PointIdx(model.active[a]));
    let mut swings = vec![None; n];
    if let Some((t, s_top)) = top {
        for &(a, s) in &swung {
            let k = model.active[a];
            let fitted = if best[t] > 0.0 {
                100.0 * best[a] / best[t] * (s_top / 100.0)
            } else {
                0.0
            };
            swings[k] = Some(Residual { given: s, fitted });
        }
    }
    let tau = (packages.len() >= 2).then(|| {
        let given: Vec<f64> = packages.iter().map(|r| r.given).collect();
        kendall_tau(&given, &fitted)
    });
    let inconsistencies = inconsistencies(answers, options, &packages, &swings, top_point);
    let evaluators: Vec<_> = evaluators.into_iter().map(|(e, _)| e).collect();
    let mut position = Position::new(AdditiveUtility::new(weights.clone(), evaluators).into());
    for (k, point) in case.points().iter().enumerate() {
        if !answers.unacceptable[k].is_empty() {
            position.red_lines.push(RedLine::forbid(
                point,
                PointIdx(k),
                &answers.unacceptable[k],
            ));
        }
    }
    position.reservation_value = answers.no_agreement.map_or(0.0, |r| r / 100.0);
    Ok(Fit {
        position,
        weights,
        ranges,
        packages,
        swings,
        top: top_point,
        tau,
        inconsistencies,
        unweighed,
    })
}

/// Where the answers disagree: order reversals between rated packages (largest first),
/// ratings and swings beyond their tolerance, and packages rated above "no agreement"
/// that hold an option marked unacceptable.
fn inconsistencies(
    answers: &Answers,
    options: &FitOptions,
    packages: &[Residual],
    swings: &[Option<Residual>],
    top: Option<PointIdx>,
) -> Vec<Inconsistency> {
    let mut orders = Vec::new();
    for (a, ra) in packages.iter().enumerate() {
        for (b, rb) in packages.iter().enumerate() {
            let by = (rb.fitted - ra.fitted) / 100.0;
            if ra.given > rb.given + options.package_tolerance && by > ORDER_MARGIN {
                orders.push(Inconsistency::Order {
                    higher: a,
                    lower: b,
                    by,
                });
            }
        }
    }
    orders.sort_by(|x, y| match (x, y) {
        (Inconsistency::Order { by: a, .. }, Inconsistency::Order { by: b, .. }) => b.total_cmp(a),
        _ => std::cmp::Ordering::Equal,
    });
    let mut out = orders;
    for (k, r) in packages.iter().enumerate() {
        if (r.given - r.fitted).abs() > options.package_tolerance + 1e-6 {
            out.push(Inconsistency::Package {
                package: k,
                residual: *r,
            });
        }
    }
    if let Some(top) = top {
        for (k, r) in swings.iter().enumerate() {
            if let Some(r) = r
                && PointIdx(k) != top
                && (r.given - r.fitted).abs() > options.swing_tolerance + 1e-6
            {
                out.push(Inconsistency::Swing {
                    point: PointIdx(k),
                    top,
                    residual: *r,
                });
            }
        }
    }
    if let Some(walk_away) = answers.no_agreement {
        for (p, (package, rating)) in answers.packages.iter().enumerate() {
            if *rating <= walk_away {
                continue;
            }
            for (k, &choice) in package.0.iter().enumerate() {
                if unacceptable(answers, k, choice)
                    && let Choice::Option(option) = choice
                {
                    out.push(Inconsistency::Unacceptable {
                        package: p,
                        point: PointIdx(k),
                        option,
                    });
                }
            }
        }
    }
    out
}

/// Kendall's tau-b between two equally long lists: 1 when they order every pair alike,
/// -1 when they reverse every pair; ties count as neither. `0` when either list is all
/// ties.
#[must_use]
pub fn kendall_tau(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (mut concordant, mut discordant, mut ties_a, mut ties_b) =
        (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    for i in 0..n {
        for j in i + 1..n {
            let da = (a[i] - a[j]).signum() * f64::from(u8::from(a[i] != a[j]));
            let db = (b[i] - b[j]).signum() * f64::from(u8::from((b[i] - b[j]).abs() > 1e-12));
            match (da == 0.0, db == 0.0) {
                (true, true) => {}
                (true, false) => ties_a += 1.0,
                (false, true) => ties_b += 1.0,
                (false, false) if da == db => concordant += 1.0,
                (false, false) => discordant += 1.0,
            }
        }
    }
    let denominator =
        ((concordant + discordant + ties_a) * (concordant + discordant + ties_b)).sqrt();
    if denominator == 0.0 {
        0.0
    } else {
        (concordant - discordant) / denominator
    }
}
