//! `time-solve`: the many-party figures of docs/benchmarks.md.
//!
//! Generates a case with `accord_formats::generate` (the same case `accord generate`
//! writes for the same flags), finds its exact bargaining packages without the frontier
//! (`accord_core::solve_bargaining`) and, with `--pairs`, the frontier of every pair of
//! parties among the packages the others accept (`accord_core::pair_frontiers`, the pairs
//! on every core) and, with `--cover EPSILON`, a certified ε-Pareto set
//! (`accord_core::epsilon_pareto_set`), each `--repeats` times, and prints one JSON line:
//!
//! ```text
//! {"points":28,"options":5,"parties":8,"red_lines":6,"reservation":0.5,"seed":1,
//!  "repeats":5,"solve_s":3.36,"nodes":287271,"nash":1.44e-5,...}
//! ```
//!
//! Times are medians of wall-clock time (`std::time::Instant`). Exit 0 on success, 2 on an
//! error (including a search that gave way).

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use accord_bench::median_seconds;
use accord_core::{
    SolveLimit, epsilon_pareto_set, pair_frontiers, rectangle_frontier, solve_bargaining,
};
use accord_formats::generate::{GenerateSpec, generate_case, generate_rectangle_case};
use anyhow::Result;
use clap::Parser;
use serde_json::json;

/// Time the exact bargaining packages of a generated case; print one JSON line.
#[derive(Parser)]
#[command(name = "time-solve", version)]
struct Args {
    /// Number of points.
    #[arg(long, default_value_t = 28)]
    points: usize,
    /// Options per point.
    #[arg(long, default_value_t = 5)]
    options: usize,
    /// Number of parties.
    #[arg(long)]
    parties: usize,
    /// Red lines, each forbidding one option of one point for one party.
    #[arg(long, default_value_t = 6)]
    red_lines: usize,
    /// The largest reservation value.
    #[arg(long, default_value_t = 0.5)]
    reservation: f64,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many times to solve; the median is printed.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    repeats: u32,
    /// The most search nodes (default: `SolveLimit::default()`'s).
    #[arg(long)]
    max_nodes: Option<u64>,
    /// Also find the frontier of every pair of parties, with at most this many vectors
    /// each.
    #[arg(long, value_name = "VECTORS")]
    pairs: Option<usize>,
    /// A hyper-rectangle case instead (`accord generate --rectangles N`: values per point
    /// from `--options`, two parties): time its exact frontier traced by search.
    #[arg(long, value_name = "N")]
    rectangles: Option<usize>,
    /// Also find a certified ε-Pareto set of all the parties with this ε
    /// (`accord_core::epsilon_pareto_set`).
    #[arg(long, value_name = "EPSILON")]
    cover: Option<f64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<serde_json::Value> {
    if let Some(rectangles) = args.rectangles {
        return run_rectangles(args, rectangles);
    }
    let case = generate_case(&GenerateSpec {
        points: args.points,
        options: args.options,
        parties: args.parties,
        red_lines: args.red_lines,
        reservation: args.reservation,
        seed: args.seed,
    })?;
    let parties = case.negotiating_parties();
    let limit = SolveLimit {
        max_nodes: args.max_nodes.unwrap_or(SolveLimit::default().max_nodes),
        ..SolveLimit::default()
    };
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..args.repeats {
        let start = Instant::now();
        let solved = solve_bargaining(&case, &parties, limit)
            .map_err(|why| anyhow::anyhow!("the search gave way: {why}"))?;
        times.push(start.elapsed());
        last = Some(black_box(solved));
    }
    let solved = last.expect("at least one repeat");
    let b = &solved.bargaining;
    let objective = |p: &Option<accord_core::BargainingPoint>| p.as_ref().map(|p| p.objective);
    let mut line = json!({
        "points": args.points,
        "options": args.options,
        "parties": args.parties,
        "red_lines": args.red_lines,
        "reservation": args.reservation,
        "seed": args.seed,
        "repeats": args.repeats,
        "solve_s": median_seconds(&mut times),
        "nodes": solved.nodes,
        "nash": objective(&b.nash),
        "kalai_smorodinsky": objective(&b.kalai_smorodinsky),
        "egalitarian": objective(&b.egalitarian),
        "utilitarian": objective(&b.utilitarian),
    });
    if let Some(max_vectors) = args.pairs {
        let n = parties.len();
        let mut times = Vec::new();
        let mut sizes = Vec::new();
        let pairs: Vec<(usize, usize)> = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .collect();
        for _ in 0..args.repeats {
            let start = Instant::now();
            sizes.clear();
            // Every pair at once, on every core, as `accord report` asks for them.
            for (found, (i, j)) in pair_frontiers(&case, &parties, &pairs, max_vectors, limit)
                .into_iter()
                .zip(&pairs)
            {
                let found =
                    found.map_err(|why| anyhow::anyhow!("pair ({i}, {j}) gave way: {why}"))?;
                sizes.push(found.frontier.len());
            }
            times.push(start.elapsed());
        }
        line["pairs_s"] = json!(median_seconds(&mut times));
        line["pair_sizes"] = json!(sizes);
    }
    if let Some(epsilon) = args.cover {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..args.repeats {
            let start = Instant::now();
            let found = epsilon_pareto_set(&case, &parties, epsilon, limit)
                .map_err(|why| anyhow::anyhow!("the ε-Pareto set gave way: {why}"))?;
            times.push(start.elapsed());
            last = Some(black_box(found));
        }
        let (scan, nodes) = last.expect("at least one repeat");
        line["cover_s"] = json!(median_seconds(&mut times));
        line["cover_nodes"] = json!(nodes);
        line["cover_vectors"] = json!(scan.frontier.len());
    }
    Ok(line)
}

/// The frontier of a generated hyper-rectangle case, traced by search.
fn run_rectangles(args: &Args, rectangles: usize) -> Result<serde_json::Value> {
    let case = generate_rectangle_case(
        &GenerateSpec {
            points: args.points,
            options: args.options,
            parties: args.parties,
            red_lines: 0,
            reservation: args.reservation,
            seed: args.seed,
        },
        rectangles,
    )?;
    let parties = case.negotiating_parties();
    let limit = SolveLimit {
        max_nodes: args.max_nodes.unwrap_or(SolveLimit::default().max_nodes),
        ..SolveLimit::default()
    };
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..args.repeats {
        let start = Instant::now();
        let found = rectangle_frontier(&case, &parties, limit)
            .map_err(|why| anyhow::anyhow!("the search gave way: {why}"))?;
        times.push(start.elapsed());
        last = Some(black_box(found));
    }
    let (scan, nodes) = last.expect("at least one repeat");
    Ok(json!({
        "points": args.points,
        "values": args.options,
        "parties": args.parties,
        "rectangles": rectangles,
        "seed": args.seed,
        "repeats": args.repeats,
        "frontier_s": median_seconds(&mut times),
        "nodes": nodes,
        "frontier": scan.frontier.len(),
    }))
}
