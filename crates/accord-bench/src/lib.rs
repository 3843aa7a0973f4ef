//! accord's benchmarks: what the criterion benches (`benches/analysis.rs`) and the
//! side-by-side timing binary (`time-domain`) share. [`load_domain_folder`] reads a GENIUS
//! or GeniusWeb domain folder from disk as `accord analyze FOLDER` does (the first three
//! profiles by file name unless told otherwise), and [`genius_folder`] names a folder of
//! the bundled ANAC corpus, `testdata/genius`.
//!
//! The crate is not published and nothing else depends on it. `cargo test --workspace`
//! leaves it out, so that CI does not build criterion; `cargo clippy --workspace
//! --all-targets` checks it, `cargo test -p accord-bench --lib` runs its tests and `cargo
//! bench -p accord-bench` its benches. Speed claims against NegMAS are made with
//! `scripts/bench-negmas.py`, which runs `time-domain` next to NegMAS on the same machine
//! (docs/benchmarks.md).
//!
//! ```no_run
//! use accord_bench::{frontier_size, genius_folder, load_domain_folder};
//! use accord_core::{EnumerationLimit, analyze};
//!
//! let loaded = load_domain_folder(&genius_folder("anac2011-Laptop"), None).unwrap();
//! assert_eq!(loaded.profiles.len(), 2);
//! let analysis = analyze(&loaded.case, &loaded.parties, EnumerationLimit::default());
//! assert!(frontier_size(&analysis).unwrap() >= 1);
//! ```
#![warn(missing_docs)]

use std::path::{Path, PathBuf};

use accord_core::{Analysis, Case, PartyIdx};
use accord_formats::folder::{FolderFile, read_domain_folder};
use anyhow::{Context, Result};

/// A domain folder read into a case, ready to analyse.
#[derive(Debug, Clone)]
pub struct LoadedDomain {
    /// The folder's name (its last path component).
    pub name: String,
    /// The case: the domain's points and the chosen profiles as parties.
    pub case: Case,
    /// Every party of the case, in order: what to analyse.
    pub parties: Vec<PartyIdx>,
    /// The profile files chosen, in party order.
    pub profiles: Vec<String>,
}

/// The folder `name` of the bundled GENIUS corpus (`testdata/genius` of this workspace).
#[must_use]
pub fn genius_folder(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/genius")
        .join(name)
}

/// Reads the domain folder at `path` with the first `n_parties` profiles by file name as
/// parties (`None`: the first three, `accord analyze`'s default).
pub fn load_domain_folder(path: &Path, n_parties: Option<usize>) -> Result<LoadedDomain> {
    let shown = path.display().to_string();
    let mut files = Vec::new();
    for entry in fs_err::read_dir(path)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            files.push(FolderFile {
                name: entry.file_name().to_string_lossy().into_owned(),
                bytes: fs_err::read(entry.path())?,
            });
        }
    }
    let name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| shown.clone());
    let folder =
        read_domain_folder(&name, files).with_context(|| format!("reading folder `{shown}`"))?;
    let profiles: Vec<String> = match n_parties {
        None => folder.default_profiles(),
        Some(n) => folder
            .profiles
            .iter()
            .take(n)
            .map(|p| p.file.clone())
            .collect(),
    };
    let case = folder
        .case(&profiles)
        .with_context(|| format!("reading folder `{shown}`"))?;
    let parties = (0..case.parties().len()).map(PartyIdx).collect();
    Ok(LoadedDomain {
        name,
        case,
        parties,
        profiles,
    })
}

/// The number of frontier vectors an analysis found; `None` when it found none (the case
/// was too large, or not additive and too large to enumerate).
#[must_use]
pub fn frontier_size(analysis: &Analysis) -> Option<usize> {
    analysis
        .result
        .as_ref()
        .ok()
        .map(|exact| exact.scan.frontier.len())
}

/// The median of `times` in seconds (the mean of the middle two for an even count; 0 for
/// none).
#[must_use]
pub fn median_seconds(times: &mut [std::time::Duration]) -> f64 {
    if times.is_empty() {
        return 0.0;
    }
    times.sort_unstable();
    let mid = times.len() / 2;
    if times.len() % 2 == 1 {
        times[mid].as_secs_f64()
    } else {
        (times[mid - 1] + times[mid]).as_secs_f64() / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads a bundled folder with `n_parties` and checks the profiles chosen.
    fn check(folder: &str, n_parties: Option<usize>, expected: &[&str]) {
        let loaded = load_domain_folder(&genius_folder(folder), n_parties).unwrap();
        assert_eq!(loaded.name, folder);
        assert_eq!(loaded.profiles, expected);
        assert_eq!(loaded.parties.len(), expected.len());
    }

    #[test]
    fn profiles_are_the_first_by_file_name() {
        check(
            "anac2010-ItexvsCypress",
            None,
            &["ItexvsCypress_Cypress.xml", "ItexvsCypress_Itex.xml"],
        );
        check(
            "anac2010-ItexvsCypress",
            Some(1),
            &["ItexvsCypress_Cypress.xml"],
        );
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let error = load_domain_folder(&genius_folder("no-such-domain"), None).unwrap_err();
        assert!(format!("{error:#}").contains("no-such-domain"), "{error:#}");
    }
}
