//! `accord ingest`: a report of talks (plain text) read against a case into a proposed
//! meeting record, printed for review or as JSON (docs/ingest.md).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use accord_core::Case;
use accord_formats::case_file::{CaseFormat, read_case, utf8_text};
use accord_ingest::{ChannelRef, Date, Options, Proposal, Source, ingest};
use anyhow::{Context, Result, bail};
use clap::Args;

use crate::load::load;

#[derive(Args)]
pub(crate) struct IngestArgs {
    /// The report: a UTF-8 text file (a news report, a readout, a note of a meeting).
    report: PathBuf,
    /// The case whose parties, delegates and points the report is read against: a case
    /// file (.toml or .json) or a domain folder.
    #[arg(long, value_name = "PATH")]
    case: PathBuf,
    /// Print the proposal as one JSON object instead of the readable summary.
    #[arg(long)]
    json: bool,
    /// The date the report was written, for "on Sunday" and "yesterday" and for a
    /// dateline without a year.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    date: Option<Date>,
    /// A channel meetings may belong to, as ID:NAME:PARTY,PARTY (repeatable).
    #[arg(long = "channel", value_name = "ID:NAME:PARTIES", value_parser = parse_channel)]
    channels: Vec<ChannelRef>,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a valid date (YYYY-MM-DD)"))
}

fn parse_channel(text: &str) -> Result<ChannelRef, String> {
    let mut parts = text.splitn(3, ':');
    let (Some(id), Some(name)) = (parts.next(), parts.next()) else {
        return Err(format!("`{text}` is not ID:NAME:PARTY,PARTY"));
    };
    if id.trim().is_empty() || name.trim().is_empty() {
        return Err(format!("`{text}`: a channel needs an id and a name"));
    }
    let parties = parts
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    Ok(ChannelRef {
        id: id.trim().to_string(),
        name: name.trim().to_string(),
        parties,
    })
}

/// The case: a case file read as it is (no party needs a position here), or a folder.
fn read_the_case(path: &Path) -> Result<Case> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Ok(load(path, &[])?.case);
    }
    if !path.exists() {
        bail!("`{shown}` does not exist (a case file, .toml or .json, or a domain folder)");
    }
    let Some(format) = CaseFormat::from_extension(&shown) else {
        bail!("`{shown}` is neither a case file (.toml, .json) nor a folder");
    };
    let text = utf8_text(&shown, fs_err::read(path)?)?;
    Ok(read_case(&shown, &text, format)?)
}

/// Runs `accord ingest`: the text to print.
pub(crate) fn run(args: &IngestArgs) -> Result<String> {
    let case = read_the_case(&args.case)?;
    let shown = args.report.display().to_string();
    let bytes =
        fs_err::read(&args.report).with_context(|| format!("reading the report `{shown}`"))?;
    let text = utf8_text(&shown, bytes)?;
    let options = Options {
        reference_date: args.date,
        channels: args.channels.clone(),
    };
    let proposal = ingest(&text, &case, &options);
    if args.json {
        let mut json = serde_json::to_string_pretty(&proposal)?;
        json.push('\n');
        return Ok(json);
    }
    Ok(render(&proposal, &shown))
}

/// The proposal for a reader: every fact followed by the sentence it cites, and the
/// cited sentences at the end.
fn render(proposal: &Proposal, shown: &str) -> String {
    let mut out = String::new();
    let mut cited = BTreeSet::new();
    let mut cite = |source: &Source| {
        cited.insert(source.sentence);
        format!("[{}]", source.sentence + 1)
    };
    let _ = write!(
        out,
        "Report {shown}: {} sentences",
        proposal.sentences.len()
    );
    if let Some(dateline) = &proposal.dateline {
        let _ = write!(
            out,
            "; dateline {}{} {}",
            dateline.city.as_deref().unwrap_or("(no city)"),
            dateline.date.map(|d| format!(", {d}")).unwrap_or_default(),
            cite(&dateline.source)
        );
    }
    out.push('\n');
    if let Some(anchor) = proposal.anchor_date {
        let _ = writeln!(out, "Relative dates read from {anchor}.");
    }
    if let Some(note) = &proposal.note {
        let _ = writeln!(out, "\n{note}.");
    }
    let n = proposal.meetings.len();
    for (m, meeting) in proposal.meetings.iter().enumerate() {
        let _ = writeln!(out, "\nMeeting {} of {n}", m + 1);
        match &meeting.date {
            Some(d) => {
                let how = serde_json::to_value(d.how).ok();
                let how = how.as_ref().and_then(|h| h.as_str()).unwrap_or("");
                let _ = writeln!(out, "  date      {} ({how}) {}", d.date, cite(&d.source));
            }
            None => {
                let _ = writeln!(
                    out,
                    "  date      not found (give --date for relative dates)"
                );
            }
        }
        if let Some(t) = &meeting.time {
            let _ = writeln!(out, "  time      {} {}", t.time, cite(&t.source));
        }
        match &meeting.place {
            Some(p) => {
                let place = match (&p.venue, &p.city) {
                    (Some(v), Some(c)) => format!("{v}, {c}"),
                    (Some(v), None) => v.clone(),
                    (None, Some(c)) => c.clone(),
                    (None, None) => "?".to_string(),
                };
                let from = if matches!(p.how, accord_ingest::PlaceHow::Dateline) {
                    " (dateline)"
                } else {
                    ""
                };
                let _ = writeln!(out, "  place     {place}{from} {}", cite(&p.source));
            }
            None => {
                let _ = writeln!(out, "  place     not found");
            }
        }
        if let Some(c) = &meeting.channel {
            let how = serde_json::to_value(c.how).ok();
            let how = how.as_ref().and_then(|h| h.as_str()).unwrap_or("");
            let at = c
                .source
                .as_ref()
                .map(|s| format!(" {}", cite(s)))
                .unwrap_or_default();
            let _ = writeln!(out, "  channel   {} `{}` (by {how}){at}", c.name, c.id);
        }
        if !meeting.people.is_empty() {
            let _ = writeln!(out, "  people");
        }
        for a in &meeting.people {
            let person = &proposal.people[a.person];
            let party = a
                .party
                .as_deref()
                .map_or_else(|| "no party".to_string(), |p| format!("`{p}`"));
            let status = if a.new {
                "new".to_string()
            } else {
                let how = serde_json::to_value(person.how).ok();
                let how = how
                    .as_ref()
                    .and_then(|h| h.as_str())
                    .unwrap_or("")
                    .to_string();
                format!(
                    "delegate {} ({how})",
                    person.delegate.as_deref().unwrap_or("")
                )
            };
            let mut detail = Vec::new();
            if let Some(t) = &person.title {
                detail.push(t.clone());
            }
            if let Some(aff) = &person.affiliation {
                detail.push(aff.clone());
            }
            let detail = if detail.is_empty() {
                String::new()
            } else {
                format!("; {}", detail.join(", "))
            };
            let _ = writeln!(
                out,
                "    {} — {party}, {status}{detail} {}",
                a.name,
                cite(&a.source)
            );
        }
        if !meeting.roles.is_empty() {
            let _ = writeln!(out, "  roles");
        }
        for r in &meeting.roles {
            let role = serde_json::to_value(r.role).ok();
            let role = role.as_ref().and_then(|h| h.as_str()).unwrap_or("");
            let party = r
                .party
                .as_deref()
                .map(|p| format!(" (`{p}`)"))
                .unwrap_or_default();
            let _ = writeln!(out, "    {role}: {}{party} {}", r.who, cite(&r.source));
        }
        if !meeting.statements.is_empty() {
            let _ = writeln!(out, "  statements");
        }
        for s in &meeting.statements {
            statement_line(&mut out, s, &mut cite);
        }
        if !meeting.points.is_empty() {
            let _ = writeln!(out, "  points");
        }
        for p in &meeting.points {
            let how = serde_json::to_value(p.how).ok();
            let how = how.as_ref().and_then(|h| h.as_str()).unwrap_or("");
            let _ = writeln!(
                out,
                "    `{}` {} (by {how}) {}",
                p.point,
                p.title,
                cite(&p.source)
            );
        }
    }
    if !proposal.other_statements.is_empty() {
        let _ = writeln!(out, "\nStatements outside any meeting");
        for s in &proposal.other_statements {
            statement_line(&mut out, s, &mut cite);
        }
    }
    if !cited.is_empty() {
        let _ = writeln!(out, "\nSentences cited");
    }
    for s in cited {
        if let Some(sentence) = proposal.sentences.get(s) {
            let text: String = sentence
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let _ = writeln!(out, "  [{}] {text}", s + 1);
        }
    }
    out
}

fn statement_line(
    out: &mut String,
    s: &accord_ingest::Statement,
    cite: &mut impl FnMut(&Source) -> String,
) {
    let kind = serde_json::to_value(s.kind).ok();
    let kind = kind.as_ref().and_then(|h| h.as_str()).unwrap_or("");
    let party = s
        .party
        .as_deref()
        .map(|p| format!(" (`{p}`)"))
        .unwrap_or_default();
    let text: String = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = writeln!(
        out,
        "    {}{party}, {kind}: {text} {}",
        s.speaker_name,
        cite(&s.source)
    );
}
