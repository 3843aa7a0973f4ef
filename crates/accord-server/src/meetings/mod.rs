//! Routes: channels of talks, their meetings and statements, and the audit log.
//!
//! A party member sees the channels its party takes part in and their meetings; an
//! observer sees every channel's name but a meeting only once the mediator publishes it;
//! a statement the mediator marks confidential is read by the mediator alone. Only the
//! mediator writes here, and only the mediator reads the audit log.
//!
//! Every write is a plain function (`create_channel`, `update_meeting`,
//! `remove_statement`, ...) that checks the viewer, the fields and the record, and commits
//! the change with its audit record; the API's handlers and the record pages
//! (`ui::record`) both call them. An edit's audit record holds every field it changed,
//! with its value before and after, so the record's history is never lost.

mod checks;

use std::collections::HashMap;

pub(crate) use checks::{
    channel_of, check_channel_parties, check_date, check_length, check_participants, check_party,
    check_tabled, check_text, checked_time,
};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use accord_store::{AuditRecord, ChannelRow, MeetingRow, StatementRow, new_id};

use crate::AppState;
use crate::access::Standing;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Body;
use crate::model::parse_json;

/// The longest channel name, place, party name in a meeting, title, or speaker, in
/// characters.
pub(crate) const NAME_MAX: usize = 200;
/// The longest channel description, in characters.
pub(crate) const DESCRIPTION_MAX: usize = 10_000;
/// The longest meeting summary or outcome, in characters.
pub(crate) const SUMMARY_MAX: usize = 100_000;
/// The longest quote of a statement, in characters.
pub(crate) const QUOTE_MAX: usize = 20_000;
/// The most participants, or tabled drafts, a meeting lists.
pub(crate) const LIST_MAX: usize = 1000;
/// The default and largest number of audit records in one answer.
const AUDIT_DEFAULT: i64 = 200;
const AUDIT_MAX: i64 = 1000;

// ---------------------------------------------------------------------------------------
// Wire types.

/// Whether the mediator holds a channel's talks or only hears of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ChannelKind {
    /// The mediator's own channel: the mediator takes part.
    #[default]
    Mediated,
    /// Talks between parties that the mediator only hears of.
    Reported,
}

impl ChannelKind {
    /// The kind as stored and sent.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Mediated => "mediated",
            Self::Reported => "reported",
        }
    }

    /// The kind of a stored or sent word.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "mediated" => Some(Self::Mediated),
            "reported" => Some(Self::Reported),
            _ => None,
        }
    }
}

/// A channel of talks.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ChannelView {
    /// Random id.
    pub(crate) id: String,
    /// Its name, e.g. "Istanbul track".
    pub(crate) name: String,
    /// Free text.
    pub(crate) description: String,
    /// The ids of the parties taking part.
    pub(crate) parties: Vec<String>,
    /// The mediator's own channel, or talks it only hears of.
    pub(crate) kind: ChannelKind,
    /// When it was created (milliseconds).
    pub(crate) created_ms: i64,
}

/// A new channel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewChannel {
    /// 1 to 200 characters.
    pub(crate) name: String,
    /// Free text.
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// The ids of the parties taking part, each a party of the case.
    pub(crate) parties: Vec<String>,
    /// `mediated` (the default) or `reported`.
    #[serde(default)]
    pub(crate) kind: Option<ChannelKind>,
}

/// A change to a channel: the fields given replace the channel's.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChannelChange {
    /// 1 to 200 characters.
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// Free text.
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// The ids of the parties taking part, each a party of the case. A party taken out
    /// no longer sees the channel's meetings.
    #[serde(default)]
    pub(crate) parties: Option<Vec<String>>,
    /// `mediated` or `reported`.
    #[serde(default)]
    pub(crate) kind: Option<ChannelKind>,
}

/// Someone who took part in a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Participant {
    /// The party they spoke for.
    pub(crate) party: String,
    /// Their name.
    pub(crate) name: String,
    /// Their title, e.g. "chief negotiator"; may be empty.
    #[serde(default)]
    pub(crate) title: String,
}

/// A meeting, without its statements.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct MeetingView {
    /// Random id.
    pub(crate) id: String,
    /// The channel it belongs to.
    pub(crate) channel: String,
    /// The channel's name.
    pub(crate) channel_name: String,
    /// `YYYY-MM-DD`.
    pub(crate) date: String,
    /// `HH:MM` (the local time of the place), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) time: Option<String>,
    /// Where it was held; may be empty.
    #[serde(default)]
    pub(crate) place: String,
    /// What happened.
    pub(crate) summary: String,
    /// What came of it; may be empty.
    #[serde(default)]
    pub(crate) outcome: String,
    /// Who took part.
    pub(crate) participants: Vec<Participant>,
    /// The draft versions tabled at it.
    pub(crate) tabled: Vec<i64>,
    /// When the mediator published it to observers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) published_ms: Option<i64>,
    /// When it was logged (milliseconds).
    pub(crate) created_ms: i64,
}

/// A meeting with its statements.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct MeetingDetail {
    /// The meeting.
    #[serde(flatten)]
    pub(crate) meeting: MeetingView,
    /// What was said, in order: the statements the viewer may read.
    pub(crate) statements: Vec<StatementView>,
}

/// A new meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewMeeting {
    /// The channel's id.
    pub(crate) channel: String,
    /// `YYYY-MM-DD`, a real date.
    pub(crate) date: String,
    /// `HH:MM` (00:00 to 23:59), or empty.
    #[serde(default)]
    pub(crate) time: Option<String>,
    /// Where it was held: at most 200 characters.
    #[serde(default)]
    pub(crate) place: String,
    /// What happened.
    #[serde(default)]
    pub(crate) summary: String,
    /// What came of it.
    #[serde(default)]
    pub(crate) outcome: String,
    /// Who took part; each party a party of the case.
    #[serde(default)]
    pub(crate) participants: Vec<Participant>,
    /// The draft versions tabled at it (this records them; tabling a draft for responses
    /// is done on the draft).
    #[serde(default)]
    pub(crate) tabled: Vec<i64>,
}

/// A change to a meeting: the fields given replace the meeting's.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MeetingChange {
    /// Another channel's id: the meeting moves there.
    #[serde(default)]
    pub(crate) channel: Option<String>,
    /// `YYYY-MM-DD`, a real date.
    #[serde(default)]
    pub(crate) date: Option<String>,
    /// `HH:MM`; empty clears it.
    #[serde(default)]
    pub(crate) time: Option<String>,
    /// Where it was held.
    #[serde(default)]
    pub(crate) place: Option<String>,
    /// What happened.
    #[serde(default)]
    pub(crate) summary: Option<String>,
    /// What came of it.
    #[serde(default)]
    pub(crate) outcome: Option<String>,
    /// Who took part (the whole list).
    #[serde(default)]
    pub(crate) participants: Option<Vec<Participant>>,
    /// The draft versions tabled at it (the whole list).
    #[serde(default)]
    pub(crate) tabled: Option<Vec<i64>>,
}

/// A statement made at a meeting.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct StatementView {
    /// 1, 2, ... within its meeting (a removed statement's number is not given again).
    /// Anyone but the mediator sees the statements it may read numbered 1, 2, ...
    pub(crate) seq: i64,
    /// Who spoke.
    pub(crate) speaker: String,
    /// The party the speaker spoke for, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) party: Option<String>,
    /// When it was said: `YYYY-MM-DD`.
    pub(crate) date: String,
    /// `HH:MM`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) time: Option<String>,
    /// What they said.
    pub(crate) quote: String,
    /// Whether only the mediator may read it (always false for anyone else, who never
    /// receives a confidential statement).
    pub(crate) confidential: bool,
    /// When it was logged (milliseconds).
    pub(crate) created_ms: i64,
}

/// A new statement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewStatement {
    /// Who spoke: 1 to 200 characters.
    pub(crate) speaker: String,
    /// What they said: 1 to 20000 characters.
    pub(crate) quote: String,
    /// The party the speaker spoke for: a party of the case, or empty for none.
    #[serde(default)]
    pub(crate) party: Option<String>,
    /// When it was said, `YYYY-MM-DD`; the meeting's date when absent.
    #[serde(default)]
    pub(crate) date: Option<String>,
    /// `HH:MM`, or empty.
    #[serde(default)]
    pub(crate) time: Option<String>,
    /// Whether only the mediator may read it (default false: whoever may read the
    /// meeting reads it).
    #[serde(default)]
    pub(crate) confidential: bool,
}

/// A change to a statement: the fields given replace the statement's.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatementChange {
    /// Who spoke: 1 to 200 characters.
    #[serde(default)]
    pub(crate) speaker: Option<String>,
    /// The party the speaker spoke for; empty clears it.
    #[serde(default)]
    pub(crate) party: Option<String>,
    /// When it was said, `YYYY-MM-DD`.
    #[serde(default)]
    pub(crate) date: Option<String>,
    /// `HH:MM`; empty clears it.
    #[serde(default)]
    pub(crate) time: Option<String>,
    /// What they said: 1 to 20000 characters.
    #[serde(default)]
    pub(crate) quote: Option<String>,
    /// Whether only the mediator may read it.
    #[serde(default)]
    pub(crate) confidential: Option<bool>,
}

/// One record of the audit log.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct AuditView {
    /// Sorts in time order; pass it as `after` for the next page.
    pub(crate) id: String,
    /// When (milliseconds).
    pub(crate) at_ms: i64,
    /// The account that made the change (absent for the server itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) account: Option<String>,
    /// That account's username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) username: Option<String>,
    /// The case changed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) case: Option<String>,
    /// What was done, e.g. `meeting.create`.
    pub(crate) action: String,
    /// What it was done to, e.g. `meeting/ID`.
    pub(crate) subject: String,
    /// Details.
    #[schema(value_type = Object)]
    pub(crate) detail: Value,
}

/// A page of the audit log.
#[derive(Debug, Deserialize)]
struct AuditQuery {
    after: Option<String>,
    limit: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Validation and conversion.

/// A statement's number from its path segment (422 on `statement` unless 1, 2, ...).
pub(crate) fn parse_seq(text: &str) -> ApiResult<i64> {
    match text.parse::<i64>() {
        Ok(seq) if seq >= 1 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(seq),
        _ => Err(ApiError::invalid(
            "statement",
            format!("`{text}` is not a statement number: use 1, 2, ..."),
        )),
    }
}

pub(crate) fn channel_parties(channel: &ChannelRow) -> ApiResult<Vec<String>> {
    parse_json("channel parties", &channel.parties)
}

pub(crate) fn channel_view(channel: &ChannelRow) -> ApiResult<ChannelView> {
    Ok(ChannelView {
        id: channel.channel_id.clone(),
        name: channel.name.clone(),
        description: channel.description.clone(),
        parties: channel_parties(channel)?,
        kind: ChannelKind::parse(&channel.kind).unwrap_or_default(),
        created_ms: channel.created_ms,
    })
}

pub(crate) fn meeting_view(meeting: &MeetingRow, channel_name: &str) -> ApiResult<MeetingView> {
    Ok(MeetingView {
        id: meeting.meeting_id.clone(),
        channel: meeting.channel_id.clone(),
        channel_name: channel_name.to_string(),
        date: meeting.date.clone(),
        time: Some(meeting.time.clone()).filter(|t| !t.is_empty()),
        place: meeting.place.clone(),
        summary: meeting.summary.clone(),
        outcome: meeting.outcome.clone(),
        participants: parse_json("meeting participants", &meeting.participants)?,
        tabled: parse_json("meeting tabled drafts", &meeting.tabled)?,
        published_ms: meeting.published_ms,
        created_ms: meeting.created_ms,
    })
}

pub(crate) fn statement_view(statement: StatementRow) -> StatementView {
    StatementView {
        seq: statement.seq,
        speaker: statement.speaker,
        party: Some(statement.party).filter(|p| !p.is_empty()),
        date: statement.date,
        time: Some(statement.time).filter(|t| !t.is_empty()),
        quote: statement.quote,
        confidential: statement.confidential,
        created_ms: statement.created_ms,
    }
}

/// The fields of a change that differ, as `{"before": {...}, "after": {...}}`: an edit's
/// audit detail, from which every earlier state of the record can be read back.
fn changes(before: &Value, after: &Value) -> Value {
    let (mut was, mut is) = (Map::new(), Map::new());
    if let (Some(before), Some(after)) = (before.as_object(), after.as_object()) {
        for (key, value) in after {
            let old = before.get(key).unwrap_or(&Value::Null);
            if old != value {
                was.insert(key.clone(), old.clone());
                is.insert(key.clone(), value.clone());
            }
        }
    }
    json!({ "before": was, "after": is })
}

/// Whether a change detail holds no change.
fn unchanged(detail: &Value) -> bool {
    detail["after"].as_object().is_none_or(Map::is_empty)
}

fn channel_fields(channel: &ChannelRow) -> ApiResult<Value> {
    Ok(
        json!({ "name": channel.name, "description": channel.description,
               "parties": channel_parties(channel)?, "kind": channel.kind }),
    )
}

fn meeting_fields(meeting: &MeetingRow) -> ApiResult<Value> {
    let participants: Value = parse_json("meeting participants", &meeting.participants)?;
    let tabled: Value = parse_json("meeting tabled drafts", &meeting.tabled)?;
    Ok(
        json!({ "channel": meeting.channel_id, "date": meeting.date, "time": meeting.time,
               "place": meeting.place, "summary": meeting.summary,
               "outcome": meeting.outcome, "participants": participants,
               "tabled": tabled }),
    )
}

fn statement_fields(statement: &StatementRow) -> Value {
    json!({ "speaker": statement.speaker, "party": statement.party, "date": statement.date,
            "time": statement.time, "quote": statement.quote,
            "confidential": statement.confidential })
}

/// The viewer's standing, refusing anyone but the mediator (403; 404 for a case the
/// viewer may not know of).
async fn mediator(state: &AppState, viewer: &Viewer, case_id: &str) -> ApiResult<()> {
    let (_, standing) = viewer.standing(&state.store, case_id).await?;
    standing.require_mediator()
}

/// A meeting of the case, or 404.
async fn stored_meeting(
    state: &AppState,
    case_id: &str,
    meeting_id: &str,
) -> ApiResult<MeetingRow> {
    state
        .store
        .meeting(case_id, meeting_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("meeting `{meeting_id}`")))
}

/// A meeting the viewer may read, with its channel's name; 404 for one that does not
/// exist or that the viewer may not read, alike.
async fn readable_meeting(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    meeting_id: &str,
) -> ApiResult<(Standing, MeetingView)> {
    let (_, standing) = viewer.standing(&state.store, case_id).await?;
    let not_found = || ApiError::not_found(format!("meeting `{meeting_id}`"));
    let meeting = state
        .store
        .meeting(case_id, meeting_id)
        .await?
        .ok_or_else(not_found)?;
    let channel = state.store.channel(case_id, &meeting.channel_id).await?;
    let (name, parties) = match &channel {
        Some(channel) => (channel.name.as_str(), channel_parties(channel)?),
        None => ("", Vec::new()),
    };
    if !standing.may_read_meeting(&meeting, &parties) {
        return Err(not_found());
    }
    Ok((standing, meeting_view(&meeting, name)?))
}

// ---------------------------------------------------------------------------------------
// The writes, shared by the API and the record pages.

/// Opens a channel (mediator only), audited as `channel.create`.
pub(crate) async fn create_channel(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    request: NewChannel,
) -> ApiResult<ChannelView> {
    mediator(state, viewer, case_id).await?;
    check_text("name", &request.name, NAME_MAX)?;
    let description = request.description.unwrap_or_default();
    check_length("description", &description, DESCRIPTION_MAX)?;
    let parties = state.store.parties(case_id).await?;
    check_channel_parties(&request.parties, &parties)?;
    let kind = request.kind.unwrap_or_default();
    let mut tx = state.store.begin().await?;
    let channel = ChannelRow {
        channel_id: new_id(),
        name: request.name.trim().to_string(),
        description,
        parties: json!(request.parties).to_string(),
        kind: kind.as_str().to_string(),
        created_ms: tx.now_ms(),
    };
    tx.insert_channel(case_id, &channel).await?;
    tx.audit(&viewer.audit(
        Some(case_id),
        "channel.create",
        format!("channel/{}", channel.channel_id),
        &json!({ "name": channel.name, "parties": request.parties, "kind": kind }),
    ))
    .await?;
    tx.commit().await?;
    channel_view(&channel)
}

/// Changes a channel's name, description, parties or kind (mediator only), audited as
/// `channel.update` with the fields changed, before and after; a change that changes
/// nothing writes nothing.
pub(crate) async fn update_channel(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    channel_id: &str,
    change: ChannelChange,
) -> ApiResult<ChannelView> {
    mediator(state, viewer, case_id).await?;
    let _lock = state.lock_case(case_id).await;
    let Some(mut channel) = state.store.channel(case_id, channel_id).await? else {
        return Err(ApiError::not_found(format!("channel `{channel_id}`")));
    };
    let before = channel_fields(&channel)?;
    if let Some(name) = change.name {
        check_text("name", &name, NAME_MAX)?;
        channel.name = name.trim().to_string();
    }
    if let Some(description) = change.description {
        check_length("description", &description, DESCRIPTION_MAX)?;
        channel.description = description;
    }
    if let Some(list) = change.parties {
        check_channel_parties(&list, &state.store.parties(case_id).await?)?;
        channel.parties = json!(list).to_string();
    }
    if let Some(kind) = change.kind {
        channel.kind = kind.as_str().to_string();
    }
    let detail = changes(&before, &channel_fields(&channel)?);
    if !unchanged(&detail) {
        let mut tx = state.store.begin().await?;
        tx.update_channel(case_id, &channel).await?;
        tx.audit(&viewer.audit(
            Some(case_id),
            "channel.update",
            format!("channel/{channel_id}"),
            &detail,
        ))
        .await?;
        tx.commit().await?;
    }
    channel_view(&channel)
}

/// Logs a meeting (mediator only), audited as `meeting.create`.
pub(crate) async fn create_meeting(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    request: NewMeeting,
) -> ApiResult<MeetingView> {
    mediator(state, viewer, case_id).await?;
    let channel = channel_of(state, case_id, "channel", &request.channel).await?;
    check_date("date", &request.date)?;
    let time = checked_time("time", request.time.as_deref())?;
    check_length("place", &request.place, NAME_MAX)?;
    check_length("summary", &request.summary, SUMMARY_MAX)?;
    check_length("outcome", &request.outcome, SUMMARY_MAX)?;
    check_participants(&request.participants, &state.store.parties(case_id).await?)?;
    check_tabled(state, case_id, &request.tabled).await?;
    let mut tx = state.store.begin().await?;
    let meeting = MeetingRow {
        meeting_id: new_id(),
        channel_id: channel.channel_id.clone(),
        date: request.date,
        time,
        place: request.place.trim().to_string(),
        summary: request.summary,
        outcome: request.outcome,
        participants: serde_json::to_string(&request.participants).map_err(ApiError::internal)?,
        tabled: json!(request.tabled).to_string(),
        published_ms: None,
        created_ms: tx.now_ms(),
    };
    tx.insert_meeting(case_id, &meeting).await?;
    tx.audit(&viewer.audit(
        Some(case_id),
        "meeting.create",
        format!("meeting/{}", meeting.meeting_id),
        &json!({ "channel": meeting.channel_id, "date": meeting.date,
                 "participants": request.participants.len(), "tabled": request.tabled }),
    ))
    .await?;
    tx.commit().await?;
    meeting_view(&meeting, &channel.name)
}

/// Changes what a meeting records (mediator only), audited as `meeting.update` with the
/// fields changed, before and after; a change that changes nothing writes nothing. A
/// published meeting stays published.
pub(crate) async fn update_meeting(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    meeting_id: &str,
    change: MeetingChange,
) -> ApiResult<MeetingView> {
    mediator(state, viewer, case_id).await?;
    let _lock = state.lock_case(case_id).await;
    let mut meeting = stored_meeting(state, case_id, meeting_id).await?;
    let before = meeting_fields(&meeting)?;
    let channel = match change.channel {
        Some(id) => channel_of(state, case_id, "channel", &id).await?,
        None => channel_of(state, case_id, "channel", &meeting.channel_id).await?,
    };
    meeting.channel_id.clone_from(&channel.channel_id);
    if let Some(date) = change.date {
        check_date("date", &date)?;
        meeting.date = date;
    }
    if let Some(time) = change.time {
        meeting.time = checked_time("time", Some(&time))?;
    }
    if let Some(place) = change.place {
        check_length("place", &place, NAME_MAX)?;
        meeting.place = place.trim().to_string();
    }
    if let Some(summary) = change.summary {
        check_length("summary", &summary, SUMMARY_MAX)?;
        meeting.summary = summary;
    }
    if let Some(outcome) = change.outcome {
        check_length("outcome", &outcome, SUMMARY_MAX)?;
        meeting.outcome = outcome;
    }
    if let Some(participants) = change.participants {
        check_participants(&participants, &state.store.parties(case_id).await?)?;
        meeting.participants = serde_json::to_string(&participants).map_err(ApiError::internal)?;
    }
    if let Some(tabled) = change.tabled {
        check_tabled(state, case_id, &tabled).await?;
        meeting.tabled = json!(tabled).to_string();
    }
    let detail = changes(&before, &meeting_fields(&meeting)?);
    if !unchanged(&detail) {
        let mut tx = state.store.begin().await?;
        tx.update_meeting(case_id, &meeting).await?;
        tx.audit(&viewer.audit(
            Some(case_id),
            "meeting.update",
            format!("meeting/{meeting_id}"),
            &detail,
        ))
        .await?;
        tx.commit().await?;
    }
    meeting_view(&meeting, &channel.name)
}

/// The party of a statement as stored: empty for none, else a party of the case (422 on
/// `party`).
async fn checked_speaker_party(
    state: &AppState,
    case_id: &str,
    party: Option<&str>,
) -> ApiResult<String> {
    let party = party.unwrap_or_default().trim();
    if !party.is_empty() {
        check_party("party", party, &state.store.parties(case_id).await?)?;
    }
    Ok(party.to_string())
}

/// Logs a statement made at a meeting (mediator only), numbered after the last and
/// audited as `statement.create`.
pub(crate) async fn create_statement(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    meeting_id: &str,
    request: NewStatement,
) -> ApiResult<StatementView> {
    mediator(state, viewer, case_id).await?;
    let meeting = stored_meeting(state, case_id, meeting_id).await?;
    check_text("speaker", &request.speaker, NAME_MAX)?;
    check_text("quote", &request.quote, QUOTE_MAX)?;
    let party = checked_speaker_party(state, case_id, request.party.as_deref()).await?;
    let date = match request.date.as_deref().map(str::trim) {
        None | Some("") => meeting.date.clone(),
        Some(date) => {
            check_date("date", date)?;
            date.to_string()
        }
    };
    let time = checked_time("time", request.time.as_deref())?;
    let mut tx = state.store.begin().await?;
    let mut statement = StatementRow {
        meeting_id: meeting_id.to_string(),
        seq: 0,
        speaker: request.speaker.trim().to_string(),
        party,
        date,
        time,
        quote: request.quote,
        confidential: request.confidential,
        created_ms: tx.now_ms(),
    };
    statement.seq = tx.insert_statement(case_id, &statement).await?;
    tx.audit(&viewer.audit(
        Some(case_id),
        "statement.create",
        format!("meeting/{meeting_id}"),
        &json!({ "seq": statement.seq, "speaker": statement.speaker,
                 "confidential": statement.confidential }),
    ))
    .await?;
    tx.commit().await?;
    Ok(statement_view(statement))
}

/// A statement of a meeting, or 404 (a removed one too).
async fn stored_statement(
    state: &AppState,
    case_id: &str,
    meeting_id: &str,
    seq: &str,
) -> ApiResult<StatementRow> {
    stored_meeting(state, case_id, meeting_id).await?;
    let seq = parse_seq(seq)?;
    state
        .store
        .statement(case_id, meeting_id, seq)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("statement {seq} of meeting `{meeting_id}`")))
}

/// Changes a statement (mediator only), audited as `statement.update` with its number
/// and the fields changed, before and after; a change that changes nothing writes
/// nothing.
pub(crate) async fn update_statement(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    meeting_id: &str,
    seq: &str,
    change: StatementChange,
) -> ApiResult<StatementView> {
    mediator(state, viewer, case_id).await?;
    let _lock = state.lock_case(case_id).await;
    let mut statement = stored_statement(state, case_id, meeting_id, seq).await?;
    let before = statement_fields(&statement);
    if let Some(speaker) = change.speaker {
        check_text("speaker", &speaker, NAME_MAX)?;
        statement.speaker = speaker.trim().to_string();
    }
    if let Some(party) = change.party {
        statement.party = checked_speaker_party(state, case_id, Some(&party)).await?;
    }
    if let Some(date) = change.date {
        check_date("date", &date)?;
        statement.date = date;
    }
    if let Some(time) = change.time {
        statement.time = checked_time("time", Some(&time))?;
    }
    if let Some(quote) = change.quote {
        check_text("quote", &quote, QUOTE_MAX)?;
        statement.quote = quote;
    }
    if let Some(confidential) = change.confidential {
        statement.confidential = confidential;
    }
    let mut detail = changes(&before, &statement_fields(&statement));
    if !unchanged(&detail) {
        detail["seq"] = json!(statement.seq);
        let mut tx = state.store.begin().await?;
        tx.update_statement(case_id, &statement).await?;
        tx.audit(&viewer.audit(
            Some(case_id),
            "statement.update",
            format!("meeting/{meeting_id}"),
            &detail,
        ))
        .await?;
        tx.commit().await?;
    }
    Ok(statement_view(statement))
}

/// Removes a statement from the record (mediator only): no one reads it again, and its
/// number is not given to another. Audited as `statement.remove` with the whole
/// statement, so nothing of it is lost.
pub(crate) async fn remove_statement(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    meeting_id: &str,
    seq: &str,
) -> ApiResult<()> {
    mediator(state, viewer, case_id).await?;
    let _lock = state.lock_case(case_id).await;
    let statement = stored_statement(state, case_id, meeting_id, seq).await?;
    let mut tx = state.store.begin().await?;
    tx.remove_statement(case_id, meeting_id, statement.seq)
        .await?;
    tx.audit(&viewer.audit(
        Some(case_id),
        "statement.remove",
        format!("meeting/{meeting_id}"),
        &json!({ "seq": statement.seq, "statement": statement_fields(&statement) }),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes a meeting to observers (mediator only), audited as `meeting.publish`;
/// publishing it again changes nothing.
pub(crate) async fn publish(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    meeting_id: &str,
) -> ApiResult<MeetingView> {
    mediator(state, viewer, case_id).await?;
    stored_meeting(state, case_id, meeting_id).await?;
    let mut tx = state.store.begin().await?;
    if tx.publish_meeting(case_id, meeting_id).await? {
        tx.audit(&viewer.audit(
            Some(case_id),
            "meeting.publish",
            format!("meeting/{meeting_id}"),
            &json!({}),
        ))
        .await?;
        tx.commit().await?;
    } else {
        // Published already: nothing to write, and the transaction's connection goes
        // back before the read below.
        drop(tx);
    }
    let (_, meeting) = readable_meeting(state, viewer, case_id, meeting_id).await?;
    Ok(meeting)
}

// ---------------------------------------------------------------------------------------
// The reads, shared by the API and the pages.

/// The channels of a case the viewer may see, oldest first.
pub(crate) async fn visible_channels(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
) -> ApiResult<Vec<ChannelView>> {
    let (_, standing) = viewer.standing(&state.store, case_id).await?;
    let mut views = Vec::new();
    for channel in state.store.channels(case_id).await? {
        let view = channel_view(&channel)?;
        if standing.may_read_channel(&view.parties) {
            views.push(view);
        }
    }
    Ok(views)
}

/// One meeting with the statements the viewer may read, if the viewer may read it.
pub(crate) async fn meeting_detail(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    meeting_id: &str,
) -> ApiResult<MeetingDetail> {
    let (standing, meeting) = readable_meeting(state, viewer, case_id, meeting_id).await?;
    let statements = state.store.statements(case_id, meeting_id).await?;
    Ok(MeetingDetail {
        meeting,
        statements: readable_statements(&standing, statements),
    })
}

/// The statements of one meeting that the viewer may read, in order. The mediator sees
/// each statement's own number; anyone else sees them numbered 1, 2, ... among those it
/// reads, so that a gap does not tell of a confidential (or removed) statement.
pub(crate) fn readable_statements(
    standing: &Standing,
    statements: Vec<StatementRow>,
) -> Vec<StatementView> {
    let mut views: Vec<StatementView> = statements
        .into_iter()
        .filter(|s| standing.may_read_statement(s))
        .map(statement_view)
        .collect();
    if !standing.is_mediator() {
        for (seq, view) in (1..).zip(views.iter_mut()) {
            view.seq = seq;
        }
    }
    views
}

/// The audit records as the API shows them, with each account's username.
pub(crate) async fn audit_views(
    state: &AppState,
    records: Vec<AuditRecord>,
) -> ApiResult<Vec<AuditView>> {
    let usernames: HashMap<String, String> = state
        .store
        .accounts()
        .await?
        .into_iter()
        .map(|a| (a.id, a.username))
        .collect();
    records
        .into_iter()
        .map(|record| {
            let entry = record.entry;
            Ok(AuditView {
                id: record.id,
                at_ms: record.at_ms,
                username: entry
                    .account_id
                    .as_ref()
                    .and_then(|id| usernames.get(id).cloned()),
                account: entry.account_id,
                case: entry.case_id,
                action: entry.action,
                subject: entry.subject,
                detail: parse_json("audit detail", &entry.detail)?,
            })
        })
        .collect()
}

/// Reads `after` and `limit` of an audit query.
fn audit_page(
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<(Option<String>, i64)> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = match query.limit.as_deref() {
        None => AUDIT_DEFAULT,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=AUDIT_MAX).contains(&n) => n,
            _ => {
                return Err(ApiError::invalid(
                    "limit",
                    format!("`{text}` is not a whole number from 1 to {AUDIT_MAX}"),
                ));
            }
        },
    };
    if query.after.as_ref().is_some_and(|after| after.len() > 64) {
        return Err(ApiError::invalid(
            "after",
            "an audit record id has at most 64 characters",
        ));
    }
    Ok((query.after, limit))
}

// ---------------------------------------------------------------------------------------
// Handlers.

/// The channels of a case the viewer may see: the mediator and observers every one, a
/// party member those its party takes part in.
#[utoipa::path(get, path = "/api/cases/{case}/channels", tag = "meetings",
    params(("case" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "the channels", body = Vec<ChannelView>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
    ))]
pub(crate) async fn list_channels(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
) -> ApiResult<axum::Json<Vec<ChannelView>>> {
    Ok(axum::Json(
        visible_channels(&state, &viewer, &case_id).await?,
    ))
}

/// Opens a channel of talks (mediator only).
#[utoipa::path(post, path = "/api/cases/{case}/channels", tag = "meetings",
    params(("case" = String, Path, description = "case id")),
    request_body = NewChannel,
    responses(
        (status = 201, description = "created", body = ChannelView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 422, description = "a field is invalid", body = ErrorBody),
    ))]
async fn post_channel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    Body(request): Body<NewChannel>,
) -> ApiResult<(StatusCode, axum::Json<ChannelView>)> {
    let channel = create_channel(&state, &viewer, &case_id, request).await?;
    Ok((StatusCode::CREATED, axum::Json(channel)))
}

/// Changes a channel (mediator only): the fields given replace the channel's. Audited
/// with each field changed, before and after.
#[utoipa::path(patch, path = "/api/cases/{case}/channels/{channel}", tag = "meetings",
    params(
        ("case" = String, Path, description = "case id"),
        ("channel" = String, Path, description = "channel id"),
    ),
    request_body = ChannelChange,
    responses(
        (status = 200, description = "changed", body = ChannelView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case or channel", body = ErrorBody),
        (status = 422, description = "a field is invalid", body = ErrorBody),
    ))]
async fn patch_channel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, channel_id)): Path<(String, String)>,
    Body(change): Body<ChannelChange>,
) -> ApiResult<axum::Json<ChannelView>> {
    let channel = update_channel(&state, &viewer, &case_id, &channel_id, change).await?;
    Ok(axum::Json(channel))
}

/// The meetings of a case the viewer may read, by date: the mediator every one, a party
/// member those of its party's channels, an observer the published ones.
#[utoipa::path(get, path = "/api/cases/{case}/meetings", tag = "meetings",
    params(("case" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "the meetings", body = Vec<MeetingView>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
    ))]
pub(crate) async fn list_meetings(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
) -> ApiResult<axum::Json<Vec<MeetingView>>> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    let mut channels = HashMap::new();
    for channel in state.store.channels(&case_id).await? {
        let parties = channel_parties(&channel)?;
        channels.insert(channel.channel_id.clone(), (channel.name, parties));
    }
    let no_channel = (String::new(), Vec::new());
    let mut views = Vec::new();
    for meeting in state.store.meetings(&case_id).await? {
        let (name, parties) = channels.get(&meeting.channel_id).unwrap_or(&no_channel);
        if standing.may_read_meeting(&meeting, parties) {
            views.push(meeting_view(&meeting, name)?);
        }
    }
    Ok(axum::Json(views))
}

/// Logs a meeting (mediator only). Drafts listed as tabled are recorded; tabling a draft
/// for the parties' responses is done on the draft.
#[utoipa::path(post, path = "/api/cases/{case}/meetings", tag = "meetings",
    params(("case" = String, Path, description = "case id")),
    request_body = NewMeeting,
    responses(
        (status = 201, description = "created", body = MeetingView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 422, description = "a field is invalid", body = ErrorBody),
    ))]
async fn post_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    Body(request): Body<NewMeeting>,
) -> ApiResult<(StatusCode, axum::Json<MeetingView>)> {
    let meeting = create_meeting(&state, &viewer, &case_id, request).await?;
    Ok((StatusCode::CREATED, axum::Json(meeting)))
}

/// One meeting with the statements the viewer may read, if the viewer may read it: a
/// confidential statement reaches the mediator only.
#[utoipa::path(get, path = "/api/cases/{case}/meetings/{meeting}", tag = "meetings",
    params(
        ("case" = String, Path, description = "case id"),
        ("meeting" = String, Path, description = "meeting id"),
    ),
    responses(
        (status = 200, description = "the meeting", body = MeetingDetail),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such case or meeting, or not one the viewer may read", body = ErrorBody),
    ))]
pub(crate) async fn get_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, meeting_id)): Path<(String, String)>,
) -> ApiResult<axum::Json<MeetingDetail>> {
    Ok(axum::Json(
        meeting_detail(&state, &viewer, &case_id, &meeting_id).await?,
    ))
}

/// Changes a meeting (mediator only): the fields given replace the meeting's. Audited
/// with each field changed, before and after.
#[utoipa::path(patch, path = "/api/cases/{case}/meetings/{meeting}", tag = "meetings",
    params(
        ("case" = String, Path, description = "case id"),
        ("meeting" = String, Path, description = "meeting id"),
    ),
    request_body = MeetingChange,
    responses(
        (status = 200, description = "changed", body = MeetingView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case or meeting", body = ErrorBody),
        (status = 422, description = "a field is invalid", body = ErrorBody),
    ))]
async fn patch_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, meeting_id)): Path<(String, String)>,
    Body(change): Body<MeetingChange>,
) -> ApiResult<axum::Json<MeetingView>> {
    let meeting = update_meeting(&state, &viewer, &case_id, &meeting_id, change).await?;
    Ok(axum::Json(meeting))
}

/// Logs a statement made at a meeting (mediator only); it is numbered after the last.
/// A confidential statement is read by the mediator alone.
#[utoipa::path(post, path = "/api/cases/{case}/meetings/{meeting}/statements", tag = "meetings",
    params(
        ("case" = String, Path, description = "case id"),
        ("meeting" = String, Path, description = "meeting id"),
    ),
    request_body = NewStatement,
    responses(
        (status = 201, description = "created", body = StatementView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case or meeting", body = ErrorBody),
        (status = 422, description = "a field is invalid", body = ErrorBody),
    ))]
async fn post_statement(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, meeting_id)): Path<(String, String)>,
    Body(request): Body<NewStatement>,
) -> ApiResult<(StatusCode, axum::Json<StatementView>)> {
    let statement = create_statement(&state, &viewer, &case_id, &meeting_id, request).await?;
    Ok((StatusCode::CREATED, axum::Json(statement)))
}

/// Changes a statement (mediator only): the fields given replace the statement's.
/// Audited with its number and each field changed, before and after.
#[utoipa::path(patch, path = "/api/cases/{case}/meetings/{meeting}/statements/{statement}", tag = "meetings",
    params(
        ("case" = String, Path, description = "case id"),
        ("meeting" = String, Path, description = "meeting id"),
        ("statement" = i64, Path, description = "the statement's number within its meeting"),
    ),
    request_body = StatementChange,
    responses(
        (status = 200, description = "changed", body = StatementView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case, meeting or statement", body = ErrorBody),
        (status = 422, description = "a field is invalid, or the number is not one", body = ErrorBody),
    ))]
async fn patch_statement(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, meeting_id, seq)): Path<(String, String, String)>,
    Body(change): Body<StatementChange>,
) -> ApiResult<axum::Json<StatementView>> {
    let statement = update_statement(&state, &viewer, &case_id, &meeting_id, &seq, change).await?;
    Ok(axum::Json(statement))
}

/// Removes a statement from the record (mediator only): no one reads it again and its
/// number is not given to another; its audit record keeps the whole statement.
#[utoipa::path(delete, path = "/api/cases/{case}/meetings/{meeting}/statements/{statement}", tag = "meetings",
    params(
        ("case" = String, Path, description = "case id"),
        ("meeting" = String, Path, description = "meeting id"),
        ("statement" = i64, Path, description = "the statement's number within its meeting"),
    ),
    responses(
        (status = 204, description = "removed"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case, meeting or statement", body = ErrorBody),
        (status = 422, description = "the number is not one", body = ErrorBody),
    ))]
async fn delete_statement(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, meeting_id, seq)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    remove_statement(&state, &viewer, &case_id, &meeting_id, &seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes a meeting to observers (mediator only); publishing it again changes nothing.
/// Its confidential statements stay the mediator's.
#[utoipa::path(post, path = "/api/cases/{case}/meetings/{meeting}/publish", tag = "meetings",
    params(
        ("case" = String, Path, description = "case id"),
        ("meeting" = String, Path, description = "meeting id"),
    ),
    responses(
        (status = 200, description = "published", body = MeetingView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case or meeting", body = ErrorBody),
    ))]
async fn publish_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, meeting_id)): Path<(String, String)>,
) -> ApiResult<axum::Json<MeetingView>> {
    Ok(axum::Json(
        publish(&state, &viewer, &case_id, &meeting_id).await?,
    ))
}

/// The audit log of a case, oldest first (mediator only): at most `limit` records after
/// the record `after`.
#[utoipa::path(get, path = "/api/cases/{case}/audit", tag = "audit",
    params(
        ("case" = String, Path, description = "case id"),
        ("after" = Option<String>, Query, description = "the id of the last record already read"),
        ("limit" = Option<i64>, Query, description = "how many records, 1 to 1000 (default 200)"),
    ),
    responses(
        (status = 200, description = "the records", body = Vec<AuditView>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 422, description = "a bad `limit`", body = ErrorBody),
    ))]
async fn case_audit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<axum::Json<Vec<AuditView>>> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    if !standing.may_read_audit() {
        return Err(ApiError::forbidden(
            "only a mediator may read the audit log",
        ));
    }
    let (after, limit) = audit_page(query)?;
    let records = state
        .store
        .audit(Some(&case_id), after.as_deref(), limit)
        .await?;
    Ok(axum::Json(audit_views(&state, records).await?))
}

/// The whole audit log, oldest first (mediator only): at most `limit` records after the
/// record `after`.
#[utoipa::path(get, path = "/api/audit", tag = "audit",
    params(
        ("after" = Option<String>, Query, description = "the id of the last record already read"),
        ("limit" = Option<i64>, Query, description = "how many records, 1 to 1000 (default 200)"),
    ),
    responses(
        (status = 200, description = "the records", body = Vec<AuditView>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 422, description = "a bad `limit`", body = ErrorBody),
    ))]
async fn audit(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<axum::Json<Vec<AuditView>>> {
    viewer.require_mediator()?;
    let (after, limit) = audit_page(query)?;
    let records = state.store.audit(None, after.as_deref(), limit).await?;
    Ok(axum::Json(audit_views(&state, records).await?))
}

/// The channel, meeting and audit routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_channels, post_channel))
        .routes(routes!(patch_channel))
        .routes(routes!(list_meetings, post_meeting))
        .routes(routes!(get_meeting, patch_meeting))
        .routes(routes!(post_statement))
        .routes(routes!(patch_statement, delete_statement))
        .routes(routes!(publish_meeting))
        .routes(routes!(case_audit))
        .routes(routes!(audit))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::changes;
    use super::checks::{is_date, is_time};

    fn check(date: &str, expected: bool) {
        assert_eq!(is_date(date), expected, "{date}");
    }

    #[test]
    fn dates() {
        check("2022-03-29", true);
        check("2024-02-29", true);
        check("2000-02-29", true);
        check("1900-02-29", false);
        check("2023-02-29", false);
        check("2022-04-31", false);
        check("2022-13-01", false);
        check("2022-00-10", false);
        check("2022-01-00", false);
        check("0000-01-01", false);
        check("2022-1-01", false);
        check("22-01-01xx", false);
        check("2022/01/01", false);
        check("２０２２-01-01", false);
        check("", false);
    }

    #[test]
    fn times() {
        for (time, expected) in [
            ("00:00", true),
            ("09:30", true),
            ("23:59", true),
            ("24:00", false),
            ("12:60", false),
            ("9:30", false),
            ("09.30", false),
            ("09:3a", false),
            ("+1:30", false),
            ("", false),
        ] {
            assert_eq!(is_time(time), expected, "{time}");
        }
    }

    #[test]
    fn changes_keep_each_changed_field_before_and_after() {
        let before = json!({ "name": "a", "parties": ["x"], "kind": "mediated" });
        let after = json!({ "name": "b", "parties": ["x"], "kind": "mediated" });
        assert_eq!(
            changes(&before, &after),
            json!({ "before": { "name": "a" }, "after": { "name": "b" } })
        );
        assert_eq!(
            changes(&before, &before),
            json!({ "before": {}, "after": {} })
        );
    }
}
