//! Errors found when a [`crate::Case`] is built. Analysis itself never fails.

use crate::model::Role;

/// One problem with a case, found by [`crate::Case::new`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The case has no points.
    #[error("a case needs at least one point")]
    NoPoints,
    /// Two points share an id.
    #[error("point `{point}` is defined twice")]
    DuplicatePoint {
        /// The repeated id.
        point: String,
    },
    /// A discrete point has no options.
    #[error("point `{point}` has no options")]
    NoOptions {
        /// The point.
        point: String,
    },
    /// Two options of a point share an id.
    #[error("point `{point}`: option `{option}` is listed twice")]
    DuplicateOption {
        /// The point.
        point: String,
        /// The repeated option.
        option: String,
    },
    /// A range point whose bounds leave no value.
    #[error("point `{point}`: the range `{min}..={max}` is empty")]
    EmptyRange {
        /// The point.
        point: String,
        /// Lower bound as written.
        min: String,
        /// Upper bound as written.
        max: String,
    },
    /// An integer range of 2^64 values (the whole of i64), one more than a count holds.
    #[error(
        "point `{point}`: the range `{min}..={max}` has 2^64 values, one too many; narrow it by one"
    )]
    RangeTooWide {
        /// The point.
        point: String,
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// Two parties share an id.
    #[error("party `{party}` is defined twice")]
    DuplicateParty {
        /// The repeated id.
        party: String,
    },
    /// A mediator or observer was given a position.
    #[error("party `{party}` is {} and cannot hold a position", role.with_article())]
    PositionForNonParty {
        /// The party.
        party: String,
        /// Its role.
        role: Role,
    },
    /// An additive utility without one weight and one evaluator per point.
    #[error(
        "party `{party}`: the case has {expected} points but the position has {weights} weights and {evaluators} evaluators"
    )]
    WrongPointCount {
        /// The party.
        party: String,
        /// Number of points in the case.
        expected: usize,
        /// Number of weights given.
        weights: usize,
        /// Number of evaluators given.
        evaluators: usize,
    },
    /// A weight that is negative or not a number.
    #[error("party `{party}`, point `{point}`: weight `{weight}` must be a number >= 0")]
    BadWeight {
        /// The party.
        party: String,
        /// The point.
        point: String,
        /// The weight.
        weight: f64,
    },
    /// An evaluator that does not fit its point.
    #[error("party `{party}`, point `{point}`: {reason}")]
    BadEvaluator {
        /// The party.
        party: String,
        /// The point.
        point: String,
        /// What is wrong.
        reason: String,
    },
    /// A constraint utility that cannot be evaluated.
    #[error("party `{party}`: {reason}")]
    BadConstraint {
        /// The party.
        party: String,
        /// What is wrong.
        reason: String,
    },
    /// A red line naming something that does not exist.
    #[error("party `{party}`: red line: {reason}")]
    BadRedLine {
        /// The party.
        party: String,
        /// What is wrong.
        reason: String,
    },
    /// A reservation value that is not a finite number.
    #[error("party `{party}`: reservation value `{value}` is not a finite number")]
    BadReservationValue {
        /// The party.
        party: String,
        /// The value.
        value: f64,
    },
    /// A discount factor outside `(0, 1]`.
    #[error("party `{party}`: discount factor `{value}` must be in (0, 1]")]
    BadDiscountFactor {
        /// The party.
        party: String,
        /// The value.
        value: f64,
    },
    /// A draft package that does not fit the case's points.
    #[error("draft: {reason}")]
    BadDraft {
        /// What is wrong.
        reason: String,
    },
}
