//! Case files in JSON: the input goes through the UTF-8 check the CLI applies, then is read as
//! a case (written back out when it reads) and as a package of the labour-contract example.
//! Any `Err` is fine; a panic is a finding.
#![no_main]

use std::sync::OnceLock;

use accord_core::Case;
use accord_formats::case_file::{CaseFormat, read_case, read_package, utf8_text, write_case};
use libfuzzer_sys::fuzz_target;

const LABOUR: &str = include_str!("../../examples/labour-contract.toml");

/// The case packages are read against, read once.
fn labour() -> &'static Case {
    static LABOUR_CASE: OnceLock<Case> = OnceLock::new();
    LABOUR_CASE.get_or_init(|| {
        read_case("labour-contract.toml", LABOUR, CaseFormat::Toml).expect("labour contract")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = utf8_text("case.json", data.to_vec()) else {
        return;
    };
    if let Ok(case) = read_case("case.json", &text, CaseFormat::Json) {
        let _ = write_case(&case, CaseFormat::Json);
        let _ = read_package("package.json", "{}", CaseFormat::Json, &case);
    }
    let _ = read_package("package.json", &text, CaseFormat::Json, labour());
});
