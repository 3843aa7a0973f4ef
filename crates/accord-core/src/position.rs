//! Positions: one party's confidential preferences over packages.
//!
//! A [`Position`] holds a utility function, red lines, a reservation value and a discount
//! factor. Two kinds of utility function exist:
//!
//! - [`AdditiveUtility`]: `min(1, sum_i weight_i * score_i(choice_i))`, the linear-additive
//!   model of GENIUS and GeniusWeb. Scores come from an [`Evaluator`] per point.
//! - [`ConstraintUtility`]: sums of hyper-rectangle rewards divided by a maximum, the
//!   non-linear model of ANAC 2014.
//!
//! Both clamp at 1, as GENIUS does; weights are used as given (a reader that wants them
//! normalised divides before building the position).
//!
//! ```
//! use accord_core::{AdditiveUtility, Choice, Evaluator, OptionIdx, Package, Position};
//!
//! let utility = AdditiveUtility::new(
//!     vec![0.25, 0.75],
//!     vec![Evaluator::Options(vec![1.0, 0.0]), Evaluator::Options(vec![0.5, 1.0])],
//! );
//! let position = Position::new(utility.into());
//! let package = Package(vec![Choice::Option(OptionIdx(0)), Choice::Option(OptionIdx(0))]);
//! assert_eq!(position.utility(&package), 0.25 + 0.75 * 0.5);
//! ```

use crate::error::ModelError;
use crate::model::{Choice, OptionIdx, Package, Point, PointIdx, PointKind};

/// How one point's value scores for a party, on 0..1.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluator {
    /// A score per option, in option order.
    Options(Vec<f64>),
    /// `clamp(offset + slope * (v - origin), 0, 1)` (GENIUS' integer and linear evaluators).
    Linear {
        /// The value at which the score is `offset`.
        origin: f64,
        /// Score at `origin`.
        offset: f64,
        /// Change of score per unit.
        slope: f64,
    },
    /// Linear interpolation through `(value, score)` breakpoints sorted by value;
    /// constant beyond the first and last.
    Piecewise(Vec<(f64, f64)>),
    /// 0 up to `lower`, rising to 1 at `top`, falling to 0 at `upper`, 0 beyond.
    Triangular {
        /// Start of the rise.
        lower: f64,
        /// The peak.
        top: f64,
        /// End of the fall.
        upper: f64,
    },
    /// The same score everywhere.
    Constant(f64),
}

impl Evaluator {
    /// The score of one choice.
    #[must_use]
    pub fn score(&self, choice: Choice) -> f64 {
        match (self, choice) {
            (Evaluator::Options(scores), Choice::Option(idx)) => scores[idx.0],
            (Evaluator::Options(_), _) => 0.0,
            (
                Evaluator::Linear {
                    origin,
                    offset,
                    slope,
                },
                c,
            ) => (offset + slope * (c.as_f64() - origin)).clamp(0.0, 1.0),
            (Evaluator::Piecewise(breakpoints), c) => piecewise(breakpoints, c.as_f64()),
            (Evaluator::Triangular { lower, top, upper }, c) => {
                triangular(*lower, *top, *upper, c.as_f64())
            }
            (Evaluator::Constant(score), _) => *score,
        }
    }

    /// The values of a range where the score may bend: between two neighbouring ones (and
    /// beyond the outermost) the score is linear in the value.
    pub(crate) fn kinks(&self) -> Vec<f64> {
        match self {
            Evaluator::Linear {
                origin,
                offset,
                slope,
            } if *slope != 0.0 => {
                // Where the line crosses 0 and 1 (the clamp).
                vec![origin - offset / slope, origin + (1.0 - offset) / slope]
            }
            Evaluator::Options(_) | Evaluator::Constant(_) | Evaluator::Linear { .. } => Vec::new(),
            Evaluator::Piecewise(breakpoints) => breakpoints.iter().map(|(x, _)| *x).collect(),
            Evaluator::Triangular { lower, top, upper } => vec![*lower, *top, *upper],
        }
    }

    fn validate(&self, party: &str, point: &Point, errors: &mut Vec<ModelError>) {
        let bad = |reason: String| ModelError::BadEvaluator {
            party: party.to_string(),
            point: point.id.clone(),
            reason,
        };
        match (self, &point.kind) {
            (Evaluator::Options(scores), PointKind::Options(options)) => {
                if scores.len() != options.len() {
                    errors.push(bad(format!(
                        "{} scores for {} options",
                        scores.len(),
                        options.len()
                    )));
                }
                if let Some(s) = scores.iter().find(|s| !s.is_finite()) {
                    errors.push(bad(format!("score `{s}` is not a finite number")));
                }
            }
            (Evaluator::Options(_), _) => {
                errors.push(bad("option scores given for a range".into()));
            }
            (_, PointKind::Options(_)) => {
                errors.push(bad("a value function given for a point with options".into()));
            }
            (
                Evaluator::Linear {
                    origin,
                    offset,
                    slope,
                },
                _,
            ) => {
                if ![origin, offset, slope].iter().all(|x| x.is_finite()) {
                    errors.push(bad("linear evaluator with a non-finite number".into()));
                }
            }
            (Evaluator::Piecewise(breakpoints), _) => {
                if breakpoints.is_empty() {
                    errors.push(bad("value function with no breakpoints".into()));
                }
                if breakpoints
                    .iter()
                    .any(|(x, y)| !x.is_finite() || !y.is_finite())
                {
                    errors.push(bad("value function with a non-finite number".into()));
                }
                if breakpoints.windows(2).any(|w| w[0].0 >= w[1].0) {
                    errors.push(bad(
                        "breakpoints must be in increasing order of value".into()
                    ));
                }
            }
            (Evaluator::Triangular { lower, top, upper }, _) => {
                if !(lower <= top && top <= upper) {
                    errors.push(bad(
                        "triangular evaluator needs lower <= top <= upper".into()
                    ));
                }
            }
            (Evaluator::Constant(score), _) => {
                if !score.is_finite() {
                    errors.push(bad(format!("score `{score}` is not a finite number")));
                }
            }
        }
    }
}

fn piecewise(breakpoints: &[(f64, f64)], x: f64) -> f64 {
    let Some(&(first_x, first_y)) = breakpoints.first() else {
        return 0.0;
    };
    if x <= first_x {
        return first_y;
    }
    for pair in breakpoints.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        if x <= x1 {
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
        }
    }
    breakpoints[breakpoints.len() - 1].1
}

fn triangular(lower: f64, top: f64, upper: f64, x: f64) -> f64 {
    if x <= lower || x >= upper {
        if x == top { 1.0 } else { 0.0 }
    } else if x <= top {
        (x - lower) / (top - lower)
    } else {
        (upper - x) / (upper - top)
    }
}

/// A linear-additive utility: `min(1, sum_i weight_i * score_i)`.
#[derive(Debug, Clone, PartialEq)]
pub struct AdditiveUtility {
    weights: Vec<f64>,
    evaluators: Vec<Evaluator>,
}

impl AdditiveUtility {
    /// One weight and one evaluator per point, in point order. Checked by [`crate::Case::new`].
    #[must_use]
    pub fn new(weights: Vec<f64>, evaluators: Vec<Evaluator>) -> Self {
        Self {
            weights,
            evaluators,
        }
    }

    /// Weight of each point, as given.
    #[must_use]
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Evaluator of each point.
    #[must_use]
    pub fn evaluators(&self) -> &[Evaluator] {
        &self.evaluators
    }

    /// The weighted score of one point: its contribution to the sum.
    #[must_use]
    pub fn contribution(&self, point: PointIdx, choice: Choice) -> f64 {
        self.weights[point.0] * self.evaluators[point.0].score(choice)
    }

    /// Utility of a package. The sum runs in point order, as GENIUS sums, so results agree
    /// to the last bit.
    #[must_use]
    pub fn utility(&self, package: &Package) -> f64 {
        let mut sum = 0.0;
        for (k, &choice) in package.0.iter().enumerate() {
            sum += self.contribution(PointIdx(k), choice);
        }
        sum.min(1.0)
    }
}

impl From<AdditiveUtility> for UtilityFunction {
    fn from(value: AdditiveUtility) -> Self {
        UtilityFunction::Additive(value)
    }
}

/// A set of values of one point.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSet {
    /// These options of a discrete point.
    Options(Vec<OptionIdx>),
    /// Values in `min..=max` of a range point (either bound may be infinite).
    Range {
        /// Smallest value in the set.
        min: f64,
        /// Largest value in the set.
        max: f64,
    },
}

impl ValueSet {
    /// Whether the choice is in the set.
    #[must_use]
    pub fn contains(&self, choice: Choice) -> bool {
        match (self, choice) {
            (ValueSet::Options(options), Choice::Option(idx)) => options.contains(&idx),
            (ValueSet::Options(_), _) => false,
            (ValueSet::Range { min, max }, c) => {
                let v = c.as_f64();
                *min <= v && v <= *max
            }
        }
    }
}

/// "Point `point` takes a value in `values`."
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The point the condition is on.
    pub point: PointIdx,
    /// The values that satisfy it.
    pub values: ValueSet,
}

impl Condition {
    /// Whether the package satisfies the condition.
    #[must_use]
    pub fn holds(&self, package: &Package) -> bool {
        self.values.contains(package.choice(self.point))
    }
}

/// A hard constraint: "`point` must take a value in `allowed`", optionally only when
/// another condition holds ("if alliance is `join` then guarantees must be `none`").
#[derive(Debug, Clone, PartialEq)]
pub struct RedLine {
    /// When present, the red line binds only on packages where it holds.
    pub when: Option<Condition>,
    /// What the package must satisfy.
    pub require: Condition,
}

impl RedLine {
    /// A red line that forbids some options of a point outright.
    #[must_use]
    pub fn forbid(point: &Point, point_idx: PointIdx, forbidden: &[OptionIdx]) -> Self {
        let allowed = (0..point.options().len())
            .map(OptionIdx)
            .filter(|o| !forbidden.contains(o))
            .collect();
        Self {
            when: None,
            require: Condition {
                point: point_idx,
                values: ValueSet::Options(allowed),
            },
        }
    }

    /// Whether the package crosses this red line.
    #[must_use]
    pub fn is_crossed_by(&self, package: &Package) -> bool {
        self.when.as_ref().is_none_or(|c| c.holds(package)) && !self.require.holds(package)
    }
}

/// How a [`ConstraintUtility`] combines its terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    /// Add them.
    Sum,
    /// Take the smallest.
    Min,
    /// Take the largest.
    Max,
}

/// One bound of a hyper-rectangle: the value of `point` lies in `min..=max`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// The point bounded.
    pub point: PointIdx,
    /// Smallest value inside (for a discrete point: an option index).
    pub min: f64,
    /// Largest value inside (inclusive).
    pub max: f64,
}

/// A reward paid when a package lies inside a box (or, with `excludes`, outside it).
#[derive(Debug, Clone, PartialEq)]
pub struct Rectangle {
    /// The reward, already multiplied by any rectangle weight.
    pub utility: f64,
    /// When true, the reward is paid when some bound is violated (GENIUS' `EXCLUDES`).
    pub excludes: bool,
    /// The bounds; none means the reward is paid everywhere.
    pub bounds: Vec<Bound>,
}

impl Rectangle {
    fn pays(&self, package: &Package) -> bool {
        let inside = |b: &Bound| {
            let v = package.choice(b.point).as_f64();
            b.min <= v && v <= b.max
        };
        if self.bounds.is_empty() {
            true
        } else if self.excludes {
            !self.bounds.iter().all(inside)
        } else {
            self.bounds.iter().all(inside)
        }
    }
}

/// A node of a constraint utility: rectangles and nested nodes, aggregated.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstraintNode {
    /// How the terms combine.
    pub aggregation: Aggregation,
    /// Multiplier applied when this node is nested in another (ignored at the top).
    pub weight: f64,
    /// The rectangles of this node.
    pub rectangles: Vec<Rectangle>,
    /// Nested nodes, each multiplied by its own weight.
    pub children: Vec<ConstraintNode>,
}

impl ConstraintNode {
    /// Every bound of every rectangle in this node and the nodes below it.
    pub(crate) fn bounds(&self) -> Vec<&Bound> {
        let mut bounds: Vec<&Bound> = self.rectangles.iter().flat_map(|r| &r.bounds).collect();
        for child in &self.children {
            bounds.extend(child.bounds());
        }
        bounds
    }

    /// Every rectangle of this node and the nodes below it, in the order
    /// [`Self::value_with`] asks about them.
    pub(crate) fn all_rectangles(&self) -> Vec<&Rectangle> {
        let mut all: Vec<&Rectangle> = self.rectangles.iter().collect();
        for child in &self.children {
            all.extend(child.all_rectangles());
        }
        all
    }

    /// The value when rectangle `k` (numbered as [`Self::all_rectangles`] lists them) pays
    /// exactly when `pays(k)`: the same sums, in the same order, as [`Self::value`].
    pub(crate) fn value_with(
        &self,
        pays: &dyn Fn(usize) -> bool,
        next: &std::cell::Cell<usize>,
    ) -> f64 {
        let own = self.rectangles.len();
        let first = next.get();
        next.set(first + own);
        let rectangles = self
            .rectangles
            .iter()
            .enumerate()
            .map(|(k, r)| if pays(first + k) { r.utility } else { 0.0 });
        let children = self
            .children
            .iter()
            .map(|c| c.weight * c.value_with(pays, next));
        let terms = rectangles.chain(children);
        match self.aggregation {
            Aggregation::Sum => terms.sum(),
            Aggregation::Min => terms.fold(f64::INFINITY, f64::min),
            Aggregation::Max => terms.fold(f64::NEG_INFINITY, f64::max),
        }
    }

    fn value(&self, package: &Package) -> f64 {
        let rectangles = self
            .rectangles
            .iter()
            .map(|r| if r.pays(package) { r.utility } else { 0.0 });
        let children = self.children.iter().map(|c| c.weight * c.value(package));
        let terms = rectangles.chain(children);
        match self.aggregation {
            Aggregation::Sum => terms.sum(),
            Aggregation::Min => terms.fold(f64::INFINITY, f64::min),
            Aggregation::Max => terms.fold(f64::NEG_INFINITY, f64::max),
        }
    }

    fn validate(&self, party: &str, points: &[Point], errors: &mut Vec<ModelError>) {
        for rectangle in &self.rectangles {
            if !rectangle.utility.is_finite() {
                errors.push(ModelError::BadConstraint {
                    party: party.to_string(),
                    reason: format!("rectangle utility `{}` is not finite", rectangle.utility),
                });
            }
            for bound in &rectangle.bounds {
                if bound.point.0 >= points.len() {
                    errors.push(ModelError::BadConstraint {
                        party: party.to_string(),
                        reason: format!("bound on point number {} out of range", bound.point.0),
                    });
                }
            }
        }
        for child in &self.children {
            child.validate(party, points, errors);
        }
    }
}

/// A non-linear utility: `min(1, F(package) / max_utility)`, with `F` a tree of
/// hyper-rectangle rewards (ANAC 2014).
#[derive(Debug, Clone, PartialEq)]
pub struct ConstraintUtility {
    /// The function `F`.
    pub root: ConstraintNode,
    /// The divisor; positive.
    pub max_utility: f64,
}

impl ConstraintUtility {
    /// Utility of a package.
    #[must_use]
    pub fn utility(&self, package: &Package) -> f64 {
        (self.root.value(package) / self.max_utility).min(1.0)
    }
}

/// A party's utility function.
#[derive(Debug, Clone, PartialEq)]
pub enum UtilityFunction {
    /// Weights times per-point scores.
    Additive(AdditiveUtility),
    /// Hyper-rectangle rewards.
    Constraint(ConstraintUtility),
}

/// One party's confidential preferences.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// How it values packages.
    pub utility: UtilityFunction,
    /// Hard constraints.
    pub red_lines: Vec<RedLine>,
    /// Utility of walking away (its BATNA), on the utility scale.
    pub reservation_value: f64,
    /// Discount factor in `(0, 1]`: utility at normalised time `t` is `u * d^t`.
    pub discount_factor: f64,
}

impl Position {
    /// A position with no red lines, reservation value 0 and no discount.
    #[must_use]
    pub fn new(utility: UtilityFunction) -> Self {
        Self {
            utility,
            red_lines: Vec::new(),
            reservation_value: 0.0,
            discount_factor: 1.0,
        }
    }

    /// Undiscounted utility of a package.
    #[must_use]
    pub fn utility(&self, package: &Package) -> f64 {
        match &self.utility {
            UtilityFunction::Additive(additive) => additive.utility(package),
            UtilityFunction::Constraint(constraint) => constraint.utility(package),
        }
    }

    /// Utility at normalised time `t` in `[0, 1]` (fraction of the deadline used).
    #[must_use]
    pub fn discounted_utility(&self, package: &Package, t: f64) -> f64 {
        self.utility(package) * self.discount_factor.powf(t)
    }

    /// Whether the package crosses none of this position's red lines.
    #[must_use]
    pub fn clears_red_lines(&self, package: &Package) -> bool {
        !self.red_lines.iter().any(|r| r.is_crossed_by(package))
    }

    pub(crate) fn validate(&self, party: &str, points: &[Point], errors: &mut Vec<ModelError>) {
        if !self.reservation_value.is_finite() {
            errors.push(ModelError::BadReservationValue {
                party: party.to_string(),
                value: self.reservation_value,
            });
        }
        if !(self.discount_factor > 0.0 && self.discount_factor <= 1.0) {
            errors.push(ModelError::BadDiscountFactor {
                party: party.to_string(),
                value: self.discount_factor,
            });
        }
        match &self.utility {
            UtilityFunction::Additive(additive) => {
                if additive.weights.len() != points.len()
                    || additive.evaluators.len() != points.len()
                {
                    errors.push(ModelError::WrongPointCount {
                        party: party.to_string(),
                        expected: points.len(),
                        weights: additive.weights.len(),
                        evaluators: additive.evaluators.len(),
                    });
                    return;
                }
                for (point, &weight) in points.iter().zip(&additive.weights) {
                    if !(weight.is_finite() && weight >= 0.0) {
                        errors.push(ModelError::BadWeight {
                            party: party.to_string(),
                            point: point.id.clone(),
                            weight,
                        });
                    }
                }
                for (point, evaluator) in points.iter().zip(&additive.evaluators) {
                    evaluator.validate(party, point, errors);
                }
            }
            UtilityFunction::Constraint(constraint) => {
                if !(constraint.max_utility.is_finite() && constraint.max_utility > 0.0) {
                    errors.push(ModelError::BadConstraint {
                        party: party.to_string(),
                        reason: format!(
                            "maximum utility `{}` must be a positive number",
                            constraint.max_utility
                        ),
                    });
                }
                constraint.root.validate(party, points, errors);
            }
        }
        for red_line in &self.red_lines {
            for condition in std::iter::once(&red_line.require).chain(&red_line.when) {
                validate_condition(party, points, condition, errors);
            }
        }
    }
}

fn validate_condition(
    party: &str,
    points: &[Point],
    condition: &Condition,
    errors: &mut Vec<ModelError>,
) {
    let Some(point) = points.get(condition.point.0) else {
        errors.push(ModelError::BadRedLine {
            party: party.to_string(),
            reason: format!("point number {} does not exist", condition.point.0),
        });
        return;
    };
    let problem = match (&condition.values, &point.kind) {
        (ValueSet::Options(options), PointKind::Options(all)) => options
            .iter()
            .find(|o| o.0 >= all.len())
            .map(|o| format!("point `{}` has no option number {}", point.id, o.0)),
        (ValueSet::Options(_), _) => Some(format!("point `{}` is a range, not options", point.id)),
        (ValueSet::Range { .. }, PointKind::Options(_)) => {
            Some(format!("point `{}` has options, not a range", point.id))
        }
        (ValueSet::Range { min, max }, _) => (min.is_nan() || max.is_nan() || min > max)
            .then(|| format!("point `{}`: the range `{min}..={max}` is empty", point.id)),
    };
    if let Some(reason) = problem {
        errors.push(ModelError::BadRedLine {
            party: party.to_string(),
            reason,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(evaluator: &Evaluator, choice: Choice, expected: f64) {
        let got = evaluator.score(choice);
        assert!(
            (got - expected).abs() < 1e-12,
            "{evaluator:?} at {choice:?}: {got}"
        );
    }

    #[test]
    fn evaluators_follow_their_formulas() {
        // GENIUS' integer evaluator: offset is the score at the lower bound (8), not at 0.
        let linear = Evaluator::Linear {
            origin: 8.0,
            offset: 1.0,
            slope: -0.15,
        };
        check(&linear, Choice::Integer(8), 1.0);
        check(&linear, Choice::Integer(14), 0.1);
        // The clamp keeps scores in 0..1.
        check(&linear, Choice::Integer(20), 0.0);
        let piecewise = Evaluator::Piecewise(vec![(0.0, 0.0), (10.0, 1.0), (20.0, 0.5)]);
        check(&piecewise, Choice::Integer(-5), 0.0);
        check(&piecewise, Choice::Integer(5), 0.5);
        check(&piecewise, Choice::Integer(15), 0.75);
        check(&piecewise, Choice::Integer(30), 0.5);
        let triangle = Evaluator::Triangular {
            lower: 0.0,
            top: 2.0,
            upper: 4.0,
        };
        check(&triangle, Choice::Real(1.0), 0.5);
        check(&triangle, Choice::Real(2.0), 1.0);
        check(&triangle, Choice::Real(3.0), 0.5);
        check(&triangle, Choice::Real(5.0), 0.0);
    }

    #[test]
    fn additive_utility_is_clamped_at_one() {
        let utility = AdditiveUtility::new(
            vec![0.6, 0.6],
            vec![Evaluator::Constant(1.0), Evaluator::Constant(1.0)],
        );
        let package = Package(vec![Choice::Integer(0), Choice::Integer(0)]);
        assert_eq!(utility.utility(&package), 1.0);
    }

    #[test]
    fn conditional_red_line_binds_only_when_its_condition_holds() {
        // "If point 0 is option 1, point 1 must not be option 0."
        let red_line = RedLine {
            when: Some(Condition {
                point: PointIdx(0),
                values: ValueSet::Options(vec![OptionIdx(1)]),
            }),
            require: Condition {
                point: PointIdx(1),
                values: ValueSet::Options(vec![OptionIdx(1)]),
            },
        };
        let package = |a, b| {
            Package(vec![
                Choice::Option(OptionIdx(a)),
                Choice::Option(OptionIdx(b)),
            ])
        };
        assert!(!red_line.is_crossed_by(&package(0, 0)));
        assert!(red_line.is_crossed_by(&package(1, 0)));
        assert!(!red_line.is_crossed_by(&package(1, 1)));
    }

    #[test]
    fn excludes_rectangle_pays_outside_its_box() {
        let node = ConstraintNode {
            aggregation: Aggregation::Sum,
            weight: 1.0,
            rectangles: vec![
                Rectangle {
                    utility: 10.0,
                    excludes: false,
                    bounds: vec![Bound {
                        point: PointIdx(0),
                        min: 2.0,
                        max: 4.0,
                    }],
                },
                Rectangle {
                    utility: 5.0,
                    excludes: true,
                    bounds: vec![Bound {
                        point: PointIdx(0),
                        min: 3.0,
                        max: 9.0,
                    }],
                },
            ],
            children: vec![],
        };
        let utility = ConstraintUtility {
            root: node,
            max_utility: 20.0,
        };
        let at = |v| utility.utility(&Package(vec![Choice::Integer(v)]));
        // Bounds are inclusive: 2 is inside the first box; 2 is outside the second.
        assert_eq!(at(2), 15.0 / 20.0);
        assert_eq!(at(4), 10.0 / 20.0);
        assert_eq!(at(5), 0.0);
        assert_eq!(at(1), 5.0 / 20.0);
    }
}
