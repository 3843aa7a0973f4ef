//! Routes: channels of talks, their meetings and statements, and the audit log.
//!
//! A party member sees the channels its party takes part in and their meetings; an
//! observer sees every channel's name but a meeting only once the mediator publishes it;
//! only the mediator writes here, and only the mediator reads the audit log.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use accord_store::{AuditRecord, ChannelRow, MeetingRow, PartyRow, StatementRow, new_id};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Body;
use crate::model::parse_json;

/// The longest channel name, party name in a meeting, or speaker, in characters.
const NAME_MAX: usize = 200;
/// The longest channel description, in characters.
const DESCRIPTION_MAX: usize = 10_000;
/// The longest meeting summary, in characters.
const SUMMARY_MAX: usize = 100_000;
/// The longest quote of a statement, in characters.
const QUOTE_MAX: usize = 20_000;
/// The most participants, or tabled drafts, a meeting lists.
const LIST_MAX: usize = 1000;
/// The default and largest number of audit records in one answer.
const AUDIT_DEFAULT: i64 = 200;
const AUDIT_MAX: i64 = 1000;

// ---------------------------------------------------------------------------------------
// Wire types.

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
}

/// Someone who took part in a meeting.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Participant {
    /// The party they spoke for.
    pub(crate) party: String,
    /// Their name.
    pub(crate) name: String,
}

/// A meeting, without its statements.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct MeetingView {
    /// Random id.
    pub(crate) id: String,
    /// The channel it belongs to.
    pub(crate) channel: String,
    /// The channel's name.
    pub(crate) channel_name: String,
    /// `YYYY-MM-DD`.
    pub(crate) date: String,
    /// What happened.
    pub(crate) summary: String,
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
    /// What was said, in order.
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
    /// What happened.
    #[serde(default)]
    pub(crate) summary: String,
    /// Who took part; each party a party of the case.
    #[serde(default)]
    pub(crate) participants: Vec<Participant>,
    /// The draft versions tabled at it (this records them; tabling a draft for responses
    /// is done on the draft).
    #[serde(default)]
    pub(crate) tabled: Vec<i64>,
}

/// A statement made at a meeting.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct StatementView {
    /// 1, 2, ... within its meeting.
    pub(crate) seq: i64,
    /// Who spoke.
    pub(crate) speaker: String,
    /// What they said.
    pub(crate) quote: String,
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

/// Fails with 422 on `field` unless `text` is non-blank and at most `max` characters.
fn check_text(field: &str, text: &str, max: usize) -> ApiResult<()> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    check_length(field, text, max)
}

/// Fails with 422 on `field` if `text` is over `max` characters.
fn check_length(field: &str, text: &str, max: usize) -> ApiResult<()> {
    if text.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(())
}

/// Whether `date` is a real calendar date written `YYYY-MM-DD` (years 0001 to 9999).
fn is_date(date: &str) -> bool {
    let bytes = date.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape {
        return false;
    }
    let number = |range: std::ops::Range<usize>| date[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

/// Fails with 422 on `field` unless `party` is a party of the case.
fn check_party(field: &str, party: &str, parties: &[PartyRow]) -> ApiResult<()> {
    if parties.iter().any(|p| p.party_id == party) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("no party `{party}` in the case"),
        ))
    }
}

fn channel_parties(channel: &ChannelRow) -> ApiResult<Vec<String>> {
    parse_json("channel parties", &channel.parties)
}

fn channel_view(channel: &ChannelRow) -> ApiResult<ChannelView> {
    Ok(ChannelView {
        id: channel.channel_id.clone(),
        name: channel.name.clone(),
        description: channel.description.clone(),
        parties: channel_parties(channel)?,
        created_ms: channel.created_ms,
    })
}

fn meeting_view(meeting: &MeetingRow, channel_name: &str) -> ApiResult<MeetingView> {
    Ok(MeetingView {
        id: meeting.meeting_id.clone(),
        channel: meeting.channel_id.clone(),
        channel_name: channel_name.to_string(),
        date: meeting.date.clone(),
        summary: meeting.summary.clone(),
        participants: parse_json("meeting participants", &meeting.participants)?,
        tabled: parse_json("meeting tabled drafts", &meeting.tabled)?,
        published_ms: meeting.published_ms,
        created_ms: meeting.created_ms,
    })
}

fn statement_view(statement: StatementRow) -> StatementView {
    StatementView {
        seq: statement.seq,
        speaker: statement.speaker,
        quote: statement.quote,
        created_ms: statement.created_ms,
    }
}

/// A meeting the viewer may read, with its channel's name; 404 for one that does not
/// exist or that the viewer may not read, alike.
async fn readable_meeting(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    meeting_id: &str,
) -> ApiResult<MeetingView> {
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
    meeting_view(&meeting, name)
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
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    let mut views = Vec::new();
    for channel in state.store.channels(&case_id).await? {
        let view = channel_view(&channel)?;
        if standing.may_read_channel(&view.parties) {
            views.push(view);
        }
    }
    Ok(axum::Json(views))
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
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    check_text("name", &request.name, NAME_MAX)?;
    let description = request.description.unwrap_or_default();
    check_length("description", &description, DESCRIPTION_MAX)?;
    let parties = state.store.parties(&case_id).await?;
    for (i, party) in request.parties.iter().enumerate() {
        let field = format!("parties[{i}]");
        check_party(&field, party, &parties)?;
        if request.parties[..i].contains(party) {
            return Err(ApiError::invalid(
                field,
                format!("party `{party}` is listed twice"),
            ));
        }
    }
    let mut tx = state.store.begin().await?;
    let channel = ChannelRow {
        channel_id: new_id(),
        name: request.name.trim().to_string(),
        description,
        parties: json!(request.parties).to_string(),
        created_ms: tx.now_ms(),
    };
    tx.insert_channel(&case_id, &channel).await?;
    tx.audit(&viewer.audit(
        Some(&case_id),
        "channel.create",
        format!("channel/{}", channel.channel_id),
        &json!({ "name": channel.name, "parties": request.parties }),
    ))
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(channel_view(&channel)?)))
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
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    let Some(channel) = state.store.channel(&case_id, &request.channel).await? else {
        return Err(ApiError::invalid(
            "channel",
            format!("no channel `{}` in the case", request.channel),
        ));
    };
    if !is_date(&request.date) {
        return Err(ApiError::invalid(
            "date",
            format!("`{}` is not a date written YYYY-MM-DD", request.date),
        ));
    }
    check_length("summary", &request.summary, SUMMARY_MAX)?;
    if request.participants.len() > LIST_MAX {
        return Err(ApiError::invalid(
            "participants",
            format!("at most {LIST_MAX} participants"),
        ));
    }
    let parties = state.store.parties(&case_id).await?;
    for (i, participant) in request.participants.iter().enumerate() {
        check_party(
            &format!("participants[{i}].party"),
            &participant.party,
            &parties,
        )?;
        check_text(
            &format!("participants[{i}].name"),
            &participant.name,
            NAME_MAX,
        )?;
    }
    if request.tabled.len() > LIST_MAX {
        return Err(ApiError::invalid(
            "tabled",
            format!("at most {LIST_MAX} drafts"),
        ));
    }
    for (i, version) in request.tabled.iter().enumerate() {
        let field = format!("tabled[{i}]");
        if state.store.draft(&case_id, *version).await?.is_none() {
            return Err(ApiError::invalid(
                field,
                format!("no draft version {version} in the case"),
            ));
        }
        if request.tabled[..i].contains(version) {
            return Err(ApiError::invalid(
                field,
                format!("draft version {version} is listed twice"),
            ));
        }
    }
    let mut tx = state.store.begin().await?;
    let meeting = MeetingRow {
        meeting_id: new_id(),
        channel_id: channel.channel_id.clone(),
        date: request.date,
        summary: request.summary,
        participants: serde_json::to_string(&request.participants).map_err(ApiError::internal)?,
        tabled: json!(request.tabled).to_string(),
        published_ms: None,
        created_ms: tx.now_ms(),
    };
    tx.insert_meeting(&case_id, &meeting).await?;
    tx.audit(&viewer.audit(
        Some(&case_id),
        "meeting.create",
        format!("meeting/{}", meeting.meeting_id),
        &json!({ "channel": meeting.channel_id, "date": meeting.date,
                 "participants": request.participants.len(), "tabled": request.tabled }),
    ))
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(meeting_view(&meeting, &channel.name)?),
    ))
}

/// One meeting with its statements, if the viewer may read it.
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
    let meeting = readable_meeting(&state, &viewer, &case_id, &meeting_id).await?;
    let statements = state.store.statements(&case_id, &meeting_id).await?;
    Ok(axum::Json(MeetingDetail {
        meeting,
        statements: statements.into_iter().map(statement_view).collect(),
    }))
}

/// Logs a statement made at a meeting (mediator only); it is numbered after the last.
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
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    if state.store.meeting(&case_id, &meeting_id).await?.is_none() {
        return Err(ApiError::not_found(format!("meeting `{meeting_id}`")));
    }
    check_text("speaker", &request.speaker, NAME_MAX)?;
    check_text("quote", &request.quote, QUOTE_MAX)?;
    let speaker = request.speaker.trim();
    let mut tx = state.store.begin().await?;
    let seq = tx
        .insert_statement(&case_id, &meeting_id, speaker, &request.quote)
        .await?;
    tx.audit(&viewer.audit(
        Some(&case_id),
        "statement.create",
        format!("meeting/{meeting_id}"),
        &json!({ "seq": seq, "speaker": speaker }),
    ))
    .await?;
    let created_ms = tx.now_ms();
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(StatementView {
            seq,
            speaker: speaker.to_string(),
            quote: request.quote,
            created_ms,
        }),
    ))
}

/// Publishes a meeting to observers (mediator only); publishing it again changes nothing.
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
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    if state.store.meeting(&case_id, &meeting_id).await?.is_none() {
        return Err(ApiError::not_found(format!("meeting `{meeting_id}`")));
    }
    let mut tx = state.store.begin().await?;
    if tx.publish_meeting(&case_id, &meeting_id).await? {
        tx.audit(&viewer.audit(
            Some(&case_id),
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
    let meeting = readable_meeting(&state, &viewer, &case_id, &meeting_id).await?;
    Ok(axum::Json(meeting))
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
        .routes(routes!(list_meetings, post_meeting))
        .routes(routes!(get_meeting))
        .routes(routes!(post_statement))
        .routes(routes!(publish_meeting))
        .routes(routes!(case_audit))
        .routes(routes!(audit))
}

#[cfg(test)]
mod tests {
    use super::is_date;

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
}
