//! Per-point consensus: for each point of options, which options every party can live
//! with, which parties' red lines block the others, how each party rates each option, and
//! how far apart the parties are on the point.
//!
//! This is a mediator's view: it shows every party's ratings and red lines, and must not
//! be shown to a party.
//!
//! ```
//! use accord_core::{point_consensus, AdditiveUtility, Case, Evaluator, Party, Point,
//!     PointIdx, PointKind, Position, RedLine, Role, OptionIdx};
//!
//! let points = vec![Point::new("venue", PointKind::options(["geneva", "vienna", "doha"]))];
//! let rating = |scores: Vec<f64>| Position::new(
//!     AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(scores)]).into());
//! let mut a = rating(vec![1.0, 0.5, 0.0]);
//! a.red_lines.push(RedLine::forbid(&points[0], PointIdx(0), &[OptionIdx(2)]));
//! let b = rating(vec![0.0, 0.6, 1.0]);
//! let case = Case::new("talks", points, vec![
//!     Party::new("a", "A", Role::Party).with_position(a),
//!     Party::new("b", "B", Role::Party).with_position(b),
//! ]).unwrap();
//! let consensus = point_consensus(&case, &case.negotiating_parties());
//! // Doha is blocked by A; of Geneva (worst-off rating 0) and Vienna (0.5), Vienna.
//! assert_eq!(consensus[0].options[2].blocked_by, vec![accord_core::PartyIdx(0)]);
//! assert_eq!(consensus[0].consensus, Some(OptionIdx(1)));
//! assert!((consensus[0].conflict - 0.5).abs() < 1e-12);
//! ```

use crate::model::{Case, Choice, OptionIdx, PartyIdx, PointIdx, PointKind};
use crate::position::UtilityFunction;

/// Where the parties stand on one option of a point.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionStance {
    /// The option.
    pub option: OptionIdx,
    /// The parties whose unconditional red lines forbid it.
    pub blocked_by: Vec<PartyIdx>,
    /// Each party's rating of it, from 0 (its worst option on this point) to 1 (its best);
    /// `None` for a party whose utility is not additive or who is indifferent here.
    pub ratings: Vec<Option<f64>>,
}

/// Where the parties stand on one point of options.
#[derive(Debug, Clone, PartialEq)]
pub struct PointConsensus {
    /// The point.
    pub point: PointIdx,
    /// One stance per option, in option order.
    pub options: Vec<OptionStance>,
    /// The option no red line blocks that leaves the party who rates it lowest best off
    /// (the first such option on a tie); `None` when every option is blocked.
    pub consensus: Option<OptionIdx>,
    /// `1 -` the lowest rating of the consensus option: 0 when it is every rating party's
    /// favourite, 1 when every option is blocked or the consensus is someone's worst.
    pub conflict: f64,
    /// For each party, the weight it puts on this point times what it gives up when the
    /// consensus option is chosen instead of its favourite: how strongly it cares.
    pub stakes: Vec<f64>,
}

/// The consensus on every point of options of `case`, among `parties`. Points that are
/// integer or real ranges are left out.
#[must_use]
pub fn point_consensus(case: &Case, parties: &[PartyIdx]) -> Vec<PointConsensus> {
    case.points()
        .iter()
        .enumerate()
        .filter_map(|(i, point)| {
            let PointKind::Options(options) = &point.kind else {
                return None;
            };
            let point_idx = PointIdx(i);
            // Contributions of every option, per party (None when not additive).
            let contributions: Vec<Option<Vec<f64>>> = parties
                .iter()
                .map(|&p| {
                    let position = case.position(p)?;
                    let UtilityFunction::Additive(additive) = &position.utility else {
                        return None;
                    };
                    Some(
                        (0..options.len())
                            .map(|k| additive.contribution(point_idx, Choice::Option(OptionIdx(k))))
                            .collect(),
                    )
                })
                .collect();
            let ratings: Vec<Vec<Option<f64>>> = contributions
                .iter()
                .map(|c| match c {
                    Some(values) => {
                        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        values
                            .iter()
                            .map(|v| (hi - lo > 0.0).then(|| (v - lo) / (hi - lo)))
                            .collect()
                    }
                    None => vec![None; options.len()],
                })
                .collect();
            let stances: Vec<OptionStance> = (0..options.len())
                .map(|k| {
                    let choice = Choice::Option(OptionIdx(k));
                    let blocked_by = parties
                        .iter()
                        .copied()
                        .filter(|&p| {
                            case.position(p).is_some_and(|position| {
                                position.red_lines.iter().any(|r| {
                                    r.when.is_none()
                                        && r.require.point == point_idx
                                        && !r.require.values.contains(choice)
                                })
                            })
                        })
                        .collect();
                    OptionStance {
                        option: OptionIdx(k),
                        blocked_by,
                        ratings: ratings.iter().map(|r| r[k]).collect(),
                    }
                })
                .collect();
            let worst =
                |s: &OptionStance| s.ratings.iter().flatten().copied().fold(1.0_f64, f64::min);
            let consensus = stances.iter().filter(|s| s.blocked_by.is_empty()).fold(
                None,
                |best: Option<&OptionStance>, s| match best {
                    Some(b) if worst(s) <= worst(b) => Some(b),
                    _ => Some(s),
                },
            );
            let conflict = consensus.map_or(1.0, |s| 1.0 - worst(s));
            let stakes = contributions
                .iter()
                .map(|c| match (c, consensus) {
                    (Some(values), Some(s)) => {
                        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        hi - values[s.option.0]
                    }
                    (Some(values), None) => {
                        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                        hi - lo
                    }
                    (None, _) => 0.0,
                })
                .collect();
            Some(PointConsensus {
                point: point_idx,
                consensus: consensus.map(|s| s.option),
                options: stances,
                conflict,
                stakes,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AdditiveUtility, Evaluator, Party, Point, Position, RedLine, Role};

    fn party(id: &str, weights: Vec<f64>, scores: Vec<Vec<f64>>) -> Party {
        // The third point is the integer range: a constant score.
        let evaluators = scores
            .into_iter()
            .map(|s| {
                if s.is_empty() {
                    Evaluator::Constant(0.0)
                } else {
                    Evaluator::Options(s)
                }
            })
            .collect();
        Party::new(id, id, Role::Party).with_position(Position::new(
            AdditiveUtility::new(weights, evaluators).into(),
        ))
    }

    fn points() -> Vec<Point> {
        vec![
            Point::new("a", PointKind::options(["x", "y", "z"])),
            Point::new("b", PointKind::options(["u", "v"])),
            Point::new("n", PointKind::integer(0, 10)),
        ]
    }

    #[test]
    fn agreement_conflict_and_stakes_on_hand_made_points() {
        // Point a: P rates x > y > z, Q rates z > y > x; y is each one's middle option, so
        // the consensus is y with conflict 0.5, and P (weight 0.8) gives up 0.8 * 0.5.
        // Point b: both prefer v: no conflict, no stakes.
        let p = party(
            "p",
            vec![0.8, 0.2, 0.0],
            vec![vec![1.0, 0.5, 0.0], vec![0.0, 1.0], vec![]],
        );
        let q = party(
            "q",
            vec![0.5, 0.5, 0.0],
            vec![vec![0.0, 0.5, 1.0], vec![0.2, 1.0], vec![]],
        );
        let case = Case::new("t", points(), vec![p, q]).unwrap();
        let all = point_consensus(&case, &case.negotiating_parties());
        // The integer range is left out.
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].consensus, Some(OptionIdx(1)));
        assert!((all[0].conflict - 0.5).abs() < 1e-12);
        assert!((all[0].stakes[0] - 0.4).abs() < 1e-12);
        assert!((all[0].stakes[1] - 0.25).abs() < 1e-12);
        assert_eq!(all[1].consensus, Some(OptionIdx(1)));
        assert!(all[1].conflict.abs() < 1e-12);
        assert_eq!(all[1].stakes, vec![0.0, 0.0]);
        assert_eq!(all[1].options[0].ratings, vec![Some(0.0), Some(0.0)]);
    }

    #[test]
    fn red_lines_block_options_and_can_leave_none() {
        // P forbids x, Q requires x: nothing on point a is acceptable to both.
        let mut p = party(
            "p",
            vec![0.5, 0.5, 0.0],
            vec![vec![1.0, 0.5, 0.0], vec![0.0, 1.0], vec![]],
        );
        let mut q = party(
            "q",
            vec![0.5, 0.5, 0.0],
            vec![vec![0.0, 0.5, 1.0], vec![0.0, 1.0], vec![]],
        );
        let pts = points();
        p.position.as_mut().unwrap().red_lines.push(RedLine::forbid(
            &pts[0],
            PointIdx(0),
            &[OptionIdx(0)],
        ));
        q.position.as_mut().unwrap().red_lines.push(RedLine::forbid(
            &pts[0],
            PointIdx(0),
            &[OptionIdx(1), OptionIdx(2)],
        ));
        let case = Case::new("t", pts, vec![p, q]).unwrap();
        let all = point_consensus(&case, &case.negotiating_parties());
        let blocked: Vec<Vec<PartyIdx>> = all[0]
            .options
            .iter()
            .map(|s| s.blocked_by.clone())
            .collect();
        assert_eq!(
            blocked,
            vec![vec![PartyIdx(0)], vec![PartyIdx(1)], vec![PartyIdx(1)]]
        );
        assert_eq!(all[0].consensus, None);
        assert!((all[0].conflict - 1.0).abs() < 1e-12);
        // With no consensus, a party's stake is its whole range on the point.
        assert!((all[0].stakes[0] - 0.5).abs() < 1e-12);
    }
}
