//! The answer: a [`Proposal`] of meeting records, every fact citing the sentence it came
//! from. These types are serialised as the JSON of `accord ingest --json`.

use serde::Serialize;

use crate::dates::{Date, DateHow};
use crate::names::Match;

/// Where a fact comes from: a sentence and a byte span of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Index into [`Proposal::sentences`].
    pub sentence: usize,
    /// Byte offset where the evidence starts in the text.
    pub start: usize,
    /// Byte offset where the evidence ends (exclusive).
    pub end: usize,
}

/// One sentence of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sentence {
    /// Its position, from 0; what [`Source::sentence`] refers to.
    pub index: usize,
    /// Byte offset of its start in the text.
    pub start: usize,
    /// Byte offset of its end (exclusive).
    pub end: usize,
    /// Its text.
    pub text: String,
}

/// The dateline that opens a wire report ("KYIV, Nov 30 (Reuters) -").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dateline {
    /// The city it names, as written.
    pub city: Option<String>,
    /// The date it gives, when a full date could be formed.
    pub date: Option<Date>,
    /// The dateline itself.
    pub source: Source,
}

/// A person the report names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// The name, in its fullest form in the report.
    pub name: String,
    /// The title found with a mention ("special envoy", "Chief of General Staff").
    pub title: Option<String>,
    /// The country or organisation the report ties the person to ("Turkey", "Ukraine").
    pub affiliation: Option<String>,
    /// The case delegate this person is, by the name the case gives.
    pub delegate: Option<String>,
    /// The case party (its id) the person belongs to: the delegate's party, else the one
    /// the affiliation names.
    pub party: Option<String>,
    /// Whether the person is not yet a delegate of the case.
    pub new: bool,
    /// How the name matched a delegate (`new` when it did not).
    pub how: Match,
    /// The first mention.
    pub source: Source,
    /// Every mention, in text order (surnames and full names; pronouns not included).
    pub mentions: Vec<Source>,
}

/// A proposed date of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateFact {
    /// The date.
    pub date: Date,
    /// How it was read.
    pub how: DateHow,
    /// The expression it was read from (the dateline, or the reference date: the first
    /// sentence of the meeting).
    pub source: Source,
}

/// A proposed time of day of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeFact {
    /// `HH:MM`, 24-hour clock.
    pub time: String,
    /// The expression it was read from.
    pub source: Source,
}

/// A proposed place of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The city (or country), as written.
    pub city: Option<String>,
    /// A venue within it ("the US mission"), as written.
    pub venue: Option<String>,
    /// `text` when read from a sentence, `dateline` when from the dateline's city.
    pub how: PlaceHow,
    /// Where it was read.
    pub source: Source,
}

/// How a place was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlaceHow {
    /// From a sentence ("in Geneva", "at the US mission in Geneva").
    Text,
    /// The dateline's city, no place being given in the text.
    Dateline,
}

/// A person taking part in a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendee {
    /// Index into [`Proposal::people`].
    pub person: usize,
    /// The person's name (as in [`Person::name`]).
    pub name: String,
    /// The person's party id, if known.
    pub party: Option<String>,
    /// Whether the person is not yet a delegate of the case.
    pub new: bool,
    /// The first mention within the meeting's sentences.
    pub source: Source,
}

/// A role someone plays in a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleKind {
    /// Mediates or facilitates the talks.
    Mediator,
    /// Hosts them.
    Host,
    /// Takes part without being one of the sides, a mediator or host.
    ThirdParty,
    /// Attends as an observer.
    Observer,
}

/// A role in a meeting and who plays it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleFact {
    /// The role.
    pub role: RoleKind,
    /// Who plays it, as written (a country, organisation or person).
    pub who: String,
    /// The case party (id) it is, if any.
    pub party: Option<String>,
    /// The person it is, as an index into [`Proposal::people`], if a person.
    pub person: Option<usize>,
    /// Where it was read.
    pub source: Source,
}

/// Whether a statement is quoted or reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatementKind {
    /// Direct speech in quotation marks.
    Quoted,
    /// Indirect speech ("said that ...", "according to ...").
    Reported,
}

/// Something a speaker said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The speaker, as an index into [`Proposal::people`], when a person.
    pub speaker: Option<usize>,
    /// The speaker as named ("Umerov", "the Kremlin"); with a pronoun, the person's name.
    pub speaker_name: String,
    /// The speaker's party id, if known.
    pub party: Option<String>,
    /// Quoted or reported.
    pub kind: StatementKind,
    /// What was said: the words inside the quotation marks, or the reported clause.
    pub text: String,
    /// The statement: the sentence where it starts, and the span of the words.
    pub source: Source,
    /// The attribution ("Rubio said"): its sentence and span.
    pub attribution: Source,
}

/// How a point of the draft was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PointHow {
    /// By its number ("point 7").
    Number,
    /// By its title.
    Title,
    /// By enough words of its title or id.
    Keyword,
}

/// A point of the draft a meeting touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointRef {
    /// The point's id in the case.
    pub point: String,
    /// The point's title in the case.
    pub title: String,
    /// How it was recognised.
    pub how: PointHow,
    /// Where.
    pub source: Source,
}

/// How a channel was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelHow {
    /// The report names the channel.
    Name,
    /// The channel's parties are exactly the parties present.
    Parties,
    /// The channel's parties overlap most with the parties present.
    Overlap,
}

/// The channel a meeting belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelMatch {
    /// The channel's id (as given in the options).
    pub id: String,
    /// Its name.
    pub name: String,
    /// How it was matched.
    pub how: ChannelHow,
    /// Where its name was read, when matched by name.
    pub source: Option<Source>,
}

/// A proposed meeting record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meeting {
    /// The sentences that describe it, by index.
    pub sentences: Vec<usize>,
    /// Its date, when one was found.
    pub date: Option<DateFact>,
    /// Its time of day, when said.
    pub time: Option<TimeFact>,
    /// Its place, when said.
    pub place: Option<Place>,
    /// The channel among the caller's, when one fits.
    pub channel: Option<ChannelMatch>,
    /// The people named in its sentences.
    pub people: Vec<Attendee>,
    /// Mediators, hosts, third parties and observers.
    pub roles: Vec<RoleFact>,
    /// What was said about it.
    pub statements: Vec<Statement>,
    /// The points of the draft it touched.
    pub points: Vec<PointRef>,
}

/// What a report proposes for the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// The report's sentences, which every [`Source`] cites.
    pub sentences: Vec<Sentence>,
    /// The dateline, when the report opens with one.
    pub dateline: Option<Dateline>,
    /// The date relative expressions were resolved against: the dateline's, else the
    /// reference date, else the first full date in the text.
    pub anchor_date: Option<Date>,
    /// Every person the report names.
    pub people: Vec<Person>,
    /// The meetings the report describes, in text order; empty when it describes none.
    pub meetings: Vec<Meeting>,
    /// Statements outside any meeting (all of them when there is no meeting).
    pub other_statements: Vec<Statement>,
    /// A remark for the reviewer, e.g. that no meeting was found.
    pub note: Option<String>,
}
