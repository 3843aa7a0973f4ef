//! Any text at all reads without a panic, and every source a proposal cites is a sentence
//! it lists and a span of the text (on character boundaries).

use accord_core::Case;
use accord_ingest::{ChannelRef, Date, Options, Proposal, Source, ingest};
use proptest::prelude::*;

fn case() -> Case {
    let text = include_str!("corpus/case.toml");
    accord_formats::case_file::read_case(
        "case.toml",
        text,
        accord_formats::case_file::CaseFormat::Toml,
    )
    .unwrap()
}

fn check_source(text: &str, proposal: &Proposal, source: &Source) {
    assert!(source.sentence < proposal.sentences.len(), "{source:?}");
    assert!(source.start <= source.end, "{source:?}");
    assert!(text.get(source.start..source.end).is_some(), "{source:?}");
}

fn check(text: &str, case: &Case, options: &Options) {
    let proposal = ingest(text, case, options);
    for (i, s) in proposal.sentences.iter().enumerate() {
        assert_eq!(s.index, i);
        assert_eq!(text.get(s.start..s.end), Some(s.text.as_str()));
    }
    if let Some(d) = &proposal.dateline {
        check_source(text, &proposal, &d.source);
    }
    for p in &proposal.people {
        check_source(text, &proposal, &p.source);
        for m in &p.mentions {
            check_source(text, &proposal, m);
        }
    }
    let statements = proposal
        .meetings
        .iter()
        .flat_map(|m| &m.statements)
        .chain(&proposal.other_statements);
    for s in statements {
        check_source(text, &proposal, &s.source);
        check_source(text, &proposal, &s.attribution);
        assert!(s.speaker.is_none_or(|p| p < proposal.people.len()));
    }
    for m in &proposal.meetings {
        assert!(m.sentences.iter().all(|&s| s < proposal.sentences.len()));
        if let Some(d) = &m.date {
            check_source(text, &proposal, &d.source);
        }
        if let Some(t) = &m.time {
            check_source(text, &proposal, &t.source);
        }
        if let Some(p) = &m.place {
            check_source(text, &proposal, &p.source);
        }
        if let Some(source) = m.channel.as_ref().and_then(|c| c.source.as_ref()) {
            check_source(text, &proposal, source);
        }
        for a in &m.people {
            assert!(a.person < proposal.people.len());
            check_source(text, &proposal, &a.source);
        }
        for r in &m.roles {
            assert!(r.person.is_none_or(|p| p < proposal.people.len()));
            check_source(text, &proposal, &r.source);
        }
        for p in &m.points {
            check_source(text, &proposal, &p.source);
        }
    }
    assert_eq!(proposal.meetings.is_empty(), proposal.note.is_some());
}

/// Words that reach the rules: names, titles, dates, quotes, dashes, abbreviations.
const WORDS: &[&str] = &[
    "Umerov",
    "Umyerov",
    "Rustem",
    "Witkoff",
    "Zelenskyy",
    "Dmitriev",
    "said",
    "told",
    "according",
    "to",
    "met",
    "talks",
    "in",
    "at",
    "Geneva",
    "Abu",
    "Dhabi",
    "on",
    "Sunday",
    "last",
    "next",
    "Nov",
    "Nov.",
    "30",
    "2025",
    "November",
    "10:30",
    "3",
    "p.m.",
    "U.S.",
    "US",
    "us",
    "Mr.",
    "Gen.",
    "A.",
    "\"",
    "'",
    "“",
    "”",
    "‘",
    "’",
    "—",
    "-",
    ",",
    ".",
    ":",
    ";",
    "?",
    "\n",
    "\n\n",
    "- ",
    "* ",
    "hosted",
    "by",
    "mediated",
    "Turkey",
    "Saudi",
    "officials",
    "in",
    "attendance",
    "point",
    "7",
    "points",
    "1",
    "through",
    "28",
    "security",
    "guarantees",
    "the",
    "he",
    "she",
    "and",
    "Ukraine's",
    "Russian",
    "spokesman",
    "President",
    "Secretary",
    "of",
    "State",
    "KYIV,",
    "(Reuters)",
    "will",
    "al-Ansari",
    "bin",
    "é",
    "ü",
    "Ж",
    "🙂",
    "  ",
];

fn text_from(indices: &[usize]) -> String {
    let mut text = String::new();
    for &i in indices {
        text.push_str(WORDS[i % WORDS.len()]);
        if i % 3 != 0 {
            text.push(' ');
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>(), day in 1u8..=28) {
        let case = case();
        let options = Options { reference_date: Date::new(2025, 11, day), ..Options::default() };
        check(&text, &case, &options);
        check(&text, &case, &Options::default());
    }

    #[test]
    fn report_like_texts_never_panic(indices in prop::collection::vec(0usize..1000, 0..120)) {
        let case = case();
        let options = Options {
            reference_date: Date::new(2025, 11, 30),
            channels: vec![ChannelRef {
                id: "c".into(),
                name: "Geneva track".into(),
                parties: vec!["ukraine".into(), "united-states".into()],
            }],
        };
        check(&text_from(&indices), &case, &options);
    }
}

#[test]
fn edge_texts_never_panic() {
    let case = case();
    for text in [
        "",
        " ",
        "\n\n\n",
        "\"",
        "\"\"",
        "'",
        "“",
        "—",
        "U.S.",
        "Mr.",
        "KYIV, Nov 30 -",
        "GENEVA —",
        "Umerov:",
        "said",
        "\"a b c d,\" said",
        "points 28 through 1",
        "point 0 point 29 point 99999999999999999999",
        "on Sunday",
        "9999-99-99",
        "31 February 2025",
        "at 25:99",
        "- Umerov: \"",
        "He said.",
        "according to",
    ] {
        check(text, &case, &Options::default());
        check(
            text,
            &case,
            &Options {
                reference_date: Date::new(2025, 1, 1),
                ..Options::default()
            },
        );
    }
}
