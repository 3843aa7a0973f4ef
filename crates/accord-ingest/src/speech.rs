//! Statements: quoted speech (paired quotation marks, a quotation running over several
//! sentences, an attribution after it — `," Rubio said` — or before it — `Umerov said:`)
//! and reported speech (`Peskov said that ...`, `..., he said.`, `according to X`), each
//! attributed to a person (a pronoun or a title to the person last mentioned), or to a
//! party when an organisation speaks ("the Kremlin said").

use crate::Doc;
use crate::lexicon::{SPEECH_VERBS, WEAK_SPEECH_VERBS};
use crate::names::fold;
use crate::people::{People, country_word};
use crate::proposal::{Source, Statement, StatementKind};
use crate::text::Kind;

/// A statement and the token where it starts.
pub(crate) struct Said {
    pub(crate) statement: Statement,
}

/// Who is speaking.
#[derive(Clone)]
struct Speaker {
    person: Option<usize>,
    name: String,
    party: Option<String>,
    /// The attribution's tokens.
    first: usize,
    last: usize,
}

/// Words that may sit between a subject and its verb ("Umerov also said").
const ADVERBS: &[&str] = &[
    "also",
    "later",
    "separately",
    "again",
    "then",
    "previously",
    "earlier",
    "afterwards",
    "subsequently",
    "simply",
    "only",
    "publicly",
    "privately",
    "repeatedly",
    "has",
    "had",
    "have",
    "reportedly",
    "himself",
    "herself",
];

fn is_speech_verb(word: &str) -> bool {
    SPEECH_VERBS.contains(&fold(word).as_str())
}

/// Paired quotation marks: (opening token, closing token).
fn quotations(doc: &Doc) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut open: Option<(usize, bool)> = None;
    let mut paragraph_end = 0;
    for (i, t) in doc.tokens.iter().enumerate() {
        let paragraph = doc.paragraph_of(i);
        if let Some((o, _)) = open
            && doc.paragraph_of(o) != paragraph
        {
            // A quotation left open at a paragraph's end closes there.
            pairs.push((o, paragraph_end));
            open = None;
        }
        paragraph_end = i;
        if t.kind != Kind::Quote {
            continue;
        }
        let mark = t.text(doc.text);
        let single = matches!(mark, "'" | "‘" | "’");
        let next_is_word = doc
            .tokens
            .get(i + 1)
            .is_some_and(|n| n.start == t.end && n.kind != Kind::Punct);
        let prev_is_word = i > 0 && doc.tokens[i - 1].end == t.start;
        match open {
            None => {
                let opens = match mark {
                    "“" | "«" | "„" | "‘" => true,
                    "\"" | "'" => next_is_word || !prev_is_word,
                    _ => false,
                };
                if opens && (!single || next_is_word) {
                    open = Some((i, single));
                }
            }
            Some((o, was_single)) => {
                if was_single != single {
                    continue;
                }
                let closes = match mark {
                    "”" | "»" | "\"" => true,
                    "’" | "'" => !next_is_word,
                    _ => false,
                };
                if closes {
                    pairs.push((o, i));
                    open = None;
                }
            }
        }
    }
    if let Some((o, _)) = open {
        pairs.push((o, doc.tokens.len().saturating_sub(1)));
    }
    pairs
}

/// Finds the statements of the document.
pub(crate) fn find(doc: &Doc, people: &People) -> Vec<Said> {
    let mut said: Vec<Said> = Vec::new();
    let mut used_verbs = Vec::new();
    let quotes = quotations(doc);
    let mut previous: Option<(Speaker, usize)> = None;
    for &(o, c) in &quotes {
        if c <= o + 1 {
            continue;
        }
        let inner_words = (o + 1..c)
            .filter(|&k| doc.tokens[k].kind == Kind::Word)
            .count();
        let ends_sentence = matches!(doc.word(c - 1), "." | "," | "!" | "?");
        if inner_words < 4 && !ends_sentence {
            continue;
        }
        let open_sentence = doc.sentence_of(o);
        let close_sentence = doc.sentence_of(c);
        let speaker = attribution_after(doc, people, c, &mut used_verbs)
            .or_else(|| attribution_before(doc, people, o, &mut used_verbs))
            .or_else(|| {
                // A quotation that follows one of the same speaker's, in the same or the next sentence.
                previous
                    .as_ref()
                    .filter(|_| doc.body_start(open_sentence) == o)
                    .filter(|(_, s)| {
                        open_sentence <= s + 1
                            && doc.sentences[*s].paragraph == doc.sentences[open_sentence].paragraph
                    })
                    .map(|(sp, _)| sp.clone())
            });
        let Some(speaker) = speaker else {
            continue;
        };
        let start = doc.tokens[o].end;
        let end = doc.tokens[c].start.max(start);
        said.push(Said {
            statement: statement(
                doc,
                &speaker,
                StatementKind::Quoted,
                open_sentence,
                start,
                end,
            ),
        });
        previous = Some((speaker, close_sentence));
    }
    let inside = |i: usize| quotes.iter().any(|&(o, c)| o < i && i < c);
    for (s, span) in doc.sentences.iter().enumerate() {
        // A note's "Umerov: Ukraine wants an all-for-all exchange."
        let mut first = span.first;
        while first < span.last && matches!(doc.word(first), "-" | "*" | "•" | "–" | "·") {
            first += 1;
        }
        if let Some(m) = people.at(first).filter(|m| m.first == first)
            && doc.word(m.last) == ":"
            && m.last + 2 < span.last
            && doc.tokens[m.last + 1].kind != Kind::Quote
        {
            let speaker = person_speaker(doc, people, m.person, m.first, m.last);
            let (start, end) = (
                doc.tokens[m.last + 1].start,
                content_end(doc, span.first, span.last),
            );
            if end > start {
                said.push(Said {
                    statement: statement(doc, &speaker, StatementKind::Reported, s, start, end),
                });
            }
        }
        for v in span.first..span.last {
            let word = doc.norm(v);
            if used_verbs.contains(&v) || inside(v) {
                continue;
            }
            if word == "according" && doc.word(v + 1) == "to" && v + 2 < span.last {
                if let Some(speaker) = subject_after(doc, people, v + 1, span.last) {
                    let (start, end) = if v == span.first {
                        let from = (speaker.last..span.last)
                            .find(|&k| doc.word(k) == ",")
                            .map_or(speaker.last, |k| k + 1);
                        (
                            doc.tokens[from.min(span.last - 1)].start,
                            content_end(doc, span.first, span.last),
                        )
                    } else {
                        (doc.tokens[span.first].start, doc.tokens[v - 1].start)
                    };
                    if end > start {
                        said.push(Said {
                            statement: statement(
                                doc,
                                &speaker,
                                StatementKind::Reported,
                                s,
                                start,
                                end,
                            ),
                        });
                    }
                }
                continue;
            }
            if !SPEECH_VERBS.contains(&word.as_str()) {
                continue;
            }
            // A passive ("was told") reports no speech of its subject.
            if v > span.first
                && matches!(
                    doc.norm(v - 1).as_str(),
                    "was" | "were" | "been" | "be" | "is" | "are"
                )
            {
                continue;
            }
            // Speech introduced by a colon or followed by a quotation is quoted, not reported.
            if matches!(doc.word(v + 1), ":")
                || doc.tokens.get(v + 1).is_some_and(|t| t.kind == Kind::Quote)
            {
                continue;
            }
            let that = (v + 1..span.last.min(v + 5)).find(|&k| doc.word(k) == "that");
            if WEAK_SPEECH_VERBS.contains(&word.as_str()) && that.is_none() {
                continue;
            }
            // "..., Umerov said." / "..., Ushakov said, describing ..." / "..., an
            // official told us."
            let ends =
                |k: usize| k >= span.last || matches!(doc.word(k), "." | "!" | "?" | ";" | ",");
            let listener = matches!(
                doc.norm(v + 1).as_str(),
                "us" | "reporters" | "journalists" | "him" | "her" | "them" | "me"
            );
            let at_end = ends(v + 1) || listener && ends(v + 2);
            // ", said Umerov." — a short subject between the verb and the sentence's end.
            let inverted_end = !at_end
                && v > span.first
                && doc.word(v - 1) == ","
                && subject_after(doc, people, v, span.last).is_some_and(|sp| {
                    sp.first <= v + 2
                        && sp.last <= sp.first + 6
                        && (ends(sp.last) || sp.last >= span.last)
                });
            let (speaker, start, end) = if at_end || inverted_end {
                // "..., Umerov said." or "..., said Umerov."
                let speaker = if at_end {
                    subject_before(doc, people, v, doc.body_start(s))
                } else {
                    subject_after(doc, people, v, span.last)
                };
                let Some(speaker) = speaker else { continue };
                let subject_start = speaker.first.min(v);
                let comma = (span.first..subject_start)
                    .rev()
                    .find(|&k| doc.word(k) == ",");
                let Some(comma) = comma else { continue };
                let mut first = doc.body_start(s);
                while first < comma && doc.tokens[first].kind == Kind::Punct {
                    first += 1;
                }
                (
                    speaker,
                    doc.tokens[first.min(comma)].start,
                    doc.tokens[comma].start,
                )
            } else {
                let Some(speaker) = subject_before(doc, people, v, doc.body_start(s)) else {
                    continue;
                };
                let mut from = that.map_or(v + 1, |t| t + 1);
                if that.is_none() && matches!(word.as_str(), "told" | "tells") {
                    // "told reporters the talks ..." — skip the listener.
                    from = (v + 1..span.last)
                        .find(|&k| doc.norm(k).as_str() == "that")
                        .map_or(v + 2, |k| k + 1);
                }
                if from >= span.last {
                    continue;
                }
                (
                    speaker,
                    doc.tokens[from].start,
                    content_end(doc, span.first, span.last),
                )
            };
            if end > start {
                used_verbs.push(v);
                said.push(Said {
                    statement: statement(doc, &speaker, StatementKind::Reported, s, start, end),
                });
            }
        }
    }
    said.sort_by_key(|s| (s.statement.source.sentence, s.statement.source.start));
    said
}

/// The end of a sentence's content: before its final period.
fn content_end(doc: &Doc, first: usize, last: usize) -> usize {
    let mut k = last - 1;
    while k > first && matches!(doc.tokens[k].kind, Kind::Punct | Kind::Quote) {
        k -= 1;
    }
    doc.tokens[k].end
}

fn statement(
    doc: &Doc,
    speaker: &Speaker,
    kind: StatementKind,
    sentence: usize,
    start: usize,
    end: usize,
) -> Statement {
    let attribution_sentence = doc.sentence_of(speaker.first);
    Statement {
        speaker: speaker.person,
        speaker_name: speaker.name.clone(),
        party: speaker.party.clone(),
        kind,
        text: doc
            .text
            .get(start..end)
            .unwrap_or("")
            .trim()
            .trim_end_matches(',')
            .to_string(),
        source: Source {
            sentence,
            start,
            end,
        },
        attribution: Source {
            sentence: attribution_sentence,
            start: doc.tokens[speaker.first].start,
            end: doc.tokens[speaker.last.saturating_sub(1).max(speaker.first)].end,
        },
    }
}

/// `," Rubio said`, `," said Rubio`, `," he said`.
fn attribution_after(
    doc: &Doc,
    people: &People,
    c: usize,
    used: &mut Vec<usize>,
) -> Option<Speaker> {
    let sentence = doc.sentence_of(c);
    let last = doc.sentences[sentence].last;
    let mut k = c + 1;
    if doc.word(k) == "," {
        k += 1;
    }
    let limit = (k + 8).min(last);
    let verb = (k..limit).find(|&v| is_speech_verb(doc.word(v)))?;
    if (k..verb).any(|x| matches!(doc.word(x), "." | ";") || doc.tokens[x].kind == Kind::Quote) {
        return None;
    }
    let speaker = if verb == k {
        subject_after(doc, people, verb, last)
    } else {
        subject_before(doc, people, verb, k)
    }?;
    used.push(verb);
    Some(speaker)
}

/// `Umerov said: "`, `Umerov told reporters, "`, `According to Umerov, "`.
fn attribution_before(
    doc: &Doc,
    people: &People,
    o: usize,
    used: &mut Vec<usize>,
) -> Option<Speaker> {
    let sentence = doc.sentence_of(o);
    let first = doc.sentences[sentence].first;
    if o == first || !matches!(doc.word(o - 1), ":" | ",") {
        return None;
    }
    let limit = o.saturating_sub(6).max(first);
    for v in (limit..o - 1).rev() {
        let word = doc.norm(v);
        if word == "to" && v > first && doc.norm(v - 1) == "according" {
            return subject_after(doc, people, v, o);
        }
        if is_speech_verb(&word) {
            let speaker = subject_before(doc, people, v, first)?;
            used.push(v);
            return Some(speaker);
        }
    }
    None
}

fn person_speaker(doc: &Doc, people: &People, person: usize, first: usize, last: usize) -> Speaker {
    let p = &people.found[person].person;
    let _ = doc;
    Speaker {
        person: Some(person),
        name: p.name.clone(),
        party: p.party.clone(),
        first,
        last,
    }
}

/// An organisation or a country speaking: "the Kremlin", "Ukraine's foreign ministry",
/// "Russian officials" — tokens `from..to`.
fn organisation(doc: &Doc, from: usize, to: usize) -> Option<Speaker> {
    for k in from..to {
        let word = doc.norm(k);
        let pair = format!("{word} {}", doc.norm(k + 1));
        let (phrase, span_end) = if k + 1 < to && country_word(&pair).is_some() {
            (pair, k + 2)
        } else {
            (word, k + 1)
        };
        if let Some(country) = country_word(&phrase) {
            let party = doc.gazetteer.party_of_words(&phrase).and_then(|(p, _)| p);
            let start = (from..k)
                .find(|&x| !matches!(doc.norm(x).as_str(), "the" | "a"))
                .unwrap_or(k);
            let name = doc.slice(start.min(k), to.max(span_end));
            let _ = country;
            return Some(Speaker {
                person: None,
                name,
                party: party.map(|p| doc.gazetteer.parties[p].0.clone()),
                first: start.min(k),
                last: to.max(span_end),
            });
        }
    }
    None
}

/// The subject of the speech verb at `v`, read backwards (not before token `floor`).
fn subject_before(doc: &Doc, people: &People, v: usize, floor: usize) -> Option<Speaker> {
    let mut k = v;
    while k > floor && ADVERBS.contains(&doc.norm(k - 1).as_str()) {
        k -= 1;
    }
    if k <= floor {
        return None;
    }
    let end = k;
    let prev = k - 1;
    if let Some(m) = people.at(prev) {
        return Some(person_speaker(doc, people, m.person, m.first, m.last));
    }
    let word = doc.norm(prev);
    if matches!(word.as_str(), "he" | "she") {
        let m = people.before(prev)?;
        return Some(person_speaker(doc, people, m.person, prev, prev + 1));
    }
    if matches!(word.as_str(), "and" | "but") {
        // "Umerov thanked the U.S. side and said ...": the subject that opens the clause.
        let m = people
            .mentions
            .iter()
            .find(|m| m.first >= floor && m.first <= floor + 1 && m.last <= prev)?;
        return Some(person_speaker(doc, people, m.person, m.first, m.last));
    }
    if word == "," {
        // "A White House spokeswoman, Karoline Leavitt, said".
        if let Some(m) = people.at(prev.saturating_sub(1)).filter(|_| prev > floor) {
            return Some(person_speaker(doc, people, m.person, m.first, m.last));
        }
        // "Umerov, who led the delegation, said".
        let open = (floor..prev).rev().take(16).find(|&x| doc.word(x) == ",")?;
        if open > floor
            && let Some(m) = people.at(open - 1)
        {
            return Some(person_speaker(doc, people, m.person, m.first, m.last));
        }
        return None;
    }
    // A noun phrase: "the spokesman", "the Kremlin", "Ukraine's foreign ministry".
    let mut start = prev;
    while start > floor && prev - start < 5 {
        let w = doc.norm(start - 1);
        if matches!(
            w.as_str(),
            "," | "." | "and" | "but" | "said" | "that" | "\""
        ) || doc.tokens[start - 1].kind == Kind::Quote
        {
            break;
        }
        start -= 1;
    }
    if let Some(org) = organisation(doc, start, end) {
        return Some(org);
    }
    if doc.norm(start) == "the" {
        // "the envoy said": the last person with that title word.
        let noun = doc.norm(prev);
        let person = people
            .mentions
            .iter()
            .rev()
            .filter(|m| m.last <= start)
            .find(|m| people.found[m.person].title_words.contains(&noun))?;
        return Some(person_speaker(doc, people, person.person, start, end));
    }
    None
}

/// The subject after a speech verb or "according to" at `v` ("said Umerov", "said the
/// Kremlin spokesman, Dmitry Peskov").
fn subject_after(doc: &Doc, people: &People, v: usize, last: usize) -> Option<Speaker> {
    let limit = (v + 9).min(last);
    for k in v + 1..limit {
        if let Some(m) = people.at(k) {
            return Some(person_speaker(doc, people, m.person, m.first, m.last));
        }
        if matches!(doc.word(k), "." | ";" | "\"") || doc.tokens[k].kind == Kind::Quote {
            break;
        }
    }
    let end = (v + 1..limit)
        .find(|&k| matches!(doc.word(k), "," | "." | ";"))
        .unwrap_or(limit);
    organisation(doc, v + 1, end)
}

#[cfg(test)]
mod tests {
    use crate::testing::case;
    use crate::{Options, ingest};

    /// The statements of `text`: (speaker, party, kind, text).
    fn check(text: &str, expected: &[(&str, Option<&str>, &str, &str)]) {
        let proposal = ingest(text, &case(), &Options::default());
        let found: Vec<(String, Option<String>, String, String)> = proposal
            .meetings
            .iter()
            .flat_map(|m| &m.statements)
            .chain(&proposal.other_statements)
            .map(|s| {
                let kind = serde_json::to_value(s.kind).unwrap();
                (
                    s.speaker_name.clone(),
                    s.party.clone(),
                    kind.as_str().unwrap().to_string(),
                    s.text.clone(),
                )
            })
            .collect();
        let expected: Vec<(String, Option<String>, String, String)> = expected
            .iter()
            .map(|(s, p, k, t)| {
                (
                    (*s).to_string(),
                    p.map(str::to_string),
                    (*k).to_string(),
                    (*t).to_string(),
                )
            })
            .collect();
        assert_eq!(found, expected, "{text}");
    }

    #[test]
    fn quotations_over_sentences_and_pronouns() {
        check(
            "Steve Witkoff arrived. \"We made progress. More is needed,\" he said. \"We meet again soon.\"",
            &[
                (
                    "Steve Witkoff",
                    Some("united-states"),
                    "quoted",
                    "We made progress. More is needed",
                ),
                (
                    "Steve Witkoff",
                    Some("united-states"),
                    "quoted",
                    "We meet again soon.",
                ),
            ],
        );
        check(
            "Umerov said: \"The talks were useful and long.\"",
            &[(
                "Umerov",
                Some("ukraine"),
                "quoted",
                "The talks were useful and long.",
            )],
        );
    }

    #[test]
    fn reported_speech_and_organisations() {
        check(
            "The Kremlin said that Moscow had not received the text.",
            &[(
                "Kremlin",
                Some("russia"),
                "reported",
                "Moscow had not received the text",
            )],
        );
        check(
            "The talks were long, Dmitriev said.",
            &[(
                "Dmitriev",
                Some("russia"),
                "reported",
                "The talks were long",
            )],
        );
        check(
            "According to Umerov, the sides agreed on most points.",
            &[(
                "Umerov",
                Some("ukraine"),
                "reported",
                "the sides agreed on most points",
            )],
        );
        // A scare quote is not a statement, and "confirmed" reports only with "that".
        check("Witkoff confirmed the so-called \"plan\".", &[]);
    }
}
