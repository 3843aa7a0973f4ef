//! Criterion benches of `accord_core::analyze` (frontier and bargaining packages).
//!
//! - `domains`: bundled GENIUS domains from 180 to 5.8 million packages (3 parties for the
//!   ANAC 2016 ones), loaded before timing.
//! - `generated`: random additive cases from `accord_formats::generate` (seed 1): 28 points
//!   x 5 options with 2 and 3 parties, 200 x 10 with 2 parties; merged, never enumerated.
//! - `generated_many_parties`: 28 x 5 with 4 and 5 parties; seconds per answer (4 parties:
//!   an exact frontier of about 350,000 vectors; 5: a refusal when the merge reaches its
//!   work limit), so 10 samples of one run each.
//!
//! `cargo bench -p accord-bench` runs all; `cargo bench -p accord-bench -- domains/` one
//! group. Not run by CI.

use std::hint::black_box;
use std::time::Duration;

use accord_bench::{genius_folder, load_domain_folder};
use accord_core::{Case, EnumerationLimit, PartyIdx, analyze};
use accord_formats::generate::{GenerateSpec, generate_case};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, criterion_group, criterion_main};

/// How to sample one benchmark: the defaults for fast ones; few samples, each one
/// iteration, for those that take a second or more.
#[derive(Clone, Copy)]
enum Size {
    Fast,
    Slow { samples: usize, seconds: u64 },
}

/// GENIUS domains by package count (INDEX.tsv): small, medium, large, and the largest
/// that accord enumerates.
const DOMAINS: &[(&str, Size)] = &[
    // 180 packages, 2 parties.
    ("anac2010-ItexvsCypress", Size::Fast),
    // 625 packages, 3 parties.
    ("anac2016-AgentLightSmartGrid", Size::Fast),
    // 12,000 packages, 2 parties.
    ("anac2013-SmartPhone", Size::Fast),
    // 15,625 packages, 2 parties.
    ("anac2011-Car", Size::Fast),
    // 112,896 packages, 2 parties.
    ("anac2012-SupermarketA", Size::Fast),
    // 390,625 packages, 2 parties.
    (
        "anac2011-Energy",
        Size::Slow {
            samples: 20,
            seconds: 10,
        },
    ),
    // 5,764,801 packages, 3 parties.
    (
        "anac2016-AgentHp2",
        Size::Slow {
            samples: 10,
            seconds: 45,
        },
    ),
];

fn configure(group: &mut BenchmarkGroup<'_, WallTime>, size: Size) {
    match size {
        Size::Fast => {
            group
                .sample_size(100)
                .sampling_mode(SamplingMode::Auto)
                .measurement_time(Duration::from_secs(5));
        }
        Size::Slow { samples, seconds } => {
            group
                .sample_size(samples)
                .sampling_mode(SamplingMode::Flat)
                .measurement_time(Duration::from_secs(seconds));
        }
    }
}

fn bench_analyze(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    case: &Case,
    parties: &[PartyIdx],
) {
    group.bench_function(id, |b| {
        b.iter(|| {
            analyze(
                black_box(case),
                black_box(parties),
                EnumerationLimit::default(),
            )
        });
    });
}

fn domains(c: &mut Criterion) {
    let mut group = c.benchmark_group("domains");
    for &(name, size) in DOMAINS {
        let loaded = load_domain_folder(&genius_folder(name), None)
            .unwrap_or_else(|error| panic!("{name}: {error:#}"));
        configure(&mut group, size);
        bench_analyze(&mut group, name, &loaded.case, &loaded.parties);
    }
    group.finish();
}

/// A generated case (seed 1, no red lines) and all its parties.
fn generated_case(points: usize, options: usize, parties: usize) -> (Case, Vec<PartyIdx>) {
    let spec = GenerateSpec {
        points,
        options,
        parties,
        red_lines: 0,
        reservation: 0.0,
        seed: 1,
    };
    let case = generate_case(&spec).expect("a valid spec");
    let parties = case.negotiating_parties();
    (case, parties)
}

fn generated(c: &mut Criterion) {
    let mut group = c.benchmark_group("generated");
    let cases = [
        (28, 5, 2, Size::Fast),
        (
            28,
            5,
            3,
            Size::Slow {
                samples: 20,
                seconds: 15,
            },
        ),
        (
            200,
            10,
            2,
            Size::Slow {
                samples: 10,
                seconds: 15,
            },
        ),
    ];
    for (points, options, parties, size) in cases {
        let (case, parties_idx) = generated_case(points, options, parties);
        configure(&mut group, size);
        bench_analyze(
            &mut group,
            &format!("{points}x{options}x{parties}"),
            &case,
            &parties_idx,
        );
    }
    group.finish();
}

/// 4 and 5 parties: each answer takes seconds, so this group is separate and can be left
/// out with a filter (`-- 'domains/|generated/'`).
fn generated_many_parties(c: &mut Criterion) {
    let mut group = c.benchmark_group("generated_many_parties");
    group.warm_up_time(Duration::from_secs(1));
    for parties in [4, 5] {
        let (case, parties_idx) = generated_case(28, 5, parties);
        configure(
            &mut group,
            Size::Slow {
                samples: 10,
                seconds: 200,
            },
        );
        bench_analyze(&mut group, &format!("28x5x{parties}"), &case, &parties_idx);
    }
    group.finish();
}

criterion_group!(benches, domains, generated, generated_many_parties);
criterion_main!(benches);
