//! Calendar dates and the date and time expressions of a report.
//!
//! [`Date`] is a proleptic Gregorian date (days counted as in Hinnant's `days_from_civil`).
//! [`find_dates`] reads, in one sentence's tokens, "30 November 2025", "November 30,
//! 2025", "Nov. 30", "2025-11-30", "on Sunday", "last Tuesday", "next Friday",
//! "yesterday" and "today", resolving the relative ones against an anchor date (the
//! dateline's, or the caller's reference date): a bare weekday is the latest such day on
//! or before the anchor, unless the sentence speaks of the future; a day and month without
//! a year take the year that puts them nearest the anchor. [`find_time`] reads "10:30",
//! "3 p.m.", "15:00 local time".

use std::fmt;

use serde::{Serialize, Serializer};

use crate::lexicon::{FUTURE_WORDS, month, weekday};
use crate::text::{Kind, Token};

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, if `month` is 1 to 12 and `day` exists in that month.
    #[must_use]
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let last = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
            2 => 28,
            _ => return None,
        };
        (1..=last)
            .contains(&day)
            .then_some(Self { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        if ![y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        Self::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    #[must_use]
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01.
    fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    fn from_days(days: i64) -> Option<Self> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self::new(i32::try_from(year).ok()?, month as u8, day as u8)
    }

    /// The date `n` days later (earlier when negative).
    #[must_use]
    pub fn add_days(self, n: i64) -> Self {
        Self::from_days(self.days().saturating_add(n)).unwrap_or(self)
    }

    /// The weekday, 0 for Monday to 6 for Sunday.
    #[must_use]
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday.
        (self.days() + 3).rem_euclid(7) as u8
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// How a date was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateHow {
    /// A full date in the text ("30 November 2025", "2025-11-30").
    Explicit,
    /// A day and month, the year taken from the anchor date.
    DayMonth,
    /// A weekday or "yesterday"/"today", resolved against the anchor date.
    Relative,
    /// The report's dateline.
    Dateline,
    /// No date in the text: the caller's reference date.
    Reference,
}

/// A date expression found in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) date: Date,
    pub(crate) how: DateHow,
    /// Byte span of the expression.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

fn number(text: &str) -> Option<u32> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let rest = &text[digits.len()..];
    if !matches!(rest.to_lowercase().as_str(), "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse().ok()
}

fn year_of(text: &str) -> Option<i32> {
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
        .filter(|y| (1900..=2200).contains(y))
}

/// A day and month without a year: the year that puts it nearest the anchor.
fn nearest_year(month: u8, day: u8, anchor: Option<Date>) -> Option<Date> {
    let anchor = anchor?;
    (anchor.year - 1..=anchor.year + 1)
        .filter_map(|y| Date::new(y, month, day))
        .min_by_key(|d| (d.days() - anchor.days()).abs())
}

/// The tokens of one sentence with their words, for matching.
struct Words<'a> {
    tokens: &'a [Token],
    text: &'a str,
}

impl Words<'_> {
    fn get(&self, i: usize) -> &str {
        self.tokens.get(i).map_or("", |t| t.text(self.text))
    }
    fn lower(&self, i: usize) -> String {
        self.get(i).to_lowercase()
    }
    fn kind(&self, i: usize) -> Option<Kind> {
        self.tokens.get(i).map(|t| t.kind)
    }
}

/// Whether the sentence speaks of what is to come.
pub(crate) fn is_future(tokens: &[Token], text: &str) -> bool {
    tokens.iter().enumerate().any(|(i, t)| {
        let word = t.text(text).to_lowercase();
        FUTURE_WORDS.contains(&word.as_str())
            // "to meet", "set to", "are to" — an infinitive of a meeting verb.
            || (word == "to"
                && tokens.get(i + 1).is_some_and(|n| {
                    matches!(n.text(text), "meet" | "resume" | "hold" | "continue" | "travel")
                }))
    })
}

/// The date expressions of a sentence (its tokens), resolved against `anchor`.
pub(crate) fn find_dates(tokens: &[Token], text: &str, anchor: Option<Date>) -> Vec<Found> {
    let w = Words { tokens, text };
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let span = |a: usize, b: usize| (tokens[a].start, tokens[b].end);
        // 2025-11-30
        if w.kind(i) == Some(Kind::Number)
            && let Some(date) = Date::parse(w.get(i))
        {
            let (start, end) = span(i, i);
            found.push(Found {
                date,
                how: DateHow::Explicit,
                start,
                end,
            });
            i += 1;
            continue;
        }
        // 30 November [2025]
        if w.kind(i) == Some(Kind::Number)
            && let Some(day) = number(w.get(i))
            && let Some(m) = month(w.get(i + 1)).filter(|_| w.kind(i + 1) == Some(Kind::Word))
        {
            let mut j = i + 1;
            if w.get(j + 1) == "." {
                j += 1;
            }
            let year = year_of(w.get(j + 1)).or_else(|| {
                (w.get(j + 1) == ",")
                    .then(|| year_of(w.get(j + 2)))
                    .flatten()
            });
            let day = u8::try_from(day).unwrap_or(0);
            let date = match year {
                Some(y) => Date::new(y, m, day).map(|d| (d, DateHow::Explicit)),
                None => nearest_year(m, day, anchor).map(|d| (d, DateHow::DayMonth)),
            };
            if let Some((date, how)) = date {
                let last = if year.is_some() {
                    if w.get(j + 1) == "," { j + 2 } else { j + 1 }
                } else {
                    j
                };
                let (start, end) = span(i, last.min(tokens.len() - 1));
                found.push(Found {
                    date,
                    how,
                    start,
                    end,
                });
                i = last + 1;
                continue;
            }
        }
        // November 30[,] [2025]
        if w.kind(i) == Some(Kind::Word)
            && let Some(m) = month(w.get(i))
            && (w.get(i) != "may" && w.get(i) != "May" || w.kind(i + 1) == Some(Kind::Number))
        {
            let mut j = i;
            if w.get(j + 1) == "." {
                j += 1;
            }
            if w.kind(j + 1) == Some(Kind::Number)
                && let Some(day) = number(w.get(j + 1)).and_then(|d| u8::try_from(d).ok())
                && (1..=31).contains(&day)
            {
                let mut last = j + 1;
                let year = if w.get(last + 1) == "," {
                    year_of(w.get(last + 2))
                } else {
                    year_of(w.get(last + 1))
                };
                if year.is_some() {
                    last += if w.get(last + 1) == "," { 2 } else { 1 };
                }
                let date = match year {
                    Some(y) => Date::new(y, m, day).map(|d| (d, DateHow::Explicit)),
                    None => nearest_year(m, day, anchor).map(|d| (d, DateHow::DayMonth)),
                };
                if let Some((date, how)) = date {
                    let (start, end) = span(i, last);
                    found.push(Found {
                        date,
                        how,
                        start,
                        end,
                    });
                    i = last + 1;
                    continue;
                }
            }
        }
        // [last|next|this|on] Sunday, yesterday, today
        let lower = w.lower(i);
        if let Some(anchor) = anchor {
            let relative = match lower.as_str() {
                "yesterday" => Some(anchor.add_days(-1)),
                "today" | "tonight" => Some(anchor),
                _ => None,
            };
            if let Some(date) = relative {
                let (start, end) = span(i, i);
                found.push(Found {
                    date,
                    how: DateHow::Relative,
                    start,
                    end,
                });
                i += 1;
                continue;
            }
            if w.kind(i) == Some(Kind::Word)
                && w.get(i).chars().next().is_some_and(char::is_uppercase)
                && let Some(day) = weekday(w.get(i))
            {
                // "Sunday, November 23": the explicit date that follows wins.
                let explicit_follows = w.get(i + 1) == ","
                    && (month(w.get(i + 2)).is_some() || number(w.get(i + 2)).is_some());
                if !explicit_follows {
                    // Whether the clause before the weekday speaks of the future.
                    let clause = (i.saturating_sub(10)..i)
                        .rev()
                        .take_while(|&k| !matches!(w.get(k), "," | ";" | "and" | "." | "but"))
                        .last()
                        .unwrap_or(i);
                    let future = is_future(&tokens[clause..i], text);
                    let before = if i > 0 { w.lower(i - 1) } else { String::new() };
                    let back = i64::from((anchor.weekday() + 7 - day) % 7);
                    let ahead = i64::from((day + 7 - anchor.weekday()) % 7);
                    let (date, first) = match before.as_str() {
                        "last" | "past" => {
                            (anchor.add_days(-(if back == 0 { 7 } else { back })), i - 1)
                        }
                        "next" | "coming" => {
                            (anchor.add_days(if ahead == 0 { 7 } else { ahead }), i - 1)
                        }
                        "this" if future => (anchor.add_days(ahead), i - 1),
                        "this" => (anchor.add_days(-back), i - 1),
                        _ if future => (anchor.add_days(ahead), i),
                        _ => (anchor.add_days(-back), i),
                    };
                    let (start, end) = span(first, i);
                    found.push(Found {
                        date,
                        how: DateHow::Relative,
                        start,
                        end,
                    });
                }
            }
        }
        i += 1;
    }
    found
}

/// A time of day in a sentence, as `HH:MM`, with its byte span.
pub(crate) fn find_time(tokens: &[Token], text: &str) -> Option<(String, usize, usize)> {
    let w = Words { tokens, text };
    for i in 0..tokens.len() {
        if w.kind(i) != Some(Kind::Number) {
            continue;
        }
        let word = w.get(i).to_lowercase();
        let (clock, suffix) = match word.find(|c: char| c.is_alphabetic()) {
            Some(k) => (&word[..k], &word[k..]),
            None => (word.as_str(), ""),
        };
        let next = w.lower(i + 1);
        let meridiem = match (suffix, next.as_str()) {
            ("am" | "a.m.", _) | ("", "am" | "a.m." | "a.m") => Some(false),
            ("pm" | "p.m.", _) | ("", "pm" | "p.m." | "p.m") => Some(true),
            _ => None,
        };
        let (hours, minutes) = match clock.split_once(':').or_else(|| clock.split_once('.')) {
            Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok(), m.parse::<u32>().ok()),
            None if meridiem.is_some() => (clock.parse::<u32>().ok(), Some(0)),
            _ => continue,
        };
        let (Some(mut h), Some(m)) = (hours, minutes) else {
            continue;
        };
        // A bare "10.30" is read as a time only with a clock word near it.
        if meridiem.is_none() && !clock.contains(':') {
            continue;
        }
        match meridiem {
            Some(true) if h < 12 => h += 12,
            Some(false) if h == 12 => h = 0,
            _ => {}
        }
        if h < 24 && m < 60 {
            let last = if meridiem.is_some() && suffix.is_empty() {
                i + 1
            } else {
                i
            };
            let end = tokens.get(last).map_or(tokens[i].end, |t| t.end);
            return Some((format!("{h:02}:{m:02}"), tokens[i].start, end));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn check(sentence: &str, anchor: &str, expected: &[&str]) {
        let tokens = tokenize(sentence);
        let found: Vec<String> = find_dates(&tokens, sentence, Date::parse(anchor))
            .iter()
            .map(|f| f.date.to_string())
            .collect();
        assert_eq!(found, expected, "{sentence}");
    }

    #[test]
    fn calendar_arithmetic() {
        let date = Date::parse("2025-11-30").unwrap();
        assert_eq!(date.weekday(), 6);
        assert_eq!(date.add_days(1).to_string(), "2025-12-01");
        assert_eq!(
            Date::parse("2024-02-29").unwrap().add_days(365).to_string(),
            "2025-02-28"
        );
        assert!(Date::parse("2025-02-29").is_none());
        assert!(Date::parse("2025-1-02").is_none());
    }

    #[test]
    fn explicit_and_relative_dates() {
        check(
            "They met on 30 November 2025 in Geneva.",
            "",
            &["2025-11-30"],
        );
        check("They met on November 30, 2025.", "", &["2025-11-30"]);
        check("They met on Nov. 30.", "2025-12-02", &["2025-11-30"]);
        check("They met on Sunday.", "2025-12-01", &["2025-11-30"]);
        check("They met last Monday.", "2025-12-01", &["2025-11-24"]);
        check("They will meet on Thursday.", "2025-12-01", &["2025-12-04"]);
        check("They met yesterday.", "2025-12-01", &["2025-11-30"]);
        check(
            "Talks on Sunday, Nov 23 ended.",
            "2025-11-25",
            &["2025-11-23"],
        );
        check("In May the talks stalled.", "2025-11-25", &[]);
    }

    #[test]
    fn times() {
        let t = |s: &str| find_time(&tokenize(s), s).map(|(t, _, _)| t);
        assert_eq!(t("began at 10:30 local time").as_deref(), Some("10:30"));
        assert_eq!(t("began at 3 p.m. on Sunday").as_deref(), Some("15:00"));
        assert_eq!(t("began at 9am").as_deref(), Some("09:00"));
        assert_eq!(t("a 28-point plan"), None);
    }
}
