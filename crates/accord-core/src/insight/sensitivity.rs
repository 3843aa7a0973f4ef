//! Weight sensitivity of the recommended package: how far each party's weight on each
//! point can move before the Nash package (Nash 1950) changes.
//!
//! [`sensitivity`] takes the Nash package found by [`crate::bargaining_points`] and, for
//! every party with an [`AdditiveUtility`](crate::AdditiveUtility) and every point, reports
//! a [`WeightRange`]: the interval of weight shares within which that package stays the
//! recommendation, and what is recommended just beyond each end. [`PartySensitivity`]
//! sums this up as a margin: the smallest move of one weight that changes the
//! recommendation.
//!
//! # The weight move
//!
//! Party `p` has additive weights `w`, used as written; let `W` be their sum. Its share of
//! point `i` is `w_i / W`. Moving that share to `t` in `[0, 1]` while the other weights keep
//! their proportions gives the weights `w'_i = t·W` and `w'_j = w_j·(1 − t)/(1 − w_i/W)`
//! (which still sum to `W`), so that for any package `x`
//!
//! `u_p'(x; t) = min(1, t·W·s_i(x) + (1 − t)/(1 − w_i/W)·(r_p(x) − w_i·s_i(x)))`,
//!
//! where `s_i(x)` is the evaluator's score of `x`'s value on point `i` and `r_p(x)` the
//! weighted sum before the clamp at 1 (so `u_p = min(1, r_p)`). Inside the clamp this is
//! linear in `t` and equals `u_p(x)` at `t = w_i/W`. Other parties' utilities and every
//! reservation value stay as they are.
//!
//! Edge cases:
//! - When point `i` carries all of `p`'s weight (`w_i/W = 1`, every other weight 0), the
//!   other weights have no proportions to keep: the weight moved away from `i` is shared
//!   equally among the other points.
//! - A case with a single point leaves no weight to move: its range is the single share 1.
//! - A party whose weights are all 0 has no shares and gets no ranges.
//!
//! # The recommendation at a share
//!
//! At share `t` the recommendation is the candidate package maximising the Nash product
//! `Π_q (u_q − d_q)` among candidates that give every analysed party `q` strictly more
//! than its reservation value `d_q` (a gain above [`EQUAL_EPS`]), as in
//! [`crate::bargaining_points`]. Only `p`'s factor moves with `t`, and it is linear in `t`
//! between the points where a package's sum reaches the clamp at 1, so the interval around
//! the current share where the current package stays best is found exactly, by solving
//! the linear crossings of its Nash product with every candidate's, piece by piece, and the
//! point where its own gain for `p` falls to [`EQUAL_EPS`].
//!
//! Candidates: when the case has at most [`SENSITIVITY_ALL`] packages, every package that
//! clears every red line of every analysed party, and the answer is exact. Otherwise the
//! packages of the frontier passed in (one per frontier vector) and `exact` is `false`: the
//! recommendation is then re-chosen among the current frontier's packages only, so the true
//! range can only be narrower than the one reported.
//!
//! Ties: another candidate takes over where its Nash product exceeds the current
//! package's by more than [`TIE_EPS`]; the bound is placed at the exact crossing of the two
//! products. Hence:
//! - a candidate with the current package's utility vector at every share (the same
//!   utility for every other party and, for `p`, the same score on the moved point and the
//!   same weighted rest) is the same recommendation and never a switch;
//! - a candidate whose Nash product is within [`TIE_EPS`] of the current one at the current
//!   weight but grows faster in one direction is a tie that the smallest move breaks: it
//!   gives a bound at the current share, or within rounding of it (a margin of about 0).
//!   This is the case of another package with the same utility vector now but a different
//!   score on the moved point;
//! - a candidate that stays within [`TIE_EPS`] of the current package over the whole move
//!   never counts as a switch;
//! - when `nash` is not the best candidate at the current weights (it came from an
//!   approximate frontier, say), its ranges shrink to the current share.
//!
//! Beyond a bound, the package named is the one recommended `1e-9` of share past it (or at
//! 0 or 1 if nearer): the largest Nash product there (within [`TIE_EPS`]), then the fastest
//! growing, then the first candidate. Reading it a little past the bound passes over the
//! slivers of share that the [`EQUAL_EPS`] threshold on gains leaves where two packages'
//! gains reach the reservation value at nearly the same share.
//!
//! ```
//! use accord_core::*;
//!
//! // The union's share of the wage weight is 0.4; its Nash package is a low wage with
//! // short hours, (0.6, 0.6). A high wage with long hours, (t, 0.4) at share t, overtakes
//! // it, 0.4·t > 0.6·(1 − t), once the share passes 0.6.
//! let points = vec![
//!     Point::new("wage", PointKind::options(["low", "high"])),
//!     Point::new("hours", PointKind::options(["long", "short"])),
//! ];
//! let position = |weights: Vec<f64>, scores: [[f64; 2]; 2]| Position::new(
//!     AdditiveUtility::new(weights, scores.map(|s| Evaluator::Options(s.to_vec())).to_vec())
//!         .into(),
//! );
//! let case = Case::new("labour", points, vec![
//!     Party::new("union", "Union", Role::Party)
//!         .with_position(position(vec![0.4, 0.6], [[0.0, 1.0], [0.0, 1.0]])),
//!     Party::new("employer", "Employer", Role::Party)
//!         .with_position(position(vec![0.6, 0.4], [[1.0, 0.0], [1.0, 0.0]])),
//! ]).unwrap();
//! let parties = case.negotiating_parties();
//! let exact = analyze(&case, &parties, EnumerationLimit::default()).result.unwrap();
//! let nash = exact.bargaining.nash.unwrap();
//! let found = sensitivity(&case, &parties, &exact.scan.frontier, &nash);
//! let wage = &found.parties[0].ranges[0];
//! assert!((wage.share - 0.4).abs() < 1e-12);
//! assert!((wage.high - 0.6).abs() < 1e-9);
//! assert_eq!(wage.low, 0.0);
//! assert_eq!(wage.above, case.package_at(2)); // high wage, long hours
//! assert!((found.parties[0].margin.unwrap() - 0.2).abs() < 1e-9);
//! ```

use crate::analysis::bargaining::{BargainingPoint, TIE_EPS};
use crate::analysis::frontier::{EQUAL_EPS, FrontierPoint};
use crate::model::{Case, Package, PartyIdx, PointIdx};
use crate::position::{AdditiveUtility, UtilityFunction};

/// Cases with at most this many packages are analysed over every package that clears every
/// red line, exactly; larger ones over the packages of the frontier passed in.
pub const SENSITIVITY_ALL: u128 = 65_536;

/// The range of one weight within which the recommendation stands.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightRange {
    /// The point whose weight moves.
    pub point: PointIdx,
    /// The point's current share of the party's total weight, `w_i / W`.
    pub share: f64,
    /// The smallest share (in `[0, share]`) down to which the recommendation stands.
    pub low: f64,
    /// The largest share (in `[share, 1]`) up to which the recommendation stands.
    pub high: f64,
    /// The package recommended just below `low`; `None` when nothing switches there or when
    /// no candidate gives every party a gain there (see `switches_below`). It is read
    /// `1e-9` of share below `low` (see the module documentation).
    pub below: Option<Package>,
    /// The package recommended just above `high`; `None` when nothing switches there or when
    /// no candidate gives every party a gain there (see `switches_above`). It is read
    /// `1e-9` of share above `high`.
    pub above: Option<Package>,
    /// Whether the recommendation changes just below `low`: `false` when `low` is 0 (or the
    /// share cannot move) and the package stands all the way. With `below` `None`, the
    /// change is to no recommendation at all.
    pub switches_below: bool,
    /// Whether the recommendation changes just above `high`: `false` when `high` is 1 (or
    /// the share cannot move) and the package stands all the way. With `above` `None`, the
    /// change is to no recommendation at all.
    pub switches_above: bool,
}

/// One party's sensitivity.
#[derive(Debug, Clone, PartialEq)]
pub struct PartySensitivity {
    /// The party whose weights move.
    pub party: PartyIdx,
    /// One range per point, in point order; none when all its weights are 0.
    pub ranges: Vec<WeightRange>,
    /// The smallest distance `|share − bound|` over the bounds of its ranges that are real
    /// switches; `None` when no move of one weight changes the recommendation.
    pub margin: Option<f64>,
    /// The point giving `margin`; the first in point order among distances within
    /// [`EQUAL_EPS`] of each other.
    pub tightest: Option<PointIdx>,
}

/// How far each party's weights can move before the Nash package changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The recommended (Nash) package.
    pub package: Package,
    /// Its utility for each analysed party, in the order given.
    pub utilities: Vec<f64>,
    /// The analysed parties with an additive utility, in the order given; a party with a
    /// constraint utility or no position is left out.
    pub parties: Vec<PartySensitivity>,
    /// Whether every package that clears the red lines was a candidate (the case has at
    /// most [`SENSITIVITY_ALL`] packages); otherwise only the frontier's packages were, and
    /// every range may be wider than the true one.
    pub exact: bool,
}

/// How far each weight of each additive party in `parties` can move before `nash` (the
/// Nash package over `frontier`, from [`crate::bargaining_points`]) stops being the
/// recommendation. Reservation values come from the case's positions (0 for a party
/// without one). See the module documentation for the model.
#[must_use]
pub fn sensitivity(
    case: &Case,
    parties: &[PartyIdx],
    frontier: &[FrontierPoint],
    nash: &BargainingPoint,
) -> Sensitivity {
    let all = case.n_packages().filter(|&n| n <= SENSITIVITY_ALL);
    let candidates: Vec<Package> = match all {
        Some(n) => (0..n)
            .filter_map(|k| case.package_at(k))
            .filter(|package| {
                parties.iter().all(|&party| {
                    case.position(party)
                        .is_none_or(|position| position.clears_red_lines(package))
                })
            })
            .collect(),
        None => frontier.iter().map(|f| f.package.clone()).collect(),
    };
    let reservation_values: Vec<f64> = parties
        .iter()
        .map(|&p| case.position(p).map_or(0.0, |pos| pos.reservation_value))
        .collect();
    let scene = Scene {
        candidates: &candidates,
        utilities: crate::interrupt::map_all(&candidates, |package| {
            case.utilities(parties, package)
        }),
        current: &nash.package,
        current_utilities: case.utilities(parties, &nash.package),
        reservation_values,
    };
    // Parties one after the other (each pass over the points is spread over the cores):
    // one party's candidates in memory at a time.
    let results = parties
        .iter()
        .enumerate()
        .filter_map(
            |(k, &party)| match case.position(party).map(|p| &p.utility) {
                Some(UtilityFunction::Additive(additive)) => {
                    Some(scene.party_sensitivity(k, party, additive))
                }
                _ => None,
            },
        )
        .collect();
    Sensitivity {
        package: nash.package.clone(),
        utilities: scene.current_utilities.clone(),
        parties: results,
        exact: all.is_some(),
    }
}

/// The candidates and the current package, with their utilities for the analysed parties.
struct Scene<'a> {
    candidates: &'a [Package],
    utilities: Vec<Vec<f64>>,
    current: &'a Package,
    current_utilities: Vec<f64>,
    reservation_values: Vec<f64>,
}

/// A candidate that gives every other party a gain, with what its lines are made from.
struct Usable {
    candidate: usize,
    /// The product of the other parties' gains.
    others: f64,
    /// The most its Nash product can be at any share.
    bound: f64,
    totals: Totals,
}

/// One package's Nash product as a function of the moved share `t`:
/// `others · (min(1, intercept + slope·t) − d_p)`.
#[derive(Debug, Clone, Copy)]
struct Line {
    /// The product of the other parties' gains; 0 when one of them gains nothing.
    others: f64,
    /// The weighted sum for `p` at share 0.
    intercept: f64,
    /// Its change per unit of share.
    slope: f64,
}

/// A package's sums over every point (weights, weighted scores, scores), so that the sums
/// over every point but one cost no pass over the points.
struct Totals {
    weight: f64,
    weighted: f64,
    plain: f64,
}

impl Totals {
    fn new(weights: &[f64], scores: &[f64]) -> Self {
        let mut totals = Self {
            weight: 0.0,
            weighted: 0.0,
            plain: 0.0,
        };
        for (&w, &s) in weights.iter().zip(scores) {
            totals.weight += w;
            totals.weighted += w * s;
            totals.plain += s;
        }
        totals
    }

    /// The sums over every point but `point`: the totals less its terms, or, where its
    /// terms are more than half of a total (so the difference would lose digits; at most
    /// one point per total), summed again without it.
    /// `score` is the package's score on `point`; `row` gives all its scores, asked for
    /// only in the rare case of a large term.
    fn without(
        &self,
        weights: &[f64],
        point: usize,
        score: f64,
        row: impl FnOnce() -> Vec<f64>,
    ) -> (f64, f64, f64) {
        let (w, s) = (weights[point], score);
        let large = |term: f64, total: f64| term.abs() * 2.0 > total.abs();
        if large(w, self.weight) || large(w * s, self.weighted) || large(s, self.plain) {
            let scores = row();
            let mut sums = (0.0, 0.0, 0.0);
            for (j, (&w, &s)) in weights.iter().zip(&scores).enumerate() {
                if j != point {
                    sums.0 += w;
                    sums.1 += w * s;
                    sums.2 += s;
                }
            }
            return sums;
        }
        (self.weight - w, self.weighted - w * s, self.plain - s)
    }
}

impl Line {
    /// The line of a package with `score` on `point` and `totals` over every point (`row`
    /// gives all its scores, see [`Totals::without`]) when the share of `point` moves.
    fn new(
        additive: &AdditiveUtility,
        total: f64,
        (score, totals, row): (f64, &Totals, impl FnOnce() -> Vec<f64>),
        point: usize,
        others: f64,
    ) -> Self {
        let weights = additive.weights();
        let (rest_weight, rest_sum, plain_sum) = totals.without(weights, point, score, row);
        // The other points' average score, weighted as they are; equally when their
        // weights are all 0 and the moved weight is shared equally among them.
        let rest = if rest_weight > 0.0 {
            rest_sum / rest_weight
        } else {
            plain_sum / (weights.len() - 1) as f64
        };
        Self {
            others,
            intercept: total * rest,
            slope: total * (score - rest),
        }
    }

    fn gain(&self, t: f64, reservation_value: f64) -> f64 {
        (self.intercept + self.slope * t).min(1.0) - reservation_value
    }

    fn eligible(&self, t: f64, reservation_value: f64) -> bool {
        self.others > 0.0 && self.gain(t, reservation_value) > EQUAL_EPS
    }

    fn product(&self, t: f64, reservation_value: f64) -> f64 {
        self.others * self.gain(t, reservation_value)
    }

    /// The share at which the weighted sum reaches `level`, if it moves at all.
    fn crossing(&self, level: f64) -> Option<f64> {
        (self.slope != 0.0).then(|| (level - self.intercept) / self.slope)
    }

    /// Whether the two lines give the same utilities at every share.
    fn same_as(&self, other: &Line, tolerance: f64) -> bool {
        (self.intercept - other.intercept).abs() <= tolerance
            && (self.slope - other.slope).abs() <= tolerance
    }
}

/// Where the current package stops being recommended on one side of the current share.
struct Edge {
    at: f64,
    switches: bool,
}

impl Scene<'_> {
    fn party_sensitivity(
        &self,
        k: usize,
        party: PartyIdx,
        additive: &AdditiveUtility,
    ) -> PartySensitivity {
        let weights = additive.weights();
        let total: f64 = weights.iter().sum();
        // Weights are finite and non-negative (checked by `Case::new`).
        if total <= 0.0 {
            return PartySensitivity {
                party,
                ranges: Vec::new(),
                margin: None,
                tightest: None,
            };
        }
        let others_gain = |utilities: &[f64]| -> f64 {
            let mut product = 1.0;
            for (q, (u, d)) in utilities.iter().zip(&self.reservation_values).enumerate() {
                if q != k {
                    if u - d <= EQUAL_EPS {
                        return 0.0;
                    }
                    product *= u - d;
                }
            }
            product
        };
        let scores = |package: &Package| -> (Vec<f64>, Totals) {
            let scores: Vec<f64> = additive
                .evaluators()
                .iter()
                .zip(&package.0)
                .map(|(evaluator, &choice)| evaluator.score(choice))
                .collect();
            let totals = Totals::new(additive.weights(), &scores);
            (scores, totals)
        };
        // Candidates where another party gains nothing can never be recommended. The rest
        // by decreasing `bound`, the most their Nash product can be at any share (their
        // gain for this party is at most `1 − d`): the passes below stop at the first that
        // cannot matter.
        let reservation_value = self.reservation_values[k];
        let mut usable: Vec<(Usable, Vec<f64>)> = self
            .utilities
            .iter()
            .enumerate()
            .filter_map(|(c, u)| {
                let others = others_gain(u);
                (others > 0.0).then(|| {
                    let (scores, totals) = scores(&self.candidates[c]);
                    (
                        Usable {
                            candidate: c,
                            others,
                            bound: others * (1.0 - reservation_value),
                            totals,
                        },
                        scores,
                    )
                })
            })
            .collect();
        usable.sort_by(|a, b| {
            b.0.bound
                .total_cmp(&a.0.bound)
                .then(a.0.candidate.cmp(&b.0.candidate))
        });
        // Scores point by point, in the same order: a pass over one point reads them in a
        // row.
        let columns: Vec<Vec<f64>> = (0..weights.len())
            .map(|i| usable.iter().map(|(_, scores)| scores[i]).collect())
            .collect();
        let usable: Vec<Usable> = usable.into_iter().map(|(u, _)| u).collect();
        let current_others = others_gain(&self.current_utilities);
        let current_scores = scores(self.current);
        let tolerance = EQUAL_EPS * total.max(1.0);
        let range_of = |i: usize| {
            let share = weights[i] / total;
            if weights.len() == 1 {
                return WeightRange {
                    point: PointIdx(i),
                    share,
                    low: share,
                    high: share,
                    below: None,
                    above: None,
                    switches_below: false,
                    switches_above: false,
                };
            }
            let current = Line::new(
                additive,
                total,
                (current_scores.0[i], &current_scores.1, || {
                    current_scores.0.clone()
                }),
                i,
                current_others,
            );
            // A candidate's line, or `None` for the current package's own copies (the same
            // recommendation).
            let line = |j: usize, u: &Usable| {
                let row = || scores(&self.candidates[u.candidate]).0;
                let line = Line::new(
                    additive,
                    total,
                    (columns[i][j], &u.totals, row),
                    i,
                    u.others,
                );
                let copy = line.same_as(&current, tolerance)
                    && self.utilities[u.candidate]
                        .iter()
                        .zip(&self.current_utilities)
                        .enumerate()
                        .all(|(q, (a, b))| q == k || (a - b).abs() <= EQUAL_EPS);
                (!copy).then_some(line)
            };
            // Both directions in one pass over the candidates.
            let mut low = Scan::new(&current, share, 0.0, reservation_value);
            let mut high = Scan::new(&current, share, 1.0, reservation_value);
            for (j, u) in usable.iter().enumerate() {
                let (to_low, to_high) = (low.needs(u.bound), high.needs(u.bound));
                if !(to_low || to_high) {
                    break;
                }
                if let Some(line) = line(j, u) {
                    if to_low {
                        low.see(&line);
                    }
                    if to_high {
                        high.see(&line);
                    }
                }
            }
            let next = |edge: &Edge, end: f64| {
                if edge.switches {
                    beyond(&usable, &line, edge.at, end, reservation_value)
                        .map(|c| self.candidates[c].clone())
                } else {
                    None
                }
            };
            let (low, high) = (low.edge, high.edge);
            let (below, above) = (next(&low, 0.0), next(&high, 1.0));
            WeightRange {
                point: PointIdx(i),
                share,
                low: low.at.min(share),
                high: high.at.max(share),
                below,
                above,
                switches_below: low.switches,
                switches_above: high.switches,
            }
        };
        // Points apart, on every core: each range is read from the same candidates.
        let points: Vec<usize> = (0..weights.len()).collect();
        let ranges: Vec<WeightRange> = crate::interrupt::map_all(&points, |&i| range_of(i));
        let mut tightest: Option<(f64, PointIdx)> = None;
        for range in &ranges {
            for (switches, distance) in [
                (range.switches_below, range.share - range.low),
                (range.switches_above, range.high - range.share),
            ] {
                if switches && tightest.is_none_or(|(margin, _)| distance < margin - EQUAL_EPS) {
                    tightest = Some((distance, range.point));
                }
            }
        }
        PartySensitivity {
            party,
            ranges,
            margin: tightest.map(|(margin, _)| margin),
            tightest: tightest.map(|(_, point)| point),
        }
    }
}

/// How far from `start` towards `end` (0 or 1) the current package stays recommended,
/// found one candidate's line at a time ([`Scan::see`]): the nearest share where some
/// candidate's Nash product overtakes the current package's.
struct Scan<'l> {
    current: &'l Line,
    start: f64,
    direction: f64,
    reservation_value: f64,
    /// Where the current package stops being a candidate itself (its gain falls to the
    /// threshold), or `end`.
    limit: f64,
    edge: Edge,
}

impl<'l> Scan<'l> {
    fn new(current: &'l Line, start: f64, end: f64, reservation_value: f64) -> Self {
        let direction = if end > start { 1.0 } else { -1.0 };
        let mut scan = Self {
            current,
            start,
            direction,
            reservation_value,
            limit: end,
            edge: Edge {
                at: end,
                switches: false,
            },
        };
        if start == end {
            scan.edge.at = start;
        } else if !current.eligible(start, reservation_value) {
            scan.edge = Edge {
                at: start,
                switches: true,
            };
        } else if let Some(t) = current.crossing(reservation_value + EQUAL_EPS)
            && current.slope * direction < 0.0
            && scan.ahead(t) < scan.ahead(end)
        {
            scan.edge = Edge {
                at: if scan.ahead(t) < 0.0 { start } else { t },
                switches: true,
            };
        }
        scan.limit = scan.edge.at;
        scan
    }

    fn ahead(&self, t: f64) -> f64 {
        (t - self.start) * self.direction
    }

    /// Whether a candidate whose Nash product is at most `bound` at every share could
    /// still move the edge: it must exceed the current package's product somewhere before
    /// the edge, and that product is concave in the share, so at least its smaller value
    /// at the two ends of the interval.
    fn needs(&self, bound: f64) -> bool {
        let (current, d) = (self.current, self.reservation_value);
        self.ahead(self.edge.at) > 0.0
            && bound
                > current
                    .product(self.start, d)
                    .min(current.product(self.edge.at, d))
                    + TIE_EPS
    }

    /// Moves the edge to where `line`'s product first exceeds the current package's, if
    /// that is nearer.
    fn see(&mut self, line: &Line) {
        if self.ahead(self.edge.at) <= 0.0 {
            return;
        }
        let (current, reservation_value, limit) =
            (self.current, self.reservation_value, self.limit);
        let threshold = reservation_value + EQUAL_EPS;
        // Within each piece between these breakpoints both products are linear and the
        // candidate's eligibility does not change.
        let mut breaks = [limit; 4];
        let mut n_breaks = 0;
        for t in [
            line.crossing(1.0),
            current.crossing(1.0),
            line.crossing(threshold),
        ]
        .into_iter()
        .flatten()
        {
            if self.ahead(t) > 0.0 && self.ahead(t) < self.ahead(limit) {
                breaks[n_breaks] = t;
                n_breaks += 1;
            }
        }
        breaks[..n_breaks].sort_by(|a, b| self.ahead(*a).total_cmp(&self.ahead(*b)));
        let mut near = self.start;
        for &far in &breaks[..=n_breaks] {
            if self.ahead(near) >= self.ahead(self.edge.at) {
                break;
            }
            if self.ahead(far) <= self.ahead(near) {
                continue;
            }
            if line.eligible(0.5 * (near + far), reservation_value) {
                let difference = |t: f64| {
                    line.product(t, reservation_value) - current.product(t, reservation_value)
                };
                let (at_near, at_far) = (difference(near), difference(far));
                if at_near.max(at_far) > TIE_EPS {
                    let at = if at_near > 0.0 {
                        near
                    } else {
                        near + (far - near) * (-at_near / (at_far - at_near))
                    };
                    if self.ahead(at) < self.ahead(self.edge.at) {
                        self.edge = Edge { at, switches: true };
                    }
                    break;
                }
            }
            near = far;
        }
    }
}

/// How far beyond a bound, in share, the package recommended there is read: intervals
/// narrower than this, which the [`EQUAL_EPS`] threshold on gains can leave where two
/// packages' gains reach the reservation value at nearly the same share, are passed over.
const PROBE: f64 = 1e-9;

/// The candidate recommended beyond share `at`, moving towards `end`: at [`PROBE`] past
/// `at` (or at `end` if nearer), among candidates that give every party a gain there, the
/// largest Nash product (within [`TIE_EPS`]), then the fastest growing, then the first.
/// `usable` comes by decreasing bound, so each pass stops at the first candidate whose
/// bound is out of reach; `line` gives a candidate's line (`None` for the current
/// package's copies).
fn beyond(
    usable: &[Usable],
    line: &dyn Fn(usize, &Usable) -> Option<Line>,
    at: f64,
    end: f64,
    reservation_value: f64,
) -> Option<usize> {
    let direction = if end > at { 1.0 } else { -1.0 };
    let probe = at + direction * PROBE.min((end - at).abs());
    let mut best = f64::NEG_INFINITY;
    for (j, u) in usable.iter().enumerate() {
        if u.bound < best - TIE_EPS {
            break;
        }
        if let Some(line) = line(j, u)
            && line.eligible(probe, reservation_value)
        {
            best = best.max(line.product(probe, reservation_value));
        }
    }
    // (candidate, its gain's change per unit of share in this direction)
    let mut chosen: Option<(usize, f64)> = None;
    for (j, u) in usable.iter().enumerate() {
        if u.bound < best - TIE_EPS {
            break;
        }
        let Some(line) = line(j, u) else { continue };
        if !line.eligible(probe, reservation_value)
            || line.product(probe, reservation_value) < best - TIE_EPS
        {
            continue;
        }
        // No change past the clamp.
        let clamped = line.intercept + line.slope * probe >= 1.0;
        let step = line.others * if clamped { 0.0 } else { line.slope * direction };
        let better = match chosen {
            None => true,
            Some((c, s)) => step > s || (step == s && u.candidate < c),
        };
        if better {
            chosen = Some((u.candidate, step));
        }
    }
    chosen.map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::analysis::frontier::EnumerationLimit;
    use crate::model::{OptionIdx, Party, Point, PointKind, Role};
    use crate::position::{Evaluator, Position, RedLine};

    #[test]
    fn sums_without_one_point_keep_their_digits() {
        // One point with nearly all the weight: the rest is tiny, and a difference of
        // totals would keep almost none of its digits.
        let mut weights = vec![1e-12; 1000];
        weights[3] = 1.0;
        let scores: Vec<f64> = (0..1000).map(|k| f64::from(k % 7) / 6.0).collect();
        let totals = Totals::new(&weights, &scores);
        for point in [0, 3, 500, 999] {
            let (w, ws, p) = totals.without(&weights, point, scores[point], || scores.clone());
            let direct = |f: &dyn Fn(usize) -> f64| -> f64 {
                (0..1000).filter(|&j| j != point).map(f).sum()
            };
            let expected = (
                direct(&|j| weights[j]),
                direct(&|j| weights[j] * scores[j]),
                direct(&|j| scores[j]),
            );
            for (got, want) in [(w, expected.0), (ws, expected.1), (p, expected.2)] {
                assert!(
                    (got - want).abs() <= 1e-12 * want.abs(),
                    "point {point}: {got} against {want}"
                );
            }
        }
    }

    /// A party: its weights, one pair of option scores per point, its reservation value.
    type PartySpec = (Vec<f64>, Vec<[f64; 2]>, f64);

    /// A case of binary points; `forbid` lists (party, point, option) red lines.
    fn case(parties: &[PartySpec], forbid: &[(usize, usize, usize)]) -> Case {
        let n_points = parties[0].0.len();
        let points: Vec<Point> = (0..n_points)
            .map(|i| Point::new(format!("p{i}"), PointKind::options(["o0", "o1"])))
            .collect();
        let parties = parties
            .iter()
            .enumerate()
            .map(|(k, (weights, scores, reservation_value))| {
                let utility = AdditiveUtility::new(
                    weights.clone(),
                    scores
                        .iter()
                        .map(|s| Evaluator::Options(s.to_vec()))
                        .collect(),
                );
                let mut position = Position::new(utility.into());
                position.reservation_value = *reservation_value;
                for &(_, point, option) in forbid.iter().filter(|f| f.0 == k) {
                    position.red_lines.push(RedLine::forbid(
                        &points[point],
                        PointIdx(point),
                        &[OptionIdx(option)],
                    ));
                }
                Party::new(format!("party{k}"), format!("Party {k}"), Role::Party)
                    .with_position(position)
            })
            .collect();
        Case::new("t", points, parties).unwrap()
    }

    /// The options of a package, as a string of option numbers.
    fn show(package: Option<&Package>) -> String {
        package.map_or("-".to_string(), |p| {
            p.0.iter()
                .map(|c| c.as_f64().to_string())
                .collect::<String>()
        })
    }

    /// Checks every range as `(party, point, low, high, below, above)` (bounds to 1e-9,
    /// packages as option strings, `!` marking a switch to no recommendation) and every
    /// party's `(margin, tightest)`.
    fn check(
        case: &Case,
        expected_package: &str,
        ranges: &[(usize, usize, f64, f64, &str, &str)],
        margins: &[Option<(f64, usize)>],
    ) {
        let parties = case.negotiating_parties();
        let exact = analyze(case, &parties, EnumerationLimit::default())
            .result
            .unwrap();
        let nash = exact.bargaining.nash.unwrap();
        let found = sensitivity(case, &parties, &exact.scan.frontier, &nash);
        assert!(found.exact);
        assert_eq!(show(Some(&found.package)), expected_package);
        for &(party, point, low, high, below, above) in ranges {
            let range = &found.parties[party].ranges[point];
            assert!((range.low - low).abs() < 1e-9, "{range:?}");
            assert!((range.high - high).abs() < 1e-9, "{range:?}");
            let next = |switches: bool, package: Option<&Package>| match (switches, package) {
                (true, None) => "!".to_string(),
                (_, package) => show(package),
            };
            assert_eq!(
                next(range.switches_below, range.below.as_ref()),
                below,
                "{range:?}"
            );
            assert_eq!(
                next(range.switches_above, range.above.as_ref()),
                above,
                "{range:?}"
            );
        }
        for (party, expected) in found.parties.iter().zip(margins) {
            let got = party.margin.zip(party.tightest);
            match (got, expected) {
                (Some((margin, point)), Some((m, p))) => {
                    assert!((margin - m).abs() < 1e-9, "{party:?}");
                    assert_eq!(point.0, *p, "{party:?}");
                }
                (None, None) => {}
                _ => panic!("{party:?} against {expected:?}"),
            }
        }
    }

    #[test]
    fn nash_switches_where_the_products_cross() {
        // Party 0 scores option 1 of both points 1, option 0 of both 0; party 1 the
        // opposite, with weights (0.6, 0.4). Packages 00 and 11 leave someone no gain, so
        // the candidates are 01 (party 1 gets 0.6) and 10 (0.4). With party 0's share of
        // point 0 at t, 01 gives it 1 − t and 10 gives it t: products 0.6·(1 − t) and
        // 0.4·t cross at t = 0.6. Its share now is 0.4, so 01 stands on [0, 0.6] and 10
        // takes over above; on point 1 (share 0.6, its share t' = 1 − t) on [0.4, 1].
        // Party 1 at share v of point 0 gets v from 01 and 1 − v from 10, party 0 gets 0.6
        // and 0.4: 0.6·v against 0.4·(1 − v) cross at v = 0.4.
        let case = case(
            &[
                (vec![0.4, 0.6], vec![[0.0, 1.0], [0.0, 1.0]], 0.0),
                (vec![0.6, 0.4], vec![[1.0, 0.0], [1.0, 0.0]], 0.0),
            ],
            &[],
        );
        check(
            &case,
            "01",
            &[
                (0, 0, 0.0, 0.6, "-", "10"),
                (0, 1, 0.4, 1.0, "10", "-"),
                (1, 0, 0.4, 1.0, "10", "-"),
                (1, 1, 0.0, 0.6, "-", "10"),
            ],
            &[Some((0.2, 0)), Some((0.2, 0))],
        );
    }

    #[test]
    fn a_package_everyone_likes_best_never_switches() {
        // Package 11 gives both parties 1 whatever their weights; every other package
        // gives someone less, so no weight move changes the recommendation.
        let case = case(
            &[
                (vec![0.3, 0.7], vec![[0.0, 1.0], [0.2, 1.0]], 0.1),
                (vec![2.0, 1.0], vec![[0.5, 1.0], [0.0, 1.0]], 0.0),
            ],
            &[],
        );
        check(
            &case,
            "11",
            &[
                (0, 0, 0.0, 1.0, "-", "-"),
                (0, 1, 0.0, 1.0, "-", "-"),
                (1, 0, 0.0, 1.0, "-", "-"),
                (1, 1, 0.0, 1.0, "-", "-"),
            ],
            &[None, None],
        );
    }

    #[test]
    fn losing_the_only_gain_leaves_no_recommendation() {
        // Red lines leave only package 01. Party 0 (weights 0.4, 0.6, reservation 0.3) gets
        // 1 − t from it at share t of point 0: it gains while 1 − t > 0.3, so up to 0.7,
        // beyond which nothing is recommended; on point 1 (share 0.6) down to 0.3.
        let case = case(
            &[
                (vec![0.4, 0.6], vec![[0.0, 1.0], [0.0, 1.0]], 0.3),
                (vec![0.5, 0.5], vec![[1.0, 0.0], [0.0, 1.0]], 0.0),
            ],
            &[(0, 1, 0), (1, 0, 1)],
        );
        check(
            &case,
            "01",
            &[(0, 0, 0.0, 0.7, "-", "!"), (0, 1, 0.3, 1.0, "!", "-")],
            &[Some((0.3, 0)), None],
        );
    }

    #[test]
    fn equal_vectors_now_diverge_with_the_weight() {
        // Party 0 (equal weights, scores (0, 1) on both points) gets 0.5 from 01 and from
        // 10; so does party 1 (equal weights, scores (1, 0)), which gets 0 from 11, while
        // party 0 gets 0 from 00. Both candidates have the vector (0.5, 0.5); Nash reports
        // 01, the first. At party 0's share t of point 0 they give it 1 − t and t: the
        // smallest raise favours 10, so the range stops at the share itself (margin 0),
        // while 01 stands all the way down. Party 1 is the mirror image: at share v of
        // point 0 it gets v from 01 and 1 − v from 10.
        let case = case(
            &[
                (vec![0.5, 0.5], vec![[0.0, 1.0], [0.0, 1.0]], 0.0),
                (vec![0.5, 0.5], vec![[1.0, 0.0], [1.0, 0.0]], 0.0),
            ],
            &[],
        );
        check(
            &case,
            "01",
            &[
                (0, 0, 0.0, 0.5, "-", "10"),
                (0, 1, 0.5, 1.0, "10", "-"),
                (1, 0, 0.5, 1.0, "10", "-"),
                (1, 1, 0.0, 0.5, "-", "10"),
            ],
            &[Some((0.0, 0)), Some((0.0, 0))],
        );
    }

    #[test]
    fn a_gap_left_by_the_gain_threshold_is_skipped() {
        // Party 1 (equal weights, scores (0.4, 0) on both points) gets 0.2 from 01 and 10
        // and nothing from 11; party 0 gets nothing from 00. At party 0's share t of point
        // 0, 10 gives it 0.5·t and 01 gives 0.5·(1 − t): with reservation value 0.25, 10
        // gains for t > 0.5 and 01 for t < 0.5, so from the share 0.75 the recommendation 10
        // stands down to 0.5 and 01 takes over below it, past a gap of a few 1e-12 where
        // neither gains more than EQUAL_EPS. Party 1 at share v of point 0 gets
        // 0.4·(1 − v) from 10: it gains all the way to v = 1, where nothing is left (and at
        // share v' of point 1 it gets 0.4·v', down to v' = 0).
        let case = case(
            &[
                (vec![0.75, 0.25], vec![[0.0, 0.5], [0.0, 0.5]], 0.25),
                (vec![0.5, 0.5], vec![[0.4, 0.0], [0.4, 0.0]], 0.0),
            ],
            &[],
        );
        check(
            &case,
            "10",
            &[
                (0, 0, 0.5, 1.0, "01", "-"),
                (0, 1, 0.0, 0.5, "-", "01"),
                (1, 0, 0.0, 1.0, "-", "!"),
                (1, 1, 0.0, 1.0, "!", "-"),
            ],
            &[Some((0.25, 0)), Some((0.5, 0))],
        );
    }

    #[test]
    fn large_cases_use_the_frontier_and_say_so() {
        // 17 binary points: 131 072 packages, more than SENSITIVITY_ALL.
        // Both parties weigh point i as i + 1 and want opposite options, so the frontier
        // is every split of the 153 units of weight.
        let n = 17;
        let weights: Vec<f64> = (1..=n).map(|w| f64::from(w) / 153.0).collect();
        let case = case(
            &[
                (weights.clone(), vec![[0.0, 1.0]; n as usize], 0.0),
                (weights, vec![[1.0, 0.0]; n as usize], 0.0),
            ],
            &[],
        );
        let parties = case.negotiating_parties();
        let exact = analyze(&case, &parties, EnumerationLimit::default())
            .result
            .unwrap();
        let nash = exact.bargaining.nash.unwrap();
        let found = sensitivity(&case, &parties, &exact.scan.frontier, &nash);
        assert!(!found.exact);
        assert_eq!(found.package, nash.package);
        for party in &found.parties {
            assert_eq!(party.ranges.len(), n as usize);
            for range in &party.ranges {
                assert!(0.0 <= range.low && range.low <= range.share);
                assert!(range.share <= range.high && range.high <= 1.0);
            }
        }
    }
}
