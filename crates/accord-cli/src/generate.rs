//! `accord generate`: a random additive case, reproducible from its seed, for benchmarks.
//! The case itself comes from [`accord_formats::generate`]; this module names the flags in
//! its messages.

use accord_core::Case;
use accord_formats::generate::{GenerateError, GenerateSpec, generate_case};
use anyhow::{Result, bail};

/// The case `spec` asks for, or an error that names the flags to change.
pub(crate) fn generate(spec: &GenerateSpec) -> Result<Case> {
    match generate_case(spec) {
        Ok(case) => Ok(case),
        Err(GenerateError::TooSmall) => {
            bail!("a generated case needs --points >= 1, --options >= 2 and --parties >= 1")
        }
        Err(GenerateError::BadReservation(value)) => {
            bail!("--reservation `{value}`: a reservation value is between 0 and 1")
        }
        Err(other) => Err(other.into()),
    }
}
