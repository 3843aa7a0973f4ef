//! Tournament configurations (TOML) and tournament results (JSON lines): the input, as
//! lossy UTF-8 text, goes to both readers. Any `Err` is fine; a panic is a finding.
#![no_main]

use accord_formats::tournament::{read_config, read_config_with, read_jsonl};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = read_config("tournament.toml", &text);
    let _ = read_config_with("tournament.toml", &text, &["python-agent".to_string()]);
    let _ = read_jsonl("results.jsonl", &text);
});
