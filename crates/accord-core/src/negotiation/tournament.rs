//! Tournaments: every negotiator against every other, on every domain, in every order of
//! play, repeated; and what each negotiator achieved.
//!
//! A [`TournamentSpec`] lists the domains (a [`Case`] and the parties that negotiate, in
//! order of play), the negotiators by name ([`crate::NEGOTIATORS`]), the repetitions, a
//! deadline in rounds and a seed. [`jobs`] lays out every session in a canonical order:
//! domain, then line-up (every ordered assignment of negotiators to parties, self-play
//! included: `negotiators ^ n_parties` of them, the last party varying fastest), then
//! repetition. Each job's seed comes from the tournament's seed and the job's index alone
//! ([`job_seed`]), so a job gives the same result in any thread, shard or order.
//!
//! [`run_tournament`] runs the jobs (of one shard, if asked) on every core with the
//! `parallel` feature, and returns a [`NegotiationResult`] per job, in job order: the
//! agreement, each party's (discounted) utility, the rounds used, the welfare and, for an
//! agreement, its distance to the Pareto frontier and to the Nash package. [`crate::summary`]
//! averages them per negotiator.
//!
//! Deadlines are in rounds only: a time budget would make results depend on the machine.
//!
//! ```
//! use accord_core::*;
//!
//! let points = vec![Point::new("wage", PointKind::options(["low", "mid", "high"]))];
//! let position = |scores: Vec<f64>| Position::new(
//!     AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(scores)]).into());
//! let case = Case::new("labour", points, vec![
//!     Party::new("union", "Union", Role::Party).with_position(position(vec![0.0, 0.6, 1.0])),
//!     Party::new("employer", "Employer", Role::Party).with_position(position(vec![1.0, 0.7, 0.0])),
//! ]).unwrap();
//! let spec = TournamentSpec {
//!     domains: vec![TournamentDomain {
//!         name: "labour".into(),
//!         parties: case.negotiating_parties(),
//!         case,
//!     }],
//!     negotiators: vec!["boulware".into(), "conceder".into()],
//!     repetitions: 2,
//!     deadline: Deadline::rounds(20),
//!     seed: 7,
//!     model_checkpoints: Vec::new(),
//! };
//! // 1 domain x 2^2 line-ups x 2 repetitions.
//! assert_eq!(jobs(&spec).len(), 8);
//! let results = run_tournament(&spec, None, &|| {}).unwrap();
//! assert_eq!(results.len(), 8);
//! let table = summary(&spec.negotiators, &results);
//! assert_eq!(table[0].name, "boulware");
//! assert_eq!(table[0].negotiations, 8);
//! ```

use crate::analysis::{AnalysisOptions, analyze_with};
use crate::model::{Case, Package, PartyIdx};
use crate::negotiation::boa::{NegotiatorSpec, NegotiatorSpecError};
use crate::negotiation::models::{ModelQuality, ModelSample, TrueProfiles, model_quality};
use crate::negotiation::saop::{SaopOptions, run_saop_watched};
use crate::negotiation::{Deadline, Negotiator, NoClock, OutcomeIndex};

/// One domain of a tournament.
#[derive(Debug, Clone, PartialEq)]
pub struct TournamentDomain {
    /// The name results carry (for instance the file or folder it came from).
    pub name: String,
    /// The case.
    pub case: Case,
    /// The parties that negotiate, in order of play; each must hold a position.
    pub parties: Vec<PartyIdx>,
}

/// What a tournament runs.
#[derive(Debug, Clone, PartialEq)]
pub struct TournamentSpec {
    /// The domains.
    pub domains: Vec<TournamentDomain>,
    /// The negotiators, by name ([`crate::NEGOTIATORS`]), each listed once.
    pub negotiators: Vec<String>,
    /// How many times each line-up plays each domain.
    pub repetitions: u32,
    /// The deadline of every session: rounds only ([`TournamentError::TimeDeadline`]).
    pub deadline: Deadline,
    /// The seed every job's seed is derived from ([`job_seed`]).
    pub seed: u64,
    /// Moments of a session (normalised time, increasing, each strictly between 0 and 1)
    /// at which opponent models are measured too, beside the end
    /// ([`NegotiationResult::model_quality_over_time`]); empty for the end only.
    pub model_checkpoints: Vec<f64>,
}

/// One session of a tournament.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Its place in the canonical order, from 0.
    pub index: u64,
    /// The domain, an index into [`TournamentSpec::domains`].
    pub domain: usize,
    /// Negotiator indices into [`TournamentSpec::negotiators`], one per party in order of
    /// play.
    pub line_up: Vec<usize>,
    /// The repetition, from 0.
    pub repetition: u32,
    /// The session's seed: [`job_seed`] of the tournament's seed and `index`.
    pub seed: u64,
}

/// Why a tournament cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TournamentError {
    /// No negotiator is listed.
    #[error("a tournament needs at least one negotiator")]
    NoNegotiators,
    /// A negotiator name is neither a standard one ([`crate::NEGOTIATORS`]) nor a BOA
    /// composition that parses ([`NegotiatorSpec`]), nor one of the source's.
    #[error("{0}")]
    BadNegotiator(#[from] NegotiatorSpecError),
    /// A negotiator is listed twice.
    #[error("negotiator `{name}` is listed twice")]
    DuplicateNegotiator {
        /// The name given.
        name: String,
    },
    /// The deadline has a time budget, or no number of rounds.
    #[error(
        "a tournament's deadline is a number of rounds only: a time budget would make results depend on the machine"
    )]
    TimeDeadline,
    /// A domain has fewer than two negotiating parties.
    #[error("domain `{domain}` needs at least two parties to negotiate")]
    TooFewParties {
        /// The domain.
        domain: String,
    },
    /// A party of a domain has no position, or is not in the case.
    #[error("domain `{domain}`: party {party} has no position")]
    NoPosition {
        /// The domain.
        domain: String,
        /// The party's index.
        party: usize,
    },
    /// The jobs would not fit in memory.
    #[error("the tournament has too many sessions (more than {limit})")]
    TooManyJobs {
        /// The most sessions a tournament may have.
        limit: u64,
    },
    /// A model checkpoint is not strictly between 0 and 1, or not after the one before.
    #[error(
        "model checkpoint {value} is not a moment strictly between 0 and 1 after the one before it"
    )]
    BadCheckpoint {
        /// The checkpoint given.
        value: f64,
    },
    /// A shard `(i, n)` with `n == 0` or `i >= n`.
    #[error("shard {index}/{count} does not exist: shards are numbered 0 to count - 1")]
    BadShard {
        /// The shard asked for.
        index: u64,
        /// The number of shards.
        count: u64,
    },
}

/// The most sessions one tournament may have: about 16 million.
pub const MAX_JOBS: u64 = 1 << 24;

/// The result of one session of a tournament.
#[derive(Debug, Clone, PartialEq)]
pub struct NegotiationResult {
    /// The job's index.
    pub index: u64,
    /// The domain's name.
    pub domain: String,
    /// The negotiators' names, one per party in order of play.
    pub line_up: Vec<String>,
    /// The repetition, from 0.
    pub repetition: u32,
    /// The session's seed.
    pub seed: u64,
    /// The package agreed, if any.
    pub agreement: Option<Package>,
    /// Each party's utility of the outcome, in order of play: of the agreement,
    /// discounted by the time it took; without agreement, the reservation value
    /// (discounted likewise).
    pub utilities: Vec<f64>,
    /// The rounds the session took.
    pub rounds: u32,
    /// Normalised time in `[0, 1]` when the session ended.
    pub time: f64,
    /// The sum of `utilities`.
    pub welfare: f64,
    /// Euclidean distance from the agreement's undiscounted utility vector to the nearest
    /// vector of the Pareto frontier; `None` without agreement or when the domain's
    /// frontier cannot be found.
    pub distance_to_frontier: Option<f64>,
    /// Euclidean distance from the agreement's undiscounted utility vector to the Nash
    /// package's; `None` without agreement or without a Nash package.
    pub distance_to_nash: Option<f64>,
    /// Per party in order of play, how well its negotiator's opponent model learnt the
    /// others by the end of the session ([`model_quality`] on the domain's
    /// [`ModelSample`]); `None` for a negotiator without a model.
    pub model_quality: Vec<Option<ModelQuality>>,
    /// Per [`TournamentSpec::model_checkpoints`] moment, the same measure at the start of
    /// the first round at or after it; a moment the session did not reach measures the
    /// models as they were when it ended.
    pub model_quality_over_time: Vec<ModelCheckpoint>,
}

/// The opponent models' quality at one moment of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCheckpoint {
    /// The moment, in normalised time ([`TournamentSpec::model_checkpoints`]).
    pub time: f64,
    /// Per party in order of play, as [`NegotiationResult::model_quality`].
    pub quality: Vec<Option<ModelQuality>>,
}

/// The seed of job `index` of a tournament seeded with `seed`: the `index + 1`-th output
/// of a `SplitMix64` generator (Steele, Lea and Flood 2014) started at `seed`, so that
/// neighbouring jobs get unrelated seeds and each depends on nothing but `(seed, index)`.
#[must_use]
pub fn job_seed(seed: u64, index: u64) -> u64 {
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut z = seed.wrapping_add(index.wrapping_add(1).wrapping_mul(GAMMA));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How many sessions `spec` has (domains x line-ups x repetitions), `None` above
/// [`MAX_JOBS`].
#[must_use]
pub fn n_jobs(spec: &TournamentSpec) -> Option<u64> {
    let k = spec.negotiators.len() as u64;
    spec.domains
        .iter()
        .try_fold(0_u64, |total, domain| {
            let n_parties = u32::try_from(domain.parties.len()).ok()?;
            let line_ups = k.checked_pow(n_parties)?;
            total.checked_add(line_ups.checked_mul(u64::from(spec.repetitions))?)
        })
        .filter(|&n| n <= MAX_JOBS)
}

/// Every session of `spec`, in the canonical order: domain, then line-up (the last
/// party's negotiator varying fastest), then repetition. Empty when the tournament has
/// more than [`MAX_JOBS`] sessions (which [`run_tournament`] refuses).
#[must_use]
pub fn jobs(spec: &TournamentSpec) -> Vec<Job> {
    let Some(n) = n_jobs(spec) else {
        return Vec::new();
    };
    let k = spec.negotiators.len();
    let mut jobs = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    let mut index = 0_u64;
    for (domain_idx, domain) in spec.domains.iter().enumerate() {
        let n_parties = domain.parties.len();
        let mut line_up = vec![0_usize; n_parties];
        let n_line_ups = k.pow(n_parties as u32);
        for _ in 0..n_line_ups {
            for repetition in 0..spec.repetitions {
                jobs.push(Job {
                    index,
                    domain: domain_idx,
                    line_up: line_up.clone(),
                    repetition,
                    seed: job_seed(spec.seed, index),
                });
                index += 1;
            }
            // The last party varies fastest.
            for slot in line_up.iter_mut().rev() {
                *slot += 1;
                if *slot < k {
                    break;
                }
                *slot = 0;
            }
        }
    }
    jobs
}

/// Negotiators beyond the built-in ones (written in Python, for instance): a tournament
/// names them in [`TournamentSpec::negotiators`] beside the built-in ones and asks the
/// source for a fresh one per seat of every session that plays them.
pub trait NegotiatorSource: Sync {
    /// Whether `name` is one of this source's negotiators.
    fn knows(&self, name: &str) -> bool;
    /// A fresh negotiator `name` (one [`Self::knows`]) for seat `seat` (in order of play)
    /// of domain `domain` (an index into [`TournamentSpec::domains`]).
    fn make(&self, name: &str, domain: usize, seat: usize) -> Box<dyn Negotiator>;
}

/// The built-in negotiators only.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltIn;

impl NegotiatorSource for BuiltIn {
    fn knows(&self, _name: &str) -> bool {
        false
    }

    fn make(&self, name: &str, _domain: usize, _seat: usize) -> Box<dyn Negotiator> {
        unreachable!("no negotiator `{name}` beyond the built-in ones")
    }
}

/// Checks that `spec` can run.
pub fn validate_tournament(spec: &TournamentSpec) -> Result<(), TournamentError> {
    validate_tournament_with(spec, &BuiltIn)
}

/// Checks that `spec` can run with the negotiators of `source` beside the built-in ones.
pub fn validate_tournament_with(
    spec: &TournamentSpec,
    source: &dyn NegotiatorSource,
) -> Result<(), TournamentError> {
    if spec.negotiators.is_empty() {
        return Err(TournamentError::NoNegotiators);
    }
    for (k, name) in spec.negotiators.iter().enumerate() {
        if let Err(error) = NegotiatorSpec::parse(name)
            && !source.knows(name)
        {
            return Err(error.into());
        }
        if spec.negotiators[..k]
            .iter()
            .any(|other| NegotiatorSpec::same(other, name))
        {
            return Err(TournamentError::DuplicateNegotiator { name: name.clone() });
        }
    }
    if spec.deadline.seconds.is_some() || spec.deadline.rounds.is_none() {
        return Err(TournamentError::TimeDeadline);
    }
    let mut previous = 0.0;
    for &value in &spec.model_checkpoints {
        if !(value > previous && value < 1.0) {
            return Err(TournamentError::BadCheckpoint { value });
        }
        previous = value;
    }
    for domain in &spec.domains {
        if domain.parties.len() < 2 {
            return Err(TournamentError::TooFewParties {
                domain: domain.name.clone(),
            });
        }
        for party in &domain.parties {
            if party.0 >= domain.case.parties().len() || domain.case.position(*party).is_none() {
                return Err(TournamentError::NoPosition {
                    domain: domain.name.clone(),
                    party: party.0,
                });
            }
        }
    }
    if n_jobs(spec).is_none() {
        return Err(TournamentError::TooManyJobs { limit: MAX_JOBS });
    }
    Ok(())
}

/// What every session of a domain shares, found once.
struct Prepared {
    /// Each party's packages by utility, in order of play.
    outcomes: Vec<OutcomeIndex>,
    /// The parties' positions, for the perfect model.
    profiles: TrueProfiles,
    /// The packages opponent models are measured on.
    sample: Option<ModelSample>,
    /// The frontier's utility vectors; `None` when it cannot be found.
    frontier: Option<Vec<Vec<f64>>>,
    /// The Nash package's utility vector.
    nash: Option<Vec<f64>>,
}

impl Prepared {
    fn new(domain: &TournamentDomain, seed: u64, models: bool) -> Self {
        let case = &domain.case;
        let outcomes = domain
            .parties
            .iter()
            .map(|&party| {
                let position = case.position(party).expect("validated: a position");
                OutcomeIndex::new(case.points(), position, OutcomeIndex::DEFAULT_LIMIT, seed)
            })
            .collect();
        let analysis = analyze_with(case, &domain.parties, &AnalysisOptions::default());
        let (frontier, nash) = match analysis.result {
            Ok(exact) => (
                Some(
                    exact
                        .scan
                        .frontier
                        .into_iter()
                        .map(|point| point.utilities)
                        .collect(),
                ),
                exact.bargaining.nash.map(|nash| nash.utilities),
            ),
            Err(_) => (None, None),
        };
        Self {
            outcomes,
            profiles: TrueProfiles::new(case, &domain.parties).expect("validated: positions"),
            sample: models
                .then(|| ModelSample::new(case, &domain.parties, seed))
                .flatten(),
            frontier,
            nash,
        }
    }
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Runs the sessions of `spec` (only those with `index % n == i` when `shard` is
/// `Some((i, n))`) and returns their results in job order. `progress` is called once per
/// finished session, from whichever thread ran it.
///
/// Each domain's outcome indices (seeded with the tournament's seed), Pareto frontier and
/// Nash package are found once. Results depend on nothing but `spec` and the job: the
/// same whatever the number of threads or shards.
pub fn run_tournament(
    spec: &TournamentSpec,
    shard: Option<(u64, u64)>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<NegotiationResult>, TournamentError> {
    validate_tournament(spec)?;
    if let Some((index, count)) = shard
        && (count == 0 || index >= count)
    {
        return Err(TournamentError::BadShard { index, count });
    }
    let selected: Vec<Job> = jobs(spec)
        .into_iter()
        .filter(|job| shard.is_none_or(|(i, n)| job.index % n == i))
        .collect();
    Ok(run_jobs(spec, &selected, &BuiltIn, progress))
}

/// Runs the sessions of `spec` whose index lies in `range` (a chunk of the canonical
/// order, for a distributed run) and returns their results in job order, the same as
/// [`run_tournament`] gives for them.
pub fn run_tournament_range(
    spec: &TournamentSpec,
    range: std::ops::Range<u64>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<NegotiationResult>, TournamentError> {
    run_tournament_range_with(spec, range, &BuiltIn, progress)
}

/// [`run_tournament_range`] with the negotiators of `source` beside the built-in ones
/// (a built-in name always means the built-in negotiator).
pub fn run_tournament_range_with(
    spec: &TournamentSpec,
    range: std::ops::Range<u64>,
    source: &dyn NegotiatorSource,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<NegotiationResult>, TournamentError> {
    validate_tournament_with(spec, source)?;
    let selected: Vec<Job> = jobs(spec)
        .into_iter()
        .filter(|job| range.contains(&job.index))
        .collect();
    Ok(run_jobs(spec, &selected, source, progress))
}

/// Runs `selected` jobs of a validated `spec`, in order.
fn run_jobs(
    spec: &TournamentSpec,
    selected: &[Job],
    source: &dyn NegotiatorSource,
    progress: &(dyn Fn() + Sync),
) -> Vec<NegotiationResult> {
    // A built-in name always means the built-in negotiator; the others are the source's.
    let specs: Vec<Option<NegotiatorSpec>> = spec
        .negotiators
        .iter()
        .map(|name| NegotiatorSpec::parse(name).ok())
        .collect();
    // A sample to measure models on, when some negotiator keeps one.
    let models = specs.iter().flatten().any(NegotiatorSpec::keeps_model);
    // Only the domains these jobs play are prepared.
    let prepared: Vec<Option<Prepared>> = spec
        .domains
        .iter()
        .enumerate()
        .map(|(k, domain)| {
            selected
                .iter()
                .any(|job| job.domain == k)
                .then(|| Prepared::new(domain, spec.seed, models))
        })
        .collect();
    let run = |job: &Job| {
        let prepared = prepared[job.domain].as_ref().expect("prepared");
        let result = run_job(spec, &specs, job, prepared, source);
        progress();
        result
    };
    #[cfg(feature = "parallel")]
    let results = {
        use rayon::prelude::*;
        selected.par_iter().map(run).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let results = selected.iter().map(run).collect();
    results
}

fn run_job(
    spec: &TournamentSpec,
    specs: &[Option<NegotiatorSpec>],
    job: &Job,
    prepared: &Prepared,
    source: &dyn NegotiatorSource,
) -> NegotiationResult {
    let domain = &spec.domains[job.domain];
    let mut negotiators: Vec<Box<dyn Negotiator>> = job
        .line_up
        .iter()
        .enumerate()
        .map(|(seat, &k)| match &specs[k] {
            Some(built_in) => built_in
                .build(Some(&prepared.profiles))
                .expect("profiles given"),
            None => source.make(&spec.negotiators[k], job.domain, seat),
        })
        .collect();
    let outcomes: Vec<&OutcomeIndex> = prepared.outcomes.iter().collect();
    let options = SaopOptions {
        deadline: spec.deadline,
        seed: job.seed,
        record: false,
    };
    let measure = |negotiators: &[Box<dyn Negotiator>]| -> Vec<Option<ModelQuality>> {
        negotiators
            .iter()
            .enumerate()
            .map(|(seat, negotiator)| {
                let model = negotiator.opponent_model()?;
                model_quality(model, seat, prepared.sample.as_ref()?)
            })
            .collect()
    };
    let checkpoints = &spec.model_checkpoints;
    let mut model_quality_over_time = Vec::with_capacity(checkpoints.len());
    let outcome = run_saop_watched(
        &domain.case,
        &domain.parties,
        &mut negotiators,
        &outcomes,
        &options,
        &NoClock,
        &mut |state, negotiators| {
            while let Some(&time) = checkpoints.get(model_quality_over_time.len())
                && state.time >= time
            {
                model_quality_over_time.push(ModelCheckpoint {
                    time,
                    quality: measure(negotiators),
                });
            }
        },
    );
    let undiscounted = outcome
        .agreement
        .as_ref()
        .map(|package| domain.case.utilities(&domain.parties, package));
    let distance_to_frontier = undiscounted.as_ref().and_then(|u| {
        prepared.frontier.as_ref().and_then(|frontier| {
            frontier
                .iter()
                .map(|v| distance(u, v))
                .min_by(f64::total_cmp)
        })
    });
    let model_quality = measure(&negotiators);
    for &time in &checkpoints[model_quality_over_time.len()..] {
        model_quality_over_time.push(ModelCheckpoint {
            time,
            quality: model_quality.clone(),
        });
    }
    let distance_to_nash = undiscounted
        .as_ref()
        .and_then(|u| prepared.nash.as_ref().map(|nash| distance(u, nash)));
    NegotiationResult {
        index: job.index,
        domain: domain.name.clone(),
        line_up: job
            .line_up
            .iter()
            .map(|&k| spec.negotiators[k].clone())
            .collect(),
        repetition: job.repetition,
        seed: job.seed,
        welfare: outcome.utilities.iter().sum(),
        agreement: outcome.agreement,
        utilities: outcome.utilities,
        rounds: outcome.rounds,
        time: outcome.time,
        distance_to_frontier,
        distance_to_nash,
        model_quality,
        model_quality_over_time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Party, Point, PointKind, Role};
    use crate::negotiation::negotiators::{NEGOTIATORS, negotiator};
    use crate::negotiation::scoring::summary;
    use crate::position::{AdditiveUtility, Evaluator, Position};

    fn position(weights: Vec<f64>, scores: Vec<Vec<f64>>) -> Position {
        Position::new(
            AdditiveUtility::new(
                weights,
                scores.into_iter().map(Evaluator::Options).collect(),
            )
            .into(),
        )
    }

    /// Two parties over two points, and a three-party variant.
    fn spec(n_parties: usize, negotiators: &[&str], repetitions: u32) -> TournamentSpec {
        let points = vec![
            Point::new("wage", PointKind::options(["low", "mid", "high"])),
            Point::new("hours", PointKind::options(["35", "38", "40"])),
        ];
        let scores = [
            (
                vec![0.7, 0.3],
                vec![vec![0.0, 0.6, 1.0], vec![1.0, 0.5, 0.0]],
            ),
            (
                vec![0.5, 0.5],
                vec![vec![1.0, 0.7, 0.0], vec![0.0, 0.4, 1.0]],
            ),
            (
                vec![0.2, 0.8],
                vec![vec![0.3, 1.0, 0.0], vec![0.0, 1.0, 0.2]],
            ),
        ];
        let parties = scores[..n_parties]
            .iter()
            .enumerate()
            .map(|(k, (w, s))| {
                Party::new(format!("p{k}"), format!("P{k}"), Role::Party)
                    .with_position(position(w.clone(), s.clone()))
            })
            .collect();
        let case = Case::new("t", points, parties).unwrap();
        TournamentSpec {
            domains: vec![TournamentDomain {
                name: "t".into(),
                parties: case.negotiating_parties(),
                case,
            }],
            negotiators: negotiators.iter().map(ToString::to_string).collect(),
            repetitions,
            deadline: Deadline::rounds(30),
            seed: 42,
            model_checkpoints: Vec::new(),
        }
    }

    fn check_jobs(spec: &TournamentSpec, expected_line_ups: &[&[usize]]) {
        let jobs = jobs(spec);
        let reps = spec.repetitions as usize;
        assert_eq!(jobs.len(), expected_line_ups.len() * reps);
        for (k, job) in jobs.iter().enumerate() {
            assert_eq!(job.index, k as u64);
            assert_eq!(job.line_up, expected_line_ups[k / reps]);
            assert_eq!(job.repetition as usize, k % reps);
            assert_eq!(job.seed, job_seed(spec.seed, job.index));
        }
    }

    #[test]
    fn jobs_cover_every_ordered_line_up_then_repetition() {
        check_jobs(
            &spec(2, &["boulware", "conceder"], 2),
            &[&[0, 0], &[0, 1], &[1, 0], &[1, 1]],
        );
        let three = spec(3, &["linear", "random"], 1);
        assert_eq!(jobs(&three).len(), 8);
        check_jobs(
            &three,
            &[
                &[0, 0, 0],
                &[0, 0, 1],
                &[0, 1, 0],
                &[0, 1, 1],
                &[1, 0, 0],
                &[1, 0, 1],
                &[1, 1, 0],
                &[1, 1, 1],
            ],
        );
    }

    #[test]
    fn job_seeds_follow_splitmix64() {
        // The first outputs of SplitMix64 seeded with 0 (reference values of the
        // published algorithm).
        assert_eq!(job_seed(0, 0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(job_seed(0, 1), 0x6E78_9E6A_A1B9_65F4);
        assert_ne!(job_seed(1, 0), job_seed(0, 0));
    }

    /// `stubborn` plays as the built-in hard-liner; it records the seats it was asked for.
    struct Stubborn(std::sync::Mutex<Vec<(usize, usize)>>);

    impl NegotiatorSource for Stubborn {
        fn knows(&self, name: &str) -> bool {
            name == "stubborn"
        }

        fn make(&self, name: &str, domain: usize, seat: usize) -> Box<dyn Negotiator> {
            assert_eq!(name, "stubborn");
            self.0.lock().unwrap().push((domain, seat));
            negotiator("hardliner").unwrap()
        }
    }

    #[test]
    fn negotiators_from_a_source_play_beside_the_built_in_ones() {
        let built_in = spec(2, &["boulware", "hardliner"], 2);
        let sourced = spec(2, &["boulware", "stubborn"], 2);
        let source = Stubborn(std::sync::Mutex::new(Vec::new()));
        assert!(matches!(
            validate_tournament(&sourced),
            Err(TournamentError::BadNegotiator(NegotiatorSpecError::Unknown { name })) if name == "stubborn"
        ));
        let n = n_jobs(&sourced).unwrap();
        let expected = run_tournament(&built_in, None, &|| {}).unwrap();
        let got = run_tournament_range_with(&sourced, 0..n, &source, &|| {}).unwrap();
        assert_eq!(got.len(), expected.len());
        for (a, b) in got.iter().zip(&expected) {
            assert_eq!(a.agreement, b.agreement);
            assert_eq!(a.utilities, b.utilities);
            let names: Vec<&str> = b
                .line_up
                .iter()
                .map(|n| if n == "hardliner" { "stubborn" } else { n })
                .collect();
            assert_eq!(a.line_up, names);
        }
        // Line-ups [b, s], [s, b], [s, s], twice each: seats 1, 0, 0 and 1.
        let mut seats = source.0.into_inner().unwrap();
        seats.sort_unstable();
        assert_eq!(
            seats,
            [
                (0, 0),
                (0, 0),
                (0, 0),
                (0, 0),
                (0, 1),
                (0, 1),
                (0, 1),
                (0, 1)
            ]
        );
    }

    #[test]
    fn bad_specs_are_refused() {
        let mut bad = spec(2, &["boulware", "nobody"], 1);
        assert!(matches!(
            run_tournament(&bad, None, &|| {}),
            Err(TournamentError::BadNegotiator(NegotiatorSpecError::Unknown { name })) if name == "nobody"
        ));
        for twins in [
            ["boulware", "boulware"],
            ["boulware", "Boulware"],
            [
                "boa(model=frequency)",
                "BOA(acceptance=next, model=frequency:learn=0.2)",
            ],
        ] {
            bad = spec(2, &twins, 1);
            assert!(matches!(
                validate_tournament(&bad),
                Err(TournamentError::DuplicateNegotiator { .. })
            ));
        }
        bad = spec(2, &[], 1);
        assert_eq!(
            validate_tournament(&bad),
            Err(TournamentError::NoNegotiators)
        );
        bad = spec(2, &["linear"], 1);
        bad.deadline.seconds = Some(1.0);
        assert_eq!(
            validate_tournament(&bad),
            Err(TournamentError::TimeDeadline)
        );
        let good = spec(2, &["linear"], 1);
        assert!(matches!(
            run_tournament(&good, Some((2, 2)), &|| {}),
            Err(TournamentError::BadShard { .. })
        ));
    }

    #[test]
    fn results_come_in_job_order_with_consistent_fields() {
        let spec = spec(2, &["boulware", "conceder", "hardliner"], 2);
        let count = std::sync::atomic::AtomicUsize::new(0);
        let results = run_tournament(&spec, None, &|| {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap();
        assert_eq!(results.len(), 18);
        assert_eq!(count.into_inner(), 18);
        for (k, result) in results.iter().enumerate() {
            assert_eq!(result.index, k as u64);
            assert_eq!(result.utilities.len(), 2);
            assert!((result.welfare - result.utilities.iter().sum::<f64>()).abs() < 1e-12);
            assert_eq!(
                result.agreement.is_some(),
                result.distance_to_frontier.is_some()
            );
            if let Some(d) = result.distance_to_frontier {
                assert!(d >= 0.0 && d <= result.distance_to_nash.unwrap() + 1e-12);
            }
        }
        let table = summary(&spec.negotiators, &results);
        assert_eq!(table.len(), 3);
        // Each of 9 line-ups x 2 repetitions has 2 seats: 36 seats, 12 per negotiator.
        assert!(table.iter().all(|row| row.negotiations == 12));
        assert!(
            table
                .iter()
                .all(|row| (0.0..=1.0).contains(&row.agreement_rate))
        );
    }

    #[test]
    fn the_summary_counts_seats_and_averages_distances_over_agreements() {
        let names = vec!["a".to_string(), "b".to_string()];
        let results = [
            NegotiationResult {
                index: 0,
                domain: "d".into(),
                line_up: names.clone(),
                repetition: 0,
                seed: 0,
                agreement: Some(Package(Vec::new())),
                utilities: vec![0.8, 0.4],
                rounds: 3,
                time: 0.3,
                welfare: 1.2,
                distance_to_frontier: Some(0.1),
                distance_to_nash: Some(0.3),
                model_quality: Vec::new(),
                model_quality_over_time: Vec::new(),
            },
            NegotiationResult {
                index: 1,
                domain: "d".into(),
                line_up: vec!["a".into(), "a".into()],
                repetition: 0,
                seed: 0,
                agreement: None,
                utilities: vec![0.2, 0.0],
                rounds: 10,
                time: 1.0,
                welfare: 0.2,
                distance_to_frontier: None,
                distance_to_nash: None,
                model_quality: Vec::new(),
                model_quality_over_time: Vec::new(),
            },
        ];
        let table = summary(&names, &results);
        assert_eq!(table[0].negotiations, 3);
        assert!((table[0].agreement_rate - 1.0 / 3.0).abs() < 1e-12);
        assert!((table[0].mean_utility - (0.8 + 0.2) / 3.0).abs() < 1e-12);
        assert!((table[0].mean_welfare - (1.2 + 0.4) / 3.0).abs() < 1e-12);
        assert_eq!(table[0].mean_distance_to_frontier, Some(0.1));
        assert_eq!(table[1].negotiations, 1);
        assert_eq!(table[1].agreement_rate, 1.0);
        assert_eq!(table[1].mean_distance_to_nash, Some(0.3));
        let nobody = summary(&["c".to_string()], &results);
        assert_eq!(nobody[0].negotiations, 0);
        assert_eq!(nobody[0].mean_utility, 0.0);
        assert_eq!(nobody[0].mean_distance_to_nash, None);
    }

    #[test]
    fn shards_partition_the_results() {
        let spec = spec(3, &["boulware", "random"], 2);
        let all = run_tournament(&spec, None, &|| {}).unwrap();
        let mut joined: Vec<NegotiationResult> = (0..3)
            .flat_map(|i| run_tournament(&spec, Some((i, 3)), &|| {}).unwrap())
            .collect();
        joined.sort_by_key(|r| r.index);
        assert_eq!(joined, all);
    }

    #[test]
    fn opponent_models_are_measured_and_do_not_depend_on_threads_or_shards() {
        let compositions = [
            "boulware",
            "boa(offering=boulware, acceptance=combi-max-w, model=frequency)",
            "boa(offering=random, acceptance=combi-avg-w, model=bayesian)",
            "boa(offering=conceder, model=perfect)",
        ];
        let mut spec = spec(3, &compositions, 2);
        spec.model_checkpoints = vec![0.1, 0.5, 0.9];
        let on = |threads: usize, shard: Option<(u64, u64)>| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| run_tournament(&spec, shard, &|| {}).unwrap())
        };
        let one = on(1, None);
        assert_eq!(one.len(), 4 * 4 * 4 * 2);
        assert_eq!(one, on(4, None));
        let mut joined: Vec<NegotiationResult> = (0..3).flat_map(|i| on(2, Some((i, 3)))).collect();
        joined.sort_by_key(|r| r.index);
        assert_eq!(joined, one);
        for result in &one {
            for (seat, name) in result.line_up.iter().enumerate() {
                let quality = result.model_quality[seat];
                match name.as_str() {
                    "boulware" => assert_eq!(quality, None),
                    name if name.contains("perfect") => {
                        let q = quality.unwrap();
                        assert!((q.pearson.unwrap() - 1.0).abs() < 1e-12, "{q:?}");
                        assert!(q.mean_abs_error < 1e-12 && q.frontier_distance < 1e-12);
                    }
                    _ => {
                        let q = quality.unwrap();
                        assert!(q.pearson.is_none_or(|r| (-1.0..=1.0).contains(&r)));
                        assert!((0.0..=1.0).contains(&q.mean_abs_error), "{q:?}");
                        assert!(q.frontier_distance >= 0.0);
                    }
                }
            }
        }
        // Over time: one measure per checkpoint; one the session did not reach repeats
        // the end's; the perfect model is exact throughout.
        let mut learnt = false;
        for result in &one {
            let times: Vec<f64> = result
                .model_quality_over_time
                .iter()
                .map(|c| c.time)
                .collect();
            assert_eq!(times, [0.1, 0.5, 0.9]);
            for checkpoint in &result.model_quality_over_time {
                if checkpoint.time > result.time {
                    assert_eq!(checkpoint.quality, result.model_quality);
                }
                for (seat, quality) in checkpoint.quality.iter().enumerate() {
                    assert_eq!(quality.is_some(), result.model_quality[seat].is_some());
                    if result.line_up[seat].contains("perfect") {
                        assert!(quality.unwrap().mean_abs_error < 1e-12);
                    }
                }
            }
            // A learnt model changes between the first checkpoint and the end.
            let first = &result.model_quality_over_time[0].quality;
            learnt |= result.time > 0.1
                && result.line_up.iter().enumerate().any(|(seat, name)| {
                    name.contains("frequency") && first[seat] != result.model_quality[seat]
                });
        }
        assert!(learnt);
        let table = summary(&spec.negotiators, &one);
        assert_eq!(table[0].mean_model_error, None);
        assert!((table[3].mean_model_pearson.unwrap() - 1.0).abs() < 1e-12);
        assert!(table[1].mean_model_error.unwrap() > 0.0);
    }

    #[test]
    fn the_classics_play_three_party_sessions_alike_on_any_threads_and_shards() {
        let classics = ["agentk", "hardheaded", "cuhkagent", "atlas3"];
        let spec = spec(3, &classics, 2);
        let on = |threads: usize, shard: Option<(u64, u64)>| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| run_tournament(&spec, shard, &|| {}).unwrap())
        };
        let one = on(1, None);
        assert_eq!(one.len(), 4 * 4 * 4 * 2);
        assert_eq!(one, on(3, None));
        let mut joined: Vec<NegotiationResult> = (0..2).flat_map(|i| on(2, Some((i, 2)))).collect();
        joined.sort_by_key(|r| r.index);
        assert_eq!(joined, one);
        for result in &one {
            for (seat, name) in result.line_up.iter().enumerate() {
                // The two with a frequency model are measured; the others keep none.
                let measured = matches!(name.as_str(), "hardheaded" | "cuhkagent");
                assert_eq!(result.model_quality[seat].is_some(), measured, "{name}");
            }
        }
    }

    #[test]
    fn model_checkpoints_lie_strictly_between_0_and_1_in_increasing_order() {
        let mut bad = spec(2, &["boulware"], 1);
        for (checkpoints, value) in [
            (vec![0.0], 0.0),
            (vec![0.5, 1.0], 1.0),
            (vec![0.5, 0.5], 0.5),
            (vec![0.6, 0.3], 0.3),
            (vec![f64::NAN], f64::NAN),
        ] {
            bad.model_checkpoints = checkpoints;
            let error = validate_tournament(&bad).unwrap_err();
            assert!(
                matches!(error, TournamentError::BadCheckpoint { value: v } if v.to_bits() == value.to_bits()),
                "{error}"
            );
        }
        bad.model_checkpoints = vec![0.25, 0.5, 0.75];
        assert_eq!(validate_tournament(&bad), Ok(()));
    }

    #[test]
    fn a_composition_that_does_not_parse_is_refused_with_its_reason() {
        let error =
            validate_tournament(&spec(2, &["boulware", "boa(model=psychic)"], 1)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "negotiator `boa(model=psychic)`: unknown model `psychic` (the opponent models are none, frequency, bayesian, perfect)"
        );
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        // Every negotiator, the random ones included.
        let spec = spec(2, NEGOTIATORS, 3);
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| run_tournament(&spec, None, &|| {}).unwrap())
        };
        let one = on(1);
        let n = NEGOTIATORS.len();
        assert_eq!(one.len(), n * n * 3);
        assert_eq!(one, on(4));
        // And the same seed gives an identical tournament.
        assert_eq!(one, on(4));
    }
}
