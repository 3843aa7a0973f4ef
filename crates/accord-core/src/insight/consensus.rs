//! Per-point consensus: for each point of options, which options every party can live
//! with, which parties' red lines block the others, how each party rates each option, and
//! how much the parties have at stake there.
//!
//! Conflict is measured in utility, not in ratings: a point a party barely weighs cannot
//! head the list however far apart the ratings are. On each point the best compromise is
//! the option no red line blocks whose largest loss is smallest (a party's loss: its
//! weight on the point times the rating it gives up against its favourite option, in its
//! utility from 0 to 1), the smaller total loss breaking ties. The point's conflict is the
//! total the parties give up there; where every option is blocked, the total of their
//! whole ranges on the point.
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
//! // Doha is blocked by A. At Geneva B gives up 1; at Vienna A gives up 0.5 and B 0.4.
//! assert_eq!(consensus[0].options[2].blocked_by, vec![accord_core::PartyIdx(0)]);
//! assert_eq!(consensus[0].consensus, Some(OptionIdx(1)));
//! assert!((consensus[0].conflict - 0.9).abs() < 1e-12);
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
    /// The best compromise: the option no red line blocks whose largest loss (see
    /// `stakes`) is smallest, then whose total loss is smallest, then the first; `None`
    /// when every option is blocked.
    pub consensus: Option<OptionIdx>,
    /// The total utility the parties give up on this point at the compromise (the sum of
    /// `stakes`): 0 when one option is everyone's favourite. With every option blocked,
    /// the sum of the parties' whole ranges on the point.
    pub conflict: f64,
    /// For each party, what it gives up in its own utility when the compromise is chosen
    /// instead of its favourite (its weight on the point times the rating lost); its whole
    /// range on the point when every option is blocked.
    pub stakes: Vec<f64>,
}

impl PointConsensus {
    /// Whether every option of the point is blocked by some party's red line.
    #[must_use]
    pub fn blocked(&self) -> bool {
        self.consensus.is_none()
    }
}

/// Differences of utility below this are ties.
const TIE: f64 = 1e-12;

/// The points the parties disagree on, most conflicted first: those where every option is
/// blocked, then by conflict, largest first (point order among equals). Points where
/// nobody gives anything up are left out.
#[must_use]
pub fn conflict_order(consensus: &[PointConsensus]) -> Vec<&PointConsensus> {
    let mut points: Vec<&PointConsensus> = consensus
        .iter()
        .filter(|c| c.blocked() || c.conflict > 1e-9)
        .collect();
    points.sort_by(|a, b| {
        b.blocked()
            .cmp(&a.blocked())
            .then(b.conflict.total_cmp(&a.conflict))
    });
    points
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
            // What each party gives up, in its own utility, when option `k` is chosen
            // instead of its favourite on this point.
            let best: Vec<Option<f64>> = contributions
                .iter()
                .map(|c| {
                    c.as_ref()
                        .map(|v| v.iter().copied().fold(f64::NEG_INFINITY, f64::max))
                })
                .collect();
            let losses = |k: usize| -> Vec<f64> {
                contributions
                    .iter()
                    .zip(&best)
                    .map(|(c, hi)| match (c, hi) {
                        (Some(values), Some(hi)) => hi - values[k],
                        _ => 0.0,
                    })
                    .collect()
            };
            // The compromise: the unblocked option whose largest loss is smallest, then
            // whose total loss is smallest, then the first.
            let mut consensus: Option<(OptionIdx, f64, f64)> = None;
            for s in stances.iter().filter(|s| s.blocked_by.is_empty()) {
                let l = losses(s.option.0);
                let largest = l.iter().copied().fold(0.0_f64, f64::max);
                let total: f64 = l.iter().sum();
                let better = consensus.is_none_or(|(_, best_largest, best_total)| {
                    largest < best_largest - TIE
                        || (largest <= best_largest + TIE && total < best_total - TIE)
                });
                if better {
                    consensus = Some((s.option, largest, total));
                }
            }
            let consensus = consensus.map(|(k, _, _)| k);
            let stakes: Vec<f64> = match consensus {
                Some(k) => losses(k.0),
                None => contributions
                    .iter()
                    .zip(&best)
                    .map(|(c, hi)| match (c, hi) {
                        (Some(values), Some(hi)) => {
                            hi - values.iter().copied().fold(f64::INFINITY, f64::min)
                        }
                        _ => 0.0,
                    })
                    .collect(),
            };
            let conflict = stakes.iter().sum();
            Some(PointConsensus {
                point: point_idx,
                consensus,
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
        // Point a: P (weight 0.8) rates x > y > z, Q (weight 0.5) z > y > x. At y, P gives
        // up 0.8 * 0.5 and Q 0.5 * 0.5; at x, Q gives up 0.5; at z, P gives up 0.8. The
        // compromise is y (largest loss 0.4), its conflict 0.65 in all.
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
        assert!((all[0].conflict - 0.65).abs() < 1e-12);
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
        // With no consensus, a party's stake is its whole range on the point.
        assert!((all[0].stakes[0] - 0.5).abs() < 1e-12);
        assert!((all[0].conflict - 1.0).abs() < 1e-12);
        // The blocked point comes first, point b (no loss) not at all.
        let order: Vec<PointIdx> = conflict_order(&all).iter().map(|c| c.point).collect();
        assert_eq!(order, vec![PointIdx(0)]);
    }

    #[test]
    fn a_point_barely_weighed_is_not_in_conflict_however_far_apart_the_ratings() {
        // Point a: opposite ratings but weights 0.01 each; point b: P and Q both weigh it
        // 0.49 and rate its options 1/0.5 and 0.5/1: a smaller gap in ratings, larger stakes.
        let p = party(
            "p",
            vec![0.01, 0.49, 0.5],
            vec![vec![1.0, 0.5, 0.0], vec![1.0, 0.5], vec![]],
        );
        let q = party(
            "q",
            vec![0.01, 0.49, 0.5],
            vec![vec![0.0, 0.5, 1.0], vec![0.5, 1.0], vec![]],
        );
        let case = Case::new("t", points(), vec![p, q]).unwrap();
        let all = point_consensus(&case, &case.negotiating_parties());
        let order: Vec<PointIdx> = conflict_order(&all).iter().map(|c| c.point).collect();
        assert_eq!(order, vec![PointIdx(1), PointIdx(0)]);
        // On b, u loses Q 0.245 and v loses P 0.245: a tie on the largest and the total,
        // so the first.
        assert_eq!(all[1].consensus, Some(OptionIdx(0)));
        assert!((all[1].conflict - 0.245).abs() < 1e-12);
        assert!((all[0].conflict - 0.01).abs() < 1e-12);
    }

    #[test]
    fn the_compromise_minimises_the_largest_loss_then_the_total() {
        // Three parties on a: x costs (0, 0.3, 0.3), y costs (0.3, 0, 0.1): the same
        // largest loss, y the smaller total.
        let a = party(
            "a",
            vec![0.3, 0.7, 0.0],
            vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0], vec![]],
        );
        let b = party(
            "b",
            vec![0.3, 0.7, 0.0],
            vec![vec![0.0, 1.0, 0.0], vec![0.0, 1.0], vec![]],
        );
        let c = party(
            "c",
            vec![0.3, 0.7, 0.0],
            vec![vec![0.0, 2.0 / 3.0, 1.0], vec![0.0, 1.0], vec![]],
        );
        let case = Case::new("t", points(), vec![a, b, c]).unwrap();
        let all = point_consensus(&case, &case.negotiating_parties());
        assert_eq!(all[0].consensus, Some(OptionIdx(1)));
        assert!((all[0].conflict - 0.4).abs() < 1e-12);
    }
}
