//! Times `solve_bargaining` on a generated case: `time-solve POINTS OPTIONS PARTIES RED_LINES RESERVATION SEED`.
#![allow(missing_docs)]
use accord_core::{SolveLimit, solve_bargaining};
use accord_formats::generate::{GenerateSpec, generate_case};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let spec = GenerateSpec {
        points: a[0].parse().unwrap(),
        options: a[1].parse().unwrap(),
        parties: a[2].parse().unwrap(),
        red_lines: a[3].parse().unwrap(),
        reservation: a[4].parse().unwrap(),
        seed: a[5].parse().unwrap(),
    };
    let case = generate_case(&spec).unwrap();
    let parties = case.negotiating_parties();
    let start = std::time::Instant::now();
    let solved = solve_bargaining(&case, &parties, SolveLimit::default());
    let elapsed = start.elapsed();
    match solved {
        Ok(s) => {
            let b = &s.bargaining;
            println!("{:.3} s, {} nodes", elapsed.as_secs_f64(), s.nodes);
            println!("nash {:?}", b.nash.as_ref().map(|p| p.objective));
            println!("ks {:?}", b.kalai_smorodinsky.as_ref().map(|p| p.objective));
            println!("egal {:?}", b.egalitarian.as_ref().map(|p| p.objective));
            println!("util {:?}", b.utilitarian.as_ref().map(|p| p.objective));
        }
        Err(e) => println!("{:.3} s: {e}", elapsed.as_secs_f64()),
    }
}
