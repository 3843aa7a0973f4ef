//! Name matching: a normalised key for every name, an edit distance, and the gazetteer
//! of the case's delegates and parties.
//!
//! [`key`] lowercases a word, strips diacritics, folds transliteration variants ("kh" to
//! "h", "tz" to "ts", "ye" to "e", doubled letters to one, the endings "iy", "yy", "ii",
//! "yi" to "y", "w" to "v"), so that Zelenskyy, Zelensky and Zelenskiy, Umerov and
//! Umyerov, Dmitriev and Dmitriyev share one key. Keys within a small edit distance
//! (one edit up to seven letters, two beyond) are taken as variants too.

use accord_core::{Case, Role};

use crate::lexicon::COUNTRIES;

/// Lowercase, without diacritics.
pub(crate) fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'ď' | 'đ' => 'd',
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' | 'ė' => 'e',
            'ğ' => 'g',
            'í' | 'ì' | 'î' | 'ï' | 'ī' | 'ı' | 'į' => 'i',
            'ł' | 'ľ' => 'l',
            'ñ' | 'ń' | 'ň' => 'n',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' | 'ő' => 'o',
            'ř' => 'r',
            'ś' | 'š' | 'ş' | 'ș' => 's',
            'ť' | 'ţ' | 'ț' => 't',
            'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
            'ý' | 'ÿ' => 'y',
            'ź' | 'ż' | 'ž' => 'z',
            '’' => '\'',
            other => other,
        };
        out.push(plain);
    }
    out
}

/// A word folded for the word lists: lowercase without diacritics, but "US" (capitals)
/// becomes "u.s." so that the pronoun "us" names no country.
pub(crate) fn norm(word: &str) -> String {
    if word == "US" {
        "u.s.".to_string()
    } else {
        fold(word)
    }
}

/// The matching key of one word of a name.
pub(crate) fn key(word: &str) -> String {
    let mut w: String = fold(word).chars().filter(|c| c.is_alphanumeric()).collect();
    for (from, to) in [
        ("kh", "h"),
        ("tz", "ts"),
        ("ph", "f"),
        ("ck", "k"),
        ("sch", "sh"),
        ("w", "v"),
        ("ye", "e"),
        ("yu", "iu"),
        ("ya", "ia"),
        ("j", "y"),
    ] {
        w = w.replace(from, to);
    }
    for ending in ["iy", "yy", "ii", "yi", "ij"] {
        if w.len() > 3 && w.ends_with(ending) {
            w.truncate(w.len() - 2);
            w.push('y');
            break;
        }
    }
    let mut out = String::with_capacity(w.len());
    for c in w.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Levenshtein distance between two strings, by characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(up + 1)
                .min(row[j] + 1);
            diagonal = up;
        }
    }
    row[b.len()]
}

/// Whether two keys name the same word: equal, or within a small edit distance.
pub(crate) fn close(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let shortest = a.chars().count().min(b.chars().count());
    let allowed = match shortest {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    };
    allowed > 0 && edit_distance(a, b) <= allowed
}

/// How a name was matched to a delegate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Match {
    /// The full name as the case writes it (case and diacritics aside).
    Exact,
    /// The full name in another spelling or transliteration.
    Variant,
    /// The surname alone (or with an initial), unique among the delegates.
    Surname,
    /// Not a delegate of the case: a new person.
    New,
}

/// A delegate of the case, ready for matching.
pub(crate) struct KnownPerson {
    pub(crate) name: String,
    pub(crate) title: String,
    pub(crate) party: usize,
    /// Keys of the name's words.
    pub(crate) keys: Vec<String>,
    /// Plain folded words, for telling an exact match from a variant.
    pub(crate) plain: Vec<String>,
}

/// What the case tells the reader: its delegates, and its parties as places in the
/// country list.
pub(crate) struct Gazetteer {
    pub(crate) delegates: Vec<KnownPerson>,
    /// Party ids, names and roles.
    pub(crate) parties: Vec<(String, String, Role)>,
}

fn words_of(name: &str) -> Vec<&str> {
    name.split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect()
}

impl Gazetteer {
    /// The gazetteer of `case`.
    pub(crate) fn new(case: &Case) -> Self {
        let mut delegates = Vec::new();
        for (party, p) in case.parties().iter().enumerate() {
            for d in &p.delegates {
                let words = words_of(&d.name);
                delegates.push(KnownPerson {
                    name: d.name.clone(),
                    title: d.title.clone(),
                    party,
                    keys: words.iter().map(|w| key(w)).collect(),
                    plain: words.iter().map(|w| fold(w)).collect(),
                });
            }
        }
        let parties = case
            .parties()
            .iter()
            .map(|p| (p.id.clone(), p.name.clone(), p.role))
            .collect();
        Self { delegates, parties }
    }

    /// The delegate a name (its words, titles stripped) matches, and how.
    pub(crate) fn delegate(&self, words: &[&str]) -> Option<(usize, Match)> {
        if words.is_empty() {
            return None;
        }
        let keys: Vec<String> = words.iter().map(|w| key(w)).collect();
        let plain: Vec<String> = words.iter().map(|w| fold(w)).collect();
        let surname = keys.last()?;
        let mut best: Option<(usize, Match)> = None;
        let mut surname_hits = Vec::new();
        for (i, d) in self.delegates.iter().enumerate() {
            let Some(d_surname) = d.keys.last() else {
                continue;
            };
            if !close(surname, d_surname) {
                continue;
            }
            if keys.len() >= 2 && d.keys.len() >= 2 {
                let first = &keys[0];
                let d_first = &d.keys[0];
                let initial = words[0].trim_end_matches('.').chars().count() == 1
                    && first.chars().next() == d_first.chars().next();
                if plain == d.plain {
                    return Some((i, Match::Exact));
                }
                let short = first.len().min(d_first.len()) >= 3
                    && (first.starts_with(d_first.as_str()) || d_first.starts_with(first.as_str()));
                if close(first, d_first) || initial || short {
                    best = Some((
                        i,
                        if initial {
                            Match::Surname
                        } else {
                            Match::Variant
                        },
                    ));
                }
            } else if keys.len() == 1 {
                surname_hits.push(i);
            }
        }
        if best.is_some() {
            return best;
        }
        // A surname alone names a delegate only when no other delegate shares it.
        match surname_hits.as_slice() {
            [one] => Some((*one, Match::Surname)),
            _ => None,
        }
    }

    /// The party a place, demonym or organisation word (lowercase, possibly several words)
    /// belongs to: the case party of that name, or the case's "European" party for a
    /// European country. Returns the party index and the country's name.
    pub(crate) fn party_of_words(&self, phrase: &str) -> Option<(Option<usize>, &'static str)> {
        let phrase = fold(phrase);
        let country = COUNTRIES
            .iter()
            .find(|c| c.words.contains(&phrase.as_str()) || fold(c.name) == phrase)?;
        Some((
            self.party_of_country(country.name, country.european),
            country.name,
        ))
    }

    /// The case party standing for a country.
    pub(crate) fn party_of_country(&self, name: &str, european: bool) -> Option<usize> {
        let name = fold(name);
        let country = COUNTRIES.iter().find(|c| fold(c.name) == name);
        let by_name = self.parties.iter().position(|(id, party_name, _)| {
            let party_name = fold(party_name);
            party_name == name
                || fold(id) == name
                || country.is_some_and(|c| c.words.contains(&party_name.as_str()))
        });
        if by_name.is_some() {
            return by_name;
        }
        if european {
            return self.parties.iter().position(|(_, party_name, _)| {
                fold(party_name)
                    .split_whitespace()
                    .any(|w| w.starts_with("europ"))
            });
        }
        None
    }

    /// The case party whose name (or id) is `phrase`.
    pub(crate) fn party_named(&self, phrase: &str) -> Option<usize> {
        let phrase = fold(phrase);
        let phrase = phrase.strip_prefix("the ").unwrap_or(&phrase);
        self.parties
            .iter()
            .position(|(id, name, _)| fold(name) == phrase || fold(id) == phrase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterations_share_a_key() {
        for (a, b) in [
            ("Zelenskyy", "Zelensky"),
            ("Zelenskiy", "Zelensky"),
            ("Umyerov", "Umerov"),
            ("Dmitriyev", "Dmitriev"),
            ("Andrii", "Andriy"),
            ("Witkoff", "Witkof"),
            ("Khodorkovsky", "Hodorkovsky"),
        ] {
            assert_eq!(key(a), key(b), "{a} {b}");
        }
        assert!(close(&key("Hnatov"), &key("Gnatov")));
        assert!(!close(&key("Peskov"), &key("Ushakov")));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
