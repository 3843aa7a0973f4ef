//! Routes: reports of talks read into the record (docs/ingest.md). The mediator sends a
//! news report or a note of a meeting and gets a proposed record back, each fact citing
//! the sentence it came from (`accord_ingest`); nothing is saved. Once the mediator has
//! reviewed and corrected it, the meetings, their statements, any new channel and any new
//! delegates are written in one transaction, each with its audit record: all of it, or
//! nothing.
//!
//! The mediator's alone: a report may name anyone, and what is recorded from it goes
//! through the same checks as a meeting logged by hand.

use std::collections::BTreeMap;

use accord_ingest::{ChannelRef, Date, Options, ingest};
use accord_store::{ChannelRow, MeetingRow, StatementRow, new_id};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Viewer;
use crate::cases::DelegateView;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Body;
use crate::meetings::{
    ChannelKind, ChannelView, DESCRIPTION_MAX, LIST_MAX, MeetingDetail, NAME_MAX, NewChannel,
    NewStatement, Participant, QUOTE_MAX, SUMMARY_MAX, channel_of, channel_parties, channel_view,
    check_channel_parties, check_date, check_length, check_participants, check_party, check_tabled,
    check_text, checked_time, meeting_view, statement_view,
};
use crate::model::{CaseRows, parse_json};

/// The longest report read, in characters.
pub(crate) const REPORT_MAX: usize = 100_000;
/// Meetings recorded from one report at most.
pub(crate) const MEETINGS_MAX: usize = 20;

/// A report to read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct IngestRequest {
    /// The report: plain text, 1 to 100000 characters.
    pub(crate) text: String,
    /// The date it was written, `YYYY-MM-DD`, for "on Sunday" when it has no dateline.
    #[serde(default)]
    pub(crate) reference_date: Option<String>,
}

/// One meeting to record, as the mediator confirmed it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordMeeting {
    /// An existing channel's id; or give `new_channel`.
    #[serde(default)]
    pub(crate) channel: Option<String>,
    /// A channel to create for it.
    #[serde(default)]
    pub(crate) new_channel: Option<NewChannel>,
    /// `YYYY-MM-DD`.
    pub(crate) date: String,
    /// `HH:MM`, or empty.
    #[serde(default)]
    pub(crate) time: Option<String>,
    /// Where it was held.
    #[serde(default)]
    pub(crate) place: String,
    /// What happened.
    #[serde(default)]
    pub(crate) summary: String,
    /// What came of it.
    #[serde(default)]
    pub(crate) outcome: String,
    /// Who took part.
    #[serde(default)]
    pub(crate) participants: Vec<Participant>,
    /// The draft versions tabled at it.
    #[serde(default)]
    pub(crate) tabled: Vec<i64>,
    /// What was said at it.
    #[serde(default)]
    pub(crate) statements: Vec<NewStatement>,
}

/// A person to add to a party's delegation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewDelegate {
    /// The party's id.
    pub(crate) party: String,
    /// Their name.
    pub(crate) name: String,
    /// Their title; may be empty.
    #[serde(default)]
    pub(crate) title: String,
}

/// What the mediator confirmed from a report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordRequest {
    /// The meetings (1 to 20).
    pub(crate) meetings: Vec<RecordMeeting>,
    /// New people to add to delegations (a name already on the delegation is skipped).
    #[serde(default)]
    pub(crate) delegates: Vec<NewDelegate>,
}

/// What was recorded.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct Recorded {
    /// The meetings with their statements.
    pub(crate) meetings: Vec<MeetingDetail>,
    /// The channels created.
    pub(crate) channels: Vec<ChannelView>,
    /// How many delegates were added.
    pub(crate) delegates_added: usize,
}

/// An error about a field of the `index`-th meeting, named `meetings[index].field`.
fn in_meeting(index: usize, error: ApiError) -> ApiError {
    let field = error.field().map_or_else(String::new, |f| format!(".{f}"));
    error.with_field(format!("meetings[{index}]{field}"))
}

/// Reads a report against the case and proposes the meetings it describes; saves
/// nothing. The mediator only.
#[utoipa::path(post, path = "/api/cases/{case}/ingest", tag = "meetings",
    params(("case" = String, Path, description = "case id")),
    request_body = IngestRequest,
    responses(
        (status = 200, description = "the proposal: sentences, people, meetings, each fact citing its sentence (docs/ingest.md)", body = Object),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not the mediator", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 422, description = "an empty or too long text, or a bad date, or the work is over the server's time for one request (`too_large`)", body = ErrorBody),
        (status = 429, description = "the account's share of heavy work is in use: `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "other work holds every core: `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub(crate) async fn post_ingest(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    Body(request): Body<IngestRequest>,
) -> ApiResult<axum::Json<Value>> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    check_text("text", &request.text, REPORT_MAX)?;
    let reference_date = match request.reference_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(Date::parse(text).ok_or_else(|| {
            ApiError::invalid(
                "reference_date",
                format!("`{text}` is not a date written YYYY-MM-DD"),
            )
        })?),
    };
    let rows = CaseRows::load(&state.store, &case_id).await?;
    let case = rows.case_without_positions()?;
    let channels = state
        .store
        .channels(&case_id)
        .await?
        .iter()
        .map(|c| {
            Ok(ChannelRef {
                id: c.channel_id.clone(),
                name: c.name.clone(),
                parties: channel_parties(c)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let options = Options {
        reference_date,
        channels,
    };
    let text = request.text;
    let proposal = state
        .compute(&viewer.account.id, "reading the report", move || {
            serde_json::to_value(ingest(&text, &case, &options)).map_err(ApiError::internal)
        })
        .await??;
    Ok(axum::Json(proposal))
}

/// A meeting checked and ready to write.
struct Checked {
    new_channel: Option<ChannelRow>,
    channel: ChannelRow,
    meeting: RecordMeeting,
    time: String,
    statements: Vec<(NewStatement, String, String, String)>,
}

/// Records the meetings the mediator confirmed from a report, with their statements,
/// any new channel and any new delegates, in one transaction: all of it or nothing. The
/// mediator only.
#[utoipa::path(post, path = "/api/cases/{case}/ingest/record", tag = "meetings",
    params(("case" = String, Path, description = "case id")),
    request_body = RecordRequest,
    responses(
        (status = 201, description = "recorded", body = Recorded),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not the mediator", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 422, description = "a field is invalid (named `meetings[i].field`); nothing was recorded", body = ErrorBody),
    ))]
pub(crate) async fn post_record(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    Body(request): Body<RecordRequest>,
) -> ApiResult<(StatusCode, axum::Json<Recorded>)> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    let _case_lock = state.lock_case(&case_id).await;
    if request.meetings.is_empty() || request.meetings.len() > MEETINGS_MAX {
        return Err(ApiError::invalid(
            "meetings",
            format!("1 to {MEETINGS_MAX} meetings"),
        ));
    }
    if request.delegates.len() > LIST_MAX {
        return Err(ApiError::invalid(
            "delegates",
            format!("at most {LIST_MAX} delegates"),
        ));
    }
    let parties = state.store.parties(&case_id).await?;
    // Every check first: nothing is written unless everything reads.
    let mut checked = Vec::new();
    for (j, meeting) in request.meetings.into_iter().enumerate() {
        checked.push(
            check_meeting(&state, &case_id, &parties, meeting)
                .await
                .map_err(|e| in_meeting(j, e))?,
        );
    }
    for (k, delegate) in request.delegates.iter().enumerate() {
        let at = |field: &str| format!("delegates[{k}].{field}");
        check_party(&at("party"), &delegate.party, &parties)?;
        check_text(&at("name"), &delegate.name, NAME_MAX)?;
        check_length(&at("title"), &delegate.title, NAME_MAX)?;
    }
    // New delegates by party, without the names already on the delegation.
    let mut added: BTreeMap<String, Vec<DelegateView>> = BTreeMap::new();
    for delegate in &request.delegates {
        let row = parties
            .iter()
            .find(|p| p.party_id == delegate.party)
            .expect("checked above");
        let mut list: Vec<DelegateView> = match added.get(&delegate.party) {
            Some(list) => list.clone(),
            None => parse_json("delegates", &row.delegates)?,
        };
        let name = delegate.name.trim();
        if !list
            .iter()
            .any(|d| d.name.trim().eq_ignore_ascii_case(name))
        {
            list.push(DelegateView {
                name: name.to_string(),
                title: delegate.title.trim().to_string(),
            });
        }
        added.insert(delegate.party.clone(), list);
    }

    let mut tx = state.store.begin().await?;
    let mut channels = Vec::new();
    let mut meetings = Vec::new();
    for item in checked {
        if let Some(channel) = &item.new_channel {
            let mut channel = channel.clone();
            channel.created_ms = tx.now_ms();
            tx.insert_channel(&case_id, &channel).await?;
            tx.audit(&viewer.audit(
                Some(&case_id),
                "channel.create",
                format!("channel/{}", channel.channel_id),
                &json!({ "name": channel.name, "parties": channel_parties(&channel)?,
                         "kind": channel.kind, "from": "report" }),
            ))
            .await?;
            channels.push(channel_view(&channel)?);
        }
        let meeting = item.meeting;
        let row = MeetingRow {
            meeting_id: new_id(),
            channel_id: item.channel.channel_id.clone(),
            date: meeting.date.clone(),
            time: item.time,
            place: meeting.place.trim().to_string(),
            summary: meeting.summary.clone(),
            outcome: meeting.outcome.clone(),
            participants: serde_json::to_string(&meeting.participants)
                .map_err(ApiError::internal)?,
            tabled: json!(meeting.tabled).to_string(),
            published_ms: None,
            created_ms: tx.now_ms(),
        };
        tx.insert_meeting(&case_id, &row).await?;
        tx.audit(&viewer.audit(
            Some(&case_id),
            "meeting.create",
            format!("meeting/{}", row.meeting_id),
            &json!({ "channel": row.channel_id, "date": row.date,
                     "participants": meeting.participants.len(), "tabled": meeting.tabled,
                     "from": "report" }),
        ))
        .await?;
        let mut statements = Vec::new();
        for (statement, party, date, time) in item.statements {
            let mut stored = StatementRow {
                meeting_id: row.meeting_id.clone(),
                seq: 0,
                speaker: statement.speaker.trim().to_string(),
                party,
                date,
                time,
                quote: statement.quote,
                confidential: statement.confidential,
                created_ms: tx.now_ms(),
            };
            stored.seq = tx.insert_statement(&case_id, &stored).await?;
            tx.audit(&viewer.audit(
                Some(&case_id),
                "statement.create",
                format!("meeting/{}", row.meeting_id),
                &json!({ "seq": stored.seq, "speaker": stored.speaker,
                         "confidential": stored.confidential, "from": "report" }),
            ))
            .await?;
            statements.push(statement_view(stored));
        }
        meetings.push(MeetingDetail {
            meeting: meeting_view(&row, &item.channel.name)?,
            statements,
        });
    }
    let mut delegates_added = 0;
    for (party_id, list) in added {
        let Some(mut row) = parties.iter().find(|p| p.party_id == party_id).cloned() else {
            continue;
        };
        let before: Vec<DelegateView> = parse_json("delegates", &row.delegates)?;
        if before.len() == list.len() {
            continue;
        }
        delegates_added += list.len() - before.len();
        row.delegates = serde_json::to_string(&list).map_err(ApiError::internal)?;
        tx.put_party(&case_id, &row).await?;
        tx.audit(&viewer.audit(
            Some(&case_id),
            "party.update",
            format!("party/{party_id}"),
            &json!({ "party": party_id, "name": row.name, "role": row.role,
                     "delegates_added": list.len() - before.len(), "from": "report" }),
        ))
        .await?;
    }
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Recorded {
            meetings,
            channels,
            delegates_added,
        }),
    ))
}

/// Checks one meeting to record, with the same checks as a meeting logged by hand.
async fn check_meeting(
    state: &AppState,
    case_id: &str,
    parties: &[accord_store::PartyRow],
    meeting: RecordMeeting,
) -> ApiResult<Checked> {
    let (channel, new_channel) = match (&meeting.channel, &meeting.new_channel) {
        (Some(id), None) => (channel_of(state, case_id, "channel", id).await?, None),
        (None, Some(new)) => {
            check_text("new_channel.name", &new.name, NAME_MAX)?;
            let description = new.description.clone().unwrap_or_default();
            check_length("new_channel.description", &description, DESCRIPTION_MAX)?;
            check_channel_parties(&new.parties, parties).map_err(|e| prefixed("new_channel", e))?;
            let row = ChannelRow {
                channel_id: new_id(),
                name: new.name.trim().to_string(),
                description,
                parties: json!(new.parties).to_string(),
                kind: new
                    .kind
                    .unwrap_or(ChannelKind::Reported)
                    .as_str()
                    .to_string(),
                created_ms: 0,
            };
            (row.clone(), Some(row))
        }
        _ => {
            return Err(ApiError::invalid(
                "channel",
                "give either `channel` (an existing channel's id) or `new_channel`",
            ));
        }
    };
    check_date("date", &meeting.date)?;
    let time = checked_time("time", meeting.time.as_deref())?;
    check_length("place", &meeting.place, NAME_MAX)?;
    check_length("summary", &meeting.summary, SUMMARY_MAX)?;
    check_length("outcome", &meeting.outcome, SUMMARY_MAX)?;
    check_participants(&meeting.participants, parties)?;
    check_tabled(state, case_id, &meeting.tabled).await?;
    if meeting.statements.len() > LIST_MAX {
        return Err(ApiError::invalid(
            "statements",
            format!("at most {LIST_MAX} statements"),
        ));
    }
    let mut statements = Vec::new();
    for (s, statement) in meeting.statements.iter().enumerate() {
        let at = |field: &str| format!("statements[{s}].{field}");
        check_text(&at("speaker"), &statement.speaker, NAME_MAX)?;
        check_text(&at("quote"), &statement.quote, QUOTE_MAX)?;
        let party = statement.party.as_deref().unwrap_or_default().trim();
        if !party.is_empty() {
            check_party(&at("party"), party, parties)?;
        }
        let date = match statement.date.as_deref().map(str::trim) {
            None | Some("") => meeting.date.clone(),
            Some(date) => {
                check_date(&at("date"), date)?;
                date.to_string()
            }
        };
        let time = checked_time(&at("time"), statement.time.as_deref())?;
        statements.push((party.to_string(), date, time));
    }
    let mut meeting = meeting;
    let said = std::mem::take(&mut meeting.statements);
    Ok(Checked {
        new_channel,
        channel,
        time,
        statements: said
            .into_iter()
            .zip(statements)
            .map(|(s, (party, date, time))| (s, party, date, time))
            .collect(),
        meeting,
    })
}

/// The error with its field under `prefix`.
fn prefixed(prefix: &str, error: ApiError) -> ApiError {
    let field = error
        .field()
        .map_or_else(|| prefix.to_string(), |f| format!("{prefix}.{f}"));
    error.with_field(field)
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_ingest))
        .routes(routes!(post_record))
}
