//! The hyper-rectangle (ANAC 2014 and GENIUS non-linear) domains: 10^10 packages
//! enumerated exactly over classes of alike packages, 10^20 and 10^30 traced by the search
//! over their rectangles (checked against enumeration where both answer), and compared with
//! the `pareto.xml` that GENIUS ships next to them (the frontier's utility pairs, one per
//! line, rounded to single precision).

use std::path::Path;

use accord_core::{
    EnumerationLimit, FrontierScan, SolveLimit, dominates, pareto_frontier, rectangle_frontier,
};
use accord_formats::folder::read_domain_folder;

mod common;
use common::{folder_files, read_text, testdata};

/// What single precision keeps of a utility in [0, 1].
const PRINTED: f64 = 1e-6;

/// The pairs of a `pareto.xml`.
fn published(dir: &Path) -> Vec<Vec<f64>> {
    read_text(&dir.join("pareto.xml"))
        .lines()
        .filter(|line| line.contains(','))
        .map(|line| {
            line.split(',')
                .map(|x| x.trim().parse::<f64>().unwrap())
                .collect()
        })
        .collect()
}

fn frontier(folder: &str) -> (accord_core::Case, FrontierScan) {
    let dir = testdata().join("genius").join(folder);
    let domain = read_domain_folder(folder, folder_files(&dir)).unwrap();
    let case = domain.case(&domain.default_profiles()).unwrap();
    let parties = case.negotiating_parties();
    let scan = pareto_frontier(&case, &parties, EnumerationLimit::default()).unwrap();
    (case, scan)
}

fn near(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= PRINTED)
}

#[test]
fn ten_issue_frontiers_are_exact_and_contain_the_published_ones() {
    for folder in [
        "anac2014-10issues",
        "anac2014-10issuesDiscounted",
        "anac2014-10issueswithRV",
        "anac2014-10issuesDiscountedwithRV",
        "genius-nonlinear-S-1NAGUNL-114",
        "genius-nonlinear-S-1NIKFRT-1",
    ] {
        let (case, scan) = frontier(folder);
        let parties = case.negotiating_parties();
        // 10^10 packages, visited as far fewer classes, every one counted.
        assert_eq!(case.n_packages(), Some(10_u128.pow(10)), "{folder}");
        assert!(
            u128::from(scan.n_visited) <= EnumerationLimit::default().0,
            "{folder}"
        );
        assert_eq!(scan.n_clear_red_lines, 10_u128.pow(10), "{folder}");
        for f in &scan.frontier {
            // A real package, evaluated package by package to the same utilities.
            assert_eq!(
                case.utilities(&parties, &f.package),
                f.utilities,
                "{folder}"
            );
        }
        // The frontier traced over the hyper-rectangles is the same, vector for vector.
        let (_, ours) = traced(folder);
        let vectors = |s: &FrontierScan| -> Vec<Vec<f64>> {
            s.frontier.iter().map(|f| f.utilities.clone()).collect()
        };
        assert_eq!(vectors(&ours), vectors(&scan), "{folder}");
        for f in &ours.frontier {
            assert_eq!(
                case.utilities(&parties, &f.package),
                f.utilities,
                "{folder}"
            );
        }
        // Every published pair is on our frontier or dominated by a vector of it, and none
        // of ours is dominated by a published one.
        let theirs = published(&testdata().join("genius").join(folder));
        for t in &theirs {
            assert!(
                scan.frontier
                    .iter()
                    .any(|f| near(&f.utilities, t) || dominates(&f.utilities, t)),
                "{folder}: published {t:?} is beyond accord's frontier"
            );
        }
        for f in &scan.frontier {
            assert!(
                !theirs
                    .iter()
                    .any(|t| dominates(t, &f.utilities) && !near(t, &f.utilities)),
                "{folder}: {:?} is dominated by a published pair",
                f.utilities
            );
        }
        match folder {
            // GENIUS's file lists this frontier exactly...
            "anac2014-10issues" => {
                assert_eq!((scan.frontier.len(), theirs.len()), (10, 10));
                for (f, t) in scan.frontier.iter().zip(&theirs) {
                    assert!(near(&f.utilities, t), "{:?} vs {t:?}", f.utilities);
                }
            }
            // ... but 7 of the 8 vectors of this one: it misses (0.7108, 0.9792), which no
            // published pair dominates (its package was evaluated above).
            "anac2014-10issueswithRV" => {
                assert_eq!((scan.frontier.len(), theirs.len()), (8, 7));
                let missing: Vec<&[f64]> = scan
                    .frontier
                    .iter()
                    .map(|f| f.utilities.as_slice())
                    .filter(|u| !theirs.iter().any(|t| near(u, t)))
                    .collect();
                assert_eq!(missing, [&[0.710_820_895_522_388, 0.9792][..]]);
            }
            _ => {}
        }
    }
}

fn traced(folder: &str) -> (accord_core::Case, FrontierScan) {
    let dir = testdata().join("genius").join(folder);
    let domain = read_domain_folder(folder, folder_files(&dir)).unwrap();
    let case = domain.case(&domain.default_profiles()).unwrap();
    let parties = case.negotiating_parties();
    let (scan, _) = rectangle_frontier(&case, &parties, SolveLimit::default()).unwrap();
    (case, scan)
}

/// The 20- and 30-issue domains (10^20 and 10^30 packages), beyond enumeration: the
/// traced frontier against GENIUS's `pareto.xml`. Every published pair is matched or beaten
/// (up to its single precision) by a vector of it, and the published pairs on it are
/// counted.
#[test]
fn large_domains_have_an_exact_frontier_beyond_the_published_one() {
    // (folder, vectors traced, published pairs on the traced frontier, published pairs):
    // GENIUS's files are approximations, every pair off the frontier strictly beaten.
    for (folder, size, on, published_len) in [
        ("anac2014-30issues", 14, 2, 10),
        ("anac2014-30issueswithRV", 33, 17, 29),
        ("anac2014-30issuesDiscounted", 26, 9, 16),
        ("anac2014-30issuesDiscountedwithRV", 52, 0, 34),
        ("genius-nonlinear-S-1NIKFRT-2", 16, 6, 16),
        ("genius-nonlinear-S-1NIKFRT-3", 14, 1, 13),
    ] {
        let (case, ours) = traced(folder);
        let parties = case.negotiating_parties();
        for f in &ours.frontier {
            assert_eq!(
                case.utilities(&parties, &f.package),
                f.utilities,
                "{folder}"
            );
        }
        let theirs = published(&testdata().join("genius").join(folder));
        for t in &theirs {
            assert!(
                ours.frontier.iter().any(|f| f
                    .utilities
                    .iter()
                    .zip(t)
                    .all(|(u, t)| *u >= t - PRINTED)),
                "{folder}: published {t:?} is beyond the traced frontier"
            );
        }
        let matched = theirs
            .iter()
            .filter(|t| ours.frontier.iter().any(|f| near(&f.utilities, t)))
            .count();
        assert_eq!(
            (ours.frontier.len(), matched, theirs.len()),
            (size, on, published_len),
            "{folder}"
        );
    }
}
