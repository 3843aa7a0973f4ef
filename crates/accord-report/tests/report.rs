//! The report on the bundled examples: every SVG is well-formed XML, the page is
//! self-contained, and what it says matches the analysis.

use std::path::PathBuf;

use accord_core::{Case, Insight, InsightOptions, insight};
use accord_formats::case_file::{CaseFormat, read_case, read_package};
use accord_report::{View, html, markdown};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> Case {
    let path = root().join("examples").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    read_case(name, &text, CaseFormat::Toml).unwrap()
}

/// The labour contract with the CLI tests' draft: (+3%, 38 hours, 3 days, 6%, 3 years).
fn labour() -> (Case, Insight) {
    let case = example("labour-contract.toml");
    let path = root().join("crates/accord-cli/tests/data/labour-draft.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let draft = read_package("labour-draft.toml", &text, CaseFormat::Toml, &case).unwrap();
    let case = case.with_draft(draft).unwrap();
    let found = insight(
        &case,
        &case.negotiating_parties(),
        &InsightOptions::default(),
    );
    (case, found)
}

/// Every `<svg>…</svg>` in `text`.
fn svgs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("every svg is closed") + start + 6;
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// Parses `svg` as XML and returns its root's class and the number of elements.
fn well_formed(svg: &str) -> (String, usize) {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{}", &svg[..svg.len().min(400)]));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    (
        root.attribute("class").unwrap_or_default().to_string(),
        doc.descendants()
            .filter(roxmltree::Node::is_element)
            .count(),
    )
}

#[test]
fn the_labour_report_has_well_formed_plots_and_no_outside_references() {
    let (case, found) = labour();
    let page = html(&View {
        case: &case,
        insight: &found,
        source: "labour-contract.toml",
    });
    let plots = svgs(&page);
    let classes: Vec<String> = plots.iter().map(|s| well_formed(s).0).collect();
    // Two parties: one frontier plot; heat maps for the draft and the Nash package.
    assert_eq!(classes, ["frontier", "heat-map", "heat-map"]);
    // Self-contained: the only URL is the SVG namespace; no script, no external style.
    let without_namespace = page.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_namespace.contains("http"), "a URL in the page");
    assert!(!page.contains("<script"));
    assert!(!page.contains("<link"));
    // The Nash mark sits where the analysis puts the Nash package.
    let nash = found
        .analysis
        .result
        .as_ref()
        .unwrap()
        .bargaining
        .nash
        .clone()
        .unwrap();
    let mark = format!(
        r#"data-label="Nash" data-x="{:.6}" data-y="{:.6}""#,
        nash.utilities[0], nash.utilities[1]
    );
    assert!(page.contains(&mark), "no Nash mark at {:?}", nash.utilities);
    // Markdown renders the same plots as files.
    let md = markdown(
        &View {
            case: &case,
            insight: &found,
            source: "labour-contract.toml",
        },
        "report-",
    );
    assert_eq!(md.plots.len(), 3);
    for plot in &md.plots {
        well_formed(&plot.svg);
        assert!(md.text.contains(&format!("(report-{})", plot.file_name)));
    }
}

#[test]
fn the_labour_report_reads_as_expected() {
    let (case, found) = labour();
    let md = markdown(
        &View {
            case: &case,
            insight: &found,
            source: "labour-contract.toml",
        },
        "report-",
    );
    insta::assert_snapshot!(md.text);
}

#[test]
fn the_peace_report_explains_the_deadlock_and_analyses_past_it() {
    let case = example("peace-framework.toml");
    let found = insight(
        &case,
        &case.negotiating_parties(),
        &InsightOptions::default(),
    );
    let view = View {
        case: &case,
        insight: &found,
        source: "peace-framework.toml",
    };
    let page = html(&view);
    // The army cap: Ukraine's floor of 750,000 against Russia's ceiling of 700,000.
    assert_eq!(found.feasible(), Some(false));
    let relaxations = &found.diagnosis.as_ref().unwrap().relaxations;
    assert_eq!(relaxations.len(), 2);
    assert!(page.contains("Ukraine&#39;s red line (Army size cap must be at least 750,000)"));
    assert!(page.contains("Russia&#39;s red line (Army size cap must be at most 700,000)"));
    assert!(page.contains("assumes relaxation 1 is granted"));
    // With it granted there is a frontier, a Nash package and a full analysis.
    let relaxed = found.relaxed.as_ref().unwrap();
    assert_eq!(relaxed.insight.feasible(), Some(true));
    assert!(relaxed.insight.sensitivity.is_some());
    // Four parties: six frontier plots, then the two heat maps.
    let classes: Vec<String> = svgs(&page).iter().map(|s| well_formed(s).0).collect();
    assert_eq!(
        classes,
        [
            "frontier", "frontier", "frontier", "frontier", "frontier", "frontier", "heat-map",
            "heat-map"
        ]
    );
    // The draft crosses Ukraine's army-cap floor and the European partners' red line on
    // NATO enlargement: both are named, and the heat map crosses out those cells.
    let draft = found.draft.as_ref().unwrap();
    assert_eq!(draft.accepts, [false, true, true, false]);
    assert!(page.contains(r#"class="cell crossed" data-point="army-cap" data-party="Ukraine""#));
    assert!(page.contains(
        r#"class="cell crossed" data-point="nato-enlargement" data-party="European partners""#
    ));
    // Deterministic: the same case gives the same page.
    assert_eq!(page, html(&view));
}

/// A six-party case whose frontier of all parties is not listed (the limits below refuse
/// it): the report still gives the exact bargaining packages, whether agreement is
/// possible, the fairness of each package, and a frontier plot for every pair of parties
/// among the packages the others accept.
#[test]
fn a_six_party_report_is_complete_without_the_frontier() {
    use accord_core::{AnalysisOptions, EnumerationLimit, MergeLimit};
    use accord_formats::generate::{GenerateSpec, generate_case};

    let case = generate_case(&GenerateSpec {
        points: 10,
        options: 3,
        parties: 6,
        red_lines: 3,
        reservation: 0.4,
        seed: 3,
    })
    .unwrap();
    let options = InsightOptions {
        analysis: AnalysisOptions {
            enumeration: EnumerationLimit(1000),
            merge: MergeLimit {
                max_comparisons: 1000,
                ..MergeLimit::default()
            },
            fallback_epsilon: None,
            ..AnalysisOptions::default()
        },
        ..InsightOptions::default()
    };
    let found = insight(&case, &case.negotiating_parties(), &options);
    assert!(found.analysis.result.is_err(), "the frontier is refused");
    let solved = found.analysis.solved.clone().unwrap().unwrap();
    assert_eq!(found.feasible(), Some(true));
    let page = html(&View {
        case: &case,
        insight: &found,
        source: "generated",
    });
    assert!(page.contains("proven optimal by a branch and bound"));
    assert!(page.contains("yes: some package clears every red line"));
    let nash = solved.bargaining.nash.unwrap();
    assert!(
        page.contains(&format!("{:.4}", nash.objective)),
        "the Nash product is shown"
    );
    // One frontier plot per pair of parties, each with its vectors drawn.
    let plots: Vec<&str> = svgs(&page)
        .into_iter()
        .filter(|s| well_formed(s).0 == "frontier")
        .collect();
    assert_eq!(plots.len(), 15);
    for plot in plots {
        assert!(
            plot.matches(r#"r="2.2""#).count() >= 2,
            "a pair frontier is drawn"
        );
    }
    assert_eq!(
        found.fairness.len(),
        4,
        "every bargaining package is judged"
    );
}
