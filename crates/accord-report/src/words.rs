//! Numbers, red lines and constraints in words, shared by every report.

use accord_core::{Case, Choice, Condition, Constraint, PartyIdx, RedLine, ValueSet};

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
            |l| format!("about 10^{l:.1}"),
        ),
    }
}

fn describe_condition(case: &Case, condition: &Condition, verb: &str) -> String {
    let point = &case.points()[condition.point.0];
    match &condition.values {
        ValueSet::Options(options) => {
            let names: Vec<String> = options
                .iter()
                .map(|o| format!("`{}`", point.choice_label(&Choice::Option(*o))))
                .collect();
            match names.len() {
                0 => format!("`{}` has no allowed option", point.id),
                1 => format!("`{}` {verb} {}", point.id, names[0]),
                _ => format!("`{}` {verb} one of {}", point.id, names.join(", ")),
            }
        }
        ValueSet::Range { min, max } => match (min.is_finite(), max.is_finite()) {
            (true, true) => format!("`{}` {verb} between {min} and {max}", point.id),
            (true, false) => format!("`{}` {verb} at least {min}", point.id),
            (false, true) => format!("`{}` {verb} at most {max}", point.id),
            (false, false) => format!("`{}` {verb} any value", point.id),
        },
    }
}

/// A red line in words: "if `a` is `x`, `b` must be one of `y`, `z`".
#[must_use]
pub fn describe_red_line(case: &Case, red_line: &RedLine) -> String {
    let require = describe_condition(case, &red_line.require, "must be");
    match &red_line.when {
        Some(when) => format!("if {}, {require}", describe_condition(case, when, "is")),
        None => require,
    }
}

/// A party's name.
#[must_use]
pub fn party_name(case: &Case, party: PartyIdx) -> &str {
    &case.parties()[party.0].name
}

/// One constraint of a relaxation in words: "Ukraine's red line "…"" or "Russia's
/// reservation value".
#[must_use]
pub fn describe_constraint(case: &Case, constraint: Constraint) -> String {
    match constraint {
        Constraint::RedLine { party, index } => {
            let red_line = case
                .position(party)
                .and_then(|p| p.red_lines.get(index))
                .map_or_else(
                    || format!("#{index}"),
                    |r| format!("\"{}\"", describe_red_line(case, r)),
                );
            format!("{}'s red line {red_line}", party_name(case, party))
        }
        Constraint::Reservation { party } => {
            format!("{}'s reservation value", party_name(case, party))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_234_567), "1,234,567");
    }
}
