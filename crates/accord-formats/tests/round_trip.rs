//! Writing a case and reading it back gives the same case: for the examples, in both
//! spellings, and for GENIUS and GeniusWeb folders converted to case files (utilities
//! unchanged, including GENIUS weights that do not sum to 1).

use std::path::{Path, PathBuf};

use accord_core::Case;
use accord_formats::case_file::{CaseFormat, read_case, write_case};
use accord_formats::folder::read_domain_folder;

mod common;
use common::folder_files;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check(case: &Case) {
    for format in [CaseFormat::Toml, CaseFormat::Json] {
        let text = write_case(case, format);
        let again = read_case("written", &text, format)
            .unwrap_or_else(|e| panic!("{}: {e}\n{text}", case.name()));
        // Compare piece by piece, so that a failure names what changed.
        assert_eq!(
            again.points(),
            case.points(),
            "{} points through {format:?}",
            case.name()
        );
        for (a, b) in again.parties().iter().zip(case.parties()) {
            assert_eq!(a, b, "{} party `{}` through {format:?}", case.name(), b.id);
        }
        assert_eq!(&again, case, "{} through {format:?}", case.name());
        assert_eq!(write_case(&again, format), text, "writing is stable");
    }
}

#[test]
fn examples_round_trip_in_both_spellings() {
    for name in ["peace-framework.toml", "labour-contract.toml"] {
        let path = root().join("examples").join(name);
        let case = read_case(
            name,
            &std::fs::read_to_string(path).unwrap(),
            CaseFormat::Toml,
        )
        .unwrap();
        check(&case);
    }
}

#[test]
fn domain_folders_convert_to_case_files() {
    // Laptop's weights sum to 1.000052; AgentHp2 has integer issues with linear evaluators;
    // a hyper-rectangle folder; a GeniusWeb folder.
    for folder in [
        "genius/anac2011-Laptop",
        "genius/anac2016-AgentHp2",
        "genius/anac2014-10issues",
        "geniusweb/anl2023-domain07",
    ] {
        let dir = root().join("testdata").join(folder);
        let files = folder_files(&dir);
        let read = read_domain_folder(folder, files).unwrap();
        let case = read.case(&read.default_profiles()).unwrap();
        check(&case);
    }
}

/// Answers written as JSON read back to the same answers, and a fitted position written
/// as a position table reads back as the same position.
#[test]
fn answers_and_fitted_positions_round_trip() {
    use accord_core::elicit::{FitOptions, fit};
    use accord_formats::answers::{answers_json, read_answers};
    use accord_formats::case_file::position_json;

    let dir = root().join("examples");
    let case_text = std::fs::read_to_string(dir.join("labour-contract.toml")).unwrap();
    let case = read_case("labour-contract.toml", &case_text, CaseFormat::Toml).unwrap();
    let text = std::fs::read_to_string(dir.join("labour-answers.toml")).unwrap();
    let (answers, _) = read_answers("labour-answers.toml", &text, CaseFormat::Toml, &case).unwrap();
    let json = answers_json(&case, &answers).to_string();
    let (again, party) = read_answers("written", &json, CaseFormat::Json, &case)
        .unwrap_or_else(|e| panic!("{e}\n{json}"));
    assert_eq!(again, answers);
    assert_eq!(party, None);

    let found = fit(&case, &answers, &FitOptions::default()).unwrap();
    let party = case.party_idx("union").expect("the union");
    let fitted = case
        .clone()
        .with_party_position(party, found.position.clone())
        .unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_str(&write_case(&case, CaseFormat::Json)).unwrap();
    doc["parties"][party.0]["position"] = position_json(case.points(), &found.position);
    let read = read_case("written", &doc.to_string(), CaseFormat::Json).unwrap();
    let (a, b) = (&read.parties()[party.0], &fitted.parties()[party.0]);
    let (pa, pb) = (a.position.as_ref().unwrap(), b.position.as_ref().unwrap());
    assert_eq!(pa.red_lines, pb.red_lines);
    assert!((pa.reservation_value - pb.reservation_value).abs() < 1e-12);
    for (package, _) in &answers.packages {
        assert!((pa.utility(package) - pb.utility(package)).abs() < 1e-9);
    }
}
