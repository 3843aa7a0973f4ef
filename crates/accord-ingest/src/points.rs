//! Points of the draft a sentence touches: by number ("point 7", "points 7 and 12",
//! "clause 7"), by title (the point's title as a phrase), or by keyword (enough of the
//! content words of its title and id: all of them up to two, or one word that no other
//! point uses and that is not a common word of titles of office).

use accord_core::Case;

use crate::Doc;
use crate::lexicon::{STOPWORDS, TITLE_WORDS};
use crate::names::fold;
use crate::people::country_word;
use crate::proposal::{PointHow, PointRef, Source};
use crate::text::Kind;

/// Words too common in reports to name a point on their own.
const COMMON: &[&str] = &[
    "exchange",
    "control",
    "plant",
    "civilian",
    "humanitarian",
    "nuclear",
    "guarantee",
    "guarantees",
    "membership",
    "international",
    "military",
    "political",
    "economic",
    "territory",
    "territorial",
    "withdrawal",
    "enforcement",
    "europe",
    "general",
];

/// A word reduced for matching: folded, a plural "s" dropped.
fn stem(word: &str) -> String {
    let w = fold(word);
    let w = w.trim_end_matches('\'');
    if w.len() > 4 && w.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

/// The content words of a point: its title's and id's.
fn content_words(title: &str, id: &str) -> Vec<String> {
    let mut words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .chain(id.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(stem)
        .filter(|w| w.len() > 1 && !STOPWORDS.contains(&w.as_str()))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The points the case's draft has, ready for matching.
pub(crate) struct PointIndex {
    points: Vec<(String, String, Vec<String>, Vec<String>)>,
}

impl PointIndex {
    /// The index of `case`'s points: id, title, title words, content words.
    pub(crate) fn new(case: &Case) -> Self {
        let points = case
            .points()
            .iter()
            .map(|p| {
                let title_words: Vec<String> = p
                    .title
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(stem)
                    .collect();
                (
                    p.id.clone(),
                    p.title.clone(),
                    title_words,
                    content_words(&p.title, &p.id),
                )
            })
            .collect();
        Self { points }
    }

    fn unique(&self, word: &str) -> bool {
        self.points
            .iter()
            .filter(|p| p.3.iter().any(|w| w == word))
            .count()
            == 1
    }

    fn reference(&self, k: usize, how: PointHow, source: Source) -> PointRef {
        PointRef {
            point: self.points[k].0.clone(),
            title: self.points[k].1.clone(),
            how,
            source,
        }
    }

    /// The points sentence `s` mentions.
    pub(crate) fn find(&self, doc: &Doc, s: usize) -> Vec<PointRef> {
        let mut span = doc.sentences[s];
        // The dateline ("KYIV, Dec 16 (Dnipro Wire) -") names no point.
        span.first = doc.body_start(s);
        let mut found: Vec<PointRef> = Vec::new();
        let push = |found: &mut Vec<PointRef>, r: PointRef| {
            if !found.iter().any(|f| f.point == r.point) {
                found.push(r);
            }
        };
        let words: Vec<String> = (span.first..span.last).map(|k| stem(doc.word(k))).collect();
        // By number.
        for k in span.first..span.last {
            let word = doc.norm(k);
            if !matches!(
                word.as_str(),
                "point"
                    | "points"
                    | "clause"
                    | "clauses"
                    | "article"
                    | "articles"
                    | "paragraph"
                    | "item"
                    | "items"
                    | "no"
                    | "number"
            ) {
                continue;
            }
            if word == "no" && doc.word(k + 1) != "." {
                continue;
            }
            let mut j = k + 1;
            if doc.word(j) == "." {
                j += 1;
            }
            let mut previous: Option<usize> = None;
            let mut range = false;
            while j < span.last {
                let t = doc.tokens[j];
                if t.kind == Kind::Number {
                    let digits: String = t
                        .text(doc.text)
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    let rest = &t.text(doc.text)[digits.len()..];
                    if let Ok(n) = digits.parse::<usize>()
                        && rest.is_empty()
                        && (1..=self.points.len()).contains(&n)
                    {
                        let source = Source {
                            sentence: s,
                            start: doc.tokens[k].start,
                            end: t.end,
                        };
                        let from = match previous {
                            Some(p) if range && p < n => p + 1,
                            _ => n,
                        };
                        for m in from..=n {
                            push(&mut found, self.reference(m - 1, PointHow::Number, source));
                        }
                        previous = Some(n);
                    }
                    range = false;
                    j += 1;
                } else if matches!(t.text(doc.text), "," | "and" | "or" | "&") {
                    j += 1;
                } else if matches!(t.text(doc.text), "through" | "to" | "-" | "–" | "thru") {
                    range = true;
                    j += 1;
                } else {
                    break;
                }
            }
        }
        // By title, longest titles first, so "Ceasefire monitoring" is not also "Ceasefire".
        let mut order: Vec<usize> = (0..self.points.len()).collect();
        order.sort_by_key(|&k| std::cmp::Reverse(self.points[k].2.len()));
        let mut taken = vec![false; words.len()];
        for k in order {
            let title = &self.points[k].2;
            if title.is_empty() || title.len() > words.len() {
                continue;
            }
            for at in 0..=words.len() - title.len() {
                if words[at..at + title.len()] == title[..]
                    && !taken[at..at + title.len()].iter().any(|&t| t)
                {
                    taken[at..at + title.len()]
                        .iter_mut()
                        .for_each(|t| *t = true);
                    let source = Source {
                        sentence: s,
                        start: doc.tokens[span.first + at].start,
                        end: doc.tokens[span.first + at + title.len() - 1].end,
                    };
                    push(&mut found, self.reference(k, PointHow::Title, source));
                    break;
                }
            }
        }
        // By keyword.
        for (k, point) in self.points.iter().enumerate() {
            let content = &point.3;
            let hits: Vec<usize> = (0..words.len())
                .filter(|&at| !taken[at] && content.contains(&words[at]))
                .collect();
            let mut distinct: Vec<&String> = hits.iter().map(|&at| &words[at]).collect();
            distinct.sort();
            distinct.dedup();
            let enough = distinct.len() >= content.len().min(2)
                || distinct.iter().any(|w| {
                    w.len() >= 5
                        && self.unique(w)
                        && !TITLE_WORDS.contains(&w.as_str())
                        && !COMMON.contains(&w.as_str())
                        && country_word(w).is_none()
                });
            if content.is_empty() || distinct.is_empty() || !enough {
                continue;
            }
            let first = span.first + hits[0];
            let last = span.first + hits[hits.len() - 1];
            let source = Source {
                sentence: s,
                start: doc.tokens[first].start,
                end: doc.tokens[last].end,
            };
            push(&mut found, self.reference(k, PointHow::Keyword, source));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::case;
    use crate::{Options, ingest};

    /// The points of the first meeting of `text`: (id, how).
    fn check(text: &str, expected: &[(&str, &str)]) {
        let proposal = ingest(text, &case(), &Options::default());
        let found: Vec<(String, String)> = proposal.meetings[0]
            .points
            .iter()
            .map(|p| {
                let how = serde_json::to_value(p.how).unwrap();
                (p.point.clone(), how.as_str().unwrap().to_string())
            })
            .collect();
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(p, h)| ((*p).to_string(), (*h).to_string()))
            .collect();
        assert_eq!(found, expected, "{text}");
    }

    #[test]
    fn numbers_titles_and_keywords() {
        check(
            "Umerov met Witkoff in Geneva to discuss points 1 through 3 of the 28-point plan.",
            &[
                ("sovereignty", "number"),
                ("security-guarantees", "number"),
                ("army-cap", "number"),
            ],
        );
        check(
            "Umerov met Witkoff in Geneva on ceasefire monitoring and the army's size.",
            &[("monitoring", "title"), ("army-cap", "keyword")],
        );
        check(
            "Umerov met Witkoff in Geneva; national security advisers attended.",
            &[],
        );
    }
}
