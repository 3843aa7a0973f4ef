//! The bad-input corpus: every file of `test_data/err/` is a small variation of a file of
//! `test_data/ok/` with one defect, named after the defect. Each must be rejected (an
//! `Err`, never a panic or an `Ok`) with a message that names the file and the place
//! (line and column, or a JSON path or field); the message is pinned by an insta snapshot
//! named after the file, so that a change of wording is reviewed.
//!
//! Which reader a file goes to: `*.xml` is GENIUS XML (a profile, root `utility_space`, is
//! read against `ok/domain.xml`; anything else is read as a domain); `geniusweb-*.json` is
//! GeniusWeb JSON (a profile is read against the ANL domain `anl2023-domain00`; anything
//! else is read as a domain); other `*.json` and `*.toml` files are case files.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use accord_formats::case_file::{CaseFormat, read_case, utf8_text};
use accord_formats::{FormatError, genius, geniusweb};

/// Files the corpus must hold at least, so that a lost folder cannot pass unnoticed.
const MIN_ERR_FILES: usize = 41;

fn test_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data")
}

fn anl_domain_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/geniusweb/anl2023-domain00/domain00.json")
}

fn read_bytes(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn read_text(path: &Path) -> String {
    String::from_utf8(read_bytes(path))
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The domains that profiles are read against.
struct Domains {
    genius: genius::Domain,
    geniusweb: geniusweb::Domain,
}

impl Domains {
    fn load() -> Self {
        let genius_path = test_data().join("ok/domain.xml");
        let genius = genius::read_domain("domain.xml", &read_bytes(&genius_path))
            .unwrap_or_else(|error| panic!("ok/domain.xml must load:\n{error}"));
        let geniusweb_path = anl_domain_path();
        let geniusweb = geniusweb::read_domain("domain00.json", &read_text(&geniusweb_path))
            .unwrap_or_else(|error| panic!("{}: must load:\n{error}", geniusweb_path.display()));
        Self { genius, geniusweb }
    }
}

/// Reads a file with the reader its name and content call for; `Ok` carries what was
/// read, described in a few words.
fn read(name: &str, path: &Path, domains: &Domains) -> Result<String, FormatError> {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("xml") => {
            let bytes = read_bytes(path);
            match genius::classify(&bytes) {
                genius::FileKind::Profile => genius::read_profile(name, &bytes, &domains.genius)
                    .map(|profile| {
                        let reservation_value = profile.position.reservation_value;
                        format!("a GENIUS profile with reservation value {reservation_value}")
                    }),
                genius::FileKind::Domain | genius::FileKind::Other => {
                    genius::read_domain(name, &bytes)
                        .map(|domain| format!("a GENIUS domain of {} issues", domain.points.len()))
                }
            }
        }
        Some("json") if name.starts_with("geniusweb-") => {
            let text = read_text(path);
            match geniusweb::classify(&text) {
                geniusweb::FileKind::Profile => {
                    geniusweb::read_profile(name, &text, &domains.geniusweb)
                        .map(|profile| format!("a GeniusWeb profile `{}`", profile.name))
                }
                geniusweb::FileKind::Domain | geniusweb::FileKind::Other => {
                    geniusweb::read_domain(name, &text).map(|domain| {
                        format!("a GeniusWeb domain of {} issues", domain.points.len())
                    })
                }
            }
        }
        _ => {
            let format = CaseFormat::from_extension(name)
                .unwrap_or_else(|| panic!("{name}: no reader for this extension"));
            utf8_text(name, read_bytes(path))
                .and_then(|text| read_case(name, &text, format))
                .map(|case| format!("a case of {} points", case.points().len()))
        }
    }
}

/// The files of a folder of `test_data/`, sorted by name.
fn files(folder: &str) -> Vec<(String, PathBuf)> {
    let dir = test_data().join(folder);
    let mut files: Vec<(String, PathBuf)> = fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| path.is_file())
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .expect("file names are UTF-8")
                .to_string();
            (name, path)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn ok_files_load() {
    let domains = Domains::load();
    let names: Vec<String> = files("ok").into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        ["case.json", "case.toml", "domain.xml", "profile.xml"],
        "test_data/ok/ holds exactly these files"
    );
    assert_eq!(domains.genius.points.len(), 3);
    let profile_path = test_data().join("ok/profile.xml");
    let profile = genius::read_profile("profile.xml", &read_bytes(&profile_path), &domains.genius)
        .unwrap_or_else(|error| panic!("ok/profile.xml must load:\n{error}"));
    assert!(profile.warnings.is_empty(), "{:#?}", profile.warnings);
    assert_eq!(profile.position.reservation_value, 0.4);
    assert_eq!(profile.position.discount_factor, 0.9);
    for (name, format) in [
        ("case.toml", CaseFormat::Toml),
        ("case.json", CaseFormat::Json),
    ] {
        let text = read_text(&test_data().join("ok").join(name));
        let case = read_case(name, &text, format)
            .unwrap_or_else(|error| panic!("ok/{name} must load:\n{error}"));
        assert_eq!(case.points().len(), 2, "{name}");
        assert_eq!(case.parties().len(), 2, "{name}");
        for party in case.parties() {
            let position = party
                .position
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: party `{}` has a position", party.id));
            assert_eq!(position.red_lines.len(), 1, "{name}: party `{}`", party.id);
        }
    }
    let toml = read_text(&test_data().join("ok/case.toml"));
    let json = read_text(&test_data().join("ok/case.json"));
    assert_eq!(
        read_case("case", &toml, CaseFormat::Toml),
        read_case("case", &json, CaseFormat::Json),
        "ok/case.toml and ok/case.json describe the same case"
    );
}

#[test]
fn every_bad_file_is_rejected_with_a_located_message() {
    let domains = Domains::load();
    let files = files("err");
    assert!(
        files.len() >= MIN_ERR_FILES,
        "test_data/err/ holds {} files, expected at least {MIN_ERR_FILES}",
        files.len()
    );
    for (name, path) in &files {
        let result = catch_unwind(AssertUnwindSafe(|| read(name, path, &domains)))
            .unwrap_or_else(|_| panic!("{name}: the reader panicked"));
        let error = match result {
            Ok(what) => panic!("{name}: expected an error, read {what}"),
            Err(error) => error,
        };
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("{name}:")),
            "{name}: the message does not start with the file name:\n{message}"
        );
        assert!(!error.problems.is_empty(), "{name}: no problem");
        for problem in &error.problems {
            assert_eq!(&problem.source, name, "{name}: {problem}");
            assert!(
                problem.line_col.is_some() || !problem.field.is_empty(),
                "{name}: a problem names neither a line and column nor a field: {problem}"
            );
            assert!(
                !problem.message.is_empty(),
                "{name}: a problem without a message"
            );
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_input_file(path);
        settings.bind(|| insta::assert_snapshot!(name.as_str(), message));
    }
}
