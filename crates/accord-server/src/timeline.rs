//! Route: the timeline of a case, the whole process across its channels: every meeting
//! and every statement the viewer may read, in date order, filtered by channel, party and
//! point.
//!
//! What the viewer reads is what `crate::access` lets it read anywhere else: the mediator
//! everything; a party member the meetings of the channels its party takes part in and
//! their public statements; an observer the published meetings and their public
//! statements. A filter looks only at what the viewer may read, so that a meeting does not
//! show up (or drop out) because of a statement or a draft the viewer may not read.
//!
//! The filters (each optional, all of them must hold):
//! - `channel=ID`: the meetings of that channel and the statements made at them;
//! - `party=ID`: the meetings of channels the party takes part in or at which one of its
//!   delegates was present, the statements made at them, and the statements made for the
//!   party anywhere;
//! - `point=ID`: the meetings whose summary or outcome, or the note of a draft tabled at
//!   them, or one of whose statements, mentions the point, and the statements that mention
//!   it. A text mentions a point when it holds the point's id or its title (as the latest
//!   draft the viewer may read words it), ignoring case.
//!
//! The order: by date, then time (a statement without a time of its own, made on its
//! meeting's day, takes the meeting's time), meetings before statements, then by when
//! each was logged and by number.

use std::collections::{BTreeMap, HashMap};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use accord_store::StatementRow;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::meetings::{
    ChannelView, MeetingView, StatementView, channel_parties, channel_view, meeting_view,
    readable_statements,
};
use crate::model::{DraftText, parse_json};

/// The filters of a timeline (`?channel=ID&party=ID&point=ID`); an empty value is no
/// filter.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TimelineQuery {
    /// A channel's id.
    #[serde(default)]
    pub(crate) channel: Option<String>,
    /// A party's id.
    #[serde(default)]
    pub(crate) party: Option<String>,
    /// A point's id.
    #[serde(default)]
    pub(crate) point: Option<String>,
}

impl TimelineQuery {
    fn given(value: Option<&String>) -> Option<&str> {
        value.map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// The channel asked for, if any.
    pub(crate) fn channel(&self) -> Option<&str> {
        Self::given(self.channel.as_ref())
    }

    /// The party asked for, if any.
    pub(crate) fn party(&self) -> Option<&str> {
        Self::given(self.party.as_ref())
    }

    /// The point asked for, if any.
    pub(crate) fn point(&self) -> Option<&str> {
        Self::given(self.point.as_ref())
    }
}

/// What an entry of the timeline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EntryKind {
    /// A meeting.
    Meeting,
    /// A statement made at a meeting.
    Statement,
}

/// One entry of the timeline: a meeting, or a statement with the meeting it was made at.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct TimelineEntry {
    /// `meeting` or `statement`.
    pub(crate) kind: EntryKind,
    /// `YYYY-MM-DD`: the meeting's date, or the statement's.
    pub(crate) date: String,
    /// `HH:MM`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) time: Option<String>,
    /// The meeting: the entry itself, or the one the statement was made at.
    pub(crate) meeting: MeetingView,
    /// The statement, for a statement entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) statement: Option<StatementView>,
}

/// A point as a filter offers it.
#[derive(Debug, Clone)]
pub(crate) struct PointChoice {
    /// Its id.
    pub(crate) id: String,
    /// Its title (its id when it has none).
    pub(crate) title: String,
}

/// What the filters may choose from, as far as the viewer may see it: the channels it
/// sees, the parties of the case, and the points of the drafts it may read (every point
/// for those who may read the points).
pub(crate) struct Choices {
    /// The channels the viewer sees, oldest first.
    pub(crate) channels: Vec<ChannelView>,
    /// Every party of the case: id and name.
    pub(crate) parties: Vec<(String, String)>,
    /// The points, in the case's order.
    pub(crate) points: Vec<PointChoice>,
    /// The draft versions the viewer may read, with their notes.
    notes: HashMap<i64, String>,
}

/// The filters' choices for the viewer.
pub(crate) async fn choices(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
) -> ApiResult<Choices> {
    let (_, standing) = viewer.standing(&state.store, case_id).await?;
    let mut channels = Vec::new();
    for channel in state.store.channels(case_id).await? {
        let view = channel_view(&channel)?;
        if standing.may_read_channel(&view.parties) {
            channels.push(view);
        }
    }
    let parties = state
        .store
        .parties(case_id)
        .await?
        .into_iter()
        .map(|p| (p.party_id, p.name))
        .collect();
    // Titles as the latest draft the viewer may read words them.
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut notes = HashMap::new();
    for draft in state.store.drafts(case_id).await? {
        if !standing.may_read_draft(&draft) {
            continue;
        }
        notes.insert(draft.version, draft.note.clone());
        let text: DraftText = parse_json("draft", &draft.body)?;
        for point in text.points {
            if !titles.contains_key(&point.point) {
                order.push(point.point.clone());
            }
            let title = titles.entry(point.point).or_default();
            if !point.title.is_empty() {
                *title = point.title;
            }
        }
    }
    let mut points = Vec::new();
    if standing.may_read_points() {
        for row in state.store.points(case_id).await? {
            let body: Map<String, Value> = parse_json("point", &row.body)?;
            let own = body
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let title = titles
                .remove(&row.point_id)
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| own.to_string());
            points.push(PointChoice {
                title: if title.is_empty() {
                    row.point_id.clone()
                } else {
                    title
                },
                id: row.point_id,
            });
        }
    }
    // Points known from readable drafts only (an observer's), in the drafts' order.
    for id in order {
        if let Some(title) = titles.remove(&id) {
            points.push(PointChoice {
                title: if title.is_empty() { id.clone() } else { title },
                id,
            });
        }
    }
    Ok(Choices {
        channels,
        parties,
        points,
        notes,
    })
}

/// Whether `text` mentions the point: holds its id or its title, ignoring case.
fn mentions(text: &str, point: &PointChoice) -> bool {
    let text = text.to_lowercase();
    let id = point.id.to_lowercase();
    let title = point.title.trim().to_lowercase();
    text.contains(&id) || (!title.is_empty() && text.contains(&title))
}

/// The timeline of a case as the viewer may read it, filtered by `query`. A filter
/// naming a channel the viewer does not see, a party not of the case or a point the
/// viewer does not know is refused (422 naming it), alike whether it exists or not.
pub(crate) async fn timeline(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    query: &TimelineQuery,
) -> ApiResult<Vec<TimelineEntry>> {
    let (_, standing) = viewer.standing(&state.store, case_id).await?;
    let choices = choices(state, viewer, case_id).await?;
    let channel_filter = query.channel();
    if let Some(channel) = channel_filter
        && !choices.channels.iter().any(|c| c.id == channel)
    {
        return Err(ApiError::invalid(
            "channel",
            format!("no channel `{channel}` to show"),
        ));
    }
    let party_filter = query.party();
    if let Some(party) = party_filter
        && !choices.parties.iter().any(|(id, _)| id == party)
    {
        return Err(ApiError::invalid(
            "party",
            format!("no party `{party}` in the case"),
        ));
    }
    let point_filter =
        match query.point() {
            None => None,
            Some(point) => Some(choices.points.iter().find(|p| p.id == point).ok_or_else(
                || ApiError::invalid("point", format!("no point `{point}` to show")),
            )?),
        };

    // Every channel, readable or not, so that a meeting is judged by its own channel.
    let mut channels = HashMap::new();
    for channel in state.store.channels(case_id).await? {
        let parties = channel_parties(&channel)?;
        channels.insert(channel.channel_id.clone(), (channel.name, parties));
    }
    let mut rows: HashMap<String, Vec<StatementRow>> = HashMap::new();
    for statement in state.store.case_statements(case_id).await? {
        rows.entry(statement.meeting_id.clone())
            .or_default()
            .push(statement);
    }
    let mut statements: HashMap<String, Vec<StatementView>> = rows
        .into_iter()
        .map(|(meeting, list)| (meeting, readable_statements(&standing, list)))
        .collect();
    let no_channel = (String::new(), Vec::new());
    let mut entries = Vec::new();
    for meeting in state.store.meetings(case_id).await? {
        let (name, parties) = channels.get(&meeting.channel_id).unwrap_or(&no_channel);
        if !standing.may_read_meeting(&meeting, parties) {
            continue;
        }
        if channel_filter.is_some_and(|c| c != meeting.channel_id) {
            continue;
        }
        let view = meeting_view(&meeting, name)?;
        let said = statements.remove(&view.id).unwrap_or_default();
        let party_meeting = party_filter.is_none_or(|party| {
            parties.iter().any(|p| p == party) || view.participants.iter().any(|p| p.party == party)
        });
        let point_meeting = point_filter.is_none_or(|point| {
            mentions(&view.summary, point)
                || mentions(&view.outcome, point)
                || view.tabled.iter().any(|v| {
                    choices
                        .notes
                        .get(v)
                        .is_some_and(|note| mentions(note, point))
                })
                || said.iter().any(|s| mentions(&s.quote, point))
        });
        if party_meeting && point_meeting {
            entries.push(TimelineEntry {
                kind: EntryKind::Meeting,
                date: view.date.clone(),
                time: view.time.clone(),
                meeting: view.clone(),
                statement: None,
            });
        }
        for statement in said {
            let party_statement = party_meeting
                || party_filter.is_some_and(|p| statement.party.as_deref() == Some(p));
            let point_statement =
                point_filter.is_none_or(|point| mentions(&statement.quote, point));
            if !(party_statement && point_statement) {
                continue;
            }
            // A statement without a time of its own, made on its meeting's day, is placed
            // at the meeting's time.
            let time = statement.time.clone().or_else(|| {
                (statement.date == view.date)
                    .then(|| view.time.clone())
                    .flatten()
            });
            entries.push(TimelineEntry {
                kind: EntryKind::Statement,
                date: statement.date.clone(),
                time,
                meeting: view.clone(),
                statement: Some(statement),
            });
        }
    }
    entries.sort_by(|a, b| {
        let key = |e: &TimelineEntry| {
            (
                e.date.clone(),
                e.time.clone().unwrap_or_default(),
                e.kind,
                e.meeting.date.clone(),
                e.meeting.created_ms,
                e.meeting.id.clone(),
                e.statement.as_ref().map_or(0, |s| s.seq),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(entries)
}

/// The timeline of a case: the meetings and statements of every channel the viewer may
/// read, in date order. Confidential statements reach the mediator only; a party member
/// reads its own channels, an observer what is published.
#[utoipa::path(get, path = "/api/cases/{case}/timeline", tag = "meetings",
    params(
        ("case" = String, Path, description = "case id"),
        ("channel" = Option<String>, Query, description = "only this channel's meetings and statements"),
        ("party" = Option<String>, Query, description = "only the meetings of channels this party takes part in or that its delegates attended, and the statements made at them or for the party"),
        ("point" = Option<String>, Query, description = "only the meetings and statements whose text (summary, outcome, the note of a draft tabled, a quote) holds this point's id or title, ignoring case"),
    ),
    responses(
        (status = 200, description = "the entries, in date order", body = Vec<TimelineEntry>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 422, description = "a filter names no channel, party or point the viewer may see", body = ErrorBody),
    ))]
async fn get_timeline(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    query: Result<Query<TimelineQuery>, QueryRejection>,
) -> ApiResult<axum::Json<Vec<TimelineEntry>>> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    Ok(axum::Json(
        timeline(&state, &viewer, &case_id, &query).await?,
    ))
}

/// The timeline route.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_timeline))
}

#[cfg(test)]
mod tests {
    use super::{PointChoice, mentions};

    fn check(text: &str, expected: bool) {
        let point = PointChoice {
            id: "army-cap".into(),
            title: "Armed forces ceiling".into(),
        };
        assert_eq!(mentions(text, &point), expected, "{text}");
    }

    #[test]
    fn a_text_mentions_a_point_by_id_or_title_ignoring_case() {
        check("we discussed army-cap at length", true);
        check("the ARMED FORCES CEILING stays open", true);
        check("armed forces were not discussed", false);
        check("", false);
    }
}
