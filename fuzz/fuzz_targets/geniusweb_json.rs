//! GeniusWeb JSON: the input (as lossy UTF-8 text) is read as a domain and as a profile
//! against a real domain; a domain that reads is also loaded as a folder with a real
//! profile, and the folder's case built. Any `Err` is fine; a panic is a finding.
#![no_main]

use std::sync::OnceLock;

use accord_formats::folder::{FolderFile, read_domain_folder};
use accord_formats::geniusweb::{self, Domain};
use libfuzzer_sys::fuzz_target;

const DOMAIN00: &str = include_str!("../../testdata/geniusweb/anl2023-domain00/domain00.json");
const PROFILE_A: &str = include_str!("../../testdata/geniusweb/anl2023-domain00/profileA.json");

/// The real domain profiles are read against, read once.
fn domain() -> &'static Domain {
    static DOMAIN: OnceLock<Domain> = OnceLock::new();
    DOMAIN.get_or_init(|| geniusweb::read_domain("domain00.json", DOMAIN00).expect("domain00"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = geniusweb::classify(&text);
    let _ = geniusweb::read_profile("profile.json", &text, domain());
    if geniusweb::read_domain("domain.json", &text).is_ok() {
        let files = vec![
            FolderFile {
                name: "domain.json".to_string(),
                bytes: text.as_bytes().to_vec(),
            },
            FolderFile {
                name: "profileA.json".to_string(),
                bytes: PROFILE_A.as_bytes().to_vec(),
            },
        ];
        if let Ok(folder) = read_domain_folder("fuzz", files) {
            let _ = folder.case(&folder.default_profiles());
        }
    }
});
