//! Routes: draft versions, their differences, and the one-text procedure (the mediator
//! tables a draft, each party answers it point by point, the mediator publishes the
//! answers and reads the tally).
//!
//! A draft version is immutable: its wording and package never change, only its stamps
//! (tabled, published, responses published). The mediator sees every version, a party
//! member the tabled ones, an observer the published ones. A party's response is seen by
//! its own members and the mediator until the mediator publishes the responses. The tally
//! counts the verdicts; for the mediator only it adds the proposals the analysis engine
//! finds from the parties' amendments and from trades on the draft's package, since they
//! derive from every party's position.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use similar::{ChangeTag, TextDiff};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use accord_core::{Case, Choice, Point, PointKind, TradeLimit};
use accord_store::{DraftRow, DraftStamp, ResponseRow, Store};

use crate::AppState;
use crate::access::Standing;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Body;
use crate::model::{CaseRows, DraftPoint, DraftText, parse_json, read_document};

mod tally;
pub(crate) use tally::{Tally, get_tally};

/// The longest wording of one point, in characters.
const TEXT_MAX: usize = 20_000;
/// The longest title of a point, in characters.
const TITLE_MAX: usize = 300;
/// The longest note on a version, or comment in a response, in characters.
const NOTE_MAX: usize = 5_000;
/// How long one wording diff may search before it settles for a coarser answer.
const DIFF_TIMEOUT: Duration = Duration::from_millis(500);
/// How far the tally's trade search goes: up to three changes to the draft's package, a
/// few proposals. On the peace example (28 points, four parties) the whole search
/// evaluates about 42,000 packages in a few milliseconds; the evaluation cap bounds
/// larger cases (the note then says the search stopped).
const PROPOSAL_TRADES: TradeLimit = TradeLimit {
    max_points: 3,
    max_trades: 10,
    max_evaluations: 1_000_000,
};

// ---------------------------------------------------------------------------------------
// Wire types.

/// A draft version without its text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct DraftSummary {
    /// 1, 2, ... within its case.
    pub(crate) version: i64,
    /// The username of the account that wrote it (its id when the account is gone).
    pub(crate) author: String,
    /// When it was written (milliseconds).
    pub(crate) created_ms: i64,
    /// The author's note on what changed.
    pub(crate) note: String,
    /// When the mediator tabled it for the parties' responses.
    pub(crate) tabled_ms: Option<i64>,
    /// When the mediator published it to observers.
    pub(crate) published_ms: Option<i64>,
    /// When the mediator published the responses to it.
    pub(crate) responses_published_ms: Option<i64>,
}

/// A draft version with its text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct DraftView {
    /// The version's metadata.
    #[serde(flatten)]
    pub(crate) summary: DraftSummary,
    /// The points in the case's order, with their wording.
    pub(crate) points: Vec<DraftPoint>,
    /// The proposed package `{point: option id or number}`, if the version proposes one.
    #[schema(value_type = Option<Object>)]
    pub(crate) package: Option<IndexMap<String, Value>>,
}

/// A new draft version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewDraft {
    /// What changed, for the record.
    #[serde(default)]
    pub(crate) note: String,
    /// Every point of the case exactly once, with its title (empty: the point's own) and
    /// wording.
    pub(crate) points: Vec<DraftPoint>,
    /// The package proposed: a value for every point, or null.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub(crate) package: Option<IndexMap<String, Value>>,
}

/// How one point differs between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PointStatus {
    /// Same title, wording and value.
    Unchanged,
    /// Its title, wording or value changed.
    Changed,
    /// Only in the later version.
    Added,
    /// Only in the earlier version.
    Removed,
}

/// A run of words in a wording diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DiffOp {
    /// In both versions.
    Equal,
    /// Only in the later version.
    Insert,
    /// Only in the earlier version.
    Delete,
}

/// A run of words (with the spaces between them) that the two versions treat alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub(crate) struct WordRun {
    /// Kept, inserted or deleted.
    pub(crate) op: DiffOp,
    /// The words.
    pub(crate) text: String,
}

/// A title that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub(crate) struct TitleChange {
    /// In the earlier version.
    pub(crate) from: String,
    /// In the later version.
    pub(crate) to: String,
}

/// A proposed value that changed; null where a version proposes no package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub(crate) struct ValueChange {
    /// In the earlier version.
    #[schema(value_type = Object)]
    pub(crate) from: Value,
    /// In the later version.
    #[schema(value_type = Object)]
    pub(crate) to: Value,
}

/// One point of a diff.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct PointDiff {
    /// The point's id.
    pub(crate) point: String,
    /// Unchanged, changed, added or removed.
    pub(crate) status: PointStatus,
    /// The title's change, if it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) title: Option<TitleChange>,
    /// The proposed value's change, if it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<ValueChange>,
    /// The wording from the earlier version to the later, by words, in merged runs.
    pub(crate) wording: Vec<WordRun>,
}

/// How many points differ, and how.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub(crate) struct DiffSummary {
    /// Points alike in both versions.
    pub(crate) unchanged: usize,
    /// Points whose title, wording or value changed.
    pub(crate) changed: usize,
    /// Points only in the later version.
    pub(crate) added: usize,
    /// Points only in the earlier version.
    pub(crate) removed: usize,
    /// Points whose wording changed.
    pub(crate) wording_changed: usize,
    /// Points whose proposed value changed.
    pub(crate) values_changed: usize,
}

/// The differences between two versions.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct DraftDiff {
    /// The earlier version (the first in the path).
    pub(crate) from: i64,
    /// The later version (the second in the path).
    pub(crate) to: i64,
    /// Every point of either version, in order.
    pub(crate) points: Vec<PointDiff>,
    /// The counts.
    pub(crate) summary: DiffSummary,
}

/// A party's verdict on one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Verdict {
    /// The point may stay as drafted.
    Accept,
    /// The point is unacceptable as drafted.
    Reject,
    /// Acceptable with the amendment proposed.
    Amend,
}

/// An amendment: another value for the point, other wording, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Amendment {
    /// The value proposed instead: an option id, or a number for a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub(crate) value: Option<Value>,
    /// The wording proposed instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
}

/// A party's answer on one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PointAnswer {
    /// Accept, reject or amend.
    pub(crate) verdict: Verdict,
    /// Required with `amend`, not allowed otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) amendment: Option<Amendment>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) comment: Option<String>,
}

/// A party's response to a tabled draft; points may be left unanswered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResponseBody {
    /// A comment on the draft as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) comment: Option<String>,
    /// The answers, by point id.
    #[serde(default)]
    #[schema(value_type = HashMap<String, PointAnswer>)]
    pub(crate) points: IndexMap<String, PointAnswer>,
}

/// A party's response as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct ResponseView {
    /// The draft version answered.
    pub(crate) version: i64,
    /// The party answering.
    pub(crate) party: String,
    /// When it was last submitted (milliseconds).
    pub(crate) submitted_ms: i64,
    /// The username of the account that submitted it (its id when the account is gone).
    pub(crate) submitted_by: String,
    /// A comment on the draft as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) comment: Option<String>,
    /// The answers, by point id, in the draft's order.
    #[schema(value_type = HashMap<String, PointAnswer>)]
    pub(crate) points: IndexMap<String, PointAnswer>,
}

// ---------------------------------------------------------------------------------------
// Helpers.

/// A version number from the path: a positive integer; anything else is a 422.
fn parse_version(field: &str, text: &str) -> ApiResult<i64> {
    match text.parse::<i64>() {
        Ok(version) if version >= 1 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(version),
        _ => Err(ApiError::invalid(
            field,
            format!("`{text}` is not a draft version: use 1, 2, ..."),
        )),
    }
}

/// A draft version the viewer may read; 404 if there is none or the viewer may not see it.
async fn readable_draft(
    store: &Store,
    standing: &Standing,
    case_id: &str,
    version: i64,
) -> ApiResult<DraftRow> {
    store
        .draft(case_id, version)
        .await?
        .filter(|draft| standing.may_read_draft(draft))
        .ok_or_else(|| ApiError::not_found(format!("draft version {version}")))
}

/// Usernames of accounts, looked up once each; an account that is gone shows its id.
#[derive(Default)]
struct Usernames(HashMap<String, String>);

impl Usernames {
    async fn get(&mut self, store: &Store, account_id: &str) -> ApiResult<String> {
        if let Some(name) = self.0.get(account_id) {
            return Ok(name.clone());
        }
        let name = store
            .account(account_id)
            .await?
            .map_or_else(|| account_id.to_string(), |a| a.username);
        self.0.insert(account_id.to_string(), name.clone());
        Ok(name)
    }
}

fn summary(draft: &DraftRow) -> DraftSummary {
    DraftSummary {
        version: draft.version,
        // An account that is gone shows its id.
        author: draft
            .author_name
            .clone()
            .unwrap_or_else(|| draft.author.clone()),
        created_ms: draft.created_ms,
        note: draft.note.clone(),
        tabled_ms: draft.tabled_ms,
        published_ms: draft.published_ms,
        responses_published_ms: draft.responses_published_ms,
    }
}

fn draft_text(draft: &DraftRow) -> ApiResult<DraftText> {
    parse_json("draft", &draft.body)
}

/// The case in the core model without positions or a package: enough to check values.
fn bare_case(rows: &CaseRows) -> ApiResult<Case> {
    let empty = DraftText {
        points: Vec::new(),
        package: None,
    };
    let doc = rows.document(false, Some(&empty))?;
    read_document(&rows.case.id, &doc).map_err(|error| {
        ApiError::internal(format!(
            "stored case `{}` does not read: {error}",
            rows.case.id
        ))
    })
}

/// A value written as the case file writes it (option id or number) as a choice of
/// `point`, if it is one of the point's values. Mirrors `accord_formats::case_file`.
fn choice_of(point: &Point, value: &Value) -> Option<Choice> {
    let choice = match (&point.kind, value) {
        (PointKind::Options(_), Value::String(id)) => point.option_idx(id).map(Choice::Option),
        (PointKind::Integer { .. }, v) => v.as_i64().map(Choice::Integer),
        (PointKind::Real { .. }, v) => v.as_f64().map(Choice::Real),
        _ => None,
    }?;
    point.admits(&choice).then_some(choice)
}

/// A choice as the case file writes it.
fn choice_value(point: &Point, choice: Choice) -> Value {
    match choice {
        Choice::Option(_) => Value::String(point.choice_label(&choice)),
        Choice::Integer(v) => json!(v),
        Choice::Real(v) => json!(v),
    }
}

fn shown(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

fn check_length(field: &str, text: &str, max: usize) -> ApiResult<()> {
    let n = text.chars().count();
    if n > max {
        return Err(ApiError::invalid(
            field,
            format!("{n} characters is over the limit of {max}"),
        ));
    }
    Ok(())
}

/// Checks a new version against the case: every point once, lengths, a full valid
/// package. Returns the text in the case's order, with the package's values as the case
/// file writes them.
fn check_new_draft(rows: &CaseRows, case: &Case, request: NewDraft) -> ApiResult<DraftText> {
    check_length("note", &request.note, NOTE_MAX)?;
    let mut given: HashMap<String, DraftPoint> = HashMap::new();
    for (i, point) in request.points.into_iter().enumerate() {
        if case.point_idx(&point.point).is_none() {
            return Err(ApiError::invalid(
                format!("points[{i}].point"),
                format!("no point `{}` in the case", point.point),
            ));
        }
        if given.contains_key(&point.point) {
            return Err(ApiError::invalid(
                format!("points[{i}].point"),
                format!("point `{}` is given twice", point.point),
            ));
        }
        check_length(&format!("points[{i}].title"), &point.title, TITLE_MAX)?;
        check_length(&format!("points[{i}].text"), &point.text, TEXT_MAX)?;
        given.insert(point.point.clone(), point);
    }
    let mut points = Vec::new();
    for row in &rows.points {
        let Some(mut point) = given.remove(&row.point_id) else {
            return Err(ApiError::invalid(
                "points",
                format!(
                    "point `{}` is missing: give every point of the case once",
                    row.point_id
                ),
            ));
        };
        if point.title.is_empty() {
            let body: serde_json::Map<String, Value> = parse_json("point", &row.body)?;
            if let Some(title) = body.get("title").and_then(Value::as_str) {
                point.title = title.to_string();
            }
        }
        points.push(point);
    }
    let package = match request.package {
        None => None,
        Some(map) => Some(check_package(case, &map)?),
    };
    Ok(DraftText { points, package })
}

/// A full package for `case`, its values as the case file writes them.
fn check_package(case: &Case, map: &IndexMap<String, Value>) -> ApiResult<IndexMap<String, Value>> {
    for id in map.keys() {
        if case.point_idx(id).is_none() {
            return Err(ApiError::invalid(
                format!("package.{id}"),
                format!("no point `{id}` in the case"),
            ));
        }
    }
    let mut package = IndexMap::new();
    for point in case.points() {
        let Some(value) = map.get(&point.id) else {
            return Err(ApiError::invalid(
                format!("package.{}", point.id),
                format!("no value for point `{}`", point.id),
            ));
        };
        let Some(choice) = choice_of(point, value) else {
            return Err(ApiError::invalid(
                format!("package.{}", point.id),
                format!("`{}` is not a value of point `{}`", shown(value), point.id),
            ));
        };
        package.insert(point.id.clone(), choice_value(point, choice));
    }
    Ok(package)
}

/// The words of `from` and `to`, compared, in merged runs.
fn word_diff(from: &str, to: &str) -> Vec<WordRun> {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_words(from, to);
    let mut runs: Vec<WordRun> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => DiffOp::Equal,
            ChangeTag::Insert => DiffOp::Insert,
            ChangeTag::Delete => DiffOp::Delete,
        };
        match runs.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => runs.push(WordRun {
                op,
                text: change.value().to_string(),
            }),
        }
    }
    runs
}

/// The point ids of both versions in one order: the later version's, with each point
/// only in the earlier one placed after the point it followed there.
fn merged_order(from: &[DraftPoint], to: &[DraftPoint]) -> Vec<String> {
    let mut order: Vec<String> = to.iter().map(|p| p.point.clone()).collect();
    let mut previous: Option<String> = None;
    for point in from {
        if !order.contains(&point.point) {
            let at = previous
                .as_ref()
                .and_then(|p| order.iter().position(|id| id == p))
                .map_or(0, |k| k + 1);
            order.insert(at, point.point.clone());
        }
        previous = Some(point.point.clone());
    }
    order
}

fn diff_texts(from_version: i64, from: &DraftText, to_version: i64, to: &DraftText) -> DraftDiff {
    let value_of = |text: &DraftText, point: &str| {
        text.package.as_ref().map_or(Value::Null, |p| {
            p.get(point).cloned().unwrap_or(Value::Null)
        })
    };
    let mut summary = DiffSummary::default();
    let mut points = Vec::new();
    for id in merged_order(&from.points, &to.points) {
        let old = from.points.iter().find(|p| p.point == id);
        let new = to.points.iter().find(|p| p.point == id);
        let old_value = value_of(from, &id);
        let new_value = value_of(to, &id);
        let value = (old_value != new_value).then(|| ValueChange {
            from: old_value,
            to: new_value,
        });
        let (status, title, wording) = match (old, new) {
            (Some(old), Some(new)) => {
                let title = (old.title != new.title).then(|| TitleChange {
                    from: old.title.clone(),
                    to: new.title.clone(),
                });
                let wording = word_diff(&old.text, &new.text);
                let reworded = old.text != new.text;
                if reworded {
                    summary.wording_changed += 1;
                }
                let status = if title.is_some() || reworded || value.is_some() {
                    PointStatus::Changed
                } else {
                    PointStatus::Unchanged
                };
                (status, title, wording)
            }
            (None, Some(new)) => (PointStatus::Added, None, word_diff("", &new.text)),
            (Some(old), None) => (PointStatus::Removed, None, word_diff(&old.text, "")),
            (None, None) => continue,
        };
        match status {
            PointStatus::Unchanged => summary.unchanged += 1,
            PointStatus::Changed => summary.changed += 1,
            PointStatus::Added => summary.added += 1,
            PointStatus::Removed => summary.removed += 1,
        }
        if value.is_some() {
            summary.values_changed += 1;
        }
        points.push(PointDiff {
            point: id,
            status,
            title,
            value,
            wording,
        });
    }
    DraftDiff {
        from: from_version,
        to: to_version,
        points,
        summary,
    }
}

fn response_view(row: &ResponseRow, submitted_by: String) -> ApiResult<ResponseView> {
    let body: ResponseBody = parse_json("response", &row.body)?;
    Ok(ResponseView {
        version: row.version,
        party: row.party_id.clone(),
        submitted_ms: row.submitted_ms,
        submitted_by,
        comment: body.comment,
        points: body.points,
    })
}

/// Checks a response against the draft: known points, an amendment exactly with `amend`,
/// amendment values of the point, lengths. Returns it with the answers in the draft's
/// order and the values as the case file writes them.
fn check_response(
    case: &Case,
    text: &DraftText,
    mut request: ResponseBody,
) -> ApiResult<ResponseBody> {
    if let Some(comment) = &request.comment {
        check_length("comment", comment, NOTE_MAX)?;
    }
    for id in request.points.keys() {
        if !text.points.iter().any(|p| &p.point == id) {
            return Err(ApiError::invalid(
                format!("points.{id}"),
                format!("no point `{id}` in draft"),
            ));
        }
    }
    let mut points = IndexMap::new();
    for drafted in &text.points {
        let id = &drafted.point;
        let Some(mut answer) = request.points.shift_remove(id) else {
            continue;
        };
        let at = format!("points.{id}");
        if let Some(comment) = &answer.comment {
            check_length(&format!("{at}.comment"), comment, NOTE_MAX)?;
        }
        match (&mut answer.verdict, &mut answer.amendment) {
            (Verdict::Amend, None) => {
                return Err(ApiError::invalid(
                    format!("{at}.amendment"),
                    "an `amend` verdict needs an amendment: a value, a text or both",
                ));
            }
            (Verdict::Amend, Some(amendment)) => {
                if amendment.value.is_none() && amendment.text.is_none() {
                    return Err(ApiError::invalid(
                        format!("{at}.amendment"),
                        "an amendment needs a value, a text or both",
                    ));
                }
                if let Some(text) = &amendment.text {
                    check_length(&format!("{at}.amendment.text"), text, TEXT_MAX)?;
                }
                if let Some(value) = &amendment.value {
                    let point = case.point_idx(id).map(|idx| &case.points()[idx.0]);
                    let choice =
                        point.and_then(|point| choice_of(point, value).map(|c| (point, c)));
                    let Some((point, choice)) = choice else {
                        return Err(ApiError::invalid(
                            format!("{at}.amendment.value"),
                            format!("`{}` is not a value of point `{id}`", shown(value)),
                        ));
                    };
                    amendment.value = Some(choice_value(point, choice));
                }
            }
            (_, Some(_)) => {
                return Err(ApiError::invalid(
                    format!("{at}.amendment"),
                    "only an `amend` verdict takes an amendment",
                ));
            }
            (_, None) => {}
        }
        points.insert(id.clone(), answer);
    }
    Ok(ResponseBody {
        comment: request.comment,
        points,
    })
}

// ---------------------------------------------------------------------------------------
// Handlers.

/// The draft versions the viewer may read, oldest first, without their text.
#[utoipa::path(get, path = "/api/cases/{case}/drafts", tag = "drafts",
    params(("case" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "the versions", body = Vec<DraftSummary>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
    ))]
pub(crate) async fn list_drafts(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
) -> ApiResult<axum::Json<Vec<DraftSummary>>> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    let drafts = state.store.draft_list(&case_id).await?;
    Ok(axum::Json(
        drafts
            .iter()
            .filter(|d| standing.may_read_draft(d))
            .map(summary)
            .collect(),
    ))
}

/// Writes a new draft version (mediator only): every point's wording, and optionally a
/// package.
#[utoipa::path(post, path = "/api/cases/{case}/drafts", tag = "drafts",
    params(("case" = String, Path, description = "case id")),
    request_body = NewDraft,
    responses(
        (status = 201, description = "the new version", body = DraftView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 409, description = "another version was written at the same time", body = ErrorBody),
        (status = 422, description = "a point is missing, unknown or repeated, a text is too long, or the package is invalid", body = ErrorBody),
    ))]
pub(crate) async fn post_draft(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    Body(request): Body<NewDraft>,
) -> ApiResult<(StatusCode, axum::Json<DraftView>)> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    let _case_lock = state.lock_case(&case_id).await;
    let rows = CaseRows::load(&state.store, &case_id).await?;
    let case = bare_case(&rows)?;
    let note = request.note.clone();
    let text = check_new_draft(&rows, &case, request)?;
    let body = serde_json::to_string(&text).map_err(ApiError::internal)?;
    let mut tx = state.store.begin().await?;
    let version = tx
        .insert_draft(&case_id, &viewer.account.id, &note, &body)
        .await?;
    tx.audit(&viewer.audit(
        Some(&case_id),
        "draft.create",
        format!("draft/{version}"),
        &json!({ "version": version, "n_points": text.points.len(),
                 "package": text.package.is_some() }),
    ))
    .await?;
    tx.commit().await?;
    let draft = state
        .store
        .draft(&case_id, version)
        .await?
        .ok_or_else(|| ApiError::internal(format!("draft {version} vanished")))?;
    let summary = summary(&draft);
    Ok((
        StatusCode::CREATED,
        axum::Json(DraftView {
            summary,
            points: text.points,
            package: text.package,
        }),
    ))
}

/// One draft version with its text.
#[utoipa::path(get, path = "/api/cases/{case}/drafts/{version}", tag = "drafts",
    params(("case" = String, Path, description = "case id"),
           ("version" = i64, Path, description = "draft version")),
    responses(
        (status = 200, description = "the version", body = DraftView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such case or version, or not visible to the viewer", body = ErrorBody),
        (status = 422, description = "the version is not a number", body = ErrorBody),
    ))]
pub(crate) async fn get_draft(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, version)): Path<(String, String)>,
) -> ApiResult<axum::Json<DraftView>> {
    let version = parse_version("version", &version)?;
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    let draft = readable_draft(&state.store, &standing, &case_id, version).await?;
    let text = draft_text(&draft)?;
    let summary = summary(&draft);
    Ok(axum::Json(DraftView {
        summary,
        points: text.points,
        package: text.package,
    }))
}

/// What changed from version `a` to version `b`, point by point, with the wording
/// compared by words.
#[utoipa::path(get, path = "/api/cases/{case}/drafts/{a}/diff/{b}", tag = "drafts",
    params(("case" = String, Path, description = "case id"),
           ("a" = i64, Path, description = "the earlier version"),
           ("b" = i64, Path, description = "the later version")),
    responses(
        (status = 200, description = "the differences", body = DraftDiff),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such case or version, or not visible to the viewer", body = ErrorBody),
        (status = 422, description = "a version is not a number", body = ErrorBody),
    ))]
pub(crate) async fn diff_drafts(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, a, b)): Path<(String, String, String)>,
) -> ApiResult<axum::Json<DraftDiff>> {
    let a = parse_version("a", &a)?;
    let b = parse_version("b", &b)?;
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    let from = readable_draft(&state.store, &standing, &case_id, a).await?;
    let to = readable_draft(&state.store, &standing, &case_id, b).await?;
    let (from, to) = (draft_text(&from)?, draft_text(&to)?);
    Ok(axum::Json(diff_texts(a, &from, b, &to)))
}

/// Sets one stamp of a draft (mediator only); idempotent, audited the first time.
async fn stamp(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    version: &str,
    stamp: DraftStamp,
) -> ApiResult<DraftSummary> {
    let version = parse_version("version", version)?;
    let (_, standing) = viewer.standing(&state.store, case_id).await?;
    standing.require_mediator()?;
    let mut tx = state.store.begin().await?;
    let Some(draft) = tx.draft(case_id, version).await? else {
        return Err(ApiError::not_found(format!("draft version {version}")));
    };
    if stamp == DraftStamp::ResponsesPublished && draft.tabled_ms.is_none() {
        return Err(ApiError::conflict(format!(
            "draft {version} is not tabled, so it has no responses to publish"
        )));
    }
    if tx.stamp_draft(case_id, version, stamp).await? {
        let action = match stamp {
            DraftStamp::Tabled => "draft.table",
            DraftStamp::Published => "draft.publish",
            DraftStamp::ResponsesPublished => "draft.responses_publish",
        };
        tx.audit(&viewer.audit(
            Some(case_id),
            action,
            format!("draft/{version}"),
            &json!({ "version": version }),
        ))
        .await?;
        tx.commit().await?;
    }
    let draft = state
        .store
        .draft(case_id, version)
        .await?
        .ok_or_else(|| ApiError::internal(format!("draft {version} vanished")))?;
    Ok(summary(&draft))
}

/// Tables a draft for the parties' responses (mediator only); tabling it again changes
/// nothing.
#[utoipa::path(post, path = "/api/cases/{case}/drafts/{version}/table", tag = "drafts",
    params(("case" = String, Path, description = "case id"),
           ("version" = i64, Path, description = "draft version")),
    responses(
        (status = 200, description = "tabled", body = DraftSummary),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case or version", body = ErrorBody),
        (status = 422, description = "the version is not a number", body = ErrorBody),
    ))]
pub(crate) async fn table_draft(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, version)): Path<(String, String)>,
) -> ApiResult<axum::Json<DraftSummary>> {
    stamp(&state, &viewer, &case_id, &version, DraftStamp::Tabled)
        .await
        .map(axum::Json)
}

/// Publishes a draft to observers (mediator only); publishing it again changes nothing.
#[utoipa::path(post, path = "/api/cases/{case}/drafts/{version}/publish", tag = "drafts",
    params(("case" = String, Path, description = "case id"),
           ("version" = i64, Path, description = "draft version")),
    responses(
        (status = 200, description = "published", body = DraftSummary),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case or version", body = ErrorBody),
        (status = 422, description = "the version is not a number", body = ErrorBody),
    ))]
pub(crate) async fn publish_draft(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, version)): Path<(String, String)>,
) -> ApiResult<axum::Json<DraftSummary>> {
    stamp(&state, &viewer, &case_id, &version, DraftStamp::Published)
        .await
        .map(axum::Json)
}

/// Publishes the responses to a tabled draft, and their tally, to everyone who may read
/// the draft (mediator only); the responses are then final.
#[utoipa::path(post, path = "/api/cases/{case}/drafts/{version}/responses/publish", tag = "drafts",
    params(("case" = String, Path, description = "case id"),
           ("version" = i64, Path, description = "draft version")),
    responses(
        (status = 200, description = "published", body = DraftSummary),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case or version", body = ErrorBody),
        (status = 409, description = "the draft is not tabled", body = ErrorBody),
        (status = 422, description = "the version is not a number", body = ErrorBody),
    ))]
pub(crate) async fn publish_responses(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, version)): Path<(String, String)>,
) -> ApiResult<axum::Json<DraftSummary>> {
    stamp(
        &state,
        &viewer,
        &case_id,
        &version,
        DraftStamp::ResponsesPublished,
    )
    .await
    .map(axum::Json)
}

/// The responses to a draft that the viewer may read: the mediator all, a party its own
/// until the mediator publishes them, then everyone who may read the draft all.
#[utoipa::path(get, path = "/api/cases/{case}/drafts/{version}/responses", tag = "drafts",
    params(("case" = String, Path, description = "case id"),
           ("version" = i64, Path, description = "draft version")),
    responses(
        (status = 200, description = "the responses", body = Vec<ResponseView>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such case or version, or not visible to the viewer", body = ErrorBody),
        (status = 422, description = "the version is not a number", body = ErrorBody),
    ))]
pub(crate) async fn list_responses(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, version)): Path<(String, String)>,
) -> ApiResult<axum::Json<Vec<ResponseView>>> {
    let version = parse_version("version", &version)?;
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    let draft = readable_draft(&state.store, &standing, &case_id, version).await?;
    let mut names = Usernames::default();
    let mut out = Vec::new();
    for row in state.store.responses(&case_id, version).await? {
        if standing.may_read_response(&draft, &row.party_id) {
            let by = names.get(&state.store, &row.submitted_by).await?;
            out.push(response_view(&row, by)?);
        }
    }
    Ok(axum::Json(out))
}

/// One party's response to a draft.
#[utoipa::path(get, path = "/api/cases/{case}/drafts/{version}/responses/{party}", tag = "drafts",
    params(("case" = String, Path, description = "case id"),
           ("version" = i64, Path, description = "draft version"),
           ("party" = String, Path, description = "party id")),
    responses(
        (status = 200, description = "the response", body = ResponseView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "another party's response, not yet published", body = ErrorBody),
        (status = 404, description = "no such case, version, party or response", body = ErrorBody),
        (status = 422, description = "the version is not a number", body = ErrorBody),
    ))]
pub(crate) async fn get_response(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, version, party_id)): Path<(String, String, String)>,
) -> ApiResult<axum::Json<ResponseView>> {
    let version = parse_version("version", &version)?;
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    let draft = readable_draft(&state.store, &standing, &case_id, version).await?;
    let parties = state.store.parties(&case_id).await?;
    if !parties.iter().any(|p| p.party_id == party_id) {
        return Err(ApiError::not_found(format!("party `{party_id}`")));
    }
    // Readability first, so that a party cannot learn whether another has answered.
    if !standing.may_read_response(&draft, &party_id) {
        return Err(ApiError::forbidden(
            "another party's response is seen only once the mediator publishes the responses",
        ));
    }
    let Some(row) = state.store.response(&case_id, version, &party_id).await? else {
        return Err(ApiError::not_found(format!(
            "response of `{party_id}` to draft {version}"
        )));
    };
    let by = Usernames::default()
        .get(&state.store, &row.submitted_by)
        .await?;
    Ok(axum::Json(response_view(&row, by)?))
}

/// Submits (or replaces) a party's response to a tabled draft: a member of that party
/// only, until the mediator publishes the responses.
#[utoipa::path(put, path = "/api/cases/{case}/drafts/{version}/responses/{party}", tag = "drafts",
    params(("case" = String, Path, description = "case id"),
           ("version" = i64, Path, description = "draft version"),
           ("party" = String, Path, description = "party id")),
    request_body = ResponseBody,
    responses(
        (status = 200, description = "the response as stored", body = ResponseView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a member of the party", body = ErrorBody),
        (status = 404, description = "no such case or version, or a version the viewer may not read (unpublished work looks missing)", body = ErrorBody),
        (status = 409, description = "the draft (published) is not tabled, or its responses are published", body = ErrorBody),
        (status = 422, description = "an answer is invalid", body = ErrorBody),
    ))]
pub(crate) async fn put_response(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, version, party_id)): Path<(String, String, String)>,
    Body(request): Body<ResponseBody>,
) -> ApiResult<axum::Json<ResponseView>> {
    let version = parse_version("version", &version)?;
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    let not_found = || ApiError::not_found(format!("draft version {version}"));
    // A draft the viewer may not read answers as one that does not exist: nothing tells
    // whether the mediator has unpublished work.
    let draft = readable_draft(&state.store, &standing, &case_id, version).await?;
    standing.require_respond(&draft, &party_id)?;
    let _case_lock = state.lock_case(&case_id).await;
    let rows = CaseRows::load(&state.store, &case_id).await?;
    let case = bare_case(&rows)?;
    let text = draft_text(&draft)?;
    let body = check_response(&case, &text, request)?;
    let stored = serde_json::to_string(&body).map_err(ApiError::internal)?;
    let mut tx = state.store.begin().await?;
    // Checked again inside the transaction: publishing the responses makes them final.
    let draft = tx.draft(&case_id, version).await?.ok_or_else(not_found)?;
    if draft.responses_published_ms.is_some() {
        return Err(ApiError::conflict(format!(
            "the responses to draft {version} are published, so they are final"
        )));
    }
    tx.put_response(&case_id, version, &party_id, &stored, &viewer.account.id)
        .await?;
    let count = |verdict: Verdict| {
        body.points
            .values()
            .filter(|a| a.verdict == verdict)
            .count()
    };
    tx.audit(&viewer.audit(
        Some(&case_id),
        "response.submit",
        format!("draft/{version}/responses/{party_id}"),
        &json!({ "version": version, "party": party_id,
                 "accept": count(Verdict::Accept), "reject": count(Verdict::Reject),
                 "amend": count(Verdict::Amend),
                 "unanswered": text.points.len() - body.points.len() }),
    ))
    .await?;
    tx.commit().await?;
    let row = state
        .store
        .response(&case_id, version, &party_id)
        .await?
        .ok_or_else(|| ApiError::internal("a response vanished"))?;
    let by = Usernames::default()
        .get(&state.store, &row.submitted_by)
        .await?;
    Ok(axum::Json(response_view(&row, by)?))
}

/// The drafts routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_drafts, post_draft))
        .routes(routes!(get_draft))
        .routes(routes!(diff_drafts))
        .routes(routes!(table_draft))
        .routes(routes!(publish_draft))
        .routes(routes!(publish_responses))
        .routes(routes!(list_responses))
        .routes(routes!(get_response, put_response))
        .routes(routes!(tally::get_tally))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(from: &str, to: &str, expected: &[(DiffOp, &str)]) {
        let got = word_diff(from, to);
        let got: Vec<(DiffOp, &str)> = got.iter().map(|r| (r.op, r.text.as_str())).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn word_diffs_merge_runs() {
        check(
            "the parties agree to a ceasefire",
            "the parties agree to an immediate ceasefire",
            &[
                (DiffOp::Equal, "the parties agree to "),
                (DiffOp::Delete, "a"),
                (DiffOp::Insert, "an immediate"),
                (DiffOp::Equal, " ceasefire"),
            ],
        );
        check("", "new words", &[(DiffOp::Insert, "new words")]);
        check("same", "same", &[(DiffOp::Equal, "same")]);
        check("", "", &[]);
    }

    #[test]
    fn versions_parse_strictly() {
        assert_eq!(parse_version("version", "12").ok(), Some(12));
        for bad in ["0", "-1", "+1", "x", "1.5", "99999999999999999999", ""] {
            assert!(parse_version("version", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn removed_points_keep_their_place() {
        let point = |id: &str| DraftPoint {
            point: id.to_string(),
            title: String::new(),
            text: String::new(),
        };
        let from = [point("a"), point("b"), point("c")];
        let to = [point("a"), point("c"), point("d")];
        assert_eq!(merged_order(&from, &to), ["a", "b", "c", "d"]);
    }
}
