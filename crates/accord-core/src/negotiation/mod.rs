//! What automated negotiators and protocols share: the [`Negotiator`] trait, what a
//! negotiator may know ([`Me`]: its own position only), the state of a session
//! ([`State`]), the actions ([`Action`]), deadlines ([`Deadline`]) and the caller's clock
//! ([`Clock`]), and each party's packages ordered by its own utility ([`OutcomeIndex`]).
//!
//! Core has no clock and no global random generator: a time budget is measured by a
//! [`Clock`] the caller supplies, and every negotiator draws from the seeded
//! [`rand_chacha::ChaCha8Rng`] the protocol hands it, so that a session is reproducible
//! from its seed.
//!
//! Confidentiality holds by construction: a negotiator sees its own [`Position`] through
//! [`Me`], and of the others only their actions.
//!
//! ```
//! use accord_core::{AdditiveUtility, Evaluator, OutcomeIndex, Point, PointKind, Position};
//!
//! let points = vec![Point::new("wage", PointKind::options(["low", "mid", "high"]))];
//! let position = Position::new(
//!     AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(vec![0.0, 0.6, 1.0])]).into());
//! let index = OutcomeIndex::new(&points, &position, OutcomeIndex::DEFAULT_LIMIT, 0);
//! assert_eq!(index.len(), 3);
//! assert_eq!(index.best().1, 1.0);
//! // The least good package worth at least 0.5 to this party.
//! assert_eq!(index.at_least(0.5).1, 0.6);
//! ```

pub(crate) mod boa;
pub(crate) mod classics;
pub(crate) mod mediation;
pub(crate) mod models;
pub(crate) mod negotiators;
pub(crate) mod saop;
pub(crate) mod scoring;
pub(crate) mod tournament;

use rand::RngExt as _;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::model::{Choice, Package, Point, PointKind};
use crate::position::Position;

/// When a session ends without agreement: after a number of rounds, a time budget, or
/// whichever comes first. At least one is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deadline {
    /// Rounds: a round is every party acting once.
    pub rounds: Option<u32>,
    /// Seconds, as measured by the session's [`Clock`].
    pub seconds: Option<f64>,
}

impl Deadline {
    /// A deadline of `n` rounds.
    #[must_use]
    pub fn rounds(n: u32) -> Self {
        Self {
            rounds: Some(n),
            seconds: None,
        }
    }

    /// Normalised time in `[0, 1]` after `round` rounds and `elapsed` seconds: the larger
    /// of the two fractions used.
    #[must_use]
    pub fn time(&self, round: u32, elapsed: f64) -> f64 {
        let by_rounds = self
            .rounds
            .map_or(0.0, |n| f64::from(round) / f64::from(n.max(1)));
        let by_seconds = self
            .seconds
            .map_or(0.0, |s| if s > 0.0 { elapsed / s } else { 1.0 });
        by_rounds.max(by_seconds).clamp(0.0, 1.0)
    }
}

/// The caller's clock: seconds since the session started. Core never reads the time
/// itself.
pub trait Clock {
    /// Seconds elapsed since the session started.
    fn elapsed(&self) -> f64;
}

/// A clock that never moves: sessions with a deadline in rounds only, reproducible
/// whatever the machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoClock;

impl Clock for NoClock {
    fn elapsed(&self) -> f64 {
        0.0
    }
}

/// What a negotiator knows of itself: the points, its own position, its packages ordered
/// by its own utility, and its place at the table. Nothing of another party's position.
#[derive(Debug, Clone, Copy)]
pub struct Me<'a> {
    /// The points of the case.
    pub points: &'a [Point],
    /// Its own confidential position.
    pub position: &'a Position,
    /// Its packages by utility.
    pub outcomes: &'a OutcomeIndex,
    /// Its place in the order of play, from 0.
    pub place: usize,
    /// How many parties negotiate.
    pub n_parties: usize,
}

impl Me<'_> {
    /// Its utility of a package (undiscounted).
    #[must_use]
    pub fn utility(&self, package: &Package) -> f64 {
        self.position.utility(package)
    }

    /// Its reservation value.
    #[must_use]
    pub fn reservation_value(&self) -> f64 {
        self.position.reservation_value
    }
}

/// Where a session stands when a negotiator acts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct State {
    /// The current round, from 0.
    pub round: u32,
    /// Normalised time in `[0, 1]` ([`Deadline::time`]).
    pub time: f64,
}

/// An offer on the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// The package offered.
    pub package: Package,
    /// The place of the party that offered it.
    pub by: usize,
}

/// What a negotiator does when its turn comes.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Accept the standing offer.
    Accept,
    /// Reject it (if any) and offer this package instead.
    Offer(Package),
    /// Walk away: the session ends without agreement.
    End,
}

/// An automated negotiator. Implement it to bring your own strategy; the protocols call
/// it in turn.
pub trait Negotiator: Send {
    /// A short name for traces and tournament tables.
    fn name(&self) -> &str;

    /// Called once before the session.
    fn start(&mut self, _me: &Me<'_>) {}

    /// Its turn: `standing` is the offer on the table (`None` when it opens, and then it
    /// must offer; accepting nothing ends the session).
    fn act(
        &mut self,
        me: &Me<'_>,
        state: &State,
        standing: Option<&Offer>,
        rng: &mut ChaCha8Rng,
    ) -> Action;

    /// Another party's action, as every party hears it.
    fn observe(&mut self, _me: &Me<'_>, _by: usize, _action: &Action) {}

    /// Its opponent model, if it keeps one: tournaments measure how well it learnt
    /// ([`crate::model_quality`]).
    fn opponent_model(&self) -> Option<&dyn models::OpponentModel> {
        None
    }
}

/// One party's packages ordered by its own utility, for negotiators that look for "a
/// package worth about this much to me".
///
/// Up to `limit` packages, every package that clears the party's own red lines is listed
/// (`exact`). Beyond, a seeded sample of `min(limit, SAMPLE_SIZE)` packages clearing them
/// is, with the package best for the party (found point by point for an additive
/// utility) added: a negotiator then picks among those. Packages are addressed by their rank, from 0 (the
/// worst listed) to `len() - 1` (the best); equal utilities keep enumeration (or draw)
/// order. Packages are stored flat, one allocation for all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeIndex {
    /// Utilities by rank, ascending.
    utilities: Vec<f64>,
    packages: Stored,
}

/// How the packages behind the ranks are kept.
#[derive(Debug, Clone, PartialEq)]
enum Stored {
    /// Every package: by rank, its place in enumeration order, decoded on demand.
    Enumerated {
        order: Vec<u32>,
        /// Each point's value count and first value.
        points: Vec<(u64, Choice)>,
    },
    /// A sample of a case whose packages can be numbered in a `u64`: by rank, each
    /// package's place in enumeration order, decoded on demand.
    SampledIndexed {
        order: Vec<u64>,
        /// Each point's value count and first value.
        points: Vec<(u64, Choice)>,
    },
    /// A sample: the choices of the package of rank `k` at `k * n_points..`.
    Sampled {
        n_points: usize,
        choices: Vec<Choice>,
    },
}

/// Sorts `(utility, place)` pairs by ascending utility (as `f64::total_cmp`), equal
/// utilities keeping their order. A stable radix sort on the utility's 32 high-order bits
/// (4 passes instead of 8), then the runs whose high bits tie but whose numbers differ
/// are sorted on the whole number.
fn sort_by_utility(kept: &mut [(f64, u32)]) {
    // An order-preserving map of every `f64` to a `u64`; its high half keeps the order,
    // with ties.
    let high = |utility: f64| {
        let bits = utility.to_bits();
        let key = if bits >> 63 == 1 {
            !bits
        } else {
            bits | 1 << 63
        };
        (key >> 32) as u32
    };
    radsort::sort_by_key(kept, |&(utility, _)| high(utility));
    let mut start = 0;
    while start < kept.len() {
        let top = high(kept[start].0);
        let end = start
            + kept[start..]
                .iter()
                .position(|&(u, _)| high(u) != top)
                .unwrap_or(kept.len() - start);
        // Runs of equal numbers are already in order (the radix sort is stable).
        let run = &mut kept[start..end];
        if run.windows(2).any(|w| w[0].0.total_cmp(&w[1].0).is_gt()) {
            run.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        start = end;
    }
}

impl OutcomeIndex {
    /// Packages listed in full up to this many.
    pub const DEFAULT_LIMIT: u128 = 1 << 22;

    /// The most packages a sample lists, when a case has more than the limit.
    pub const SAMPLE_SIZE: u128 = 1 << 14;

    /// The index of `position` over `points`; `seed` draws the sample of a larger case.
    #[must_use]
    pub fn new(points: &[Point], position: &Position, limit: u128, seed: u64) -> Self {
        let n_packages = points
            .iter()
            .try_fold(1u128, |acc, p| acc.checked_mul(u128::from(p.n_values()?)));
        match n_packages.filter(|&n| n <= limit.min(u128::from(u32::MAX))) {
            Some(n) => Self::enumerated(points, position, n as u64),
            None => Self::sampled(points, position, limit, seed),
        }
    }

    /// Every package, enumerated in order (the last point fastest).
    fn enumerated(points: &[Point], position: &Position, n: u64) -> Self {
        let n_points = points.len();
        let sizes: Vec<u64> = points.iter().map(|p| p.n_values().unwrap_or(1)).collect();
        // An additive utility sums per-point contributions in point order: keep the
        // partial sums of the points before each one, so that moving to the next package
        // re-adds only the points that changed, and the sums are bit-identical to
        // `Position::utility`.
        let table: Option<Vec<Vec<f64>>> = match &position.utility {
            crate::UtilityFunction::Additive(additive) => Some(
                points
                    .iter()
                    .enumerate()
                    .map(|(k, p)| {
                        (0..sizes[k])
                            .map(|v| additive.contribution(crate::PointIdx(k), p.choice_at(v)))
                            .collect()
                    })
                    .collect(),
            ),
            crate::UtilityFunction::Constraint(_) => None,
        };
        let check_red_lines = !position.red_lines.is_empty();
        let needs_package = check_red_lines || table.is_none();
        let mut buffer = Package(points.iter().map(|p| p.choice_at(0)).collect());
        let mut digits = vec![0_u64; n_points];
        // prefix[k]: the sum of the contributions of points 0..k.
        let mut prefix = vec![0.0_f64; n_points + 1];
        let mut dirty = 0;
        let mut kept: Vec<(f64, u32)> = Vec::with_capacity(n as usize);
        if let (false, Some((last, rest))) =
            (check_red_lines, table.as_ref().and_then(|t| t.split_last()))
        {
            // The common case, an additive utility and no red line: for each combination
            // of the other points, one tight loop over the last point's values.
            let last_size = last.len() as u64;
            let mut base = 0_u64;
            let mut digits = vec![0_usize; rest.len()];
            let mut prefix = vec![0.0_f64; rest.len() + 1];
            let mut dirty = 0;
            while base < n {
                for k in dirty..rest.len() {
                    prefix[k + 1] = prefix[k] + rest[k][digits[k]];
                }
                let head = prefix[rest.len()];
                kept.extend(
                    last.iter()
                        .zip(base..)
                        .map(|(c, index)| ((head + c).min(1.0), index as u32)),
                );
                base += last_size;
                dirty = rest.len();
                for k in (0..rest.len()).rev() {
                    dirty = k;
                    digits[k] += 1;
                    if digits[k] < rest[k].len() {
                        break;
                    }
                    digits[k] = 0;
                }
            }
            sort_by_utility(&mut kept);
            return Self::from_sorted(points, &sizes, &kept);
        }
        for index in 0..n {
            if !check_red_lines || position.clears_red_lines(&buffer) {
                let utility = match &table {
                    Some(table) => {
                        for k in dirty..n_points {
                            prefix[k + 1] = prefix[k] + table[k][digits[k] as usize];
                        }
                        dirty = n_points;
                        prefix[n_points].min(1.0)
                    }
                    None => position.utility(&buffer),
                };
                kept.push((utility, index as u32));
            }
            // The last point varies fastest.
            for k in (0..n_points).rev() {
                dirty = dirty.min(k);
                digits[k] += 1;
                if digits[k] < sizes[k] {
                    if needs_package {
                        buffer.0[k] = points[k].choice_at(digits[k]);
                    }
                    break;
                }
                digits[k] = 0;
                if needs_package {
                    buffer.0[k] = points[k].choice_at(0);
                }
            }
        }
        sort_by_utility(&mut kept);
        Self::from_sorted(points, &sizes, &kept)
    }

    /// The index of enumerated packages sorted by utility.
    fn from_sorted(points: &[Point], sizes: &[u64], kept: &[(f64, u32)]) -> Self {
        Self {
            utilities: kept.iter().map(|&(utility, _)| utility).collect(),
            packages: Stored::Enumerated {
                order: kept.iter().map(|&(_, index)| index).collect(),
                points: points
                    .iter()
                    .zip(sizes)
                    .map(|(p, &size)| (size, p.choice_at(0)))
                    .collect(),
            },
        }
    }

    /// A seeded sample of `limit` packages clearing the red lines, and the best package.
    fn sampled(points: &[Point], position: &Position, limit: u128, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n_points = points.len();
        let wanted = usize::try_from(limit.min(Self::SAMPLE_SIZE)).unwrap_or(usize::MAX);
        // Draws go into one reused package and one flat list: no allocation per draw.
        let mut buffer = Package(points.iter().map(|p| p.choice_at(0)).collect());
        let mut raw: Vec<Choice> = Vec::with_capacity(wanted.saturating_add(1) * n_points);
        let mut kept: Vec<(f64, u32)> = Vec::with_capacity(wanted.saturating_add(1));
        let keep =
            |utility: f64, package: &Package, raw: &mut Vec<Choice>, kept: &mut Vec<(f64, u32)>| {
                kept.push((utility, kept.len() as u32));
                raw.extend_from_slice(&package.0);
            };
        let additive = match &position.utility {
            crate::UtilityFunction::Additive(additive) => Some(additive),
            crate::UtilityFunction::Constraint(_) => None,
        };
        let draw_choice = |p: &Point, rng: &mut ChaCha8Rng| match &p.kind {
            PointKind::Options(options) => {
                Choice::Option(crate::OptionIdx(rng.random_range(0..options.len())))
            }
            PointKind::Integer { min, max } => Choice::Integer(rng.random_range(*min..=*max)),
            PointKind::Real { min, max } => Choice::Real(draw_real(rng, *min, *max)),
        };
        let sizes: Option<Vec<u64>> = points.iter().map(Point::n_values).collect();
        let numbered = sizes.as_ref().is_some_and(|sizes| {
            sizes
                .iter()
                .try_fold(1u64, |acc, &n| acc.checked_mul(n))
                .is_some()
        });
        if let (Some(additive), true, true, Some(sizes)) = (
            additive,
            position.red_lines.is_empty(),
            numbered,
            sizes.as_ref(),
        ) {
            // The common case: every draw is kept, as its place in enumeration order (8
            // bytes, decoded on demand), its utility summed in point order as
            // `Position::utility` sums.
            let mut places: Vec<u64> = Vec::with_capacity(wanted + 1);
            for draw in 0..wanted {
                let mut sum = 0.0;
                let mut place = 0_u64;
                for (k, (p, &size)) in points.iter().zip(sizes).enumerate() {
                    let v = rng.random_range(0..size);
                    sum += additive.contribution(crate::PointIdx(k), p.choice_at(v));
                    place = place * size + v;
                }
                kept.push((sum.min(1.0), draw as u32));
                places.push(place);
            }
            let firsts: Vec<(u64, Choice)> = points
                .iter()
                .zip(sizes)
                .map(|(p, &size)| (size, p.choice_at(0)))
                .collect();
            if let Some(best) = best_package(points, position) {
                let place = best
                    .0
                    .iter()
                    .zip(&firsts)
                    .fold(0_u64, |acc, (c, &(size, first))| {
                        let v = match (c, first) {
                            (Choice::Option(o), _) => o.0 as u64,
                            (Choice::Integer(x), Choice::Integer(min)) => (x - min) as u64,
                            _ => 0,
                        };
                        acc * size + v
                    });
                kept.push((position.utility(&best), kept.len() as u32));
                places.push(place);
            }
            sort_by_utility(&mut kept);
            return Self {
                utilities: kept.iter().map(|&(u, _)| u).collect(),
                packages: Stored::SampledIndexed {
                    order: kept
                        .iter()
                        .map(|&(_, draw)| places[draw as usize])
                        .collect(),
                    points: firsts,
                },
            };
        }
        // Red lines may reject most draws: try a bounded number of times.
        for _ in 0..wanted.saturating_mul(4) {
            if kept.len() >= wanted {
                break;
            }
            // An additive utility is summed while drawing, in point order, as
            // `Position::utility` sums it.
            let mut sum = 0.0;
            for (k, (slot, p)) in buffer.0.iter_mut().zip(points).enumerate() {
                *slot = draw_choice(p, &mut rng);
                if let Some(additive) = additive {
                    sum += additive.contribution(crate::PointIdx(k), *slot);
                }
            }
            if position.clears_red_lines(&buffer) {
                let utility = if additive.is_some() {
                    sum.min(1.0)
                } else {
                    position.utility(&buffer)
                };
                keep(utility, &buffer, &mut raw, &mut kept);
            }
        }
        if let Some(best) = best_package(points, position)
            && position.clears_red_lines(&best)
        {
            keep(position.utility(&best), &best, &mut raw, &mut kept);
        }
        sort_by_utility(&mut kept);
        let mut choices = Vec::with_capacity(raw.len());
        for &(_, draw) in &kept {
            let at = draw as usize * n_points;
            choices.extend_from_slice(&raw[at..at + n_points]);
        }
        Self {
            utilities: kept.iter().map(|&(u, _)| u).collect(),
            packages: Stored::Sampled { n_points, choices },
        }
    }

    /// Whether every package clearing the red lines is listed.
    #[must_use]
    pub fn is_exact(&self) -> bool {
        matches!(self.packages, Stored::Enumerated { .. })
    }

    /// How many packages are listed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.utilities.len()
    }

    /// Whether no package is listed (every package crosses a red line).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.utilities.is_empty()
    }

    /// The utility of the package of rank `rank`.
    ///
    /// # Panics
    /// When `rank >= len()`.
    #[must_use]
    pub fn utility(&self, rank: usize) -> f64 {
        self.utilities[rank]
    }

    /// The package of rank `rank`.
    ///
    /// # Panics
    /// When `rank >= len()`.
    #[must_use]
    pub fn package(&self, rank: usize) -> Package {
        match &self.packages {
            Stored::Enumerated { order, points } => decode(u64::from(order[rank]), points),
            Stored::SampledIndexed { order, points } => decode(order[rank], points),
            Stored::Sampled { n_points, choices } => {
                Package(choices[rank * n_points..(rank + 1) * n_points].to_vec())
            }
        }
    }

    /// The best package for the party (the last listed on a tie) and its utility.
    ///
    /// # Panics
    /// When the index is empty.
    #[must_use]
    pub fn best(&self) -> (Package, f64) {
        let rank = self.len().checked_sub(1).expect("an index with packages");
        (self.package(rank), self.utilities[rank])
    }

    /// The worst package listed and its utility.
    ///
    /// # Panics
    /// When the index is empty.
    #[must_use]
    pub fn worst(&self) -> (Package, f64) {
        assert!(!self.is_empty(), "an index with packages");
        (self.package(0), self.utilities[0])
    }

    /// The rank of the package of least utility at or above `target`; `len()` when none
    /// reaches it.
    #[must_use]
    pub fn rank_at_least(&self, target: f64) -> usize {
        self.utilities.partition_point(|u| *u < target)
    }

    /// The package of least utility at or above `target` (the best package when none
    /// reaches it), and its utility.
    ///
    /// # Panics
    /// When the index is empty.
    #[must_use]
    pub fn at_least(&self, target: f64) -> (Package, f64) {
        let rank = self
            .rank_at_least(target)
            .min(self.len().checked_sub(1).expect("an index with packages"));
        (self.package(rank), self.utilities[rank])
    }

    /// The ranks of the packages with utility in `[low, high]`.
    #[must_use]
    pub fn between(&self, low: f64, high: f64) -> std::ops::Range<usize> {
        let from = self.rank_at_least(low);
        let to = self.utilities.partition_point(|u| *u <= high);
        from..to.max(from)
    }
}

/// The package with place `index` in enumeration order (the last point varying fastest),
/// from each point's value count and first value.
fn decode(mut index: u64, points: &[(u64, Choice)]) -> Package {
    let mut choices = vec![Choice::Option(crate::OptionIdx(0)); points.len()];
    for (slot, &(size, first)) in choices.iter_mut().zip(points).rev() {
        let v = index % size;
        index /= size;
        *slot = match first {
            Choice::Option(_) => Choice::Option(crate::OptionIdx(v as usize)),
            Choice::Integer(min) => Choice::Integer(min + v as i64),
            Choice::Real(min) => Choice::Real(min),
        };
    }
    Package(choices)
}

/// For an additive utility, the package taking on every point the value with the highest
/// score (the first on a tie); `None` for a constraint utility or a real range.
fn best_package(points: &[Point], position: &Position) -> Option<Package> {
    let crate::UtilityFunction::Additive(additive) = &position.utility else {
        return None;
    };
    points
        .iter()
        .enumerate()
        .map(|(k, point)| {
            let n = point.n_values()?;
            if n > 1 << 20 {
                // A wide range: its ends and the evaluator's own peak are enough.
                let ends = [point.choice_at(0), point.choice_at(n - 1)];
                return ends.into_iter().max_by(|a, b| {
                    additive
                        .contribution(crate::PointIdx(k), *a)
                        .total_cmp(&additive.contribution(crate::PointIdx(k), *b))
                });
            }
            (0..n).map(|v| point.choice_at(v)).reduce(|best, c| {
                if additive.contribution(crate::PointIdx(k), c)
                    > additive.contribution(crate::PointIdx(k), best)
                {
                    c
                } else {
                    best
                }
            })
        })
        .collect::<Option<Vec<Choice>>>()
        .map(Package)
}

/// A real value drawn uniformly from `min..=max` (`min` when the range is one value). A
/// range wider than the largest float (`-1e308..=1e308`) is drawn as the mix
/// `min·(1 - u) + max·u`, which stays finite; narrower ones as the random generator draws
/// them, so that seeded sessions keep their values.
pub(crate) fn draw_real(rng: &mut ChaCha8Rng, min: f64, max: f64) -> f64 {
    if max <= min {
        min
    } else if (max - min).is_finite() {
        rng.random_range(min..=max)
    } else {
        let u: f64 = rng.random();
        (min * (1.0 - u) + max * u).clamp(min, max)
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::{AdditiveUtility, Evaluator, RedLine};

    fn wage() -> (Vec<Point>, Position) {
        let points = vec![
            Point::new("wage", PointKind::options(["low", "mid", "high"])),
            Point::new("hours", PointKind::integer(35, 40)),
        ];
        let position = Position::new(
            AdditiveUtility::new(
                vec![0.5, 0.5],
                vec![
                    Evaluator::Options(vec![0.0, 0.6, 1.0]),
                    Evaluator::Linear {
                        origin: 35.0,
                        offset: 1.0,
                        slope: -0.2,
                    },
                ],
            )
            .into(),
        );
        (points, position)
    }

    #[test]
    fn lists_every_package_clearing_the_red_lines_by_utility() {
        let (points, mut position) = wage();
        position.red_lines.push(RedLine::forbid(
            &points[0],
            crate::PointIdx(0),
            &[crate::OptionIdx(0)],
        ));
        let index = OutcomeIndex::new(&points, &position, OutcomeIndex::DEFAULT_LIMIT, 0);
        // 3 x 6 packages, of which the 6 with a low wage cross the red line.
        assert_eq!(index.len(), 12);
        assert!(index.is_exact());
        assert!((1..index.len()).all(|k| index.utility(k - 1) <= index.utility(k)));
        // Each listed utility is the package's own.
        for k in 0..index.len() {
            assert_eq!(index.utility(k), position.utility(&index.package(k)));
            assert!(position.clears_red_lines(&index.package(k)));
        }
        // Best: high wage, 35 hours: 0.5 + 0.5.
        assert_eq!(index.best().1, 1.0);
        // Worst allowed: mid wage, 40 hours: 0.3 + 0.0.
        assert!((index.worst().1 - 0.3).abs() < 1e-12);
        let (_, u) = index.at_least(0.75);
        assert!((u - 0.8).abs() < 1e-12, "{u}");
        assert_eq!(index.at_least(2.0).1, 1.0);
        let range = index.between(0.5, 0.7);
        assert!(!range.is_empty());
        for k in 0..index.len() {
            assert_eq!(range.contains(&k), (0.5..=0.7).contains(&index.utility(k)));
        }
    }

    #[test]
    fn without_red_lines_every_package_is_ranked_with_its_own_utility() {
        // 3 x 6 x 2 packages. A last point no one cares about gives every package a twin
        // of equal utility; equal utilities keep enumeration order, so each red twin
        // comes just before its blue one.
        let (mut points, position) = wage();
        points.push(Point::new("colour", PointKind::options(["red", "blue"])));
        let crate::UtilityFunction::Additive(additive) = &position.utility else {
            unreachable!()
        };
        let mut weights = additive.weights().to_vec();
        weights.push(0.0);
        let mut evaluators = additive.evaluators().to_vec();
        evaluators.push(Evaluator::Options(vec![0.0, 1.0]));
        let position = Position::new(AdditiveUtility::new(weights, evaluators).into());
        let index = OutcomeIndex::new(&points, &position, OutcomeIndex::DEFAULT_LIMIT, 0);
        assert_eq!(index.len(), 36);
        for k in 0..index.len() {
            let package = index.package(k);
            assert_eq!(
                index.utility(k).to_bits(),
                position.utility(&package).to_bits()
            );
            if k > 0 {
                assert!(index.utility(k - 1) <= index.utility(k));
            }
        }
        // Twins differ only in colour: red (enumerated first) comes first.
        for k in (0..index.len()).step_by(2) {
            assert_eq!(index.package(k).0[2], Choice::Option(crate::OptionIdx(0)));
            assert_eq!(
                index.package(k + 1).0[2],
                Choice::Option(crate::OptionIdx(1))
            );
        }
    }

    #[test]
    fn a_large_case_is_sampled_with_the_best_package_added() {
        let (points, position) = wage();
        let index = OutcomeIndex::new(&points, &position, 5, 7);
        assert!(!index.is_exact());
        assert_eq!(index.len(), 6);
        assert_eq!(index.best().1, 1.0);
        // Utilities summed while drawing are the packages' own, bit for bit.
        for k in 0..index.len() {
            let own = position.utility(&index.package(k));
            assert_eq!(index.utility(k).to_bits(), own.to_bits());
        }
        // The same seed draws the same sample.
        assert_eq!(index, OutcomeIndex::new(&points, &position, 5, 7));
    }

    #[test]
    fn sorting_by_utility_is_total_and_stable() {
        // Values whose 32 high-order bits tie (1.0 and the next numbers up) and values
        // that tie exactly, with negative numbers.
        let next = |x: f64| f64::from_bits(x.to_bits() + 1);
        let values = [
            next(1.0),
            1.0,
            -2.0,
            0.5,
            next(next(1.0)),
            0.5,
            -0.0,
            0.0,
            1.0,
            1e-300,
        ];
        let mut kept: Vec<(f64, u32)> = values.iter().zip(0..).map(|(&v, k)| (v, k)).collect();
        let mut expected = kept.clone();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0));
        sort_by_utility(&mut kept);
        let bits = |v: &[(f64, u32)]| v.iter().map(|(u, k)| (u.to_bits(), *k)).collect::<Vec<_>>();
        assert_eq!(bits(&kept), bits(&expected));
    }

    #[test]
    fn normalised_time_is_the_larger_fraction_used() {
        let deadline = Deadline {
            rounds: Some(100),
            seconds: Some(10.0),
        };
        assert!((deadline.time(25, 5.0) - 0.5).abs() < 1e-12);
        assert!((deadline.time(75, 5.0) - 0.75).abs() < 1e-12);
        assert_eq!(Deadline::rounds(10).time(20, 0.0), 1.0);
    }
}
