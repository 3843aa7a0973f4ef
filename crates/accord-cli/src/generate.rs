//! `accord generate`: a random additive or hyper-rectangle case, reproducible from its
//! seed, for benchmarks. The case itself comes from [`accord_formats::generate`]; this
//! module names the flags in its messages.

use accord_core::Case;
use accord_formats::generate::{
    GenerateError, GenerateSpec, generate_case, generate_rectangle_case,
};
use anyhow::{Result, bail};

/// The case `spec` asks for (with `rectangles` boxes a party, hyper-rectangle positions),
/// or an error that names the flags to change.
pub(crate) fn generate(spec: &GenerateSpec, rectangles: Option<usize>) -> Result<Case> {
    let generated = match rectangles {
        None => generate_case(spec),
        Some(count) => generate_rectangle_case(spec, count),
    };
    match generated {
        Ok(case) => Ok(case),
        Err(GenerateError::TooSmall) if rectangles == Some(0) => {
            bail!("--rectangles 0: a hyper-rectangle position needs at least one rectangle")
        }
        Err(GenerateError::TooSmall) => {
            bail!("a generated case needs --points >= 1, --options >= 2 and --parties >= 1")
        }
        Err(GenerateError::TooManyRedLines { .. }) if rectangles.is_some() => {
            bail!("--red-lines cannot be used with --rectangles: the rectangles say everything")
        }
        Err(GenerateError::TooLarge { what, value, max }) => {
            let flags = match what {
                "points" => "--points".to_string(),
                "options" => "--options".to_string(),
                "parties" => "--parties".to_string(),
                "rectangles" => "--rectangles".to_string(),
                "parties × rectangles" => "--parties × --rectangles".to_string(),
                _ => "--points × --options × --parties".to_string(),
            };
            bail!("{flags}: {value} is more than the {max} a generated case may have")
        }
        Err(GenerateError::BadReservation(value)) => {
            bail!("--reservation `{value}`: a reservation value is between 0 and 1")
        }
        Err(other) => Err(other.into()),
    }
}
