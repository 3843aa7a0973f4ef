//! How evenly a package shares what agreement can give: each party's gain as a share of
//! its possible gain, the spread between parties, and who would rather have another
//! party's favourite compromise.
//!
//! - A party's **possible gain** is its ideal (its best utility over the individually
//!   rational frontier, as in [`crate::BargainingPoints::ideal_point`]) minus its
//!   reservation value. Its **gain share** is what the package gives it above its
//!   reservation value, divided by that: 0 at its walk-away value, 1 at its ideal.
//! - The **spread** is the largest gain share minus the smallest: 0 when every party gets
//!   the same share of what it could get (equitability), near 1 when one gets all and
//!   another nothing.
//! - A party's **favourite compromise** is the individually rational frontier vector best
//!   for it. A party **prefers** another's favourite compromise when it would get more
//!   from that than from the package: a sign that the package asks more of it than of the
//!   other (an envy test adapted to a single text).
//!
//! ```
//! use accord_core::{fairness, FrontierPoint, Package, PartyIdx};
//!
//! let frontier: Vec<FrontierPoint> = [[1.0, 0.2], [0.6, 0.6], [0.2, 1.0]]
//!     .iter()
//!     .map(|u| FrontierPoint { utilities: u.to_vec(), package: Package(vec![]), n_packages: 1 })
//!     .collect();
//! let parties = [PartyIdx(0), PartyIdx(1)];
//! // Reservation values 0.2: each can gain up to 0.8. The middle vector gives each 0.4,
//! // half of it; the spread is 0, and each prefers only its own favourite.
//! let even = fairness(&parties, &[0.6, 0.6], &[0.2, 0.2], &frontier);
//! assert!((even.parties[0].gain_share.unwrap() - 0.5).abs() < 1e-12);
//! assert!(even.spread.unwrap().abs() < 1e-12);
//! assert_eq!(even.parties[0].prefers, vec![PartyIdx(0)]);
//! // The first vector gives party 0 all it can get and party 1 nothing above its
//! // reservation value: spread 1; party 1 prefers its own favourite, party 0 nothing.
//! let lopsided = fairness(&parties, &[1.0, 0.2], &[0.2, 0.2], &frontier);
//! assert!((lopsided.spread.unwrap() - 1.0).abs() < 1e-12);
//! assert_eq!(lopsided.parties[1].prefers, vec![PartyIdx(1)]);
//! assert!(lopsided.parties[0].prefers.is_empty());
//! ```

use crate::analysis::frontier::{EQUAL_EPS, FrontierPoint};
use crate::model::PartyIdx;

/// How one party fares under a package.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyFairness {
    /// The party.
    pub party: PartyIdx,
    /// Its utility for the package.
    pub utility: f64,
    /// Utility minus reservation value (negative when it would rather walk away).
    pub gain: f64,
    /// Gain over possible gain (ideal minus reservation value); `None` when no
    /// individually rational frontier vector gives it more than its reservation value.
    pub gain_share: Option<f64>,
    /// The parties whose favourite compromise would give this party more than the
    /// package, in party order (itself included when the package is not its favourite).
    pub prefers: Vec<PartyIdx>,
}

/// How evenly a package shares the gains of agreement.
#[derive(Debug, Clone, PartialEq)]
pub struct Fairness {
    /// One entry per analysed party, in their order.
    pub parties: Vec<PartyFairness>,
    /// Largest minus smallest gain share; `None` when fewer than one party has a share.
    pub spread: Option<f64>,
    /// The party with the smallest gain share (the first on a tie).
    pub worst_off: Option<PartyIdx>,
}

/// Each party's favourite compromise: the individually rational frontier vector with the
/// highest utility for it (the largest sum of utilities on a tie, then the first), by
/// position in `parties`; `None` when no frontier vector is individually rational.
#[must_use]
pub fn favourite_compromises<'f>(
    frontier: &'f [FrontierPoint],
    reservation_values: &[f64],
) -> Vec<Option<&'f FrontierPoint>> {
    let rational: Vec<&FrontierPoint> = frontier
        .iter()
        .filter(|f| {
            f.utilities
                .iter()
                .zip(reservation_values)
                .all(|(u, d)| *u >= d - EQUAL_EPS)
        })
        .collect();
    (0..reservation_values.len())
        .map(|i| {
            let mut best: Option<&FrontierPoint> = None;
            for &f in &rational {
                let better = best.is_none_or(|b| {
                    let (u, v) = (f.utilities[i], b.utilities[i]);
                    u > v + EQUAL_EPS
                        || (u > v - EQUAL_EPS
                            && f.utilities.iter().sum::<f64>()
                                > b.utilities.iter().sum::<f64>() + EQUAL_EPS)
                });
                if better {
                    best = Some(f);
                }
            }
            best
        })
        .collect()
}

/// The fairness of a package with utilities `utilities` (one per party of `parties`),
/// judged against the reservation values and the frontier it was chosen from.
#[must_use]
pub fn fairness(
    parties: &[PartyIdx],
    utilities: &[f64],
    reservation_values: &[f64],
    frontier: &[FrontierPoint],
) -> Fairness {
    let favourites = favourite_compromises(frontier, reservation_values);
    let entries: Vec<PartyFairness> = parties
        .iter()
        .enumerate()
        .map(|(i, &party)| {
            let utility = utilities[i];
            let gain = utility - reservation_values[i];
            let possible = favourites[i].map(|f| f.utilities[i] - reservation_values[i]);
            let gain_share = possible.filter(|&p| p > EQUAL_EPS).map(|p| gain / p);
            let prefers = favourites
                .iter()
                .zip(parties)
                .filter(|(f, _)| f.is_some_and(|f| f.utilities[i] > utility + EQUAL_EPS))
                .map(|(_, &q)| q)
                .collect();
            PartyFairness {
                party,
                utility,
                gain,
                gain_share,
                prefers,
            }
        })
        .collect();
    let shares = entries
        .iter()
        .filter_map(|e| e.gain_share.map(|s| (e.party, s)));
    let mut lowest: Option<(PartyIdx, f64)> = None;
    let mut highest = f64::NEG_INFINITY;
    for (party, share) in shares {
        if lowest.is_none_or(|(_, low)| share < low) {
            lowest = Some((party, share));
        }
        highest = highest.max(share);
    }
    Fairness {
        parties: entries,
        spread: lowest.map(|(_, low)| highest - low),
        worst_off: lowest.map(|(party, _)| party),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Package;

    fn frontier(vectors: &[&[f64]]) -> Vec<FrontierPoint> {
        vectors
            .iter()
            .map(|u| FrontierPoint {
                utilities: u.to_vec(),
                package: Package(vec![]),
                n_packages: 1,
            })
            .collect()
    }

    #[test]
    fn shares_use_the_rational_ideal_not_the_overall_best() {
        // Party 0's best vector (0.9, 0.05) leaves party 1 below its reservation value
        // 0.1, so party 0's ideal is 0.7 and its possible gain 0.7 - 0.1 = 0.6. The package
        // (0.4, 0.5) gives it 0.3 of that: share 0.5. Party 1's ideal is 0.8, possible gain
        // 0.7, and 0.4 of it: share 4/7. Spread 4/7 - 1/2 = 1/14; party 0 is worst off.
        let f = frontier(&[&[0.9, 0.05], &[0.7, 0.3], &[0.4, 0.5], &[0.1, 0.8]]);
        let parties = [PartyIdx(0), PartyIdx(1)];
        let got = fairness(&parties, &[0.4, 0.5], &[0.1, 0.1], &f);
        assert!((got.parties[0].gain_share.unwrap() - 0.5).abs() < 1e-12);
        assert!((got.parties[1].gain_share.unwrap() - 4.0 / 7.0).abs() < 1e-12);
        assert!((got.spread.unwrap() - 1.0 / 14.0).abs() < 1e-12);
        assert_eq!(got.worst_off, Some(PartyIdx(0)));
        // Each prefers its own favourite, and neither the other's.
        assert_eq!(got.parties[0].prefers, vec![PartyIdx(0)]);
        assert_eq!(got.parties[1].prefers, vec![PartyIdx(1)]);
    }

    #[test]
    fn a_party_prefers_anothers_favourite_when_the_package_squeezes_it() {
        // Three parties. Party 2's favourite (0.5, 0.2, 0.9) gives party 0 more (0.5) than
        // the package does (0.3): party 0 prefers it. Party 1's favourite gives party 0
        // 0.2, less than 0.3.
        let f = frontier(&[&[0.9, 0.3, 0.2], &[0.2, 0.9, 0.3], &[0.5, 0.2, 0.9]]);
        let parties = [PartyIdx(0), PartyIdx(1), PartyIdx(2)];
        let got = fairness(&parties, &[0.3, 0.6, 0.6], &[0.0; 3], &f);
        assert_eq!(got.parties[0].prefers, vec![PartyIdx(0), PartyIdx(2)]);
    }

    #[test]
    fn nothing_rational_leaves_no_share() {
        // Every vector leaves some party below 0.5: no ideal, no share, no spread.
        let f = frontier(&[&[0.9, 0.1], &[0.1, 0.9]]);
        let parties = [PartyIdx(0), PartyIdx(1)];
        let got = fairness(&parties, &[0.9, 0.1], &[0.5, 0.5], &f);
        assert_eq!(got.parties[0].gain_share, None);
        assert!(got.parties[0].prefers.is_empty());
        assert_eq!(got.spread, None);
        assert_eq!(got.worst_off, None);
    }
}
