//! `time-domain`: accord's side of the NegMAS side-by-side table (docs/benchmarks.md).
//!
//! Loads a GENIUS (or GeniusWeb) domain folder with accord-formats and analyses it with
//! `accord_core::analyze` (frontier, then the Nash, Kalai–Smorodinsky, egalitarian and
//! utilitarian packages), each `--repeats` times, and prints one JSON line:
//!
//! ```text
//! {"domain":"anac2011-Car","n_packages":15625,"parties":2,"profiles":[...],"repeats":5,
//!  "load_s":0.0012,"analyze_s":0.0009,"status":"exact","method":"enumeration","frontier_size":53}
//! ```
//!
//! Times are medians of wall-clock time (`std::time::Instant`). `status` is `exact` when a
//! frontier was found and `too-large` when accord answered that it cannot find one; the
//! time to that answer is still `analyze_s`. Exit 0 on success, 2 on an error.

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use accord_bench::{LoadedDomain, frontier_size, load_domain_folder, median_seconds};
use accord_core::{AnalysisOptions, FrontierMethod, analyze_with};
use anyhow::Result;
use clap::Parser;
use serde_json::json;

/// Time loading and analysing one domain folder; print one JSON line.
#[derive(Parser)]
#[command(name = "time-domain", version)]
struct Args {
    /// A GENIUS or GeniusWeb domain folder.
    domain: PathBuf,
    /// How many times to load and to analyse; the medians are printed.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    repeats: u32,
    /// Analyse the first K profiles by file name (default 3: `accord analyze`'s default).
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    parties: Option<u32>,
    /// Enumerate, to count the packages that meet every reservation value, instead of
    /// merging additive cases (`accord analyze --count`).
    #[arg(long)]
    count: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(line) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe is not an error of this program.
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
    let n_parties = args.parties.map(|k| k as usize);
    let mut load_times = Vec::new();
    let mut loaded: Option<LoadedDomain> = None;
    for _ in 0..args.repeats {
        let start = Instant::now();
        let domain = load_domain_folder(&args.domain, n_parties)?;
        load_times.push(start.elapsed());
        loaded = Some(domain);
    }
    let loaded = loaded.expect("at least one repeat");
    let options = AnalysisOptions {
        count_feasible: args.count,
        ..AnalysisOptions::default()
    };
    let mut analyze_times = Vec::new();
    let mut last = None;
    for _ in 0..args.repeats {
        let start = Instant::now();
        let analysis = analyze_with(black_box(&loaded.case), &loaded.parties, &options);
        analyze_times.push(start.elapsed());
        // Dropping the previous answer is outside the timed span.
        last = Some(black_box(analysis));
    }
    let analysis = last.expect("at least one repeat");
    let (status, method) = match &analysis.result {
        Ok(exact) => (
            "exact",
            Some(match exact.method {
                FrontierMethod::Enumeration => "enumeration",
                FrontierMethod::Merge => "merge",
                FrontierMethod::Search => "search",
            }),
        ),
        Err(_) => ("too-large", None),
    };
    let n_packages = match loaded.case.n_packages() {
        Some(n) => u64::try_from(n).map_or_else(|_| json!(n as f64), |n| json!(n)),
        None => json!(null),
    };
    Ok(json!({
        "domain": loaded.name,
        "n_packages": n_packages,
        "parties": loaded.parties.len(),
        "profiles": loaded.profiles,
        "repeats": args.repeats,
        "load_s": median_seconds(&mut load_times),
        "analyze_s": median_seconds(&mut analyze_times),
        "status": status,
        "method": method,
        "frontier_size": frontier_size(&analysis),
    }))
}
