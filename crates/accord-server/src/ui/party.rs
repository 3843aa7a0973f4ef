//! Pages of party members and observers: a member's view of its case (its own position,
//! the latest tabled draft with the response form, its own utility for the draft, the
//! published tally), the position editor with its check-as-you-type, and an observer's
//! view of what the mediator published.
//!
//! Every read and write goes through the API's handlers, so the access rules are the
//! API's: a member sees nothing of another party's position, and a position page of
//! another party is a 403 (another case a 404), never data.
//!
//! Routes:
//! - `GET /cases/{case}/position[?party=ID]`: the editor (the party's members, and the
//!   mediator with `?party=`);
//! - `POST /cases/{case}/position[?party=ID]`: saves it (303 back, or the form again with
//!   every problem, 422);
//! - `POST /cases/{case}/position/check[?party=ID]`: checks the form, never saves; an
//!   HTML fragment with the problems or "valid" (htmx, as the form is typed in);
//! - `POST /cases/{case}/drafts/{version}/respond`: a member's response to a tabled draft
//!   (one form for every point; it replaces the previous response).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use accord_report::words;

use super::{
    Layout, Page, case_href, decimal, error_page, form_error, render, see_other, segment, when,
};
use crate::AppState;
use crate::access::Standing;
use crate::cases::{self, OwnAnalysis};
use crate::drafts::{self, Amendment, DraftView, PointAnswer, ResponseBody, Tally, Verdict};
use crate::error::{ApiError, ApiResult};
use crate::json::Body;
use crate::meetings;
use crate::model::CaseRows;

/// The party pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{case}/position",
            get(position_editor).post(save_position),
        )
        .route("/cases/{case}/position/check", post(check_position))
        .route("/cases/{case}/drafts/{version}/respond", post(respond))
}

/// The fields of a posted form; a field given twice keeps its last value.
type Fields = HashMap<String, String>;

fn fields_of(pairs: Vec<(String, String)>) -> Fields {
    pairs.into_iter().collect()
}

fn field<'f>(fields: &'f Fields, name: &str) -> &'f str {
    fields.get(name).map_or("", |v| v.trim())
}

// ---------------------------------------------------------------------------------------
// Points, values and numbers.

/// A point's definition, as far as the pages need it.
struct PointInfo {
    id: String,
    title: String,
    options: Vec<OptionInfo>,
    /// `(min, max, real)` for a range point.
    range: Option<(f64, f64, bool)>,
}

struct OptionInfo {
    id: String,
    label: String,
}

/// The points of the case file's point tables.
fn point_infos(tables: &[Value]) -> Vec<PointInfo> {
    tables
        .iter()
        .map(|table| {
            let id = text(&table["id"]);
            let title = match text(&table["title"]) {
                title if title.is_empty() => id.clone(),
                title => title,
            };
            let options = table["options"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|option| match option {
                    Value::String(id) => OptionInfo {
                        id: id.clone(),
                        label: id.clone(),
                    },
                    other => {
                        let id = text(&other["id"]);
                        let label = match text(&other["label"]) {
                            label if label.is_empty() => id.clone(),
                            label => label,
                        };
                        OptionInfo { id, label }
                    }
                })
                .collect();
            let range = table["range"].as_object().map(|range| {
                (
                    range.get("min").and_then(Value::as_f64).unwrap_or(0.0),
                    range.get("max").and_then(Value::as_f64).unwrap_or(0.0),
                    range.get("real").and_then(Value::as_bool).unwrap_or(false),
                )
            });
            PointInfo {
                id,
                title,
                options,
                range,
            }
        })
        .collect()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// A JSON value as shown: strings bare, numbers as written.
fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => plain(other),
    }
}

/// A JSON number as people write it: `750000`, not `750000.0`; anything else as JSON.
fn plain(value: &Value) -> String {
    match (value.as_i64(), value.as_f64()) {
        (Some(n), _) => n.to_string(),
        (None, Some(x)) => x.to_string(),
        _ => value.to_string(),
    }
}

/// A number with at most four decimals, trailing zeros dropped (`0.0491`, `10`).
fn short(x: f64) -> String {
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// A point's value (an option id or a number) as people read it: the option's label.
fn value_label(point: Option<&PointInfo>, value: &Value) -> String {
    match (point, value) {
        (Some(point), Value::String(id)) => point
            .options
            .iter()
            .find(|o| &o.id == id)
            .map_or_else(|| id.clone(), |o| o.label.clone()),
        (_, value) => shown(value),
    }
}

/// A number typed into a form; `None` for anything but a finite number.
fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A number as JSON: whole numbers as integers, so that integer ranges take them.
fn number_json(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// A problem with a form: the field as the API names it, and what is wrong.
#[derive(Debug, Clone)]
struct Problem {
    field: String,
    message: String,
}

impl Problem {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: super::prose(&message.into()),
        }
    }
}

/// The problems of an API error: a document error lists one per line
/// (`body: FIELD: MESSAGE`), any other names its field.
fn problems_of(error: &ApiError) -> Vec<Problem> {
    let mut problems = Vec::new();
    for line in error.message().lines() {
        let line = line.strip_prefix("body: ").unwrap_or(line);
        match line.split_once(": ") {
            Some((field, message))
                if field.starts_with("position") || field.starts_with("points") =>
            {
                problems.push(Problem::new(field, message));
            }
            _ => problems.push(Problem::new(error.field().unwrap_or_default(), line)),
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------
// Shared views: tallies and meetings.

/// The published tally of one draft.
struct TallyView {
    version: i64,
    answered: String,
    accept_all: String,
    rows: Vec<TallyRow>,
}

struct TallyRow {
    title: String,
    accept: usize,
    reject: usize,
    amend: usize,
    unanswered: usize,
    /// Who answered what, skipping empty groups.
    who: String,
    amendments: Vec<String>,
}

fn names(parties: &[String]) -> String {
    if parties.is_empty() {
        "none".to_string()
    } else {
        parties.join(", ")
    }
}

fn tally_view(tally: Tally, points: &[PointInfo]) -> TallyView {
    let rows = tally
        .points
        .into_iter()
        .map(|row| {
            let point = points.iter().find(|p| p.id == row.point);
            let amendments = row
                .amendments
                .iter()
                .map(|a| {
                    let mut parts = Vec::new();
                    if let Some(value) = &a.amendment.value {
                        parts.push(format!("value {}", value_label(point, value)));
                    }
                    if let Some(text) = &a.amendment.text {
                        parts.push(format!("wording \u{201c}{text}\u{201d}"));
                    }
                    format!("{}: {}", a.party, parts.join("; "))
                })
                .collect();
            TallyRow {
                title: if row.title.is_empty() {
                    row.point.clone()
                } else {
                    row.title.clone()
                },
                accept: row.accept,
                reject: row.reject,
                amend: row.amend,
                unanswered: row.unanswered,
                who: [
                    ("accept", &row.accepted_by),
                    ("reject", &row.rejected_by),
                    ("amend", &row.amended_by),
                    ("no answer", &row.unanswered_by),
                ]
                .iter()
                .filter(|(_, parties)| !parties.is_empty())
                .map(|(verdict, parties)| format!("{verdict}: {}", parties.join(", ")))
                .collect::<Vec<_>>()
                .join("; "),
                amendments,
            }
        })
        .collect();
    TallyView {
        version: tally.version,
        answered: names(&tally.answered),
        accept_all: names(&tally.accept_all),
        rows,
    }
}

/// A meeting with its statements.
struct MeetingBlock {
    heading: String,
    summary: String,
    participants: String,
    tabled: String,
    statements: Vec<(String, String)>,
}

/// The meetings the viewer may read, with their statements, latest first.
async fn meeting_blocks(
    state: &AppState,
    page: &Page,
    case_id: &str,
) -> ApiResult<Vec<MeetingBlock>> {
    let Json(list) = meetings::list_meetings(
        State(state.clone()),
        page.0.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    let mut blocks = Vec::new();
    for meeting in list.into_iter().rev() {
        let Json(detail) = meetings::get_meeting(
            State(state.clone()),
            page.0.clone(),
            Path((case_id.to_string(), meeting.id.clone())),
        )
        .await?;
        let meeting = detail.meeting;
        let participants = meeting
            .participants
            .iter()
            .map(|p| format!("{} ({})", p.name, p.party))
            .collect::<Vec<_>>()
            .join(", ");
        let tabled = meeting
            .tabled
            .iter()
            .map(|v| format!("draft {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        blocks.push(MeetingBlock {
            heading: if meeting.channel_name.is_empty() {
                meeting.date.clone()
            } else {
                format!("{} \u{2014} {}", meeting.date, meeting.channel_name)
            },
            summary: meeting.summary,
            participants,
            tabled,
            statements: detail
                .statements
                .into_iter()
                .map(|s| (s.speaker, s.quote))
                .collect(),
        });
    }
    Ok(blocks)
}

/// The tally of a draft, if the viewer may read it (the responses are published).
async fn published_tally(
    state: &AppState,
    page: &Page,
    case_id: &str,
    version: i64,
    points: &[PointInfo],
) -> ApiResult<Option<TallyView>> {
    match drafts::get_tally(
        State(state.clone()),
        page.0.clone(),
        Path((case_id.to_string(), version.to_string())),
    )
    .await
    {
        Ok(Json(tally)) => Ok(Some(tally_view(tally, points))),
        Err(error) if error.status() == StatusCode::FORBIDDEN => Ok(None),
        Err(error) => Err(error),
    }
}

async fn draft_view(
    state: &AppState,
    page: &Page,
    case_id: &str,
    version: i64,
) -> ApiResult<DraftView> {
    let Json(draft) = drafts::get_draft(
        State(state.clone()),
        page.0.clone(),
        Path((case_id.to_string(), version.to_string())),
    )
    .await?;
    Ok(draft)
}

// ---------------------------------------------------------------------------------------
// The party member's view.

/// A summary of the party's own position.
struct PositionSummary {
    updated: String,
    reservation_value: String,
    weights: Vec<(String, String, String)>,
    red_lines: Vec<String>,
    constraint: bool,
}

/// How the draft fares for the party, from its own analysis.
struct OwnUtility {
    version: i64,
    utility: String,
    reservation_value: String,
    accepts: bool,
    crossed: Vec<String>,
    best: Option<String>,
    bar: String,
}

/// One point of the response form.
struct ResponsePoint {
    /// The point's index, for element ids.
    idx: usize,
    id: String,
    title: String,
    text: String,
    proposed: String,
    verdict: String,
    /// `select`, `number` or empty (a point without values to amend).
    amend_kind: &'static str,
    amend_options: Vec<(String, String, bool)>,
    amend_value: String,
    amend_min: String,
    amend_max: String,
    amend_step: &'static str,
    amend_text: String,
    comment: String,
}

struct ResponseForm {
    version: i64,
    note: String,
    tabled: String,
    action: String,
    /// The responses are published, so they are final: the form is shown read-only.
    closed: bool,
    submitted: Option<String>,
    comment: String,
    points: Vec<ResponsePoint>,
}

#[derive(Template)]
#[template(path = "party.html")]
struct PartyPage {
    layout: Layout,
    case_name: String,
    description: String,
    party_name: String,
    editor_href: String,
    elicit_href: String,
    position: Option<PositionSummary>,
    own: Option<OwnUtility>,
    own_note: Option<String>,
    draft: Option<ResponseForm>,
    tally: Option<TallyView>,
    meetings: Vec<MeetingBlock>,
    problems: Vec<Problem>,
}

#[derive(Debug, Default, Deserialize)]
struct PartyQuery {
    saved: Option<String>,
}

/// A party member's view of its case (the dispatch of `GET /cases/{case}`).
pub(crate) async fn party_view(
    state: &AppState,
    page: &Page,
    case_id: &str,
    party: &str,
    uri: &Uri,
) -> Response {
    let query =
        Query::<PartyQuery>::try_from_uri(uri).map_or_else(|_| PartyQuery::default(), |q| q.0);
    let notice = query
        .saved
        .filter(|s| s == "response")
        .map(|_| "Your response is saved.".to_string());
    match party_page(state, page, case_id, party, notice, None).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(error) => error_page(&error),
    }
}

/// The party page; `submitted` is a response form that failed, shown again with its
/// problems.
async fn party_page(
    state: &AppState,
    page: &Page,
    case_id: &str,
    party: &str,
    notice: Option<String>,
    submitted: Option<(&Fields, &[Problem])>,
) -> ApiResult<PartyPage> {
    let viewer = page.0.clone();
    let Json(summary) = cases::get_case(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    let Json(tables) = cases::list_points(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    let points = point_infos(&tables);
    let party_name = summary
        .parties
        .iter()
        .find(|p| p.id == party)
        .map_or_else(|| party.to_string(), |p| p.name.clone());

    let position = match cases::get_position(
        State(state.clone()),
        viewer.clone(),
        Path((case_id.to_string(), party.to_string())),
    )
    .await
    {
        Ok(Json(view)) => Some(position_summary(&view.position, view.updated_ms, &points)),
        Err(error) if error.status() == StatusCode::NOT_FOUND => None,
        Err(error) => return Err(error),
    };

    let (own, own_note) = if position.is_some() {
        match cases::get_analysis(
            State(state.clone()),
            viewer.clone(),
            Path(case_id.to_string()),
        )
        .await
        {
            Ok(Json(value)) => match serde_json::from_value::<OwnAnalysis>(value) {
                Ok(analysis) => own_utility(&analysis),
                Err(error) => return Err(ApiError::internal(error)),
            },
            // A position that no longer fits, an analysis too long, or a busy server: the
            // page shows why there is no utility, and everything else.
            Err(error)
                if error.status() == StatusCode::CONFLICT
                    || matches!(error.code(), "too_large" | "busy" | "too_many_requests") =>
            {
                (None, Some(error.message().to_string()))
            }
            Err(error) => return Err(error),
        }
    } else {
        (None, None)
    };

    // The latest tabled draft (a member reads the tabled ones and the published ones).
    let Json(list) = drafts::list_drafts(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    let latest = list.iter().rev().find(|d| d.tabled_ms.is_some()).cloned();
    let (draft, tally) = match latest {
        None => (None, None),
        Some(latest) => {
            let draft = draft_view(state, page, case_id, latest.version).await?;
            let stored = match drafts::get_response(
                State(state.clone()),
                viewer.clone(),
                Path((
                    case_id.to_string(),
                    latest.version.to_string(),
                    party.to_string(),
                )),
            )
            .await
            {
                Ok(Json(response)) => Some(response),
                Err(error) if error.status() == StatusCode::NOT_FOUND => None,
                Err(error) => return Err(error),
            };
            let closed = latest.responses_published_ms.is_some();
            let submitted_line = stored
                .as_ref()
                .map(|r| format!("Last sent {} by {}.", when(r.submitted_ms), r.submitted_by));
            let prefill = match submitted {
                Some((fields, _)) => Prefill::Form(fields),
                None => Prefill::Stored(stored.as_ref().map(|r| (&r.comment, &r.points))),
            };
            let form = response_form(case_id, &draft, &points, closed, submitted_line, &prefill);
            let tally = if closed {
                published_tally(state, page, case_id, latest.version, &points).await?
            } else {
                None
            };
            (Some(form), tally)
        }
    };

    let meetings = meeting_blocks(state, page, case_id).await?;
    Ok(PartyPage {
        layout: Layout::new(summary.name.clone(), page)
            .in_case(case_id, &summary.name)
            .with_notice(notice),
        case_name: summary.name,
        description: summary.description,
        party_name,
        editor_href: format!("{}/position", case_href(case_id)),
        elicit_href: format!("{}/elicit", case_href(case_id)),
        position,
        own,
        own_note,
        draft,
        tally,
        meetings,
        problems: submitted.map(|(_, p)| p.to_vec()).unwrap_or_default(),
    })
}

fn position_summary(position: &Value, updated_ms: i64, points: &[PointInfo]) -> PositionSummary {
    let weights = position["weights"].as_object().cloned().unwrap_or_default();
    let total: f64 = weights.values().filter_map(Value::as_f64).sum();
    let normalise = position["normalise_weights"].as_bool().unwrap_or(true);
    let mut rows: Vec<(String, String, String, f64)> = Vec::new();
    for point in points {
        let Some(weight) = weights.get(&point.id).and_then(Value::as_f64) else {
            continue;
        };
        let share = if normalise && total > 0.0 {
            weight / total
        } else {
            weight
        };
        rows.push((
            point.title.clone(),
            short(weight),
            format!("{}%", decimal(share * 100.0, 1)),
            share,
        ));
    }
    rows.sort_by(|a, b| b.3.total_cmp(&a.3));
    let red_lines = position["red_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| describe_red_line(r, points))
        .collect();
    PositionSummary {
        updated: when(updated_ms),
        reservation_value: position
            .get("reservation_value")
            .map_or_else(|| "0".to_string(), plain),
        weights: rows.into_iter().map(|(t, w, s, _)| (t, w, s)).collect(),
        red_lines,
        constraint: position.get("constraint").is_some(),
    }
}

/// A red line in words, as every report says it: "Wage increase must not be “+2%”", "if
/// Contract length is “3 years”, Wage increase must be “+4%” or “+5%”".
fn describe_red_line(red_line: &Value, points: &[PointInfo]) -> String {
    let title = |id: &str| {
        points
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_string(), |p| p.title.clone())
    };
    let labels = |id: &str, values: &Value| {
        let point = points.iter().find(|p| p.id == id);
        let names: Vec<String> = values
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| format!("\u{201c}{}\u{201d}", value_label(point, v)))
            .collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        }
    };
    let bound = |v: &Value| v.as_f64().map_or_else(|| plain(v), words::number);
    // A table's values in words: `not`, `only` or `is` option lists, `min`/`max` bounds.
    let set = |table: &Value, id: &str, must: bool| {
        let (is, is_not) = if must {
            ("must be", "must not be")
        } else {
            ("is", "is not")
        };
        let mut parts = Vec::new();
        if let Some(values) = table.get("not") {
            parts.push(format!("{is_not} {}", labels(id, values)));
        }
        for key in ["only", "is"] {
            if let Some(values) = table.get(key) {
                parts.push(format!("{is} {}", labels(id, values)));
            }
        }
        match (table.get("min"), table.get("max")) {
            (Some(min), Some(max)) => {
                parts.push(format!("{is} between {} and {}", bound(min), bound(max)));
            }
            (Some(min), None) => parts.push(format!("{is} at least {}", bound(min))),
            (None, Some(max)) => parts.push(format!("{is} at most {}", bound(max))),
            (None, None) => {}
        }
        format!("{} {}", title(id), parts.join(" and "))
    };
    let rule = set(red_line, &text(&red_line["point"]), true);
    match red_line.get("if") {
        Some(condition) => {
            let when = set(condition, &text(&condition["point"]), false);
            format!("if {when}, {rule}")
        }
        None => rule,
    }
}

fn own_utility(analysis: &OwnAnalysis) -> (Option<OwnUtility>, Option<String>) {
    let Some(draft) = &analysis.draft else {
        return (
            None,
            Some("No tabled draft proposes a package yet, so there is no utility to show.".into()),
        );
    };
    let reservation = analysis.reservation_value.unwrap_or(0.0);
    let crossed = draft
        .crossed_red_lines
        .iter()
        .map(|c| format!("red line {}", c.index + 1))
        .collect();
    let own = OwnUtility {
        version: draft.version,
        utility: decimal(draft.utility, 3),
        reservation_value: decimal(reservation, 3),
        accepts: draft.accepts,
        crossed,
        best: analysis.best.as_ref().map(|b| decimal(b.utility, 3)),
        bar: utility_bar(draft.utility, reservation),
    };
    (Some(own), None)
}

/// A bar of the party's utility for the draft against its reservation value, in SVG,
/// with its numbers in text too.
fn utility_bar(utility: f64, reservation: f64) -> String {
    let width = 300.0;
    let x = |u: f64| u.clamp(0.0, 1.0) * width;
    format!(
        concat!(
            r#"<svg class="utility-bar" role="img" width="320" height="44" viewBox="-10 0 320 44" "#,
            r#"aria-label="utility {u} against reservation value {r}">"#,
            r##"<rect x="0" y="6" width="{w}" height="16" fill="#f3f5f7" stroke="#6b7682"/>"##,
            r##"<rect x="0" y="6" width="{ux:.1}" height="16" fill="#0b5cad"/>"##,
            r##"<line x1="{rx:.1}" x2="{rx:.1}" y1="2" y2="26" stroke="#b35900" stroke-width="3"/>"##,
            r##"<text x="0" y="40" font-size="11" fill="#1b1f24">0</text>"##,
            r##"<text x="{w}" y="40" font-size="11" text-anchor="end" fill="#1b1f24">1</text>"##,
            r##"<text x="{rx:.1}" y="40" font-size="11" text-anchor="middle" fill="#1b1f24">reservation {r}</text>"##,
            "</svg>"
        ),
        u = decimal(utility, 3),
        r = decimal(reservation, 3),
        w = width,
        ux = x(utility),
        rx = x(reservation),
    )
}

/// Where the response form's values come from.
enum Prefill<'a> {
    /// The stored response, if any: its comment and answers.
    Stored(Option<(&'a Option<String>, &'a IndexMap<String, PointAnswer>)>),
    /// A form that failed, shown again as typed.
    Form(&'a Fields),
}

fn response_form(
    case_id: &str,
    draft: &DraftView,
    points: &[PointInfo],
    closed: bool,
    submitted: Option<String>,
    prefill: &Prefill<'_>,
) -> ResponseForm {
    let version = draft.summary.version;
    let comment = match prefill {
        Prefill::Stored(stored) => stored
            .and_then(|(comment, _)| comment.clone())
            .unwrap_or_default(),
        Prefill::Form(fields) => field(fields, "comment").to_string(),
    };
    let rows = draft
        .points
        .iter()
        .enumerate()
        .map(|(idx, drafted)| {
            let id = drafted.point.clone();
            let info = points.iter().find(|p| p.id == id);
            let proposed = draft
                .package
                .as_ref()
                .and_then(|p| p.get(&id))
                .map(|v| value_label(info, v))
                .unwrap_or_default();
            let (verdict, amend_value, amend_text, comment) = match prefill {
                Prefill::Stored(stored) => {
                    let answer = stored.and_then(|(_, answers)| answers.get(&id));
                    let verdict = answer.map_or("", |a| verdict_word(a.verdict));
                    let amendment = answer.and_then(|a| a.amendment.as_ref());
                    (
                        verdict.to_string(),
                        amendment
                            .and_then(|a| a.value.as_ref())
                            .map(shown)
                            .unwrap_or_default(),
                        amendment.and_then(|a| a.text.clone()).unwrap_or_default(),
                        answer.and_then(|a| a.comment.clone()).unwrap_or_default(),
                    )
                }
                Prefill::Form(fields) => (
                    field(fields, &format!("verdict.{id}")).to_string(),
                    field(fields, &format!("amendment.{id}")).to_string(),
                    field(fields, &format!("amendment_text.{id}")).to_string(),
                    field(fields, &format!("comment.{id}")).to_string(),
                ),
            };
            let mut row = ResponsePoint {
                idx,
                id: id.clone(),
                title: drafted.title.clone(),
                text: drafted.text.clone(),
                proposed,
                verdict,
                amend_kind: "",
                amend_options: Vec::new(),
                amend_value: amend_value.clone(),
                amend_min: String::new(),
                amend_max: String::new(),
                amend_step: "1",
                amend_text,
                comment,
            };
            if let Some(info) = info {
                if let Some((min, max, real)) = info.range {
                    row.amend_kind = "number";
                    row.amend_min = number_json(min).to_string();
                    row.amend_max = number_json(max).to_string();
                    row.amend_step = if real { "any" } else { "1" };
                } else if !info.options.is_empty() {
                    row.amend_kind = "select";
                    row.amend_options = info
                        .options
                        .iter()
                        .map(|o| (o.id.clone(), o.label.clone(), o.id == amend_value))
                        .collect();
                }
            }
            row
        })
        .collect();
    ResponseForm {
        version,
        note: draft.summary.note.clone(),
        tabled: draft.summary.tabled_ms.map(when).unwrap_or_default(),
        action: format!("{}/drafts/{version}/respond", case_href(case_id)),
        closed,
        submitted,
        comment,
        points: rows,
    }
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accept => "accept",
        Verdict::Reject => "reject",
        Verdict::Amend => "amend",
    }
}

// ---------------------------------------------------------------------------------------
// The response form.

/// Reads the response form: `verdict.POINT` (accept, reject, amend or empty),
/// `amendment.POINT` (a value), `amendment_text.POINT`, `comment.POINT`, and `comment`.
fn read_response(
    fields: &Fields,
    draft: &DraftView,
    points: &[PointInfo],
) -> Result<ResponseBody, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut answers = IndexMap::new();
    for drafted in &draft.points {
        let id = &drafted.point;
        let verdict = field(fields, &format!("verdict.{id}"));
        let value = field(fields, &format!("amendment.{id}"));
        let wording = field(fields, &format!("amendment_text.{id}"));
        let comment = field(fields, &format!("comment.{id}"));
        let verdict = match verdict {
            "" => {
                if !value.is_empty() || !wording.is_empty() || !comment.is_empty() {
                    problems.push(Problem::new(
                        format!("verdict.{id}"),
                        "choose accept, reject or amend to send an amendment or a comment",
                    ));
                }
                continue;
            }
            "accept" => Verdict::Accept,
            "reject" => Verdict::Reject,
            "amend" => Verdict::Amend,
            other => {
                problems.push(Problem::new(
                    format!("verdict.{id}"),
                    format!("`{other}` is not a verdict: use accept, reject or amend"),
                ));
                continue;
            }
        };
        let amendment = if verdict == Verdict::Amend {
            let info = points.iter().find(|p| &p.id == id);
            let value = match (value, info.and_then(|p| p.range)) {
                ("", _) => None,
                (value, Some(_)) => {
                    let Some(x) = parse_number(value) else {
                        problems.push(Problem::new(
                            format!("amendment.{id}"),
                            format!("`{value}` is not a number"),
                        ));
                        continue;
                    };
                    Some(number_json(x))
                }
                (value, None) => Some(Value::String(value.to_string())),
            };
            let text = (!wording.is_empty()).then(|| wording.to_string());
            if value.is_none() && text.is_none() {
                problems.push(Problem::new(
                    format!("amendment.{id}"),
                    "an amendment needs another value, other wording, or both",
                ));
                continue;
            }
            Some(Amendment { value, text })
        } else {
            if !value.is_empty() || !wording.is_empty() {
                problems.push(Problem::new(
                    format!("amendment.{id}"),
                    "only an amend verdict takes an amendment: choose amend, or clear it",
                ));
                continue;
            }
            None
        };
        answers.insert(
            id.clone(),
            PointAnswer {
                verdict,
                amendment,
                comment: (!comment.is_empty()).then(|| comment.to_string()),
            },
        );
    }
    if problems.is_empty() {
        let comment = field(fields, "comment");
        Ok(ResponseBody {
            comment: (!comment.is_empty()).then(|| comment.to_string()),
            points: answers,
        })
    } else {
        Err(problems)
    }
}

/// Submits a member's response to a tabled draft; 303 back to the case, or the page again
/// with the form as typed and its problems.
async fn respond(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, version)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = match form {
        Ok(Form(pairs)) => fields_of(pairs),
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    let standing = match page.0.standing(&state.store, &case_id).await {
        Ok((_, standing)) => standing,
        Err(error) => return error_page(&error),
    };
    let Some(party) = standing.party().map(str::to_string) else {
        return error_page(&ApiError::forbidden(
            "only a member of the party may answer for it",
        ));
    };
    let version_number = match version.parse::<i64>() {
        Ok(v) if v >= 1 && version.bytes().all(|b| b.is_ascii_digit()) => v,
        _ => {
            return error_page(&ApiError::invalid(
                "version",
                format!("`{version}` is not a draft version: use 1, 2, ..."),
            ));
        }
    };
    let draft = match draft_view(&state, &page, &case_id, version_number).await {
        Ok(draft) => draft,
        Err(error) => return error_page(&error),
    };
    let points =
        match cases::list_points(State(state.clone()), page.0.clone(), Path(case_id.clone())).await
        {
            Ok(Json(tables)) => point_infos(&tables),
            Err(error) => return error_page(&error),
        };
    let result = match read_response(&fields, &draft, &points) {
        Ok(body) => drafts::put_response(
            State(state.clone()),
            page.0.clone(),
            Path((case_id.clone(), version.clone(), party.clone())),
            Body(body),
        )
        .await
        .map(|_| ())
        .map_err(|error| (error.status(), problems_of(&error), Some(error))),
        Err(problems) => Err((StatusCode::UNPROCESSABLE_ENTITY, problems, None)),
    };
    match result {
        Ok(()) => see_other(&format!("{}?saved=response", case_href(&case_id))),
        Err((status, problems, error)) => {
            // A problem with the form is shown on the page; anything else as an error page.
            if status != StatusCode::UNPROCESSABLE_ENTITY
                && let Some(error) = error
            {
                return error_page(&error);
            }
            let problems: Vec<Problem> = problems
                .into_iter()
                .map(|p| response_problem(p, &draft))
                .collect();
            match party_page(
                &state,
                &page,
                &case_id,
                &party,
                None,
                Some((&fields, &problems)),
            )
            .await
            {
                Ok(page) => render(status, &page),
                Err(error) => error_page(&error),
            }
        }
    }
}

/// A response problem named by the form's field (`points.x.amendment.value` is
/// `amendment.x`).
fn response_problem(problem: Problem, draft: &DraftView) -> Problem {
    let Some(rest) = problem.field.strip_prefix("points.") else {
        return problem;
    };
    for drafted in &draft.points {
        let id = &drafted.point;
        if let Some(tail) = rest.strip_prefix(id.as_str()) {
            let name = match tail {
                ".comment" => format!("comment.{id}"),
                ".amendment.text" => format!("amendment_text.{id}"),
                t if t.starts_with(".amendment") => format!("amendment.{id}"),
                _ => format!("verdict.{id}"),
            };
            return Problem::new(name, problem.message);
        }
    }
    problem
}

// ---------------------------------------------------------------------------------------
// The observer's view.

struct PublishedPoint {
    title: String,
    text: String,
    value: String,
}

struct PublishedDraft {
    version: i64,
    author: String,
    note: String,
    published: String,
    points: Vec<PublishedPoint>,
    tally: Option<TallyView>,
}

#[derive(Template)]
#[template(path = "observer.html")]
struct ObserverPage {
    layout: Layout,
    case_name: String,
    description: String,
    parties: Vec<(String, String)>,
    drafts: Vec<PublishedDraft>,
    meetings: Vec<MeetingBlock>,
}

/// An observer's view of a case: what the mediator published (the dispatch of
/// `GET /cases/{case}`).
pub(crate) async fn observer_view(state: &AppState, page: &Page, case_id: &str) -> Response {
    match observer_page(state, page, case_id).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(error) => error_page(&error),
    }
}

async fn observer_page(state: &AppState, page: &Page, case_id: &str) -> ApiResult<ObserverPage> {
    let viewer = page.0.clone();
    let Json(summary) = cases::get_case(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    let Json(list) = drafts::list_drafts(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    let mut published = Vec::new();
    // An observer reads the published drafts only; the API's list holds nothing else.
    for item in list.iter().rev().filter(|d| d.published_ms.is_some()) {
        let draft = draft_view(state, page, case_id, item.version).await?;
        let points = draft
            .points
            .iter()
            .map(|p| PublishedPoint {
                title: p.title.clone(),
                text: p.text.clone(),
                value: draft
                    .package
                    .as_ref()
                    .and_then(|package| package.get(&p.point))
                    .map(shown)
                    .unwrap_or_default(),
            })
            .collect();
        let tally = if item.responses_published_ms.is_some() {
            published_tally(state, page, case_id, item.version, &[]).await?
        } else {
            None
        };
        published.push(PublishedDraft {
            version: item.version,
            author: item.author.clone(),
            note: item.note.clone(),
            published: item.published_ms.map(when).unwrap_or_default(),
            points,
            tally,
        });
    }
    let meetings = meeting_blocks(state, page, case_id).await?;
    Ok(ObserverPage {
        layout: Layout::new(summary.name.clone(), page).in_case(case_id, &summary.name),
        case_name: summary.name,
        description: summary.description,
        parties: summary
            .parties
            .iter()
            .filter(|p| p.role == "party")
            .map(|p| (p.name.clone(), p.id.clone()))
            .collect(),
        drafts: published,
        meetings,
    })
}

// ---------------------------------------------------------------------------------------
// The position editor.

/// The keys of a position the editor writes; any other key of the stored position
/// (`discount_factor`, `normalise_weights`, `constraint`) is kept as it is.
const EDITED_KEYS: [&str; 4] = ["reservation_value", "weights", "ratings", "red_lines"];
/// Empty red line rows the editor offers below the position's own.
const SPARE_RED_LINES: usize = 2;
/// The most red line rows a form may post.
const RED_LINES_MAX: usize = 200;

/// The editor's form, as text: what the page shows, and what was posted.
#[derive(Debug, Default)]
struct PositionForm {
    reservation_value: String,
    /// By point id.
    weights: HashMap<String, String>,
    /// By (point id, option id).
    ratings: HashMap<(String, String), String>,
    /// A range point's ratings as `value:rating, ...` (or a JSON function table).
    range_ratings: HashMap<String, String>,
    red_lines: Vec<RedLineForm>,
}

#[derive(Debug, Default, Clone)]
struct RedLineForm {
    point: String,
    kind: String,
    values: String,
    condition: String,
}

impl PositionForm {
    fn from_json(position: &Value, points: &[PointInfo]) -> Self {
        let mut form = Self {
            reservation_value: position
                .get("reservation_value")
                .map(plain)
                .unwrap_or_default(),
            ..Self::default()
        };
        for point in points {
            if let Some(weight) = position["weights"].get(&point.id) {
                form.weights.insert(point.id.clone(), plain(weight));
            }
            let ratings = &position["ratings"][&point.id];
            if point.range.is_some() {
                let text = match ratings {
                    Value::Null => String::new(),
                    Value::Array(pairs)
                        if pairs
                            .iter()
                            .all(|p| p.as_array().is_some_and(|p| p.len() == 2)) =>
                    {
                        pairs
                            .iter()
                            .map(|p| format!("{}:{}", plain(&p[0]), plain(&p[1])))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                    other => other.to_string(),
                };
                form.range_ratings.insert(point.id.clone(), text);
            } else {
                for option in &point.options {
                    if let Some(rating) = ratings.get(&option.id) {
                        form.ratings
                            .insert((point.id.clone(), option.id.clone()), plain(rating));
                    }
                }
            }
        }
        form.red_lines = position["red_lines"]
            .as_array()
            .into_iter()
            .flatten()
            .map(red_line_form)
            .collect();
        form
    }

    fn from_fields(fields: &Fields, points: &[PointInfo]) -> Self {
        let mut form = Self {
            reservation_value: field(fields, "reservation_value").to_string(),
            ..Self::default()
        };
        for point in points {
            let id = &point.id;
            form.weights.insert(
                id.clone(),
                field(fields, &format!("weight.{id}")).to_string(),
            );
            if point.range.is_some() {
                form.range_ratings.insert(
                    id.clone(),
                    field(fields, &format!("rating.{id}")).to_string(),
                );
            } else {
                for option in &point.options {
                    let name = format!("rating.{id}.{}", option.id);
                    form.ratings.insert(
                        (id.clone(), option.id.clone()),
                        field(fields, &name).to_string(),
                    );
                }
            }
        }
        let rows = fields
            .keys()
            .filter_map(|k| k.strip_prefix("red_line."))
            .filter_map(|k| k.split_once('.'))
            .filter_map(|(k, _)| k.parse::<usize>().ok())
            .filter(|k| *k < RED_LINES_MAX)
            .max()
            .map_or(0, |k| k + 1);
        form.red_lines = (0..rows)
            .map(|k| RedLineForm {
                point: field(fields, &format!("red_line.{k}.point")).to_string(),
                kind: field(fields, &format!("red_line.{k}.kind")).to_string(),
                values: field(fields, &format!("red_line.{k}.values")).to_string(),
                condition: field(fields, &format!("red_line.{k}.if")).to_string(),
            })
            .collect();
        // Blank rows at the end are the spare ones: the page adds its own again.
        while form
            .red_lines
            .last()
            .is_some_and(|r| r.point.is_empty() && r.values.is_empty() && r.condition.is_empty())
        {
            form.red_lines.pop();
        }
        form
    }

    /// The position the form describes, over the stored position's other keys; the
    /// problems name their fields as the API does (`position.weights.x`). Also gives, for
    /// each red line of the position, its row in the form.
    fn to_json(
        &self,
        points: &[PointInfo],
        stored: Option<&Map<String, Value>>,
    ) -> Result<FormPosition, (Vec<Problem>, Vec<usize>)> {
        let mut problems = Vec::new();
        let mut position = Map::new();
        if !self.reservation_value.is_empty() {
            match parse_number(&self.reservation_value) {
                Some(x) => {
                    position.insert("reservation_value".into(), number_json(x));
                }
                None => problems.push(Problem::new(
                    "position.reservation_value",
                    format!("`{}` is not a number", self.reservation_value),
                )),
            }
        }
        for (key, value) in stored.into_iter().flatten() {
            if !EDITED_KEYS.contains(&key.as_str()) {
                position.insert(key.clone(), value.clone());
            }
        }
        let mut weights = Map::new();
        let mut ratings = Map::new();
        for point in points {
            let id = &point.id;
            let weight = self.weights.get(id).map_or("", |w| w.trim());
            if !weight.is_empty() {
                match parse_number(weight) {
                    Some(x) => {
                        weights.insert(id.clone(), number_json(x));
                    }
                    None => problems.push(Problem::new(
                        format!("position.weights.{id}"),
                        format!("`{weight}` is not a number"),
                    )),
                }
            }
            if point.range.is_some() {
                let text = self.range_ratings.get(id).map_or("", |t| t.trim());
                if !text.is_empty() {
                    match range_ratings(text) {
                        Ok(value) => {
                            ratings.insert(id.clone(), value);
                        }
                        Err(message) => {
                            problems.push(Problem::new(format!("position.ratings.{id}"), message));
                        }
                    }
                }
            } else {
                let mut table = Map::new();
                for option in &point.options {
                    let key = (id.clone(), option.id.clone());
                    let rating = self.ratings.get(&key).map_or("", |r| r.trim());
                    if rating.is_empty() {
                        continue;
                    }
                    match parse_number(rating) {
                        Some(x) => {
                            table.insert(option.id.clone(), number_json(x));
                        }
                        None => problems.push(Problem::new(
                            format!("position.ratings.{id}.{}", option.id),
                            format!("`{rating}` is not a number"),
                        )),
                    }
                }
                if !table.is_empty() {
                    ratings.insert(id.clone(), Value::Object(table));
                }
            }
        }
        if !weights.is_empty() {
            position.insert("weights".into(), Value::Object(weights));
        }
        if !ratings.is_empty() {
            position.insert("ratings".into(), Value::Object(ratings));
        }
        let mut red_lines = Vec::new();
        let mut rows = Vec::new();
        for (row, form) in self.red_lines.iter().enumerate() {
            if form.point.is_empty() {
                continue;
            }
            // The red line's index in the position is its place among the rows in use.
            match red_line_json(form, rows.len()) {
                Ok(value) => red_lines.push(value),
                Err(problem) => problems.push(problem),
            }
            rows.push(row);
        }
        if !red_lines.is_empty() {
            position.insert("red_lines".into(), Value::Array(red_lines));
        }
        if problems.is_empty() {
            Ok((position, rows))
        } else {
            Err((problems, rows))
        }
    }
}

/// A position read from the editor's form, with the form row of each of its red lines.
type FormPosition = (Map<String, Value>, Vec<usize>);

/// Range ratings typed as `value:rating, ...`, or a JSON function table.
fn range_ratings(text: &str) -> Result<Value, String> {
    if text.starts_with('{') || text.starts_with('[') {
        return serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"));
    }
    let mut pairs = Vec::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let parsed = pair
            .split_once(':')
            .and_then(|(v, r)| Some((parse_number(v)?, parse_number(r)?)));
        let Some((value, rating)) = parsed else {
            return Err(format!(
                "`{pair}` is not `value:rating`; write e.g. `35:10, 40:0`"
            ));
        };
        pairs.push(json!([number_json(value), number_json(rating)]));
    }
    Ok(Value::Array(pairs))
}

/// A stored red line as a form row.
fn red_line_form(red_line: &Value) -> RedLineForm {
    let list = |values: &Value| {
        values
            .as_array()
            .into_iter()
            .flatten()
            .map(shown)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (kind, values) = match (
        red_line.get("not"),
        red_line.get("only"),
        red_line.get("min"),
        red_line.get("max"),
    ) {
        (Some(not), _, _, _) => ("not", list(not)),
        (None, Some(only), _, _) => ("only", list(only)),
        (None, None, Some(min), Some(max)) => {
            ("between", format!("{}..{}", plain(min), plain(max)))
        }
        (None, None, Some(min), None) => ("min", plain(min)),
        (None, None, None, Some(max)) => ("max", plain(max)),
        (None, None, None, None) => ("not", String::new()),
    };
    let condition = red_line.get("if").map_or_else(String::new, |c| {
        let mut words = vec![text(&c["point"])];
        if let Some(is) = c.get("is") {
            words.push(format!("is {}", list(is)));
        }
        if let Some(min) = c.get("min") {
            words.push(format!("min {}", plain(min)));
        }
        if let Some(max) = c.get("max") {
            words.push(format!("max {}", plain(max)));
        }
        words.join(" ")
    });
    RedLineForm {
        point: text(&red_line["point"]),
        kind: kind.to_string(),
        values,
        condition,
    }
}

/// A form row as the case file's red line (the `k`-th of the position).
fn red_line_json(form: &RedLineForm, k: usize) -> Result<Value, Problem> {
    let at = |key: &str| format!("position.red_lines[{k}].{key}");
    let list = |values: &str| -> Vec<Value> {
        values
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| Value::String(v.to_string()))
            .collect()
    };
    let number = |key: &str, text: &str| {
        parse_number(text)
            .map(number_json)
            .ok_or_else(|| Problem::new(at(key), format!("`{text}` is not a number")))
    };
    let mut red_line = Map::new();
    if !form.condition.is_empty() {
        red_line.insert(
            "if".into(),
            condition_json(&form.condition).map_err(|m| Problem::new(at("if"), m))?,
        );
    }
    red_line.insert("point".into(), Value::String(form.point.clone()));
    match form.kind.as_str() {
        kind @ ("not" | "only") => {
            let values = list(&form.values);
            if values.is_empty() {
                return Err(Problem::new(
                    at(kind),
                    "list the options, separated by commas",
                ));
            }
            red_line.insert(kind.into(), Value::Array(values));
        }
        kind @ ("min" | "max") => {
            red_line.insert(kind.into(), number(kind, &form.values)?);
        }
        "between" => {
            let Some((min, max)) = form.values.split_once("..") else {
                return Err(Problem::new(at("min"), "write the bounds as `min..max`"));
            };
            red_line.insert("min".into(), number("min", min)?);
            red_line.insert("max".into(), number("max", max)?);
        }
        other => {
            return Err(Problem::new(
                at("point"),
                format!("`{other}` is not a kind of red line: use not, only, min, max or between"),
            ));
        }
    }
    Ok(Value::Object(red_line))
}

/// A red line's condition typed as `POINT is A, B` or `POINT min N max M`.
fn condition_json(text: &str) -> Result<Value, String> {
    let hint = "write the condition as `POINT is OPTION, ...` or `POINT min N max M`";
    let (point, rest) = text.trim().split_once(char::is_whitespace).ok_or(hint)?;
    let rest = rest.trim();
    let mut condition = Map::new();
    condition.insert("point".into(), Value::String(point.to_string()));
    if let Some(values) = rest.strip_prefix("is ") {
        let values: Vec<Value> = values
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| Value::String(v.to_string()))
            .collect();
        if values.is_empty() {
            return Err(hint.to_string());
        }
        condition.insert("is".into(), Value::Array(values));
        return Ok(Value::Object(condition));
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return Err(hint.to_string());
    }
    for pair in words.chunks(2) {
        let (key @ ("min" | "max"), Some(x)) = (pair[0], parse_number(pair[1])) else {
            return Err(hint.to_string());
        };
        condition.insert(key.into(), number_json(x));
    }
    Ok(Value::Object(condition))
}

/// One point of the editor.
struct EditorPoint {
    idx: usize,
    id: String,
    title: String,
    weight: String,
    /// `(index, option id, label, rating)`.
    options: Vec<(usize, String, String, String)>,
    range: Option<EditorRange>,
}

struct EditorRange {
    text: String,
    hint: String,
}

/// One red line row of the editor.
struct EditorRedLine {
    idx: usize,
    /// `(point id, title, selected)`.
    points: Vec<(String, String, bool)>,
    /// `(kind, words, selected)`.
    kinds: Vec<(&'static str, &'static str, bool)>,
    values: String,
    condition: String,
}

/// A problem as the check region lists it: the field in words, linked to its input.
struct CheckItem {
    label: String,
    href: Option<String>,
    field: String,
    message: String,
}

/// What the check region shows.
struct CheckView {
    /// Whether it was checked at all (a fresh editor shows nothing).
    checked: bool,
    valid: bool,
    items: Vec<CheckItem>,
}

#[derive(Template)]
#[template(path = "party_position.html")]
struct PositionPage {
    layout: Layout,
    party_name: String,
    action: String,
    check_action: String,
    elicit: String,
    back: String,
    updated: Option<String>,
    constraint: bool,
    reservation_value: String,
    points: Vec<EditorPoint>,
    red_lines: Vec<EditorRedLine>,
    check: CheckView,
}

#[derive(Template)]
#[template(path = "party_check.html")]
struct CheckFragment {
    check: CheckView,
}

#[derive(Template)]
#[template(path = "party_choose.html")]
pub(crate) struct ChoosePage {
    pub(crate) layout: Layout,
    pub(crate) parties: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
struct PositionQuery {
    party: Option<String>,
    saved: Option<String>,
}

/// Everything a position request needs: the case, whose position, its points and the
/// stored position. Asks `Standing::require_position` before reading anything of it.
struct PositionContext {
    case_id: String,
    case_name: String,
    party: String,
    party_name: String,
    points: Vec<PointInfo>,
    stored: Option<(Map<String, Value>, i64)>,
}

/// Whose position a request is about: `?party=`, else the member's own party.
enum Whose {
    Party(PositionContext),
    /// The mediator named no party: the list of parties to choose from.
    Choose(Vec<(String, String)>, String),
}

async fn position_context(
    state: &AppState,
    page: &Page,
    case_id: &str,
    query: Result<Query<PositionQuery>, QueryRejection>,
) -> ApiResult<(Whose, PositionQuery)> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let viewer = page.0.clone();
    let (case, standing) = viewer.standing(&state.store, case_id).await?;
    let party = match (&query.party, &standing) {
        (Some(party), _) => party.clone(),
        (None, Standing::Member(own)) => own.clone(),
        (None, Standing::Mediator) => {
            let Json(parties) =
                cases::list_parties(State(state.clone()), viewer, Path(case_id.to_string()))
                    .await?;
            let choices = parties
                .into_iter()
                .filter(|p| p.role == "party")
                .map(|p| {
                    let href = format!("{}/position?party={}", case_href(case_id), segment(&p.id));
                    (p.name, href)
                })
                .collect();
            return Ok((Whose::Choose(choices, case.name), query));
        }
        (None, Standing::Observer) => {
            return Err(ApiError::forbidden(
                "a position is seen only by its own party and the mediator",
            ));
        }
    };
    // Authorisation before existence: a member learns nothing of other parties.
    standing.require_position(&party)?;
    let Json(parties) = cases::list_parties(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    let Some(party_row) = parties.iter().find(|p| p.id == party) else {
        return Err(ApiError::not_found(format!("party `{party}`")));
    };
    let Json(tables) = cases::list_points(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    let stored = match cases::get_position(
        State(state.clone()),
        viewer,
        Path((case_id.to_string(), party.clone())),
    )
    .await
    {
        Ok(Json(view)) => Some((
            view.position.as_object().cloned().unwrap_or_default(),
            view.updated_ms,
        )),
        Err(error) if error.status() == StatusCode::NOT_FOUND => None,
        Err(error) => return Err(error),
    };
    Ok((
        Whose::Party(PositionContext {
            case_id: case_id.to_string(),
            case_name: case.name,
            party_name: party_row.name.clone(),
            party,
            points: point_infos(&tables),
            stored,
        }),
        query,
    ))
}

fn position_page(
    page: &Page,
    context: &PositionContext,
    form: &PositionForm,
    check: CheckView,
    notice: Option<String>,
) -> PositionPage {
    let editor = format!(
        "{}/position?party={}",
        case_href(&context.case_id),
        segment(&context.party)
    );
    let constraint = context
        .stored
        .as_ref()
        .is_some_and(|(p, _)| p.contains_key("constraint"));
    let points = context
        .points
        .iter()
        .enumerate()
        .map(|(idx, point)| EditorPoint {
            idx,
            id: point.id.clone(),
            title: point.title.clone(),
            weight: form.weights.get(&point.id).cloned().unwrap_or_default(),
            options: point
                .options
                .iter()
                .enumerate()
                .map(|(k, option)| {
                    let rating = form
                        .ratings
                        .get(&(point.id.clone(), option.id.clone()))
                        .cloned()
                        .unwrap_or_default();
                    let label = if option.label == option.id {
                        option.id.clone()
                    } else {
                        format!("{} ({})", option.label, option.id)
                    };
                    (k, option.id.clone(), label, rating)
                })
                .collect(),
            range: point.range.map(|(min, max, _)| EditorRange {
                text: form
                    .range_ratings
                    .get(&point.id)
                    .cloned()
                    .unwrap_or_default(),
                hint: format!(
                    "from {} to {}; write value:rating pairs, e.g. `{}:10, {}:0`",
                    number_json(min),
                    number_json(max),
                    number_json(min),
                    number_json(max)
                ),
            }),
        })
        .collect();
    let mut rows = form.red_lines.clone();
    rows.extend(std::iter::repeat_n(RedLineForm::default(), SPARE_RED_LINES));
    let kinds = [
        ("not", "not one of"),
        ("only", "only one of"),
        ("min", "at least"),
        ("max", "at most"),
        ("between", "between (min..max)"),
    ];
    let red_lines = rows
        .iter()
        .enumerate()
        .map(|(idx, row)| {
            let kind = if row.kind.is_empty() {
                "not"
            } else {
                row.kind.as_str()
            };
            EditorRedLine {
                idx,
                points: context
                    .points
                    .iter()
                    .map(|p| (p.id.clone(), p.title.clone(), p.id == row.point))
                    .collect(),
                kinds: kinds
                    .iter()
                    .map(|&(k, words)| (k, words, k == kind))
                    .collect(),
                values: row.values.clone(),
                condition: row.condition.clone(),
            }
        })
        .collect();
    PositionPage {
        layout: Layout::new(format!("Position of {}", context.party_name), page)
            .in_case(&context.case_id, &context.case_name)
            .with_notice(notice),
        party_name: context.party_name.clone(),
        check_action: format!(
            "{}/position/check?party={}",
            case_href(&context.case_id),
            segment(&context.party)
        ),
        action: editor,
        elicit: format!(
            "{}/elicit?party={}",
            case_href(&context.case_id),
            segment(&context.party)
        ),
        back: case_href(&context.case_id),
        updated: context.stored.as_ref().map(|(_, ms)| when(*ms)),
        constraint,
        reservation_value: form.reservation_value.clone(),
        points,
        red_lines,
        check,
    }
}

/// The check region's view of some problems, each linked to its input.
fn check_view(problems: &[Problem], points: &[PointInfo], rows: &[usize]) -> CheckView {
    let items = problems
        .iter()
        .map(|problem| {
            let (label, href) = field_label(&problem.field, points, rows);
            CheckItem {
                label,
                href,
                field: problem.field.clone(),
                message: problem.message.clone(),
            }
        })
        .collect();
    CheckView {
        checked: true,
        valid: problems.is_empty(),
        items,
    }
}

/// A position field in words, and the id of its input.
fn field_label(field: &str, points: &[PointInfo], rows: &[usize]) -> (String, Option<String>) {
    let point_of = |rest: &str| {
        points.iter().enumerate().find(|(_, p)| {
            rest == p.id
                || rest
                    .strip_prefix(p.id.as_str())
                    .is_some_and(|t| t.starts_with('.'))
        })
    };
    if field == "position.reservation_value" {
        return (
            "Reservation value".into(),
            Some("#reservation_value".into()),
        );
    }
    if let Some(rest) = field.strip_prefix("position.weights.")
        && let Some((k, point)) = point_of(rest)
    {
        return (
            format!("Weight of {}", point.title),
            Some(format!("#w-{k}")),
        );
    }
    if let Some(rest) = field.strip_prefix("position.ratings.")
        && let Some((k, point)) = point_of(rest)
    {
        let href = if point.range.is_some() {
            format!("#r-{k}")
        } else {
            let option = rest[point.id.len()..].trim_start_matches('.');
            let j = point
                .options
                .iter()
                .position(|o| o.id == option)
                .unwrap_or(0);
            format!("#r-{k}-{j}")
        };
        return (format!("Ratings of {}", point.title), Some(href));
    }
    if let Some(rest) = field.strip_prefix("position.red_lines[")
        && let Some((index, _)) = rest.split_once(']')
        && let Ok(index) = index.parse::<usize>()
    {
        let row = rows.get(index).copied().unwrap_or(index);
        return (
            format!("Red line {}", row + 1),
            Some(format!("#rl-{row}-point")),
        );
    }
    ("The position".into(), None)
}

/// The position editor: the party's members, or the mediator with `?party=`.
async fn position_editor(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    query: Result<Query<PositionQuery>, QueryRejection>,
) -> Response {
    let (whose, query) = match position_context(&state, &page, &case_id, query).await {
        Ok(found) => found,
        Err(error) => return error_page(&error),
    };
    let context = match whose {
        Whose::Party(context) => context,
        Whose::Choose(parties, case_name) => {
            let choose = ChoosePage {
                layout: Layout::new("Choose a party", &page).in_case(&case_id, &case_name),
                parties,
            };
            return render(StatusCode::OK, &choose);
        }
    };
    let form = context
        .stored
        .as_ref()
        .map_or_else(PositionForm::default, |(p, _)| {
            PositionForm::from_json(&Value::Object(p.clone()), &context.points)
        });
    let notice = query.saved.map(|_| "The position is saved.".to_string());
    let check = CheckView {
        checked: false,
        valid: false,
        items: Vec::new(),
    };
    render(
        StatusCode::OK,
        &position_page(&page, &context, &form, check, notice),
    )
}

async fn checked_position(
    state: &AppState,
    context: &PositionContext,
    form: &PositionForm,
) -> Result<Map<String, Value>, CheckView> {
    let stored = context.stored.as_ref().map(|(p, _)| p);
    let (position, rows) = form
        .to_json(&context.points, stored)
        .map_err(|(problems, rows)| check_view(&problems, &context.points, &rows))?;
    let rows_of_case = CaseRows::load(&state.store, &context.case_id)
        .await
        .map_err(|error| check_view(&problems_of(&error), &context.points, &rows))?;
    cases::check_position(&rows_of_case, &context.party, &position)
        .map_err(|error| check_view(&problems_of(&error), &context.points, &rows))?;
    Ok(position)
}

/// Checks the editor's form as it is typed (htmx): an HTML fragment with the problems, or
/// "valid". Never saves. htmx swaps only successful answers, so an htmx request gets its
/// errors (a refusal, an ended session) as a 200 fragment; any other client, with their
/// status.
async fn check_position(
    State(state): State<AppState>,
    page: Result<Page, Response>,
    Path(case_id): Path<String>,
    headers: HeaderMap,
    query: Result<Query<PositionQuery>, QueryRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let htmx = headers.contains_key("hx-request");
    let page = match page {
        Ok(page) => page,
        Err(_) if htmx => {
            let ended = ApiError::unauthorized("the session has ended: log in again at /login");
            return fragment_error(&ended, htmx);
        }
        Err(response) => return response,
    };
    let fields = match form {
        Ok(Form(pairs)) => fields_of(pairs),
        Err(rejection) => return fragment_error(&form_error(&rejection), htmx),
    };
    let context = match position_context(&state, &page, &case_id, query).await {
        Ok((Whose::Party(context), _)) => context,
        Ok((Whose::Choose(..), _)) => {
            let error = ApiError::invalid("party", "name the party: `?party=ID`");
            return fragment_error(&error, htmx);
        }
        Err(error) => return fragment_error(&error, htmx),
    };
    let form = PositionForm::from_fields(&fields, &context.points);
    let check = match checked_position(&state, &context, &form).await {
        Ok(_) => CheckView {
            checked: true,
            valid: true,
            items: Vec::new(),
        },
        Err(view) => view,
    };
    match (CheckFragment { check }).render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => fragment_error(&ApiError::internal(error), htmx),
    }
}

/// An error as a fragment for the check region: with its status, or 200 for htmx.
fn fragment_error(error: &ApiError, htmx: bool) -> Response {
    let check = CheckView {
        checked: true,
        valid: false,
        items: vec![CheckItem {
            label: "The request".into(),
            href: None,
            field: error.field().unwrap_or_default().to_string(),
            message: error.message().to_string(),
        }],
    };
    let status = if htmx { StatusCode::OK } else { error.status() };
    match (CheckFragment { check }).render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, error.message().to_string()).into_response(),
    }
}

/// Saves the editor's form through the API; 303 back to the editor, or the form again
/// with every problem (422).
async fn save_position(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    query: Result<Query<PositionQuery>, QueryRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = match form {
        Ok(Form(pairs)) => fields_of(pairs),
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    let context = match position_context(&state, &page, &case_id, query).await {
        Ok((Whose::Party(context), _)) => context,
        Ok((Whose::Choose(..), _)) => {
            return error_page(&ApiError::invalid("party", "name the party: `?party=ID`"));
        }
        Err(error) => return error_page(&error),
    };
    let form = PositionForm::from_fields(&fields, &context.points);
    let stored = context.stored.as_ref().map(|(p, _)| p);
    let failed = match form.to_json(&context.points, stored) {
        Err((problems, rows)) => check_view(&problems, &context.points, &rows),
        Ok((position, rows)) => {
            match cases::put_position(
                State(state.clone()),
                page.0.clone(),
                Path((case_id.clone(), context.party.clone())),
                Body(position),
            )
            .await
            {
                Ok(_) => {
                    return see_other(&format!(
                        "{}/position?party={}&saved=1",
                        case_href(&case_id),
                        segment(&context.party)
                    ));
                }
                Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => {
                    check_view(&problems_of(&error), &context.points, &rows)
                }
                Err(error) => return error_page(&error),
            }
        }
    };
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &position_page(&page, &context, &form, failed, None),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_condition(text: &str, expected: &Result<Value, ()>) {
        assert_eq!(&condition_json(text).map_err(|_| ()), expected, "{text}");
    }

    #[test]
    fn conditions_read_options_and_bounds() {
        check_condition(
            "length is 3-years",
            &Ok(json!({"point": "length", "is": ["3-years"]})),
        );
        check_condition("a is x, y", &Ok(json!({"point": "a", "is": ["x", "y"]})));
        check_condition(
            "hours min 38 max 40",
            &Ok(json!({"point": "hours", "min": 38, "max": 40})),
        );
        check_condition(
            "hours max 39.5",
            &Ok(json!({"point": "hours", "max": 39.5})),
        );
        check_condition("hours", &Err(()));
        check_condition("hours min", &Err(()));
        check_condition("hours above 3", &Err(()));
        check_condition("hours is", &Err(()));
    }

    #[test]
    fn red_lines_round_trip_through_the_form() {
        for red_line in [
            json!({"point": "wage", "not": ["+2%"]}),
            json!({"if": {"point": "length", "is": ["3-years"]}, "point": "wage", "only": ["+4%", "+5%"]}),
            json!({"point": "hours", "min": 37}),
            json!({"point": "hours", "max": 39}),
            json!({"point": "hours", "min": 36, "max": 39}),
            json!({"if": {"point": "remote", "min": 1, "max": 2}, "point": "hours", "min": 39}),
        ] {
            let form = red_line_form(&red_line);
            assert_eq!(
                red_line_json(&form, 0).ok(),
                Some(red_line.clone()),
                "{form:?}"
            );
        }
    }

    #[test]
    fn range_ratings_read_pairs_or_json() {
        assert_eq!(range_ratings("35:10, 40:0"), Ok(json!([[35, 10], [40, 0]])));
        assert_eq!(range_ratings("35.5:1"), Ok(json!([[35.5, 1]])));
        assert!(range_ratings("35-10").is_err());
        assert_eq!(
            range_ratings(r#"{"linear": {"origin": 0, "offset": 0, "slope": 1}}"#),
            Ok(json!({"linear": {"origin": 0, "offset": 0, "slope": 1}}))
        );
    }
}
