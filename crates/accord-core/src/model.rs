//! The case model: points and their options, parties and delegates, packages.
//!
//! A [`Case`] is built once with [`Case::new`], which validates every cross-reference
//! (point ids, option ids, red lines, positions). After that every analysis is total:
//! it cannot fail on a valid case.
//!
//! ```
//! use accord_core::{Case, Point, PointKind, Party, Role};
//!
//! let points = vec![Point::new("wage", PointKind::integer(3, 6))];
//! let parties = vec![Party::new("union", "Union", Role::Party)];
//! let case = Case::new("labour", points, parties).unwrap();
//! assert_eq!(case.points()[0].n_values(), Some(4));
//! ```

use std::collections::HashSet;
use std::fmt;

use crate::error::ModelError;
use crate::position::Position;

/// Index of a point in [`Case::points`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PointIdx(pub usize);

/// Index of an option in a point's option list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OptionIdx(pub usize);

/// Index of a party in [`Case::parties`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartyIdx(pub usize);

/// One way a discrete point can be settled.
#[derive(Debug, Clone, PartialEq)]
pub struct PointOption {
    /// Identity of the option, unique within its point; compared exactly (no trimming).
    pub id: String,
    /// Human wording of the option; empty when the id says it all.
    pub label: String,
}

impl PointOption {
    /// An option whose label is its id.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: String::new(),
        }
    }
}

/// How a point can be settled.
#[derive(Debug, Clone, PartialEq)]
pub enum PointKind {
    /// One of a list of named options.
    Options(Vec<PointOption>),
    /// Any integer in `min..=max`.
    Integer {
        /// Smallest value.
        min: i64,
        /// Largest value (inclusive).
        max: i64,
    },
    /// Any real number in `min..=max`.
    Real {
        /// Smallest value.
        min: f64,
        /// Largest value (inclusive).
        max: f64,
    },
}

impl PointKind {
    /// Discrete options with the given ids.
    pub fn options<S: Into<String>>(ids: impl IntoIterator<Item = S>) -> Self {
        Self::Options(ids.into_iter().map(PointOption::new).collect())
    }

    /// An inclusive integer range.
    #[must_use]
    pub fn integer(min: i64, max: i64) -> Self {
        Self::Integer { min, max }
    }
}

/// One issue of the agreement.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Identity of the point, unique within the case.
    pub id: String,
    /// Short title; empty when the id says it all.
    pub title: String,
    /// The wording of the point in the draft text.
    pub text: String,
    /// How the point can be settled.
    pub kind: PointKind,
}

impl Point {
    /// A point with no title or text.
    pub fn new(id: impl Into<String>, kind: PointKind) -> Self {
        Self {
            id: id.into(),
            title: String::new(),
            text: String::new(),
            kind,
        }
    }

    /// The title, or the id when there is none.
    #[must_use]
    pub fn display_name(&self) -> &str {
        if self.title.is_empty() {
            &self.id
        } else {
            &self.title
        }
    }

    /// The number of values this point can take, or `None` for a real range.
    #[must_use]
    pub fn n_values(&self) -> Option<u64> {
        match &self.kind {
            PointKind::Options(options) => Some(options.len() as u64),
            // Saturating: the one range of 2^64 values is refused by validation.
            PointKind::Integer { min, max } => Some(max.abs_diff(*min).saturating_add(1)),
            PointKind::Real { .. } => None,
        }
    }

    /// The options of a discrete point (empty for a range).
    #[must_use]
    pub fn options(&self) -> &[PointOption] {
        match &self.kind {
            PointKind::Options(options) => options,
            _ => &[],
        }
    }

    /// The option with this id, if the point is discrete and has one.
    #[must_use]
    pub fn option_idx(&self, id: &str) -> Option<OptionIdx> {
        self.options()
            .iter()
            .position(|option| option.id == id)
            .map(OptionIdx)
    }

    /// The value number `k` (0-based, in option order or ascending integers) as a choice.
    #[must_use]
    pub fn choice_at(&self, k: u64) -> Choice {
        match &self.kind {
            PointKind::Options(_) => Choice::Option(OptionIdx(k as usize)),
            // Modular: the value fits even where `k` does not fit an i64.
            PointKind::Integer { min, .. } => Choice::Integer(min.wrapping_add(k as i64)),
            PointKind::Real { min, .. } => Choice::Real(*min),
        }
    }

    /// Whether `choice` is a value of this point.
    #[must_use]
    pub fn admits(&self, choice: &Choice) -> bool {
        match (&self.kind, choice) {
            (PointKind::Options(options), Choice::Option(idx)) => idx.0 < options.len(),
            (PointKind::Integer { min, max }, Choice::Integer(v)) => min <= v && v <= max,
            (PointKind::Real { min, max }, Choice::Real(v)) => *min <= *v && *v <= *max,
            _ => false,
        }
    }

    /// The choice written as text: the option id, or the number.
    #[must_use]
    pub fn choice_label(&self, choice: &Choice) -> String {
        match choice {
            Choice::Option(idx) => self
                .options()
                .get(idx.0)
                .map_or_else(|| format!("#{}", idx.0), |option| option.id.clone()),
            Choice::Integer(v) => v.to_string(),
            Choice::Real(v) => v.to_string(),
        }
    }

    fn validate(&self, errors: &mut Vec<ModelError>) {
        match &self.kind {
            PointKind::Options(options) => {
                if options.is_empty() {
                    errors.push(ModelError::NoOptions {
                        point: self.id.clone(),
                    });
                }
                let mut seen = HashSet::new();
                for option in options {
                    if !seen.insert(option.id.as_str()) {
                        errors.push(ModelError::DuplicateOption {
                            point: self.id.clone(),
                            option: option.id.clone(),
                        });
                    }
                }
            }
            PointKind::Integer { min, max } => {
                if min > max {
                    errors.push(ModelError::EmptyRange {
                        point: self.id.clone(),
                        min: min.to_string(),
                        max: max.to_string(),
                    });
                } else if max.abs_diff(*min) == u64::MAX {
                    errors.push(ModelError::RangeTooWide {
                        point: self.id.clone(),
                        min: *min,
                        max: *max,
                    });
                }
            }
            PointKind::Real { min, max } => {
                if !(min.is_finite() && max.is_finite() && min <= max) {
                    errors.push(ModelError::EmptyRange {
                        point: self.id.clone(),
                        min: min.to_string(),
                        max: max.to_string(),
                    });
                }
            }
        }
    }
}

/// The value a package gives one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Choice {
    /// An option of a discrete point.
    Option(OptionIdx),
    /// A value of an integer point.
    Integer(i64),
    /// A value of a real point.
    Real(f64),
}

impl Choice {
    /// The choice as a number, for value functions over ranges (an option gives its index).
    #[must_use]
    pub fn as_f64(self) -> f64 {
        match self {
            Choice::Option(idx) => idx.0 as f64,
            Choice::Integer(v) => v as f64,
            Choice::Real(v) => v,
        }
    }
}

/// One choice for every point of a case, in point order.
#[derive(Debug, Clone, PartialEq)]
pub struct Package(pub Vec<Choice>);

impl Package {
    /// The choice for one point.
    #[must_use]
    pub fn choice(&self, point: PointIdx) -> Choice {
        self.0[point.0]
    }
}

/// What a party does in the negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A negotiating side, with a position.
    Party,
    /// The mediator: sees all positions, has none.
    Mediator,
    /// An observer: sees only what is published.
    Observer,
}

impl Role {
    /// The lowercase word used in files and the API.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Party => "party",
            Role::Mediator => "mediator",
            Role::Observer => "observer",
        }
    }

    /// The word with its article, for messages: "a party", "a mediator", "an observer".
    #[must_use]
    pub fn with_article(self) -> &'static str {
        match self {
            Role::Party => "a party",
            Role::Mediator => "a mediator",
            Role::Observer => "an observer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person on a delegation.
#[derive(Debug, Clone, PartialEq)]
pub struct Delegate {
    /// Full name.
    pub name: String,
    /// Title, e.g. "chief negotiator".
    pub title: String,
}

/// A negotiating side, the mediator, or an observer.
#[derive(Debug, Clone, PartialEq)]
pub struct Party {
    /// Identity of the party, unique within the case.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the party does.
    pub role: Role,
    /// The people on its delegation.
    pub delegates: Vec<Delegate>,
    /// Its confidential preferences; only a [`Role::Party`] has one.
    pub position: Option<Position>,
}

impl Party {
    /// A party with no delegates and no position.
    pub fn new(id: impl Into<String>, name: impl Into<String>, role: Role) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            role,
            delegates: Vec::new(),
            position: None,
        }
    }

    /// The same party with a position.
    #[must_use]
    pub fn with_position(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }
}

/// One negotiation: its points and parties. Built by [`Case::new`], which validates it.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    name: String,
    description: String,
    points: Vec<Point>,
    parties: Vec<Party>,
    draft: Option<Package>,
}

impl Case {
    /// Builds a case, checking every point, party and position; all problems are returned.
    pub fn new(
        name: impl Into<String>,
        points: Vec<Point>,
        parties: Vec<Party>,
    ) -> Result<Self, ModelErrors> {
        let case = Self {
            name: name.into(),
            description: String::new(),
            points,
            parties,
            draft: None,
        };
        let errors = case.validate();
        if errors.is_empty() {
            Ok(case)
        } else {
            Err(ModelErrors(errors))
        }
    }

    /// The same case with a description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The same case with one party's position replaced (the elicited one, say), checked
    /// as [`Case::new`] checks every position.
    pub fn with_party_position(
        mut self,
        party: PartyIdx,
        position: Position,
    ) -> Result<Self, ModelErrors> {
        self.parties[party.0].position = Some(position);
        let errors = self.validate();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(ModelErrors(errors))
        }
    }

    /// The same case with a draft package: the text currently on the table, which
    /// trades start from. It must give every point one of its values.
    pub fn with_draft(mut self, draft: Package) -> Result<Self, ModelErrors> {
        if draft.0.len() != self.points.len() {
            return Err(ModelErrors(vec![ModelError::BadDraft {
                reason: format!(
                    "the case has {} points but the draft gives {} values",
                    self.points.len(),
                    draft.0.len()
                ),
            }]));
        }
        let errors: Vec<ModelError> = self
            .points
            .iter()
            .zip(&draft.0)
            .filter(|(point, choice)| !point.admits(choice))
            .map(|(point, choice)| ModelError::BadDraft {
                reason: format!(
                    "`{}` is not a value of point `{}`",
                    point.choice_label(choice),
                    point.id
                ),
            })
            .collect();
        if !errors.is_empty() {
            return Err(ModelErrors(errors));
        }
        self.draft = Some(draft);
        Ok(self)
    }

    /// The draft package on the table, if the case has one.
    #[must_use]
    pub fn draft(&self) -> Option<&Package> {
        self.draft.as_ref()
    }

    fn validate(&self) -> Vec<ModelError> {
        let mut errors = Vec::new();
        if self.points.is_empty() {
            errors.push(ModelError::NoPoints);
        }
        let mut seen = HashSet::new();
        for point in &self.points {
            if !seen.insert(point.id.as_str()) {
                errors.push(ModelError::DuplicatePoint {
                    point: point.id.clone(),
                });
            }
            point.validate(&mut errors);
        }
        let mut seen = HashSet::new();
        for party in &self.parties {
            if !seen.insert(party.id.as_str()) {
                errors.push(ModelError::DuplicateParty {
                    party: party.id.clone(),
                });
            }
            match (&party.position, party.role) {
                (Some(position), Role::Party) => {
                    position.validate(&party.id, &self.points, &mut errors);
                }
                (Some(_), role) => errors.push(ModelError::PositionForNonParty {
                    party: party.id.clone(),
                    role,
                }),
                (None, _) => {}
            }
        }
        errors
    }

    /// Name of the case.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Free-text description.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The points, in agreement order.
    #[must_use]
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// Every party, mediator and observer.
    #[must_use]
    pub fn parties(&self) -> &[Party] {
        &self.parties
    }

    /// The point with this id.
    #[must_use]
    pub fn point_idx(&self, id: &str) -> Option<PointIdx> {
        self.points.iter().position(|p| p.id == id).map(PointIdx)
    }

    /// The party with this id.
    #[must_use]
    pub fn party_idx(&self, id: &str) -> Option<PartyIdx> {
        self.parties.iter().position(|p| p.id == id).map(PartyIdx)
    }

    /// The parties that hold a position, in case order: the default set to analyse.
    #[must_use]
    pub fn negotiating_parties(&self) -> Vec<PartyIdx> {
        self.parties
            .iter()
            .enumerate()
            .filter(|(_, party)| party.position.is_some())
            .map(|(idx, _)| PartyIdx(idx))
            .collect()
    }

    /// The position of a party, if it has one.
    #[must_use]
    pub fn position(&self, party: PartyIdx) -> Option<&Position> {
        self.parties[party.0].position.as_ref()
    }

    /// Number of packages: the product of the points' value counts. `None` when a point
    /// is a real range or the count does not fit in a `u128`.
    #[must_use]
    pub fn n_packages(&self) -> Option<u128> {
        self.points.iter().try_fold(1u128, |acc, point| {
            acc.checked_mul(u128::from(point.n_values()?))
        })
    }

    /// Base-10 logarithm of the number of packages (finite even when it overflows `u128`);
    /// `None` when a point is a real range.
    #[must_use]
    pub fn log10_n_packages(&self) -> Option<f64> {
        self.points
            .iter()
            .map(|point| point.n_values().map(|n| (n as f64).log10()))
            .sum()
    }

    /// Whether `package` gives every point one of its values.
    #[must_use]
    pub fn admits(&self, package: &Package) -> bool {
        package.0.len() == self.points.len()
            && self
                .points
                .iter()
                .zip(&package.0)
                .all(|(point, choice)| point.admits(choice))
    }

    /// The package with this index in enumeration order (points in case order, the last
    /// point varying fastest, values in option order or ascending). `None` when out of
    /// range or a point is a real range.
    #[must_use]
    pub fn package_at(&self, mut index: u128) -> Option<Package> {
        let mut choices = vec![Choice::Option(OptionIdx(0)); self.points.len()];
        for (slot, point) in choices.iter_mut().zip(&self.points).rev() {
            let n = u128::from(point.n_values()?);
            *slot = point.choice_at((index % n) as u64);
            index /= n;
        }
        (index == 0).then_some(Package(choices))
    }

    /// Utility of `package` for every party in `parties` (undiscounted).
    #[must_use]
    pub fn utilities(&self, parties: &[PartyIdx], package: &Package) -> Vec<f64> {
        parties
            .iter()
            .map(|&party| {
                self.position(party)
                    .map_or(0.0, |position| position.utility(package))
            })
            .collect()
    }
}

/// Every problem found while building a [`Case`].
#[derive(Debug, Clone, PartialEq)]
pub struct ModelErrors(pub Vec<ModelError>);

impl fmt::Display for ModelErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, error) in self.0.iter().enumerate() {
            if k > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ModelErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(points: Vec<Point>, expected: &str) {
        let result = Case::new("t", points, vec![]).map(|_| ());
        let got = match result {
            Ok(()) => "ok".to_string(),
            Err(errors) => errors.to_string(),
        };
        assert_eq!(got, expected);
    }

    #[test]
    fn validates_points() {
        check(vec![Point::new("a", PointKind::options(["x", "y"]))], "ok");
        check(vec![], "a case needs at least one point");
        check(
            vec![
                Point::new("a", PointKind::options(["x", "x"])),
                Point::new("a", PointKind::options(Vec::<String>::new())),
                Point::new("b", PointKind::integer(5, 4)),
            ],
            "point `a`: option `x` is listed twice; point `a` is defined twice; \
             point `a` has no options; point `b`: the range `5..=4` is empty",
        );
    }

    #[test]
    fn packages_by_index_follow_enumeration_order() {
        let points = vec![
            Point::new("a", PointKind::options(["x", "y"])),
            Point::new("b", PointKind::integer(1, 3)),
        ];
        let case = Case::new("t", points, vec![]).unwrap();
        assert_eq!(case.n_packages(), Some(6));
        let labels: Vec<String> = (0..6)
            .map(|k| {
                let package = case.package_at(k).unwrap();
                case.points()
                    .iter()
                    .zip(&package.0)
                    .map(|(p, c)| p.choice_label(c))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        assert_eq!(labels, ["x,1", "x,2", "x,3", "y,1", "y,2", "y,3"]);
        assert_eq!(case.package_at(6), None);
    }
}
