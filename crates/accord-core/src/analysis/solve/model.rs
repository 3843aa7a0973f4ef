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
        for point in points {
            match (&point.kind, point.n_values()) {
                (PointKind::Real { .. }, _) | (_, None) => {
                    return Err(NotSolvable::RealPoint {
                        point: point.id.clone(),
                    });
                }
                (_, Some(count)) if count > limit.max_point_values => {
                    return Err(NotSolvable::PointTooLarge {
                        point: point.id.clone(),
                    });
                }
                (_, Some(count)) => radix.push(count),
            }
        }
        // [point][value * n + party] over every value of the case.
        let mut all: Vec<Vec<f64>> = radix.iter().map(|&r| vec![0.0; r as usize * n]).collect();
        let mut red_lines = Vec::new();
        for (p, &party) in parties.iter().enumerate() {
            let Some(position) = case.position(party) else {
                continue;
            };
            let UtilityFunction::Additive(additive) = &position.utility else {
                return Err(NotSolvable::NotAdditive {
                    party: case.parties()[party.0].id.clone(),
                });
            };
            for (i, point) in points.iter().enumerate() {
                for k in 0..radix[i] {
                    all[i][k as usize * n + p] =
                        additive.contribution(PointIdx(i), point.choice_at(k));
                }
            }
            red_lines.extend(position.red_lines.iter());
        }
        let contains = |i: usize, set: &ValueSet, k: u64| set.contains(points[i].choice_at(k));
        let mut allowed: Vec<Vec<bool>> = radix.iter().map(|&r| vec![true; r as usize]).collect();
        let mut conditional_lines = Vec::new();
        for red_line in &red_lines {
            let require = red_line.require.point.0;
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
        if allowed.iter().any(|a| !a.contains(&true)) {
            return Ok(None);
        }
        let mut in_conditional = vec![false; points.len()];
        for (when, require) in &conditional_lines {
            in_conditional[when.point.0] = true;
            in_conditional[require.point.0] = true;
        }
        let mut values = Vec::with_capacity(points.len());
        let mut contributions = Vec::with_capacity(points.len());
        for i in 0..points.len() {
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
        }))
    }

    pub(super) fn contribution(&self, point: usize, value: usize) -> &[f64] {
        &self.contributions[point][value * self.n..(value + 1) * self.n]
    }

    /// Each party's utility (clamped at 1) of a full choice of kept values.
    pub(super) fn utilities(&self, chosen: &[usize]) -> Vec<f64> {
        let mut sum = vec![0.0; self.n];
        for (i, &v) in chosen.iter().enumerate() {
            for (s, c) in sum.iter_mut().zip(self.contribution(i, v)) {
                *s += c;
            }
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
        Package(
            case.points()
                .iter()
                .enumerate()
                .map(|(i, point)| point.choice_at(self.values[i][chosen[i]]))
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
