//! `accord elicit`: a position fitted to the example answers, its JSON and case file, the
//! suggestions, and bad answers named by line and field.

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

const FIT: [&str; 7] = [
    "elicit",
    "fit",
    "examples/labour-contract.toml",
    "--party",
    "union",
    "--answers",
    "examples/labour-answers.toml",
];

#[test]
fn the_example_answers_fit_a_position() {
    let (code, out, err) = run(&FIT);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn the_fit_as_json_and_as_a_case_file() {
    let (code, out, err) = run(&[&FIT[..], &["--json"]].concat());
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let weights = json["weights"].as_object().unwrap();
    let total: f64 = weights.values().map(|w| w.as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    // The Union's true weights are 10, 6, 4, 5, 3 (of 28): the answers come close.
    for (point, truth) in [
        ("wage", 10.0),
        ("hours", 6.0),
        ("remote", 4.0),
        ("pension", 5.0),
        ("length", 3.0),
    ] {
        let w = weights[point].as_f64().unwrap();
        assert!((w - truth / 28.0).abs() < 0.05, "{point}: {w}");
        let range = json["ranges"][point].as_array().unwrap();
        assert!(range[0].as_f64().unwrap() <= w && w <= range[1].as_f64().unwrap());
    }
    assert_eq!(json["reservation_value"], 0.45);
    assert_eq!(
        json["red_lines"],
        serde_json::json!(["Wage increase must not be “+2%”"])
    );
    assert!(json["tau"].as_f64().unwrap() > 0.8);

    let dir = std::env::temp_dir().join(format!("accord-elicit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fitted = dir.join("fitted.toml");
    let (code, _, err) = run(&[&FIT[..], &["-o", fitted.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["analyze", fitted.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let analysis: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(analysis["status"], "exact");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn suggestions_read_back_as_answers() {
    let (code, out, err) = run(&[
        "elicit",
        "suggest",
        "examples/labour-contract.toml",
        "--party",
        "union",
        "--answers",
        "examples/labour-answers.toml",
        "-n",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("[[packages]]").count(), 4, "{out}");
    // Pasted into the answers file, they read.
    let mut answers = std::fs::read_to_string(root().join("examples/labour-answers.toml")).unwrap();
    answers.push_str(&out);
    let dir = std::env::temp_dir().join(format!("accord-suggest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("answers.toml");
    std::fs::write(&file, answers).unwrap();
    let (code, out, err) = run(&[
        "elicit",
        "fit",
        "examples/labour-contract.toml",
        "--party",
        "union",
        "--answers",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("10. rated 50"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_answers_are_named_by_line_and_field() {
    let (code, _, err) = run(&[
        "elicit",
        "fit",
        "examples/labour-contract.toml",
        "--party",
        "union",
        "--answers",
        "crates/accord-cli/tests/data/labour-answers-bad.toml",
    ]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(err);
    let (code, _, err) = run(&[
        "elicit",
        "fit",
        "examples/labour-contract.toml",
        "--party",
        "employer",
        "--answers",
        "examples/labour-answers.toml",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("holds the answers of `union`, not of `employer`"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "elicit",
        "fit",
        "examples/labour-contract.toml",
        "--party",
        "nobody",
        "--answers",
        "examples/labour-answers.toml",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no party `nobody`"), "{err}");
}
