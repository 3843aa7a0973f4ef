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
