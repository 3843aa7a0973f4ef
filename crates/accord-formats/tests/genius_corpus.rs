//! Every folder of `testdata/genius/` loads as `INDEX.tsv` describes it, and the utilities
//! of its profiles equal the GENIUS-semantics answers of `testdata/reference/` (within
//! 1e-12), which proves the reader implements GENIUS' rules (genius-xml.md sections 2–6).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use accord_core::{Choice, Package, PointKind};
use accord_formats::genius::{Domain, FileKind, Profile, classify, read_domain, read_profile};
use serde_json::Value;

mod common;
use common::{Row, index_rows, read_bytes, testdata};

const REFERENCE_TOLERANCE: f64 = 1e-12;

/// The folder whose first ten profiles GENIUS cannot evaluate (genius-xml.md section 7).
const BROKEN_FOLDER: &str = "anac2015-group10-building_construction";

fn is_broken_profile(folder: &str, file: &str) -> bool {
    folder == BROKEN_FOLDER
        && (1..=10).any(|k| file == format!("building_construction_util{k}.xml"))
}

/// A folder's domain and its profiles by file name (the loadable ones).
struct Scenario {
    domain: Domain,
    profiles: HashMap<String, Profile>,
}

/// Loads a folder, checking it against its `INDEX.tsv` row; problems go to `failures`.
fn load(row: &Row, failures: &mut Vec<String>) -> Option<Scenario> {
    let folder = &row["folder"];
    let dir = testdata().join("genius").join(folder);
    let profile_files: Vec<&str> = row["profile_files"].split(',').collect();
    check_classification(&dir, folder, &row["domain_file"], &profile_files, failures);

    let domain = match read_domain(
        &row["domain_file"],
        &read_bytes(&dir.join(&row["domain_file"])),
    ) {
        Ok(domain) => domain,
        Err(error) => {
            failures.push(format!("{folder}: the domain does not load:\n{error}"));
            return None;
        }
    };
    check_outcome_count(folder, &domain, &row["n_outcomes"], failures);

    let reservations: Vec<&str> = row["reservations"].split(',').collect();
    let discounts: Vec<&str> = row["discounts"].split(',').collect();
    let mut profiles = HashMap::new();
    for (k, file) in profile_files.iter().enumerate() {
        let result = read_profile(file, &read_bytes(&dir.join(file)), &domain);
        match (result, is_broken_profile(folder, file)) {
            (Ok(profile), false) => {
                check_profile_numbers(folder, &profile, reservations[k], discounts[k], failures);
                profiles.insert((*file).to_string(), profile);
            }
            (Err(error), false) => {
                failures.push(format!("{folder}/{file}: does not load:\n{error}"));
            }
            (Ok(_), true) => {
                failures.push(format!("{folder}/{file}: loads, but GENIUS fails on it"));
            }
            (Err(error), true) => {
                let message = error.to_string();
                if !message
                    .lines()
                    .all(|line| line.starts_with(&format!("{file}:")))
                {
                    failures.push(format!(
                        "{folder}/{file}: the error does not name the file:\n{message}"
                    ));
                }
            }
        }
    }
    Some(Scenario { domain, profiles })
}

/// `classify` agrees with INDEX.tsv on every file of the folder; the rest is `Other`.
fn check_classification(
    dir: &Path,
    folder: &str,
    domain_file: &str,
    profile_files: &[&str],
    failures: &mut Vec<String>,
) {
    let entries = fs::read_dir(dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    let mut seen_pareto = false;
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let expected = if name == domain_file {
            FileKind::Domain
        } else if profile_files.contains(&name.as_str()) {
            FileKind::Profile
        } else {
            FileKind::Other
        };
        seen_pareto |= name == "pareto.xml";
        let got = classify(&read_bytes(&path));
        if got != expected {
            failures.push(format!(
                "{folder}/{name}: classified {got:?}, INDEX says {expected:?}"
            ));
        }
    }
    if folder.starts_with("anac2014") && !seen_pareto {
        failures.push(format!("{folder}: no pareto.xml"));
    }
}

/// The number of packages (product of distinct value counts) equals `n_outcomes`; counts
/// beyond `u128` are compared through logarithms.
fn check_outcome_count(folder: &str, domain: &Domain, expected: &str, failures: &mut Vec<String>) {
    let counts: Vec<u128> = domain
        .points
        .iter()
        .map(|point| match &point.kind {
            PointKind::Options(options) => options.len() as u128,
            PointKind::Integer { min, max } => u128::from(max.abs_diff(*min)) + 1,
            PointKind::Real { .. } => 0,
        })
        .collect();
    let exact = counts.iter().try_fold(1u128, |acc, &n| acc.checked_mul(n));
    let agrees = if let (Some(count), Ok(expected)) = (exact, expected.parse::<u128>()) {
        count == expected
    } else {
        let log: f64 = counts.iter().map(|&n| (n as f64).log10()).sum();
        let expected_log = expected.parse::<f64>().map_or(f64::NAN, f64::log10);
        (log - expected_log).abs() < 1e-9
    };
    if !agrees {
        failures.push(format!(
            "{folder}: {counts:?} values per issue, INDEX says {expected} outcomes"
        ));
    }
}

/// Reservation and discount follow GENIUS' fallbacks from the numbers as written
/// (`-` = absent or not a number): reservation 0, discount 1 also outside `(0, 1]`.
fn check_profile_numbers(
    folder: &str,
    profile: &Profile,
    reservation: &str,
    discount: &str,
    failures: &mut Vec<String>,
) {
    let reservation = reservation.parse::<f64>().unwrap_or(0.0);
    let discount = discount
        .parse::<f64>()
        .ok()
        .filter(|d| *d > 0.0 && *d <= 1.0)
        .unwrap_or(1.0);
    let position = &profile.position;
    if position.reservation_value != reservation || position.discount_factor != discount {
        failures.push(format!(
            "{folder}/{}: reservation {} and discount {}, INDEX says {reservation} and {discount}",
            profile.source, position.reservation_value, position.discount_factor
        ));
    }
}

#[test]
fn every_folder_loads_as_index_describes_it() {
    let rows = index_rows("genius");
    let mut failures = Vec::new();
    let (mut n_profiles, mut n_broken) = (0, 0);
    for row in &rows {
        if let Some(scenario) = load(row, &mut failures) {
            n_profiles += scenario.profiles.len();
            n_broken += row["profile_files"]
                .split(',')
                .filter(|file| is_broken_profile(&row["folder"], file))
                .count();
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(rows.len(), 136, "folders in INDEX.tsv");
    assert_eq!(n_broken, 10, "broken profiles rejected");
    eprintln!(
        "{} folders, {n_profiles} profiles loaded, {n_broken} rejected",
        rows.len()
    );
}

/// A reference package `{issue: value}` as a package of the domain.
fn package(domain: &Domain, object: &Value) -> Result<Package, String> {
    let object = object.as_object().ok_or("the package is not an object")?;
    if object.len() != domain.points.len() {
        return Err(format!("the package has {} issues", object.len()));
    }
    let choices = domain.points.iter().map(|point| {
        let value = object
            .get(&point.id)
            .ok_or_else(|| format!("no value for `{}`", point.id))?;
        let choice = match &point.kind {
            PointKind::Options(_) => value
                .as_str()
                .and_then(|v| point.option_idx(v))
                .map(Choice::Option),
            PointKind::Integer { .. } => value.as_i64().map(Choice::Integer),
            PointKind::Real { .. } => value.as_f64().map(Choice::Real),
        };
        choice
            .filter(|choice| point.admits(choice))
            .ok_or_else(|| format!("`{value}` is not a value of `{}`", point.id))
    });
    choices.collect::<Result<_, _>>().map(Package)
}

/// Compares the utilities of one reference entry; returns whether it was checked.
fn check_entry(
    folder: &str,
    scenario: &Scenario,
    parties: &[&Profile],
    entry: &Value,
    failures: &mut Vec<String>,
) {
    let package = match package(&scenario.domain, &entry["package"]) {
        Ok(package) => package,
        Err(error) => return failures.push(format!("{folder}: {error}")),
    };
    let expected: Vec<f64> = entry["utilities"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    let got: Vec<f64> = parties
        .iter()
        .map(|p| p.position.utility(&package))
        .collect();
    let agrees = expected.len() == got.len()
        && expected
            .iter()
            .zip(&got)
            .all(|(e, g)| (e - g).abs() <= REFERENCE_TOLERANCE);
    if !agrees {
        failures.push(format!(
            "{folder}: {}: {got:?}, reference {expected:?}",
            entry["package"]
        ));
    }
}

#[test]
fn utilities_equal_the_reference_answers() {
    let rows: HashMap<String, Row> = index_rows("genius")
        .into_iter()
        .map(|row| (row["folder"].clone(), row))
        .collect();
    let mut failures = Vec::new();
    let (mut n_files, mut n_entries) = (0, 0);
    let mut files: Vec<PathBuf> = fs::read_dir(testdata().join("reference"))
        .expect("testdata/reference")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let reference: Value = serde_json::from_slice(&read_bytes(&path))
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        if reference["format"] != "genius-xml" {
            continue;
        }
        let folder = reference["domain"]
            .as_str()
            .expect("`domain` names the folder");
        let row = rows
            .get(folder)
            .unwrap_or_else(|| panic!("{folder} is not in INDEX.tsv"));
        let Some(scenario) = load(row, &mut failures) else {
            continue;
        };
        n_files += 1;
        let parties: Vec<&Profile> = reference["profiles"]
            .as_array()
            .expect("`profiles`")
            .iter()
            .filter_map(|name| scenario.profiles.get(name.as_str()?))
            .collect();
        if parties.len() != reference["profiles"].as_array().map_or(0, Vec::len) {
            failures.push(format!("{folder}: a reference party did not load"));
            continue;
        }
        let reservations: Vec<f64> = parties
            .iter()
            .map(|p| p.position.reservation_value)
            .collect();
        let expected: Vec<f64> = reference["reservation_values"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        if reservations != expected {
            failures.push(format!(
                "{folder}: reservation values {reservations:?}, reference {expected:?}"
            ));
        }
        let points = ["nash", "kalai_smorodinsky", "egalitarian", "utilitarian"];
        let entries = reference["frontier"]
            .as_array()
            .expect("`frontier`")
            .iter()
            .chain(
                points
                    .iter()
                    .map(|key| &reference[*key])
                    .filter(|v| !v.is_null()),
            );
        for entry in entries {
            check_entry(folder, &scenario, &parties, entry, &mut failures);
            n_entries += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(n_files, 122, "GENIUS reference files");
    eprintln!("{n_files} reference files, {n_entries} packages checked");
}
