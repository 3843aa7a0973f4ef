//! Opponent models: what a negotiator estimates of another party's utility from the offers
//! it hears, and how well the estimate matches the truth.
//!
//! | name | type | estimate |
//! |---|---|---|
//! | `frequency` | [`FrequencyModel`] | point weights from how rarely the party changes a point, value scores from how often it offers each value (after the published description of the `HardHeaded` agent, van Krimpen, Looije and Hajizadeh 2013) |
//! | `bayesian` | [`BayesianModel`] | Bayesian learning over a bounded space of weight levels and value shapes, point by point (after Hindriks and Tykhonov 2008) |
//! | `perfect` | [`PerfectModel`] | the true profile: the upper bound, for research only |
//!
//! A model is told each offer of each other party ([`OpponentModel::update`]) and estimates
//! any party's utility of any package at any moment ([`OpponentModel::utility`]), in
//! `[0, 1]`.
//!
//! The perfect model is the one thing in `negotiation` that sees another party's position:
//! it is built from [`TrueProfiles`], which only a tournament or a session run by the case's
//! owner hands out (`accord negotiate`, `accord tournament`, Python's `negotiate`). It
//! measures what a strategy would gain from knowing its opponents, nothing more.
//!
//! [`ModelSample`] and [`model_quality`] measure a model against the truth on a fixed set
//! of packages (Baarslag, Hendrikx, Hindriks and Jonker 2016, "Learning about the opponent
//! in automated bilateral negotiation: a comprehensive survey of opponent modeling
//! techniques", accuracy measures): the Pearson correlation and the mean absolute
//! difference between the estimated and the true utilities, and the distance between the
//! Pareto frontier the estimate implies and the true one.

use std::collections::HashMap;
use std::sync::Arc;

use rand::RngExt as _;
use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;

use crate::model::{Case, Choice, Package, PartyIdx, Point, PointKind};
use crate::negotiation::{Me, Negotiator};
use crate::position::Position;

/// What a negotiator believes of the other parties' utilities. Implement it to bring your
/// own model; BOA negotiators ([`crate::Boa`]) hold one.
pub trait OpponentModel: Send {
    /// The model's name as a negotiator specification writes it, with its parameters.
    fn name(&self) -> String;

    /// Called once before the session, with the negotiator's own view.
    fn start(&mut self, _me: &Me<'_>) {}

    /// Party `by` (a place in the order of play) offered `package` at normalised time
    /// `time`.
    fn update(&mut self, me: &Me<'_>, by: usize, package: &Package, time: f64);

    /// The estimated utility of `package` to the party at place `party`, in `[0, 1]`.
    fn utility(&self, party: usize, package: &Package) -> f64;
}

/// The names of the opponent models, in a stable order (`none` is no model).
pub const OPPONENT_MODELS: &[&str] = &["none", "frequency", "bayesian", "perfect"];

/// The true positions of the parties of a session, in order of play: what the perfect
/// model reads. Built by whoever runs the session and holds every position.
#[derive(Debug, Clone)]
pub struct TrueProfiles(Arc<[Position]>);

impl TrueProfiles {
    /// The positions of `parties` of `case`, in that order; `None` when one has none.
    #[must_use]
    pub fn new(case: &Case, parties: &[PartyIdx]) -> Option<Self> {
        parties
            .iter()
            .map(|&p| case.position(p).cloned())
            .collect::<Option<Vec<Position>>>()
            .map(|positions| Self(positions.into()))
    }

    /// The position of the party at `place`.
    #[must_use]
    pub fn position(&self, place: usize) -> Option<&Position> {
        self.0.get(place)
    }
}

/// Where a value lies among a point's values: its index for an option or an integer, its
/// bits for a real.
fn value_key(point: &Point, choice: Choice) -> u64 {
    match (choice, &point.kind) {
        (Choice::Option(o), _) => o.0 as u64,
        (Choice::Integer(x), PointKind::Integer { min, .. }) => x.abs_diff(*min),
        (Choice::Integer(x), _) => x as u64,
        (Choice::Real(x), _) => x.to_bits(),
    }
}

/// A value's place along its point's values, in `[0, 1]` (0 for a point of one value).
fn value_place(point: &Point, choice: Choice) -> f64 {
    let place = match (choice, &point.kind) {
        (Choice::Option(o), PointKind::Options(options)) if options.len() > 1 => {
            o.0 as f64 / (options.len() - 1) as f64
        }
        (Choice::Integer(x), PointKind::Integer { min, max }) if max > min => {
            (x as f64 - *min as f64) / (*max as f64 - *min as f64)
        }
        // Halved first, so that a range wider than the largest float stays finite.
        (Choice::Real(x), PointKind::Real { min, max }) if max > min => {
            (x / 2.0 - min / 2.0) / (max / 2.0 - min / 2.0)
        }
        _ => 0.0,
    };
    place.clamp(0.0, 1.0)
}

/// The most distinct values a frequency model counts in a plain array; wider points count
/// in a map.
const DENSE_VALUES: u64 = 4096;

/// How often each value of one point was offered.
#[derive(Debug, Clone, PartialEq)]
enum Counts {
    Dense(Vec<f64>),
    Sparse(HashMap<u64, f64>),
}

impl Counts {
    fn new(point: &Point) -> Self {
        match point.n_values() {
            Some(n) if n <= DENSE_VALUES => Self::Dense(vec![0.0; n as usize]),
            _ => Self::Sparse(HashMap::new()),
        }
    }

    fn get(&self, key: u64) -> f64 {
        match self {
            Self::Dense(counts) => usize::try_from(key)
                .ok()
                .and_then(|k| counts.get(k))
                .copied()
                .unwrap_or(0.0),
            Self::Sparse(counts) => counts.get(&key).copied().unwrap_or(0.0),
        }
    }

    /// Adds `amount` to the value's count; returns the new count.
    fn add(&mut self, key: u64, amount: f64) -> f64 {
        match self {
            Self::Dense(counts) => {
                match usize::try_from(key).ok().and_then(|k| counts.get_mut(k)) {
                    Some(count) => {
                        *count += amount;
                        *count
                    }
                    None => 0.0,
                }
            }
            Self::Sparse(counts) => {
                let count = counts.entry(key).or_insert(0.0);
                *count += amount;
                *count
            }
        }
    }
}

/// What a frequency model has learnt of one party.
#[derive(Debug, Clone, PartialEq)]
struct Frequencies {
    /// Point weights, summing to 1.
    weights: Vec<f64>,
    /// Per point, each value's count.
    counts: Vec<Counts>,
    /// Per point, the highest count.
    top: Vec<f64>,
    /// The party's previous offer.
    last: Option<Package>,
}

/// The frequency model ("frequency"), as the `HardHeaded` agent's description has it (van
/// Krimpen, Looije and Hajizadeh 2013, "`HardHeaded`", in *Complex Automated
/// Negotiations*):
///
/// - **Point weights** start equal. Each time a party's offer keeps a point's value from
///   its previous offer, that point's weight grows by `learn / n_points` (`learn` = 0.2 by
///   default), and the weights are scaled back to sum 1: a party changes first what
///   matters least to it.
/// - **Value scores**: each offer adds 1 to the count of each value it holds; a value
///   scores its count over the point's highest count (0 for a value never offered).
///
/// The estimated utility is the weighted sum of the scores.
#[derive(Debug, Clone, PartialEq)]
pub struct FrequencyModel {
    /// How much a point's weight grows each time its value is kept.
    pub learn: f64,
    parties: Vec<Option<Frequencies>>,
    points: Vec<Point>,
}

impl FrequencyModel {
    /// A model with weight step `learn` (0.2 in the description).
    #[must_use]
    pub fn new(learn: f64) -> Self {
        Self {
            learn,
            parties: Vec::new(),
            points: Vec::new(),
        }
    }

    /// The weights learnt for party `party` so far (equal before its first offer).
    #[must_use]
    pub fn weights(&self, party: usize) -> Vec<f64> {
        let n = self.points.len();
        self.parties
            .get(party)
            .and_then(Option::as_ref)
            .map_or_else(|| vec![1.0 / n as f64; n], |f| f.weights.clone())
    }
}

impl Default for FrequencyModel {
    fn default() -> Self {
        Self::new(0.2)
    }
}

impl OpponentModel for FrequencyModel {
    fn name(&self) -> String {
        if (self.learn - 0.2).abs() < f64::EPSILON {
            "frequency".into()
        } else {
            format!("frequency(learn={})", self.learn)
        }
    }

    fn start(&mut self, me: &Me<'_>) {
        self.points = me.points.to_vec();
        self.parties = vec![None; me.n_parties];
    }

    fn update(&mut self, _me: &Me<'_>, by: usize, package: &Package, _time: f64) {
        let points = &self.points;
        let n = points.len();
        if n == 0 || package.0.len() != n {
            return;
        }
        let Some(slot) = self.parties.get_mut(by) else {
            return;
        };
        let party = slot.get_or_insert_with(|| Frequencies {
            weights: vec![1.0 / n as f64; n],
            counts: points.iter().map(Counts::new).collect(),
            top: vec![0.0; n],
            last: None,
        });
        if let Some(last) = &party.last {
            let step = self.learn / n as f64;
            let mut kept = false;
            for (k, (now, before)) in package.0.iter().zip(&last.0).enumerate() {
                if now == before {
                    party.weights[k] += step;
                    kept = true;
                }
            }
            if kept {
                let total: f64 = party.weights.iter().sum();
                for w in &mut party.weights {
                    *w /= total;
                }
            }
        }
        for (k, (point, &choice)) in points.iter().zip(&package.0).enumerate() {
            let count = party.counts[k].add(value_key(point, choice), 1.0);
            party.top[k] = party.top[k].max(count);
        }
        party.last = Some(package.clone());
    }

    fn utility(&self, party: usize, package: &Package) -> f64 {
        let Some(Some(f)) = self.parties.get(party) else {
            return 0.0;
        };
        let mut sum = 0.0;
        for (k, (point, &choice)) in self.points.iter().zip(&package.0).enumerate() {
            if f.top[k] > 0.0 {
                sum += f.weights[k] * f.counts[k].get(value_key(point, choice)) / f.top[k];
            }
        }
        sum.clamp(0.0, 1.0)
    }
}

/// The weight levels a Bayesian model considers for each point, before normalising.
const WEIGHT_LEVELS: [f64; 5] = [1.0, 2.0, 3.0, 4.0, 5.0];

/// The most value shapes a Bayesian model considers for one point.
const MAX_SHAPES: usize = 11;

/// What a Bayesian model believes of one party.
#[derive(Debug, Clone, PartialEq)]
struct Beliefs {
    /// Per point, the probability of each weight level ([`WEIGHT_LEVELS`]).
    levels: Vec<[f64; WEIGHT_LEVELS.len()]>,
    /// Per point, the probability of each value shape (a peak among `peaks`).
    shapes: Vec<Vec<f64>>,
}

/// A Bayesian model ("bayesian") after Hindriks and Tykhonov (2008, "Opponent modelling in
/// automated multi-issue negotiation using Bayesian learning", AAMAS), in its scalable
/// form that learns each point on its own:
///
/// - **Hypotheses**, per point: a weight level among 1 to 5 (weights are the levels
///   scaled to sum 1) and a value shape, a triangle over the point's values (in their
///   order) peaking at one of at most 11 evenly spaced places (the first is "downhill",
///   the last "uphill"). A point of `m` values has `min(m, 11)` shapes, so a party has at
///   most `5 + 11` hypotheses per point: the space is bounded whatever the domain.
/// - **What an offer says**: a party is assumed to concede from 1 towards `1 - concession`
///   linearly in time (`concession` = 0.5 by default), so an offer at time `t` is expected
///   to be worth `1 - concession · t` to it. Each hypothesis of a point is weighed by how
///   well the utility it implies (that point's part under the hypothesis, the other
///   points' parts as currently expected) matches that, with a Gaussian likelihood of
///   spread `sigma` (0.15 by default), and the beliefs of each point are updated by Bayes'
///   rule (probabilities never fall below 10^-9, so that a belief can recover).
///
/// The estimated utility is the sum over points of the expected weight times the expected
/// score of the package's value.
#[derive(Debug, Clone, PartialEq)]
pub struct BayesianModel {
    /// How far a party is assumed to concede by the deadline.
    pub concession: f64,
    /// The spread of the likelihood.
    pub sigma: f64,
    parties: Vec<Option<Beliefs>>,
    points: Vec<Point>,
    /// Per point, the places of the shapes' peaks.
    peaks: Vec<Vec<f64>>,
}

impl BayesianModel {
    /// A model assuming a concession of `concession` by the deadline, with likelihood
    /// spread `sigma`.
    #[must_use]
    pub fn new(concession: f64, sigma: f64) -> Self {
        Self {
            concession,
            sigma,
            parties: Vec::new(),
            points: Vec::new(),
            peaks: Vec::new(),
        }
    }

    /// The expected weights of party `party`, summing to 1.
    #[must_use]
    pub fn weights(&self, party: usize) -> Vec<f64> {
        let n = self.points.len();
        match self.parties.get(party).and_then(Option::as_ref) {
            Some(beliefs) => expected_weights(beliefs),
            None => vec![1.0 / n as f64; n],
        }
    }

    /// The score of a value at `place` under the shape peaking at `peak`.
    fn shape(peak: f64, place: f64) -> f64 {
        if place <= peak {
            if peak > 0.0 { place / peak } else { 1.0 }
        } else if peak < 1.0 {
            (1.0 - place) / (1.0 - peak)
        } else {
            1.0
        }
    }

    /// The expected score of a value at `place` of point `k` under `beliefs`.
    fn expected_score(&self, beliefs: &Beliefs, k: usize, place: f64) -> f64 {
        self.peaks[k]
            .iter()
            .zip(&beliefs.shapes[k])
            .map(|(&peak, &p)| p * Self::shape(peak, place))
            .sum()
    }
}

impl Default for BayesianModel {
    fn default() -> Self {
        Self::new(0.5, 0.15)
    }
}

fn expected_levels(beliefs: &Beliefs) -> Vec<f64> {
    beliefs
        .levels
        .iter()
        .map(|p| p.iter().zip(WEIGHT_LEVELS).map(|(p, l)| p * l).sum())
        .collect()
}

fn expected_weights(beliefs: &Beliefs) -> Vec<f64> {
    let levels = expected_levels(beliefs);
    let total: f64 = levels.iter().sum();
    levels.iter().map(|l| l / total).collect()
}

/// Scales `probabilities` to sum 1, none below 10^-9.
fn normalise(probabilities: &mut [f64]) {
    let floor = 1e-9;
    for p in probabilities.iter_mut() {
        *p = p.max(floor);
    }
    let total: f64 = probabilities.iter().sum();
    for p in probabilities.iter_mut() {
        *p /= total;
    }
}

impl OpponentModel for BayesianModel {
    fn name(&self) -> String {
        if (self.concession - 0.5).abs() < f64::EPSILON && (self.sigma - 0.15).abs() < f64::EPSILON
        {
            "bayesian".into()
        } else {
            format!(
                "bayesian(concession={}, sigma={})",
                self.concession, self.sigma
            )
        }
    }

    fn start(&mut self, me: &Me<'_>) {
        self.points = me.points.to_vec();
        self.parties = vec![None; me.n_parties];
        self.peaks = self
            .points
            .iter()
            .map(|point| {
                let m = point.n_values().map_or(MAX_SHAPES, |n| {
                    usize::try_from(n).unwrap_or(MAX_SHAPES).min(MAX_SHAPES)
                });
                if m <= 1 {
                    vec![0.0]
                } else {
                    (0..m).map(|k| k as f64 / (m - 1) as f64).collect()
                }
            })
            .collect();
    }

    fn update(&mut self, _me: &Me<'_>, by: usize, package: &Package, time: f64) {
        let n = self.points.len();
        if n == 0 || package.0.len() != n || self.parties.get(by).is_none() {
            return;
        }
        let fresh = Beliefs {
            levels: vec![[1.0 / WEIGHT_LEVELS.len() as f64; WEIGHT_LEVELS.len()]; n],
            shapes: self
                .peaks
                .iter()
                .map(|peaks| vec![1.0 / peaks.len() as f64; peaks.len()])
                .collect(),
        };
        let mut beliefs = self.parties[by].take().unwrap_or(fresh);
        let expected = (1.0 - self.concession * time.clamp(0.0, 1.0)).clamp(0.0, 1.0);
        let two_var = 2.0 * self.sigma * self.sigma;
        let likelihood = |u: f64| (-(u - expected) * (u - expected) / two_var).exp();
        // Every point is weighed against the beliefs held before this offer.
        let places: Vec<f64> = self
            .points
            .iter()
            .zip(&package.0)
            .map(|(point, &choice)| value_place(point, choice))
            .collect();
        let levels = expected_levels(&beliefs);
        let scores: Vec<f64> = (0..n)
            .map(|k| self.expected_score(&beliefs, k, places[k]))
            .collect();
        let total_level: f64 = levels.iter().sum();
        let mut updated = beliefs.clone();
        for k in 0..n {
            let other_levels = total_level - levels[k];
            let other_part: f64 = (0..n)
                .filter(|&j| j != k)
                .map(|j| levels[j] * scores[j])
                .sum();
            // Weight levels, the shape as expected.
            for (l, &level) in WEIGHT_LEVELS.iter().enumerate() {
                let u = (level * scores[k] + other_part) / (level + other_levels);
                updated.levels[k][l] *= likelihood(u);
            }
            normalise(&mut updated.levels[k]);
            // Shapes, the weight as expected.
            for (s, &peak) in self.peaks[k].iter().enumerate() {
                let u = (levels[k] * Self::shape(peak, places[k]) + other_part) / total_level;
                updated.shapes[k][s] *= likelihood(u);
            }
            normalise(&mut updated.shapes[k]);
        }
        beliefs = updated;
        self.parties[by] = Some(beliefs);
    }

    fn utility(&self, party: usize, package: &Package) -> f64 {
        let Some(Some(beliefs)) = self.parties.get(party) else {
            return 0.0;
        };
        let weights = expected_weights(beliefs);
        let mut sum = 0.0;
        for (k, (point, &choice)) in self.points.iter().zip(&package.0).enumerate() {
            sum += weights[k] * self.expected_score(beliefs, k, value_place(point, choice));
        }
        sum.clamp(0.0, 1.0)
    }
}

/// The perfect model ("perfect"): every party's true utility. A research upper bound,
/// built only from [`TrueProfiles`].
#[derive(Debug, Clone)]
pub struct PerfectModel {
    truth: TrueProfiles,
}

impl PerfectModel {
    /// The model that knows `truth`.
    #[must_use]
    pub fn new(truth: TrueProfiles) -> Self {
        Self { truth }
    }
}

impl OpponentModel for PerfectModel {
    fn name(&self) -> String {
        "perfect".into()
    }

    fn update(&mut self, _me: &Me<'_>, _by: usize, _package: &Package, _time: f64) {}

    fn utility(&self, party: usize, package: &Package) -> f64 {
        self.truth
            .position(party)
            .map_or(0.0, |position| position.utility(package))
    }
}

/// A fixed set of packages of a domain, with each party's true utilities, on which models
/// are measured ([`model_quality`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSample {
    packages: Vec<Package>,
    /// By place, the true utility of each package.
    utilities: Vec<Vec<f64>>,
    /// By ordered pair `(a, b)` of places (`a * n + b`), the indices of the packages whose
    /// `(u_a, u_b)` lie on the pair's Pareto frontier in the sample.
    frontiers: Vec<Vec<usize>>,
}

impl ModelSample {
    /// The most packages a sample holds: a domain with more is sampled.
    pub const SIZE: u64 = 1024;

    /// Every package of `case` when it has at most [`Self::SIZE`], else `SIZE` drawn
    /// uniformly with `seed`; with the utilities of `parties` (in order of play). `None`
    /// when a party has no position.
    #[must_use]
    pub fn new(case: &Case, parties: &[PartyIdx], seed: u64) -> Option<Self> {
        let points = case.points();
        let sizes: Option<Vec<u64>> = points.iter().map(Point::n_values).collect();
        let total = sizes.as_ref().and_then(|sizes| {
            sizes
                .iter()
                .try_fold(1u64, |acc, &n| acc.checked_mul(n))
                .filter(|&n| n <= Self::SIZE)
        });
        let packages: Vec<Package> = if let (Some(total), Some(sizes)) = (total, sizes) {
            (0..total)
                .map(|mut index| {
                    let mut choices: Vec<Choice> = points
                        .iter()
                        .zip(&sizes)
                        .rev()
                        .map(|(point, &size)| {
                            let v = index % size;
                            index /= size;
                            point.choice_at(v)
                        })
                        .collect();
                    choices.reverse();
                    Package(choices)
                })
                .collect()
        } else {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..Self::SIZE)
                .map(|_| {
                    Package(
                        points
                            .iter()
                            .map(|point| match &point.kind {
                                PointKind::Real { min, max } => {
                                    Choice::Real(super::draw_real(&mut rng, *min, *max))
                                }
                                _ => point.choice_at(
                                    rng.random_range(0..point.n_values().unwrap_or(1).max(1)),
                                ),
                            })
                            .collect(),
                    )
                })
                .collect()
        };
        let positions: Vec<&Position> = parties
            .iter()
            .map(|&p| case.position(p))
            .collect::<Option<_>>()?;
        let utilities: Vec<Vec<f64>> = positions
            .iter()
            .map(|position| packages.iter().map(|p| position.utility(p)).collect())
            .collect();
        let n = parties.len();
        let mut frontiers = vec![Vec::new(); n * n];
        for a in 0..n {
            for b in 0..n {
                if a != b {
                    frontiers[a * n + b] = pair_frontier(&utilities[a], &utilities[b]);
                }
            }
        }
        Some(Self {
            packages,
            utilities,
            frontiers,
        })
    }

    /// How many packages the sample holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.packages.len()
    }

    /// Whether the sample is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }
}

/// The indices of the packages whose `(x, y)` no other package dominates (ties kept once,
/// the first).
fn pair_frontier(x: &[f64], y: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&i, &j| {
        x[j].total_cmp(&x[i])
            .then(y[j].total_cmp(&y[i]))
            .then(i.cmp(&j))
    });
    let mut kept = Vec::new();
    let mut best_y = f64::NEG_INFINITY;
    for i in order {
        if y[i] > best_y {
            best_y = y[i];
            kept.push(i);
        }
    }
    kept
}

/// How well a model estimated the other parties, averaged over them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelQuality {
    /// The Pearson correlation between the estimated and the true utilities over the
    /// sample; `None` when either is constant on it (for every other party).
    pub pearson: Option<f64>,
    /// The mean absolute difference between the estimated and the true utilities.
    pub mean_abs_error: f64,
    /// The mean distance from each vector of the true two-party frontier (the model's
    /// holder and the other party, over the sample) to the nearest vector, in true
    /// utilities, of the packages on the frontier the estimate implies: 0 when the
    /// estimate finds the same trade-offs.
    pub frontier_distance: f64,
}

/// The quality of `model`, held by the party at place `me`, averaged over every other place
/// of `sample`. `None` for a sample without packages or with fewer than two parties.
#[must_use]
pub fn model_quality(
    model: &dyn OpponentModel,
    me: usize,
    sample: &ModelSample,
) -> Option<ModelQuality> {
    let n = sample.utilities.len();
    if sample.is_empty() || n < 2 || me >= n {
        return None;
    }
    let mut pearsons = Vec::new();
    let mut error = 0.0;
    let mut distance = 0.0;
    let mine = &sample.utilities[me];
    let mut estimated = vec![0.0; sample.len()];
    for other in (0..n).filter(|&o| o != me) {
        let truth = &sample.utilities[other];
        for (slot, package) in estimated.iter_mut().zip(&sample.packages) {
            *slot = model.utility(other, package);
        }
        if let Some(r) = pearson(&estimated, truth) {
            pearsons.push(r);
        }
        error += estimated
            .iter()
            .zip(truth)
            .map(|(e, t)| (e - t).abs())
            .sum::<f64>()
            / sample.len() as f64;
        let implied = pair_frontier(mine, &estimated);
        let real = &sample.frontiers[me * n + other];
        distance += real
            .iter()
            .map(|&r| {
                implied
                    .iter()
                    .map(|&i| (mine[r] - mine[i]).hypot(truth[r] - truth[i]))
                    .fold(f64::INFINITY, f64::min)
            })
            .sum::<f64>()
            / real.len().max(1) as f64;
    }
    let others = (n - 1) as f64;
    Some(ModelQuality {
        pearson: (!pearsons.is_empty())
            .then(|| pearsons.iter().sum::<f64>() / pearsons.len() as f64),
        mean_abs_error: error / others,
        frontier_distance: distance / others,
    })
}

/// After a session of `negotiators` (the parties `parties` of `case`, in order of play), how
/// well each one's opponent model learnt the others, on the [`ModelSample`] of `seed`;
/// `None` for a negotiator without a model.
#[must_use]
pub fn session_model_quality(
    negotiators: &[Box<dyn Negotiator>],
    case: &Case,
    parties: &[PartyIdx],
    seed: u64,
) -> Vec<Option<ModelQuality>> {
    let sample = negotiators
        .iter()
        .any(|n| n.opponent_model().is_some())
        .then(|| ModelSample::new(case, parties, seed))
        .flatten();
    negotiators
        .iter()
        .enumerate()
        .map(|(seat, negotiator)| {
            model_quality(negotiator.opponent_model()?, seat, sample.as_ref()?)
        })
        .collect()
}

/// The Pearson correlation of `x` and `y`; `None` when either is constant.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    // Below this the spread is rounding noise.
    let tiny = 1e-24 * n;
    (sxx > tiny && syy > tiny).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}
