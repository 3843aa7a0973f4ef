//! `accord negotiate`, `accord tournament` and `accord merge` end to end.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `accord ARGS` from the repository root.
fn accord(args: &[&str]) -> Output {
    Command::cargo_bin("accord")
        .unwrap()
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("negotiation-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn negotiate_prints_the_trace_and_the_outcome() {
    let output = accord(&[
        "negotiate",
        "examples/labour-contract.toml",
        "--negotiators",
        "boulware,conceder",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("  Union: boulware\n  Employer: conceder\n"),
        "{text}"
    );
    assert!(
        text.contains("round  party     action   Union  Employer\n"),
        "{text}"
    );
    assert!(text.contains("    1  Union     offer   1.0000"), "{text}");
    assert!(text.contains("agreement after "), "{text}");
    assert!(text.contains("\n  wage     "), "{text}");
    assert!(text.contains("utilities (discounted): Union "), "{text}");
}

#[test]
fn negotiate_json_is_one_object_and_negotiators_cycle() {
    let output = accord(&[
        "negotiate",
        "testdata/genius/anac2010-ItexvsCypress",
        "--negotiators",
        "linear",
        "--rounds",
        "20",
        "--seed",
        "3",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["negotiators"], serde_json::json!(["linear", "linear"]));
    assert_eq!(json["deadline_rounds"], 20);
    let trace = json["trace"].as_array().unwrap();
    assert!(!trace.is_empty());
    assert_eq!(trace[0]["action"], "offer");
    assert_eq!(trace[0]["round"], 1);
    assert_eq!(trace[0]["utilities"].as_array().unwrap().len(), 2);
    assert!(json["rounds"].as_u64().unwrap() <= 20);
    assert_eq!(json["utilities"].as_array().unwrap().len(), 2);
    // The same seed gives the same session.
    let again = accord(&[
        "negotiate",
        "testdata/genius/anac2010-ItexvsCypress",
        "--negotiators",
        "linear",
        "--rounds",
        "20",
        "--seed",
        "3",
        "--json",
    ]);
    assert_eq!(again.stdout, output.stdout);
}

#[test]
fn boa_compositions_negotiate_and_report_how_their_models_learnt() {
    let output = accord(&[
        "negotiate",
        "examples/labour-contract.toml",
        "--negotiators",
        "boa(offering=boulware, acceptance=combi-max-w, model=frequency),BOA(model=perfect)",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let models = json["model_quality"].as_array().unwrap();
    assert_eq!(models.len(), 2);
    let learnt = models[0]["pearson"].as_f64().unwrap();
    assert!((-1.0..=1.0).contains(&learnt), "{json}");
    assert!((models[1]["pearson"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    assert_eq!(models[1]["mean_abs_error"], 0.0);
    // The text names each model holder's figures.
    let text = accord(&[
        "negotiate",
        "examples/labour-contract.toml",
        "--negotiators",
        "boa(model=bayesian), boulware",
    ]);
    let text = stdout(&text);
    assert!(
        text.contains("Union's opponent model: correlation "),
        "{text}"
    );
    assert!(!text.contains("Employer's opponent model"), "{text}");
    // A composition that does not read names its part and parameter.
    let bad = accord(&[
        "negotiate",
        "examples/labour-contract.toml",
        "--negotiators",
        "boa(acceptance=time(t=2))",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        stderr(&bad),
        "error: negotiator `boa(acceptance=time(t=2))`: acceptance `time` parameter `t` = `2` \
         must be in [0, 1]\n"
    );
}

#[test]
fn negotiator_lists_are_one_per_party_at_most_and_shown_as_written() {
    let run = |names: &str| {
        accord(&[
            "negotiate",
            "examples/labour-contract.toml",
            "--negotiators",
            names,
            "--json",
        ])
    };
    let too_many = run("hardheaded,boulware,conceder");
    assert_eq!(too_many.status.code(), Some(2));
    assert!(
        stderr(&too_many).starts_with("error: 3 negotiators for 2 parties"),
        "{}",
        stderr(&too_many)
    );
    let empty = run("boulware, ,conceder");
    assert_eq!(empty.status.code(), Some(2));
    assert!(
        stderr(&empty).contains("an empty name"),
        "{}",
        stderr(&empty)
    );
    let shown = run("HardHeaded, BOA(model=Frequency)");
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let json: serde_json::Value = serde_json::from_str(&stdout(&shown)).unwrap();
    assert_eq!(
        json["negotiators"],
        serde_json::json!(["HardHeaded", "BOA(model=Frequency)"])
    );
}

#[test]
fn an_unknown_negotiator_is_an_error_listing_the_known_ones() {
    let output = accord(&[
        "negotiate",
        "examples/labour-contract.toml",
        "--negotiators",
        "boulware,nobody",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "error: unknown negotiator `nobody`\nhint: the negotiators are boulware, linear, \
         conceder, hardliner, random, tit-for-tat, micro, aspiration, hardheaded, agentk, \
         cuhkagent, atlas3, or a composition \
         boa(offering=..., acceptance=..., model=...)\n"
    );
}

/// A configuration over the labour example and a GENIUS folder, in `dir`.
fn small_config(dir: &Path) -> PathBuf {
    let examples = root().join("examples");
    let genius = root().join("testdata/genius/anac2010-ItexvsCypress");
    let config = dir.join("small.toml");
    std::fs::write(
        &config,
        format!(
            "name = \"small\"\nseed = 9\nrepetitions = 2\nrounds = 40\n\
             negotiators = [\"boulware\", \"random\", \"micro\"]\n\
             [[domains]]\npath = {:?}\n\
             [[domains]]\npath = {:?}\n",
            examples.join("labour-contract.toml").display().to_string(),
            genius.display().to_string(),
        ),
    )
    .unwrap();
    config
}

#[test]
fn model_checkpoints_give_learning_curves_that_shards_merge_to_the_same_bytes() {
    let dir = scratch("learning");
    let genius = root().join("testdata/genius/anac2010-ItexvsCypress");
    let config = dir.join("learning.toml");
    std::fs::write(
        &config,
        format!(
            "name = \"learning\"\nseed = 4\nrepetitions = 2\nrounds = 40\n\
             negotiators = [\"boulware\", \"hardheaded\", \"boa(model=frequency)\"]\n\
             model_checkpoints = [0.25, 0.5]\n\
             [[domains]]\npath = {:?}\n",
            genius.display().to_string(),
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let whole = dir.join("whole");
    let output = accord(&["tournament", config, "-o", whole.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("model-learning.csv"),
        "{}",
        stderr(&output)
    );
    for line in read(&whole.join("results.jsonl")).lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        if record["line_up"] == serde_json::json!(["boulware", "boulware"]) {
            // No model in the session: neither measure is written.
            assert!(record.get("model_quality_over_time").is_none(), "{line}");
            assert!(record.get("model_quality").is_none(), "{line}");
            continue;
        }
        let over_time = record["model_quality_over_time"].as_array().unwrap();
        let times: Vec<f64> = over_time
            .iter()
            .map(|c| c["time"].as_f64().unwrap())
            .collect();
        assert_eq!(times, [0.25, 0.5], "{line}");
        assert_eq!(over_time[0]["model_quality"].as_array().unwrap().len(), 2);
    }
    let learning = read(&whole.join("model-learning.csv"));
    let rows: Vec<&str> = learning.lines().collect();
    assert_eq!(
        rows[0],
        "negotiator,time,seats,mean_model_pearson,mean_model_error,mean_model_frontier_distance"
    );
    // The two negotiators with a model, each at both moments; every seat of theirs is
    // measured (each fills 3 of the 9 line-ups' seats per place: 6 seats, x 2 repetitions).
    assert_eq!(rows.len(), 1 + 2 * 2, "{learning}");
    for (row, (name, time)) in rows[1..].iter().zip([
        ("hardheaded", "0.25"),
        ("hardheaded", "0.5"),
        ("boa(model=frequency)", "0.25"),
        ("boa(model=frequency)", "0.5"),
    ]) {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields[..3], [name, time, "12"], "{row}");
        let error: f64 = fields[4].parse().unwrap();
        assert!((0.0..=1.0).contains(&error), "{row}");
    }
    let shards = dir.join("shards");
    for shard in ["0/2", "1/2"] {
        let output = accord(&[
            "tournament",
            config,
            "-o",
            shards.to_str().unwrap(),
            "--shard",
            shard,
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let merged = dir.join("merged");
    let output = accord(&[
        "merge",
        shards.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(read(&merged.join("model-learning.csv")), learning);

    // Shards of runs that measured at different moments do not merge.
    let other = dir.join("other.toml");
    std::fs::write(
        &other,
        read(Path::new(config)).replace("[0.25, 0.5]", "[0.5]"),
    )
    .unwrap();
    let output = accord(&[
        "tournament",
        other.to_str().unwrap(),
        "-o",
        shards.to_str().unwrap(),
        "--shard",
        "1/2",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = accord(&[
        "merge",
        shards.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("at [0.5] and the end but session 2 (in `")
            && stderr(&output).contains(
                "at [0.25, 0.5] and the end: the files come from runs \
                                          with different `model_checkpoints`"
            ),
        "{}",
        stderr(&output)
    );

    // A run without checkpoints into the same folder leaves no learning curve behind.
    let plain = dir.join("plain.toml");
    std::fs::write(
        &plain,
        read(Path::new(config)).replace("model_checkpoints = [0.25, 0.5]\n", ""),
    )
    .unwrap();
    let output = accord(&[
        "tournament",
        plain.to_str().unwrap(),
        "-o",
        whole.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!whole.join("model-learning.csv").exists());

    // Checkpoints with nothing to measure are said to be so.
    let idle = dir.join("idle.toml");
    std::fs::write(
        &idle,
        read(Path::new(config)).replace(
            "[\"boulware\", \"hardheaded\", \"boa(model=frequency)\"]",
            "[\"boulware\", \"agentk\"]",
        ),
    )
    .unwrap();
    let output = accord(&[
        "tournament",
        idle.to_str().unwrap(),
        "-o",
        whole.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "idle.toml: `model_checkpoints` are set but no negotiator keeps an opponent model"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_tournament_writes_one_line_per_session_and_shards_merge_to_the_same_bytes() {
    let dir = scratch("tournament");
    let config = small_config(&dir);
    let config = config.to_str().unwrap();
    let whole = dir.join("whole");
    let output = accord(&["tournament", config, "-o", whole.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let table = stdout(&output);
    assert!(
        table.starts_with(
            "negotiator  rank  sessions  agreement  mean utility     ±95%  to frontier"
        ),
        "{table}"
    );
    assert_eq!(table.lines().count(), 4, "{table}");
    // 2 bilateral domains x 3^2 line-ups x 2 repetitions.
    let jsonl = read(&whole.join("results.jsonl"));
    assert_eq!(jsonl.lines().count(), 36);
    let csv = read(&whole.join("results.csv"));
    assert_eq!(csv.lines().count(), 37);
    assert!(csv.starts_with(
        "index,domain,line_up,repetition,seed,agreement,utilities,rounds,time,welfare,\
         distance_to_frontier,distance_to_nash,model_pearson,model_error,model_frontier_distance\n"
    ));
    for (k, line) in jsonl.lines().enumerate() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["index"], k as u64);
    }
    // The summary is written beside the results: the table as printed, and as CSV.
    assert_eq!(read(&whole.join("summary.txt")), table);
    let summary = read(&whole.join("summary.csv"));
    let rows: Vec<&str> = summary.lines().collect();
    assert_eq!(
        rows[0],
        "negotiator,rank,sessions,agreement_rate,mean_utility,utility_ci95,\
         mean_distance_to_frontier,mean_distance_to_nash,mean_welfare,welfare_ci95,\
         mean_model_pearson,mean_model_error,mean_model_frontier_distance"
    );
    assert_eq!(rows.len(), 4, "{summary}");
    for (row, line) in rows[1..].iter().zip(table.lines().skip(1)) {
        let fields: Vec<&str> = row.split(',').collect();
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.len(), 13, "{row}");
        // Negotiator, rank and sessions as in the table; the rate as a share, not a
        // percentage.
        assert_eq!(fields[..3], cells[..3], "{row} | {line}");
        let rate: f64 = fields[3].parse().unwrap();
        assert_eq!(format!("{:.1}%", rate * 100.0), cells[3], "{row} | {line}");
        let utility: f64 = fields[4].parse().unwrap();
        assert_eq!(format!("{utility:.4}"), cells[4], "{row} | {line}");
        // Two repetitions: an interval for the mean utility and the welfare.
        let half: f64 = fields[5].parse().unwrap();
        assert_eq!(format!("{half:.4}"), cells[5], "{row} | {line}");
        assert!(!fields[9].is_empty(), "{row}");
    }
    // The ranks are the places by mean utility.
    let mut by_utility: Vec<(f64, usize)> = rows[1..]
        .iter()
        .map(|row| {
            let fields: Vec<&str> = row.split(',').collect();
            (fields[4].parse().unwrap(), fields[1].parse().unwrap())
        })
        .collect();
    by_utility.sort_by(|a, b| b.0.total_cmp(&a.0));
    assert_eq!(by_utility[0].1, 1, "{summary}");
    assert!(by_utility.windows(2).all(|w| w[0].1 <= w[1].1), "{summary}");
    // And per domain: each domain's rows, with the same columns after the domain.
    let domains = read(&whole.join("summary-domains.csv"));
    let lines: Vec<&str> = domains.lines().collect();
    assert_eq!(lines[0], format!("domain,{}", rows[0]));
    assert_eq!(lines.len(), 1 + 2 * 3, "{domains}");
    // No checkpoints, no learning curves.
    assert!(!whole.join("model-learning.csv").exists());
    assert!(
        stderr(&output).contains("summary.txt") && stderr(&output).contains("summary.csv"),
        "{}",
        stderr(&output)
    );

    let shards = dir.join("shards");
    for shard in ["0/2", "1/2"] {
        let output = accord(&[
            "tournament",
            config,
            "-o",
            shards.to_str().unwrap(),
            "--shard",
            shard,
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    assert_eq!(
        read(&shards.join("results-0-of-2.jsonl")).lines().count(),
        18
    );
    assert_eq!(read(&shards.join("results-1-of-2.csv")).lines().count(), 19);
    // A shard's summary covers part of the tournament: it is printed, not written.
    for name in ["summary.txt", "summary.csv"] {
        assert!(!shards.join(name).exists(), "{name}");
    }
    let merged = dir.join("merged");
    let output = accord(&[
        "merge",
        shards.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(read(&merged.join("results.jsonl")), jsonl);
    assert_eq!(read(&merged.join("results.csv")), csv);
    assert_eq!(stdout(&output), table);
    // The merged summary files are byte for byte those of the run in one piece.
    assert_eq!(read(&merged.join("summary.txt")), table);
    assert_eq!(read(&merged.join("summary.csv")), summary);

    // A shard given twice, or left out, is named.
    let first = shards.join("results-0-of-2.jsonl");
    let first = first.to_str().unwrap();
    let output = accord(&["merge", first, first, "-o", merged.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("session 0 is also in `"),
        "{}",
        stderr(&output)
    );
    let output = accord(&["merge", first, "-o", merged.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: shard `results-1-of-2.jsonl` is missing\n"
    );
}

#[test]
fn a_bad_configuration_names_the_file_line_and_field() {
    let dir = scratch("bad-config");
    // Runs `accord tournament bad.toml` on this text, in the scratch folder.
    let run = |text: &str| {
        std::fs::write(dir.join("bad.toml"), text).unwrap();
        let output = Command::cargo_bin("accord")
            .unwrap()
            .current_dir(&dir)
            .args(["tournament", "bad.toml"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        stderr(&output)
    };
    assert_eq!(
        run(
            "name = \"bad\"\nrounds = 100\nnegotiators = [\"boulware\", \"nobody\"]\n\
             [[domains]]\npath = \"x.toml\"\n"
        ),
        "error: bad.toml:3:28: negotiators[1]: unknown negotiator `nobody`\n\
         hint: the negotiators are boulware, linear, conceder, hardliner, random, \
         tit-for-tat, micro, aspiration, hardheaded, agentk, cuhkagent, atlas3, or a \
         composition \
         boa(offering=..., acceptance=..., model=...)\n"
    );
    let seconds = run(
        "name = \"bad\"\nseconds = 10\nnegotiators = [\"boulware\"]\n[[domains]]\npath = \"x\"\n",
    );
    assert!(
        seconds.starts_with("error: bad.toml:2:11: seconds: a tournament's deadline"),
        "{seconds}"
    );
    // A domain that cannot be loaded is named by its entry.
    let domain =
        run("name = \"bad\"\nnegotiators = [\"boulware\"]\n[[domains]]\npath = \"nowhere.toml\"\n");
    assert!(
        domain.starts_with("error: bad.toml:4:8: domains[0].path: "),
        "{domain}"
    );
    // A party the domain lacks is named by its place in the entry's `parties`, at its
    // line, for a case file and for a folder alike.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let party = run(&format!(
        "name = \"bad\"\nnegotiators = [\"boulware\"]\n[[domains]]\n\
         path = \"{root}/examples/labour-contract.toml\"\nparties = [\"union\",\n  \"nobody\"]\n"
    ));
    assert!(
        party.starts_with("error: bad.toml:6:3: domains[0].parties[1]: `")
            && party.contains("no party `nobody`"),
        "{party}"
    );
    let profile = run(&format!(
        "name = \"bad\"\nnegotiators = [\"boulware\"]\n[[domains]]\n\
         path = \"{root}/testdata/genius/anac2011-Car\"\n\
         parties = [\"adg_deal.xml\", \"ghost.xml\"]\n"
    ));
    assert!(
        profile.starts_with("error: bad.toml:5:28: domains[0].parties[1]: `")
            && profile.contains("no profile `ghost.xml`"),
        "{profile}"
    );
    let alone = run(&format!(
        "name = \"bad\"\nnegotiators = [\"boulware\"]\n[[domains]]\n\
         path = \"{root}/examples/labour-contract.toml\"\nparties = [\"union\"]\n"
    ));
    assert!(
        alone.starts_with("error: bad.toml:5:12: domains[0].parties: `")
            && alone.contains("this domain gives 1"),
        "{alone}"
    );
    let checkpoints: Vec<String> = (1..=101)
        .map(|k| format!("{}", f64::from(k) / 102.0))
        .collect();
    let many = run(&format!(
        "name = \"bad\"\nnegotiators = [\"boulware\"]\nmodel_checkpoints = [{}]\n\
         [[domains]]\npath = \"{root}/examples/labour-contract.toml\"\n",
        checkpoints.join(", ")
    ));
    assert!(
        many.starts_with("error: bad.toml:3:")
            && many.contains("model_checkpoints[100]: 101 model checkpoints: at most 100"),
        "{many}"
    );
}

#[test]
fn the_example_tournament_runs() {
    let dir = scratch("example");
    let output = accord(&[
        "tournament",
        "examples/tournament.toml",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // 3 bilateral domains x 4^2 line-ups x 2 repetitions.
    assert_eq!(read(&dir.join("results.jsonl")).lines().count(), 96);
    assert_eq!(stdout(&output).lines().count(), 5);
}

#[test]
fn mediate_moves_the_draft_without_making_a_hill_climber_worse_off() {
    let mediate = |extra: &[&str]| {
        let mut args = vec![
            "mediate",
            "examples/labour-contract.toml",
            "--draft",
            "crates/accord-cli/tests/data/labour-draft.toml",
            "--seed",
            "3",
        ];
        args.extend_from_slice(extra);
        accord(&args)
    };
    let out = mediate(&["--steps", "300"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Hill-climbers under the veto rule: no party ends below where the draft left it.
    let mut parties = 0;
    for line in text
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains(" -> "))
    {
        let numbers: Vec<f64> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        assert_eq!(numbers.len(), 2, "{line}");
        assert!(numbers[1] >= numbers[0] - 1e-12, "{line}");
        parties += 1;
    }
    assert_eq!(parties, 2, "{text}");
    for point in ["wage", "hours", "remote", "pension", "length"] {
        assert!(text.contains(point), "{point}: {text}");
    }
    // The draft crosses a red line of each party, and each repair costs the other party:
    // hill-climbers veto every repair, annealers (seeded) accept some losses and reach a
    // text both can accept.
    assert!(text.contains("the final text is not acceptable"), "{text}");
    let annealed = stdout(&mediate(&["--steps", "1000", "--voters", "annealer"]));
    // An acceptable outcome is one line.
    assert!(
        annealed.ends_with("\n\nthe final text is acceptable to every party\n"),
        "{annealed}"
    );
    // Without a draft there is nothing to start from: a clear error.
    let none = accord(&["mediate", "examples/labour-contract.toml"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("has no draft"));
}

#[test]
fn mediate_names_who_rejects_the_final_text_and_why() {
    // Ukraine's floor on the army cap and Russia's ceiling leave no room, so the text stays
    // across Ukraine's red line, and across the European partners' on NATO enlargement:
    // each refusing party is named, with its utility against its reservation value and its
    // red lines crossed, in the words of `accord analyze`.
    let output = accord(&["mediate", "examples/peace-framework.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let verdict = text
        .split_once("\nthe final text is ")
        .map_or("", |(_, verdict)| verdict);
    assert!(
        verdict.starts_with("not acceptable to Ukraine, European partners:\n"),
        "{text}"
    );
    assert!(
        verdict.contains("\n  Ukraine: utility 0.5661, not below its reservation value 0.45\n    "),
        "{text}"
    );
    let analysis = stdout(&accord(&["analyze", "examples/peace-framework.toml"]));
    for party in ["Ukraine", "European partners"] {
        let crossed = analysis
            .lines()
            .find_map(|l| l.strip_prefix(&format!("  {party} rejects it: ")))
            .unwrap_or_else(|| panic!("{party}: {analysis}"));
        assert!(
            verdict.contains(&format!("\n    {crossed}\n")),
            "{crossed}: {text}"
        );
    }
    assert!(
        !verdict.contains("Russia") && !verdict.contains("United States"),
        "{text}"
    );
    insta::assert_snapshot!(format!(
        "exit: {}\n--- stdout\n{text}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        stderr(&output)
    ));

    // A text that crosses no red line but leaves a party below its reservation value.
    let low = stdout(&accord(&[
        "mediate",
        "examples/labour-contract.toml",
        "--draft",
        "crates/accord-cli/tests/data/labour-draft-low.toml",
        "--steps",
        "0",
    ]));
    assert!(
        low.ends_with(
            "\nthe final text is not acceptable to Union:\n  \
             Union: utility 0.2500, below its reservation value 0.45\n"
        ),
        "{low}"
    );
}

#[test]
fn a_real_range_wider_than_the_largest_float_is_negotiated_without_fault() {
    let dir = scratch("widest-real");
    let case = dir.join("widest.toml");
    std::fs::write(
        &case,
        "name = \"t\"\n\
         [[points]]\nid = \"a\"\noptions = [\"x\", \"y\"]\n\
         [[points]]\nid = \"r\"\nrange = { min = -1e308, max = 1e308, real = true }\n\
         [[parties]]\nid = \"p\"\n[parties.position]\nweights = { a = 1, r = 1 }\n\
         [parties.position.ratings]\na = { x = 0, y = 1 }\nr = [[0, 0], [10, 1]]\n\
         [[parties]]\nid = \"q\"\n[parties.position]\nweights = { a = 1, r = 1 }\n\
         [parties.position.ratings]\na = { x = 1, y = 0 }\nr = [[0, 1], [10, 0]]\n",
    )
    .unwrap();
    // Every negotiator draws values of the range: random packages, opponent models.
    for negotiator in [
        "random",
        "boulware",
        "tit-for-tat",
        "micro",
        "agentk",
        "cuhkagent",
        "atlas3",
        "boa(model=bayesian)",
    ] {
        let output = accord(&[
            "negotiate",
            case.to_str().unwrap(),
            "--negotiators",
            negotiator,
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{negotiator}: {}",
            stderr(&output)
        );
        assert!(
            !stdout(&output).contains("NaN"),
            "{negotiator}: {}",
            stdout(&output)
        );
    }
}
