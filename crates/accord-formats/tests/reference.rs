//! accord's analysis of every shared ANAC domain against the reference answers in
//! `testdata/reference/` (GENIUS rules; see its README.md), and of every GeniusWeb domain
//! against the answers published with it (`specials.json`) where the definitions coincide.

use std::path::{Path, PathBuf};

use accord_core::{
    AnalysisOptions, BargainingPoint, Case, ExactAnalysis, FrontierMethod, MergeLimit,
    analyze_with, bargaining_points, merged_frontier,
};
use accord_formats::analysis_json::package_to_json;
use accord_formats::export::{ExportOptions, export_folder};
use accord_formats::folder::{DomainFormat, read_domain_folder};
use accord_formats::{ErrorKind, FormatError};
use serde_json::Value;

mod common;
use common::{folder_files, testdata};

const TOLERANCE: f64 = 1e-9;

fn vector(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= TOLERANCE)
}

/// How a folder reaches the analysis.
#[derive(Clone, Copy, PartialEq)]
enum Route {
    /// Read and enumerated.
    Enumerate,
    /// Read, and the frontier merged from per-point frontiers instead of enumerated.
    Merge,
    /// Read, written as a folder of this format, read back, and enumerated.
    Through(DomainFormat),
}

/// Loads a folder with the reference's parties and analyses it, along `route`; a folder
/// the route's format cannot hold gives the writer's error.
fn analyse(
    dir: &Path,
    profiles: &[String],
    route: Route,
) -> Result<(Case, ExactAnalysis, Vec<String>), FormatError> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let folder = read_domain_folder(&name, folder_files(dir)).unwrap();
    let defaults = folder.default_profiles();
    let mut case = folder.case(profiles).unwrap();
    if let Route::Through(format) = route {
        let written = export_folder(
            &case,
            &case.negotiating_parties(),
            format,
            ExportOptions::default(),
        )?;
        let again = read_domain_folder(&name, written.files)
            .unwrap_or_else(|e| panic!("{name} through {format:?}: {e}"));
        assert_eq!(
            again.default_profiles(),
            written.profiles,
            "{name}: the written profiles are the default ones, in party order"
        );
        let read_back = again
            .case(&written.profiles)
            .unwrap_or_else(|e| panic!("{name} through {format:?}: {e}"));
        if format == folder.format {
            // Through its own format, a folder's positions come back bit for bit.
            for (a, b) in read_back.parties().iter().zip(case.parties()) {
                assert_eq!(
                    a.position, b.position,
                    "{name}: `{}` through {format:?}",
                    b.id
                );
            }
        }
        case = read_back;
    }
    let parties = case.negotiating_parties();
    // Enumerated, so that the packages meeting every reservation value are counted.
    let options = AnalysisOptions {
        count_feasible: true,
        ..AnalysisOptions::default()
    };
    let analysis = analyze_with(&case, &parties, &options);
    let mut exact = analysis.result.unwrap();
    if route == Route::Merge {
        let scan = merged_frontier(&case, &parties, MergeLimit::default()).unwrap();
        exact = ExactAnalysis {
            method: FrontierMethod::Merge,
            bargaining: bargaining_points(&scan.frontier, &analysis.reservation_values),
            scan,
        };
    }
    Ok((case, exact, defaults))
}

/// Problems with one bargaining point against the reference's.
fn compare_point(
    name: &str,
    case: &Case,
    ours: Option<&BargainingPoint>,
    reference: &Value,
    problems: &mut Vec<String>,
) {
    match (ours, reference.is_null()) {
        (None, true) => {}
        (Some(p), false) => {
            let ties: Vec<Vec<f64>> = reference["ties"]
                .as_array()
                .unwrap()
                .iter()
                .map(vector)
                .collect();
            if !ties.iter().any(|t| close(t, &p.utilities)) {
                problems.push(format!(
                    "{name}: {:?} is not among the reference's ties {ties:?}",
                    p.utilities
                ));
            }
            let recomputed = case.utilities(&case.negotiating_parties(), &p.package);
            if !close(&recomputed, &p.utilities) {
                problems.push(format!(
                    "{name}: package evaluates to {recomputed:?}, reported {:?}",
                    p.utilities
                ));
            }
        }
        (ours, _) => problems.push(format!("{name}: accord {ours:?}, reference {reference}")),
    }
}

fn compare_frontier(
    case: &Case,
    exact: &ExactAnalysis,
    reference: &[Vec<f64>],
    problems: &mut Vec<String>,
) {
    let ours: Vec<&[f64]> = exact
        .scan
        .frontier
        .iter()
        .map(|f| f.utilities.as_slice())
        .collect();
    for u in &ours {
        if !reference.iter().any(|r| close(r, u)) {
            problems.push(format!("frontier vector {u:?} is not in the reference"));
        }
    }
    for r in reference {
        if !ours.iter().any(|u| close(r, u)) {
            problems.push(format!("reference frontier vector {r:?} is missing"));
        }
    }
    let parties = case.negotiating_parties();
    for f in &exact.scan.frontier {
        if !close(&case.utilities(&parties, &f.package), &f.utilities) {
            problems.push(format!(
                "frontier package {:?} does not evaluate to {:?}",
                package_to_json(case, &f.package),
                f.utilities
            ));
        }
    }
}

/// Every difference between accord's analysis of one folder and its reference answer.
fn check_reference(reference: &Value, route: Route) -> Result<Vec<String>, FormatError> {
    let folder = reference["domain"].as_str().unwrap();
    let sub = if reference["format"] == "genius-xml" {
        "genius"
    } else {
        "geniusweb"
    };
    let profiles: Vec<String> = reference["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let (case, exact, defaults) = analyse(&testdata().join(sub).join(folder), &profiles, route)?;
    let mut problems = Vec::new();
    if defaults != profiles {
        problems.push(format!(
            "default parties {defaults:?}, reference {profiles:?}"
        ));
    }
    if case.n_packages() != Some(u128::from(reference["n_packages"].as_u64().unwrap())) {
        problems.push(format!("n_packages {:?}", case.n_packages()));
    }
    let reservations: Vec<f64> = case
        .negotiating_parties()
        .iter()
        .map(|&p| case.position(p).unwrap().reservation_value)
        .collect();
    if !close(&reservations, &vector(&reference["reservation_values"])) {
        problems.push(format!("reservation values {reservations:?}"));
    }
    if route != Route::Merge
        && exact.scan.n_feasible != reference["n_individually_rational"].as_u64()
    {
        problems.push(format!(
            "feasible {:?} vs n_individually_rational {}",
            exact.scan.n_feasible, reference["n_individually_rational"]
        ));
    }
    let frontier_packages: u64 = exact.scan.frontier.iter().map(|f| f.n_packages).sum();
    if frontier_packages != reference["frontier_n_packages"].as_u64().unwrap() {
        problems.push(format!(
            "frontier packages {frontier_packages} vs {}",
            reference["frontier_n_packages"]
        ));
    }
    let ideal_agrees = match (
        &exact.bargaining.ideal_point,
        reference["ideal_point"].is_null(),
    ) {
        (None, true) => true,
        (Some(ours), false) => close(ours, &vector(&reference["ideal_point"])),
        _ => false,
    };
    if !ideal_agrees {
        problems.push(format!(
            "ideal point {:?} vs {}",
            exact.bargaining.ideal_point, reference["ideal_point"]
        ));
    }
    let frontier: Vec<Vec<f64>> = reference["frontier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| vector(&f["utilities"]))
        .collect();
    compare_frontier(&case, &exact, &frontier, &mut problems);
    let b = &exact.bargaining;
    compare_point(
        "nash",
        &case,
        b.nash.as_ref(),
        &reference["nash"],
        &mut problems,
    );
    compare_point(
        "kalai_smorodinsky",
        &case,
        b.kalai_smorodinsky.as_ref(),
        &reference["kalai_smorodinsky"],
        &mut problems,
    );
    compare_point(
        "egalitarian",
        &case,
        b.egalitarian.as_ref(),
        &reference["egalitarian"],
        &mut problems,
    );
    compare_point(
        "utilitarian",
        &case,
        b.utilitarian.as_ref(),
        &reference["utilitarian"],
        &mut problems,
    );
    Ok(problems)
}

/// Checks every reference answer along `route`: every difference fails the test. Returns
/// the folders the route's format cannot hold, with the writer's error.
fn check_every_reference(route: Route) -> Vec<(String, FormatError)> {
    let reference_dir = testdata().join("reference");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&reference_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut refused = Vec::new();
    let (mut genius, mut geniusweb) = (0, 0);
    for path in &names {
        let reference: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if reference["format"] == "genius-xml" {
            genius += 1;
        } else {
            geniusweb += 1;
        }
        let domain = reference["domain"].as_str().unwrap().to_string();
        match check_reference(&reference, route) {
            Ok(problems) if problems.is_empty() => {}
            Ok(problems) => failures.push(format!("{domain}:\n  {}", problems.join("\n  "))),
            Err(error) => refused.push((domain, error)),
        }
    }
    assert_eq!((genius, geniusweb), (122, 50), "reference files found");
    assert!(
        failures.is_empty(),
        "{} of {} domains differ:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
    refused
}

#[test]
fn every_reference_answer_is_matched_by_enumeration() {
    assert!(check_every_reference(Route::Enumerate).is_empty());
}

#[test]
fn every_reference_answer_is_matched_by_merging_per_point_frontiers() {
    assert!(check_every_reference(Route::Merge).is_empty());
}

#[test]
fn every_domain_written_as_genius_xml_and_read_back_gives_the_reference_answers() {
    // GENIUS XML holds every corpus folder, GENIUS and GeniusWeb alike.
    let refused = check_every_reference(Route::Through(DomainFormat::GeniusXml));
    let refused: Vec<String> = refused.iter().map(|(d, e)| format!("{d}: {e}")).collect();
    assert!(refused.is_empty(), "{}", refused.join("\n"));
}

#[test]
fn every_domain_geniusweb_json_holds_written_and_read_back_gives_the_reference_answers() {
    // GeniusWeb JSON has no discount factor, no clamp at 1 (weights sum to 1), no
    // hyper-rectangles, and a reservation bid instead of a value: GENIUS folders with any of
    // these are refused, each for a reason named; every other folder gives the reference
    // answers after the round trip.
    let refused = check_every_reference(Route::Through(DomainFormat::GeniusWebJson));
    let reasons = [
        "GeniusWeb JSON has no discount factor",
        "GeniusWeb holds a reservation bid",
        "GeniusWeb weights sum to 1",
        "GeniusWeb JSON has no hyper-rectangle utilities",
    ];
    for (domain, error) in &refused {
        assert!(
            !domain.starts_with("anl"),
            "{domain}: a GeniusWeb folder is refused: {error}"
        );
        for problem in &error.problems {
            assert_eq!(problem.kind, ErrorKind::Unsupported, "{domain}: {problem}");
            assert!(
                problem.field.starts_with("parties["),
                "{domain}: the problem names the party: {problem}"
            );
            assert!(
                reasons.iter().any(|r| problem.message.contains(r)),
                "{domain}: unexpected reason: {problem}"
            );
        }
    }
    let held = 172 - refused.len();
    assert!(
        held >= 80,
        "only {held} of 172 folders written as GeniusWeb JSON"
    );
}

#[test]
fn geniusweb_published_answers_agree_where_definitions_coincide() {
    // specials.json: `pareto_front` and `nash` and `social_welfare` share our definitions
    // (all reservation values are 0); its `kalai` is a different notion (closest to the
    // diagonal), so it is not compared.
    let root = testdata().join("geniusweb");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 50);
    let mut failures = Vec::new();
    for dir in &folders {
        let specials: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("specials.json")).unwrap())
                .unwrap();
        let profiles = vec!["profileA.json".to_string(), "profileB.json".to_string()];
        let (case, exact, _) = analyse(dir, &profiles, Route::Enumerate).unwrap();
        let mut problems = Vec::new();
        let front: Vec<Vec<f64>> = specials["pareto_front"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| vector(&f["utility"]))
            .collect();
        compare_frontier(&case, &exact, &front, &mut problems);
        for (name, ours, key) in [
            ("nash", &exact.bargaining.nash, "nash"),
            (
                "utilitarian",
                &exact.bargaining.utilitarian,
                "social_welfare",
            ),
        ] {
            let theirs = vector(&specials[key]["utility"]);
            let ours = ours.as_ref().map(|p| p.utilities.clone());
            let ok = ours
                .as_ref()
                .is_some_and(|u| close(u, &theirs) || ours_tie(&exact, name, &theirs));
            if !ok {
                problems.push(format!("{name}: accord {ours:?}, specials.json {theirs:?}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", dir.display(), problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether the published point is one of accord's ties for that solution.
fn ours_tie(exact: &ExactAnalysis, name: &str, theirs: &[f64]) -> bool {
    let point = match name {
        "nash" => exact.bargaining.nash.as_ref(),
        _ => exact.bargaining.utilitarian.as_ref(),
    };
    point.is_some_and(|p| p.ties.iter().any(|t| close(t, theirs)))
}
