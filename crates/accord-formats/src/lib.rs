//! Readers and writers for accord's inputs: GENIUS XML domains and profiles, GeniusWeb
//! JSON domains and profiles, and accord's own case files (TOML or JSON, one schema).
//!
//! Every reader takes the text (or bytes) it is given and a source name for its messages;
//! none touches the file system. Errors are [`FormatError`]s: every problem found, each
//! naming the source, the line and column (or path) and the field.
#![warn(missing_docs)]

pub mod analysis_json;
pub mod case_file;
mod error;
pub mod folder;
pub mod genius;
pub mod geniusweb;

pub use error::{ErrorKind, FormatError, Problem};
