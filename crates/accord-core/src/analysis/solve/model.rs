//! A case made ready to search: the values kept per point, their contributions, the
//! conditional red lines between points, and the twins searched in one order only.

use crate::analysis::bargaining::BargainingPoint;
use crate::model::{Case, Package, PartyIdx, PointIdx, PointKind};
use crate::position::{UtilityFunction, ValueSet};

use super::{NotSolvable, SolveLimit};

/// "If `when_point` takes a value in `when` then `require_point` takes one in `require`",
/// over the kept values of each.
pub(super) struct Conditional {
    pub(super) when_point: usize,
    pub(super) when: Vec<bool>,
    pub(super) require_point: usize,
    pub(super) require: Vec<bool>,
}

/// A case made ready to search: the values kept per point and their contributions.
pub(super) struct Model {
    pub(super) n: usize,
    /// Per point, the case's value index (`Point::choice_at`) of each kept value.
    pub(super) values: Vec<Vec<u64>>,
    /// Per point, `[value * n + party]`.
    pub(super) contributions: Vec<Vec<f64>>,

    pub(super) conditionals: Vec<Conditional>,
    /// Per point, the conditionals it takes part in.
    pub(super) touches: Vec<Vec<usize>>,
    /// Per point, the other points with the very same contributions and no conditional
    /// red line (its twins), in point order, with its own place among them.
    pub(super) twins: Vec<(Vec<usize>, usize)>,
    /// The one integer point with more values than the limit, if any: its kept values are
    /// segments on which every contribution is linear.
    pub(super) segments: Option<Segments>,
}

/// The kept values of a wide integer point: segments of consecutive values on which every
/// analysed party's contribution is linear. A full choice names a segment and, after the
/// last point, the offset of its value in that segment.
pub(super) struct Segments {
    pub(super) point: usize,
    /// Per segment: how many values past its first it covers.
    pub(super) span: Vec<u64>,
    /// `[segment * n + party]`: the change of each contribution from one value to the next.
    pub(super) slope: Vec<f64>,
}

impl Model {
    /// `Ok(None)` when some point has no value that clears the red lines.
    pub(super) fn new(
        case: &Case,
        parties: &[PartyIdx],
        limit: SolveLimit,
    ) -> Result<Option<Self>, NotSolvable> {
        let points = case.points();
        let n = parties.len();
        let mut radix = Vec::with_capacity(points.len());
        let mut wide: Option<usize> = None;
        for point in points {
            match (&point.kind, point.n_values()) {
                (PointKind::Real { .. }, _) | (_, None) => {
                    return Err(NotSolvable::RealPoint {
                        point: point.id.clone(),
                    });
                }
                (PointKind::Integer { .. }, Some(count))
                    if count > limit.max_point_values && wide.is_none() =>
                {
                    // Searched as segments (at most one such point).
                    wide = Some(radix.len());
                    radix.push(count);
                }
                (_, Some(count)) if count > limit.max_point_values => {
                    return Err(NotSolvable::PointTooLarge {
                        point: point.id.clone(),
                    });
                }
                (_, Some(count)) => radix.push(count),
            }
        }
        let listed = |i: usize| if wide == Some(i) { 0 } else { radix[i] };
        // [point][value * n + party] over every value of the case (none for the wide one).
        let mut all: Vec<Vec<f64>> = (0..radix.len())
            .map(|i| vec![0.0; listed(i) as usize * n])
            .collect();
        let mut additives = Vec::with_capacity(n);
        let mut red_lines = Vec::new();
        for (p, &party) in parties.iter().enumerate() {
            let Some(position) = case.position(party) else {
                additives.push(None);
                continue;
            };
            let UtilityFunction::Additive(additive) = &position.utility else {
                return Err(NotSolvable::NotAdditive {
                    party: case.parties()[party.0].id.clone(),
                });
            };
            additives.push(Some(additive));
            for (i, point) in points.iter().enumerate() {
                for k in 0..listed(i) {
                    all[i][k as usize * n + p] =
                        additive.contribution(PointIdx(i), point.choice_at(k));
                }
            }
            red_lines.extend(position.red_lines.iter());
        }
        let contains = |i: usize, set: &ValueSet, k: u64| set.contains(points[i].choice_at(k));
        let mut allowed: Vec<Vec<bool>> = (0..radix.len())
            .map(|i| vec![true; listed(i) as usize])
            .collect();
        // The wide point's allowed values: one interval of value indices.
        let mut wide_allowed = (0u64, wide.map_or(0, |i| radix[i] - 1));
        let mut conditional_lines = Vec::new();
        for red_line in &red_lines {
            let require = red_line.require.point.0;
            if let Some(w) = wide {
                let when_wide = red_line.when.as_ref().is_some_and(|c| c.point.0 == w);
                if when_wide || (require == w && red_line.when.is_some()) {
                    // A conditional red line through it would split its segments.
                    return Err(NotSolvable::PointTooLarge {
                        point: points[w].id.clone(),
                    });
                }
                if require == w {
                    let (low, high) = interval_of(&points[w], &red_line.require.values);
                    wide_allowed = (wide_allowed.0.max(low), wide_allowed.1.min(high));
                    continue;
                }
            }
            match &red_line.when {
                None => {
                    for k in 0..radix[require] {
                        if !contains(require, &red_line.require.values, k) {
                            allowed[require][k as usize] = false;
                        }
                    }
                }
                Some(when) if when.point.0 == require => {
                    for k in 0..radix[require] {
                        if contains(require, &when.values, k)
                            && !contains(require, &red_line.require.values, k)
                        {
                            allowed[require][k as usize] = false;
                        }
                    }
                }
                Some(when) => conditional_lines.push((when, &red_line.require)),
            }
        }
        if (0..radix.len()).any(|i| wide != Some(i) && !allowed[i].contains(&true))
            || (wide.is_some() && wide_allowed.0 > wide_allowed.1)
        {
            return Ok(None);
        }
        let mut in_conditional = vec![false; points.len()];
        for (when, require) in &conditional_lines {
            in_conditional[when.point.0] = true;
            in_conditional[require.point.0] = true;
        }
        let mut values = Vec::with_capacity(points.len());
        let mut contributions = Vec::with_capacity(points.len());
        let mut segments = None;
        for i in 0..points.len() {
            if wide == Some(i) {
                let (starts, found) = segments_of(case, i, &additives, wide_allowed, n);
                contributions.push(found.1);
                values.push(starts);
                segments = Some(found.0);
                // Never a twin, never thinned as dominated.
                in_conditional[i] = true;
                continue;
            }
            let mut kept: Vec<u64> = (0..radix[i]).filter(|&k| allowed[i][k as usize]).collect();
            if !in_conditional[i] {
                kept = undominated(&kept, &all[i], n);
            }
            contributions.push(
                kept.iter()
                    .flat_map(|&k| all[i][k as usize * n..(k as usize + 1) * n].iter().copied())
                    .collect::<Vec<f64>>(),
            );
            values.push(kept);
        }
        let mut touches = vec![Vec::new(); points.len()];
        let conditionals: Vec<Conditional> = conditional_lines
            .iter()
            .enumerate()
            .map(|(c, (when, require))| {
                let (a, b) = (when.point.0, require.point.0);
                touches[a].push(c);
                touches[b].push(c);
                Conditional {
                    when_point: a,
                    when: values[a]
                        .iter()
                        .map(|&k| contains(a, &when.values, k))
                        .collect(),
                    require_point: b,
                    require: values[b]
                        .iter()
                        .map(|&k| contains(b, &require.values, k))
                        .collect(),
                }
            })
            .collect();
        // Twins: swapping the values of two points with the same contributions changes
        // nothing, so only packages whose twins' values never decrease in point order are
        // searched.
        let mut twins: Vec<(Vec<usize>, usize)> = vec![(Vec::new(), 0); points.len()];
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in (0..points.len()).filter(|&i| !in_conditional[i]) {
            let same = |g: &Vec<usize>| {
                let a = &contributions[g[0]];
                let b = &contributions[i];
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
            };
            match groups.iter_mut().find(|g| same(g)) {
                Some(group) => group.push(i),
                None => groups.push(vec![i]),
            }
        }
        for group in groups.into_iter().filter(|g| g.len() > 1) {
            for (place, &i) in group.iter().enumerate() {
                twins[i] = (group.clone(), place);
            }
        }
        Ok(Some(Self {
            n,
            values,
            contributions,
            conditionals,
            touches,
            twins,
            segments,
        }))
    }

    /// The contributions of a kept value (for a segment, of its first value).
    #[inline]
    pub(super) fn contribution(&self, point: usize, value: usize) -> &[f64] {
        &self.contributions[point][value * self.n..(value + 1) * self.n]
    }

    /// How many numbers a full choice has: a kept value per point, and the offset in its
    /// segment of the wide point's value when there is one.
    pub(super) fn choice_len(&self) -> usize {
        self.values.len() + usize::from(self.segments.is_some())
    }

    /// Adds `sign` times the contributions of `value` of `point`, `offset` values into its
    /// segment when `point` is the wide one, to `sums`.
    #[inline]
    pub(super) fn add(&self, point: usize, value: usize, offset: u64, sign: f64, sums: &mut [f64]) {
        let start = self.contribution(point, value);
        match &self.segments {
            Some(segments) if segments.point == point && offset > 0 => {
                let slope = &segments.slope[value * self.n..(value + 1) * self.n];
                for ((s, c), d) in sums.iter_mut().zip(start).zip(slope) {
                    *s += sign * (c + offset as f64 * d);
                }
            }
            _ => {
                for (s, c) in sums.iter_mut().zip(start) {
                    *s += sign * c;
                }
            }
        }
    }

    /// The offset of the wide point's value in a full choice (0 without one).
    pub(super) fn offset(&self, chosen: &[usize]) -> u64 {
        chosen.get(self.values.len()).map_or(0, |&o| o as u64)
    }

    /// Each party's utility (clamped at 1) of a full choice of kept values.
    pub(super) fn utilities(&self, chosen: &[usize]) -> Vec<f64> {
        let mut sum = vec![0.0; self.n];
        let offset = self.offset(chosen);
        for (i, &v) in chosen.iter().take(self.values.len()).enumerate() {
            self.add(i, v, offset, 1.0, &mut sum);
        }
        for s in &mut sum {
            *s = s.min(1.0);
        }
        sum
    }

    /// Whether the conditional red lines through `point` hold for a full choice.
    pub(super) fn clears_conditionals_at(&self, point: usize, chosen: &[usize]) -> bool {
        self.touches[point].iter().all(|&c| {
            let c = &self.conditionals[c];
            !c.when[chosen[c.when_point]] || c.require[chosen[c.require_point]]
        })
    }

    pub(super) fn clears_conditionals(&self, chosen: &[usize]) -> bool {
        self.conditionals
            .iter()
            .all(|c| !c.when[chosen[c.when_point]] || c.require[chosen[c.require_point]])
    }

    /// The case's package of a full choice.
    pub(super) fn package(&self, case: &Case, chosen: &[usize]) -> Package {
        let offset = self.offset(chosen);
        Package(
            case.points()
                .iter()
                .enumerate()
                .map(|(i, point)| {
                    let wide = self.segments.as_ref().is_some_and(|s| s.point == i);
                    let extra = if wide { offset } else { 0 };
                    point.choice_at(self.values[i][chosen[i]] + extra)
                })
                .collect(),
        )
    }

    /// The bargaining point of a full choice: the case's own package and utilities.
    pub(super) fn point(
        &self,
        case: &Case,
        parties: &[PartyIdx],
        chosen: &[usize],
        objective: impl Fn(&[f64]) -> f64,
    ) -> BargainingPoint {
        let package = self.package(case, chosen);
        let utilities = case.utilities(parties, &package);
        BargainingPoint {
            objective: objective(&utilities),
            ties: vec![utilities.clone()],
            utilities,
            package,
        }
    }
}

/// The kept values that no other kept value matches or beats for every party (of equal
/// contribution vectors, the first). Quadratic, so only up to a few thousand values.
fn undominated(kept: &[u64], all: &[f64], n: usize) -> Vec<u64> {
    const MAX_COMPARED: usize = 4096;
    if kept.len() > MAX_COMPARED {
        return kept.to_vec();
    }
    let row = |k: u64| &all[k as usize * n..(k as usize + 1) * n];
    kept.iter()
        .enumerate()
        .filter(|&(a, &k)| {
            let mine = row(k);
            !kept.iter().enumerate().any(|(b, &other)| {
                let theirs = row(other);
                let weakly = theirs.iter().zip(mine).all(|(t, m)| t >= m);
                weakly && (b < a || theirs.iter().zip(mine).any(|(t, m)| t > m))
            })
        })
        .map(|(_, &k)| k)
        .collect()
}

/// The value indices of `point` (an integer range) in `set`, as one interval (empty when
/// `low > high`).
fn interval_of(point: &crate::model::Point, set: &ValueSet) -> (u64, u64) {
    let PointKind::Integer { min, max } = point.kind else {
        return (1, 0);
    };
    match set {
        ValueSet::Range {
            min: low,
            max: high,
        } => {
            let low = low.ceil().max(min as f64);
            let high = high.floor().min(max as f64);
            if low > high {
                (1, 0)
            } else {
                ((low - min as f64) as u64, (high - min as f64) as u64)
            }
        }
        ValueSet::Options(_) => (1, 0),
    }
}

/// The segments of the wide point `i` within `allowed` (value indices): first values, and
/// the contributions there (`[segment * n + party]`), cut wherever some party's score may
/// bend (each bend gets a segment of its own value).
fn segments_of(
    case: &Case,
    i: usize,
    additives: &[Option<&crate::position::AdditiveUtility>],
    allowed: (u64, u64),
    n: usize,
) -> (Vec<u64>, (Segments, Vec<f64>)) {
    let point = &case.points()[i];
    let PointKind::Integer { min, .. } = point.kind else {
        unreachable!("only an integer point is wide");
    };
    let (first, last) = allowed;
    let mut starts: Vec<u64> = vec![first];
    for additive in additives.iter().flatten() {
        for kink in additive.evaluators()[i].kinks() {
            let at = (kink.floor() - min as f64).max(-1.0);
            if !at.is_finite() {
                continue;
            }
            for start in [at, at + 1.0] {
                if start > first as f64 && start <= last as f64 {
                    starts.push(start as u64);
                }
            }
        }
    }
    starts.sort_unstable();
    starts.dedup();
    let contribution = |k: u64, out: &mut Vec<f64>| {
        for additive in additives {
            out.push(additive.map_or(0.0, |a| {
                a.contribution(crate::model::PointIdx(i), point.choice_at(k))
            }));
        }
    };
    let mut at_start = Vec::with_capacity(starts.len() * n);
    let mut span = Vec::with_capacity(starts.len());
    let mut slope = Vec::with_capacity(starts.len() * n);
    for (s, &start) in starts.iter().enumerate() {
        let end = starts.get(s + 1).map_or(last, |next| next - 1);
        contribution(start, &mut at_start);
        let mut at_end = Vec::with_capacity(n);
        contribution(end, &mut at_end);
        let width = end - start;
        span.push(width);
        for p in 0..n {
            let low = at_start[s * n + p];
            slope.push(if width == 0 {
                0.0
            } else {
                (at_end[p] - low) / width as f64
            });
        }
    }
    (
        starts,
        (
            Segments {
                point: i,
                span,
                slope,
            },
            at_start,
        ),
    )
}
