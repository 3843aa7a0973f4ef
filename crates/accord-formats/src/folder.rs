//! A domain folder: one GENIUS or GeniusWeb domain file and the profiles that negotiate
//! over it, turned into a [`Case`] whose parties are the chosen profiles.
//!
//! The caller reads the files (this crate does no I/O) and passes names and bytes. Files are
//! classified by content (root element or top-level keys), never by name: ANAC 2014 folders
//! hold a `pareto.xml` that is not XML, GeniusWeb folders a `specials.json` that is not a
//! profile.
//!
//! ```
//! use accord_formats::folder::{read_domain_folder, FolderFile};
//!
//! let domain = br#"{"name": "d", "issuesValues": {"i": {"values": ["a", "b"]}}}"#;
//! let profile = br#"{"LinearAdditiveUtilitySpace": {"name": "p",
//!     "domain": {"name": "d", "issuesValues": {"i": {"values": ["a", "b"]}}},
//!     "issueWeights": {"i": 1.0},
//!     "issueUtilities": {"i": {"DiscreteValueSetUtilities": {"valueUtilities": {"a": 1.0, "b": 0.0}}}}}}"#;
//! let files = vec![
//!     FolderFile { name: "d.json".into(), bytes: domain.to_vec() },
//!     FolderFile { name: "p.json".into(), bytes: profile.to_vec() },
//! ];
//! let folder = read_domain_folder("demo", files).unwrap();
//! let case = folder.case(&folder.default_profiles()).unwrap();
//! assert_eq!(case.parties()[0].id, "p.json");
//! ```

use accord_core::{Case, Party, Point, Position, Role};

use crate::error::{ErrorKind, FormatError, Problem};
use crate::{FileKind, genius, geniusweb};

/// One file of a folder: its name (no directory) and its bytes.
#[derive(Debug, Clone)]
pub struct FolderFile {
    /// File name.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Which format a folder is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainFormat {
    /// GENIUS XML (ANAC 2010–2019).
    GeniusXml,
    /// GeniusWeb JSON (ANAC 2020 on, ANL).
    GeniusWebJson,
}

impl DomainFormat {
    /// The name used in reports and JSON output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            DomainFormat::GeniusXml => "genius-xml",
            DomainFormat::GeniusWebJson => "geniusweb-json",
        }
    }
}

/// One profile of a folder, read or rejected.
#[derive(Debug, Clone)]
pub struct FolderProfile {
    /// File name; it names the party.
    pub file: String,
    /// The position, or why the profile cannot be used.
    pub position: Result<Position, FormatError>,
    /// Things accepted with a fallback (e.g. an unparsable discount factor), each naming
    /// its file, line and field.
    pub warnings: Vec<String>,
}

/// A read domain folder.
#[derive(Debug, Clone)]
pub struct DomainFolder {
    /// The folder's name: the case name.
    pub name: String,
    /// Its format.
    pub format: DomainFormat,
    /// The domain file's name.
    pub domain_file: String,
    /// The points of the domain.
    pub points: Vec<Point>,
    /// Every profile, sorted by file name (byte order).
    pub profiles: Vec<FolderProfile>,
    /// Warnings about the domain file.
    pub warnings: Vec<String>,
}

/// Reads a folder's files: finds the domain file, then reads every profile against it.
/// A profile that fails to read is kept with its error, so the rest of the folder stays
/// usable; [`DomainFolder::case`] reports it if it is chosen.
pub fn read_domain_folder(name: &str, files: Vec<FolderFile>) -> Result<DomainFolder, FormatError> {
    let mut xml_domains = Vec::new();
    let mut xml_profiles = Vec::new();
    let mut json_domains = Vec::new();
    let mut json_profiles = Vec::new();
    for file in files {
        let extension = crate::case_file::extension(&file.name);
        if extension == "xml" {
            match genius::classify(&file.bytes) {
                FileKind::Domain => xml_domains.push(file),
                FileKind::Profile => xml_profiles.push(file),
                FileKind::Other => {}
            }
        } else if extension == "json" {
            let Ok(text) = std::str::from_utf8(&file.bytes) else {
                continue;
            };
            match geniusweb::classify(text) {
                FileKind::Domain => json_domains.push(file),
                FileKind::Profile => json_profiles.push(file),
                FileKind::Other => {}
            }
        }
    }
    let (format, mut domains, mut profiles) = if xml_domains.is_empty() && !json_domains.is_empty()
    {
        (DomainFormat::GeniusWebJson, json_domains, json_profiles)
    } else {
        (DomainFormat::GeniusXml, xml_domains, xml_profiles)
    };
    let folder_problem = |message: String| {
        FormatError::single(Problem::at(name, None, "", ErrorKind::Missing, message))
    };
    if domains.is_empty() {
        return Err(folder_problem(
            "no domain file here (a GENIUS `negotiation_template` XML or a GeniusWeb JSON with `issuesValues`)"
                .to_string(),
        ));
    }
    if domains.len() > 1 {
        domains.sort_by(|a, b| a.name.cmp(&b.name));
        let names: Vec<String> = domains.iter().map(|d| format!("`{}`", d.name)).collect();
        return Err(folder_problem(format!(
            "more than one domain file: {}",
            names.join(", ")
        )));
    }
    let domain_file = domains.remove(0);
    profiles.sort_by(|a, b| a.name.cmp(&b.name));
    // Each reader gives (position, warnings) per profile; a failed profile keeps its error.
    let entry = |file: String, read: Result<(Position, Vec<String>), FormatError>| match read {
        Ok((position, warnings)) => FolderProfile {
            file,
            position: Ok(position),
            warnings,
        },
        Err(error) => FolderProfile {
            file,
            position: Err(error),
            warnings: Vec::new(),
        },
    };
    let (points, warnings, profiles) = match format {
        DomainFormat::GeniusXml => {
            let domain = genius::read_domain(&domain_file.name, &domain_file.bytes)?;
            let profiles = profiles
                .into_iter()
                .map(|file| {
                    let read = genius::read_profile(&file.name, &file.bytes, &domain);
                    entry(file.name, read.map(|p| (p.position, p.warnings)))
                })
                .collect();
            (domain.points, domain.warnings, profiles)
        }
        DomainFormat::GeniusWebJson => {
            let text = String::from_utf8_lossy(&domain_file.bytes);
            let domain = geniusweb::read_domain(&domain_file.name, &text)?;
            let profiles = profiles
                .into_iter()
                .map(|file| {
                    let text = String::from_utf8_lossy(&file.bytes);
                    let read = geniusweb::read_profile(&file.name, &text, &domain);
                    entry(file.name, read.map(|p| (p.position, p.warnings)))
                })
                .collect();
            (domain.points, Vec::new(), profiles)
        }
    };
    Ok(DomainFolder {
        name: name.to_string(),
        format,
        domain_file: domain_file.name,
        points,
        profiles,
        warnings,
    })
}

impl DomainFolder {
    /// The default parties: the first three profiles by file name (all when there are
    /// two or three), the convention of the reference answers.
    #[must_use]
    pub fn default_profiles(&self) -> Vec<String> {
        self.profiles
            .iter()
            .take(3)
            .map(|p| p.file.clone())
            .collect()
    }

    /// The case of the named profiles ([`DomainFolder::case`]; the default ones,
    /// [`DomainFolder::default_profiles`], when `profiles` is empty), with the warnings of
    /// the folder and of the chosen profiles (each naming its file, line and field).
    pub fn chosen_case(&self, profiles: &[String]) -> Result<(Case, Vec<String>), FormatError> {
        let chosen = if profiles.is_empty() {
            self.default_profiles()
        } else {
            profiles.to_vec()
        };
        let case = self.case(&chosen)?;
        let mut warnings = self.warnings.clone();
        if profiles.is_empty() && self.profiles.len() > chosen.len() {
            warnings.push(format!(
                "{}: {} profiles; the first {} by file name are the parties (choose others with --parties, or accord.load(..., parties=[...]) in Python)",
                self.name,
                self.profiles.len(),
                chosen.len()
            ));
        }
        for profile in &self.profiles {
            if case.party_idx(&profile.file).is_some() {
                warnings.extend(profile.warnings.iter().cloned());
            }
        }
        Ok((case, warnings))
    }

    /// A case whose parties are the named profiles, in the order given. Profile names may
    /// be given with or without their extension.
    pub fn case(&self, profiles: &[String]) -> Result<Case, FormatError> {
        let mut problems = Vec::new();
        let mut parties = Vec::new();
        let mut broken = Vec::new();
        for (k, wanted) in profiles.iter().enumerate() {
            if profiles[..k].contains(wanted) {
                problems.push(Problem::at(
                    &self.name,
                    None,
                    format!("parties[{k}]"),
                    ErrorKind::Duplicate,
                    format!("profile `{wanted}` is given twice; each party takes one seat"),
                ));
                continue;
            }
            let found = self.profiles.iter().find(|p| {
                &p.file == wanted
                    || p.file
                        .rsplit_once('.')
                        .is_some_and(|(stem, _)| stem == wanted)
            });
            match found {
                None => {
                    let known: Vec<&str> = self.profiles.iter().map(|p| p.file.as_str()).collect();
                    problems.push(Problem::at(
                        &self.name,
                        None,
                        format!("parties[{k}]"),
                        ErrorKind::Unknown,
                        format!(
                            "no profile `{wanted}`\nhint: the profiles here are {}",
                            known.join(", ")
                        ),
                    ));
                }
                Some(FolderProfile {
                    file,
                    position: Err(error),
                    ..
                }) => {
                    problems.extend(error.problems.iter().cloned());
                    broken.push(file.as_str());
                }
                Some(FolderProfile {
                    file,
                    position: Ok(position),
                    ..
                }) => {
                    parties.push(
                        Party::new(file.clone(), file.clone(), Role::Party)
                            .with_position(position.clone()),
                    );
                }
            }
        }
        if !broken.is_empty() {
            let sound: Vec<&str> = self
                .profiles
                .iter()
                .filter(|p| p.position.is_ok())
                .map(|p| p.file.as_str())
                .collect();
            let hint = if sound.is_empty() {
                String::new()
            } else {
                let pick: Vec<&str> = sound.iter().copied().take(profiles.len().max(2)).collect();
                format!(
                    "\nhint: choose sound profiles with `--parties`, e.g. `--parties {}`",
                    pick.join(",")
                )
            };
            problems.push(Problem::at(
                &self.name,
                None,
                "",
                ErrorKind::Invalid,
                format!(
                    "profile{} {} cannot be used{hint}",
                    if broken.len() == 1 { "" } else { "s" },
                    broken
                        .iter()
                        .map(|b| format!("`{b}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if self.profiles.is_empty() {
            problems.push(Problem::at(
                &self.name,
                None,
                "",
                ErrorKind::Missing,
                "no profile files here",
            ));
        }
        FormatError::check(problems, ())?;
        Case::new(self.name.clone(), self.points.clone(), parties).map_err(|errors| FormatError {
            problems: errors
                .0
                .iter()
                .map(|e| Problem::at(&self.name, None, "", ErrorKind::Invalid, e.to_string()))
                .collect(),
        })
    }
}
