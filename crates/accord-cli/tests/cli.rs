//! The `accord` binary end to end: exit codes, stdout and stderr, snapshotted.

use std::path::PathBuf;

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `accord` from the repository root and renders exit code, stdout and stderr.
fn run(args: &[&str]) -> String {
    let output = Command::cargo_bin("accord")
        .unwrap()
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `accord analyze --json PATH EXTRA..` from the repository root; it must succeed.
fn analyze_json(path: impl AsRef<std::ffi::OsStr>, extra: &[&str]) -> serde_json::Value {
    let output = Command::cargo_bin("accord")
        .unwrap()
        .current_dir(root())
        .args(["analyze", "--json"])
        .arg(path)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn analyze_reports_a_genius_folder() {
    insta::assert_snapshot!(run(&["analyze", "testdata/genius/anac2010-ItexvsCypress"]));
}

#[test]
fn analyze_reports_the_labour_example() {
    insta::assert_snapshot!(run(&["analyze", "examples/labour-contract.toml"]));
}

#[test]
fn analyze_json_has_the_documented_keys() {
    let json = analyze_json("testdata/genius/anac2016-AgentHp2", &[]);
    for key in [
        "parties",
        "n_packages",
        "reservation_values",
        "feasible",
        "frontier",
        "nash",
        "kalai_smorodinsky",
        "egalitarian",
        "utilitarian",
    ] {
        assert!(json.get(key).is_some(), "missing `{key}`");
    }
    assert_eq!(
        json["parties"],
        serde_json::json!(["consumer.xml", "producer.xml", "provider.xml"])
    );
    assert_eq!(json["n_packages"], 5_764_801);
    assert_eq!(json["frontier_size"], 589);
    assert_eq!(json["frontier_n_packages"], 924_385);
    // Integer points are JSON numbers in packages.
    let package = &json["nash"]["package"];
    assert!(
        package
            .as_object()
            .unwrap()
            .values()
            .any(serde_json::Value::is_i64)
    );
}

#[test]
fn analyze_picks_parties_by_profile_name() {
    insta::assert_snapshot!(
        run(&[
            "analyze",
            "testdata/genius/anac2015-group1-university",
            "--profiles",
            "University_util2.xml,University_util1.xml",
            "--json",
        ])
        .lines()
        .filter(|l| l.contains("\"parties\"") || l.starts_with("exit") || l.contains(".xml\""))
        .take(6)
        .collect::<Vec<_>>()
        .join("\n")
    );
}

#[test]
fn analyze_refuses_a_search_that_needs_more_nodes() {
    // 30 hyper-rectangle issues: 10^30 packages, too many classes of alike ones to
    // enumerate, and the search over the rectangles held to 100 nodes.
    insta::assert_snapshot!(run(&[
        "analyze",
        "testdata/genius/anac2014-30issues",
        "--search-nodes",
        "100"
    ]));
}

#[test]
fn analyze_traces_the_exact_frontier_of_30_hyper_rectangle_issues() {
    // 10^30 packages: the frontier traced by the search, the GENIUS domain's 10 published
    // pairs matched or beaten by its 14 vectors.
    let json = analyze_json("testdata/genius/anac2014-30issues", &[]);
    assert_eq!(json["method"], "search");
    assert_eq!(json["status"], "exact");
    assert_eq!(json["frontier_size"], 14);
    assert!(json["frontier_n_packages"].is_null());
    assert!(json["frontier"][0]["n_packages"].is_null());
    let nash: Vec<f64> = json["nash"]["utilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_f64().unwrap())
        .collect();
    assert!((nash[0] - 0.882_277_943).abs() < 1e-6, "{nash:?}");
    assert!((nash[1] - 0.983_185_427).abs() < 1e-6, "{nash:?}");
    let text = run(&["analyze", "testdata/genius/anac2014-30issues"]);
    assert!(
        text.contains("method: exact, traced one vector at a time by a search"),
        "{text}"
    );
    assert!(
        text.contains(
            "pareto frontier: 14 utility vectors (one package each; packages not counted)"
        ),
        "{text}"
    );
}

#[test]
fn analyze_names_the_red_lines_that_block_every_option_of_a_point() {
    insta::assert_snapshot!(run(&[
        "analyze",
        "crates/accord-cli/tests/data/infeasible.toml"
    ]));
    // The JSON names the minimal relaxations: either red line alone; none when feasible.
    let json = |path: &str| analyze_json(path, &[]);
    let blocked = json("crates/accord-cli/tests/data/infeasible.toml");
    assert_eq!(
        blocked["blockers"],
        serde_json::json!({
            "complete": true,
            "max_size": 3,
            "relaxations": [
                [{"kind": "red-line", "party": "east", "red_line": 0}],
                [{"kind": "red-line", "party": "west", "red_line": 0}],
            ],
        })
    );
    assert!(json("examples/labour-contract.toml")["blockers"].is_null());
}

#[test]
fn check_says_whether_anything_is_feasible() {
    insta::assert_snapshot!(run(&["check", "examples/labour-contract.toml"]));
    insta::assert_snapshot!(run(&[
        "check",
        "crates/accord-cli/tests/data/infeasible.toml"
    ]));
    // Reader fallbacks are reported once, with file, line and field.
    insta::assert_snapshot!(run(&["check", "testdata/genius/anac2013-DogChoosing"]));
}

#[test]
fn bad_input_is_a_named_error_with_exit_2() {
    insta::assert_snapshot!(run(&[
        "check",
        "crates/accord-cli/tests/data/bad-weight.toml"
    ]));
    insta::assert_snapshot!(run(&["analyze", "no/such/case.toml"]));
    insta::assert_snapshot!(run(&["analyze", "testdata/genius/INDEX.tsv"]));
    insta::assert_snapshot!(run(&[
        "analyze",
        "testdata/genius/anac2011-Laptop",
        "--parties",
        "nobody.xml"
    ]));
    insta::assert_snapshot!(run(&[
        "analyze",
        "testdata/genius/anac2015-group10-building_construction"
    ]));
    insta::assert_snapshot!(run(&[
        "analyze",
        "examples/labour-contract.toml",
        "--max-packages",
        "many"
    ]));
}

#[test]
fn generate_refuses_sizes_it_cannot_hold_before_allocating() {
    for (args, expected) in [
        (
            "--points 1000000000 --options 3 --parties 2",
            "error: --points: 1000000000 is more than the 100000 a generated case may have\n",
        ),
        (
            "--points 2 --options 4000000000 --parties 2",
            "error: --options: 4000000000 is more than the 10000 a generated case may have\n",
        ),
        (
            "--points 2 --options 2 --parties 4000000000",
            "error: --parties: 4000000000 is more than the 1000 a generated case may have\n",
        ),
        (
            "--points 2 --options 2 --parties 2 --rectangles 4000000000",
            "error: --rectangles: 4000000000 is more than the 100000 a generated case may have\n",
        ),
        (
            "--points 10000 --options 100 --parties 100",
            "error: --points × --options × --parties: 100000000 is more than the 20000000 a \
             generated case may have\n",
        ),
    ] {
        let args: Vec<&str> = std::iter::once("generate").chain(args.split(' ')).collect();
        assert_eq!(
            run(&args),
            format!("exit: 2\n--- stdout\n--- stderr\n{expected}"),
            "{args:?}"
        );
    }
}

#[test]
fn evaluate_scores_a_draft_for_every_party() {
    insta::assert_snapshot!(run(&[
        "evaluate",
        "examples/labour-contract.toml",
        "--package",
        "crates/accord-cli/tests/data/labour-draft.toml",
    ]));
    insta::assert_snapshot!(run(&[
        "evaluate",
        "examples/labour-contract.toml",
        "--package",
        "crates/accord-cli/tests/data/labour-draft-bad.json",
    ]));
}

#[test]
fn evaluate_accepts_a_package_from_the_analysis_json() {
    // The Nash package of `analyze --json`, written to a file, is acceptable to everyone.
    let json = analyze_json("examples/labour-contract.toml", &[]);
    let dir = std::env::temp_dir().join(format!("accord-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("nash.json");
    std::fs::write(&file, json["nash"]["package"].to_string()).unwrap();
    let evaluated = Command::cargo_bin("accord")
        .unwrap()
        .current_dir(root())
        .args(["evaluate", "examples/labour-contract.toml", "--package"])
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&evaluated.stdout);
    assert_eq!(evaluated.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("acceptable to every party"), "{stdout}");
    let nash_union = json["nash"]["utilities"][0].as_f64().unwrap();
    assert!(
        stdout.contains(&format!("Union: utility {nash_union:.4}")),
        "{stdout}"
    );
}

#[test]
fn the_peace_framework_example_analyses() {
    let json = analyze_json("examples/peace-framework.toml", &[]);
    assert_eq!(json["points"].as_array().unwrap().len(), 28);
    assert_eq!(
        json["parties"],
        serde_json::json!(["ukraine", "russia", "united-states", "european-partners"])
    );
    assert!(json["log10_n_packages"].as_f64().unwrap() > 18.0);
    // Ukraine's army-cap floor (750,000) and Russia's ceiling (700,000) leave no package:
    // either red line alone is a minimal relaxation, and nothing smaller exists.
    assert_eq!(json["any_feasible"], false);
    // That nothing clears the red lines is exact, though the merge thinned its grid.
    assert_eq!(json["status"], "exact");
    assert_eq!(json["error_bound"], 0.0);
    assert_eq!(
        json["blockers"]["relaxations"],
        serde_json::json!([
            [{"kind": "red-line", "party": "ukraine", "red_line": 1}],
            [{"kind": "red-line", "party": "russia", "red_line": 1}],
        ])
    );
    assert_eq!(json["blockers"]["complete"], true);
    // With the first granted: about 10^19 packages and an army-size range of 500,001
    // values, so the frontier of these four parties is thinned, within 0.05; the
    // bargaining packages are proven exact by the search, the range taken as segments.
    let relaxed = &json["relaxed"];
    assert_eq!(relaxed["relaxation"], json["blockers"]["relaxations"][0]);
    assert_eq!(relaxed["status"], "approximate");
    assert_eq!(relaxed["method"], "merge");
    let bound = relaxed["error_bound"].as_f64().unwrap();
    assert!(bound > 0.0 && bound <= 0.05, "{bound}");
    assert!(relaxed["frontier"].as_array().unwrap().len() > 100);
    assert_eq!(relaxed["any_feasible"], true);
    assert_eq!(relaxed["bargaining_status"], "exact");
    assert_eq!(relaxed["bargaining_method"], "search");
    // The Nash package is a real package: an army cap inside the range, and utilities
    // that clear every reservation value.
    let nash = &relaxed["nash"];
    let cap = nash["package"]["army-cap"].as_i64().unwrap();
    assert!((400_000..=700_000).contains(&cap), "{cap}");
    let reservations = json["reservation_values"].as_array().unwrap();
    for (u, r) in nash["utilities"]
        .as_array()
        .unwrap()
        .iter()
        .zip(reservations)
    {
        assert!(u.as_f64().unwrap() >= r.as_f64().unwrap());
    }
    // The draft: Ukraine (army cap 600,000) and the European partners (a binding halt
    // to NATO enlargement) cannot accept it. With the relaxation, trades improve it for
    // everyone, and the Nash package's robustness and fairness are reported.
    let draft = &json["draft"];
    assert_eq!(
        draft["accepts"],
        serde_json::json!({"ukraine": false, "russia": true, "united-states": true, "european-partners": false})
    );
    let improvements = relaxed["trades"]["improvements"].as_array().unwrap();
    assert!(!improvements.is_empty());
    for trade in improvements {
        let gains = trade["gains"].as_array().unwrap();
        assert!(
            gains.iter().all(|g| g.as_f64().unwrap() >= -1e-9),
            "{trade}"
        );
        assert!(gains.iter().any(|g| g.as_f64().unwrap() > 1e-9), "{trade}");
    }
    assert_eq!(
        relaxed["sensitivity"]["parties"].as_object().unwrap().len(),
        4
    );
    assert!(relaxed["fairness"]["nash"]["spread"].as_f64().is_some());
    // The per-point consensus: one entry per point of options (the army-size range is
    // left out), each compromise an option no party's red line blocks.
    let consensus = json["conflicts"].as_array().unwrap();
    assert_eq!(consensus.len(), 27);
    for c in consensus {
        let conflict = c["conflict"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&conflict), "{c}");
        if let Some(option) = c["consensus"].as_str() {
            let stance = c["options"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["option"] == option)
                .unwrap();
            assert_eq!(stance["blocked_by"], serde_json::json!([]), "{c}");
        }
    }
    // ... and `accord evaluate` agrees: on the case as it stands, Ukraine's floor is the
    // only objection to the relaxed Nash package.
    let dir = std::env::temp_dir().join(format!("accord-cli-peace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let package = dir.join("nash.json");
    std::fs::write(&package, nash["package"].to_string()).unwrap();
    let evaluated = Command::cargo_bin("accord")
        .unwrap()
        .current_dir(root())
        .args(["evaluate", "examples/peace-framework.toml", "--package"])
        .arg(&package)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&evaluated.stdout);
    assert_eq!(evaluated.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("not acceptable to: Ukraine\n"), "{stdout}");
}

#[test]
fn report_writes_html_or_markdown_with_its_plots() {
    let dir = std::env::temp_dir().join(format!("accord-cli-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("accord")
            .unwrap()
            .current_dir(root())
            .args(["report", "examples/labour-contract.toml", "--draft"])
            .arg("crates/accord-cli/tests/data/labour-draft.toml")
            .args(args)
            .output()
            .unwrap()
    };
    let html = dir.join("labour.html");
    let out = run(&["-o", html.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<svg").count(), 3);
    assert!(page.contains("Trades that improve the draft"));
    // Markdown: the text and its three plots, named after it.
    let md = dir.join("labour.md");
    let out = run(&["-o", md.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&md).unwrap();
    for plot in [
        "frontier-1-2.svg",
        "heat-map-draft.svg",
        "heat-map-nash.svg",
    ] {
        assert!(text.contains(&format!("(labour-{plot})")), "{plot}");
        let svg = std::fs::read_to_string(dir.join(format!("labour-{plot}"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
    // --format wins over the extension; a draft that does not fit is a named error.
    let out = run(&["--format", "md"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# Labour contract"));
    std::fs::remove_dir_all(&dir).unwrap();
    let bad = Command::cargo_bin("accord")
        .unwrap()
        .current_dir(root())
        .args(["report", "examples/labour-contract.toml", "--draft"])
        .arg("crates/accord-cli/tests/data/labour-draft-bad.json")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.starts_with("error: crates/accord-cli/tests/data/labour-draft-bad.json"),
        "{stderr}"
    );
}

#[test]
fn generate_is_reproducible_and_large_additive_cases_are_merged() {
    let generate = |seed: &str| {
        Command::cargo_bin("accord")
            .unwrap()
            .args([
                "generate",
                "--points",
                "28",
                "--options",
                "5",
                "--parties",
                "2",
                "--red-lines",
                "6",
                "--seed",
                seed,
            ])
            .output()
            .unwrap()
            .stdout
    };
    let first = generate("7");
    assert_eq!(first, generate("7"), "the same seed gives the same file");
    assert_ne!(first, generate("8"));
    let dir = std::env::temp_dir().join(format!("accord-cli-generate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("case.toml");
    std::fs::write(&file, &first).unwrap();
    let json = analyze_json(&file, &[]);
    std::fs::remove_dir_all(&dir).unwrap();
    // 5^28 = 3.7 * 10^19 packages: never enumerated, merged exactly.
    assert_eq!(json["status"], "exact");
    assert_eq!(json["method"], "merge");
    assert!(json["n_packages"].is_null());
    assert!(json["frontier_size"].as_u64().unwrap() > 10);
    assert_eq!(json["any_feasible"], true);
    assert!(json["feasible"].is_null());
    // 6 red lines each forbid one option of a point: 5^28 less those packages.
    let clear = json["n_clear_red_lines"].as_f64().unwrap();
    assert!(clear < 5f64.powi(28) && clear > 0.0);
    assert!(!json["nash"].is_null());
}

#[test]
fn epsilon_asks_for_an_approximate_frontier_with_its_bound() {
    let case = Command::cargo_bin("accord")
        .unwrap()
        .args([
            "generate",
            "--points",
            "12",
            "--options",
            "4",
            "--parties",
            "3",
            "--seed",
            "3",
        ])
        .output()
        .unwrap()
        .stdout;
    let dir = std::env::temp_dir().join(format!("accord-cli-epsilon-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("case.toml");
    std::fs::write(&file, &case).unwrap();
    let analyse = |extra: &[&str]| analyze_json(&file, extra);
    let exact = analyse(&[]);
    let approximate = analyse(&["--epsilon", "0.2"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(exact["status"], "exact");
    assert_eq!(exact["error_bound"], 0.0);
    assert_eq!(approximate["status"], "approximate");
    let bound = approximate["error_bound"].as_f64().unwrap();
    assert!(bound > 0.0 && bound <= 0.2);
    // Fewer vectors, and every exact frontier vector is covered within the bound.
    let vectors = |json: &serde_json::Value| -> Vec<Vec<f64>> {
        json["frontier"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                f["utilities"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u.as_f64().unwrap())
                    .collect()
            })
            .collect()
    };
    let (all, few) = (vectors(&exact), vectors(&approximate));
    assert!(few.len() < all.len(), "{} vs {}", few.len(), all.len());
    for u in &all {
        assert!(
            few.iter()
                .any(|r| r.iter().zip(u).all(|(r, x)| *r >= x - bound))
        );
    }
}

#[test]
fn five_parties_get_a_certified_epsilon_pareto_set() {
    let case = Command::cargo_bin("accord")
        .unwrap()
        .args([
            "generate",
            "--points",
            "18",
            "--options",
            "4",
            "--parties",
            "5",
        ])
        .args(["--red-lines", "4", "--reservation", "0.3", "--seed", "1"])
        .output()
        .unwrap()
        .stdout;
    let dir = std::env::temp_dir().join(format!("accord-cli-cover-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("case.toml");
    std::fs::write(&file, &case).unwrap();
    let chosen = analyze_json(&file, &[]);
    let asked = analyze_json(&file, &["--epsilon", "0.3"]);
    let exact = analyze_json(&file, &["--exact"]);
    let text = Command::cargo_bin("accord")
        .unwrap()
        .args(["analyze", file.to_str().unwrap(), "--epsilon", "0.3"])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let vectors = |json: &serde_json::Value| -> Vec<Vec<f64>> {
        json["frontier"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let u = f["utilities"].as_array().unwrap();
                u.iter().map(|u| u.as_f64().unwrap()).collect()
            })
            .collect()
    };
    for json in [&chosen, &asked] {
        assert_eq!(json["method"], "search");
        assert_eq!(json["status"], "approximate");
        assert_eq!(json["bargaining_status"], "exact");
        assert!(json["frontier_n_packages"].is_null());
        assert!(json["n_clear_red_lines"].as_f64().unwrap() > 0.0);
        let vectors = vectors(json);
        assert!(vectors.len() >= 10, "{}", vectors.len());
        for a in &vectors {
            assert!(!vectors.iter().any(|b| accord_core::dominates(b, a)));
        }
    }
    assert_eq!(asked["error_bound"], 0.3);
    // The default is finer, chosen so that the answer comes in about a second.
    let bound = chosen["error_bound"].as_f64().unwrap();
    assert!(bound > 0.0 && bound < 0.3, "{bound}");
    assert!(chosen["frontier_size"].as_u64() > asked["frontier_size"].as_u64());
    // --exact merges with larger limits: every exact frontier vector is within each
    // set's bound of one of its vectors.
    assert_eq!(exact["status"], "exact");
    let all = vectors(&exact);
    for json in [&chosen, &asked] {
        let bound = json["error_bound"].as_f64().unwrap();
        let set = vectors(json);
        for u in &all {
            assert!(
                set.iter()
                    .any(|r| r.iter().zip(u).all(|(r, x)| *r >= x - bound - 1e-9))
            );
        }
    }
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("a certified ε-Pareto set"), "{text}");
    assert!(text.contains("utility vectors, within 0.3 "), "{text}");
}

#[test]
fn a_bad_epsilon_is_a_usage_error() {
    insta::assert_snapshot!(run(&[
        "analyze",
        "examples/labour-contract.toml",
        "--epsilon",
        "0"
    ]));
}

#[test]
fn merging_gives_the_same_answer_as_enumeration() {
    // 8 points x 5 options = 390,625 packages with red lines, for 2, 3 and 4 parties:
    // merging is the default there, `--count` enumerates (to count feasible packages);
    // frontier, bargaining packages and counts agree.
    let dir = std::env::temp_dir().join(format!("accord-cli-merge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for parties in ["2", "3", "4"] {
        let case = Command::cargo_bin("accord")
            .unwrap()
            .args([
                "generate",
                "--points",
                "8",
                "--options",
                "5",
                "--parties",
                parties,
            ])
            .args(["--red-lines", "4", "--seed", "2"])
            .output()
            .unwrap()
            .stdout;
        let file = dir.join(format!("case-{parties}.toml"));
        std::fs::write(&file, &case).unwrap();
        let analyse = |extra: &[&str]| analyze_json(&file, extra);
        let enumerated = analyse(&["--count"]);
        let merged = analyse(&[]);
        assert!(enumerated["feasible"].is_u64());
        assert!(merged["feasible"].is_null());
        assert_eq!(enumerated["method"], "enumeration");
        assert_eq!(merged["method"], "merge");
        for key in [
            "frontier",
            "frontier_n_packages",
            "n_clear_red_lines",
            "nash",
            "kalai_smorodinsky",
            "egalitarian",
            "utilitarian",
            "ideal_point",
        ] {
            assert_eq!(enumerated[key], merged[key], "{parties} parties: `{key}`");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn exact_insists_on_the_exact_frontier_and_excludes_epsilon() {
    // The peace framework's army-size range (500,001 values) would be thinned on a grid;
    // with --exact no frontier is approximate: found exactly, or refused with the reason.
    let json = analyze_json("examples/peace-framework.toml", &["--exact"]);
    assert_eq!(json["status"], "too-large");
    assert!(json["error_bound"].is_null() || json["error_bound"] == 0.0);
    assert_ne!(json["relaxed"]["status"], "approximate");
    let default = analyze_json("examples/peace-framework.toml", &[]);
    assert_eq!(default["relaxed"]["status"], "approximate");
    let both = run(&[
        "analyze",
        "examples/labour-contract.toml",
        "--exact",
        "--epsilon",
        "0.1",
    ]);
    assert!(both.starts_with("exit: 2"), "{both}");
    assert!(both.contains("cannot be used with"), "{both}");
}

#[test]
fn convert_writes_domain_folders_that_analyse_the_same() {
    let dir = std::env::temp_dir().join(format!("accord-cli-convert-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let convert = |args: &[&str]| {
        Command::cargo_bin("accord")
            .unwrap()
            .current_dir(root())
            .arg("convert")
            .args(args)
            .output()
            .unwrap()
    };
    let same = |a: &serde_json::Value, b: &serde_json::Value| {
        for key in [
            "n_packages",
            "reservation_values",
            "feasible",
            "frontier",
            "nash",
            "kalai_smorodinsky",
            "egalitarian",
            "utilitarian",
        ] {
            assert_eq!(a[key], b[key], "{key}");
        }
    };
    for (source, to, written_parties) in [
        (
            "testdata/genius/anac2010-ItexvsCypress",
            "genius",
            serde_json::json!(["ItexvsCypress_Cypress.xml", "ItexvsCypress_Itex.xml"]),
        ),
        (
            "testdata/geniusweb/anl2023-domain00",
            "genius",
            serde_json::json!(["profileA.xml", "profileB.xml"]),
        ),
        (
            "testdata/geniusweb/anl2023-domain00",
            "geniusweb",
            serde_json::json!(["profileA.json", "profileB.json"]),
        ),
    ] {
        let out_dir = dir.join(format!("{to}-{}", source.rsplit('/').next().unwrap()));
        let out = convert(&[source, "--to", to, "-o", out_dir.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{source} to {to}: {stderr}");
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .starts_with(&format!("wrote {}: domain.", out_dir.display()))
        );
        let before = analyze_json(source, &[]);
        let after = analyze_json(&out_dir, &[]);
        assert_eq!(after["parties"], written_parties, "{source} to {to}");
        same(&before, &after);
    }
    // Red lines: refused, each named, with the way out; --allow-loss writes and says what
    // changed; a folder that is not empty is refused.
    let labour = dir.join("labour");
    let out = convert(&[
        "examples/labour-contract.toml",
        "--to",
        "genius",
        "-o",
        labour.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--allow-loss writes what can be"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "Labour contract: parties[0] `union`.red_lines: GENIUS XML has no red lines (2 here)"
        ),
        "{stderr}"
    );
    assert!(!labour.exists(), "nothing written on a refusal");
    let out = convert(&[
        "examples/labour-contract.toml",
        "--to",
        "genius",
        "-o",
        labour.to_str().unwrap(),
        "--allow-loss",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("note: points[1] `hours`:"), "{stderr}");
    let after = analyze_json(&labour, &[]);
    assert_eq!(after["n_packages"], 864);
    let out = convert(&[
        "examples/labour-contract.toml",
        "--to",
        "genius",
        "-o",
        labour.to_str().unwrap(),
        "--allow-loss",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"));
    let out = convert(&["examples/labour-contract.toml", "--to", "geniusweb"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o DIR"));
    // Back to a case file: the folder's parties, every profile.
    let out = convert(&[labour.to_str().unwrap(), "--to", "toml"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("id = \"1-union.xml\"") && text.contains("id = \"2-employer.xml\""));
    // A case file is not written over its own input.
    let copy = dir.join("labour.toml");
    std::fs::copy(root().join("examples/labour-contract.toml"), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let out = convert(&[
        copy.to_str().unwrap(),
        "--to",
        "toml",
        "-o",
        copy.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is the input itself"));
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_folder_with_more_profiles_than_are_taken_says_so() {
    let out = run(&["check", "testdata/genius/anac2015-group1-university"]);
    assert!(
        out.contains("warning: anac2015-group1-university: 9 profiles; the first 3 by file name are the parties"),
        "{out}"
    );
    let chosen = run(&[
        "check",
        "testdata/genius/anac2015-group1-university",
        "--parties",
        "University_util1.xml,University_util2.xml",
    ]);
    assert!(!chosen.contains("9 profiles"), "{chosen}");
}

/// `accord analyze` runs with the analysis defaults, which the workbench uses too (its
/// own test compares its analysis with them): the same case gives the same document.
#[test]
fn analyze_uses_the_defaults_the_workbench_uses() {
    use accord_core::{InsightOptions, insight};
    use accord_formats::analysis_json::{Source, analysis_to_json};
    use accord_formats::case_file::{CaseFormat, read_case};

    let path = "examples/peace-framework.toml";
    let cli = analyze_json(path, &[]);
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let case = read_case(path, &text, CaseFormat::Toml).unwrap();
    let found = insight(
        &case,
        &case.negotiating_parties(),
        &InsightOptions::default(),
    );
    let source = Source {
        format: "case-file".to_string(),
        path: path.to_string(),
        warnings: Vec::new(),
    };
    assert_eq!(cli, analysis_to_json(&case, &found, &source));
    // And it is labelled: the relaxed frontier is approximate, its Nash package exact.
    assert_eq!(cli["relaxed"]["status"], "approximate");
    assert_eq!(cli["relaxed"]["bargaining_status"], "exact");
}
