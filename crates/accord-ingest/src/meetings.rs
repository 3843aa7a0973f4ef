//! Meetings: which sentences describe a meeting that took place, how the report's
//! sentences split between several meetings, and each meeting's place, roles and channel.
//!
//! A sentence tells of a meeting when it has a meeting word ("met", "talks", "round")
//! with no word of plan or hypothesis near it ("will", "could", "next") and something
//! that makes it an event (a past-tense verb such as "met" or "held", a date, a place or
//! a person). The first such sentence opens a meeting; a later one opens another when
//! its date or city differs from the current meeting's. Other sentences belong to the
//! meeting they follow (those before the first, to the first).

use crate::ChannelRef;
use crate::Doc;
use crate::dates::{Found, find_dates};
use crate::lexicon::{
    CITIES, EVENT_WORDS, FUTURE_WORDS, MEETING_WORDS, NOT_NAMES, ORGANISATION_WORDS, SPEECH_VERBS,
    TITLE_WORDS,
};
use crate::names::fold;
use crate::people::{People, country_word};
use crate::proposal::{ChannelHow, ChannelMatch, Place, PlaceHow, RoleFact, RoleKind, Source};
use crate::text::Kind;
use accord_core::Role;

/// What one sentence says about meetings.
pub(crate) struct SentenceFacts {
    pub(crate) event: bool,
    pub(crate) dates: Vec<Found>,
    pub(crate) place: Option<Place>,
    /// The city said with "in" or "at", which may tell one meeting from another.
    pub(crate) split_city: Option<String>,
}

/// Whether sentence `s` tells of a meeting that took place.
fn is_event(doc: &Doc, people: &People, s: usize, dates: &[Found], place: bool) -> bool {
    let span = doc.sentences[s];
    let from = doc.body_start(s);
    let mut trigger = false;
    for k in from..span.last {
        let word = doc.norm(k);
        if !MEETING_WORDS.contains(&word.as_str()) {
            continue;
        }
        let window = k.saturating_sub(5).max(from)..(k + 4).min(span.last);
        let planned = window.clone().any(|x| {
            let w = doc.norm(x);
            FUTURE_WORDS.contains(&w.as_str())
                || (w == "to" && x + 1 == k)
                || (w == "no" || w == "not" || w == "without") && x < k
        });
        if !planned {
            trigger = true;
            break;
        }
    }
    if !trigger {
        return false;
    }
    let past = (from..span.last).any(|k| EVENT_WORDS.contains(&doc.norm(k).as_str()));
    let person = people.mentions.iter().any(|m| m.sentence == s);
    past || !dates.is_empty() || place || person
}

/// A city phrase starting at token `k`: one or two words in the city list, or one
/// unknown capitalised word when `lenient`.
fn city_at(doc: &Doc, people: &People, k: usize, last: usize, lenient: bool) -> Option<usize> {
    if k >= last {
        return None;
    }
    let word = doc.word(k);
    if !word.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    for len in [3, 2, 1] {
        if k + len > last {
            continue;
        }
        let phrase: Vec<String> = (k..k + len).map(|x| doc.norm(x)).collect();
        let phrase = phrase.join(" ");
        if CITIES.contains(&phrase.as_str()) {
            return Some(k + len);
        }
        if let Some(country) = country_word(&phrase)
            && fold(country.name) == phrase.trim_start_matches("the ")
            && doc
                .gazetteer
                .party_of_country(country.name, false)
                .is_none()
        {
            return Some(k + len);
        }
    }
    let lower = fold(word);
    let unknown = doc.tokens[k].kind == Kind::Word
        && !NOT_NAMES.contains(&lower.as_str())
        && !TITLE_WORDS.contains(&lower.as_str())
        && !ORGANISATION_WORDS.contains(&lower.as_str())
        && country_word(&lower).is_none()
        && people.at(k).is_none()
        && doc.gazetteer.party_named(&lower).is_none()
        && crate::lexicon::month(word).is_none()
        && doc.tokens.get(k + 1).is_none_or(|n| {
            n.kind != Kind::Possessive
                && !n
                    .text(doc.text)
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
        });
    (lenient && unknown).then_some(k + 1)
}

/// The place a sentence names: "at the US mission in Geneva", "in Abu Dhabi".
fn find_place(
    doc: &Doc,
    people: &People,
    s: usize,
    lenient: bool,
    fallback: bool,
) -> Option<Place> {
    let span = doc.sentences[s];
    let from = doc.body_start(s);
    for k in from..span.last {
        let word = doc.norm(k);
        if word == "at" {
            // A venue: "at the US mission in Geneva", "at the Ciragan Palace".
            let stop = (k + 1..span.last.min(k + 10)).find(|&x| {
                matches!(
                    doc.word(x),
                    "," | "." | ";" | "on" | "where" | "and" | "to" | "with"
                )
            });
            let end = stop.unwrap_or(span.last.min(k + 10));
            if let Some(inn) = (k + 1..end).find(|&x| doc.word(x) == "in")
                && let Some(city_end) = city_at(doc, people, inn + 1, span.last, true)
                && inn > k + 1
            {
                let venue_first = k + 1;
                return Some(Place {
                    city: Some(doc.slice(inn + 1, city_end)),
                    venue: Some(doc.slice(venue_first, inn)),
                    how: PlaceHow::Text,
                    source: Source {
                        sentence: s,
                        start: doc.tokens[k + 1].start,
                        end: doc.tokens[city_end - 1].end,
                    },
                });
            }
            let capital_org = (k + 1..end).any(|x| {
                ORGANISATION_WORDS.contains(&doc.norm(x).as_str())
                    && doc.word(x).chars().next().is_some_and(char::is_uppercase)
            });
            if capital_org && end > k + 1 {
                return Some(Place {
                    city: None,
                    venue: Some(doc.slice(k + 1, end)),
                    how: PlaceHow::Text,
                    source: Source {
                        sentence: s,
                        start: doc.tokens[k + 1].start,
                        end: doc.tokens[end - 1].end,
                    },
                });
            }
        }
        if word == "in"
            && let Some(city_end) = city_at(doc, people, k + 1, span.last, lenient)
        {
            return Some(Place {
                city: Some(doc.slice(k + 1, city_end)),
                venue: None,
                how: PlaceHow::Text,
                source: Source {
                    sentence: s,
                    start: doc.tokens[k + 1].start,
                    end: doc.tokens[city_end - 1].end,
                },
            });
        }
    }
    if fallback {
        // In a sentence about a meeting, a known city elsewhere: "the Geneva meeting",
        // "9 Dec 2025, Geneva — bilateral session".
        for k in from..span.last {
            let known = [2, 1].into_iter().find(|&len| {
                k + len <= span.last
                    && doc.word(k).starts_with(char::is_uppercase)
                    && CITIES.contains(&doc.slice(k, k + len).to_lowercase().as_str())
            });
            if let Some(city_end) = known.map(|len| k + len) {
                return Some(Place {
                    city: Some(doc.slice(k, city_end)),
                    venue: None,
                    how: PlaceHow::Text,
                    source: Source {
                        sentence: s,
                        start: doc.tokens[k].start,
                        end: doc.tokens[city_end - 1].end,
                    },
                });
            }
        }
    }
    None
}

/// The facts of every sentence.
pub(crate) fn sentence_facts(
    doc: &Doc,
    people: &People,
    anchor: Option<crate::Date>,
) -> Vec<SentenceFacts> {
    (0..doc.sentences.len())
        .map(|s| {
            let span = doc.sentences[s];
            let from = doc.body_start(s);
            let mut dates = if from < span.last {
                find_dates(&doc.tokens[from..span.last], doc.text, anchor)
            } else {
                Vec::new()
            };
            // "..., officials said on Wednesday": the date of a statement, not of a meeting.
            dates.retain(|d| {
                let Some(k) = (from..span.last).find(|&k| doc.tokens[k].start == d.start) else {
                    return true;
                };
                let mut before = k;
                while before > from
                    && matches!(
                        doc.norm(before - 1).as_str(),
                        "on" | "late" | "early" | "last"
                    )
                {
                    before -= 1;
                }
                before == from || !SPEECH_VERBS.contains(&doc.norm(before - 1).as_str())
            });
            let strict = find_place(doc, people, s, false, false);
            let event = is_event(doc, people, s, &dates, strict.is_some());
            let said = if event {
                find_place(doc, people, s, true, false)
            } else {
                strict
            };
            let split_city = said.as_ref().and_then(|p| p.city.as_deref()).map(fold);
            let place = said.or_else(|| {
                event
                    .then(|| find_place(doc, people, s, true, true))
                    .flatten()
            });
            SentenceFacts {
                event,
                dates,
                place,
                split_city,
            }
        })
        .collect()
}

/// Splits the sentences into meetings: each a list of sentence indices.
pub(crate) fn segment(facts: &[SentenceFacts]) -> Vec<Vec<usize>> {
    let mut meetings: Vec<Vec<usize>> = Vec::new();
    let mut pending = Vec::new();
    let mut current: Option<(Option<crate::Date>, Option<String>)> = None;
    for (s, f) in facts.iter().enumerate() {
        if f.event {
            let date = f.dates.first().map(|d| d.date);
            let city = f.split_city.clone();
            match &mut current {
                None => {
                    pending.push(s);
                    meetings.push(std::mem::take(&mut pending));
                    current = Some((date, city));
                    continue;
                }
                Some((cur_date, cur_city)) => {
                    let date_differs = matches!((date, *cur_date), (Some(a), Some(b)) if a != b);
                    let city_differs = matches!((&city, &*cur_city), (Some(a), Some(b)) if a != b);
                    let date_same = matches!((date, *cur_date), (Some(a), Some(b)) if a == b);
                    if date_differs && !matches!((&city, &*cur_city), (Some(a), Some(b)) if a == b)
                        || city_differs && !date_same
                    {
                        meetings.push(vec![s]);
                        current = Some((date, city));
                        continue;
                    }
                    if cur_date.is_none() {
                        *cur_date = date;
                    }
                    if cur_city.is_none() {
                        *cur_city = city;
                    }
                }
            }
        }
        match meetings.last_mut() {
            Some(m) => m.push(s),
            None => pending.push(s),
        }
    }
    meetings
}

/// Who plays a role: the name, the party id, the person, and the tokens.
type Entity = (String, Option<String>, Option<usize>, usize, usize);

/// A party, country or person at tokens `range` (scanned in the given order).
fn entity(doc: &Doc, people: &People, range: impl Iterator<Item = usize>) -> Option<Entity> {
    for k in range {
        if matches!(doc.word(k), "." | ";") {
            return None;
        }
        if let Some(m) = people.at(k) {
            let p = &people.found[m.person].person;
            return Some((
                p.name.clone(),
                p.party.clone(),
                Some(m.person),
                m.first,
                m.last,
            ));
        }
        let one = doc.norm(k);
        let two = format!("{one} {}", doc.norm(k + 1));
        let three = format!("{two} {}", doc.norm(k + 2));
        for (phrase, len) in [(three, 3), (two, 2), (one, 1)] {
            if let Some(p) = doc.gazetteer.party_named(&phrase) {
                let (id, name, _) = &doc.gazetteer.parties[p];
                return Some((name.clone(), Some(id.clone()), None, k, k + len));
            }
            if let Some(country) = country_word(&phrase) {
                // "German Chancellor Friedrich Merz": the person the country qualifies.
                let mut x = k + len;
                while x < k + len + 4
                    && doc.word(x).starts_with(char::is_uppercase)
                    && people.at(x).is_none()
                {
                    x += 1;
                }
                if let Some(m) = people.at(x) {
                    let p = &people.found[m.person].person;
                    return Some((
                        p.name.clone(),
                        p.party.clone(),
                        Some(m.person),
                        m.first,
                        m.last,
                    ));
                }
                let party = doc
                    .gazetteer
                    .party_of_country(country.name, country.european);
                let party = party.map(|p| doc.gazetteer.parties[p].0.clone());
                return Some((country.name.to_string(), party, None, k, k + len));
            }
        }
    }
    None
}

/// The roles sentence `s` gives.
pub(crate) fn roles(doc: &Doc, people: &People, s: usize) -> Vec<RoleFact> {
    let span = doc.sentences[s];
    let from = doc.body_start(s);
    let mut found: Vec<RoleFact> = Vec::new();
    let before = |k: usize| (k.saturating_sub(6).max(from)..k).rev();
    let after = |k: usize, skip: usize| k + skip..(k + skip + 6).min(span.last);
    for k in from..span.last {
        let word = doc.norm(k);
        let next = doc.norm(k + 1);
        let next2 = doc.norm(k + 2);
        let (role, hit) = match word.as_str() {
            "mediated" | "brokered" | "facilitated" | "chaired" | "moderated" if next == "by" => {
                (RoleKind::Mediator, entity(doc, people, after(k, 2)))
            }
            "mediated" | "brokered" | "facilitated" | "chaired" | "moderated" | "mediating" => {
                (RoleKind::Mediator, entity(doc, people, before(k)))
            }
            "mediation" if matches!(next.as_str(), "of" | "by") => {
                (RoleKind::Mediator, entity(doc, people, after(k, 2)))
            }
            // Not "the Office of the Mediator", a name.
            "mediator" | "mediators" | "facilitator"
                if !doc.word(k).starts_with(char::is_uppercase) =>
            {
                (RoleKind::Mediator, entity(doc, people, before(k)))
            }
            "hosted" | "co-hosted" if next == "by" => {
                (RoleKind::Host, entity(doc, people, after(k, 2)))
            }
            "hosted" | "hosts" | "hosting" | "host" | "co-hosted" => {
                (RoleKind::Host, entity(doc, people, before(k)))
            }
            "invitation" if next == "of" => (RoleKind::Host, entity(doc, people, after(k, 2))),
            "attendance" if k > 0 && doc.norm(k - 1) == "in" => {
                (RoleKind::Observer, entity(doc, people, before(k)))
            }
            "observer" | "observers" | "observed" if next == "from" => {
                (RoleKind::Observer, entity(doc, people, after(k, 2)))
            }
            "observer" | "observers" | "observed" => {
                (RoleKind::Observer, entity(doc, people, before(k)))
            }
            "participation" if next == "of" => {
                (RoleKind::ThirdParty, entity(doc, people, after(k, 2)))
            }
            "third"
                if matches!(next.as_str(), "party" | "parties")
                    || next == "-" && next2 == "party" =>
            {
                (RoleKind::ThirdParty, entity(doc, people, before(k)))
            }
            "third-party" => (RoleKind::ThirdParty, entity(doc, people, after(k, 1))),
            _ => continue,
        };
        let Some((who, party, person, first, last)) = hit else {
            continue;
        };
        // A negotiating side is not a third party or observer of its own talks.
        let negotiating = party.as_ref().is_some_and(|id| {
            doc.gazetteer
                .parties
                .iter()
                .any(|(pid, _, role)| pid == id && *role == Role::Party)
        });
        if negotiating
            && matches!(role, RoleKind::ThirdParty | RoleKind::Observer)
            && person.is_none()
        {
            continue;
        }
        if found.iter().any(|r| r.role == role && r.who == who) {
            continue;
        }
        let (start, end) = (
            doc.tokens[first.min(k)].start,
            doc.tokens[last.max(k + 1) - 1].end,
        );
        found.push(RoleFact {
            role,
            who,
            party,
            person,
            source: Source {
                sentence: s,
                start,
                end,
            },
        });
    }
    found
}

/// The channel of a meeting: named in its sentences, or fitting its parties.
pub(crate) fn channel(
    doc: &Doc,
    channels: &[ChannelRef],
    sentences: &[usize],
    parties: &[String],
) -> Option<ChannelMatch> {
    for c in channels {
        let name = fold(&c.name);
        if name.trim().is_empty() {
            continue;
        }
        for &s in sentences {
            let span = doc.sentences[s];
            let text = fold(doc.text.get(span.start..span.end).unwrap_or(""));
            if let Some(at) = text.find(&name) {
                // Folding keeps byte lengths close but not equal; cite the sentence.
                let _ = at;
                return Some(ChannelMatch {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    how: ChannelHow::Name,
                    source: Some(Source {
                        sentence: s,
                        start: span.start,
                        end: span.end,
                    }),
                });
            }
        }
    }
    if parties.is_empty() {
        return None;
    }
    let mut best: Option<(f64, &ChannelRef)> = None;
    for c in channels {
        let common = c.parties.iter().filter(|p| parties.contains(p)).count();
        let union = c.parties.len() + parties.len() - common;
        if union == 0 {
            continue;
        }
        let score = common as f64 / union as f64;
        if score == 1.0 {
            return Some(ChannelMatch {
                id: c.id.clone(),
                name: c.name.clone(),
                how: ChannelHow::Parties,
                source: None,
            });
        }
        if score >= 0.5 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| ChannelMatch {
        id: c.id.clone(),
        name: c.name.clone(),
        how: ChannelHow::Overlap,
        source: None,
    })
}

/// The implicit roles of a meeting: a present delegate of the case's mediator party
/// mediates.
pub(crate) fn delegation_roles(
    doc: &Doc,
    people: &People,
    attendees: &[(usize, Source)],
) -> Vec<RoleFact> {
    attendees
        .iter()
        .filter_map(|&(person, source)| {
            let p = &people.found[person];
            let party = p.delegate.map(|d| doc.gazetteer.delegates[d].party)?;
            let role = match doc.gazetteer.parties[party].2 {
                Role::Mediator => RoleKind::Mediator,
                Role::Observer => RoleKind::Observer,
                Role::Party => return None,
            };
            Some(RoleFact {
                role,
                who: p.person.name.clone(),
                party: Some(doc.gazetteer.parties[party].0.clone()),
                person: Some(person),
                source,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::testing::case;
    use crate::{Date, Options, ingest};

    /// The meetings of `text` read on 2025-12-01: (date, city, roles).
    fn check(text: &str, expected: &[(&str, &str, &[&str])]) {
        let options = Options {
            reference_date: Date::parse("2025-12-01"),
            ..Options::default()
        };
        let proposal = ingest(text, &case(), &options);
        let found: Vec<(String, String, Vec<String>)> = proposal
            .meetings
            .iter()
            .map(|m| {
                let roles = m
                    .roles
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {}",
                            serde_json::to_value(r.role).unwrap().as_str().unwrap(),
                            r.who
                        )
                    })
                    .collect();
                (
                    m.date
                        .as_ref()
                        .map(|d| d.date.to_string())
                        .unwrap_or_default(),
                    m.place
                        .as_ref()
                        .and_then(|p| p.city.clone())
                        .unwrap_or_default(),
                    roles,
                )
            })
            .collect();
        let expected: Vec<(String, String, Vec<String>)> = expected
            .iter()
            .map(|(d, c, r)| {
                (
                    (*d).to_string(),
                    (*c).to_string(),
                    r.iter().map(|x| (*x).to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(found, expected, "{text}");
    }

    #[test]
    fn one_two_or_no_meetings() {
        check(
            "Umerov met Witkoff in Geneva on Sunday, in talks hosted by Switzerland.",
            &[("2025-11-30", "Geneva", &["host Switzerland"])],
        );
        check(
            "Umerov met Witkoff in Miami on Sunday. On Wednesday, Dmitriev met Driscoll in Abu Dhabi.",
            &[
                ("2025-11-30", "Miami", &[]),
                ("2025-11-26", "Abu Dhabi", &[]),
            ],
        );
        check(
            "The sides could meet in Istanbul next week if the talks go ahead.",
            &[],
        );
    }

    #[test]
    fn mediators_observers_and_delegations() {
        check(
            "Talks in Doha on Saturday were mediated by Qatar, with Saudi officials in attendance. Elena Varga took notes.",
            &[(
                "2025-11-29",
                "Doha",
                &[
                    "mediator Qatar",
                    "observer Saudi Arabia",
                    "mediator Elena Varga",
                ],
            )],
        );
    }
}
