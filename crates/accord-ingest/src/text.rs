//! The tokenizer and the sentence splitter.
//!
//! [`tokenize`] cuts a text into words (with dotted abbreviations such as "U.S." kept
//! whole, and a possessive "'s" as its own token), numbers (with internal `:` `.` `,` `-`,
//! as in "10:30" or "2025-11-30", and a suffix as in "30th"), quotation marks and other
//! punctuation, each with its byte span. [`sentences`] groups the tokens into sentences:
//! a sentence ends at `.`, `!` or `?` (with any closing quotes and brackets after it)
//! unless the period closes an abbreviation ("Mr.", "Gen.", "Nov.") or an initial, at a
//! blank line, and at a line break after a short line (a heading or a bullet).

use crate::lexicon::{ABBREVIATIONS, SENTENCE_OPENERS};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters, possibly with inner apostrophes, hyphens or dots.
    Word,
    /// Digits, possibly with inner separators and a letter suffix.
    Number,
    /// A possessive `'s` or `’s`.
    Possessive,
    /// A quotation mark: `"`, `“`, `”`, `«`, `»`, or a single quote not inside a word.
    Quote,
    /// Any other character that is not a space.
    Punct,
}

/// One token and its byte span in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
}

impl Token {
    /// The token's text.
    pub(crate) fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The tokens of `text`.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(o, _)| o);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            i += 1;
            while let Some(c) = at(i) {
                if c.is_ascii_digit() || c.is_alphabetic() {
                    i += 1;
                } else if matches!(c, ':' | '.' | ',' | '-' | '/')
                    && at(i + 1).is_some_and(|n| n.is_ascii_digit())
                {
                    i += 2;
                } else {
                    break;
                }
            }
            tokens.push(Token {
                start: offset(start),
                end: offset(i),
                kind: Kind::Number,
            });
            continue;
        }
        if c.is_alphabetic() {
            // A dotted abbreviation: single letters each followed by a period ("U.S.").
            let mut j = i;
            let mut letters = 0;
            while at(j).is_some_and(char::is_alphabetic) && at(j + 1) == Some('.') {
                j += 2;
                letters += 1;
            }
            if letters >= 2 && !at(j).is_some_and(char::is_alphabetic) {
                i = j;
                tokens.push(Token {
                    start: offset(start),
                    end: offset(i),
                    kind: Kind::Word,
                });
                continue;
            }
            i += 1;
            while let Some(c) = at(i) {
                if is_word_char(c) {
                    i += 1;
                } else if is_apostrophe(c)
                    && at(i + 1).is_some_and(|n| n == 's' || n == 'S')
                    && !at(i + 2).is_some_and(is_word_char)
                {
                    break;
                } else if (is_apostrophe(c) || c == '-' || c == '‐')
                    && at(i + 1).is_some_and(char::is_alphabetic)
                {
                    i += 2;
                } else {
                    break;
                }
            }
            tokens.push(Token {
                start: offset(start),
                end: offset(i),
                kind: Kind::Word,
            });
            if at(i).is_some_and(is_apostrophe)
                && at(i + 1).is_some_and(|n| n == 's' || n == 'S')
                && !at(i + 2).is_some_and(is_word_char)
            {
                tokens.push(Token {
                    start: offset(i),
                    end: offset(i + 2),
                    kind: Kind::Possessive,
                });
                i += 2;
            }
            continue;
        }
        let kind = if matches!(c, '"' | '“' | '”' | '«' | '»' | '„') {
            Kind::Quote
        } else if matches!(c, '\'' | '‘' | '’') {
            let before_word = i > 0 && at(i - 1).is_some_and(is_word_char);
            let after_word = at(i + 1).is_some_and(is_word_char);
            // An apostrophe inside a word never reaches here; a single quote counts when
            // it stands at a word's edge.
            if before_word && after_word {
                Kind::Punct
            } else {
                Kind::Quote
            }
        } else {
            Kind::Punct
        };
        i += 1;
        tokens.push(Token {
            start: offset(start),
            end: offset(i),
            kind,
        });
    }
    tokens
}

/// A sentence: its byte span, its tokens and its paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Index of the first token.
    pub(crate) first: usize,
    /// Index one past the last token.
    pub(crate) last: usize,
    /// Index of the paragraph (blank-line separated block).
    pub(crate) paragraph: usize,
}

fn is_closer(token: &Token, text: &str) -> bool {
    match token.kind {
        Kind::Quote => matches!(token.text(text), "\"" | "”" | "»" | "'" | "’"),
        Kind::Punct => matches!(token.text(text), ")" | "]"),
        _ => false,
    }
}

/// Whether the period token at `i` closes an abbreviation or an initial.
fn abbreviation_period(tokens: &[Token], i: usize, text: &str) -> bool {
    let Some(prev) = i.checked_sub(1).map(|p| tokens[p]) else {
        return false;
    };
    if prev.end != tokens[i].start || prev.kind != Kind::Word {
        return false;
    }
    let word = prev.text(text);
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

/// Whether the next token starts a sentence (capital, digit, quote, bracket or bullet).
fn starts_sentence(token: Option<&Token>, text: &str) -> bool {
    token.is_none_or(|t| {
        let first = t.text(text).chars().next().unwrap_or(' ');
        !first.is_lowercase()
    })
}

/// The text between two byte offsets.
fn gap(text: &str, from: usize, to: usize) -> &str {
    text.get(from..to).unwrap_or("")
}

/// The sentences of `text`, given its tokens.
pub(crate) fn sentences(text: &str, tokens: &[Token]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut first = 0;
    let mut paragraph = 0;
    let mut next_paragraph = 0;
    let mut line_start = 0;
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let mut end_here = false;
        let mut cut = i + 1;
        let word = token.text(text);
        if token.kind == Kind::Punct && matches!(word, "." | "!" | "?" | "…") {
            if word != "." || !abbreviation_period(tokens, i, text) {
                while cut < tokens.len() && is_closer(&tokens[cut], text) && {
                    // A closing quote belongs to this sentence when no space precedes it.
                    tokens[cut].start == tokens[cut - 1].end
                } {
                    cut += 1;
                }
                end_here = starts_sentence(tokens.get(cut), text);
            }
        } else if token.kind == Kind::Word && word.ends_with('.') {
            // "U.S." at the end of a sentence: only when a usual sentence opener follows.
            end_here = tokens.get(i + 1).is_some_and(|n| {
                let next = n.text(text);
                next.chars().next().is_some_and(char::is_uppercase)
                    && SENTENCE_OPENERS.contains(&next.to_lowercase().as_str())
            });
        }
        if let Some(next) = tokens.get(cut) {
            let between = gap(text, tokens[cut - 1].end, next.start);
            if between.contains('\n') {
                let blank = between.matches('\n').count() >= 2;
                let line_len = tokens[cut - 1].end.saturating_sub(line_start);
                let next_text = next.text(text);
                let bullet = matches!(next_text, "-" | "*" | "•" | "–" | "—" | "·");
                if blank || line_len < 80 || bullet || end_here {
                    end_here = true;
                }
                if blank {
                    next_paragraph = paragraph + 1;
                }
                line_start = next.start;
            }
        }
        if end_here || cut >= tokens.len() {
            let last = cut.min(tokens.len());
            if last > first {
                spans.push(Span {
                    start: tokens[first].start,
                    end: tokens[last - 1].end,
                    first,
                    last,
                    paragraph,
                });
            }
            first = last;
            paragraph = next_paragraph;
        }
        i = cut.max(i + 1);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &[&str]) {
        let tokens = tokenize(text);
        let found: Vec<&str> = sentences(text, &tokens)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(found, expected);
    }

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_sentences() {
        check(
            "Mr. Witkoff met Gen. A. Hnatov on Nov. 30 in the U.S. capital. He left.",
            &[
                "Mr. Witkoff met Gen. A. Hnatov on Nov. 30 in the U.S. capital.",
                "He left.",
            ],
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        check(
            "\"We made progress. We meet again,\" Rubio said. Talks ended.",
            &[
                "\"We made progress.",
                "We meet again,\" Rubio said.",
                "Talks ended.",
            ],
        );
    }

    #[test]
    fn short_lines_and_bullets_are_sentences() {
        check(
            "Meeting note, 23 November 2025\n- Present: A, B\n- Agreed to meet again",
            &[
                "Meeting note, 23 November 2025",
                "- Present: A, B",
                "- Agreed to meet again",
            ],
        );
    }

    #[test]
    fn possessives_dotted_abbreviations_and_numbers() {
        assert_eq!(
            words("Ukraine's U.S. envoy, 10:30, 2025-11-30 'ok'"),
            [
                "Ukraine",
                "'s",
                "U.S.",
                "envoy",
                ",",
                "10:30",
                ",",
                "2025-11-30",
                "'",
                "ok",
                "'"
            ]
        );
    }
}
