//! Reading reports of talks into a proposed meeting record.
//!
//! The mediator pastes a news report or a note of a meeting; [`ingest`] proposes the
//! meetings it describes — date, time, place, channel, the people named (matched to the
//! case's delegates or proposed as new), mediators, hosts, observers and third parties,
//! what was said and by whom, and the points of the draft touched — each fact citing the
//! sentence it came from, for a person to review. The rules are local and written out:
//! a tokenizer and sentence splitter (`text`), word lists (`lexicon`), name matching
//! over transliterations (`names`), dates (`dates`), people (`people`), speech
//! (`speech`), points (`points`) and meetings (`meetings`). No I/O, no clock: the date a
//! report was written comes from its dateline or from [`Options::reference_date`].
//!
//! ```
//! use accord_core::{Case, Delegate, Party, Point, PointKind, Role};
//! use accord_ingest::{Date, Options, ingest};
//!
//! let mut ukraine = Party::new("ukraine", "Ukraine", Role::Party);
//! ukraine.delegates.push(Delegate { name: "Rustem Umerov".into(), title: "secretary".into() });
//! let mut elections = Point::new("elections", PointKind::options(["soon", "later"]));
//! elections.title = "Elections".into();
//! let case = Case::new("talks", vec![elections], vec![ukraine]).unwrap();
//!
//! let report = "GENEVA, Nov 23 (Wire) - Ukrainian and U.S. delegations met in Geneva on \
//!     Sunday. \"We discussed elections,\" Umyerov said.";
//! let options = Options { reference_date: Date::new(2025, 11, 24), ..Options::default() };
//! let proposal = ingest(report, &case, &options);
//! let meeting = &proposal.meetings[0];
//! assert_eq!(meeting.date.as_ref().unwrap().date.to_string(), "2025-11-23");
//! assert_eq!(meeting.people[0].name, "Umyerov");
//! assert_eq!(meeting.people[0].party.as_deref(), Some("ukraine"));
//! assert_eq!(meeting.statements[0].speaker_name, "Umyerov");
//! assert_eq!(meeting.points[0].point, "elections");
//! ```
#![warn(missing_docs)]

mod dates;
mod lexicon;
mod meetings;
mod names;
mod people;
mod points;
mod proposal;
mod speech;
mod text;

use accord_core::Case;

pub use dates::{Date, DateHow};
pub use names::Match;
pub use proposal::{
    Attendee, ChannelHow, ChannelMatch, DateFact, Dateline, Meeting, Person, Place, PlaceHow,
    PointHow, PointRef, Proposal, RoleFact, RoleKind, Sentence, Source, Statement, StatementKind,
    TimeFact,
};

use crate::dates::find_dates;
use crate::lexicon::CITIES;
use crate::names::{Gazetteer, fold};
use crate::text::{Kind, Span, Token};

/// A channel of the negotiation that meetings may belong to (the workbench's channels).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelRef {
    /// Its id.
    pub id: String,
    /// Its name, matched against the report's words.
    pub name: String,
    /// The ids of the case parties that take part in it.
    pub parties: Vec<String>,
}

/// What the reader is told besides the text and the case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The date the report was written: resolves "on Sunday" or "yesterday" when the
    /// report has no dateline, and gives the year to a dateline without one.
    pub reference_date: Option<Date>,
    /// The channels a meeting may be matched to.
    pub channels: Vec<ChannelRef>,
}

/// The text and what every rule shares about it.
pub(crate) struct Doc<'a> {
    pub(crate) text: &'a str,
    pub(crate) tokens: Vec<Token>,
    pub(crate) sentences: Vec<Span>,
    pub(crate) gazetteer: Gazetteer,
    /// The token after the dateline (0 without one).
    pub(crate) dateline_end: usize,
    /// For each token, its sentence.
    sentence_index: Vec<usize>,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str, case: &Case) -> Self {
        let tokens = text::tokenize(text);
        let sentences = text::sentences(text, &tokens);
        let mut sentence_index = vec![0; tokens.len()];
        for (s, span) in sentences.iter().enumerate() {
            for slot in sentence_index.iter_mut().take(span.last).skip(span.first) {
                *slot = s;
            }
        }
        Self {
            text,
            tokens,
            sentences,
            gazetteer: Gazetteer::new(case),
            dateline_end: 0,
            sentence_index,
        }
    }

    /// The text of token `i` ("" past the end).
    pub(crate) fn word(&self, i: usize) -> &'a str {
        self.tokens.get(i).map_or("", |t| t.text(self.text))
    }

    /// Token `i` folded for the word lists (see `names::norm`).
    pub(crate) fn norm(&self, i: usize) -> String {
        names::norm(self.word(i))
    }

    /// The text of tokens `a..b`.
    pub(crate) fn slice(&self, a: usize, b: usize) -> String {
        match (
            self.tokens.get(a),
            b.checked_sub(1).and_then(|l| self.tokens.get(l)),
        ) {
            (Some(x), Some(y)) if y.end >= x.start => {
                self.text.get(x.start..y.end).unwrap_or("").to_string()
            }
            _ => String::new(),
        }
    }

    /// The sentence of token `i`.
    pub(crate) fn sentence_of(&self, i: usize) -> usize {
        self.sentence_index
            .get(i)
            .copied()
            .unwrap_or_else(|| self.sentences.len().saturating_sub(1))
    }

    /// The paragraph of token `i`.
    pub(crate) fn paragraph_of(&self, i: usize) -> usize {
        self.sentences
            .get(self.sentence_of(i))
            .map_or(0, |s| s.paragraph)
    }

    /// The first token of sentence `s` after any dateline.
    pub(crate) fn body_start(&self, s: usize) -> usize {
        let span = self.sentences[s];
        if (span.first..span.last).contains(&self.dateline_end)
            || self.dateline_end >= span.last && s == 0
        {
            self.dateline_end.min(span.last)
        } else {
            span.first
        }
    }
}

/// The dateline: the opening tokens before any lowercase word, when they end at a dash
/// or make up the whole first sentence, and hold a date or a city.
fn dateline(doc: &Doc, anchor: Option<Date>) -> Option<(Dateline, usize)> {
    let span = *doc.sentences.first()?;
    let mut end = span.first;
    let mut last_dash = None;
    while end < span.last {
        let t = doc.tokens[end];
        let word = t.text(doc.text);
        if t.kind == Kind::Word
            && word.chars().next().is_some_and(char::is_lowercase)
            && !matches!(word, "p.m." | "a.m.")
        {
            break;
        }
        if matches!(word, "—" | "–" | "-" | "--") {
            last_dash = Some(end);
        }
        end += 1;
    }
    // A short heading with a date ("Meeting note — 4 December 2025, Istanbul") is a
    // dateline as a whole.
    let heading = span.last - span.first <= 14
        && find_dates(&doc.tokens[span.first..span.last], doc.text, anchor)
            .iter()
            .any(|d| d.how == DateHow::Explicit);
    let region_end = match last_dash {
        _ if end == span.last || heading => span.last,
        Some(d) => d,
        None => return None,
    };
    if region_end <= span.first {
        return None;
    }
    let dates = find_dates(&doc.tokens[span.first..region_end], doc.text, anchor);
    let first_word = fold(doc.word(span.first));
    let mut city = None;
    // A city in capitals at the start, or a known city anywhere in the dateline.
    let mut k = span.first;
    while k < region_end
        && doc.tokens[k].kind == Kind::Word
        && doc.word(k).chars().all(|c| !c.is_lowercase())
        && doc.word(k).len() > 1
    {
        k += 1;
    }
    if k > span.first
        && crate::lexicon::month(doc.word(span.first)).is_none()
        && crate::lexicon::weekday(doc.word(span.first)).is_none()
    {
        city = Some(doc.slice(span.first, k));
    } else {
        for x in span.first..region_end {
            for len in [2, 1] {
                let phrase: Vec<String> = (x..(x + len).min(region_end))
                    .map(|y| fold(doc.word(y)))
                    .collect();
                if city.is_none() && CITIES.contains(&phrase.join(" ").as_str()) {
                    city = Some(doc.slice(x, (x + len).min(region_end)));
                }
            }
        }
    }
    let _ = first_word;
    if dates.is_empty() && city.is_none() {
        return None;
    }
    let last = doc.tokens[region_end - 1];
    let body = if last_dash == Some(region_end) {
        region_end + 1
    } else {
        region_end
    };
    Some((
        Dateline {
            city,
            date: dates.first().map(|d| d.date),
            source: Source {
                sentence: 0,
                start: doc.tokens[span.first].start,
                end: last.end,
            },
        },
        body,
    ))
}

/// The first full date the text gives ("30 November 2025").
fn first_full_date(doc: &Doc) -> Option<Date> {
    doc.sentences.iter().find_map(|span| {
        find_dates(&doc.tokens[span.first..span.last], doc.text, None)
            .into_iter()
            .find(|d| d.how == DateHow::Explicit)
            .map(|d| d.date)
    })
}

/// Reads `text` (a report of talks) against `case` and proposes meeting records.
#[must_use]
pub fn ingest(text: &str, case: &Case, options: &Options) -> Proposal {
    let mut doc = Doc::new(text, case);
    let sentences: Vec<Sentence> = doc
        .sentences
        .iter()
        .enumerate()
        .map(|(index, s)| Sentence {
            index,
            start: s.start,
            end: s.end,
            text: text.get(s.start..s.end).unwrap_or("").to_string(),
        })
        .collect();
    let first_anchor = options.reference_date.or_else(|| first_full_date(&doc));
    let found_dateline = dateline(&doc, first_anchor);
    if let Some((_, body)) = &found_dateline {
        doc.dateline_end = *body;
    }
    let dateline = found_dateline.map(|(d, _)| d);
    let anchor = dateline.as_ref().and_then(|d| d.date).or(first_anchor);

    let people = people::find(&doc);
    let said = speech::find(&doc, &people);
    let facts = meetings::sentence_facts(&doc, &people, anchor);
    let segments = meetings::segment(&facts);
    let point_index = points::PointIndex::new(case);

    let mut used_statements = vec![false; said.len()];
    let mut meetings_out = Vec::new();
    for (m, sentences_of) in segments.iter().enumerate() {
        let in_meeting = |s: usize| sentences_of.contains(&s);
        let events: Vec<usize> = sentences_of
            .iter()
            .copied()
            .filter(|&s| facts[s].event)
            .collect();
        let date = events
            .iter()
            .chain(sentences_of.iter().filter(|s| !events.contains(s)))
            .find_map(|&s| facts[s].dates.first().map(|d| (s, *d)))
            .filter(|(s, _)| events.contains(s))
            .map(|(s, d)| DateFact {
                date: d.date,
                how: d.how,
                source: Source {
                    sentence: s,
                    start: d.start,
                    end: d.end,
                },
            })
            .or_else(|| {
                let first = *sentences_of.first()?;
                if m > 0 {
                    return None;
                }
                match (&dateline, options.reference_date) {
                    (
                        Some(Dateline {
                            date: Some(date),
                            source,
                            ..
                        }),
                        _,
                    ) => Some(DateFact {
                        date: *date,
                        how: DateHow::Dateline,
                        source: *source,
                    }),
                    (_, Some(date)) => {
                        let span = doc.sentences[first];
                        Some(DateFact {
                            date,
                            how: DateHow::Reference,
                            source: Source {
                                sentence: first,
                                start: span.start,
                                end: span.end,
                            },
                        })
                    }
                    _ => None,
                }
            });
        let time = events.iter().find_map(|&s| {
            let span = doc.sentences[s];
            let from = doc.body_start(s);
            dates::find_time(&doc.tokens[from..span.last], text).map(|(time, start, end)| {
                TimeFact {
                    time,
                    source: Source {
                        sentence: s,
                        start,
                        end,
                    },
                }
            })
        });
        let place = events
            .iter()
            .find_map(|&s| facts[s].place.clone())
            .or_else(|| sentences_of.iter().find_map(|&s| facts[s].place.clone()))
            .or_else(|| {
                let d = dateline.as_ref().filter(|_| m == 0)?;
                Some(Place {
                    city: d.city.clone(),
                    venue: None,
                    how: PlaceHow::Dateline,
                    source: d.source,
                })
            })
            .map(|mut place| {
                // A venue without a city ("at the Kremlin") is in the dateline's city.
                if place.city.is_none() && m == 0 {
                    place.city = dateline.as_ref().and_then(|d| d.city.clone());
                }
                place
            });
        let mut attendees: Vec<(usize, Source)> = Vec::new();
        for mention in &people.mentions {
            if in_meeting(mention.sentence) && !attendees.iter().any(|(p, _)| *p == mention.person)
            {
                let source = Source {
                    sentence: mention.sentence,
                    start: doc.tokens[mention.first].start,
                    end: doc.tokens[mention.last - 1].end,
                };
                attendees.push((mention.person, source));
            }
        }
        let mut roles: Vec<RoleFact> = Vec::new();
        for &s in sentences_of {
            for role in
                meetings::roles(&doc, &people, s)
                    .into_iter()
                    .chain(if s == sentences_of[0] {
                        meetings::delegation_roles(&doc, &people, &attendees)
                    } else {
                        Vec::new()
                    })
            {
                if !roles
                    .iter()
                    .any(|r| r.role == role.role && r.who == role.who)
                {
                    roles.push(role);
                }
            }
        }
        let statements: Vec<Statement> = said
            .iter()
            .enumerate()
            .filter(|(_, s)| in_meeting(s.statement.source.sentence))
            .map(|(i, s)| {
                used_statements[i] = true;
                s.statement.clone()
            })
            .collect();
        let mut points_out: Vec<PointRef> = Vec::new();
        for &s in sentences_of {
            for r in point_index.find(&doc, s) {
                if !points_out.iter().any(|p| p.point == r.point) {
                    points_out.push(r);
                }
            }
        }
        let mut parties: Vec<String> = attendees
            .iter()
            .filter_map(|(p, _)| people.found[*p].person.party.clone())
            .collect();
        parties.sort();
        parties.dedup();
        let channel = meetings::channel(&doc, &options.channels, sentences_of, &parties);
        meetings_out.push(Meeting {
            sentences: sentences_of.clone(),
            date,
            time,
            place,
            channel,
            people: attendees
                .iter()
                .map(|&(person, source)| {
                    let p = &people.found[person].person;
                    Attendee {
                        person,
                        name: p.name.clone(),
                        party: p.party.clone(),
                        new: p.new,
                        source,
                    }
                })
                .collect(),
            roles,
            statements,
            points: points_out,
        });
    }
    let other_statements = said
        .iter()
        .zip(&used_statements)
        .filter(|(_, used)| !**used)
        .map(|(s, _)| s.statement.clone())
        .collect();
    let note = meetings_out.is_empty().then(|| {
        "no meeting found: no sentence tells of talks that took place (a meeting word with a date, place, person or past-tense verb, not a plan or hypothesis)".to_string()
    });
    Proposal {
        sentences,
        dateline,
        anchor_date: anchor,
        people: people.found.into_iter().map(|f| f.person).collect(),
        meetings: meetings_out,
        other_statements,
        note,
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A small case for the unit tests of every module.

    use accord_core::{Case, Delegate, Party, Point, PointKind, Role};

    fn party(id: &str, name: &str, role: Role, delegates: &[(&str, &str)]) -> Party {
        let mut party = Party::new(id, name, role);
        party.delegates = delegates
            .iter()
            .map(|(name, title)| Delegate {
                name: (*name).to_string(),
                title: (*title).to_string(),
            })
            .collect();
        party
    }

    fn point(id: &str, title: &str) -> Point {
        let mut point = Point::new(id, PointKind::options(["a", "b"]));
        point.title = title.to_string();
        point
    }

    /// Ukraine, Russia, the United States, European partners and a mediator, with a few
    /// delegates, and five points.
    pub(crate) fn case() -> Case {
        Case::new(
            "test",
            vec![
                point("sovereignty", "Sovereignty"),
                point("security-guarantees", "Security guarantees"),
                point("army-cap", "Army size cap"),
                point("ceasefire", "Ceasefire"),
                point("monitoring", "Ceasefire monitoring"),
            ],
            vec![
                party(
                    "ukraine",
                    "Ukraine",
                    Role::Party,
                    &[
                        ("Rustem Umerov", "secretary"),
                        ("Volodymyr Zelenskyy", "president"),
                    ],
                ),
                party(
                    "russia",
                    "Russia",
                    Role::Party,
                    &[("Kirill Dmitriev", "envoy")],
                ),
                party(
                    "united-states",
                    "United States",
                    Role::Party,
                    &[
                        ("Steve Witkoff", "special envoy"),
                        ("Dan Driscoll", "army secretary"),
                    ],
                ),
                party("european-partners", "European partners", Role::Party, &[]),
                party(
                    "mediator",
                    "Mediator",
                    Role::Mediator,
                    &[("Elena Varga", "facilitator")],
                ),
            ],
        )
        .unwrap()
    }
}
