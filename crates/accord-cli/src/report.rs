//! The readable report of `accord analyze` and the summary of `accord check`.

use std::fmt::Write as _;

use accord_core::{Analysis, BargainingPoint, Case, NotEnumerable, Package};
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
    match reason {
        NotEnumerable::TooLarge {
            log10_n_packages,
            limit,
        } => format!(
            "too large for exact enumeration: about 10^{log10_n_packages:.1} packages, above the limit of {} (--max-packages)",
            group(*limit)
        ),
        NotEnumerable::RealPoint { point } => {
            format!("exact enumeration needs finite points, and point `{point}` is a real range")
        }
    }
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
    let exact = match &analysis.result {
        Ok(exact) => exact,
        Err(reason) => {
            let _ = writeln!(out, "\nno exact analysis: {}", not_enumerable(reason));
            return out;
        }
    };
    let scan = &exact.scan;
    let _ = writeln!(
        out,
        "\nfeasibility: {} of {} packages clear every red line; {} also meet every reservation value",
        group(scan.n_clear_red_lines.into()),
        group(scan.n_packages.into()),
        group(scan.n_feasible.into())
    );
    if scan.n_feasible == 0 {
        let _ = writeln!(out, "  no package is acceptable to every party");
    }
    let frontier_packages: u64 = scan.frontier.iter().map(|f| f.n_packages).sum();
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
            let feasible = exact.scan.n_feasible > 0;
            let _ = writeln!(
                out,
                "feasible packages: {} of {}{}",
                group(exact.scan.n_feasible.into()),
                group(exact.scan.n_packages.into()),
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
