//! Acceptance conditions (Baarslag, Hindriks and Jonker 2013, "Effective acceptance
//! conditions in negotiating agents", Decision Support Systems): when a BOA negotiator
//! accepts the offer on the table.
//!
//! Below, `u(x_opp)` is the negotiator's utility of the offer on the table, `u(x_next)` of
//! the package it would offer next, `u(x_prev)` of the package it offered last, and `t`
//! the normalised time.
//!
//! | name | accepts when |
//! |---|---|
//! | `next(a, b)` | `a · u(x_opp) + b >= u(x_next)` (`a` = 1, `b` = 0 by default) |
//! | `prev(a, b)` | `a · u(x_opp) + b >= u(x_prev)` (never before its first offer) |
//! | `const(c)` | `u(x_opp) >= c` (`c` = 0.9 by default) |
//! | `time(t)` | `t >= T` (`T` = 0.99 by default) |
//! | `combi-max-w(t)` | `next(1, 0)`, or `t >= T` and `u(x_opp)` is at least the best offer received in the window `[t - (1 - t), t]` (`T` = 0.98 by default) |
//! | `combi-avg-w(t)` | the same with the mean of the window's offers |
//!
//! Whatever the condition, a BOA negotiator never accepts an offer that crosses one of its
//! own red lines or is worth less than its reservation value.

/// What an acceptance condition looks at when an offer stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moment<'a> {
    /// Normalised time, in `[0, 1]`.
    pub time: f64,
    /// Its utility of the offer on the table.
    pub offered: f64,
    /// Its utility of the package it would offer next.
    pub next: f64,
    /// Its utility of the package it offered last, if it has offered.
    pub previous: Option<f64>,
    /// The offers it has received, oldest first: `(time, its utility)`, the standing one
    /// last.
    pub received: &'a [(f64, f64)],
}

/// When to accept. Implement it to bring your own condition.
pub trait AcceptanceCondition: Send {
    /// The condition's name as a negotiator specification writes it, with its parameters.
    fn name(&self) -> String;

    /// Whether to accept the standing offer at `moment`.
    fn accepts(&self, moment: &Moment<'_>) -> bool;
}

/// The names of the acceptance conditions, in a stable order.
pub const ACCEPTANCE_CONDITIONS: &[&str] = &[
    "next",
    "prev",
    "const",
    "time",
    "combi-max-w",
    "combi-avg-w",
];

/// The conditions of Baarslag, Hindriks and Jonker (2013).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Acceptance {
    /// `AC_next(α, β)`: `a · u(x_opp) + b >= u(x_next)`.
    Next {
        /// The scale `α`.
        a: f64,
        /// The shift `β`.
        b: f64,
    },
    /// `AC_prev(α, β)`: `a · u(x_opp) + b >= u(x_prev)`.
    Prev {
        /// The scale `α`.
        a: f64,
        /// The shift `β`.
        b: f64,
    },
    /// `AC_const(c)`: `u(x_opp) >= c`.
    Const {
        /// The threshold.
        c: f64,
    },
    /// `AC_time(T)`: `t >= T`.
    Time {
        /// The moment from which anything is accepted.
        t: f64,
    },
    /// `AC_combi(T, MAX^W)`.
    CombiMax {
        /// The moment from which the window is looked at.
        t: f64,
    },
    /// `AC_combi(T, AVG^W)`.
    CombiAvg {
        /// The moment from which the window is looked at.
        t: f64,
    },
}

impl Acceptance {
    /// The offers received in the window `[t - (1 - t), t]`: their utilities.
    fn window<'a>(moment: &'a Moment<'_>) -> impl Iterator<Item = f64> + 'a {
        let from = moment.time - (1.0 - moment.time);
        moment
            .received
            .iter()
            .filter(move |(at, _)| *at >= from)
            .map(|&(_, u)| u)
    }
}

impl AcceptanceCondition for Acceptance {
    fn name(&self) -> String {
        match *self {
            Self::Next { a, b } => format!("next(a={a}, b={b})"),
            Self::Prev { a, b } => format!("prev(a={a}, b={b})"),
            Self::Const { c } => format!("const(c={c})"),
            Self::Time { t } => format!("time(t={t})"),
            Self::CombiMax { t } => format!("combi-max-w(t={t})"),
            Self::CombiAvg { t } => format!("combi-avg-w(t={t})"),
        }
    }

    fn accepts(&self, moment: &Moment<'_>) -> bool {
        let next = || moment.offered >= moment.next;
        match *self {
            Self::Next { a, b } => a * moment.offered + b >= moment.next,
            Self::Prev { a, b } => moment.previous.is_some_and(|p| a * moment.offered + b >= p),
            Self::Const { c } => moment.offered >= c,
            Self::Time { t } => moment.time >= t,
            Self::CombiMax { t } => {
                next()
                    || (moment.time >= t
                        && Self::window(moment)
                            .reduce(f64::max)
                            .is_some_and(|best| moment.offered >= best))
            }
            Self::CombiAvg { t } => {
                next()
                    || (moment.time >= t && {
                        let (sum, count) =
                            Self::window(moment).fold((0.0, 0_u32), |(s, c), u| (s + u, c + 1));
                        count > 0 && moment.offered >= sum / f64::from(count)
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moment(time: f64, offered: f64, next: f64, received: &[(f64, f64)]) -> Moment<'_> {
        Moment {
            time,
            offered,
            next,
            previous: None,
            received,
        }
    }

    #[test]
    fn next_and_prev_compare_a_scaled_offer_with_its_own_bids() {
        let next = Acceptance::Next { a: 1.0, b: 0.0 };
        assert!(next.accepts(&moment(0.5, 0.7, 0.7, &[])));
        assert!(!next.accepts(&moment(0.5, 0.69, 0.7, &[])));
        // 1.1 · 0.65 + 0.0 = 0.715 >= 0.7.
        let scaled = Acceptance::Next { a: 1.1, b: 0.0 };
        assert!(scaled.accepts(&moment(0.5, 0.65, 0.7, &[])));
        let shifted = Acceptance::Next { a: 1.0, b: 0.05 };
        assert!(shifted.accepts(&moment(0.5, 0.66, 0.7, &[])));
        assert!(!shifted.accepts(&moment(0.5, 0.64, 0.7, &[])));
        let prev = Acceptance::Prev { a: 1.0, b: 0.0 };
        // No previous bid: never.
        assert!(!prev.accepts(&moment(0.5, 1.0, 0.0, &[])));
        let with_previous = Moment {
            previous: Some(0.8),
            ..moment(0.5, 0.8, 0.95, &[])
        };
        assert!(prev.accepts(&with_previous));
        assert!(!next.accepts(&with_previous));
    }

    #[test]
    fn const_and_time_ignore_everything_else() {
        let c = Acceptance::Const { c: 0.9 };
        assert!(c.accepts(&moment(0.0, 0.9, 1.0, &[])));
        assert!(!c.accepts(&moment(1.0, 0.89, 0.0, &[])));
        let t = Acceptance::Time { t: 0.99 };
        assert!(!t.accepts(&moment(0.98, 1.0, 0.0, &[])));
        assert!(t.accepts(&moment(0.99, 0.0, 1.0, &[])));
    }

    #[test]
    fn combi_looks_at_the_window_of_the_remaining_time() {
        // At t = 0.99 the window is [0.98, 0.99]: received 0.6 at 0.975 is outside, 0.4
        // and 0.5 inside.
        let received = [(0.5, 0.9), (0.975, 0.6), (0.981, 0.4), (0.99, 0.5)];
        let max = Acceptance::CombiMax { t: 0.98 };
        let avg = Acceptance::CombiAvg { t: 0.98 };
        // The standing offer (0.5) is the best in the window, though not the best ever.
        assert!(max.accepts(&moment(0.99, 0.5, 0.8, &received)));
        assert!(!max.accepts(&moment(0.99, 0.45, 0.8, &received)));
        // The mean of the window is 0.45.
        assert!(avg.accepts(&moment(0.99, 0.45, 0.8, &received)));
        assert!(!avg.accepts(&moment(0.99, 0.44, 0.8, &received)));
        // Before T only AC_next applies.
        assert!(!max.accepts(&moment(0.97, 0.95, 0.96, &[(0.97, 0.95)])));
        assert!(max.accepts(&moment(0.5, 0.8, 0.8, &[])));
        // An empty window accepts nothing beyond AC_next.
        assert!(!avg.accepts(&moment(0.99, 0.5, 0.8, &[(0.1, 0.2)])));
    }

    #[test]
    fn names_carry_the_parameters() {
        assert_eq!(Acceptance::Next { a: 1.0, b: 0.0 }.name(), "next(a=1, b=0)");
        assert_eq!(
            Acceptance::CombiAvg { t: 0.98 }.name(),
            "combi-avg-w(t=0.98)"
        );
    }
}
