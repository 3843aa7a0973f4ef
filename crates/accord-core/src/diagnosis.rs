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

use crate::analysis::{AnalysisOptions, find_frontier};
use crate::frontier::EQUAL_EPS;
use crate::model::{Case, PartyIdx};

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
    /// The most frontiers computed (one per set of red lines dropped).
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
    let reservation: Vec<f64> = parties
        .iter()
        .map(|&p| case.position(p).map_or(0.0, |pos| pos.reservation_value))
        .collect();
    // Frontiers by the red lines dropped; `None` when it could not be found.
    let mut frontiers: HashMap<Vec<Constraint>, Option<Vec<Vec<f64>>>> = HashMap::new();
    let mut complete = true;
    let mut feasible = |set: &[Constraint], complete: &mut bool| -> Option<bool> {
        let dropped: Vec<Constraint> = set
            .iter()
            .copied()
            .filter(|c| matches!(c, Constraint::RedLine { .. }))
            .collect();
        if !frontiers.contains_key(&dropped) {
            if frontiers.len() >= limit.max_frontiers {
                *complete = false;
                return None;
            }
            let relaxed = without_red_lines(case, &dropped);
            let frontier = find_frontier(&relaxed, parties, options)
                .ok()
                .map(|(_, scan)| scan.frontier.into_iter().map(|f| f.utilities).collect());
            frontiers.insert(dropped.clone(), frontier);
        }
        let frontier = frontiers[&dropped].as_ref()?;
        let waived: Vec<bool> = parties
            .iter()
            .map(|&p| set.contains(&Constraint::Reservation { party: p }))
            .collect();
        Some(frontier.iter().any(|u| {
            u.iter()
                .zip(&reservation)
                .zip(&waived)
                .all(|((u, r), w)| *w || *u >= r - EQUAL_EPS)
        }))
    };
    match feasible(&[], &mut complete) {
        Some(true) => return None,
        Some(false) => {}
        None => {
            return Some(Diagnosis {
                relaxations: Vec::new(),
                complete: false,
            });
        }
    }
    let mut relaxations: Vec<Vec<Constraint>> = Vec::new();
    for size in 1..=limit.max_size.min(constraints.len()) {
        let mut pick: Vec<usize> = (0..size).collect();
        loop {
            let set: Vec<Constraint> = pick.iter().map(|&k| constraints[k]).collect();
            let contains_found = relaxations
                .iter()
                .any(|r| r.iter().all(|c| set.contains(c)));
            if !contains_found {
                match feasible(&set, &mut complete) {
                    Some(true) => relaxations.push(set),
                    Some(false) => {}
                    None => complete = false,
                }
            }
            if !next_combination(&mut pick, constraints.len()) {
                break;
            }
        }
    }
    Some(Diagnosis {
        relaxations,
        complete,
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

/// `case` with the red lines `dropped` removed from their positions.
fn without_red_lines(case: &Case, dropped: &[Constraint]) -> Case {
    let parties = case
        .parties()
        .iter()
        .enumerate()
        .map(|(p, party)| {
            let mut party = party.clone();
            if let Some(position) = party.position.as_mut() {
                let mut index = 0;
                position.red_lines.retain(|_| {
                    let keep = !dropped.contains(&Constraint::RedLine {
                        party: PartyIdx(p),
                        index,
                    });
                    index += 1;
                    keep
                });
            }
            party
        })
        .collect();
    Case::new(case.name(), case.points().to_vec(), parties)
        .expect("dropping red lines keeps a valid case valid")
}
