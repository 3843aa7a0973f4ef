//! `accord elicit`: a party's position from its answers to the elicitation questions
//! (docs/elicitation.md), and the packages to ask it to rate next.

use std::fmt::Write as _;
use std::path::PathBuf;

use accord_core::elicit::{Answers, Fit, FitOptions, Inconsistency, fit, suggest};
use accord_core::{Case, PartyIdx, PointIdx};
use accord_formats::analysis_json::package_map;
use accord_formats::answers::read_answers;
use accord_formats::case_file::{CaseFormat, write_case};
use accord_report::words::{decimals, describe_inconsistency, describe_red_line, point_name};
use anyhow::{Result, anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::load::load;

#[derive(Subcommand)]
pub(crate) enum ElicitCommand {
    /// Fit a position to a party's answers: the weights and how sure each is, the red
    /// lines and reservation value, and where the answers disagree.
    Fit(FitArgs),
    /// The whole packages to ask a party to rate next: those its answers so far pin down
    /// least.
    Suggest(SuggestArgs),
}

#[derive(Args)]
pub(crate) struct Party {
    /// A case file (.toml or .json).
    case: PathBuf,
    /// The party whose answers these are (its id in the case).
    #[arg(long, value_name = "ID")]
    party: String,
}

#[derive(Args)]
pub(crate) struct FitArgs {
    #[command(flatten)]
    party: Party,
    /// The answers file (.toml or .json; docs/elicitation.md).
    #[arg(long, value_name = "FILE")]
    answers: PathBuf,
    /// How far a package's rating may be from its fitted utility and still fit, in points
    /// of the 0-100 scale.
    #[arg(long, default_value_t = FitOptions::default().package_tolerance, value_name = "POINTS")]
    package_tolerance: f64,
    /// How far a swing may be from the ratio of the fitted weights and still fit, in
    /// points of the 0-100 scale.
    #[arg(long, default_value_t = FitOptions::default().swing_tolerance, value_name = "POINTS")]
    swing_tolerance: f64,
    /// Print one JSON object instead of the readable summary.
    #[arg(long)]
    json: bool,
    /// Write the case with the fitted position in place of the party's (.toml or .json).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct SuggestArgs {
    #[command(flatten)]
    party: Party,
    /// The answers so far (.toml or .json): at least the option ratings.
    #[arg(long, value_name = "FILE")]
    answers: PathBuf,
    /// How many packages.
    #[arg(short, default_value_t = 8, value_name = "N")]
    n: usize,
    /// Seed of the random candidates.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print one JSON array of packages instead of TOML `[[packages]]` tables.
    #[arg(long)]
    json: bool,
}

/// Runs `accord elicit`.
pub(crate) fn elicit(command: &ElicitCommand) -> Result<String> {
    match command {
        ElicitCommand::Fit(args) => fit_command(args),
        ElicitCommand::Suggest(args) => suggest_command(args),
    }
}

/// The case, the party and its answers.
fn inputs(party: &Party, answers: &PathBuf) -> Result<(Case, PartyIdx, Answers)> {
    let loaded = load(&party.case, &[])?;
    let case = loaded.case;
    let Some(idx) = case.parties().iter().position(|p| p.id == party.party) else {
        let known: Vec<&str> = case.parties().iter().map(|p| p.id.as_str()).collect();
        bail!(
            "`{}` has no party `{}` (its parties: {})",
            party.case.display(),
            party.party,
            known.join(", ")
        );
    };
    let shown = answers.display().to_string();
    let Some(format) = CaseFormat::from_extension(&shown) else {
        bail!("`{shown}`: an answers file ends in .toml or .json");
    };
    if !answers.exists() {
        bail!("`{shown}` does not exist");
    }
    let text = accord_formats::case_file::utf8_text(&shown, fs_err::read(answers)?)?;
    let (read, named) = read_answers(&shown, &text, format, &case)?;
    if let Some(named) = named
        && named != party.party
    {
        bail!(
            "`{shown}` holds the answers of `{named}`, not of `{}`",
            party.party
        );
    }
    Ok((case, PartyIdx(idx), read))
}

fn fit_command(args: &FitArgs) -> Result<String> {
    for (name, value) in [
        ("--package-tolerance", args.package_tolerance),
        ("--swing-tolerance", args.swing_tolerance),
    ] {
        if !(value.is_finite() && (0.0..=100.0).contains(&value)) {
            bail!("{name} `{value}` is not in 0..=100");
        }
    }
    let (case, party, answers) = inputs(&args.party, &args.answers)?;
    let options = FitOptions {
        package_tolerance: args.package_tolerance,
        swing_tolerance: args.swing_tolerance,
    };
    let found =
        fit(&case, &answers, &options).map_err(|e| anyhow!("{}: {e}", args.answers.display()))?;
    let fitted_case = case
        .clone()
        .with_party_position(party, found.position.clone())
        .map_err(|e| anyhow!("the fitted position does not fit the case: {e}"))?;
    if let Some(path) = &args.output {
        let shown = path.display().to_string();
        let Some(format) = CaseFormat::from_extension(&shown) else {
            bail!("`{shown}`: a case file ends in .toml or .json");
        };
        if path == &args.party.case {
            bail!("-o `{shown}` is the case read: write the fitted case to another file");
        }
        fs_err::write(path, write_case(&fitted_case, format))?;
    }
    if args.json {
        let json = fit_json(&fitted_case, party, &answers, &found);
        return Ok(format!("{}\n", serde_json::to_string_pretty(&json)?));
    }
    Ok(fit_text(
        &fitted_case,
        party,
        &answers,
        &found,
        &options,
        args.output.as_ref(),
    ))
}

fn fit_text(
    case: &Case,
    party: PartyIdx,
    answers: &Answers,
    found: &Fit,
    options: &FitOptions,
    written: Option<&PathBuf>,
) -> String {
    let mut out = String::new();
    let rated = answers.ratings.iter().flatten().count() + answers.shapes.iter().flatten().count();
    let swings = answers.swings.iter().flatten().count();
    let _ = writeln!(
        out,
        "position fitted for {} from {rated} points rated, {swings} swings and {} packages rated",
        case.parties()[party.0].name,
        answers.packages.len()
    );
    let _ = writeln!(
        out,
        "\nweights (in brackets, how sure: each weight's range over every weighting that fits \
         every package rating within {} points and every swing within {}):",
        decimals(options.package_tolerance, 1),
        decimals(options.swing_tolerance, 1)
    );
    let width = case
        .points()
        .iter()
        .map(|p| point_name(p).chars().count())
        .max()
        .unwrap_or(0);
    for (k, point) in case.points().iter().enumerate() {
        if found.unweighed.contains(&PointIdx(k)) {
            let _ = writeln!(
                out,
                "  {:<width$}  0      (not rated, or every value alike)",
                point_name(point)
            );
            continue;
        }
        let (lo, hi) = found.ranges[k];
        let _ = writeln!(
            out,
            "  {:<width$}  {:.3}  ({:.3} to {:.3})",
            point_name(point),
            found.weights[k],
            lo,
            hi
        );
    }
    let _ = writeln!(
        out,
        "\nreservation value: {}{}",
        decimals(found.position.reservation_value, 3),
        if answers.no_agreement.is_some() {
            " (where you placed no agreement)"
        } else {
            " (no agreement was not placed)"
        }
    );
    if found.position.red_lines.is_empty() {
        let _ = writeln!(out, "red lines: none");
    } else {
        let _ = writeln!(out, "red lines:");
        for red_line in &found.position.red_lines {
            let _ = writeln!(out, "  {}", describe_red_line(case, red_line));
        }
    }
    if !found.packages.is_empty() {
        let _ = writeln!(
            out,
            "\npackages as you rated them and as the fitted position rates them{}:",
            found
                .tau
                .map(|t| format!(" (rank agreement, Kendall's tau: {})", decimals(t, 2)))
                .unwrap_or_default()
        );
        for (k, r) in found.packages.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. rated {}, fitted {}",
                k + 1,
                decimals(r.given, 1),
                decimals(r.fitted, 1)
            );
        }
    }
    if found.inconsistencies.is_empty() {
        let _ = writeln!(out, "\nthe answers agree with each other");
    } else {
        let _ = writeln!(out, "\nwhere the answers disagree:");
        for i in &found.inconsistencies {
            let _ = writeln!(out, "  - {}", describe_inconsistency(case, i));
        }
    }
    match written {
        Some(path) => {
            let _ = writeln!(out, "\nthe case with this position: {}", path.display());
        }
        None => {
            let _ = writeln!(out, "\n(-o FILE writes the case with this position)");
        }
    }
    out
}

fn fit_json(case: &Case, party: PartyIdx, answers: &Answers, found: &Fit) -> Value {
    let by_point = |f: &dyn Fn(usize) -> Value| -> serde_json::Map<String, Value> {
        case.points()
            .iter()
            .enumerate()
            .map(|(k, p)| (p.id.clone(), f(k)))
            .collect()
    };
    json!({
        "party": case.parties()[party.0].id,
        "weights": by_point(&|k| json!(found.weights[k])),
        "ranges": by_point(&|k| json!([found.ranges[k].0, found.ranges[k].1])),
        "unweighed": found.unweighed.iter().map(|p| case.points()[p.0].id.clone()).collect::<Vec<_>>(),
        "reservation_value": found.position.reservation_value,
        "red_lines": found.position.red_lines.iter().map(|r| describe_red_line(case, r)).collect::<Vec<_>>(),
        "packages": found.packages.iter().zip(&answers.packages).map(|(r, (p, _))| json!({
            "package": package_map(case, p),
            "rating": r.given,
            "fitted": r.fitted,
        })).collect::<Vec<_>>(),
        "swings": by_point(&|k| found.swings[k].map_or(Value::Null, |r| json!({"given": r.given, "fitted": r.fitted}))),
        "swing_reference": found.top.map(|p| case.points()[p.0].id.clone()),
        "tau": found.tau,
        "inconsistencies": found.inconsistencies.iter().map(|i| json!({
            "kind": match i {
                Inconsistency::Order { .. } => "order",
                Inconsistency::Package { .. } => "package",
                Inconsistency::Swing { .. } => "swing",
                Inconsistency::Unacceptable { .. } => "unacceptable",
                _ => "other",
            },
            "message": describe_inconsistency(case, i),
        })).collect::<Vec<_>>(),
    })
}

fn suggest_command(args: &SuggestArgs) -> Result<String> {
    if args.n == 0 {
        bail!("-n must be at least 1");
    }
    let (case, _, answers) = inputs(&args.party, &args.answers)?;
    // With enough answers to fit, the suggestions follow the fitted weights' ranges.
    let found = fit(&case, &answers, &FitOptions::default()).ok();
    let packages = suggest(&case, &answers, found.as_ref(), args.n, args.seed)
        .map_err(|e| anyhow!("{}: {e}", args.answers.display()))?;
    if args.json {
        let list: Vec<Value> = packages
            .iter()
            .map(|p| Value::Object(package_map(&case, p).into_iter().collect()))
            .collect();
        return Ok(format!("{}\n", serde_json::to_string_pretty(&list)?));
    }
    let mut out = String::from(
        "# Rate each package from 0 (the worst on every point) to 100 (the best on every\n\
         # point), then add these tables to the answers file.\n",
    );
    for p in &packages {
        // An inline TOML table; quoted keys and JSON strings are valid TOML.
        let fields: Vec<String> = package_map(&case, p)
            .into_iter()
            .map(|(k, v)| format!("{} = {v}", Value::String(k)))
            .collect();
        let _ = writeln!(
            out,
            "\n[[packages]]\nrating = 50  # your rating\npackage = {{ {} }}",
            fields.join(", ")
        );
    }
    Ok(out)
}
