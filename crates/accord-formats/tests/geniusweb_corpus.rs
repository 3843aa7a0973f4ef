//! Every ANL folder of `testdata/geniusweb/` loads, and the utilities of its profiles agree
//! with ANL's `specials.json` (within 1e-9) and with `testdata/reference/` (within 1e-12).

use std::fs;
use std::path::Path;

use accord_core::{Choice, Package};
use accord_formats::geniusweb::{Domain, FileKind, Profile, classify, read_domain, read_profile};
use serde_json::Value;

mod common;
use common::{Row, index_rows, read_text, testdata};

const SPECIALS_TOLERANCE: f64 = 1e-9;
const REFERENCE_TOLERANCE: f64 = 1e-12;

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read_text(path))
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A bid `{issue: value}` as a package of the domain, or why it is not one.
fn package(domain: &Domain, bid: &Value) -> Result<Package, String> {
    let bid = bid.as_object().ok_or("the bid is not an object")?;
    if bid.len() != domain.points.len() {
        return Err(format!("the bid has {} issues", bid.len()));
    }
    let choices = domain.points.iter().map(|point| {
        let value = bid.get(&point.id).and_then(Value::as_str);
        let option = value.and_then(|value| point.option_idx(value));
        option
            .map(Choice::Option)
            .ok_or(format!("no value for issue `{}`", point.id))
    });
    choices.collect::<Result<_, _>>().map(Package)
}

/// Compares the utilities of a bid with the expected ones; counts the comparison.
fn compare(
    what: &str,
    domain: &Domain,
    profiles: &[Profile],
    entry: &Value,
    keys: (&str, &str),
    tolerance: f64,
    failures: &mut Vec<String>,
) -> usize {
    let (bid_key, utility_key) = keys;
    let package = match package(domain, &entry[bid_key]) {
        Ok(package) => package,
        Err(error) => {
            failures.push(format!("{what}: {error}"));
            return 0;
        }
    };
    let expected: Vec<f64> = entry[utility_key]
        .as_array()
        .map(|utilities| utilities.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    let got: Vec<f64> = profiles
        .iter()
        .map(|profile| profile.position.utility(&package))
        .collect();
    let agree = expected.len() == got.len()
        && expected
            .iter()
            .zip(&got)
            .all(|(e, g)| (e - g).abs() <= tolerance);
    if !agree {
        failures.push(format!("{what}: expected {expected:?}, got {got:?}"));
    }
    1
}

/// Every `.json` file of the folder is classified by its keys: the domain, the profiles,
/// and the rest (`specials.json`).
fn check_classification(dir: &Path, row: &Row, failures: &mut Vec<String>) {
    let profile_files: Vec<&str> = row["profile_files"].split(',').collect();
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| Path::new(name).extension().is_some_and(|ext| ext == "json"))
        .collect();
    names.sort();
    for name in &names {
        let expected = if *name == row["domain_file"] {
            FileKind::Domain
        } else if profile_files.contains(&name.as_str()) {
            FileKind::Profile
        } else {
            FileKind::Other
        };
        let got = classify(&read_text(&dir.join(name)));
        if got != expected {
            failures.push(format!(
                "{}/{name}: classified {got:?}, not {expected:?}",
                row["folder"]
            ));
        }
    }
}

/// Compares every bid of ANL's `specials.json`; returns how many.
fn check_specials(
    dir: &Path,
    folder: &str,
    domain: &Domain,
    profiles: &[Profile],
    failures: &mut Vec<String>,
) -> usize {
    let specials = read_json(&dir.join("specials.json"));
    let mut entries: Vec<(String, &Value)> = ["nash", "kalai", "social_welfare"]
        .into_iter()
        .map(|key| (key.to_string(), &specials[key]))
        .collect();
    if let Some(front) = specials["pareto_front"].as_array() {
        let front = front.iter().enumerate();
        entries.extend(front.map(|(k, entry)| (format!("pareto_front[{k}]"), entry)));
    } else {
        failures.push(format!("{folder}/specials.json: no `pareto_front`"));
    }
    let keys = ("bid", "utility");
    entries
        .into_iter()
        .map(|(name, entry)| {
            let what = format!("{folder}/specials.json {name}");
            compare(
                &what,
                domain,
                profiles,
                entry,
                keys,
                SPECIALS_TOLERANCE,
                failures,
            )
        })
        .sum()
}

/// Compares the frontier and bargaining points of `testdata/reference/<folder>.json`;
/// returns how many packages.
fn check_reference(
    folder: &str,
    domain: &Domain,
    profiles: &[Profile],
    n_packages: u64,
    failures: &mut Vec<String>,
) -> usize {
    let reference = read_json(&testdata().join("reference").join(format!("{folder}.json")));
    let parties: Vec<&str> = reference["profiles"]
        .as_array()
        .map(|parties| parties.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let sources: Vec<&str> = profiles.iter().map(|p| p.source.as_str()).collect();
    if parties != sources {
        failures.push(format!(
            "{folder}: reference parties {parties:?}, not {sources:?}"
        ));
    }
    if reference["n_packages"].as_u64() != Some(n_packages) {
        failures.push(format!("{folder}: reference n_packages differs"));
    }
    let mut entries: Vec<(String, &Value)> = Vec::new();
    if let Some(frontier) = reference["frontier"].as_array() {
        let frontier = frontier.iter().enumerate();
        entries.extend(frontier.map(|(k, entry)| (format!("frontier[{k}]"), entry)));
    }
    for key in ["nash", "kalai_smorodinsky", "egalitarian", "utilitarian"] {
        if !reference[key].is_null() {
            entries.push((key.to_string(), &reference[key]));
        }
    }
    let keys = ("package", "utilities");
    entries
        .into_iter()
        .map(|(name, entry)| {
            let what = format!("reference/{folder}.json {name}");
            compare(
                &what,
                domain,
                profiles,
                entry,
                keys,
                REFERENCE_TOLERANCE,
                failures,
            )
        })
        .sum()
}

#[test]
fn every_anl_folder_loads_and_matches_its_reference_answers() {
    let rows = index_rows("geniusweb");
    let mut failures = Vec::new();
    let (mut n_specials, mut n_reference) = (0, 0);
    for row in &rows {
        let folder = &row["folder"];
        let dir = testdata().join("geniusweb").join(folder);
        check_classification(&dir, row, &mut failures);

        let domain_file = &row["domain_file"];
        let domain = read_domain(domain_file, &read_text(&dir.join(domain_file)))
            .unwrap_or_else(|error| panic!("{folder}: {error}"));
        let profiles: Vec<Profile> = row["profile_files"]
            .split(',')
            .map(|file| {
                read_profile(file, &read_text(&dir.join(file)), &domain)
                    .unwrap_or_else(|error| panic!("{folder}: {error}"))
            })
            .collect();
        for profile in &profiles {
            if !profile.warnings.is_empty() || profile.position.reservation_value != 0.0 {
                failures.push(format!(
                    "{folder}/{}: warnings {:?}, reservation value {}",
                    profile.source, profile.warnings, profile.position.reservation_value
                ));
            }
        }
        let n_packages: u64 = domain
            .points
            .iter()
            .map(|point| point.options().len() as u64)
            .product();
        if n_packages.to_string() != row["n_outcomes"] {
            failures.push(format!(
                "{folder}: {n_packages} packages, INDEX.tsv says {}",
                row["n_outcomes"]
            ));
        }
        n_specials += check_specials(&dir, folder, &domain, &profiles, &mut failures);
        n_reference += check_reference(folder, &domain, &profiles, n_packages, &mut failures);
    }
    println!(
        "{} folders, {n_specials} specials.json bids, {n_reference} reference packages",
        rows.len()
    );
    assert_eq!(rows.len(), 50, "INDEX.tsv should list 50 folders");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// JSON pointers to every node below the root.
fn pointers(value: &Value, prefix: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        let pointer = format!("{prefix}/{key}");
        out.push(pointer.clone());
        pointers(child, &pointer, out);
    }
}

#[test]
fn a_wrong_type_anywhere_gives_problems_with_paths_not_a_panic() {
    let dir = testdata().join("geniusweb/anl2023-domain00");
    let domain_text = read_text(&dir.join("domain00.json"));
    let domain = read_domain("domain00.json", &domain_text).unwrap();
    let replacements = [
        Value::Null,
        Value::from("x"),
        Value::from(1.5),
        Value::Array(vec![]),
        serde_json::json!({}),
    ];
    let mut n_inputs = 0;
    for file in ["domain00.json", "profileA.json"] {
        let original = read_json(&dir.join(file));
        let mut all = Vec::new();
        pointers(&original, "", &mut all);
        for pointer in &all {
            for replacement in &replacements {
                let mut value = original.clone();
                *value.pointer_mut(pointer).unwrap() = replacement.clone();
                let text = value.to_string();
                let result = if file == "domain00.json" {
                    read_domain(file, &text).map(|_| ())
                } else {
                    read_profile(file, &text, &domain).map(|_| ())
                };
                if let Err(error) = result {
                    for problem in &error.problems {
                        assert!(problem.field.starts_with('$'), "{pointer}: {problem}");
                        assert!(!problem.message.is_empty(), "{pointer}: {problem}");
                    }
                }
                n_inputs += 1;
            }
        }
    }
    println!("{n_inputs} altered inputs");
}
