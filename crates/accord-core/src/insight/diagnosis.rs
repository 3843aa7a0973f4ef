//! Why no package is acceptable to every party: the smallest sets of red lines and
//! reservation values whose relaxation would make agreement possible.
//!
//! A set is a *relaxation* when, with its red lines dropped and its reservation values
//! waived, some package clears every remaining red line and gives every remaining party at
//! least its reservation value. Relaxing more never hurts, so the minimal relaxations say
//! everything: they are listed smallest first, and none contains another.
//!
//! ```
//! use accord_core::{diagnose, AnalysisOptions, Constraint, DiagnosisLimit, AdditiveUtility,
//!     Case, Evaluator, OptionIdx, Party, PartyIdx, Point, PointIdx, PointKind, Position,
//!     RedLine, Role};
//!
//! let points = vec![Point::new("border", PointKind::options(["north", "south"]))];
//! let side = |forbidden: usize| {
//!     let mut p = Position::new(
//!         AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(vec![0.5, 0.5])]).into());
//!     p.red_lines.push(RedLine::forbid(&points[0], PointIdx(0), &[OptionIdx(forbidden)]));
//!     p
//! };
//! let case = Case::new("deadlock", points.clone(), vec![
//!     Party::new("east", "East", Role::Party).with_position(side(1)),
//!     Party::new("west", "West", Role::Party).with_position(side(0)),
//! ]).unwrap();
//! let parties = case.negotiating_parties();
//! let found = diagnose(&case, &parties, &AnalysisOptions::default(), DiagnosisLimit::default())
//!     .expect("nothing is feasible");
//! // Either red line alone is enough to relax.
//! assert_eq!(found.relaxations, vec![
//!     vec![Constraint::RedLine { party: PartyIdx(0), index: 0 }],
//!     vec![Constraint::RedLine { party: PartyIdx(1), index: 0 }],
//! ]);
//! assert!(found.complete);
//! ```

use std::collections::HashMap;

use crate::analysis::frontier::EQUAL_EPS;
use crate::analysis::frontier::FrontierScan;
use crate::analysis::solve::acceptable;
use crate::analysis::{AnalysisOptions, FrontierMethod, MANY_PARTIES, find_frontier};
use crate::model::{Case, OptionIdx, PartyIdx, PointKind};
use crate::position::ValueSet;

/// One constraint a relaxation may drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Constraint {
    /// Red line number `index` of `party`'s position.
    RedLine {
        /// The party.
        party: PartyIdx,
        /// The red line's place in the position's list.
        index: usize,
    },
    /// `party`'s reservation value.
    Reservation {
        /// The party.
        party: PartyIdx,
    },
}

/// How far [`diagnose`] searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiagnosisLimit {
    /// The largest relaxation looked for.
    pub max_size: usize,
    /// The most frontiers computed (one per set of red lines dropped; a set that leaves
    /// some point no value under the unconditional red lines needs none).
    pub max_frontiers: usize,
}

impl Default for DiagnosisLimit {
    fn default() -> Self {
        Self {
            max_size: 3,
            max_frontiers: 200,
        }
    }
}

/// The minimal relaxations found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// Minimal relaxations, smallest first, each sorted; none contains another.
    pub relaxations: Vec<Vec<Constraint>>,
    /// Whether every set of up to `max_size` constraints was decided, so that no minimal
    /// relaxation of that size is missing.
    pub complete: bool,
    /// The largest relaxation looked for ([`DiagnosisLimit::max_size`]).
    pub max_size: usize,
}

/// The minimal relaxations of at most `limit.max_size` constraints among `parties`, or
/// `None` when some package is already acceptable to every party. A set whose frontier
/// cannot be found (too large) is left undecided, and the answer marked incomplete.
#[must_use]
pub fn diagnose(
    case: &Case,
    parties: &[PartyIdx],
    options: &AnalysisOptions,
    limit: DiagnosisLimit,
) -> Option<Diagnosis> {
    diagnose_keeping(case, parties, options, limit, None).0
}

/// A frontier and how it was found.
pub(crate) type Found = (FrontierMethod, FrontierScan);

/// [`diagnose`], told the frontier of the case as it stands when it is known, and
/// returning the frontier of the case with the first relaxation's red lines dropped when
/// it was the last one computed (so that it need not be found again).
pub(crate) fn diagnose_keeping(
    case: &Case,
    parties: &[PartyIdx],
    options: &AnalysisOptions,
    limit: DiagnosisLimit,
    known: Option<&FrontierScan>,
) -> (Option<Diagnosis>, Option<Found>) {
    let mut constraints = Vec::new();
    for &party in parties {
        if let Some(position) = case.position(party) {
            constraints.extend(
                (0..position.red_lines.len()).map(|index| Constraint::RedLine { party, index }),
            );
        }
    }
    for &party in parties {
        if case.position(party).is_some() {
            constraints.push(Constraint::Reservation { party });
        }
    }
    let mut search = Search {
        case,
        parties,
        options,
        max_frontiers: limit.max_frontiers,
        reservation: parties
            .iter()
            .map(|&p| case.position(p).map_or(0.0, |pos| pos.reservation_value))
            .collect(),
        frontiers: HashMap::new(),
        n_computed: 0,
        last: None,
        searched: HashMap::new(),
        approximate: Vec::new(),
        n_searched: 0,
    };
    if let Some(scan) = known {
        search.frontiers.insert(
            Vec::new(),
            Some(scan.frontier.iter().map(|f| f.utilities.clone()).collect()),
        );
    }
    let mut complete = true;
    match search.feasible(&[]) {
        Some(true) => return (None, None),
        Some(false) => {}
        None => {
            let diagnosis = Diagnosis {
                relaxations: Vec::new(),
                complete: false,
                max_size: limit.max_size,
            };
            return (Some(diagnosis), None);
        }
    }
    let mut relaxations: Vec<Vec<Constraint>> = Vec::new();
    let mut first = None;
    for size in 1..=limit.max_size.min(constraints.len()) {
        let mut pick: Vec<usize> = (0..size).collect();
        loop {
            let set: Vec<Constraint> = pick.iter().map(|&k| constraints[k]).collect();
            let contains_found = relaxations
                .iter()
                .any(|r| r.iter().all(|c| set.contains(c)));
            if !contains_found {
                match search.feasible(&set) {
                    Some(true) => {
                        if relaxations.is_empty() {
                            first = search
                                .last
                                .take()
                                .filter(|(dropped, _)| *dropped == red_lines_of(&set))
                                .map(|(_, found)| found);
                        }
                        relaxations.push(set);
                    }
                    Some(false) => {}
                    None => complete = false,
                }
            }
            if !next_combination(&mut pick, constraints.len()) {
                break;
            }
        }
    }
    let diagnosis = Diagnosis {
        relaxations,
        complete,
        max_size: limit.max_size,
    };
    (Some(diagnosis), first)
}

/// The red lines of a set of constraints.
fn red_lines_of(set: &[Constraint]) -> Vec<Constraint> {
    set.iter()
        .copied()
        .filter(|c| matches!(c, Constraint::RedLine { .. }))
        .collect()
}

/// The frontiers found so far, by the red lines dropped.
struct Search<'a> {
    case: &'a Case,
    parties: &'a [PartyIdx],
    options: &'a AnalysisOptions,
    max_frontiers: usize,
    reservation: Vec<f64>,
    /// Frontier utilities by the red lines dropped; `None` when it could not be found.
    frontiers: HashMap<Vec<Constraint>, Option<Vec<Vec<f64>>>>,
    n_computed: usize,
    /// The last frontier computed, whole, with the red lines dropped for it.
    last: Option<(Vec<Constraint>, Found)>,
    /// Where no frontier was found: the search's answer by the constraints relaxed.
    searched: HashMap<Vec<Constraint>, Option<bool>>,
    /// The red lines dropped for each frontier found only approximately.
    approximate: Vec<Vec<Constraint>>,
    n_searched: usize,
}

/// Searches allowed per frontier of the budget ([`DiagnosisLimit::max_frontiers`]).
const SEARCHES_PER_FRONTIER: usize = 10;

impl Search<'_> {
    /// Whether relaxing `set` makes some package acceptable; `None` when its frontier
    /// could not be found or the budget of frontiers is spent.
    fn feasible(&mut self, set: &[Constraint]) -> Option<bool> {
        let dropped = red_lines_of(set);
        if (self.parties.len() >= MANY_PARTIES || self.has_wide_point())
            && self.options.solve.is_some()
        {
            // Many parties, or a point too wide to merge exactly: the search answers
            // exactly without a frontier, which would rarely fit or be approximate.
            let waived: Vec<bool> = self
                .parties
                .iter()
                .map(|&p| set.contains(&Constraint::Reservation { party: p }))
                .collect();
            let answer = self.feasible_by_search(set, &dropped, &waived);
            // Where the search does not take the case (two wide points), frontiers judge.
            if answer.is_some() || self.parties.len() >= MANY_PARTIES {
                return answer;
            }
        }
        if !self.frontiers.contains_key(&dropped)
            && !some_value_per_point(self.case, self.parties, &dropped)
        {
            // A point whose unconditional red lines leave it no value: nothing to compute.
            self.frontiers.insert(dropped.clone(), Some(Vec::new()));
        }
        if !self.frontiers.contains_key(&dropped) {
            if self.n_computed >= self.max_frontiers {
                return None;
            }
            self.n_computed += 1;
            let without = relaxed(self.case, &dropped);
            let found = find_frontier(&without, self.parties, self.options).ok();
            if found
                .as_ref()
                .is_some_and(|(_, scan)| scan.error_bound > 0.0)
            {
                self.approximate.push(dropped.clone());
            }
            let frontier = found
                .as_ref()
                .map(|(_, scan)| scan.frontier.iter().map(|f| f.utilities.clone()).collect());
            self.frontiers.insert(dropped.clone(), frontier);
            self.last = found.map(|found| (dropped.clone(), found));
        }
        let waived: Vec<bool> = self
            .parties
            .iter()
            .map(|&p| set.contains(&Constraint::Reservation { party: p }))
            .collect();
        if self.frontiers[&dropped].is_none() {
            return self.feasible_by_search(set, &dropped, &waived);
        }
        if self.approximate.contains(&dropped)
            && self.options.solve.is_some()
            && let Some(answer) = self.feasible_by_search(set, &dropped, &waived)
        {
            // An approximate frontier would judge within its bound: the search is exact.
            return Some(answer);
        }
        let frontier = self.frontiers[&dropped].as_ref()?;
        Some(frontier.iter().any(|u| {
            u.iter()
                .zip(&self.reservation)
                .zip(&waived)
                .all(|((u, r), w)| *w || *u >= r - EQUAL_EPS)
        }))
    }
}

impl Search<'_> {
    /// Whether some point has more values than merging takes exactly (a wide range): its
    /// frontiers would be approximate.
    fn has_wide_point(&self) -> bool {
        self.case.points().iter().any(|p| {
            p.n_values()
                .is_some_and(|n| n > self.options.merge.max_point_values)
        })
    }

    /// Where the frontier could not be found: whether relaxing `set` makes some package
    /// acceptable, by the search for packages ([`crate::analysis::solve`]); `None` when
    /// it gives way or the budget is spent.
    fn feasible_by_search(
        &mut self,
        set: &[Constraint],
        dropped: &[Constraint],
        waived: &[bool],
    ) -> Option<bool> {
        let limit = self.options.solve?;
        if let Some(known) = self.searched.get(set) {
            return *known;
        }
        // A search answers one set (a frontier, every waiver of reservation values with
        // the same red lines): it gets its own, larger budget.
        if self.n_searched >= self.max_frontiers * SEARCHES_PER_FRONTIER {
            return None;
        }
        self.n_searched += 1;
        let without = relaxed(self.case, dropped);
        let lower: Vec<f64> = self
            .reservation
            .iter()
            .zip(waived)
            .map(|(r, w)| if *w { f64::NEG_INFINITY } else { r - EQUAL_EPS })
            .collect();
        let answer = acceptable(&without, self.parties, &lower, limit).ok();
        self.searched.insert(set.to_vec(), answer);
        answer
    }
}

/// Whether every point keeps some value under the unconditional red lines of `parties`
/// that are not `dropped`. When it does not, no package clears them all, and no frontier
/// needs computing to say so.
fn some_value_per_point(case: &Case, parties: &[PartyIdx], dropped: &[Constraint]) -> bool {
    let mut lowest: Vec<f64> = vec![f64::NEG_INFINITY; case.points().len()];
    let mut highest: Vec<f64> = vec![f64::INFINITY; case.points().len()];
    let mut allowed: Vec<Option<Vec<bool>>> = vec![None; case.points().len()];
    for &party in parties {
        let Some(position) = case.position(party) else {
            continue;
        };
        for (index, red_line) in position.red_lines.iter().enumerate() {
            if red_line.when.is_some() || dropped.contains(&Constraint::RedLine { party, index }) {
                continue;
            }
            let k = red_line.require.point.0;
            match &red_line.require.values {
                ValueSet::Options(options) => {
                    let n = case.points()[k].options().len();
                    let mask = allowed[k].get_or_insert_with(|| vec![true; n]);
                    for (o, slot) in mask.iter_mut().enumerate() {
                        *slot &= options.contains(&OptionIdx(o));
                    }
                }
                ValueSet::Range { min, max } => {
                    lowest[k] = lowest[k].max(*min);
                    highest[k] = highest[k].min(*max);
                }
            }
        }
    }
    case.points().iter().enumerate().all(|(k, point)| {
        let options_left = allowed[k]
            .as_ref()
            .is_none_or(|mask| mask.iter().any(|&a| a));
        let range_left = match point.kind {
            PointKind::Options(_) => true,
            PointKind::Integer { min, max } => {
                let lo = lowest[k].max(min as f64).ceil();
                let hi = highest[k].min(max as f64).floor();
                lo <= hi
            }
            PointKind::Real { min, max } => lowest[k].max(min) <= highest[k].min(max),
        };
        options_left && range_left
    })
}

/// The next `pick.len()`-subset of `0..n` in lexicographic order; `false` after the last.
fn next_combination(pick: &mut [usize], n: usize) -> bool {
    let k = pick.len();
    let Some(i) = (0..k).rev().find(|&i| pick[i] < n - k + i) else {
        return false;
    };
    pick[i] += 1;
    for j in i + 1..k {
        pick[j] = pick[j - 1] + 1;
    }
    true
}

/// `case` with a relaxation applied: its red lines dropped from their positions and its
/// reservation values waived (set to 0, the least any utility can be). Description and
/// draft are kept, so the relaxed case can be analysed in full: "if these gave way, what
/// would agreement look like".
#[must_use]
pub fn relaxed(case: &Case, relaxation: &[Constraint]) -> Case {
    let parties = case
        .parties()
        .iter()
        .enumerate()
        .map(|(p, party)| {
            let mut party = party.clone();
            if let Some(position) = party.position.as_mut() {
                let mut index = 0;
                position.red_lines.retain(|_| {
                    let keep = !relaxation.contains(&Constraint::RedLine {
                        party: PartyIdx(p),
                        index,
                    });
                    index += 1;
                    keep
                });
                if relaxation.contains(&Constraint::Reservation { party: PartyIdx(p) }) {
                    position.reservation_value = 0.0;
                }
            }
            party
        })
        .collect();
    let case_out = Case::new(case.name(), case.points().to_vec(), parties)
        .expect("relaxing constraints keeps a valid case valid")
        .with_description(case.description());
    match case.draft() {
        Some(draft) => case_out
            .with_draft(draft.clone())
            .expect("the draft fitted the same points"),
        None => case_out,
    }
}
