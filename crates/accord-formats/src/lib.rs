//! Readers and writers for accord's inputs: GENIUS XML domains and profiles, GeniusWeb
//! JSON domains and profiles, and accord's own case files (TOML or JSON, one schema); and
//! [`generate`], random additive cases from a seed, which `accord generate` writes as case
//! files and the benchmarks analyse in memory.
//!
//! Every reader takes the text (or bytes) it is given and a source name for its messages;
//! none touches the file system. Errors are [`FormatError`]s: every problem found, each
//! naming the source, the line and column (or path) and the field.
#![warn(missing_docs)]

pub mod analysis_json;
pub mod answers;
pub mod case_file;
mod error;
pub mod export;
pub mod folder;
pub mod generate;
pub mod genius;
pub mod geniusweb;
mod locate;
pub mod tournament;

pub use error::{ErrorKind, FormatError, Problem};

/// What a file of a domain folder holds, judged by its content, never by its name
/// ([`genius::classify`], [`geniusweb::classify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A domain: the points and their values (GENIUS `negotiation_template`, GeniusWeb
    /// `issuesValues`).
    Domain,
    /// A preference profile (GENIUS `utility_space`; a GeniusWeb utility space or
    /// preference ordering, so that unsupported kinds are reported rather than skipped).
    Profile,
    /// Anything else, such as the `pareto.xml` of the ANAC 2014 folders (not XML at all)
    /// or ANL's `specials.json`.
    Other,
}
