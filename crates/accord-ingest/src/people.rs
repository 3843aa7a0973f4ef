//! People: runs of capitalised words read as names, with the title and affiliation
//! around them, matched to the case's delegates or to an earlier mention, else proposed
//! as new people when something marks them as people (a title, an honorific, an
//! appositive, or a speech verb next to them).

use crate::Doc;
use crate::lexicon::{
    CITIES, COUNTRIES, HONORIFICS, NOT_NAMES, ORGANISATION_WORDS, SPEECH_VERBS, TITLE_HEADS,
    TITLE_WORDS, month, weekday,
};
use crate::names::{Match, close, fold, key};
use crate::proposal::{Person, Source};
use crate::text::Kind;

/// One mention of a person: its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mention {
    pub(crate) person: usize,
    pub(crate) first: usize,
    /// One past the last token.
    pub(crate) last: usize,
    pub(crate) sentence: usize,
}

/// A person being built, with what matching needs.
pub(crate) struct Found {
    pub(crate) person: Person,
    pub(crate) delegate: Option<usize>,
    pub(crate) keys: Vec<String>,
    /// Lowercase words of the title, for "the spokesman said".
    pub(crate) title_words: Vec<String>,
}

/// The country a lowercase word or two-word phrase names, if any.
pub(crate) fn country_word(phrase: &str) -> Option<&'static crate::lexicon::Country> {
    let phrase = fold(phrase);
    COUNTRIES
        .iter()
        .find(|c| c.words.contains(&phrase.as_str()))
}

fn is_capitalised(word: &str) -> bool {
    let word = word
        .strip_prefix("al-")
        .or_else(|| word.strip_prefix("el-"))
        .unwrap_or(word);
    word.chars().next().is_some_and(char::is_uppercase)
}

fn is_place(lower: &str) -> bool {
    CITIES.contains(&lower) || country_word(lower).is_some()
}

/// Whether a capitalised word cannot be part of a name.
fn not_a_name(word: &str) -> bool {
    let lower = fold(word);
    NOT_NAMES.contains(&lower.as_str())
        || month(word).is_some() && lower.len() > 3
        || weekday(word).is_some()
        || is_place(&lower)
        || word.chars().all(|c| c.is_uppercase() || !c.is_alphabetic()) && word.len() > 1
}

fn is_title_word(lower: &str) -> bool {
    TITLE_WORDS.contains(&lower.trim_end_matches('.'))
}

/// Everything found about people.
pub(crate) struct People {
    pub(crate) found: Vec<Found>,
    pub(crate) mentions: Vec<Mention>,
    /// Runs of two or more capitalised words that nothing yet marks as a person: the
    /// sentence, the run's tokens and the surname's key.
    unproven: Vec<(usize, usize, usize, String)>,
}

impl People {
    /// The person whose mention covers token `i`.
    pub(crate) fn at(&self, i: usize) -> Option<&Mention> {
        self.mentions.iter().find(|m| m.first <= i && i < m.last)
    }

    /// The last mention that ends at or before token `i`.
    pub(crate) fn before(&self, i: usize) -> Option<&Mention> {
        self.mentions.iter().rev().find(|m| m.last <= i)
    }
}

/// Title and affiliation read around a name.
#[derive(Default)]
struct Context {
    title: Option<(usize, usize)>,
    affiliation: Option<String>,
    honorific: bool,
}

/// Reads back from token `a` (the name's first) for a title run and an affiliation.
fn context_before(doc: &Doc, sentence_first: usize, a: usize) -> Context {
    let mut context = Context::default();
    let mut i = a;
    // "A White House spokeswoman, Karoline Leavitt, said": the title before the comma.
    if a >= sentence_first + 2
        && doc.word(a - 1) == ","
        && TITLE_HEADS.contains(&doc.norm(a - 2).as_str())
    {
        i = a - 1;
    }
    let mut title_end: Option<usize> = None;
    let mut title_start = a;
    let mut has_head = false;
    while i > sentence_first {
        let t = doc.tokens[i - 1];
        let word = t.text(doc.text);
        let lower = crate::names::norm(word);
        let lower = lower.trim_end_matches('.');
        let pair = if i >= sentence_first + 2 {
            format!("{} {}", doc.norm(i - 2), lower)
        } else {
            String::new()
        };
        if t.kind == Kind::Possessive {
            i -= 1;
            continue;
        }
        if !pair.is_empty() && country_word(&pair).is_some() {
            if context.affiliation.is_none() {
                context.affiliation = Some(pair);
            }
            i -= 2;
            continue;
        }
        let dotted = crate::names::norm(word);
        if (country_word(lower).is_some() || country_word(&dotted).is_some())
            && !is_title_word(lower)
        {
            let lower = if country_word(lower).is_some() {
                lower
            } else {
                dotted.as_str()
            };
            if context.affiliation.is_none() {
                context.affiliation = Some(lower.to_string());
            }
            i -= 1;
            // Only a title may sit before the country ("Turkish Foreign Minister").
            continue;
        }
        if is_title_word(lower) || (matches!(lower, "of" | "the" | "and") && title_end.is_some()) {
            if title_end.is_none() {
                title_end = Some(i);
            }
            if TITLE_HEADS.contains(&lower) {
                has_head = true;
            }
            if HONORIFICS.contains(&lower) {
                context.honorific = true;
            }
            title_start = i - 1;
            i -= 1;
            continue;
        }
        break;
    }
    // "The Russian side included ...", "Russia's delegation was led by ...", "Russia by
    // Igor Kostyukov": a country naming a side earlier in the clause.
    if context.affiliation.is_none() {
        for k in (a.saturating_sub(10).max(sentence_first)..a).rev() {
            let word = doc.norm(k);
            if matches!(word.as_str(), "." | ";" | "," | "while" | "whereas" | "but") {
                break;
            }
            let next = doc.norm(k + 1);
            let side = matches!(
                next.as_str(),
                "side" | "delegation" | "team" | "by" | "negotiators"
            ) || doc
                .tokens
                .get(k + 1)
                .is_some_and(|t| t.kind == Kind::Possessive)
                && matches!(
                    doc.norm(k + 2).as_str(),
                    "side" | "delegation" | "team" | "negotiators"
                );
            if side && country_word(&word).is_some() {
                context.affiliation = Some(word);
                break;
            }
        }
    }
    // "Ukraine's human rights commissioner": a possessive country a few words back.
    if context.affiliation.is_none() && title_end.is_some() {
        for k in (i.saturating_sub(4).max(sentence_first)..i).rev() {
            if doc.tokens[k].kind == Kind::Possessive && k > sentence_first {
                let owner = doc.norm(k - 1);
                if country_word(&owner).is_some() {
                    context.affiliation = Some(owner);
                }
                break;
            }
            if matches!(doc.word(k), "," | "." | ";") {
                break;
            }
        }
    }
    if let Some(end) = title_end {
        // Drop connecting words at the title's start ("the", "of").
        let mut start = title_start;
        while start < end && matches!(doc.norm(start).as_str(), "of" | "the" | "and") {
            start += 1;
        }
        if has_head && start < end {
            context.title = Some((start, end));
        }
    }
    context
}

/// Reads an appositive after the name: ", the senior negotiator," or ", Ukraine's
/// national security secretary,".
fn context_after(doc: &Doc, b: usize, sentence_last: usize) -> Context {
    let mut context = Context::default();
    if doc.word(b) != "," {
        // "Hakan Fidan of Turkey"
        if matches!(doc.word(b), "of" | "from")
            && b + 1 < sentence_last
            && let Some(c) = country_word(doc.word(b + 1))
        {
            context.affiliation = Some(c.name.to_lowercase());
        }
        return context;
    }
    let mut i = b + 1;
    let mut title_start = None;
    let mut title_end = None;
    let mut has_head = false;
    while i < sentence_last && i < b + 12 {
        let word = doc.word(i);
        let lower = fold(word);
        if matches!(word, "," | "." | ";" | ":" | "(" | ")") || doc.tokens[i].kind == Kind::Quote {
            break;
        }
        if doc.tokens[i].kind == Kind::Possessive {
            i += 1;
            continue;
        }
        let country =
            country_word(&lower).or_else(|| country_word(&format!("{lower} {}", doc.norm(i + 1))));
        if let Some(c) = country
            && !is_title_word(&lower)
        {
            if context.affiliation.is_none() {
                context.affiliation = Some(c.name.to_lowercase());
            }
            if title_start.is_some() {
                title_end = Some(i + 1);
            }
            i += 1;
            continue;
        }
        if title_start.is_none()
            && matches!(lower.as_str(), "the" | "a" | "an" | "his" | "her" | "its")
        {
            i += 1;
            continue;
        }
        if is_title_word(&lower)
            || (title_start.is_some()
                && matches!(lower.as_str(), "of" | "the" | "and" | "for" | "on"))
        {
            if title_start.is_none() {
                title_start = Some(i);
            }
            if TITLE_HEADS.contains(&lower.as_str()) {
                has_head = true;
            }
            if is_title_word(&lower) {
                title_end = Some(i + 1);
            }
            i += 1;
            continue;
        }
        // Other words may follow a title inside the appositive ("head of the
        // delegation"), but a verb or relative clause ends it.
        if title_start.is_some() && !matches!(lower.as_str(), "who" | "which" | "said" | "told") {
            i += 1;
            continue;
        }
        break;
    }
    if let (Some(start), Some(end), true) = (title_start, title_end, has_head) {
        context.title = Some((start, end));
    }
    context
}

/// Finds the people of the document.
pub(crate) fn find(doc: &Doc) -> People {
    let mut people = People {
        found: Vec::new(),
        mentions: Vec::new(),
        unproven: Vec::new(),
    };
    for (s, span) in doc.sentences.iter().enumerate() {
        let mut i = span.first;
        while i < span.last {
            let t = doc.tokens[i];
            if t.kind != Kind::Word || !is_capitalised(t.text(doc.text)) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < span.last {
                let next = doc.tokens[j];
                let word = next.text(doc.text);
                let joined = next.start == doc.tokens[j - 1].end && word == ".";
                if next.kind == Kind::Word && is_capitalised(word) {
                    j += 1;
                } else if joined && j > i && doc.word(j - 1).chars().count() == 1 {
                    // An initial: "A. Hnatov" — the period is kept out of the name.
                    j += 1;
                } else if matches!(
                    word,
                    "bin" | "al" | "de" | "van" | "von" | "der" | "la" | "da"
                ) && doc
                    .tokens
                    .get(j + 1)
                    .is_some_and(|n| is_capitalised(n.text(doc.text)))
                {
                    j += 1;
                } else {
                    break;
                }
            }
            read_run(doc, &mut people, s, i, j, false);
            i = j;
        }
    }
    people.mentions.sort_by_key(|m| m.first);
    people
}

/// Reads one run of capitalised words, tokens `i..j` of sentence `s`.
fn read_run(doc: &Doc, people: &mut People, s: usize, first: usize, last: usize, force: bool) {
    let span = doc.sentences[s];
    // Strip titles, places, demonyms and sentence words from the front.
    let mut a = first;
    while a < last {
        let word = doc.word(a);
        let lower = fold(word);
        let lower = lower.trim_end_matches('.');
        let pair = format!("{lower} {}", doc.norm(a + 1));
        if a + 1 < last && country_word(&pair).is_some() {
            a += 2;
            continue;
        }
        if word == "." || is_title_word(lower) || not_a_name(word) {
            a += 1;
            continue;
        }
        break;
    }
    // Cut at the first word that cannot be a name.
    let mut b = a;
    while b < last
        && (doc.word(b) == "." || !not_a_name(doc.word(b)) && !is_title_word(&doc.norm(b)))
    {
        b += 1;
    }
    if a >= b {
        return;
    }
    let words: Vec<&str> = (a..b).map(|k| doc.word(k)).filter(|w| *w != ".").collect();
    if words.is_empty() || words.len() > 5 {
        return;
    }
    let lowers: Vec<String> = words.iter().map(|w| fold(w)).collect();
    if lowers
        .iter()
        .any(|w| ORGANISATION_WORDS.contains(&w.as_str()))
    {
        return;
    }
    let joined = lowers.join(" ");
    if is_place(&joined) || doc.gazetteer.party_named(&joined).is_some() {
        return;
    }
    let before = context_before(doc, span.first, a);
    let after = context_after(doc, b, span.last);
    let source = Source {
        sentence: s,
        start: doc.tokens[a].start,
        end: doc.tokens[b - 1].end,
    };
    let mention = |person| Mention {
        person,
        first: a,
        last: b,
        sentence: s,
    };
    let title_span = before.title.or(after.title);
    let title = title_span.map(|(x, y)| doc.slice(x, y));
    let affiliation = before.affiliation.clone().or(after.affiliation.clone());

    // A delegate of the case.
    if let Some((d, how)) = doc.gazetteer.delegate(&words) {
        let existing = people.found.iter().position(|f| f.delegate == Some(d));
        let index = existing.unwrap_or_else(|| {
            let delegate = &doc.gazetteer.delegates[d];
            let party = &doc.gazetteer.parties[delegate.party];
            people.found.push(Found {
                person: Person {
                    name: words.join(" "),
                    title: None,
                    affiliation: None,
                    delegate: Some(delegate.name.clone()),
                    party: Some(party.0.clone()),
                    new: false,
                    how,
                    source,
                    mentions: Vec::new(),
                },
                delegate: Some(d),
                keys: delegate.keys.clone(),
                title_words: fold(&delegate.title)
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
            });
            people.found.len() - 1
        });
        update(
            &mut people.found[index],
            &words,
            title,
            affiliation,
            source,
            doc,
        );
        people.mentions.push(mention(index));
        return;
    }

    // An earlier mention of the same person.
    let keys: Vec<String> = words.iter().map(|w| key(w)).collect();
    let earlier = people.found.iter().position(|f| {
        let (Some(surname), Some(f_surname)) = (keys.last(), f.keys.last()) else {
            return false;
        };
        close(surname, f_surname)
            && (keys.len() == 1 || f.keys.len() == 1 || close(&keys[0], &f.keys[0]))
    });
    if let Some(index) = earlier {
        if keys.len() > people.found[index].keys.len() {
            people.found[index].keys.clone_from(&keys);
        }
        update(
            &mut people.found[index],
            &words,
            title,
            affiliation,
            source,
            doc,
        );
        people.mentions.push(mention(index));
        return;
    }

    // A new person, when something says it is one.
    let next = doc.norm(b);
    let speech_after = SPEECH_VERBS.contains(&next.as_str());
    let prev = if a > span.first {
        doc.norm(a - 1)
    } else {
        String::new()
    };
    let prev2 = if a > span.first + 1 {
        doc.norm(a - 2)
    } else {
        String::new()
    };
    let speech_before =
        SPEECH_VERBS.contains(&prev.as_str()) || (prev2 == "according" && prev == "to");
    // Coordinated with a person: "Steve Witkoff and Jared Kushner".
    let coordinated = matches!(prev.as_str(), "and" | ",")
        && a >= span.first + 2
        && people.mentions.iter().any(|m| m.last == a - 1);
    let evidence = force
        || before.honorific
        || title.is_some() && (words.len() >= 2 || before.title.is_some())
        || words.len() >= 2
            && (speech_after || speech_before || affiliation.is_some() || coordinated);
    if !evidence {
        let surname = keys.last().cloned().unwrap_or_default();
        if words.len() >= 2 {
            people.unproven.push((s, first, last, surname));
        } else if speech_after || speech_before {
            // "Putin told his guests": an earlier full name becomes a person.
            let earlier = people
                .unproven
                .iter()
                .find(|(_, _, _, key)| close(key, &surname))
                .map(|&(s0, i0, j0, _)| (s0, i0, j0));
            if let Some((s0, i0, j0)) = earlier {
                people.unproven.retain(|u| !close(&u.3, &surname));
                read_run(doc, people, s0, i0, j0, true);
                read_run(doc, people, s, first, last, false);
            }
        }
        return;
    }
    let party = affiliation
        .as_deref()
        .and_then(|a| doc.gazetteer.party_of_words(a))
        .and_then(|(p, _)| p);
    people.found.push(Found {
        person: Person {
            name: words.join(" "),
            title: None,
            affiliation: None,
            delegate: None,
            party: party.map(|p| doc.gazetteer.parties[p].0.clone()),
            new: true,
            how: Match::New,
            source,
            mentions: Vec::new(),
        },
        delegate: None,
        keys,
        title_words: Vec::new(),
    });
    let index = people.found.len() - 1;
    update(
        &mut people.found[index],
        &words,
        title,
        affiliation,
        source,
        doc,
    );
    people.mentions.push(mention(index));
}

/// Adds a mention's name, title and affiliation to a person.
fn update(
    found: &mut Found,
    words: &[&str],
    title: Option<String>,
    affiliation: Option<String>,
    source: Source,
    doc: &Doc,
) {
    let person = &mut found.person;
    if words.len() > person.name.split_whitespace().count() {
        person.name = words.join(" ");
    }
    if person.title.is_none()
        && let Some(title) = title
    {
        found.title_words = fold(&title)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        person.title = Some(title);
    }
    if person.affiliation.is_none()
        && let Some(affiliation) = affiliation
    {
        let (party, country) = doc
            .gazetteer
            .party_of_words(&affiliation)
            .map_or((None, None), |(p, c)| (p, Some(c)));
        person.affiliation = Some(country.map_or(affiliation, str::to_string));
        if person.party.is_none() {
            person.party = party.map(|p| doc.gazetteer.parties[p].0.clone());
        }
    }
    person.mentions.push(source);
}

#[cfg(test)]
mod tests {
    use crate::testing::case;
    use crate::{Options, ingest};

    /// The people of `text`: (name, party, new, how).
    fn check(text: &str, expected: &[(&str, Option<&str>, bool, &str)]) {
        let proposal = ingest(text, &case(), &Options::default());
        let found: Vec<(String, Option<String>, bool, String)> = proposal
            .people
            .iter()
            .map(|p| {
                let how = serde_json::to_value(p.how).unwrap();
                (
                    p.name.clone(),
                    p.party.clone(),
                    p.new,
                    how.as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected: Vec<(String, Option<String>, bool, String)> = expected
            .iter()
            .map(|(n, p, new, how)| {
                (
                    (*n).to_string(),
                    p.map(str::to_string),
                    *new,
                    (*how).to_string(),
                )
            })
            .collect();
        assert_eq!(found, expected, "{text}");
    }

    #[test]
    fn delegates_by_spelling_variant_and_surname() {
        check(
            "Rustem Umyerov met Zelensky. Witkoff and Dmitriyev spoke.",
            &[
                ("Rustem Umyerov", Some("ukraine"), false, "variant"),
                ("Zelensky", Some("ukraine"), false, "surname"),
                ("Witkoff", Some("united-states"), false, "surname"),
                ("Dmitriyev", Some("russia"), false, "surname"),
            ],
        );
        check(
            "Daniel Driscoll arrived.",
            &[("Daniel Driscoll", Some("united-states"), false, "variant")],
        );
    }

    #[test]
    fn new_people_need_a_title_or_a_speech_verb() {
        check(
            "Kremlin spokesman Dmitry Peskov said nothing. Geneva Lake was calm.",
            &[("Dmitry Peskov", Some("russia"), true, "new")],
        );
        check(
            "Hakan Fidan, the Turkish foreign minister, opened the session.",
            &[("Hakan Fidan", None, true, "new")],
        );
        check(
            "British Prime Minister Keir Starmer spoke.",
            &[("Keir Starmer", Some("european-partners"), true, "new")],
        );
    }
}
