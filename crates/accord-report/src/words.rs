//! Numbers, red lines and constraints in words, shared by every report.

use accord_core::elicit::Inconsistency;
use accord_core::{
    Case, Choice, Condition, Constraint, OptionIdx, PartyIdx, Point, RedLine, ValueSet,
};

/// 1234567 -> "1,234,567".
#[must_use]
pub fn group(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The case's package count: exact below 10^15, else its order of magnitude.
#[must_use]
pub fn package_count(case: &Case) -> String {
    match case.n_packages() {
        Some(n) if n < 10_u128.pow(15) => group(n),
        _ => case.log10_n_packages().map_or_else(
            || "infinitely many".to_string(),
            |l| format!("about 10^{}", l.round()),
        ),
    }
}

/// A number as people write it: integers with thousands separators, others as they are.
#[must_use]
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        // Exact: an integer below 10^15 converts without loss.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let magnitude = group(value.abs() as u128);
        if value < 0.0 {
            format!("-{magnitude}")
        } else {
            magnitude
        }
    } else {
        value.to_string()
    }
}

/// `value` with at most `digits` decimals, trailing zeros dropped: 0.05, not 0.0500.
#[must_use]
pub fn decimals(value: f64, digits: usize) -> String {
    let text = format!("{value:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A point's name in prose: its title, else its id.
#[must_use]
pub fn point_name(point: &Point) -> &str {
    if point.title.is_empty() {
        &point.id
    } else {
        &point.title
    }
}

/// An option's name in prose, quoted: its label, else its id.
#[must_use]
pub fn option_name(point: &Point, option: OptionIdx) -> String {
    let name = point.options().get(option.0).map_or_else(
        || point.choice_label(&Choice::Option(option)),
        |o| {
            if o.label.is_empty() {
                o.id.clone()
            } else {
                o.label.clone()
            }
        },
    );
    format!("\u{201c}{name}\u{201d}")
}

/// A list in prose: "a", "a or b", "a, b or c".
fn either(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A condition in words. `must` words a requirement ("must be", "must not be"), else a
/// state ("is", "is not").
fn describe_condition(case: &Case, condition: &Condition, must: bool) -> String {
    let point = &case.points()[condition.point.0];
    let name = point_name(point);
    let (is, is_not) = if must {
        ("must be", "must not be")
    } else {
        ("is", "is not")
    };
    match &condition.values {
        ValueSet::Options(allowed) => {
            let n = point.options().len();
            let names = |keep: bool| -> Vec<String> {
                (0..n)
                    .map(OptionIdx)
                    .filter(|o| allowed.contains(o) == keep)
                    .map(|o| option_name(point, o))
                    .collect()
            };
            let (yes, no) = (names(true), names(false));
            if yes.is_empty() {
                format!("{name} has no acceptable option")
            } else if no.is_empty() {
                format!("{name} {is} any option")
            } else if no.len() < yes.len() {
                format!("{name} {is_not} {}", either(&no))
            } else {
                format!("{name} {is} {}", either(&yes))
            }
        }
        ValueSet::Range { min, max } => match (min.is_finite(), max.is_finite()) {
            (true, true) => format!("{name} {is} between {} and {}", number(*min), number(*max)),
            (true, false) => format!("{name} {is} at least {}", number(*min)),
            (false, true) => format!("{name} {is} at most {}", number(*max)),
            (false, false) => format!("{name} {is} any value"),
        },
    }
}

/// A red line in words, with the points' titles and the options' labels: "Army cap must
/// be at least 750,000", "if Crimea is “Recognised”, Sanctions must not be “Lifted”".
#[must_use]
pub fn describe_red_line(case: &Case, red_line: &RedLine) -> String {
    let require = describe_condition(case, &red_line.require, true);
    match &red_line.when {
        Some(when) => format!("if {}, {require}", describe_condition(case, when, false)),
        None => require,
    }
}

/// How many points in conflict a report lists.
pub const TOP_CONFLICTS: usize = 10;

/// What the columns of a table of points in conflict mean, as every report says it.
pub const CONFLICTS_EXPLAINED: &str = "Best compromise: the option no red line blocks that \
     costs any one party least. Given up: what each party loses there against its favourite \
     option, in its utility from 0 to 1 (its weight on the point times the rating lost). \
     Conflict: the total the parties give up; where every option is blocked, the total of \
     their whole ranges on the point, and such points come first.";

/// A name in the possessive: "Ukraine's", "European partners'".
#[must_use]
pub fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// A count with its noun: "1 vector", "20,727 vectors"; `plural` is the noun's plural.
#[must_use]
pub fn count_of(n: u128, singular: &str, plural: &str) -> String {
    format!("{} {}", group(n), if n == 1 { singular } else { plural })
}

/// A party's name.
#[must_use]
pub fn party_name(case: &Case, party: PartyIdx) -> &str {
    &case.parties()[party.0].name
}

/// One constraint of a relaxation in words: "Ukraine's red line (Army cap must be at least
/// 750,000)" or "Russia's reservation value".
#[must_use]
pub fn describe_constraint(case: &Case, constraint: Constraint) -> String {
    match constraint {
        Constraint::RedLine { party, index } => {
            let red_line = case
                .position(party)
                .and_then(|p| p.red_lines.get(index))
                .map_or_else(
                    || format!("{}", index + 1),
                    |r| format!("({})", describe_red_line(case, r)),
                );
            format!(
                "{} red line {red_line}",
                possessive(party_name(case, party))
            )
        }
        Constraint::Reservation { party } => {
            format!("{} reservation value", possessive(party_name(case, party)))
        }
    }
}

/// A relaxation in words: its constraints joined by "and".
#[must_use]
pub fn describe_relaxation(case: &Case, relaxation: &[Constraint]) -> String {
    relaxation
        .iter()
        .map(|&c| describe_constraint(case, c))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Where elicitation answers disagree, in words addressed to the party (packages numbered
/// from 1 in the order they were rated).
#[must_use]
pub fn describe_inconsistency(case: &Case, i: &Inconsistency) -> String {
    match i {
        Inconsistency::Order { higher, lower, by } => format!(
            "you rated package {} above package {}, but by your weights package {} is better by {}",
            higher + 1,
            lower + 1,
            lower + 1,
            decimals(*by, 3)
        ),
        Inconsistency::Package { package, residual } => format!(
            "package {}: you rated it {}, the fitted position gives it {}",
            package + 1,
            decimals(residual.given, 1),
            decimals(residual.fitted, 1)
        ),
        Inconsistency::Swing {
            point,
            top,
            residual,
        } => format!(
            "{}: you put its swing at {} against {}, the rest of your answers at {}",
            point_name(&case.points()[point.0]),
            decimals(residual.given, 1),
            point_name(&case.points()[top.0]),
            decimals(residual.fitted, 1)
        ),
        Inconsistency::Unacceptable {
            package,
            point,
            option,
        } => {
            let p = &case.points()[point.0];
            format!(
                "package {} is rated above no agreement, but has {} on {}, which you marked unacceptable",
                package + 1,
                option_name(p, *option),
                point_name(p)
            )
        }
        _ => format!("{i:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(number(-750_000.0), "-750,000");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(decimals(0.05, 4), "0.05");
        assert_eq!(decimals(0.000_04, 4), "0");
        assert_eq!(decimals(12.0, 2), "12");
        assert_eq!(possessive("European partners"), "European partners'");
        assert_eq!(possessive("Ukraine"), "Ukraine's");
        assert_eq!(count_of(1, "record", "records"), "1 record");
        assert_eq!(count_of(20_727, "vector", "vectors"), "20,727 vectors");
    }

    #[test]
    fn red_lines_read_as_prose_with_titles_and_labels() {
        use accord_core::{AdditiveUtility, Evaluator, Party, PointIdx, PointKind, Position, Role};
        let mut crimea = Point::new(
            "crimea",
            PointKind::options(["de-jure", "de-facto", "none"]),
        );
        crimea.title = "Crimea".to_string();
        if let PointKind::Options(options) = &mut crimea.kind {
            options[0].label = "Recognised as Russian de jure".to_string();
        }
        let mut cap = Point::new("army-cap", PointKind::integer(0, 1_000_000));
        cap.title = "Army cap".to_string();
        let forbid = RedLine::forbid(&crimea, PointIdx(0), &[OptionIdx(0)]);
        let only = RedLine::forbid(&crimea, PointIdx(0), &[OptionIdx(0), OptionIdx(1)]);
        let position = Position::new(
            AdditiveUtility::new(
                vec![1.0, 0.0],
                vec![
                    Evaluator::Options(vec![0.0, 0.5, 1.0]),
                    Evaluator::Constant(0.0),
                ],
            )
            .into(),
        );
        let case = Case::new(
            "t",
            vec![crimea, cap],
            vec![Party::new("u", "U", Role::Party).with_position(position)],
        )
        .unwrap();
        assert_eq!(
            describe_red_line(&case, &forbid),
            "Crimea must not be “Recognised as Russian de jure”"
        );
        assert_eq!(describe_red_line(&case, &only), "Crimea must be “none”");
    }
}
