//! `accord`: analyse negotiation cases from the command line.
//!
//! - `accord analyze PATH [--json]`: feasibility, Pareto frontier and bargaining packages.
//! - `accord check PATH`: validate and summarise; exit 1 when nothing is feasible.
//! - `accord convert PATH --to genius|geniusweb|toml|json -o OUT`: write a case or domain
//!   folder in another format.
//! - `accord evaluate PATH --package FILE`: score one package for every party.
//! - `accord report PATH [-o FILE]`: the mediator's report, HTML or Markdown with SVG plots.
//! - `accord negotiate PATH --negotiators A,B`: one SAOP session between standard
//!   negotiators, with its offer trace.
//! - `accord tournament CONFIG [-o DIR] [--shard I/N]`: every negotiator against every other
//!   on every domain (docs/tournament.md); `accord merge` joins shard results.
//! - `accord mediate PATH`: single-text mediation rehearsed from the draft.
//! - `accord ingest REPORT --case PATH [--json] [--date YYYY-MM-DD]`: a report of talks
//!   read into a proposed meeting record (docs/ingest.md).
//! - `accord serve [--db URL] [--bind ADDR] [--example]`: the workbench server (HTTP/JSON
//!   API) over an SQLite file (default `sqlite:accord.db`) or PostgreSQL.
//!
//! PATH is a case file (`.toml` or `.json`), a GENIUS domain folder or a GeniusWeb domain
//! folder. Exit codes: 0 success, 1 a negative answer, 2 an error (bad input included).

mod convert;
mod elicit;
mod generate;
mod ingest;
mod load;
mod mediate;
mod negotiate;
mod report;
mod serve;
mod tournament;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use accord_core::{
    AnalysisOptions, DiagnosisLimit, EnumerationLimit, InsightOptions, SolveLimit, analyze_with,
    diagnose, insight,
};
use accord_formats::case_file::CaseFormat;
use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use crate::load::{Loaded, load};

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
    /// Write a case or domain folder as a GENIUS XML or GeniusWeb JSON domain folder (the
    /// folders GENIUS, GeniusWeb and NegMAS load), or as a case file; what the format
    /// cannot hold is refused, each thing named, unless --allow-loss.
    Convert(convert::ConvertArgs),
    /// Write a random additive case file (reproducible from its seed), for benchmarks.
    Generate(GenerateArgs),
    /// The mediator's report: why there is no agreement, the draft and the trades that
    /// improve it, the frontier for every pair of parties, heat maps, conflicts,
    /// robustness and fairness; a self-contained HTML page, or Markdown with SVG files.
    Report(ReportArgs),
    /// One negotiation session (stacked alternating offers) between standard negotiators:
    /// the offer trace, with every party's utility of each offer, and the outcome.
    Negotiate(negotiate::NegotiateArgs),
    /// Run a tournament configuration (docs/tournament.md): every negotiator against every
    /// other, on every domain, in every order; writes results.jsonl and results.csv, and a
    /// summary per negotiator (printed, and as summary.txt and summary.csv).
    Tournament(tournament::TournamentArgs),
    /// Join the results of tournament shards (results-I-of-N.jsonl) into results.jsonl and
    /// results.csv, and print the summary (also written as summary.txt and summary.csv).
    Merge(tournament::MergeArgs),
    /// Build a party's position from its answers to the elicitation questions (option
    /// ratings, swings, ratings of whole packages; docs/elicitation.md), and pick the
    /// packages to ask about next.
    #[command(subcommand)]
    Elicit(elicit::ElicitCommand),
    /// Rehearse single-text mediation from the draft: the mediator proposes one change at
    /// a time, the parties vote, and the text moves (Klein et al. 2003).
    Mediate(mediate::MediateArgs),
    /// Read a report of talks (plain text: a news report, a readout, a meeting note)
    /// against a case and propose meeting records: date, place, people matched to the
    /// delegates, roles, statements and points, each citing its sentence
    /// (docs/ingest.md).
    Ingest(ingest::IngestArgs),
    /// The workbench server: an HTTP/JSON API (`OpenAPI` at `/openapi.json`) over an SQLite
    /// file or a PostgreSQL database. The first start creates the account `mediator` and
    /// prints its password once; serves until Ctrl-C or SIGTERM.
    Serve(serve::ServeArgs),
}

#[derive(Args)]
struct ReportArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Write the report to this file (default: print it); the plots of a Markdown report
    /// are written beside it, as FILE-STEM-NAME.svg.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// html or md (default: from the output file's extension, else html).
    #[arg(long, value_parser = ["html", "md"])]
    format: Option<String>,
}

#[derive(Args)]
struct GenerateArgs {
    /// Number of points (at most 100,000; points × options × parties at most 20,000,000).
    #[arg(long)]
    points: usize,
    /// Options per point (2 to 10,000).
    #[arg(long)]
    options: usize,
    /// Number of parties (at most 1,000).
    #[arg(long)]
    parties: usize,
    /// Red lines, each forbidding one option of one point for one party.
    #[arg(long, default_value_t = 0)]
    red_lines: usize,
    /// The largest reservation value (0 to 1): each party's is drawn between half of it
    /// and it.
    #[arg(long, default_value_t = 0.0, value_name = "R")]
    reservation: f64,
    /// Seed of the random generator.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Hyper-rectangle positions instead of additive ones (the ANAC 2014 shape): this many
    /// rewarded boxes a party over integer points of values 0 to options - 1, each party's
    /// best package worth 1; no red lines. At most 100,000 (parties × rectangles at most
    /// 20,000,000).
    #[arg(long, value_name = "N")]
    rectangles: Option<usize>,
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
    /// cases); by default the frontier is exact or, when the exact one is too large to
    /// merge, within 0.01 (0.05 from four parties; from five, a certified ε-Pareto set at
    /// the finest bound that answers in about a second).
    #[arg(long, value_name = "E", value_parser = parse_epsilon, conflicts_with = "exact")]
    epsilon: Option<f64>,
    /// Insist on the exact frontier: no approximation as a fallback, and merging may keep
    /// up to 20,000,000 partial frontier vectors and do 100 times its usual work before it
    /// gives way (memory grows with the frontier).
    #[arg(long)]
    exact: bool,
    /// The most nodes the search for exact bargaining packages may visit where the
    /// frontier is approximate or missing (0: no search).
    #[arg(long, default_value_t = SolveLimit::default().max_nodes, value_name = "N")]
    search_nodes: u64,
    /// Count the packages that meet every reservation value, by enumerating them (up to
    /// --max-packages), even where merging per-point frontiers would be faster.
    #[arg(long)]
    count: bool,
    /// The draft on the table: a package file (.toml or .json, `{ point = option or
    /// number }`); replaces the case file's `[draft]`.
    #[arg(long, value_name = "FILE")]
    draft: Option<PathBuf>,
}

impl InputArgs {
    fn insight_options(&self) -> InsightOptions {
        InsightOptions {
            analysis: self.options(),
            ..InsightOptions::default()
        }
    }

    fn options(&self) -> AnalysisOptions {
        let options = AnalysisOptions {
            enumeration: EnumerationLimit(self.max_packages),
            epsilon: self.epsilon,
            count_feasible: self.count,
            solve: (self.search_nodes > 0).then(|| SolveLimit {
                max_nodes: self.search_nodes,
                ..SolveLimit::default()
            }),
            ..AnalysisOptions::default()
        };
        if self.exact { options.exact() } else { options }
    }

    /// The case and parties, with the draft from --draft when given.
    fn load(&self) -> Result<Loaded> {
        let mut loaded = load(&self.path, &self.parties)?;
        if let Some(path) = &self.draft {
            let package = read_package_file(path, &loaded.case)?;
            let shown = path.display().to_string();
            loaded.case = loaded
                .case
                .with_draft(package)
                .map_err(|e| anyhow::anyhow!("`{shown}`: {e}"))?;
        }
        Ok(loaded)
    }
}

/// A package file (.toml or .json) for `case`.
fn read_package_file(
    path: &std::path::Path,
    case: &accord_core::Case,
) -> Result<accord_core::Package> {
    let shown = path.display().to_string();
    let Some(format) = CaseFormat::from_extension(&shown) else {
        anyhow::bail!("`{shown}`: a package file ends in .toml or .json");
    };
    let text = accord_formats::case_file::utf8_text(&shown, fs_err::read(path)?)?;
    Ok(accord_formats::case_file::read_package(
        &shown, &text, format, case,
    )?)
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
            let loaded = args.input.load()?;
            let found = insight(&loaded.case, &loaded.parties, &args.input.insight_options());
            for warning in &loaded.source.warnings {
                let _ = writeln!(io::stderr(), "warning: {warning}");
            }
            if args.json {
                let json = accord_formats::analysis_json::analysis_to_json(
                    &loaded.case,
                    &found,
                    &loaded.source,
                );
                let text = serde_json::to_string_pretty(&json)?;
                writeln!(out, "{text}")?;
            } else {
                out.write_all(
                    report::render(&loaded.case, &found, &loaded.source, args.top).as_bytes(),
                )?;
            }
            // A case too large to enumerate still gets a report that says so: an answer.
            Ok(Outcome::Done)
        }
        Command::Report(args) => {
            let loaded = args.input.load()?;
            let found = insight(&loaded.case, &loaded.parties, &args.input.insight_options());
            for warning in &loaded.source.warnings {
                let _ = writeln!(io::stderr(), "warning: {warning}");
            }
            let view = accord_report::View {
                case: &loaded.case,
                insight: &found,
                source: &loaded.source.path,
            };
            let markdown = match args.format.as_deref() {
                Some(format) => format == "md",
                None => args
                    .output
                    .as_ref()
                    .is_some_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"))),
            };
            match (&args.output, markdown) {
                (None, false) => out.write_all(accord_report::html(&view).as_bytes())?,
                (None, true) => {
                    let md = accord_report::markdown(&view, "");
                    out.write_all(md.text.as_bytes())?;
                    let _ = writeln!(
                        io::stderr(),
                        "warning: the {} plots of a Markdown report are written only with -o FILE",
                        md.plots.len()
                    );
                }
                (Some(path), false) => fs_err::write(path, accord_report::html(&view))?,
                (Some(path), true) => {
                    let stem = path.file_stem().map_or_else(
                        || "report".to_string(),
                        |s| s.to_string_lossy().into_owned(),
                    );
                    let md = accord_report::markdown(&view, &format!("{stem}-"));
                    let dir = path.parent().unwrap_or(std::path::Path::new(""));
                    for plot in &md.plots {
                        fs_err::write(dir.join(format!("{stem}-{}", plot.file_name)), &plot.svg)?;
                    }
                    fs_err::write(path, md.text)?;
                }
            }
            Ok(Outcome::Done)
        }
        Command::Evaluate(args) => {
            let loaded = args.input.load()?;
            let shown = args.package.display().to_string();
            let package = read_package_file(&args.package, &loaded.case)?;
            let (text, acceptable) =
                report::evaluation(&loaded.case, &loaded.parties, &package, &shown);
            out.write_all(text.as_bytes())?;
            Ok(if acceptable {
                Outcome::Done
            } else {
                Outcome::Negative
            })
        }
        Command::Convert(args) => {
            convert::convert(&args, out)?;
            Ok(Outcome::Done)
        }
        Command::Generate(args) => {
            let case = generate::generate(
                &accord_formats::generate::GenerateSpec {
                    points: args.points,
                    options: args.options,
                    parties: args.parties,
                    red_lines: args.red_lines,
                    reservation: args.reservation,
                    seed: args.seed,
                },
                args.rectangles,
            )?;
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
        Command::Negotiate(args) => {
            out.write_all(negotiate::negotiate(&args)?.as_bytes())?;
            Ok(Outcome::Done)
        }
        Command::Tournament(args) => {
            out.write_all(tournament::tournament(&args)?.as_bytes())?;
            Ok(Outcome::Done)
        }
        Command::Merge(args) => {
            out.write_all(tournament::merge(&args)?.as_bytes())?;
            Ok(Outcome::Done)
        }
        Command::Mediate(args) => {
            out.write_all(mediate::mediate(&args)?.as_bytes())?;
            Ok(Outcome::Done)
        }
        Command::Elicit(command) => {
            out.write_all(elicit::elicit(&command)?.as_bytes())?;
            Ok(Outcome::Done)
        }
        Command::Ingest(args) => {
            out.write_all(ingest::run(&args)?.as_bytes())?;
            Ok(Outcome::Done)
        }
        Command::Serve(args) => {
            serve::serve(&args, out)?;
            Ok(Outcome::Done)
        }
        Command::Check(input) => {
            let loaded = input.load()?;
            let options = input.options();
            let analysis = analyze_with(&loaded.case, &loaded.parties, &options);
            let infeasible =
                matches!(&analysis.result, Ok(exact) if exact.bargaining.ideal_point.is_none());
            let diagnosis = if infeasible {
                diagnose(
                    &loaded.case,
                    &loaded.parties,
                    &options,
                    DiagnosisLimit::default(),
                )
            } else {
                None
            };
            let (text, feasible) =
                report::check_summary(&loaded.case, &analysis, diagnosis.as_ref(), &loaded.source);
            out.write_all(text.as_bytes())?;
            Ok(if feasible == Some(false) {
                Outcome::Negative
            } else {
                Outcome::Done
            })
        }
    }
}
