//! What each negotiator achieved over a tournament, as the ANAC scores it: individual
//! utility (which ranks the negotiators), social welfare, agreement rate, distances of the
//! agreements to the Pareto frontier and to the Nash package, and how well its opponent
//! model learnt; over the whole tournament ([`summarize`]) or per domain
//! ([`summarize_by_domain`]), with 95% confidence intervals over the repetitions.
//!
//! **Confidence intervals.** For each repetition, a negotiator's mean utility (welfare) over
//! its seats of that repetition; the interval's half-width is `t · s / √R`, where `R` is the
//! number of repetitions it played, `s` the standard deviation of those `R` means and `t`
//! the 97.5% quantile of Student's t distribution with `R - 1` degrees of freedom (from
//! 12.706 for one degree down to 1.960; above 30 degrees the next tabulated smaller degree's
//! value is used, which errs wide). With fewer than two repetitions there is none.

use std::borrow::Cow;

use crate::negotiation::models::ModelQuality;
use crate::negotiation::tournament::{ModelCheckpoint, NegotiationResult};

/// What one negotiator achieved over a tournament.
///
/// Counts are per seat: a session in which the negotiator plays two parties (self-play)
/// counts twice. Distances average over the seats that ended in an agreement with a known
/// frontier (Nash package); `None` when there is none. With no seat at all, the rates and
/// means are 0.
#[derive(Debug, Clone, PartialEq)]
pub struct NegotiatorSummary {
    /// The negotiator.
    pub name: String,
    /// Seats played.
    pub negotiations: u64,
    /// The share of seats that ended in an agreement.
    pub agreement_rate: f64,
    /// Its mean utility (discounted; the reservation value without agreement).
    pub mean_utility: f64,
    /// The mean distance of its agreements to the Pareto frontier.
    pub mean_distance_to_frontier: Option<f64>,
    /// The mean distance of its agreements to the Nash package.
    pub mean_distance_to_nash: Option<f64>,
    /// The mean welfare of its sessions.
    pub mean_welfare: f64,
    /// Its place by mean utility, from 1 (the ANAC's ranking); means within [`RANK_TIE`]
    /// of each other share a place.
    pub rank: usize,
    /// The half-width of the 95% confidence interval of its mean utility over the
    /// repetitions; `None` with fewer than two.
    pub utility_ci95: Option<f64>,
    /// The same for its mean welfare.
    pub welfare_ci95: Option<f64>,
    /// Over the seats where it kept an opponent model: the mean Pearson correlation of the
    /// model's estimates with the truth; `None` without a model.
    pub mean_model_pearson: Option<f64>,
    /// The mean absolute difference of the model's estimates from the truth.
    pub mean_model_error: Option<f64>,
    /// The mean distance of the frontier the model implies from the true one.
    pub mean_model_frontier_distance: Option<f64>,
}

/// What [`summarize`] reads of one session: a [`NegotiationResult`] without its package,
/// so that results read back from a file can be summarised too.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow<'a> {
    /// The domain's name.
    pub domain: &'a str,
    /// The repetition, from 0.
    pub repetition: u32,
    /// The negotiators' names, in order of play.
    pub line_up: &'a [String],
    /// Whether the session ended in an agreement.
    pub agreed: bool,
    /// Each party's utility, in order of play.
    pub utilities: &'a [f64],
    /// The session's welfare.
    pub welfare: f64,
    /// The agreement's distance to the frontier.
    pub distance_to_frontier: Option<f64>,
    /// The agreement's distance to the Nash package.
    pub distance_to_nash: Option<f64>,
    /// Per seat, its model's quality ([`NegotiationResult::model_quality`]); may be empty.
    pub model_quality: Cow<'a, [Option<ModelQuality>]>,
}

impl NegotiationResult {
    /// What [`summarize`] reads of it.
    #[must_use]
    pub fn summary_row(&self) -> SummaryRow<'_> {
        SummaryRow {
            domain: &self.domain,
            repetition: self.repetition,
            line_up: &self.line_up,
            agreed: self.agreement.is_some(),
            utilities: &self.utilities,
            welfare: self.welfare,
            distance_to_frontier: self.distance_to_frontier,
            distance_to_nash: self.distance_to_nash,
            model_quality: Cow::Borrowed(&self.model_quality),
        }
    }
}

/// Each of `negotiators`, in that order, with what it achieved over `results` (see
/// [`NegotiatorSummary`] for how seats are counted).
#[must_use]
pub fn summary(negotiators: &[String], results: &[NegotiationResult]) -> Vec<NegotiatorSummary> {
    summarize(
        negotiators,
        results.iter().map(NegotiationResult::summary_row),
    )
}

/// [`summary`] over rows, for results read back without their packages.
pub fn summarize<'a>(
    negotiators: &[String],
    rows: impl IntoIterator<Item = SummaryRow<'a>>,
) -> Vec<NegotiatorSummary> {
    #[derive(Default)]
    struct Tally {
        seats: u64,
        agreements: u64,
        utility: f64,
        welfare: f64,
        frontier: (f64, u64),
        nash: (f64, u64),
        pearson: (f64, u64),
        error: (f64, u64),
        model_frontier: (f64, u64),
        /// By repetition: utility, welfare and seats.
        repetitions: Vec<(f64, f64, u64)>,
    }
    let mut tallies: Vec<Tally> = negotiators.iter().map(|_| Tally::default()).collect();
    for row in rows {
        for (seat, name) in row.line_up.iter().enumerate() {
            let Some(k) = negotiators.iter().position(|n| n == name) else {
                continue;
            };
            let tally = &mut tallies[k];
            let utility = row.utilities.get(seat).copied().unwrap_or(0.0);
            tally.seats += 1;
            tally.utility += utility;
            tally.welfare += row.welfare;
            let r = row.repetition as usize;
            if tally.repetitions.len() <= r {
                tally.repetitions.resize(r + 1, (0.0, 0.0, 0));
            }
            let by_repetition = &mut tally.repetitions[r];
            by_repetition.0 += utility;
            by_repetition.1 += row.welfare;
            by_repetition.2 += 1;
            if let Some(Some(quality)) = row.model_quality.get(seat) {
                if let Some(r) = quality.pearson {
                    tally.pearson.0 += r;
                    tally.pearson.1 += 1;
                }
                tally.error.0 += quality.mean_abs_error;
                tally.error.1 += 1;
                tally.model_frontier.0 += quality.frontier_distance;
                tally.model_frontier.1 += 1;
            }
            if row.agreed {
                tally.agreements += 1;
                if let Some(d) = row.distance_to_frontier {
                    tally.frontier.0 += d;
                    tally.frontier.1 += 1;
                }
                if let Some(d) = row.distance_to_nash {
                    tally.nash.0 += d;
                    tally.nash.1 += 1;
                }
            }
        }
    }
    let mean = |sum: f64, n: u64| if n == 0 { 0.0 } else { sum / n as f64 };
    let mean_of = |(sum, n): (f64, u64)| (n > 0).then(|| sum / n as f64);
    let mut rows: Vec<NegotiatorSummary> = negotiators
        .iter()
        .zip(tallies)
        .map(|(name, tally)| NegotiatorSummary {
            rank: 0,
            utility_ci95: ci95(tally.repetitions.iter().map(|&(u, _, n)| (u, n))),
            welfare_ci95: ci95(tally.repetitions.iter().map(|&(_, w, n)| (w, n))),
            name: name.clone(),
            negotiations: tally.seats,
            agreement_rate: mean(tally.agreements as f64, tally.seats),
            mean_utility: mean(tally.utility, tally.seats),
            mean_distance_to_frontier: mean_of(tally.frontier),
            mean_distance_to_nash: mean_of(tally.nash),
            mean_welfare: mean(tally.welfare, tally.seats),
            mean_model_pearson: mean_of(tally.pearson),
            mean_model_error: mean_of(tally.error),
            mean_model_frontier_distance: mean_of(tally.model_frontier),
        })
        .collect();
    // Means within rounding of each other (summed in a different order) are equal.
    for k in 0..rows.len() {
        let mine = rows[k].mean_utility;
        rows[k].rank = 1 + rows
            .iter()
            .filter(|other| other.mean_utility > mine + RANK_TIE * mine.abs().max(1.0))
            .count();
    }
    rows
}

/// Mean utilities closer than this (relative to 1 or their size) share a rank.
pub const RANK_TIE: f64 = 1e-9;

/// Per domain, in the order the rows first name them: the domain and [`summarize`] over its
/// rows.
pub fn summarize_by_domain<'a>(
    negotiators: &[String],
    rows: impl IntoIterator<Item = SummaryRow<'a>>,
) -> Vec<(String, Vec<NegotiatorSummary>)> {
    let mut domains: Vec<(&'a str, Vec<SummaryRow<'a>>)> = Vec::new();
    for row in rows {
        match domains.iter_mut().find(|(name, _)| *name == row.domain) {
            Some((_, kept)) => kept.push(row),
            None => domains.push((row.domain, vec![row])),
        }
    }
    domains
        .into_iter()
        .map(|(name, rows)| (name.to_string(), summarize(negotiators, rows)))
        .collect()
}

/// The 97.5% quantile of Student's t distribution with `df` degrees of freedom (1 to 30,
/// then 40, 60 and 120; a `df` between two tabulated ones takes the smaller one's).
fn student_t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        31..=39 => TABLE[29],
        40..=59 => 2.021,
        60..=119 => 2.000,
        120..=999 => 1.980,
        _ => 1.960,
    }
}

/// How well one negotiator's opponent model had learnt by one moment of its sessions, over
/// a tournament: a point of its learning curve.
#[derive(Debug, Clone, PartialEq)]
pub struct LearningPoint {
    /// The negotiator.
    pub name: String,
    /// The moment, in normalised time ([`crate::TournamentSpec::model_checkpoints`]).
    pub time: f64,
    /// The seats at which its model was measured then.
    pub seats: u64,
    /// The mean Pearson correlation over those seats where it is defined; `None` where it
    /// never is.
    pub mean_pearson: Option<f64>,
    /// The mean absolute error.
    pub mean_error: f64,
    /// The mean distance of the implied frontier from the true one.
    pub mean_frontier_distance: f64,
}

/// The learning curve of each of `negotiators` that keeps a model, in that order, each by
/// moment: its models' mean quality at each checkpoint of `sessions` (each a line-up and
/// its [`NegotiationResult::model_quality_over_time`]). Empty without checkpoints.
pub fn learning_curves<'a>(
    negotiators: &[String],
    sessions: impl IntoIterator<Item = (&'a [String], Cow<'a, [ModelCheckpoint]>)>,
) -> Vec<LearningPoint> {
    /// Sums over the seats measured at one moment.
    #[derive(Default, Clone, Copy)]
    struct Cell {
        pearson: f64,
        defined: u64,
        error: f64,
        frontier: f64,
        seats: u64,
    }
    // By negotiator, by moment (in the order first met).
    let mut times: Vec<f64> = Vec::new();
    let mut tallies: Vec<Vec<Cell>> = vec![Vec::new(); negotiators.len()];
    for (line_up, checkpoints) in sessions {
        for checkpoint in checkpoints.iter() {
            let moment = if let Some(k) = times.iter().position(|&t| t == checkpoint.time) {
                k
            } else {
                times.push(checkpoint.time);
                times.len() - 1
            };
            for (seat, quality) in checkpoint.quality.iter().enumerate() {
                let (Some(quality), Some(k)) = (
                    quality,
                    line_up
                        .get(seat)
                        .and_then(|name| negotiators.iter().position(|n| n == name)),
                ) else {
                    continue;
                };
                let tally = &mut tallies[k];
                if tally.len() <= moment {
                    tally.resize(moment + 1, Cell::default());
                }
                let cell = &mut tally[moment];
                if let Some(r) = quality.pearson {
                    cell.pearson += r;
                    cell.defined += 1;
                }
                cell.error += quality.mean_abs_error;
                cell.frontier += quality.frontier_distance;
                cell.seats += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|&a, &b| times[a].total_cmp(&times[b]));
    let mut points = Vec::new();
    for (name, tally) in negotiators.iter().zip(&tallies) {
        for &moment in &order {
            let Some(&cell) = tally.get(moment).filter(|cell| cell.seats > 0) else {
                continue;
            };
            let seats = cell.seats as f64;
            points.push(LearningPoint {
                name: name.clone(),
                time: times[moment],
                seats: cell.seats,
                mean_pearson: (cell.defined > 0).then(|| cell.pearson / cell.defined as f64),
                mean_error: cell.error / seats,
                mean_frontier_distance: cell.frontier / seats,
            });
        }
    }
    points
}

/// The half-width of the 95% confidence interval of the mean of per-repetition means, from
/// each repetition's `(sum, count)`; repetitions without a seat are left out. `None` with
/// fewer than two.
fn ci95(repetitions: impl Iterator<Item = (f64, u64)>) -> Option<f64> {
    let means: Vec<f64> = repetitions
        .filter(|&(_, n)| n > 0)
        .map(|(sum, n)| sum / n as f64)
        .collect();
    let r = means.len();
    if r < 2 {
        return None;
    }
    let mean = means.iter().sum::<f64>() / r as f64;
    let variance = means.iter().map(|m| (m - mean) * (m - mean)).sum::<f64>() / (r - 1) as f64;
    Some(student_t975(r - 1) * (variance / r as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_equal_but_for_rounding_share_a_rank() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(ToString::to_string).collect();
        let line_up = |x: &str, y: &str| vec![x.to_string(), y.to_string()];
        let ups = [line_up("a", "b"), line_up("c", "a"), line_up("b", "c")];
        // a: 0.1 + 0.2 and 0.3 (0.30000000000000004 against 0.3 for b), c below.
        let utilities = [vec![0.1, 0.3], vec![0.0, 0.2], vec![0.0, 0.2]];
        let rows = ups.iter().zip(&utilities).map(|(up, u)| SummaryRow {
            domain: "d",
            repetition: 0,
            line_up: up,
            agreed: false,
            utilities: u,
            welfare: 0.0,
            distance_to_frontier: None,
            distance_to_nash: None,
            model_quality: Cow::Borrowed(&[]),
        });
        let table = summarize(&names, rows);
        let means: Vec<f64> = table.iter().map(|r| r.mean_utility).collect();
        assert_ne!(means[0], means[1], "{means:?}");
        assert_eq!(table.iter().map(|r| r.rank).collect::<Vec<_>>(), [1, 1, 3]);
    }

    #[test]
    fn learning_curves_average_each_moment_over_the_seats_that_keep_a_model() {
        let names: Vec<String> = ["m", "plain"].iter().map(ToString::to_string).collect();
        let quality = |pearson: Option<f64>, error: f64| {
            Some(ModelQuality {
                pearson,
                mean_abs_error: error,
                frontier_distance: error / 10.0,
            })
        };
        let at = |time: f64, quality: Vec<Option<ModelQuality>>| ModelCheckpoint { time, quality };
        let both = vec!["m".to_string(), "m".to_string()];
        let mixed = vec!["plain".to_string(), "m".to_string()];
        let sessions = vec![
            (
                both.as_slice(),
                Cow::Owned(vec![
                    at(0.5, vec![quality(Some(0.2), 0.4), quality(None, 0.2)]),
                    at(0.25, vec![quality(Some(0.0), 0.6), quality(Some(0.1), 0.5)]),
                ]),
            ),
            (
                mixed.as_slice(),
                Cow::Owned(vec![
                    at(0.5, vec![None, quality(Some(0.5), 0.3)]),
                    at(0.25, vec![None, quality(Some(0.2), 0.4)]),
                ]),
            ),
        ];
        let curve = learning_curves(&names, sessions);
        // Only `m` keeps a model; its points come in time order.
        assert_eq!(curve.len(), 2);
        assert_eq!((curve[0].name.as_str(), curve[0].time), ("m", 0.25));
        assert_eq!(curve[0].seats, 3);
        assert!((curve[0].mean_pearson.unwrap() - 0.1).abs() < 1e-12);
        assert!((curve[0].mean_error - 0.5).abs() < 1e-12);
        assert!((curve[0].mean_frontier_distance - 0.05).abs() < 1e-12);
        // At 0.5 the undefined correlation is left out of its mean, not of the error's.
        assert_eq!((curve[1].time, curve[1].seats), (0.5, 3));
        assert!((curve[1].mean_pearson.unwrap() - 0.35).abs() < 1e-12);
        assert!((curve[1].mean_error - 0.3).abs() < 1e-12);
        assert!(learning_curves(&names, Vec::new()).is_empty());
    }

    #[test]
    fn the_interval_uses_students_t_over_the_repetitions() {
        // Means 0.4, 0.6 and 0.5 (the second over two seats): s = 0.1, t(2) = 4.303.
        let half = ci95([(0.4, 1), (1.2, 2), (0.5, 1)].into_iter()).unwrap();
        assert!((half - 4.303 * 0.1 / 3f64.sqrt()).abs() < 1e-12, "{half}");
        assert_eq!(ci95([(0.4, 1)].into_iter()), None);
        // A repetition it did not play is left out.
        assert_eq!(ci95([(0.4, 1), (0.0, 0)].into_iter()), None);
        assert_eq!(student_t975(1), 12.706);
        assert_eq!(student_t975(45), 2.021);
        assert_eq!(student_t975(10_000), 1.960);
    }
}
