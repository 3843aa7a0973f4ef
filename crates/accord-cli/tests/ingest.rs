//! `accord ingest`: the example report read against the example case, as text and as
//! JSON, a channel matched, and bad input (missing or non-UTF-8 report, bad date, missing
//! case) named in one line with exit 2.

use std::path::PathBuf;

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `accord` from the repository root: exit code, stdout, stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("accord")
        .unwrap()
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const CORPUS_CASE: &str = "crates/accord-ingest/tests/corpus/case.toml";

#[test]
fn the_example_report_reads_as_a_meeting_record() {
    let (code, out, err) = run(&[
        "ingest",
        "examples/report-geneva.txt",
        "--case",
        "examples/peace-framework.toml",
        "--date",
        "2025-11-24",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_report_with_two_meetings_against_the_corpus_case() {
    let (code, out, err) = run(&[
        "ingest",
        "crates/accord-ingest/tests/corpus/19-mediator-log-two-sessions.txt",
        "--case",
        CORPUS_CASE,
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn the_proposal_as_json_with_a_channel() {
    let (code, out, err) = run(&[
        "ingest",
        "examples/report-geneva.txt",
        "--case",
        CORPUS_CASE,
        "--json",
        "--date",
        "2025-11-24",
        "--channel",
        "us-ukraine:US–Ukraine track:ukraine,united-states",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let meeting = &json["meetings"][0];
    assert_eq!(meeting["date"]["date"], "2025-11-23");
    assert_eq!(meeting["place"]["city"], "Geneva");
    assert_eq!(meeting["channel"]["id"], "us-ukraine");
    // Peskov comments from Moscow: the parties named overlap the channel's, not equal them.
    assert_eq!(meeting["channel"]["how"], "overlap");
    let umerov = &meeting["people"][0];
    assert_eq!(umerov["name"], "Rustem Umerov");
    assert_eq!(umerov["party"], "ukraine");
    assert_eq!(umerov["new"], false);
    let peskov = meeting["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Dmitry Peskov")
        .unwrap();
    assert_eq!(peskov["party"], "russia");
    assert_eq!(peskov["new"], true);
    let statements = meeting["statements"].as_array().unwrap();
    assert!(
        statements
            .iter()
            .any(|s| s["speaker_name"] == "Rustem Umerov" && s["kind"] == "quoted")
    );
    // Every cited sentence exists.
    let n = json["sentences"].as_array().unwrap().len() as u64;
    for s in statements {
        assert!(s["source"]["sentence"].as_u64().unwrap() < n);
    }
}

#[test]
fn commentary_proposes_no_meeting() {
    let (code, out, err) = run(&[
        "ingest",
        "crates/accord-ingest/tests/corpus/05-commentary-stalling.txt",
        "--case",
        CORPUS_CASE,
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["meetings"].as_array().unwrap().len(), 0);
    assert!(
        json["note"]
            .as_str()
            .unwrap()
            .starts_with("no meeting found")
    );
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let dir = std::env::temp_dir().join(format!("accord-ingest-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let latin1 = dir.join("latin1.txt");
    std::fs::write(&latin1, b"Gespr\xe4che in Genf").unwrap();
    let latin1 = latin1.display().to_string();
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "ingest",
                "missing-report.txt",
                "--case",
                "examples/peace-framework.toml",
            ],
            "missing-report.txt",
        ),
        (
            &["ingest", &latin1, "--case", "examples/peace-framework.toml"],
            "latin1.txt",
        ),
        (
            &[
                "ingest",
                "examples/report-geneva.txt",
                "--case",
                "examples/peace-framework.toml",
                "--date",
                "2025-13-01",
            ],
            "`2025-13-01` is not a valid date (YYYY-MM-DD)",
        ),
        (
            &[
                "ingest",
                "examples/report-geneva.txt",
                "--case",
                "missing-case.toml",
            ],
            "missing-case.toml",
        ),
    ];
    for (args, named) in cases {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(named), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.is_empty());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
