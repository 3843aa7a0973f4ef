//! The readable report of `accord analyze` and the summary of `accord check`.

use std::fmt::Write as _;

use accord_core::{
    Analysis, AnalysisOptions, BargainingPoint, Case, Choice, Condition, Constraint,
    DiagnosisLimit, FrontierMethod, NotEnumerable, OptionIdx, Package, PartyIdx, PointConsensus,
    RedLine, ValueSet, diagnose, point_consensus,
};
use accord_formats::analysis_json::Source;

fn party_names(case: &Case, analysis: &Analysis) -> Vec<String> {
    analysis
        .parties
        .iter()
        .map(|p| case.parties()[p.0].name.clone())
        .collect()
}

fn count(case: &Case) -> String {
    match case.n_packages() {
        Some(n) if n < 10_u128.pow(15) => group(n),
        _ => case.log10_n_packages().map_or_else(
            || "infinitely many".to_string(),
            |l| format!("about 10^{l:.1}"),
        ),
    }
}

/// 1234567 -> "1,234,567".
fn group(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
    format!("{} of {}", group(n), count(case))
}

/// The report of `accord analyze`.
pub(crate) fn render(case: &Case, analysis: &Analysis, source: &Source, top: usize) -> String {
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
        count(case)
    );
    let _ = writeln!(out, "parties:");
    for (name, reservation) in names.iter().zip(&analysis.reservation_values) {
        let _ = writeln!(out, "  {name}  (reservation value {reservation})");
    }
    consensus_lines(case, analysis, &names, top, &mut out);
    let exact = match &analysis.result {
        Ok(exact) => exact,
        Err(reason) => {
            let _ = writeln!(out, "\nno exact analysis: {}", not_enumerable(reason));
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
             package that clears the red lines is matched, within {:.4} for every party, \
             by a frontier package below, and the bargaining packages are the best of these",
            scan.error_bound
        ),
        FrontierMethod::Merge => {
            "exact, by merging per-point frontiers (no enumeration)".to_string()
        }
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
        relaxation_lines(case, analysis, &names, &mut out);
    }
    let frontier_packages: u64 = scan
        .frontier
        .iter()
        .map(|f| f.n_packages)
        .fold(0, u64::saturating_add);
    let _ = writeln!(
        out,
        "pareto frontier: {} utility vectors ({} packages)",
        group(scan.frontier.len() as u128),
        group(frontier_packages.into())
    );
    if let Some(ideal) = &exact.bargaining.ideal_point {
        let _ = writeln!(out, "ideal point: {}", utilities(&names, ideal));
    }
    let b = &exact.bargaining;
    let solutions: [(&str, &Option<BargainingPoint>, &str); 4] = [
        ("nash", &b.nash, "product of gains"),
        (
            "kalai-smorodinsky",
            &b.kalai_smorodinsky,
            "smallest relative gain",
        ),
        ("egalitarian", &b.egalitarian, "smallest gain"),
        ("utilitarian", &b.utilitarian, "welfare"),
    ];
    let _ = writeln!(out, "\nbargaining packages:");
    // Each distinct package is printed once, under the solutions that chose it.
    let mut packages: Vec<(&Package, Vec<&str>)> = Vec::new();
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
            utilities(&names, &p.utilities),
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
        package_lines(case, package, &mut out);
    }
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

/// The points the parties disagree on most: for each, the option no red line blocks that
/// leaves the party rating it lowest best off, or the red lines that block every option.
fn consensus_lines(
    case: &Case,
    analysis: &Analysis,
    names: &[String],
    top: usize,
    out: &mut String,
) {
    let mut points: Vec<PointConsensus> = point_consensus(case, &analysis.parties)
        .into_iter()
        .filter(|c| c.conflict > 1e-9)
        .collect();
    if points.is_empty() {
        return;
    }
    // Most conflicted first; among equals, the one the parties care most about.
    let stake = |c: &PointConsensus| c.stakes.iter().sum::<f64>();
    points.sort_by(|a, b| {
        b.conflict
            .total_cmp(&a.conflict)
            .then(stake(b).total_cmp(&stake(a)))
    });
    let _ = writeln!(
        out,
        "\npoints in conflict (top {} of {}; conflict 0: one option is everyone's favourite, \
         1: nothing every party accepts):",
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
                        .map(|p| names[party_position(analysis, *p)].as_str())
                        .collect();
                    format!("{} by {}", label(o.option), who.join(", "))
                })
                .collect();
            format!("every option blocked: {}", blocks.join("; "))
        };
        let _ = writeln!(out, "  {:<22} {:.2}  {summary}", point.id, c.conflict);
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
fn relaxation_lines(case: &Case, analysis: &Analysis, names: &[String], out: &mut String) {
    let Some(diagnosis) = diagnose(
        case,
        &analysis.parties,
        &AnalysisOptions::default(),
        DiagnosisLimit::default(),
    ) else {
        return;
    };
    let limit = DiagnosisLimit::default().max_size;
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
        let parts: Vec<String> = set
            .iter()
            .map(|c| match *c {
                Constraint::RedLine { party, index } => {
                    let position = case.position(party).expect("a red line has a position");
                    format!(
                        "{}'s red line \"{}\"",
                        names[party_position(analysis, party)],
                        describe_red_line(case, &position.red_lines[index])
                    )
                }
                Constraint::Reservation { party } => format!(
                    "{}'s reservation value",
                    names[party_position(analysis, party)]
                ),
            })
            .collect();
        let _ = writeln!(out, "    {}. {}", k + 1, parts.join(" and "));
    }
}

/// Where party `p` stands among the analysed parties.
fn party_position(analysis: &Analysis, p: PartyIdx) -> usize {
    analysis
        .parties
        .iter()
        .position(|&q| q == p)
        .expect("blockers are analysed parties")
}

/// The summary of `accord check`, and whether some package is feasible (`None`: unknown).
pub(crate) fn check_summary(
    case: &Case,
    analysis: &Analysis,
    source: &Source,
) -> (String, Option<bool>) {
    let mut out = String::new();
    let names = party_names(case, analysis);
    let _ = writeln!(out, "valid: {} ({})", source.path, source.format);
    let _ = writeln!(
        out,
        "points: {}; packages: {}",
        case.points().len(),
        count(case)
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
            (out, Some(feasible))
        }
        Err(reason) => {
            let _ = writeln!(out, "feasibility unknown: {}", not_enumerable(reason));
            (out, None)
        }
    }
}

fn describe_condition(case: &Case, condition: &Condition, verb: &str) -> String {
    let point = &case.points()[condition.point.0];
    match &condition.values {
        ValueSet::Options(options) => {
            let names: Vec<String> = options
                .iter()
                .map(|o| format!("`{}`", point.choice_label(&accord_core::Choice::Option(*o))))
                .collect();
            match names.len() {
                0 => format!("`{}` has no allowed option", point.id),
                1 => format!("`{}` {verb} {}", point.id, names[0]),
                _ => format!("`{}` {verb} one of {}", point.id, names.join(", ")),
            }
        }
        ValueSet::Range { min, max } => match (min.is_finite(), max.is_finite()) {
            (true, true) => format!("`{}` {verb} between {min} and {max}", point.id),
            (true, false) => format!("`{}` {verb} at least {min}", point.id),
            (false, true) => format!("`{}` {verb} at most {max}", point.id),
            (false, false) => format!("`{}` {verb} any value", point.id),
        },
    }
}

/// A red line in words: "if `a` is `x`, `b` must be one of `y`, `z`".
fn describe_red_line(case: &Case, red_line: &RedLine) -> String {
    let require = describe_condition(case, &red_line.require, "must be");
    match &red_line.when {
        Some(when) => format!("if {}, {require}", describe_condition(case, when, "is")),
        None => require,
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
