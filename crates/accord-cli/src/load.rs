//! Reading the PATH argument: a case file or a domain folder.

use std::fmt;
use std::path::Path;

use accord_core::{Case, PartyIdx};
use accord_formats::FormatError;
use accord_formats::analysis_json::Source;
use accord_formats::case_file::{CaseFormat, choose_parties, read_case};
use accord_formats::folder::{FolderFile, read_domain_folder};
use anyhow::{Context, Result, bail};

/// A case ready to analyse.
pub(crate) struct Loaded {
    pub(crate) case: Case,
    pub(crate) parties: Vec<PartyIdx>,
    pub(crate) source: Source,
}

/// The parties asked for do not fit the case: a problem of whoever asked for them, which a
/// caller that knows where they were written (a tournament configuration) places there.
#[derive(Debug)]
pub(crate) struct PartiesRefused {
    message: String,
    /// The problems, fields `parties[k]` (or `parties` for the list as a whole).
    pub(crate) problems: FormatError,
}

impl fmt::Display for PartiesRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PartiesRefused {}

/// Loads a case file or a domain folder; `parties` picks the parties (empty: the default).
pub(crate) fn load(path: &Path, parties: &[String]) -> Result<Loaded> {
    let shown = path.display().to_string();
    if path.is_dir() {
        load_folder(path, &shown, parties, false)
    } else {
        load_case_file(path, &shown, parties)
    }
}

/// As [`load`], but a folder's default parties are all its profiles that read, not the
/// first three.
pub(crate) fn load_every_profile(path: &Path, parties: &[String]) -> Result<Loaded> {
    let shown = path.display().to_string();
    if path.is_dir() {
        load_folder(path, &shown, parties, true)
    } else {
        load_case_file(path, &shown, parties)
    }
}

fn load_folder(path: &Path, shown: &str, parties: &[String], every: bool) -> Result<Loaded> {
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
        .unwrap_or_else(|| shown.to_string());
    let folder =
        read_domain_folder(&name, files).with_context(|| format!("reading folder `{shown}`"))?;
    let every_profile: Vec<String> = if every && parties.is_empty() {
        folder
            .profiles
            .iter()
            .filter(|p| p.position.is_ok())
            .map(|p| p.file.clone())
            .collect()
    } else {
        parties.to_vec()
    };
    let (case, warnings) = folder
        .chosen_case(&every_profile)
        .map_err(|problems| PartiesRefused {
            message: problems.to_string(),
            problems,
        })
        .with_context(|| format!("reading folder `{shown}`"))?;
    let parties = (0..case.parties().len()).map(PartyIdx).collect();
    Ok(Loaded {
        case,
        parties,
        source: Source {
            format: folder.format.as_str().to_string(),
            path: shown.to_string(),
            warnings,
        },
    })
}

fn load_case_file(path: &Path, shown: &str, parties: &[String]) -> Result<Loaded> {
    if !path.exists() {
        bail!("`{shown}` does not exist (a case file, .toml or .json, or a domain folder)");
    }
    let Some(format) = CaseFormat::from_extension(shown) else {
        bail!(
            "`{shown}` is neither a case file (.toml, .json) nor a folder\n\
             hint: for a GENIUS or GeniusWeb domain, give the folder that holds the domain and its profiles"
        );
    };
    let text = accord_formats::case_file::utf8_text(shown, fs_err::read(path)?)?;
    let case = read_case(shown, &text, format)?;
    let chosen = choose_parties(&case, parties).map_err(|e| PartiesRefused {
        message: format!("{shown}: {e}"),
        problems: e.problem(shown, parties),
    })?;
    Ok(Loaded {
        case,
        parties: chosen,
        source: Source {
            format: "case-file".to_string(),
            path: shown.to_string(),
            warnings: Vec::new(),
        },
    })
}
