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
