//! Trades: starting from a draft package (the text on the table), the changes a mediator
//! could propose that leave no party worse off.
//!
//! [`trades`] changes one to [`TradeLimit::max_points`] points of the draft at a time and
//! reports two lists:
//!
//! - [`Trade`]s, the *minimal Pareto improvements*: packages that cross no new red line, where
//!   no party loses (a gain of at least `-EQUAL_EPS`) and some party gains (more than
//!   [`EQUAL_EPS`]), and where no proper subset of the changes (the other points put
//!   back to their draft values) gives such an improvement that also clears every red
//!   line the draft crosses and the trade clears. Every change listed is needed. Two
//!   independent improvements made together are therefore not listed (each is listed on
//!   its own), nor is an improvement padded with a change that adds nothing. They are
//!   ranked by the sum of the gains, then by fewer changes, then in search order.
//! - [`Logroll`]s: two changes on two points, where party `a` loses on the first point
//!   (its contribution there falls) while party `b` gains there, and `b` loses on the
//!   second while `a` gains there, and both gain overall. Only additive parties take part.
//!   They are ranked by the smaller of the two parties' gains. Other parties may lose;
//!   [`Logroll::others_not_worse`] says whether they do not.
//!
//! Every package is checked against the red lines of every party in `parties` that the
//! draft clears: a trade never crosses a red line the text did not already cross. A red
//! line the draft crosses may stay crossed (the trade improves the text without settling
//! that dispute) or be cleared ([`Trade::resolves`] lists those). Reservation values play
//! no part.
//!
//! **Values tried.** On a point of options, every option other than the draft's. On an
//! integer or real range, a few landmark values other than the draft's: the two ends of
//! the range; where some party's value function bends (the breakpoints of a
//! [`Evaluator::Piecewise`], the three corners of a [`Evaluator::Triangular`], the values
//! where a [`Evaluator::Linear`] reaches 0 and 1), rounded down and up on an integer
//! range; and the bounds of every red line on the point and of every hyper-rectangle of a
//! constraint utility ([`ValueSet::Range`], [`crate::Bound`]): on an integer range the
//! values on both sides of each bound (for a lower bound `m`, `ceil(m) - 1` and
//! `ceil(m)`; for an upper bound `m`, `floor(m)` and `floor(m) + 1`), on a real range the
//! bound itself (a real has no nearest value outside a bound, so values outside come
//! from the other landmarks). Every value is clamped into the range. Between two
//! consecutive landmarks every value function is linear and every red line and rectangle
//! decides the same way, so each party's best and worst values on the point, and every
//! value where a red line or rectangle changes its verdict, are among the landmarks.
//! Values strictly between two landmarks are not tried, even where a compromise there
//! would be a better trade.
//!
//! The search is deterministic and bounded by [`TradeLimit::max_evaluations`]; when it
//! stops early, [`Trades::complete`] is false. Utilities of additive parties are updated
//! per change (the change of contribution of each point), so a package of `k` changes
//! costs `O(k)` per party; a constraint utility evaluates the whole package. Reported
//! utilities are those of [`Case::utilities`].
//!
//! This is a mediator's view: it uses every party's utilities and red lines.
//!
//! ```
//! use accord_core::*;
//!
//! let points = vec![
//!     Point::new("wage", PointKind::options(["low", "high"])),
//!     Point::new("hours", PointKind::options(["35", "40"])),
//! ];
//! let position = |weights: Vec<f64>, wage: Vec<f64>, hours: Vec<f64>| Position::new(
//!     AdditiveUtility::new(weights, vec![Evaluator::Options(wage), Evaluator::Options(hours)])
//!         .into());
//! let case = Case::new("labour", points, vec![
//!     Party::new("union", "Union", Role::Party)
//!         .with_position(position(vec![0.75, 0.25], vec![0.0, 1.0], vec![1.0, 0.0])),
//!     Party::new("employer", "Employer", Role::Party)
//!         .with_position(position(vec![0.25, 0.75], vec![1.0, 0.0], vec![0.0, 1.0])),
//! ]).unwrap();
//! let parties = case.negotiating_parties();
//! let draft = Package(vec![Choice::Option(OptionIdx(0)), Choice::Option(OptionIdx(0))]);
//! let found = trades(&case, &parties, &draft, TradeLimit::default());
//! // Raising the wage alone costs the employer 0.25, and longer hours alone cost the union
//! // 0.25; together each gains 0.75 - 0.25 = 0.5. So the only improvement changes both.
//! assert_eq!(found.draft_utilities, vec![0.25, 0.25]);
//! assert_eq!(found.improvements.len(), 1);
//! assert_eq!(found.improvements[0].changes.len(), 2);
//! assert_eq!(found.improvements[0].gains, vec![0.5, 0.5]);
//! // It is a logroll: the union concedes on hours, which it weighs less, and the employer
//! // on the wage.
//! let logroll = &found.logrolls[0];
//! assert_eq!(logroll.parties, [PartyIdx(0), PartyIdx(1)]);
//! assert_eq!(logroll.changes[0].point, PointIdx(1));
//! assert_eq!(logroll.changes[1].point, PointIdx(0));
//! assert!(found.complete);
//! ```

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::analysis::frontier::EQUAL_EPS;
use crate::model::{Case, Choice, OptionIdx, Package, PartyIdx, PointIdx, PointKind};
use crate::position::{Evaluator, Position, RedLine, UtilityFunction, ValueSet};

/// How far [`trades`] searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeLimit {
    /// The most points a trade changes: changes of `1..=max_points` points are tried
    /// (at most 16).
    pub max_points: usize,
    /// The most trades kept in each list (improvements, logrolls).
    pub max_trades: usize,
    /// The most packages evaluated, including the ones that check that an improvement is
    /// minimal; beyond it the search stops and the answer is marked incomplete.
    pub max_evaluations: u64,
}

impl Default for TradeLimit {
    fn default() -> Self {
        Self {
            max_points: 3,
            max_trades: 20,
            max_evaluations: 5_000_000,
        }
    }
}

/// One point changed from the draft.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    /// The point changed.
    pub point: PointIdx,
    /// Its value in the draft.
    pub from: Choice,
    /// Its value in the trade.
    pub to: Choice,
}

/// A minimal Pareto improvement on the draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    /// The changed points, in point order.
    pub changes: Vec<Change>,
    /// The draft with the changes made.
    pub package: Package,
    /// The utility of the package for each party of `parties`.
    pub utilities: Vec<f64>,
    /// The utilities minus the draft's: none below `-EQUAL_EPS`, some above [`EQUAL_EPS`].
    pub gains: Vec<f64>,
    /// The red lines the draft crosses that the package clears, as (party, index in its
    /// position's list).
    pub resolves: Vec<(PartyIdx, usize)>,
}

/// Two parties each concede on the point they care less about, and both gain.
///
/// With `parties = [a, b]`, `a`'s contribution on `changes[0]`'s point falls by some
/// `loss > 0` and rises on `changes[1]`'s point by some `gain`, while its utility rises
/// overall. Since the clamp of an additive utility at 1 can only shrink a rise, the sum
/// of its changes of contribution is positive: `gain - loss > 0`, so `loss < gain`. That
/// is, `a` gives up less on the point it concedes than it wins on the other: it concedes
/// on the point it weighs less at these values. The same holds for `b` the other way.
#[derive(Debug, Clone, PartialEq)]
pub struct Logroll {
    /// The two parties, in the order of `parties`.
    pub parties: [PartyIdx; 2],
    /// `changes[0]`: `parties[0]` concedes (loses) on it and `parties[1]` gains;
    /// `changes[1]`: the reverse.
    pub changes: [Change; 2],
    /// The draft with both changes made.
    pub package: Package,
    /// The utility of the package for each party of `parties` (all of them, not only
    /// the two).
    pub utilities: Vec<f64>,
    /// The utilities minus the draft's, for each party of `parties`.
    pub gains: Vec<f64>,
    /// Whether no other party loses (each gain at least `-EQUAL_EPS`).
    pub others_not_worse: bool,
}

/// What [`trades`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Trades {
    /// The draft's utility for each party of `parties`.
    pub draft_utilities: Vec<f64>,
    /// Minimal Pareto improvements of at most `max_points` changes, best first (by the sum
    /// of gains, then fewer changes, then search order); at most `max_trades`.
    pub improvements: Vec<Trade>,
    /// Logrolls, best first (by the smaller gain of the two parties, then search order);
    /// at most `max_trades`.
    pub logrolls: Vec<Logroll>,
    /// Whether every package of at most `max_points` changes was evaluated.
    pub complete: bool,
    /// How many packages were evaluated, including the ones that check that an
    /// improvement is minimal.
    pub n_evaluated: u64,
}

/// The trades a mediator could propose from `draft`, among `parties`.
///
/// Packages that change `1..=limit.max_points` points of the draft are evaluated, each
/// point taking every option other than the draft's, or on a range a few landmark values:
/// its ends, where some party's value function bends (rounded down and up on integers),
/// and both sides of every red-line and hyper-rectangle bound on it. A package counts only
/// when it crosses no red line of `parties` that the draft clears. The improvements are
/// the minimal Pareto improvements ([`Trade`]); the logrolls are pairs of changes on which
/// two additive parties trade a loss for a larger gain ([`Logroll`]). Each list keeps the
/// best `limit.max_trades`. The search is deterministic and stops, marking the answer
/// incomplete, after `limit.max_evaluations` packages.
///
/// With no parties, or a draft the case does not admit ([`Case::admits`]: a value missing
/// or outside its point), there is nothing to search: the lists are empty, the answer
/// complete, no package is evaluated, and `draft_utilities` is empty.
#[must_use]
pub fn trades(case: &Case, parties: &[PartyIdx], draft: &Package, limit: TradeLimit) -> Trades {
    if parties.is_empty() || !case.admits(draft) {
        return Trades {
            draft_utilities: Vec::new(),
            improvements: Vec::new(),
            logrolls: Vec::new(),
            complete: true,
            n_evaluated: 0,
        };
    }
    let mut search = Search::new(case, parties, draft, limit);
    let complete = search.run(limit.max_points);
    search.finish(complete)
}

/// The red lines of `parties` that `draft` crosses and `package` clears.
fn resolved(
    case: &Case,
    parties: &[PartyIdx],
    draft: &Package,
    package: &Package,
) -> Vec<(PartyIdx, usize)> {
    parties
        .iter()
        .filter_map(|&p| case.position(p).map(|position| (p, position)))
        .flat_map(|(p, position)| {
            position
                .red_lines
                .iter()
                .enumerate()
                .filter(|(_, r)| r.is_crossed_by(draft) && !r.is_crossed_by(package))
                .map(move |(k, _)| (p, k))
        })
        .collect()
}

/// How the search computes one party's utility.
enum Utility<'a> {
    /// An additive utility: the draft's sum before the clamp at 1, and for every point and
    /// candidate value the change of contribution from the draft's value.
    Additive {
        draft_sum: f64,
        deltas: Vec<Vec<f64>>,
    },
    /// A constraint utility, evaluated on the whole package.
    Whole(&'a Position),
    /// No position: the utility is 0 everywhere, as in [`Case::utilities`].
    Absent,
}

/// A red line of some party, with the points it reads.
struct Line<'a> {
    red_line: &'a RedLine,
    points: [usize; 2],
}

impl Line<'_> {
    fn touches(&self, point: usize) -> bool {
        self.points.contains(&point)
    }
}

/// An item kept by [`Best`], with its score and search order.
struct Ranked<T> {
    score: f64,
    seq: u64,
    item: T,
}

impl<T> Ranked<T> {
    /// Better is a higher score, then an earlier place in the search.
    fn better(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(other.seq.cmp(&self.seq))
    }
}

impl<T> PartialEq for Ranked<T> {
    fn eq(&self, other: &Self) -> bool {
        self.better(other) == Ordering::Equal
    }
}

impl<T> Eq for Ranked<T> {}

impl<T> PartialOrd for Ranked<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Ranked<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.better(other)
    }
}

/// The `capacity` best items seen, in a heap whose top is the worst kept, so that the
/// search stores at most `capacity` items however many it finds.
struct Best<T> {
    capacity: usize,
    heap: BinaryHeap<Reverse<Ranked<T>>>,
}

impl<T> Best<T> {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            heap: BinaryHeap::new(),
        }
    }

    /// Whether an item with this score and place would be kept. Places only grow, so an
    /// item that ties the worst kept one comes after it and is not kept.
    fn would_keep(&self, score: f64) -> bool {
        if self.heap.len() < self.capacity {
            return true;
        }
        self.heap
            .peek()
            .is_some_and(|worst| score.total_cmp(&worst.0.score) == Ordering::Greater)
    }

    fn push(&mut self, score: f64, seq: u64, item: T) {
        if !self.would_keep(score) {
            return;
        }
        self.heap.push(Reverse(Ranked { score, seq, item }));
        if self.heap.len() > self.capacity {
            self.heap.pop();
        }
    }

    /// The kept items, best first, with their places in the search; none is kept after.
    fn take_sorted(&mut self) -> Vec<(u64, T)> {
        let heap = std::mem::take(&mut self.heap);
        let mut all: Vec<Ranked<T>> = heap.into_iter().map(|r| r.0).collect();
        all.sort_by(|a, b| b.better(a));
        all.into_iter().map(|r| (r.seq, r.item)).collect()
    }
}

/// A logroll found: the places in `parties` of the two parties, and whether the first
/// concedes on the first changed point (else on the second).
struct LogrollFound {
    changes: [(usize, usize); 2],
    pair: [usize; 2],
    first_concedes_on_first: bool,
}

struct Search<'a> {
    case: &'a Case,
    parties: &'a [PartyIdx],
    draft: &'a Package,
    /// Candidate values of every point, other than the draft's.
    candidates: Vec<Vec<Choice>>,
    utilities: Vec<Utility<'a>>,
    draft_utilities: Vec<f64>,
    lines: Vec<Line<'a>>,
    /// The red lines the draft crosses: they do not bind a trade.
    crossed_by_draft: Vec<usize>,
    /// The package being evaluated: the draft with the current changes made.
    work: Package,
    gains: Vec<f64>,
    sub_gains: Vec<f64>,
    n_evaluated: u64,
    max_evaluations: u64,
    /// Place of the next package in the search.
    seq: u64,
    /// Place of the next logroll found: one package may give several (one per pair of
    /// parties), found in the order of `parties`.
    logroll_seq: u64,
    improvements: Best<Vec<(usize, usize)>>,
    logrolls: Best<LogrollFound>,
}

impl<'a> Search<'a> {
    fn new(case: &'a Case, parties: &'a [PartyIdx], draft: &'a Package, limit: TradeLimit) -> Self {
        let candidates = candidates(case, parties, draft);
        let utilities = parties
            .iter()
            .map(|&party| match case.position(party) {
                None => Utility::Absent,
                Some(position) => match &position.utility {
                    UtilityFunction::Additive(additive) => {
                        let mut draft_sum = 0.0;
                        for (k, &choice) in draft.0.iter().enumerate() {
                            draft_sum += additive.contribution(PointIdx(k), choice);
                        }
                        let deltas = candidates
                            .iter()
                            .enumerate()
                            .map(|(k, values)| {
                                let point = PointIdx(k);
                                let base = additive.contribution(point, draft.0[k]);
                                values
                                    .iter()
                                    .map(|&v| additive.contribution(point, v) - base)
                                    .collect()
                            })
                            .collect();
                        Utility::Additive { draft_sum, deltas }
                    }
                    UtilityFunction::Constraint(_) => Utility::Whole(position),
                },
            })
            .collect();
        let lines: Vec<Line<'a>> = parties
            .iter()
            .filter_map(|&party| case.position(party))
            .flat_map(|position| &position.red_lines)
            .map(|red_line| {
                let require = red_line.require.point.0;
                let when = red_line.when.as_ref().map_or(require, |c| c.point.0);
                Line {
                    red_line,
                    points: [require, when],
                }
            })
            .collect();
        let crossed_by_draft = lines
            .iter()
            .enumerate()
            .filter(|(_, line)| line.red_line.is_crossed_by(draft))
            .map(|(k, _)| k)
            .collect();
        Self {
            case,
            parties,
            draft,
            candidates,
            utilities,
            draft_utilities: case.utilities(parties, draft),
            lines,
            crossed_by_draft,
            work: draft.clone(),
            gains: vec![0.0; parties.len()],
            sub_gains: vec![0.0; parties.len()],
            n_evaluated: 0,
            max_evaluations: limit.max_evaluations,
            seq: 0,
            logroll_seq: 0,
            improvements: Best::new(limit.max_trades),
            logrolls: Best::new(limit.max_trades),
        }
    }

    /// Searches changes of 1, 2, .. `max_points` points, each set of points in
    /// lexicographic order; false when the budget ran out.
    fn run(&mut self, max_points: usize) -> bool {
        let n_points = self.candidates.len();
        for k in 1..=max_points.min(n_points).min(16) {
            let mut combination: Vec<usize> = (0..k).collect();
            loop {
                if !self.search_points(&combination) {
                    return false;
                }
                if !next_combination(&mut combination, n_points) {
                    break;
                }
            }
        }
        true
    }

    /// Tries every candidate value on each of `points` (the last point varying fastest);
    /// false when the budget ran out.
    fn search_points(&mut self, points: &[usize]) -> bool {
        if points.iter().any(|&i| self.candidates[i].is_empty()) {
            return true;
        }
        // Only the red lines the draft clears bind (a trade may leave one it crosses
        // crossed), and those that read none of these points stay clear.
        let checks: Vec<usize> = (0..self.lines.len())
            .filter(|&r| {
                !self.crossed_by_draft.contains(&r)
                    && points.iter().any(|&i| self.lines[r].touches(i))
            })
            .collect();
        let mut digits = vec![0; points.len()];
        let finished = loop {
            for (&i, &d) in points.iter().zip(&digits) {
                self.work.0[i] = self.candidates[i][d];
            }
            if !self.evaluate(points, &digits, &checks) {
                break false;
            }
            if !next_digits(&mut digits, points, &self.candidates) {
                break true;
            }
        };
        for &i in points {
            self.work.0[i] = self.draft.0[i];
        }
        finished
    }

    /// Counts one more evaluated package; false when the budget is spent.
    fn take_budget(&mut self) -> bool {
        if self.n_evaluated >= self.max_evaluations
            || (self.n_evaluated.is_multiple_of(1024) && crate::interrupt::raised())
        {
            return false;
        }
        self.n_evaluated += 1;
        true
    }

    fn clears(&self, checks: &[usize]) -> bool {
        checks
            .iter()
            .all(|&r| !self.lines[r].red_line.is_crossed_by(&self.work))
    }

    /// The gains of the package in `self.work`, whose changes from the draft are the
    /// candidates `digits` on `points` at the places whose bit is set in `keep`.
    fn gains_into(&self, points: &[usize], digits: &[usize], keep: u64, out: &mut [f64]) {
        for ((slot, utility), draft_utility) in out
            .iter_mut()
            .zip(&self.utilities)
            .zip(&self.draft_utilities)
        {
            *slot = match utility {
                Utility::Additive { draft_sum, deltas } => {
                    let mut delta = 0.0;
                    for (t, (&i, &d)) in points.iter().zip(digits).enumerate() {
                        if keep & (1 << t) != 0 {
                            delta += deltas[i][d];
                        }
                    }
                    additive_gain(*draft_sum, delta)
                }
                Utility::Whole(position) => position.utility(&self.work) - draft_utility,
                Utility::Absent => 0.0,
            };
        }
    }

    /// Evaluates the package in `self.work`; false when the budget ran out.
    fn evaluate(&mut self, points: &[usize], digits: &[usize], checks: &[usize]) -> bool {
        if !self.take_budget() {
            return false;
        }
        let seq = self.seq;
        self.seq += 1;
        if !self.clears(checks) {
            return true;
        }
        let mut gains = std::mem::take(&mut self.gains);
        self.gains_into(points, digits, u64::MAX, &mut gains);
        let mut within_budget = true;
        if improves(&gains) {
            let score: f64 = gains.iter().sum();
            // Minimality is checked only for an improvement that would be kept.
            if self.improvements.would_keep(score) {
                match self.is_minimal(points, digits, checks) {
                    Some(true) => {
                        let changes = points.iter().copied().zip(digits.iter().copied());
                        self.improvements.push(score, seq, changes.collect());
                    }
                    Some(false) => {}
                    None => within_budget = false,
                }
            }
        }
        if within_budget && points.len() == 2 {
            self.find_logrolls(points, digits, &gains);
        }
        self.gains = gains;
        within_budget
    }

    /// Whether no proper subset of the changes gives an improvement that clears the red
    /// lines this package clears; `None` when the budget ran out. With one change, the
    /// only proper subset is the draft: no improvement.
    fn is_minimal(&mut self, points: &[usize], digits: &[usize], checks: &[usize]) -> Option<bool> {
        if points.len() == 1 {
            return Some(true);
        }
        let mut sub_gains = std::mem::take(&mut self.sub_gains);
        let mut answer = Some(true);
        // A change that clears a red line the draft crosses is needed, even if the
        // package without it still improves on the draft.
        let resolved: Vec<usize> = self
            .crossed_by_draft
            .iter()
            .copied()
            .filter(|&r| !self.lines[r].red_line.is_crossed_by(&self.work))
            .collect();
        // Every proper, non-empty subset of the changes (bit t: change t kept).
        let full = (1_u64 << points.len()) - 1;
        for keep in 1..full {
            if !self.take_budget() {
                answer = None;
                break;
            }
            for (t, &i) in points.iter().enumerate() {
                if keep & (1 << t) == 0 {
                    self.work.0[i] = self.draft.0[i];
                }
            }
            let improvement = self.clears(checks)
                && resolved
                    .iter()
                    .all(|&r| !self.lines[r].red_line.is_crossed_by(&self.work))
                && {
                    self.gains_into(points, digits, keep, &mut sub_gains);
                    improves(&sub_gains)
                };
            for (t, &i) in points.iter().enumerate() {
                self.work.0[i] = self.candidates[i][digits[t]];
            }
            if improvement {
                answer = Some(false);
                break;
            }
        }
        self.sub_gains = sub_gains;
        answer
    }

    /// Records the logrolls of a package of two changes that clears the red lines.
    fn find_logrolls(&mut self, points: &[usize], digits: &[usize], gains: &[f64]) {
        let (i, j) = (points[0], points[1]);
        let (x, y) = (digits[0], digits[1]);
        let deltas = |party: usize| match &self.utilities[party] {
            Utility::Additive { deltas, .. } => Some((deltas[i][x], deltas[j][y])),
            _ => None,
        };
        let loses = |d: f64| d < -EQUAL_EPS;
        let wins = |d: f64| d > EQUAL_EPS;
        let mut found = Vec::new();
        for a in 0..self.parties.len() {
            let Some((a_i, a_j)) = deltas(a) else {
                continue;
            };
            if gains[a] <= EQUAL_EPS {
                continue;
            }
            for b in a + 1..self.parties.len() {
                let Some((b_i, b_j)) = deltas(b) else {
                    continue;
                };
                if gains[b] <= EQUAL_EPS {
                    continue;
                }
                let first_concedes_on_first = if loses(a_i) && wins(b_i) && loses(b_j) && wins(a_j)
                {
                    true
                } else if loses(a_j) && wins(b_j) && loses(b_i) && wins(a_i) {
                    false
                } else {
                    continue;
                };
                found.push((gains[a].min(gains[b]), [a, b], first_concedes_on_first));
            }
        }
        for (score, pair, first_concedes_on_first) in found {
            let seq = self.logroll_seq;
            self.logroll_seq += 1;
            self.logrolls.push(
                score,
                seq,
                LogrollFound {
                    changes: [(i, x), (j, y)],
                    pair,
                    first_concedes_on_first,
                },
            );
        }
    }

    fn change(&self, (point, candidate): (usize, usize)) -> Change {
        Change {
            point: PointIdx(point),
            from: self.draft.0[point],
            to: self.candidates[point][candidate],
        }
    }

    /// The package with these changes, its utilities and its gains.
    fn evaluate_exactly(&self, changes: &[Change]) -> (Package, Vec<f64>, Vec<f64>) {
        let mut package = self.draft.clone();
        for change in changes {
            package.0[change.point.0] = change.to;
        }
        let utilities = self.case.utilities(self.parties, &package);
        let gains = utilities
            .iter()
            .zip(&self.draft_utilities)
            .map(|(u, d)| u - d)
            .collect();
        (package, utilities, gains)
    }

    fn finish(mut self, complete: bool) -> Trades {
        let kept = self.improvements.take_sorted();
        let mut improvements: Vec<(u64, Trade)> = kept
            .into_iter()
            .map(|(seq, changes)| {
                let changes: Vec<Change> = changes.into_iter().map(|c| self.change(c)).collect();
                let (package, utilities, gains) = self.evaluate_exactly(&changes);
                let resolves = resolved(self.case, self.parties, self.draft, &package);
                let trade = Trade {
                    changes,
                    package,
                    utilities,
                    gains,
                    resolves,
                };
                (seq, trade)
            })
            .collect();
        // The kept trades were ranked by utilities updated per change; rank them again by
        // the reported numbers, which may differ in the last bits.
        let sum = |t: &Trade| t.gains.iter().sum::<f64>();
        improvements.sort_by(|(sa, a), (sb, b)| sum(b).total_cmp(&sum(a)).then(sa.cmp(sb)));
        let kept = self.logrolls.take_sorted();
        let mut logrolls: Vec<(u64, f64, Logroll)> = kept
            .into_iter()
            .map(|(seq, found)| {
                let [first, second] = found.changes.map(|c| self.change(c));
                let changes = if found.first_concedes_on_first {
                    [first, second]
                } else {
                    [second, first]
                };
                let (package, utilities, gains) = self.evaluate_exactly(&changes);
                let [a, b] = found.pair;
                let others_not_worse = gains
                    .iter()
                    .enumerate()
                    .all(|(k, g)| k == a || k == b || *g >= -EQUAL_EPS);
                let score = gains[a].min(gains[b]);
                let logroll = Logroll {
                    parties: [self.parties[a], self.parties[b]],
                    changes,
                    package,
                    utilities,
                    gains,
                    others_not_worse,
                };
                (seq, score, logroll)
            })
            .collect();
        logrolls.sort_by(|(sa, a, _), (sb, b, _)| b.total_cmp(a).then(sa.cmp(sb)));
        Trades {
            draft_utilities: self.draft_utilities,
            improvements: improvements.into_iter().map(|(_, t)| t).collect(),
            logrolls: logrolls.into_iter().map(|(_, _, l)| l).collect(),
            complete,
            n_evaluated: self.n_evaluated,
        }
    }
}

/// The change of an additive utility `min(1, sum)` when its sum moves from `draft_sum` by
/// `delta`. Below the clamp it is `delta` itself, so a change that gives back exactly
/// what another takes sums to 0 without rounding.
fn additive_gain(draft_sum: f64, delta: f64) -> f64 {
    let after = draft_sum + delta;
    if draft_sum < 1.0 && after < 1.0 {
        delta
    } else {
        after.min(1.0) - draft_sum.min(1.0)
    }
}

/// Whether nobody loses and somebody gains.
fn improves(gains: &[f64]) -> bool {
    gains.iter().all(|&g| g >= -EQUAL_EPS) && gains.iter().any(|&g| g > EQUAL_EPS)
}

/// The next `k`-subset of `0..n` in lexicographic order; false after the last.
fn next_combination(combination: &mut [usize], n: usize) -> bool {
    let k = combination.len();
    for t in (0..k).rev() {
        if combination[t] < n - k + t {
            combination[t] += 1;
            for u in t + 1..k {
                combination[u] = combination[u - 1] + 1;
            }
            return true;
        }
    }
    false
}

/// The next candidate of each point, the last point fastest; false after the last.
fn next_digits(digits: &mut [usize], points: &[usize], candidates: &[Vec<Choice>]) -> bool {
    for t in (0..digits.len()).rev() {
        digits[t] += 1;
        if digits[t] < candidates[points[t]].len() {
            return true;
        }
        digits[t] = 0;
    }
    false
}

/// Where the value of a range point matters to some party: the values where a value
/// function bends, and the lower and upper bounds of red lines and rectangles.
#[derive(Default)]
struct Landmarks {
    bends: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

fn landmarks(case: &Case, parties: &[PartyIdx], point: PointIdx) -> Landmarks {
    let mut found = Landmarks::default();
    for position in parties.iter().filter_map(|&party| case.position(party)) {
        match &position.utility {
            UtilityFunction::Additive(additive) => match &additive.evaluators()[point.0] {
                Evaluator::Linear {
                    origin,
                    offset,
                    slope,
                } => {
                    if *slope != 0.0 {
                        found.bends.push(origin - offset / slope);
                        found.bends.push(origin + (1.0 - offset) / slope);
                    }
                }
                Evaluator::Piecewise(breakpoints) => {
                    found.bends.extend(breakpoints.iter().map(|(x, _)| *x));
                }
                Evaluator::Triangular { lower, top, upper } => {
                    found.bends.extend([*lower, *top, *upper]);
                }
                Evaluator::Options(_) | Evaluator::Constant(_) => {}
            },
            UtilityFunction::Constraint(constraint) => {
                for bound in constraint.root.bounds() {
                    if bound.point == point {
                        found.lower.push(bound.min);
                        found.upper.push(bound.max);
                    }
                }
            }
        }
        for red_line in &position.red_lines {
            for condition in std::iter::once(&red_line.require).chain(&red_line.when) {
                if let (true, ValueSet::Range { min, max }) =
                    (condition.point == point, &condition.values)
                {
                    found.lower.push(*min);
                    found.upper.push(*max);
                }
            }
        }
    }
    found
}

/// The values tried on every point, other than the draft's, in ascending order: see the
/// module documentation.
fn candidates(case: &Case, parties: &[PartyIdx], draft: &Package) -> Vec<Vec<Choice>> {
    case.points()
        .iter()
        .enumerate()
        .map(|(k, point)| {
            let current = draft.0[k];
            let values: Vec<Choice> = match &point.kind {
                PointKind::Options(options) => (0..options.len())
                    .map(|o| Choice::Option(OptionIdx(o)))
                    .collect(),
                PointKind::Integer { min, max } => {
                    let marks = landmarks(case, parties, PointIdx(k));
                    let (min, max) = (*min, *max);
                    let to_integer =
                        |x: f64| (x.clamp(min as f64, max as f64) as i64).clamp(min, max);
                    let finite = |x: &&f64| x.is_finite();
                    let mut values = vec![min, max];
                    for x in marks.bends.iter().filter(finite) {
                        values.extend([to_integer(x.floor()), to_integer(x.ceil())]);
                    }
                    for x in marks.lower.iter().filter(finite) {
                        values.extend([to_integer(x.ceil() - 1.0), to_integer(x.ceil())]);
                    }
                    for x in marks.upper.iter().filter(finite) {
                        values.extend([to_integer(x.floor()), to_integer(x.floor() + 1.0)]);
                    }
                    values.sort_unstable();
                    values.dedup();
                    values.into_iter().map(Choice::Integer).collect()
                }
                PointKind::Real { min, max } => {
                    let marks = landmarks(case, parties, PointIdx(k));
                    let mut values: Vec<f64> = [*min, *max]
                        .into_iter()
                        .chain(marks.bends)
                        .chain(marks.lower)
                        .chain(marks.upper)
                        .filter(|x| x.is_finite())
                        .map(|x| x.clamp(*min, *max))
                        .collect();
                    values.sort_by(f64::total_cmp);
                    values.dedup();
                    values.into_iter().map(Choice::Real).collect()
                }
            };
            values.into_iter().filter(|&v| v != current).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AdditiveUtility, Condition, Party, Point, RedLine, Role};

    fn party(id: &str, weights: Vec<f64>, evaluators: Vec<Evaluator>) -> Party {
        Party::new(id, id, Role::Party).with_position(Position::new(
            AdditiveUtility::new(weights, evaluators).into(),
        ))
    }

    fn scores(scores: &[f64]) -> Evaluator {
        Evaluator::Options(scores.to_vec())
    }

    /// The package giving each point the value with this label (an option id or a number).
    fn package(case: &Case, labels: &[&str]) -> Package {
        Package(
            case.points()
                .iter()
                .zip(labels)
                .map(|(point, label)| match point.kind {
                    PointKind::Options(_) => Choice::Option(point.option_idx(label).unwrap()),
                    PointKind::Integer { .. } => Choice::Integer(label.parse().unwrap()),
                    PointKind::Real { .. } => Choice::Real(label.parse().unwrap()),
                })
                .collect(),
        )
    }

    fn describe(case: &Case, changes: &[Change]) -> String {
        changes
            .iter()
            .map(|c| {
                let point = &case.points()[c.point.0];
                format!(
                    "{} {}->{}",
                    point.id,
                    point.choice_label(&c.from),
                    point.choice_label(&c.to)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Runs [`trades`] from the draft with these labels and compares the improvements
    /// (their changes) and the logrolls (`a gives .. / b gives ..`) with the expected ones.
    /// Also checks that every reported utility is the case's.
    fn check(
        case: &Case,
        draft: &[&str],
        limit: TradeLimit,
        improvements: &[&str],
        logrolls: &[&str],
    ) -> Trades {
        let parties = case.negotiating_parties();
        let found = trades(case, &parties, &package(case, draft), limit);
        let got: Vec<String> = found
            .improvements
            .iter()
            .map(|t| describe(case, &t.changes))
            .collect();
        assert_eq!(got, improvements);
        let got: Vec<String> = found
            .logrolls
            .iter()
            .map(|l| {
                let name = |p: PartyIdx| &case.parties()[p.0].id;
                format!(
                    "{} gives {} / {} gives {}",
                    name(l.parties[0]),
                    describe(case, &l.changes[..1]),
                    name(l.parties[1]),
                    describe(case, &l.changes[1..]),
                )
            })
            .collect();
        assert_eq!(got, logrolls);
        for trade in &found.improvements {
            assert_eq!(trade.utilities, case.utilities(&parties, &trade.package));
        }
        found
    }

    fn labour() -> Case {
        // The union weighs the wage 0.8 and wants it high, and short hours 0.2; the
        // employer the reverse.
        let points = vec![
            Point::new("wage", PointKind::options(["low", "high"])),
            Point::new("hours", PointKind::options(["35", "40"])),
        ];
        Case::new(
            "labour",
            points,
            vec![
                party(
                    "union",
                    vec![0.8, 0.2],
                    vec![scores(&[0.0, 1.0]), scores(&[1.0, 0.0])],
                ),
                party(
                    "employer",
                    vec![0.2, 0.8],
                    vec![scores(&[1.0, 0.0]), scores(&[0.0, 1.0])],
                ),
            ],
        )
        .unwrap()
    }

    #[test]
    fn a_swap_that_helps_both_is_an_improvement_and_a_logroll() {
        // From (low, 35) each single change costs someone 0.2; together both gain
        // 0.8 - 0.2 = 0.6. The union concedes on hours, the employer on the wage.
        let found = check(
            &labour(),
            &["low", "35"],
            TradeLimit::default(),
            &["wage low->high, hours 35->40"],
            &["union gives hours 35->40 / employer gives wage low->high"],
        );
        for gain in &found.improvements[0].gains {
            assert!((gain - 0.6).abs() < 1e-12);
        }
        assert!(found.logrolls[0].others_not_worse);
        // Two packages of one change, one of two, and the two checks that it is minimal.
        assert_eq!(found.n_evaluated, 5);
        assert!(found.complete);
    }

    #[test]
    fn improvements_made_together_or_padded_are_not_listed() {
        // Changing x helps P only, changing y helps Q only, changing z helps nobody. Each
        // of x and y is an improvement; x with y, or either with z, is one too, but putting
        // back one change still leaves an improvement: not minimal.
        let points = vec![
            Point::new("x", PointKind::options(["a", "b"])),
            Point::new("y", PointKind::options(["a", "b"])),
            Point::new("z", PointKind::options(["a", "b"])),
        ];
        let flat = || scores(&[1.0, 1.0]);
        let case = Case::new(
            "independent",
            points,
            vec![
                party(
                    "p",
                    vec![0.5, 0.3, 0.2],
                    vec![scores(&[0.0, 1.0]), flat(), flat()],
                ),
                party(
                    "q",
                    vec![0.3, 0.5, 0.2],
                    vec![flat(), scores(&[0.0, 1.0]), flat()],
                ),
            ],
        )
        .unwrap();
        // Equal sums of gains (0.5): search order, x first.
        check(
            &case,
            &["a", "a", "a"],
            TradeLimit::default(),
            &["x a->b", "y a->b"],
            &[],
        );
    }

    fn venue(red_line: Option<RedLine>) -> Case {
        // Both parties rate vienna best and doha second; the draft is geneva.
        let points = vec![Point::new(
            "venue",
            PointKind::options(["geneva", "vienna", "doha"]),
        )];
        let mut a = party("a", vec![1.0], vec![scores(&[0.0, 1.0, 0.5])]);
        if let Some(red_line) = red_line {
            a.position.as_mut().unwrap().red_lines.push(red_line);
        }
        let b = party("b", vec![1.0], vec![scores(&[0.0, 1.0, 0.5])]);
        Case::new("talks", points, vec![a, b]).unwrap()
    }

    #[test]
    fn a_red_line_blocks_an_improving_trade() {
        let limit = TradeLimit::default();
        check(
            &venue(None),
            &["geneva"],
            limit,
            &["venue geneva->vienna", "venue geneva->doha"],
            &[],
        );
        // A forbids vienna, which leaves doha.
        let points = venue(None).points().to_vec();
        let forbid = RedLine::forbid(&points[0], PointIdx(0), &[OptionIdx(1)]);
        check(
            &venue(Some(forbid)),
            &["geneva"],
            limit,
            &["venue geneva->doha"],
            &[],
        );
    }

    #[test]
    fn a_draft_across_a_red_line_is_improved_with_or_without_fixing_it() {
        // A forbids vienna, where the draft is. Moving the date to june helps both (0.5
        // each) and leaves vienna: an improvement that leaves the red line crossed. Moving
        // to geneva as well costs A the 0.5 it gains on the date and helps B by 1: an
        // improvement that clears the red line, and minimal, since without the venue
        // change the red line stays crossed, and without the date change A loses. Both sum
        // to 1; the single change comes first.
        let points = vec![
            Point::new("venue", PointKind::options(["geneva", "vienna"])),
            Point::new("date", PointKind::options(["may", "june"])),
        ];
        let mut a = party(
            "a",
            vec![0.5, 0.5],
            vec![scores(&[0.0, 1.0]), scores(&[0.0, 1.0])],
        );
        a.position.as_mut().unwrap().red_lines.push(RedLine::forbid(
            &points[0],
            PointIdx(0),
            &[OptionIdx(1)],
        ));
        let b = party(
            "b",
            vec![0.5, 0.5],
            vec![scores(&[1.0, 0.0]), scores(&[0.0, 1.0])],
        );
        let case = Case::new("talks", points, vec![a, b]).unwrap();
        let found = check(
            &case,
            &["vienna", "may"],
            TradeLimit::default(),
            &["date may->june", "venue vienna->geneva, date may->june"],
            &[],
        );
        assert_eq!(found.improvements[0].gains, vec![0.5, 0.5]);
        assert!(found.improvements[0].resolves.is_empty());
        assert_eq!(found.improvements[1].gains, vec![0.0, 1.0]);
        assert_eq!(found.improvements[1].resolves, vec![(PartyIdx(0), 0)]);
    }

    #[test]
    fn a_landmark_value_of_an_integer_range_improves() {
        // Price 0..=100, draft 50. A's score is a triangle peaking at 40 (0.5 at 50); B's
        // is 1 up to 45, falling to 0 at 60 (2/3 at 50). The landmarks are the ends 0 and
        // 100, A's corners 20, 40, 60 and B's breakpoints 30, 45: seven packages. Best is
        // A's peak 40 (gains 0.5 and 1/3), then 45 (0.25, 1/3), then 30 (0, 1/3).
        let points = vec![Point::new("price", PointKind::integer(0, 100))];
        let case = Case::new(
            "price",
            points,
            vec![
                party(
                    "a",
                    vec![1.0],
                    vec![Evaluator::Triangular {
                        lower: 20.0,
                        top: 40.0,
                        upper: 60.0,
                    }],
                ),
                party(
                    "b",
                    vec![1.0],
                    vec![Evaluator::Piecewise(vec![
                        (30.0, 1.0),
                        (45.0, 1.0),
                        (60.0, 0.0),
                    ])],
                ),
            ],
        )
        .unwrap();
        let limit = TradeLimit {
            max_points: 1,
            ..TradeLimit::default()
        };
        let found = check(
            &case,
            &["50"],
            limit,
            &["price 50->40", "price 50->45", "price 50->30"],
            &[],
        );
        assert_eq!(found.n_evaluated, 7);
    }

    #[test]
    fn range_red_lines_add_the_values_on_both_sides_of_their_bounds() {
        // "If the price is at least 10.5, the term must be at most 3": the price values
        // around 10.5 (10 and 11) and the term values around 3 (3 and 4) are tried, besides
        // the ends of the ranges.
        let points = vec![
            Point::new("price", PointKind::integer(0, 20)),
            Point::new("term", PointKind::integer(1, 6)),
        ];
        let mut a = party(
            "a",
            vec![0.5, 0.5],
            vec![Evaluator::Constant(0.0), Evaluator::Constant(0.0)],
        );
        a.position.as_mut().unwrap().red_lines.push(RedLine {
            when: Some(Condition {
                point: PointIdx(0),
                values: ValueSet::Range {
                    min: 10.5,
                    max: f64::INFINITY,
                },
            }),
            require: Condition {
                point: PointIdx(1),
                values: ValueSet::Range {
                    min: f64::NEG_INFINITY,
                    max: 3.0,
                },
            },
        });
        let case = Case::new("range", points, vec![a]).unwrap();
        let draft = Package(vec![Choice::Integer(0), Choice::Integer(1)]);
        let values = candidates(&case, &case.negotiating_parties(), &draft);
        assert_eq!(
            values,
            vec![
                [10, 11, 20].map(Choice::Integer).to_vec(),
                [3, 4, 6].map(Choice::Integer).to_vec(),
            ]
        );
    }

    #[test]
    fn the_evaluation_budget_marks_the_answer_incomplete() {
        let limit = |max_evaluations| TradeLimit {
            max_evaluations,
            ..TradeLimit::default()
        };
        // The swap is the third package: with two, it is never reached.
        let found = check(&labour(), &["low", "35"], limit(2), &[], &[]);
        assert!(!found.complete);
        assert_eq!(found.n_evaluated, 2);
        // With four, the swap is evaluated but not shown minimal.
        let found = check(&labour(), &["low", "35"], limit(4), &[], &[]);
        assert!(!found.complete);
        assert_eq!(found.n_evaluated, 4);
        // Five is exactly enough.
        let found = check(
            &labour(),
            &["low", "35"],
            limit(5),
            &["wage low->high, hours 35->40"],
            &["union gives hours 35->40 / employer gives wage low->high"],
        );
        assert!(found.complete);
    }

    #[test]
    fn no_parties_or_a_bad_draft_give_empty_lists() {
        let case = labour();
        let draft = package(&case, &["low", "35"]);
        let empty = trades(&case, &[], &draft, TradeLimit::default());
        assert!(empty.improvements.is_empty() && empty.logrolls.is_empty());
        assert!(empty.complete);
        let parties = case.negotiating_parties();
        for bad in [
            Package(vec![Choice::Option(OptionIdx(0))]),
            Package(vec![
                Choice::Option(OptionIdx(0)),
                Choice::Option(OptionIdx(7)),
            ]),
            Package(vec![Choice::Integer(0), Choice::Option(OptionIdx(0))]),
        ] {
            let found = trades(&case, &parties, &bad, TradeLimit::default());
            assert!(found.improvements.is_empty() && found.logrolls.is_empty());
            assert!(found.draft_utilities.is_empty());
            assert_eq!(found.n_evaluated, 0);
        }
    }
}
