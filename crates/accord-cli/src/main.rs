//! `accord`: analyse negotiation cases from the command line.
//!
//! - `accord analyze PATH [--json]`: feasibility, Pareto frontier and bargaining packages.
//! - `accord check PATH`: validate and summarise; exit 1 when nothing is feasible.
//! - `accord evaluate PATH --package FILE`: score one package for every party.
//!
//! PATH is a case file (`.toml` or `.json`), a GENIUS domain folder or a GeniusWeb domain
//! folder. Exit codes: 0 success, 1 a negative answer, 2 an error (bad input included).

mod generate;
mod load;
mod report;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use accord_core::{AnalysisOptions, EnumerationLimit, analyze_with};
use accord_formats::case_file::CaseFormat;
use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use crate::load::load;

#[derive(Parser)]
#[command(
    name = "accord",
    version,
    about = "Analyse multi-party, multi-issue negotiations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Feasibility, Pareto frontier and bargaining packages (Nash, Kalai–Smorodinsky,
    /// egalitarian, utilitarian) of a case or domain folder.
    Analyze(AnalyzeArgs),
    /// Validate a case or domain folder and summarise it; exit 1 when no package clears
    /// every red line and reservation value.
    Check(InputArgs),
    /// Score one package (a draft) for every party: utility, reservation value, the red
    /// lines it crosses; exit 1 when some party cannot accept it.
    Evaluate(EvaluateArgs),
    /// Write a random additive case file (reproducible from its seed), for benchmarks.
    Generate(GenerateArgs),
}

#[derive(Args)]
struct GenerateArgs {
    /// Number of points.
    #[arg(long)]
    points: usize,
    /// Options per point.
    #[arg(long)]
    options: usize,
    /// Number of parties.
    #[arg(long)]
    parties: usize,
    /// Red lines, each forbidding one option of one point for one party.
    #[arg(long, default_value_t = 0)]
    red_lines: usize,
    /// Seed of the random generator.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Write to this file (.toml or .json) instead of printing TOML.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct EvaluateArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The package: a TOML or JSON file `{ point = option or number }`, the form of every
    /// `package` in `accord analyze --json`.
    #[arg(long, value_name = "FILE")]
    package: PathBuf,
}

#[derive(Args)]
struct InputArgs {
    /// A case file (.toml or .json), a GENIUS domain folder or a GeniusWeb domain folder.
    path: PathBuf,
    /// The parties to analyse, comma-separated: party ids of a case file, or profile file
    /// names of a folder (default: every party with a position; for a folder, the first
    /// three profiles by file name).
    #[arg(long, alias = "profiles", value_delimiter = ',', value_name = "IDS")]
    parties: Vec<String>,
    /// Enumerate every package up to this many; above, additive cases are merged.
    #[arg(long, default_value_t = EnumerationLimit::default().0, value_name = "N")]
    max_packages: u128,
    /// An approximate frontier within this bound, in utility, for every party (additive
    /// cases); by default the frontier is exact, or within 0.01 when the exact one is too
    /// large to merge.
    #[arg(long, value_name = "E", value_parser = parse_epsilon)]
    epsilon: Option<f64>,
    /// Count the packages that meet every reservation value, by enumerating them (up to
    /// --max-packages), even where merging per-point frontiers would be faster.
    #[arg(long)]
    count: bool,
}

impl InputArgs {
    fn options(&self) -> AnalysisOptions {
        AnalysisOptions {
            enumeration: EnumerationLimit(self.max_packages),
            epsilon: self.epsilon,
            count_feasible: self.count,
            ..AnalysisOptions::default()
        }
    }
}

fn parse_epsilon(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(e) if (1e-6..=f64::MAX).contains(&e) => Ok(e),
        Ok(e) if e > 0.0 => Err(format!("`{text}` is below the smallest bound, 1e-6")),
        _ => Err(format!("`{text}` is not a positive number")),
    }
}

#[derive(Args)]
struct AnalyzeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Print one JSON object (docs/analysis-json.md) instead of the report.
    #[arg(long)]
    json: bool,
    /// How many frontier packages the report lists (best welfare first).
    #[arg(long, default_value_t = 5, value_name = "K")]
    top: usize,
}

/// What a command found: 0 for an answer, 1 for a negative one.
enum Outcome {
    Done,
    Negative,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = io::stdout().lock();
    match run(cli, &mut out) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Negative) => ExitCode::from(1),
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(io::stderr(), "error: {}", one_line_chain(&error));
            ExitCode::from(2)
        }
    }
}

/// The error chain on one line; a cause of several lines (every problem of a file) goes
/// below it, indented.
fn one_line_chain(error: &anyhow::Error) -> String {
    let chain: Vec<String> = error.chain().map(ToString::to_string).collect();
    match chain.split_last() {
        Some((last, context)) if last.contains('\n') && !context.is_empty() => {
            let lines: Vec<String> = last.lines().map(|l| format!("  {l}")).collect();
            format!("{}:\n{}", context.join(": "), lines.join("\n"))
        }
        _ => chain.join(": "),
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli, out: &mut impl Write) -> Result<Outcome> {
    match cli.command {
        Command::Analyze(args) => {
            let loaded = load(&args.input.path, &args.input.parties)?;
            let analysis = analyze_with(&loaded.case, &loaded.parties, &args.input.options());
            for warning in &loaded.source.warnings {
                let _ = writeln!(io::stderr(), "warning: {warning}");
            }
            if args.json {
                let json = accord_formats::analysis_json::analysis_to_json(
                    &loaded.case,
                    &analysis,
                    &loaded.source,
                );
                let text = serde_json::to_string_pretty(&json)?;
                writeln!(out, "{text}")?;
            } else {
                out.write_all(
                    report::render(&loaded.case, &analysis, &loaded.source, args.top).as_bytes(),
                )?;
            }
            // A case too large to enumerate still gets a report that says so: an answer.
            Ok(Outcome::Done)
        }
        Command::Evaluate(args) => {
            let loaded = load(&args.input.path, &args.input.parties)?;
            let shown = args.package.display().to_string();
            let Some(format) = CaseFormat::from_extension(&shown) else {
                anyhow::bail!("`{shown}`: a package file ends in .toml or .json");
            };
            let text = fs_err::read_to_string(&args.package)?;
            let package =
                accord_formats::case_file::read_package(&shown, &text, format, &loaded.case)?;
            let (text, acceptable) =
                report::evaluation(&loaded.case, &loaded.parties, &package, &shown);
            out.write_all(text.as_bytes())?;
            Ok(if acceptable {
                Outcome::Done
            } else {
                Outcome::Negative
            })
        }
        Command::Generate(args) => {
            let case = generate::generate(&accord_formats::generate::GenerateSpec {
                points: args.points,
                options: args.options,
                parties: args.parties,
                red_lines: args.red_lines,
                seed: args.seed,
            })?;
            match &args.output {
                None => out.write_all(
                    accord_formats::case_file::write_case(&case, CaseFormat::Toml).as_bytes(),
                )?,
                Some(path) => {
                    let shown = path.display().to_string();
                    let Some(format) = CaseFormat::from_extension(&shown) else {
                        anyhow::bail!("`{shown}`: a case file ends in .toml or .json");
                    };
                    fs_err::write(path, accord_formats::case_file::write_case(&case, format))?;
                }
            }
            Ok(Outcome::Done)
        }
        Command::Check(input) => {
            let loaded = load(&input.path, &input.parties)?;
            let analysis = analyze_with(&loaded.case, &loaded.parties, &input.options());
            let (text, feasible) = report::check_summary(&loaded.case, &analysis, &loaded.source);
            out.write_all(text.as_bytes())?;
            Ok(if feasible == Some(false) {
                Outcome::Negative
            } else {
                Outcome::Done
            })
        }
    }
}
