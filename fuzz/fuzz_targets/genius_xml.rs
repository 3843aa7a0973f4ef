//! GENIUS XML: the input is read as a domain and as a profile (against two real domains,
//! one discrete, one with integer and real issues); a domain that reads is also loaded as
//! a folder with a real profile, and the folder's case built. Any `Err` is fine; a panic
//! is a finding.
#![no_main]

use std::sync::OnceLock;

use accord_formats::folder::{FolderFile, read_domain_folder};
use accord_formats::genius::{self, Domain};
use libfuzzer_sys::fuzz_target;

const LAPTOP_DOMAIN: &[u8] =
    include_bytes!("../../testdata/genius/anac2011-Laptop/laptop_domain.xml");
const LAPTOP_BUYER: &[u8] =
    include_bytes!("../../testdata/genius/anac2011-Laptop/laptop_buyer_utility.xml");
const TEN_ISSUES_DOMAIN: &[u8] =
    include_bytes!("../../testdata/genius/anac2014-10issues/10issues-domain.xml");

/// The real domains profiles are read against, read once.
fn domains() -> &'static [Domain; 2] {
    static DOMAINS: OnceLock<[Domain; 2]> = OnceLock::new();
    DOMAINS.get_or_init(|| {
        [
            genius::read_domain("laptop_domain.xml", LAPTOP_DOMAIN).expect("laptop domain"),
            genius::read_domain("10issues-domain.xml", TEN_ISSUES_DOMAIN).expect("10issues domain"),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = genius::classify(data);
    for domain in domains() {
        let _ = genius::read_profile("profile.xml", data, domain);
    }
    if genius::read_domain("domain.xml", data).is_ok() {
        let files = vec![
            FolderFile {
                name: "domain.xml".to_string(),
                bytes: data.to_vec(),
            },
            FolderFile {
                name: "laptop_buyer_utility.xml".to_string(),
                bytes: LAPTOP_BUYER.to_vec(),
            },
        ];
        if let Ok(folder) = read_domain_folder("fuzz", files) {
            let _ = folder.case(&folder.default_profiles());
        }
    }
});
