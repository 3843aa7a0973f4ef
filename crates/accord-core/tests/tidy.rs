//! accord-core stays pure: no I/O, async runtime, database, clock or global random
//! generator. This test reads the crate's manifest and sources and names the offending line.

use std::path::{Path, PathBuf};

/// Dependencies that would bring I/O, async, a database, a wire format or global state.
const FORBIDDEN_DEPENDENCIES: &[&str] = &[
    "tokio",
    "async-std",
    "smol",
    "futures",
    "sqlx",
    "rusqlite",
    "postgres",
    "diesel",
    "axum",
    "hyper",
    "reqwest",
    "serde_json",
    "toml",
    "chrono",
    "time",
    "fs-err",
    "tempfile",
];

/// Source patterns that reach the outside world or hidden state.
const FORBIDDEN_SOURCE: &[(&str, &str)] = &[
    ("std::fs", "file I/O"),
    ("std::net", "network I/O"),
    ("std::io::stdin", "console I/O"),
    ("std::env", "environment access"),
    ("std::process", "process control"),
    ("SystemTime", "a clock"),
    ("Instant::now", "a clock"),
    ("thread_rng", "a global random generator"),
    ("rand::rng()", "a global random generator"),
    ("rand::random", "a global random generator"),
    ("println!", "console output"),
    ("eprintln!", "console output"),
    ("async fn", "async code"),
];

fn check_manifest(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut in_dependencies = false;
    for (k, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            // dev-dependencies may do I/O (tests read files); normal dependencies may not.
            in_dependencies = trimmed == "[dependencies]" || trimmed.starts_with("[dependencies.");
            continue;
        }
        if !in_dependencies {
            continue;
        }
        let name = trimmed.split(['=', ' ', '.']).next().unwrap_or("");
        if FORBIDDEN_DEPENDENCIES.contains(&name) {
            problems.push(format!(
                "Cargo.toml:{}: dependency `{name}` is not allowed in accord-core",
                k + 1
            ));
        }
    }
    problems
}

fn check_source(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (k, line) in text.lines().enumerate() {
        // Unit tests at the end of a file may read files; stop at them.
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        for (pattern, what) in FORBIDDEN_SOURCE {
            if code.contains(pattern) {
                problems.push(format!(
                    "{name}:{}: `{pattern}` ({what}) is not allowed in accord-core",
                    k + 1
                ));
            }
        }
    }
    problems
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn core_has_no_io_async_database_clock_or_global_rng() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let mut problems = check_manifest(&manifest);
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    files.sort();
    assert!(files.len() >= 3, "found the sources: {files:?}");
    for file in files {
        let name = file.strip_prefix(root).unwrap().display().to_string();
        problems.extend(check_source(
            &name,
            &std::fs::read_to_string(&file).unwrap(),
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn tidy_check_catches_what_it_should() {
    let manifest = "[package]\nname = \"x\"\n[dependencies]\ntokio = \"1\"\nrayon = \"1\"\n\
                    [dev-dependencies]\nserde_json = \"1\"\n";
    assert_eq!(
        check_manifest(manifest),
        ["Cargo.toml:4: dependency `tokio` is not allowed in accord-core"]
    );
    let source = "use std::fs;\nfn f() { let t = Instant::now(); }\n\
                  // std::net in a comment is fine\n#[cfg(test)]\nmod tests { use std::fs; }\n";
    assert_eq!(
        check_source("src/x.rs", source),
        [
            "src/x.rs:1: `std::fs` (file I/O) is not allowed in accord-core",
            "src/x.rs:2: `Instant::now` (a clock) is not allowed in accord-core",
        ]
    );
}
