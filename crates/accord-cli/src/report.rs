//! The readable report of `accord analyze` and the summary of `accord check`.

use std::fmt::Write as _;

use accord_core::{
    Analysis, BargainingPoint, Case, Choice, Diagnosis, FrontierMethod, Insight, NotEnumerable,
    OptionIdx, Package, PartyIdx, PointConsensus, RedLine, conflict_order,
};
use accord_formats::analysis_json::Source;
use accord_report::words::{
    count_of, decimals, describe_red_line, describe_relaxation, group, package_count,
};

fn party_names(case: &Case, analysis: &Analysis) -> Vec<String> {
    analysis
        .parties
        .iter()
        .map(|p| case.parties()[p.0].name.clone())
        .collect()
}

fn utilities(names: &[String], values: &[f64]) -> String {
    names
        .iter()
        .zip(values)
        .map(|(n, u)| format!("{n} {u:.4}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn package_lines(case: &Case, package: &Package, out: &mut String) {
    let width = case
        .points()
        .iter()
        .map(|p| p.id.chars().count())
        .max()
        .unwrap_or(0);
    for (point, choice) in case.points().iter().zip(&package.0) {
        let _ = writeln!(
            out,
            "      {:width$}  {}",
            point.id,
            point.choice_label(choice)
        );
    }
}

fn not_enumerable(reason: &NotEnumerable) -> String {
    let hint = match reason {
        NotEnumerable::TooLarge { merge: None, .. } => {
            "\nhint: raise --max-packages to enumerate more"
        }
        _ => "",
    };
    format!("{}{hint}", accord_formats::analysis_json::explain(reason))
}

/// "n of N packages", with N the case's package count.
fn of_all(case: &Case, n: u128) -> String {
    format!("{} of {}", group(n), package_count(case))
}

/// The report of `accord analyze`.
pub(crate) fn render(case: &Case, insight: &Insight, source: &Source, top: usize) -> String {
    let analysis = &insight.analysis;
    let mut out = String::new();
    let names = party_names(case, analysis);
    let _ = writeln!(
        out,
        "case: {} ({}, {})",
        case.name(),
        source.format,
        source.path
    );
    let _ = writeln!(
        out,
        "points: {}; packages: {}",
        case.points().len(),
        package_count(case)
    );
    let _ = writeln!(out, "parties:");
    for (name, reservation) in names.iter().zip(&analysis.reservation_values) {
        let _ = writeln!(out, "  {name}  (reservation value {reservation})");
    }
    consensus_lines(case, &insight.consensus, &names, top, &mut out);
    draft_lines(case, insight, &names, top, &mut out);
    let exact = match &analysis.result {
        Ok(exact) => exact,
        Err(reason) => {
            let _ = writeln!(out, "\nno frontier: {}", not_enumerable(reason));
            match &analysis.solved {
                Some(Ok(solved)) => {
                    if let Some(ideal) = &solved.bargaining.ideal_point {
                        let _ = writeln!(out, "ideal point: {}", utilities(&names, ideal));
                    } else {
                        let _ = writeln!(out, "no package is acceptable to every party");
                        if let Some(diagnosis) = &insight.diagnosis {
                            relaxation_lines(case, diagnosis, &mut out);
                        }
                    }
                    bargaining_lines(case, analysis, &names, &mut out);
                }
                Some(Err(why)) => {
                    let _ = writeln!(out, "no exact bargaining packages either: {why}");
                }
                None => {}
            }
            return out;
        }
    };
    let scan = &exact.scan;
    let method = match exact.method {
        FrontierMethod::Enumeration
            if case
                .n_packages()
                .is_some_and(|n| n > u128::from(scan.n_visited)) =>
        {
            format!(
                "every package enumerated, as {} classes of packages alike for every party \
                 (values no utility and no red line tells apart visited once)",
                group(scan.n_visited.into())
            )
        }
        FrontierMethod::Enumeration => "every package enumerated".to_string(),
        FrontierMethod::Merge if scan.error_bound > 0.0 => format!(
            "approximate, by merging per-point frontiers on a grid (no enumeration): every \
             package that clears the red lines is matched, within {} for every party, \
             by a frontier package below, and the bargaining packages are the best of these",
            decimals(scan.error_bound, 4)
        ),
        FrontierMethod::Merge => {
            "exact, by merging per-point frontiers (no enumeration)".to_string()
        }
        FrontierMethod::Search if scan.error_bound > 0.0 => format!(
            "a certified ε-Pareto set, by search (no enumeration): every package that clears \
             the red lines is matched, within {} for every party, by a frontier package \
             below; accord report plots the exact frontier of each pair of parties",
            decimals(scan.error_bound, 4)
        ),
        FrontierMethod::Search => "exact, traced one vector at a time by a search over the \
             hyper-rectangles (no enumeration)"
            .to_string(),
    };
    let _ = writeln!(out, "\nmethod: {method}");
    let _ = writeln!(
        out,
        "feasibility: {} packages clear every red line",
        of_all(case, scan.n_clear_red_lines)
    );
    match scan.n_feasible {
        Some(n) => {
            let _ = writeln!(
                out,
                "  {} also meet every reservation value",
                group(n.into())
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  some also meet every reservation value: {}",
                if exact.bargaining.ideal_point.is_some() {
                    "yes"
                } else {
                    "no"
                }
            );
        }
    }
    if exact.bargaining.ideal_point.is_none() {
        let _ = writeln!(out, "  no package is acceptable to every party");
        if let Some(diagnosis) = &insight.diagnosis {
            relaxation_lines(case, diagnosis, &mut out);
        }
        if let Some(relaxed) = &insight.relaxed
            && let Ok(exact) = &relaxed.insight.analysis.result
        {
            let analysis = &relaxed.insight.analysis;
            let frontier = if exact.scan.error_bound > 0.0 {
                format!(
                    "approximate: {}, every package matched within {} for every party",
                    count_of(exact.scan.frontier.len() as u128, "vector", "vectors"),
                    decimals(exact.scan.error_bound, 4)
                )
            } else {
                format!(
                    "exact: {}",
                    count_of(exact.scan.frontier.len() as u128, "vector", "vectors")
                )
            };
            let nash = analysis
                .bargaining()
                .and_then(|b| b.nash.as_ref())
                .map_or_else(String::new, |n| {
                    format!(
                        "\n  and its Nash package ({}): {}",
                        if analysis.bargaining_is_exact() {
                            "exact"
                        } else {
                            "approximate"
                        },
                        utilities(&names, &n.utilities)
                    )
                });
            let _ = writeln!(
                out,
                "  with relaxation 1 granted, the frontier is {frontier}{nash}"
            );
            let _ = writeln!(
                out,
                "  (accord report shows the whole analysis with it granted)"
            );
        }
    }
    let counted = match (exact.method, scan.n_frontier_packages()) {
        (FrontierMethod::Search, _) => "one package each; packages not counted".to_string(),
        (_, Some(n)) => format!("{} packages", group(n.into())),
        (_, None) => "more than 18 quintillion packages (2^64)".to_string(),
    };
    let within = if scan.error_bound > 0.0 {
        format!(", within {}", decimals(scan.error_bound, 4))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "pareto frontier: {} utility vectors{within} ({counted})",
        group(scan.frontier.len() as u128),
    );
    if let Some(ideal) = &exact.bargaining.ideal_point {
        let _ = writeln!(out, "ideal point: {}", utilities(&names, ideal));
    }
    let packages = bargaining_lines(case, analysis, &names, &mut out);
    if top > 0 && !scan.frontier.is_empty() {
        let mut best: Vec<_> = scan.frontier.iter().collect();
        best.sort_by(|a, b| {
            let wa: f64 = a.utilities.iter().sum();
            let wb: f64 = b.utilities.iter().sum();
            wb.total_cmp(&wa)
        });
        let reference = packages.first().map(|(p, l)| (*p, l[0]));
        let _ = writeln!(
            out,
            "\nbest frontier packages by welfare (top {} of {}):",
            top.min(best.len()),
            best.len()
        );
        for (k, f) in best.iter().take(top).enumerate() {
            let welfare: f64 = f.utilities.iter().sum();
            let _ = writeln!(
                out,
                "  {}. {}  (welfare {welfare:.4})",
                k + 1,
                utilities(&names, &f.utilities)
            );
            match reference {
                Some((package, label)) => {
                    let changes: Vec<String> = case
                        .points()
                        .iter()
                        .zip(package.0.iter().zip(&f.package.0))
                        .filter(|(_, (a, b))| a != b)
                        .map(|(point, (_, b))| format!("{} = {}", point.id, point.choice_label(b)))
                        .collect();
                    if changes.is_empty() {
                        let _ = writeln!(out, "      the {label} package");
                    } else {
                        let _ = writeln!(
                            out,
                            "      as the {label} package, but {}",
                            changes.join("; ")
                        );
                    }
                }
                None => package_lines(case, &f.package, &mut out),
            }
        }
    }
    out
}

/// The bargaining packages, each distinct package printed once under the solutions that
/// chose it, with a line saying whether they are exact; returns those packages.
fn bargaining_lines<'a>(
    case: &Case,
    analysis: &'a Analysis,
    names: &[String],
    out: &mut String,
) -> Vec<(&'a Package, Vec<&'static str>)> {
    let Some(b) = analysis.bargaining() else {
        return Vec::new();
    };
    let solutions: [(&'static str, &Option<BargainingPoint>, &str); 4] = [
        ("nash", &b.nash, "product of gains"),
        (
            "kalai-smorodinsky",
            &b.kalai_smorodinsky,
            "smallest relative gain",
        ),
        ("egalitarian", &b.egalitarian, "smallest gain"),
        ("utilitarian", &b.utilitarian, "welfare"),
    ];
    let how = match (&analysis.solved, &analysis.result) {
        (Some(Ok(solved)), _) => format!(
            "exact: each proven optimal by branch and bound ({} search nodes), without the \
             frontier",
            group(solved.nodes.into())
        ),
        (_, Ok(exact)) if exact.scan.error_bound == 0.0 => {
            "exact: the best of the exact frontier".to_string()
        }
        (Some(Err(why)), Ok(exact)) => format!(
            "approximate: the best of the frontier below, within {} per party (the exact \
             search stopped: {why})",
            decimals(exact.scan.error_bound, 4)
        ),
        (_, Ok(exact)) => format!(
            "approximate: the best of the frontier below, within {} per party",
            decimals(exact.scan.error_bound, 4)
        ),
        (_, Err(_)) => "none found".to_string(),
    };
    let _ = writeln!(out, "\nbargaining packages ({how}):");
    // Each distinct package is printed once, under the solutions that chose it.
    let mut packages: Vec<(&Package, Vec<&'static str>)> = Vec::new();
    for (label, point, objective) in &solutions {
        let Some(p) = point else {
            let _ = writeln!(
                out,
                "  {label:<18} none: no package gives every party more than its reservation value"
            );
            continue;
        };
        let ties = if p.ties.len() > 1 {
            format!(", {} tied vectors", p.ties.len())
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {label:<18} {}  ({objective} {:.4}{ties})",
            utilities(names, &p.utilities),
            p.objective
        );
        match packages
            .iter_mut()
            .find(|(package, _)| **package == p.package)
        {
            Some((_, labels)) => labels.push(label),
            None => packages.push((&p.package, vec![label])),
        }
    }
    for (package, labels) in &packages {
        let _ = writeln!(out, "\n  package chosen by {}:", labels.join(", "));
        package_lines(case, package, out);
    }
    packages
}

/// The points the parties disagree on most: for each, the best compromise (the option no
/// red line blocks that costs any one party least) and what each party gives up there, or
/// the red lines that block every option.
fn consensus_lines(
    case: &Case,
    consensus: &[PointConsensus],
    names: &[String],
    top: usize,
    out: &mut String,
) {
    let points = conflict_order(consensus);
    if points.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\npoints in conflict (top {} of {}; conflict: the utility the parties give up in all \
         at the best compromise, where each party's utility runs from 0 to 1):",
        top.min(points.len()),
        points.len()
    );
    for c in points.iter().take(top) {
        let point = &case.points()[c.point.0];
        let label = |k: OptionIdx| point.choice_label(&Choice::Option(k));
        let summary = if let Some(k) = c.consensus {
            format!("best compromise {}", label(k))
        } else {
            let blocks: Vec<String> = c
                .options
                .iter()
                .map(|o| {
                    let who: Vec<&str> = o
                        .blocked_by
                        .iter()
                        .map(|p| case.parties()[p.0].name.as_str())
                        .collect();
                    format!("{} by {}", label(o.option), who.join(", "))
                })
                .collect();
            format!("every option blocked: {}", blocks.join("; "))
        };
        let _ = writeln!(out, "  {:<22} {:.4}  {summary}", point.id, c.conflict);
        let _ = writeln!(
            out,
            "      {:<18} {}",
            "each gives up",
            utilities(names, &c.stakes)
        );
    }
}

/// The smallest sets of red lines and reservation values whose relaxation would make
/// agreement possible.
fn relaxation_lines(case: &Case, diagnosis: &Diagnosis, out: &mut String) {
    let limit = diagnosis.max_size;
    if diagnosis.relaxations.is_empty() {
        let _ = writeln!(
            out,
            "  relaxing up to {limit} red lines or reservation values would not be enough{}",
            if diagnosis.complete {
                ""
            } else {
                " (search cut short)"
            }
        );
        return;
    }
    let _ = writeln!(
        out,
        "  agreement becomes possible if any one of these is relaxed (smallest first{}):",
        if diagnosis.complete {
            ""
        } else {
            "; search cut short"
        }
    );
    for (k, set) in diagnosis.relaxations.iter().enumerate() {
        let _ = writeln!(out, "    {}. {}", k + 1, describe_relaxation(case, set));
    }
}

/// Why a party rejects a package that crosses one of its red lines, in the words of the
/// draft's verdict here and of the final text's in `accord mediate`.
pub(crate) fn crossing(case: &Case, red_line: &RedLine) -> String {
    format!(
        "it crosses its red line: {}",
        describe_red_line(case, red_line)
    )
}

/// The draft on the table: who accepts it, and the best trades that improve it.
fn draft_lines(case: &Case, insight: &Insight, names: &[String], top: usize, out: &mut String) {
    let Some(draft) = &insight.draft else {
        return;
    };
    let _ = writeln!(
        out,
        "\ndraft on the table: {}",
        utilities(names, &draft.utilities)
    );
    for (k, name) in names.iter().enumerate() {
        if draft.accepts[k] {
            continue;
        }
        let position = case.position(insight.analysis.parties[k]);
        if draft.crossed[k].is_empty() {
            let _ = writeln!(out, "  {name} rejects it: below its reservation value");
        }
        for &index in &draft.crossed[k] {
            if let Some(red_line) = position.and_then(|p| p.red_lines.get(index)) {
                let _ = writeln!(out, "  {name} rejects it: {}", crossing(case, red_line));
            }
        }
    }
    // Trades are judged on the relaxed case when there is one: on the original, a draft
    // that crosses conflicting red lines cannot be improved into an acceptable package.
    let (trades_case, trades) = match &insight.relaxed {
        Some(r) => (&r.case, r.insight.draft.as_ref().map(|d| &d.trades)),
        None => (case, Some(&draft.trades)),
    };
    let Some(trades) = trades else {
        return;
    };
    if trades.improvements.is_empty() {
        let _ = writeln!(
            out,
            "  no change of a few points improves it for some party without hurting another"
        );
        return;
    }
    let _ = writeln!(
        out,
        "  trades that improve it for every party (top {} of {}{}):",
        top.min(trades.improvements.len()),
        trades.improvements.len(),
        insight
            .relaxed
            .as_ref()
            .map_or_else(String::new, |r| format!(
                "; judged with {} set aside, without which nothing is acceptable",
                describe_relaxation(case, &r.relaxation)
            ))
    );
    for (k, trade) in trades.improvements.iter().take(top).enumerate() {
        let changes: Vec<String> = trade
            .changes
            .iter()
            .map(|c| {
                let point = &trades_case.points()[c.point.0];
                format!(
                    "{}: {} -> {}",
                    point.id,
                    point.choice_label(&c.from),
                    point.choice_label(&c.to)
                )
            })
            .collect();
        let gains: Vec<String> = names
            .iter()
            .zip(&trade.gains)
            .map(|(n, g)| format!("{n} {g:+.4}"))
            .collect();
        let _ = writeln!(out, "    {}. {}", k + 1, changes.join("; "));
        let _ = writeln!(out, "       gains: {}", gains.join(" | "));
    }
}

/// The summary of `accord check`, and whether some package is feasible (`None`: unknown).
pub(crate) fn check_summary(
    case: &Case,
    analysis: &Analysis,
    diagnosis: Option<&Diagnosis>,
    source: &Source,
) -> (String, Option<bool>) {
    let mut out = String::new();
    let names = party_names(case, analysis);
    let _ = writeln!(out, "valid: {} ({})", source.path, source.format);
    let _ = writeln!(
        out,
        "points: {}; packages: {}",
        case.points().len(),
        package_count(case)
    );
    let _ = writeln!(out, "parties analysed: {}", names.join(", "));
    let others: Vec<String> = case
        .parties()
        .iter()
        .filter(|p| p.position.is_none())
        .map(|p| format!("{} ({})", p.name, p.role))
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out, "without a position: {}", others.join(", "));
    }
    for warning in &source.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    match &analysis.result {
        Ok(exact) => {
            // Some package is feasible exactly when some frontier vector is (a feasible
            // package is dominated only by feasible ones).
            let feasible = exact.bargaining.ideal_point.is_some();
            let counted = match exact.scan.n_feasible {
                Some(n) => of_all(case, n.into()),
                None => (if feasible { "some" } else { "none" }).to_string(),
            };
            let _ = writeln!(
                out,
                "feasible packages: {counted}{}",
                if feasible {
                    ""
                } else {
                    ": no package clears every red line and reservation value"
                }
            );
            if let Some(diagnosis) = diagnosis {
                relaxation_lines(case, diagnosis, &mut out);
            }
            (out, Some(feasible))
        }
        Err(reason) => {
            let _ = writeln!(out, "feasibility unknown: {}", not_enumerable(reason));
            (out, None)
        }
    }
}

/// The report of `accord evaluate`, and whether every party can accept the package.
pub(crate) fn evaluation(
    case: &Case,
    parties: &[PartyIdx],
    package: &Package,
    source: &str,
) -> (String, bool) {
    let mut out = String::new();
    let _ = writeln!(out, "package {source} in {}:", case.name());
    package_lines(case, package, &mut out);
    let _ = writeln!(out, "\nparties:");
    let mut refusals = Vec::new();
    for &party in parties {
        let Some(position) = case.position(party) else {
            continue;
        };
        let name = &case.parties()[party.0].name;
        let utility = position.utility(package);
        let meets = utility >= position.reservation_value - accord_core::EQUAL_EPS;
        let crossed: Vec<&RedLine> = position
            .red_lines
            .iter()
            .filter(|r| r.is_crossed_by(package))
            .collect();
        let _ = writeln!(
            out,
            "  {name}: utility {utility:.4}, reservation value {}{}",
            position.reservation_value,
            if meets { "" } else { " (below it)" }
        );
        for red_line in &crossed {
            let _ = writeln!(
                out,
                "    crosses a red line: {}",
                describe_red_line(case, red_line)
            );
        }
        if !meets || !crossed.is_empty() {
            refusals.push(name.clone());
        }
    }
    if refusals.is_empty() {
        let _ = writeln!(out, "\nacceptable to every party");
    } else {
        let _ = writeln!(out, "\nnot acceptable to: {}", refusals.join(", "));
    }
    (out, refusals.is_empty())
}
