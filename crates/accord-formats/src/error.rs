//! Errors of every reader: each problem names the source, the place and the field.

use std::fmt;

/// What kind of problem a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not well-formed XML, JSON or TOML.
    Syntax,
    /// A required element, attribute or key is absent.
    Missing,
    /// A value has the wrong type (a string where a number belongs, ...).
    WrongType,
    /// A value has the right type but is not allowed (a negative weight, ...).
    Invalid,
    /// A reference to something that does not exist (an unknown option or point).
    Unknown,
    /// The same identity is defined twice.
    Duplicate,
    /// Something the format allows but accord does not read (yet).
    Unsupported,
}

/// One problem in one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file name (or other source name) the text came from.
    pub source: String,
    /// 1-based line and column, when known.
    pub line_col: Option<(usize, usize)>,
    /// The field: an XML element with its identifying attribute (`<weight index="3">`),
    /// or a path into a JSON or TOML document (`points[2].options`).
    pub field: String,
    /// What kind of problem.
    pub kind: ErrorKind,
    /// What is wrong, lowercase, user values in backticks.
    pub message: String,
}

impl Problem {
    /// A problem at a line and column.
    pub fn at(
        source: &str,
        line_col: Option<(usize, usize)>,
        field: impl Into<String>,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        Self {
            source: source.to_string(),
            line_col,
            field: field.into(),
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some((line, column)) = self.line_col {
            write!(f, ":{line}:{column}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in an input (readers collect them all before returning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The problems, in the order found; never empty.
    pub problems: Vec<Problem>,
}

impl FormatError {
    /// An error with one problem.
    #[must_use]
    pub fn single(problem: Problem) -> Self {
        Self {
            problems: vec![problem],
        }
    }

    /// `Ok(value)` when no problem was collected, else the problems.
    pub fn check<T>(problems: Vec<Problem>, value: T) -> Result<T, Self> {
        if problems.is_empty() {
            Ok(value)
        } else {
            Err(Self { problems })
        }
    }
}

impl From<Problem> for FormatError {
    fn from(problem: Problem) -> Self {
        Self::single(problem)
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, problem) in self.problems.iter().enumerate() {
            if k > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FormatError {}
