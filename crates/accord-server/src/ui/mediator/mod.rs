//! Pages: the mediator's dashboard and its actions, and the draft page with its
//! side-by-side diff.
//!
//! The dashboard (`GET /cases/{case}` for a mediator, dispatched from `mod.rs`) shows the
//! points with their current wording and status, the point-by-party acceptance heat map,
//! the analysis (loaded as an htmx fragment from `GET /cases/{case}/analysis-panel`, or
//! inline once cached), the draft history with its buttons, channels and meetings, and
//! the audit log. Every action is a plain form that calls the API's own handler and
//! answers 303 back to the dashboard, so access is decided by `crate::access` exactly as
//! for the API. `GET /cases/{case}/drafts/{version}` is the one page here that parties and
//! observers may read too: it shows a draft they may read, and its differences from
//! another version they may read.

use std::collections::HashMap;
use std::fmt::Write as _;

use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use accord_core::{
    Case, Choice, PartyIdx, PointConsensus, PointIdx, PointKind, UtilityFunction, point_consensus,
};
use accord_report::svg::{FrontierPlot, Mark, escape, frontier_plot};
use accord_store::PartyRow;

use super::{Layout, Page, error_page, form_error, render, see_other, segment, when};
use crate::auth::Viewer;
use crate::drafts::{
    DiffOp, DraftSummary, DraftView, NewDraft, PointStatus, ResponseView, Verdict, WordRun,
};
use crate::error::{ApiError, ApiResult};
use crate::json::Body;
use crate::model::{CaseRows, DraftPoint, DraftText, parse_json};
use crate::{AppState, cases, drafts, meetings};

mod analysis;

use analysis::{analysis_fragment, analysis_panel};

/// How many audit records the dashboard lists, newest first.
const AUDIT_SHOWN: usize = 100;
/// The page size when reading the audit log through to its end.
const AUDIT_PAGE: i64 = 1000;

/// The mediator pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{case}/analysis-panel", get(analysis_panel))
        .route("/cases/{case}/drafts", post(new_draft))
        .route("/cases/{case}/drafts/new", get(new_draft_form))
        .route("/cases/{case}/drafts/{version}", get(draft_page))
        .route("/cases/{case}/drafts/{version}/table", post(table_draft))
        .route(
            "/cases/{case}/drafts/{version}/publish",
            post(publish_draft),
        )
        .route(
            "/cases/{case}/drafts/{version}/responses/publish",
            post(publish_responses),
        )
}

/// The two parties whose frontier the dashboard plots (`?x=PARTY&y=PARTY`); the first two
/// negotiating parties when absent.
#[derive(Debug, Clone, Deserialize, Default)]
pub(crate) struct DashboardQuery {
    /// The party on the x axis.
    pub(crate) x: Option<String>,
    /// The party on the y axis.
    pub(crate) y: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Small helpers.

/// A page's result: the page, or the error as a page.
fn page_or_error(result: ApiResult<Response>) -> Response {
    result.unwrap_or_else(|error| error_page(&error))
}

/// A JSON value as shown to people: strings without quotes, whole numbers without a
/// decimal point, `–` for null.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "–".to_string(),
        Value::String(text) => text.clone(),
        Value::Number(number) => match number.as_f64() {
            Some(x) if number.is_f64() && x.fract() == 0.0 && x.abs() < 1e15 => {
                format!("{x:.0}")
            }
            _ => number.to_string(),
        },
        other => other.to_string(),
    }
}

/// A value of a point as people read it: an option's label (its id when it has none), a
/// number as [`shown`].
fn option_label(point: &serde_json::Map<String, Value>, value: &Value) -> String {
    let Some(id) = value.as_str() else {
        return shown(value);
    };
    point
        .get("options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|o| o.get("id").and_then(Value::as_str) == Some(id))
        .and_then(|o| o.get("label").and_then(Value::as_str))
        .filter(|label| !label.is_empty())
        .unwrap_or(id)
        .to_string()
}

/// The case and the viewer's standing, refusing anyone but the mediator (403 page; 404
/// for a case the viewer may not know of).
async fn mediator_case(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
) -> ApiResult<accord_store::CaseRow> {
    let (case, standing) = viewer.standing(&state.store, case_id).await?;
    standing.require_mediator()?;
    Ok(case)
}

async fn draft_list(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
) -> ApiResult<Vec<DraftSummary>> {
    let axum::Json(list) = drafts::list_drafts(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    Ok(list)
}

async fn draft_view(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    version: i64,
) -> ApiResult<DraftView> {
    let axum::Json(view) = drafts::get_draft(
        State(state.clone()),
        viewer.clone(),
        Path((case_id.to_string(), version.to_string())),
    )
    .await?;
    Ok(view)
}

/// The parties that negotiate (role `party`), in case order.
fn negotiating(parties: &[PartyRow]) -> Vec<&PartyRow> {
    parties.iter().filter(|p| p.role == "party").collect()
}

fn party_name<'a>(parties: &'a [PartyRow], id: &'a str) -> &'a str {
    parties
        .iter()
        .find(|p| p.party_id == id)
        .map_or(id, |p| p.name.as_str())
}

// ---------------------------------------------------------------------------------------
// The dashboard.

/// One point of the case as the dashboard lists it.
struct PointItem {
    id: String,
    title: String,
    wording: String,
    value: String,
    /// `accepted`, `contested`, `blocked`, `open` or `untabled` (a CSS class too).
    status: &'static str,
    /// The status in words.
    status_text: String,
}

/// One cell of the heat map.
struct HeatCellItem {
    party: String,
    /// `accept`, `reject`, `amend` or `none`.
    verdict: &'static str,
    /// The verdict in words.
    text: String,
    /// The party's rating of the drafted value, out of 10, when known.
    rating: Option<String>,
    /// Whether the drafted value crosses one of the party's red lines on this point.
    crossed: bool,
    /// The party's comment on the point, if any.
    comment: String,
}

/// One row of the heat map.
struct HeatRow {
    point: String,
    title: String,
    value: String,
    cells: Vec<HeatCellItem>,
}

/// A party heading a column of the heat map.
struct Column {
    id: String,
    name: String,
}

/// A party, with whether it is chosen for an axis.
struct PartyChoice {
    id: String,
    name: String,
    x: bool,
    y: bool,
}

/// One version in the draft history.
struct DraftItem {
    version: i64,
    author: String,
    created: String,
    note: String,
    tabled: Option<String>,
    published: Option<String>,
    responses_published: Option<String>,
    previous: Option<i64>,
}

struct StatementItem {
    speaker: String,
    quote: String,
    /// Only the mediator reads it.
    confidential: bool,
}

struct MeetingItem {
    date: String,
    channel: String,
    summary: String,
    participants: String,
    tabled: String,
    published: Option<String>,
    statements: Vec<StatementItem>,
}

struct ChannelItem {
    name: String,
    description: String,
    parties: String,
}

struct AuditItem {
    at: String,
    user: String,
    action: String,
    subject: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "mediator.html")]
struct DashboardPage {
    layout: Layout,
    case_url: String,
    case_name: String,
    description: String,
    latest: Option<i64>,
    tabled: Option<i64>,
    points: Vec<PointItem>,
    columns: Vec<Column>,
    heat: Vec<HeatRow>,
    ratings_known: bool,
    /// The analysis panel, when the analysis is cached; else it is loaded on demand.
    analysis: Option<String>,
    analysis_url: String,
    drafts: Vec<DraftItem>,
    channels: Vec<ChannelItem>,
    meetings: Vec<MeetingItem>,
    audit: Vec<AuditItem>,
    audit_total: usize,
}

/// The mediator's dashboard for a case (`GET /cases/{case}` for a mediator); anyone else
/// gets the error page.
pub(crate) async fn dashboard(
    state: &AppState,
    page: &Page,
    case_id: &str,
    query: DashboardQuery,
) -> Response {
    page_or_error(dashboard_page(state, page, case_id, query).await)
}

async fn dashboard_page(
    state: &AppState,
    page: &Page,
    case_id: &str,
    query: DashboardQuery,
) -> ApiResult<Response> {
    let viewer = &page.0;
    let case = mediator_case(state, viewer, case_id).await?;
    let rows = CaseRows::load(&state.store, case_id).await?;
    let list = draft_list(state, viewer, case_id).await?;
    let latest = match list.last() {
        Some(d) => Some(draft_view(state, viewer, case_id, d.version).await?),
        None => None,
    };
    let tabled = match list.iter().rev().find(|d| d.tabled_ms.is_some()) {
        Some(d) => Some(draft_view(state, viewer, case_id, d.version).await?),
        None => None,
    };
    let responses = match &tabled {
        Some(t) => {
            let axum::Json(responses) = drafts::list_responses(
                State(state.clone()),
                viewer.clone(),
                Path((case_id.to_string(), t.summary.version.to_string())),
            )
            .await?;
            responses
        }
        None => Vec::new(),
    };
    let parties = negotiating(&rows.parties);
    let columns: Vec<(String, String)> = parties
        .iter()
        .map(|p| (p.party_id.clone(), p.name.clone()))
        .collect();
    let ratings = match &tabled {
        Some(t) => draft_ratings(&rows, t),
        None => HashMap::new(),
    };
    let (points, heat) = points_and_heat(
        &rows,
        latest.as_ref(),
        tabled.as_ref(),
        &responses,
        &columns,
        &ratings,
    )?;
    let (x, y) = axes(&columns, &query);
    let case_url = format!("/cases/{}", segment(case_id));
    let analysis_url = format!(
        "{case_url}/analysis-panel?x={}&y={}",
        segment(x.as_deref().unwrap_or_default()),
        segment(y.as_deref().unwrap_or_default())
    );
    let document = rows.document(true, None)?.to_string();
    let analysis = match state.cached_analysis(case_id, &document) {
        Some(Ok(cached)) => Some(analysis_fragment(
            case_id,
            &rows.parties,
            &rows,
            &cached,
            x.as_deref(),
            y.as_deref(),
        )?),
        // The panel's own request says why there is none.
        Some(Err(_)) | None => None,
    };
    let (channels, meetings) = talks(state, viewer, case_id, &rows.parties).await?;
    let (audit, audit_total) = audit(state, case_id).await?;
    let template = DashboardPage {
        layout: Layout::new(format!("{} · dashboard", case.name), page)
            .in_case(case_id, &case.name),
        case_url,
        case_name: case.name,
        description: case.description,
        latest: latest.as_ref().map(|d| d.summary.version),
        tabled: tabled.as_ref().map(|d| d.summary.version),
        points,
        columns: columns
            .into_iter()
            .map(|(id, name)| Column { id, name })
            .collect(),
        ratings_known: !ratings.is_empty(),
        heat,
        analysis,
        analysis_url,
        drafts: history(&list),
        channels,
        meetings,
        audit,
        audit_total,
    };
    Ok(render(StatusCode::OK, &template))
}

/// The parties on the frontier plot's axes: those asked for, else the first two.
fn axes(columns: &[(String, String)], query: &DashboardQuery) -> (Option<String>, Option<String>) {
    let known = |id: &Option<String>| {
        id.as_ref()
            .filter(|id| columns.iter().any(|(c, _)| c == *id))
            .cloned()
    };
    let x = known(&query.x).or_else(|| columns.first().map(|c| c.0.clone()));
    let y = known(&query.y).or_else(|| {
        columns
            .iter()
            .map(|c| &c.0)
            .find(|id| Some(*id) != x.as_ref())
            .cloned()
    });
    (x, y)
}

/// Each party's rating of the tabled draft's value on each point (0 to 1), and whether it
/// crosses one of its red lines there, by (point, party). Empty when the draft proposes
/// no package or the case does not read with it.
fn draft_ratings(
    rows: &CaseRows,
    tabled: &DraftView,
) -> HashMap<(String, String), (Option<f64>, bool)> {
    let text = DraftText {
        points: tabled.points.clone(),
        package: tabled.package.clone(),
    };
    let mut out = HashMap::new();
    let Ok(case) = rows.core_case(Some(&text)) else {
        return out;
    };
    let Some(package) = case.draft().cloned() else {
        return out;
    };
    let parties = case.negotiating_parties();
    let consensus = point_consensus(&case, &parties);
    for (column, &party) in parties.iter().enumerate() {
        let Some(position) = case.position(party) else {
            continue;
        };
        for (k, point) in case.points().iter().enumerate() {
            let idx = PointIdx(k);
            let choice = package.choice(idx);
            let rating = rating(&case, &consensus, column, party, idx, choice);
            let crossed = position
                .red_lines
                .iter()
                .any(|r| r.require.point == idx && r.is_crossed_by(&package));
            out.insert(
                (point.id.clone(), case.parties()[party.0].id.clone()),
                (rating, crossed),
            );
        }
    }
    out
}

/// How `party` rates `choice` on `point`, from 0 (its worst value there) to 1 (its best):
/// the consensus analysis's rating on a point of options, the evaluator's score on a
/// range; `None` where it is indifferent or its utility is not additive. As the report's
/// heat map rates.
fn rating(
    case: &Case,
    consensus: &[PointConsensus],
    column: usize,
    party: PartyIdx,
    point: PointIdx,
    choice: Choice,
) -> Option<f64> {
    let UtilityFunction::Additive(additive) = &case.position(party)?.utility else {
        return None;
    };
    match (&case.points()[point.0].kind, choice) {
        (PointKind::Options(_), Choice::Option(k)) => consensus
            .iter()
            .find(|c| c.point == point)
            .and_then(|c| c.options.get(k.0))
            .and_then(|o| o.ratings.get(column).copied().flatten()),
        _ => (additive.weights()[point.0] > 0.0)
            .then(|| additive.evaluators()[point.0].score(choice).clamp(0.0, 1.0)),
    }
}

/// The points list and the heat map rows.
fn points_and_heat(
    rows: &CaseRows,
    latest: Option<&DraftView>,
    tabled: Option<&DraftView>,
    responses: &[ResponseView],
    columns: &[(String, String)],
    ratings: &HashMap<(String, String), (Option<f64>, bool)>,
) -> ApiResult<(Vec<PointItem>, Vec<HeatRow>)> {
    // A draft's value on a point, an option by its label where it has one.
    let value_in = |draft: Option<&DraftView>, id: &str, body: &serde_json::Map<String, Value>| {
        draft
            .and_then(|d| d.package.as_ref())
            .and_then(|p| p.get(id))
            .map_or_else(|| "–".to_string(), |value| option_label(body, value))
    };
    let mut points = Vec::new();
    let mut heat = Vec::new();
    for row in &rows.points {
        let id = &row.point_id;
        let body: serde_json::Map<String, Value> = parse_json("point", &row.body)?;
        let own_title = body
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_string();
        let drafted = latest.and_then(|d| d.points.iter().find(|p| &p.point == id));
        let title = drafted
            .map(|p| p.title.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| own_title.clone());
        let wording = drafted.map(|p| p.text.clone()).unwrap_or_default();
        let in_tabled = tabled.is_some_and(|t| t.points.iter().any(|p| &p.point == id));
        let answers: Vec<Option<&drafts::PointAnswer>> = columns
            .iter()
            .map(|(party, _)| {
                responses
                    .iter()
                    .find(|r| &r.party == party)
                    .and_then(|r| r.points.get(id))
            })
            .collect();
        let count = |verdict: Verdict| {
            answers
                .iter()
                .filter(|a| a.is_some_and(|a| a.verdict == verdict))
                .count()
        };
        let (accept, reject, amend) = (
            count(Verdict::Accept),
            count(Verdict::Reject),
            count(Verdict::Amend),
        );
        let unanswered = columns.len() - accept - reject - amend;
        let (status, status_text) = if !in_tabled {
            ("untabled", "not in a tabled draft".to_string())
        } else if reject > 0 {
            ("blocked", format!("blocked: {reject} reject"))
        } else if amend > 0 {
            ("contested", format!("contested: {amend} amend"))
        } else if unanswered == 0 && accept > 0 {
            ("accepted", "accepted by all".to_string())
        } else if accept == 0 {
            ("open", "awaiting responses".to_string())
        } else {
            (
                "open",
                format!("open: {accept} of {} accept so far", columns.len()),
            )
        };
        points.push(PointItem {
            id: id.clone(),
            title: title.clone(),
            wording,
            value: value_in(latest, id, &body),
            status,
            status_text,
        });
        let cells = columns
            .iter()
            .zip(&answers)
            .map(|((party, _), answer)| {
                let (verdict, text) = match answer.map(|a| a.verdict) {
                    Some(Verdict::Accept) => ("accept", "accepts".to_string()),
                    Some(Verdict::Reject) => ("reject", "rejects".to_string()),
                    Some(Verdict::Amend) => {
                        let value = answer
                            .and_then(|a| a.amendment.as_ref())
                            .and_then(|a| a.value.as_ref())
                            .map(shown);
                        (
                            "amend",
                            value.map_or_else(
                                || "amends the wording".to_string(),
                                |v| format!("amends: {v}"),
                            ),
                        )
                    }
                    None => ("none", "no answer".to_string()),
                };
                let (rating, crossed) = ratings
                    .get(&(id.clone(), party.clone()))
                    .copied()
                    .unwrap_or((None, false));
                HeatCellItem {
                    party: party.clone(),
                    verdict,
                    text,
                    rating: rating.map(|r| format!("{:.1}", r * 10.0)),
                    crossed,
                    comment: answer.and_then(|a| a.comment.clone()).unwrap_or_default(),
                }
            })
            .collect();
        if in_tabled {
            heat.push(HeatRow {
                point: id.clone(),
                title,
                value: value_in(tabled, id, &body),
                cells,
            });
        }
    }
    Ok((points, heat))
}

fn history(list: &[DraftSummary]) -> Vec<DraftItem> {
    let mut previous = None;
    let mut out = Vec::new();
    for d in list {
        out.push(DraftItem {
            version: d.version,
            author: d.author.clone(),
            created: when(d.created_ms),
            note: d.note.clone(),
            tabled: d.tabled_ms.map(when),
            published: d.published_ms.map(when),
            responses_published: d.responses_published_ms.map(when),
            previous,
        });
        previous = Some(d.version);
    }
    // Newest first: the version in play is the one looked for.
    out.reverse();
    out
}

/// The channels, and the meetings with their statements.
async fn talks(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    parties: &[PartyRow],
) -> ApiResult<(Vec<ChannelItem>, Vec<MeetingItem>)> {
    let names = |ids: &[String]| {
        ids.iter()
            .map(|id| party_name(parties, id).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let axum::Json(channels) = meetings::list_channels(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    let channels = channels
        .iter()
        .map(|c| ChannelItem {
            name: c.name.clone(),
            description: c.description.clone(),
            parties: names(&c.parties),
        })
        .collect();
    let axum::Json(list) = meetings::list_meetings(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    let mut out = Vec::new();
    for meeting in list {
        let axum::Json(detail) = meetings::get_meeting(
            State(state.clone()),
            viewer.clone(),
            Path((case_id.to_string(), meeting.id.clone())),
        )
        .await?;
        out.push(MeetingItem {
            date: meeting.date,
            channel: meeting.channel_name,
            summary: meeting.summary,
            participants: meeting
                .participants
                .iter()
                .map(|p| format!("{} ({})", p.name, party_name(parties, &p.party)))
                .collect::<Vec<_>>()
                .join(", "),
            tabled: meeting
                .tabled
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            published: meeting.published_ms.map(when),
            statements: detail
                .statements
                .into_iter()
                .map(|s| StatementItem {
                    speaker: s.speaker,
                    quote: s.quote,
                    confidential: s.confidential,
                })
                .collect(),
        });
    }
    Ok((channels, out))
}

/// The latest audit records of the case, newest first, and how many there are in all.
async fn audit(state: &AppState, case_id: &str) -> ApiResult<(Vec<AuditItem>, usize)> {
    let mut records = Vec::new();
    let mut total = 0;
    let mut after: Option<String> = None;
    loop {
        let page = state
            .store
            .audit(Some(case_id), after.as_deref(), AUDIT_PAGE)
            .await?;
        let full = i64::try_from(page.len()).unwrap_or(i64::MAX) >= AUDIT_PAGE;
        after = page.last().map(|r| r.id.clone());
        total += page.len();
        records.extend(page);
        if !full {
            break;
        }
        // Only the last ones are shown: keep memory bounded on a long log.
        if records.len() > 4 * AUDIT_SHOWN {
            records.drain(..records.len() - AUDIT_SHOWN);
        }
    }
    let start = records.len().saturating_sub(AUDIT_SHOWN);
    let views = meetings::audit_views(state, records.split_off(start)).await?;
    let items = views
        .into_iter()
        .rev()
        .map(|v| AuditItem {
            at: when(v.at_ms),
            user: v
                .username
                .or(v.account)
                .unwrap_or_else(|| "server".to_string()),
            action: v.action,
            subject: v.subject,
            detail: v.detail.to_string(),
        })
        .collect();
    Ok((items, total))
}

// ---------------------------------------------------------------------------------------
// Draft actions.

/// Calls a stamp handler of the API and answers 303 back to the dashboard's history.
async fn stamp<F, Fut>(
    state: AppState,
    page: Page,
    case_id: String,
    version: String,
    call: F,
) -> Response
where
    F: FnOnce(State<AppState>, Viewer, Path<(String, String)>) -> Fut,
    Fut: Future<Output = ApiResult<axum::Json<DraftSummary>>>,
{
    let back = format!("/cases/{}#drafts", segment(&case_id));
    match call(State(state), page.0, Path((case_id, version))).await {
        Ok(_) => see_other(&back),
        Err(error) => error_page(&error),
    }
}

/// `POST /cases/{case}/drafts/{version}/table` (mediator only).
async fn table_draft(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, version)): Path<(String, String)>,
) -> Response {
    stamp(state, page, case_id, version, drafts::table_draft).await
}

/// `POST /cases/{case}/drafts/{version}/publish` (mediator only).
async fn publish_draft(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, version)): Path<(String, String)>,
) -> Response {
    stamp(state, page, case_id, version, drafts::publish_draft).await
}

/// `POST /cases/{case}/drafts/{version}/responses/publish` (mediator only).
async fn publish_responses(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, version)): Path<(String, String)>,
) -> Response {
    stamp(state, page, case_id, version, drafts::publish_responses).await
}

// ---------------------------------------------------------------------------------------
// A new draft version.

/// One point in the new-draft form.
struct FormPoint {
    id: String,
    title: String,
    text: String,
    /// The value field: `options` (a select), `integer` or `real` (a number input).
    kind: &'static str,
    /// The options (id, label) of a point of options.
    options: Vec<(String, String)>,
    min: String,
    max: String,
    value: String,
}

#[derive(Template)]
#[template(path = "draft_new.html")]
struct NewDraftPage {
    layout: Layout,
    case_url: String,
    based_on: Option<i64>,
    next: i64,
    note: String,
    error: Option<String>,
    points: Vec<FormPoint>,
}

/// The case's points for the form, filled from `text` and `values`.
fn form_points(
    case: &Case,
    text: &[DraftPoint],
    values: &dyn Fn(&str) -> String,
) -> Vec<FormPoint> {
    case.points()
        .iter()
        .map(|point| {
            let drafted = text.iter().find(|p| p.point == point.id);
            let (kind, options, min, max) = match &point.kind {
                PointKind::Options(options) => (
                    "options",
                    options
                        .iter()
                        .map(|o| {
                            (
                                o.id.clone(),
                                if o.label.is_empty() {
                                    o.id.clone()
                                } else {
                                    o.label.clone()
                                },
                            )
                        })
                        .collect(),
                    String::new(),
                    String::new(),
                ),
                PointKind::Integer { min, max } => {
                    ("integer", Vec::new(), min.to_string(), max.to_string())
                }
                PointKind::Real { min, max } => {
                    ("real", Vec::new(), min.to_string(), max.to_string())
                }
            };
            FormPoint {
                id: point.id.clone(),
                title: drafted.map_or_else(|| point.title.clone(), |p| p.title.clone()),
                text: drafted.map_or_else(|| point.text.clone(), |p| p.text.clone()),
                kind,
                options,
                min,
                max,
                value: values(&point.id),
            }
        })
        .collect()
}

/// The case in the core model with no draft package (its points are what the form needs).
fn points_case(rows: &CaseRows) -> ApiResult<Case> {
    rows.core_case(Some(&DraftText {
        points: Vec::new(),
        package: None,
    }))
}

/// `GET /cases/{case}/drafts/new`: the form for a new version, filled from the latest
/// (mediator only).
async fn new_draft_form(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
) -> Response {
    page_or_error(new_draft_form_page(&state, &page, &case_id).await)
}

async fn new_draft_form_page(state: &AppState, page: &Page, case_id: &str) -> ApiResult<Response> {
    let viewer = &page.0;
    let case_row = mediator_case(state, viewer, case_id).await?;
    let rows = CaseRows::load(&state.store, case_id).await?;
    let case = points_case(&rows)?;
    let list = draft_list(state, viewer, case_id).await?;
    let latest = match list.last() {
        Some(d) => Some(draft_view(state, viewer, case_id, d.version).await?),
        None => None,
    };
    let text = latest
        .as_ref()
        .map(|d| d.points.clone())
        .unwrap_or_default();
    let package = latest.as_ref().and_then(|d| d.package.clone());
    let values = |id: &str| {
        package
            .as_ref()
            .and_then(|p| p.get(id))
            .map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .unwrap_or_default()
    };
    let template = NewDraftPage {
        layout: Layout::new("New draft version", page).in_case(case_id, &case_row.name),
        case_url: format!("/cases/{}", segment(case_id)),
        based_on: latest.as_ref().map(|d| d.summary.version),
        next: list.last().map_or(1, |d| d.version + 1),
        note: String::new(),
        error: None,
        points: form_points(&case, &text, &values),
    };
    Ok(render(StatusCode::OK, &template))
}

/// A submitted value as the case file writes it, for a point of `kind`.
fn form_value(point: &accord_core::Point, text: &str) -> ApiResult<Value> {
    let field = format!("value.{}", point.id);
    match &point.kind {
        PointKind::Options(_) => Ok(Value::String(text.to_string())),
        PointKind::Integer { .. } => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| ApiError::invalid(field, format!("`{text}` is not a whole number"))),
        PointKind::Real { .. } => text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .and_then(|v| serde_json::Number::from_f64(v).map(Value::Number))
            .ok_or_else(|| ApiError::invalid(field, format!("`{text}` is not a number"))),
    }
}

/// `POST /cases/{case}/drafts` (form fields `note`, `title.POINT`, `text.POINT`,
/// `value.POINT`): writes a new version through the API's handler (mediator only) and
/// answers 303 back to the dashboard; a refused form comes back with the error, 422.
async fn new_draft(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    page_or_error(new_draft_response(&state, &page, &case_id, form).await)
}

async fn new_draft_response(
    state: &AppState,
    page: &Page,
    case_id: &str,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> ApiResult<Response> {
    let viewer = &page.0;
    let case_row = mediator_case(state, viewer, case_id).await?;
    let Form(fields) = form.map_err(|e| form_error(&e))?;
    let fields: IndexMap<String, String> = fields.into_iter().collect();
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let rows = CaseRows::load(&state.store, case_id).await?;
    let case = points_case(&rows)?;
    let note = field("note");
    let points: Vec<DraftPoint> = case
        .points()
        .iter()
        .map(|p| DraftPoint {
            point: p.id.clone(),
            title: field(&format!("title.{}", p.id)).trim().to_string(),
            text: field(&format!("text.{}", p.id)).replace("\r\n", "\n"),
        })
        .collect();
    let given = |id: &str| field(&format!("value.{id}")).trim().to_string();
    let result = async {
        let package = if case.points().iter().all(|p| given(&p.id).is_empty()) {
            None
        } else {
            let mut package = IndexMap::new();
            for point in case.points() {
                let text = given(&point.id);
                if text.is_empty() {
                    return Err(ApiError::invalid(
                        format!("value.{}", point.id),
                        format!(
                            "no value for point `{}`: give every point a value, or none",
                            point.id
                        ),
                    ));
                }
                package.insert(point.id.clone(), form_value(point, &text)?);
            }
            Some(package)
        };
        drafts::post_draft(
            State(state.clone()),
            viewer.clone(),
            Path(case_id.to_string()),
            Body(NewDraft {
                note: note.clone(),
                points: points.clone(),
                package,
            }),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/cases/{}#drafts", segment(case_id)))),
        Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let list = draft_list(state, viewer, case_id).await?;
            let message = match error.field() {
                Some(field) => format!("{field}: {}", error.message()),
                None => error.message().to_string(),
            };
            let template = NewDraftPage {
                layout: Layout::new("New draft version", page).in_case(case_id, &case_row.name),
                case_url: format!("/cases/{}", segment(case_id)),
                based_on: list.last().map(|d| d.version),
                next: list.last().map_or(1, |d| d.version + 1),
                note,
                error: Some(message),
                points: form_points(&case, &points, &given),
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &template))
        }
        Err(error) => Err(error),
    }
}

// ---------------------------------------------------------------------------------------
// The draft page and its diff.

/// `?against=VERSION`: the version to compare with.
#[derive(Debug, Deserialize)]
struct DraftQuery {
    against: Option<String>,
}

/// One point of a draft as its page shows it.
struct TextRow {
    id: String,
    title: String,
    text: String,
    value: String,
}

/// One point of a diff, its sides as HTML with `<del>` and `<ins>` marks.
struct DiffRow {
    id: String,
    title: String,
    /// `unchanged`, `changed`, `added` or `removed`.
    status: &'static str,
    left: String,
    right: String,
    value_left: String,
    value_right: String,
    value_changed: bool,
}

/// A version the draft may be compared with, and whether it is the one chosen.
struct VersionChoice {
    version: i64,
    selected: bool,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    layout: Layout,
    case_url: String,
    version: i64,
    author: String,
    created: String,
    note: String,
    tabled: Option<String>,
    published: Option<String>,
    responses_published: Option<String>,
    mediator: bool,
    /// The versions the viewer may compare with.
    others: Vec<VersionChoice>,
    against: Option<i64>,
    text: Vec<TextRow>,
    diff: Vec<DiffRow>,
    summary: String,
}

/// One side of a word diff as HTML: the kept words, and the `op` words marked with `tag`.
fn side(runs: &[WordRun], op: DiffOp, tag: &str) -> String {
    let mut out = String::new();
    for run in runs {
        if run.op == DiffOp::Equal {
            out.push_str(&escape(&run.text));
        } else if run.op == op {
            let _ = write!(out, "<{tag}>{}</{tag}>", escape(&run.text));
        }
    }
    out
}

/// `GET /cases/{case}/drafts/{version}?against=OTHER`: a draft version, and its
/// differences from another, side by side. Anyone who may read the version (the mediator
/// any, a party the tabled ones, an observer the published ones), compared only with a
/// version they may read too.
async fn draft_page(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, version)): Path<(String, String)>,
    query: Result<Query<DraftQuery>, QueryRejection>,
) -> Response {
    page_or_error(draft_response(&state, &page, &case_id, &version, query).await)
}

async fn draft_response(
    state: &AppState,
    page: &Page,
    case_id: &str,
    version: &str,
    query: Result<Query<DraftQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let viewer = &page.0;
    let (case, standing) = viewer.standing(&state.store, case_id).await?;
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    // The API's handlers parse the versions and decide what the viewer may read.
    let axum::Json(draft) = drafts::get_draft(
        State(state.clone()),
        viewer.clone(),
        Path((case_id.to_string(), version.to_string())),
    )
    .await?;
    let number = draft.summary.version;
    let against = query
        .against
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let value_of = |package: Option<&IndexMap<String, Value>>, id: &str| {
        package
            .and_then(|p| p.get(id))
            .map_or_else(|| "–".to_string(), shown)
    };
    let mut diff = Vec::new();
    let mut summary = String::new();
    let mut compared = None;
    if let Some(other) = against {
        let axum::Json(found) = drafts::diff_drafts(
            State(state.clone()),
            viewer.clone(),
            Path((case_id.to_string(), other.to_string(), number.to_string())),
        )
        .await?;
        compared = Some(found.from);
        let s = &found.summary;
        summary = format!(
            "{} changed, {} added, {} removed, {} unchanged; wording changed on {}, proposed value on {}.",
            s.changed, s.added, s.removed, s.unchanged, s.wording_changed, s.values_changed
        );
        for point in &found.points {
            let title = draft
                .points
                .iter()
                .find(|p| p.point == point.point)
                .map(|p| p.title.clone())
                .or_else(|| point.title.as_ref().map(|t| t.to.clone()))
                .unwrap_or_else(|| point.point.clone());
            let (mut left, mut right) = (
                side(&point.wording, DiffOp::Delete, "del"),
                side(&point.wording, DiffOp::Insert, "ins"),
            );
            if let Some(change) = &point.title {
                left = format!(
                    "<p class=\"title-change\">Title: <del>{}</del></p>{left}",
                    escape(&change.from)
                );
                right = format!(
                    "<p class=\"title-change\">Title: <ins>{}</ins></p>{right}",
                    escape(&change.to)
                );
            }
            let (value_left, value_right, value_changed) = if let Some(change) = &point.value {
                (shown(&change.from), shown(&change.to), true)
            } else {
                let same = value_of(draft.package.as_ref(), &point.point);
                (same.clone(), same, false)
            };
            diff.push(DiffRow {
                id: point.point.clone(),
                title,
                status: match point.status {
                    PointStatus::Unchanged => "unchanged",
                    PointStatus::Changed => "changed",
                    PointStatus::Added => "added",
                    PointStatus::Removed => "removed",
                },
                left,
                right,
                value_left,
                value_right,
                value_changed,
            });
        }
    }
    let text = draft
        .points
        .iter()
        .map(|p| TextRow {
            id: p.point.clone(),
            title: p.title.clone(),
            text: p.text.clone(),
            value: value_of(draft.package.as_ref(), &p.point),
        })
        .collect();
    let list = draft_list(state, viewer, case_id).await?;
    let others = list
        .iter()
        .filter(|d| d.version != number)
        .map(|d| VersionChoice {
            version: d.version,
            selected: Some(d.version) == compared,
        })
        .collect();
    let s = &draft.summary;
    let template = DraftPage {
        layout: Layout::new(format!("Draft {number} · {}", case.name), page)
            .in_case(case_id, &case.name),
        case_url: format!("/cases/{}", segment(case_id)),
        version: number,
        author: s.author.clone(),
        created: when(s.created_ms),
        note: s.note.clone(),
        tabled: s.tabled_ms.map(when),
        published: s.published_ms.map(when),
        responses_published: s.responses_published_ms.map(when),
        mediator: standing.is_mediator(),
        others,
        against: compared,
        text,
        diff,
        summary,
    };
    Ok(render(StatusCode::OK, &template))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_sides_mark_their_own_runs() {
        let runs = [
            WordRun {
                op: DiffOp::Equal,
                text: "the ".into(),
            },
            WordRun {
                op: DiffOp::Delete,
                text: "old".into(),
            },
            WordRun {
                op: DiffOp::Insert,
                text: "new <b>".into(),
            },
        ];
        assert_eq!(side(&runs, DiffOp::Delete, "del"), "the <del>old</del>");
        assert_eq!(
            side(&runs, DiffOp::Insert, "ins"),
            "the <ins>new &lt;b&gt;</ins>"
        );
    }
}
