//! Every reader against mutated real files, on the stable toolchain: bytes flipped,
//! inserted, deleted, duplicated and replaced by tokens the formats give meaning to
//! (quotes, brackets, numbers at the edges of their types, deep nesting). Whatever comes
//! in, a reader answers `Ok` or a `FormatError`: never a panic. A short run in CI (the
//! fixed seed of `scripts/test.sh`); `scripts/fuzz.sh` runs the long campaign.

use accord_formats::case_file::{CaseFormat, read_case, read_package, utf8_text};
use accord_formats::folder::{FolderFile, read_domain_folder};
use accord_formats::tournament::read_config;
use accord_formats::{genius, geniusweb};
use proptest::prelude::*;

mod common;
use common::{read_bytes, testdata};

/// Cases per target; `FUZZ_CASES` raises it for a long run.
fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000)
}

const TOKENS: &[&[u8]] = &[
    b"\"",
    b"'",
    b"<",
    b">",
    b"&",
    b"&#0;",
    b"&#x110000;",
    b"]]",
    b"[[",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"=",
    b":",
    b"\n",
    b"\x00",
    b"\xff",
    b"-",
    b"1e308",
    b"-1e308",
    b"nan",
    b"inf",
    b"-0",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"18446744073709551616",
    b"0.000000000000000000001",
    b"null",
    b"true",
    b"<!--",
    b"<?xml",
    b"index=\"0\"",
    b"index=\"999999999999\"",
    b"lowerbound=\"-9223372036854775808\"",
    b"upperbound=\"9223372036854775807\"",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    b"{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":",
];

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        prop_oneof![
            (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Edit::Flip(at, bit)),
            (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, k)| Edit::Insert(at, k)),
            (any::<usize>(), 1usize..64).prop_map(|(at, n)| Edit::Delete(at, n)),
            (any::<usize>(), 1usize..256).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        ],
        1..8,
    )
}

fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for edit in edits {
        let len = bytes.len().max(1);
        match *edit {
            Edit::Flip(at, bit) => {
                if !bytes.is_empty() {
                    bytes[at % len] ^= 1 << bit;
                }
            }
            Edit::Insert(at, k) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, TOKENS[k].iter().copied());
            }
            Edit::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            Edit::Duplicate(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                let copy: Vec<u8> = bytes[at.min(end)..end].to_vec();
                bytes.splice(end..end, copy);
            }
        }
    }
    bytes
}

fn seed(path: &str) -> Vec<u8> {
    read_bytes(&testdata().join(path))
}

fn example(name: &str) -> Vec<u8> {
    read_bytes(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name),
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn genius_xml_readers_never_panic(edits in edits(), which in 0usize..4) {
        let domain_bytes = seed("genius/anac2011-Laptop/laptop_domain.xml");
        let domain = genius::read_domain("laptop_domain.xml", &domain_bytes).unwrap();
        let (name, bytes) = match which {
            0 => ("laptop_domain.xml", domain_bytes.clone()),
            1 => ("laptop_buyer_utility.xml", seed("genius/anac2011-Laptop/laptop_buyer_utility.xml")),
            2 => ("profile-1.xml", seed("genius/anac2014-10issues/profile-1.xml")),
            _ => ("consumer.xml", seed("genius/anac2016-AgentHp2/consumer.xml")),
        };
        let mutated = mutate(&bytes, &edits);
        let _ = genius::classify(&mutated);
        let _ = genius::read_domain(name, &mutated);
        let _ = genius::read_profile(name, &mutated, &domain);
        if which == 2 {
            let d = seed("genius/anac2014-10issues/10issues-domain.xml");
            if let Ok(d) = genius::read_domain("d.xml", &d) {
                let _ = genius::read_profile(name, &mutated, &d);
            }
        }
    }

    #[test]
    fn geniusweb_readers_never_panic(edits in edits(), profile in any::<bool>()) {
        let domain_text = text(&seed("geniusweb/anl2023-domain00/domain00.json"));
        let domain = geniusweb::read_domain("domain00.json", &domain_text).unwrap();
        let bytes = if profile {
            seed("geniusweb/anl2023-domain00/profileA.json")
        } else {
            domain_text.clone().into_bytes()
        };
        let mutated = text(&mutate(&bytes, &edits));
        let _ = geniusweb::classify(&mutated);
        let _ = geniusweb::read_domain("x.json", &mutated);
        let _ = geniusweb::read_profile("x.json", &mutated, &domain);
    }

    #[test]
    fn case_file_readers_never_panic(edits in edits(), which in 0usize..3) {
        let (bytes, format) = match which {
            0 => (example("labour-contract.toml"), CaseFormat::Toml),
            1 => (
                read_bytes(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/ok/case.json")),
                CaseFormat::Json,
            ),
            _ => (example("peace-framework.toml"), CaseFormat::Toml),
        };
        let mutated = mutate(&bytes, &edits);
        if let Ok(written) = utf8_text("case", mutated) {
            if let Ok(case) = read_case("case", &written, format) {
                let _ = read_package("p", "{}", CaseFormat::Json, &case);
                let _ = accord_formats::case_file::write_case(&case, format);
            }
            let labour = read_case("l", &text(&example("labour-contract.toml")), CaseFormat::Toml).unwrap();
            let _ = read_package("p", &written, format, &labour);
        }
    }

    #[test]
    fn tournament_config_reader_never_panics(edits in edits()) {
        let mutated = text(&mutate(&example("tournament.toml"), &edits));
        let _ = read_config("t.toml", &mutated);
    }

    #[test]
    fn domain_folders_never_panic(edits in edits(), which in 0usize..3) {
        let dir = testdata().join("genius/anac2011-Laptop");
        let mut files: Vec<FolderFile> = ["laptop_domain.xml", "laptop_buyer_utility.xml", "laptop_seller_utility.xml"]
            .iter()
            .map(|name| FolderFile { name: (*name).to_string(), bytes: read_bytes(&dir.join(name)) })
            .collect();
        files[which].bytes = mutate(&files[which].bytes, &edits);
        if let Ok(folder) = read_domain_folder("laptop", files) {
            let _ = folder.case(&folder.default_profiles());
        }
    }
}

/// The committed inputs of a libFuzzer target: its seeds (`fuzz/seeds/TARGET`) and the
/// minimised inputs of the crashes it found (`fuzz/regressions/TARGET`), as
/// `(path, bytes)`, sorted. A folder that does not exist has no inputs.
fn libfuzzer_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut inputs = Vec::new();
    for folder in ["seeds", "regressions"] {
        let dir = fuzz.join(folder).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.is_file() && path.extension().is_none_or(|e| e != "md"))
            .collect();
        paths.sort();
        for path in paths {
            inputs.push((
                format!("{folder}/{target}/{}", path.file_name().unwrap().display()),
                read_bytes(&path),
            ));
        }
    }
    inputs
}

/// Every committed input of the libFuzzer targets (`fuzz/fuzz_targets/*.rs`), through the
/// same readers as the target: each answers `Ok` or a `FormatError`, never a panic. The
/// seeds must also include inputs that read, so that the replay reaches past the parsers.
#[test]
fn libfuzzer_seeds_and_regressions_replay() {
    let laptop = genius::read_domain(
        "laptop_domain.xml",
        &seed("genius/anac2011-Laptop/laptop_domain.xml"),
    )
    .unwrap();
    let ten_issues = genius::read_domain(
        "10issues-domain.xml",
        &seed("genius/anac2014-10issues/10issues-domain.xml"),
    )
    .unwrap();
    let laptop_buyer = seed("genius/anac2011-Laptop/laptop_buyer_utility.xml");
    let domain00 = geniusweb::read_domain(
        "domain00.json",
        &text(&seed("geniusweb/anl2023-domain00/domain00.json")),
    )
    .unwrap();
    let profile_a = seed("geniusweb/anl2023-domain00/profileA.json");
    let labour = read_case(
        "labour-contract.toml",
        &text(&example("labour-contract.toml")),
        CaseFormat::Toml,
    )
    .unwrap();
    let folder_case = |domain: (&str, &[u8]), profile: (&str, &[u8])| {
        let files = [domain, profile]
            .map(|(name, bytes)| FolderFile {
                name: name.to_string(),
                bytes: bytes.to_vec(),
            })
            .to_vec();
        if let Ok(folder) = read_domain_folder("fuzz", files) {
            let _ = folder.case(&folder.default_profiles());
        }
    };
    let mut read = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    for target in [
        "genius_xml",
        "geniusweb_json",
        "case_toml",
        "case_json",
        "tournament_config",
    ] {
        let inputs = libfuzzer_inputs(target);
        assert!(!inputs.is_empty(), "fuzz/seeds/{target} has no inputs");
        for (name, bytes) in inputs {
            eprintln!("{name}");
            let ok = match target {
                "genius_xml" => {
                    let _ = genius::classify(&bytes);
                    let profiles = [&laptop, &ten_issues]
                        .map(|d| genius::read_profile("profile.xml", &bytes, d).is_ok());
                    let domain = genius::read_domain("domain.xml", &bytes).is_ok();
                    if domain {
                        folder_case(
                            ("domain.xml", &bytes),
                            ("laptop_buyer_utility.xml", &laptop_buyer),
                        );
                    }
                    domain || profiles.contains(&true)
                }
                "geniusweb_json" => {
                    let text = text(&bytes);
                    let _ = geniusweb::classify(&text);
                    let profile = geniusweb::read_profile("profile.json", &text, &domain00).is_ok();
                    let domain = geniusweb::read_domain("domain.json", &text).is_ok();
                    if domain {
                        folder_case(
                            ("domain.json", text.as_bytes()),
                            ("profileA.json", &profile_a),
                        );
                    }
                    domain || profile
                }
                "case_toml" | "case_json" => {
                    let format = if target == "case_toml" {
                        CaseFormat::Toml
                    } else {
                        CaseFormat::Json
                    };
                    utf8_text("case", bytes).is_ok_and(|text| {
                        let case = read_case("case", &text, format);
                        if let Ok(case) = &case {
                            let _ = accord_formats::case_file::write_case(case, format);
                            let _ = read_package("package", "{}", format, case);
                        }
                        let package = read_package("package", &text, format, &labour);
                        case.is_ok() || package.is_ok()
                    })
                }
                _ => {
                    let text = text(&bytes);
                    let config = read_config("tournament.toml", &text).is_ok();
                    let _ = accord_formats::tournament::read_config_with(
                        "tournament.toml",
                        &text,
                        &["python-agent".to_string()],
                    );
                    let results =
                        accord_formats::tournament::read_jsonl("results.jsonl", &text).is_ok();
                    config || results
                }
            };
            let counts = read.entry(target).or_default();
            counts.0 += 1;
            counts.1 += usize::from(ok);
        }
    }
    for (target, (n_inputs, n_read)) in read {
        assert!(
            n_read > 0,
            "none of the {n_inputs} committed inputs of `{target}` reads"
        );
    }
}
