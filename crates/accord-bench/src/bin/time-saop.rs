//! `time-saop`: accord's side of the NegMAS SAOP table (docs/benchmarks.md).
//!
//! Loads a GENIUS (or GeniusWeb) domain folder and runs `--runs` stacked-alternating-offers
//! sessions between the given negotiators (default Boulware against Conceder, 100 rounds,
//! the NegMAS harness's default), rotating the line-up each run as the harness does. Each
//! timed session includes everything a fresh session needs: every party's packages
//! ordered by its utility ([`accord_core::OutcomeIndex`]), the negotiators, and the
//! session itself. Prints one JSON line:
//!
//! ```text
//! {"domain":"anac2011-Car","n_packages":15625,"parties":2,"runs":9,"saop_s":0.0004,
//!  "agreement_rate":1.0,"median_rounds":71}
//! ```
//!
//! Times are medians of wall-clock time. Exit 0 on success, 2 on an error.

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use accord_bench::{load_domain_folder, median_seconds};
use accord_core::{Deadline, Negotiator, NoClock, OutcomeIndex, SaopOptions, negotiator, run_saop};
use anyhow::{Result, bail};
use clap::Parser;
use serde_json::json;

/// Time SAOP sessions on one domain folder; print one JSON line.
#[derive(Parser)]
#[command(name = "time-saop", version)]
struct Args {
    /// A GENIUS or GeniusWeb domain folder.
    domain: PathBuf,
    /// How many sessions to time; the median is printed.
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// The first K profiles by file name negotiate (default 2).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(2..))]
    parties: u32,
    /// Negotiators, comma-separated, cycled over the parties and rotated each run.
    #[arg(long, default_value = "boulware,conceder", value_delimiter = ',')]
    negotiators: Vec<String>,
    /// The deadline in rounds.
    #[arg(long, default_value_t = 100)]
    rounds: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(line) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<serde_json::Value> {
    let loaded = load_domain_folder(&args.domain, Some(args.parties as usize))?;
    for name in &args.negotiators {
        if negotiator(name).is_none() {
            bail!("no negotiator `{name}`");
        }
    }
    let case = &loaded.case;
    let mut times = Vec::new();
    let mut agreements = 0;
    let mut rounds = Vec::new();
    for k in 0..args.runs as usize {
        let start = Instant::now();
        let indexes: Vec<OutcomeIndex> = loaded
            .parties
            .iter()
            .map(|&p| {
                let position = case.position(p).expect("every profile is a position");
                OutcomeIndex::new(case.points(), position, OutcomeIndex::DEFAULT_LIMIT, 0)
            })
            .collect();
        let refs: Vec<&OutcomeIndex> = indexes.iter().collect();
        let mut negotiators: Vec<Box<dyn Negotiator>> = (0..loaded.parties.len())
            .map(|place| {
                let name = &args.negotiators[(place + k) % args.negotiators.len()];
                negotiator(name).expect("checked above")
            })
            .collect();
        let options = SaopOptions {
            deadline: Deadline::rounds(args.rounds),
            seed: k as u64,
            record: false,
        };
        let outcome = run_saop(
            black_box(case),
            &loaded.parties,
            &mut negotiators,
            &refs,
            &options,
            &NoClock,
        );
        times.push(start.elapsed());
        if outcome.agreement.is_some() {
            agreements += 1;
        }
        rounds.push(outcome.rounds);
        black_box(outcome);
    }
    rounds.sort_unstable();
    let n_packages = match case.n_packages() {
        Some(n) => u64::try_from(n).map_or_else(|_| json!(n as f64), |n| json!(n)),
        None => json!(null),
    };
    Ok(json!({
        "domain": loaded.name,
        "n_packages": n_packages,
        "parties": loaded.parties.len(),
        "profiles": loaded.profiles,
        "negotiators": args.negotiators,
        "rounds": args.rounds,
        "runs": args.runs,
        "saop_s": median_seconds(&mut times),
        "agreement_rate": f64::from(agreements) / f64::from(args.runs),
        "median_rounds": rounds[rounds.len() / 2],
    }))
}
