//! Routes: cases, their points and parties, the parties' confidential positions, the
//! case file export and the analysis.
//!
//! A case comes in as a case file (TOML or JSON) or a GENIUS / GeniusWeb domain folder
//! ([`import_case`]); it is read with the formats crate's checks and stored as rows: one
//! per point (the case file's point table without its wording), one per party (without its
//! position), one per position, and draft version 1 with the wording of every point.
//!
//! Every change to a point, a party or a position is checked by assembling the whole case
//! document with the change and reading it as a case file, so the server never holds a
//! case that `accord analyze` would reject. A position is checked against the points
//! alone, without any other party's position, so its errors cannot reveal another's.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use accord_core::{
    Analysis, AnalysisOptions, Case, EQUAL_EPS, InsightOptions, Package, PartyIdx, analyze_with,
    insight,
};
use accord_formats::analysis_json::{Source, analysis_to_json, package_to_json};
use accord_formats::case_file::{CaseFormat, read_case, read_package, write_case};
use accord_formats::folder::{FolderFile, read_domain_folder};
use accord_formats::{FormatError, Problem};
use accord_store::{AuditEntry, CaseRow, DraftRow, PartyRow, PointRow, new_id};

use crate::AppState;
use crate::access::{AnalysisScope, Standing};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Body;
use crate::model::{CaseRows, DraftPoint, DraftText, parse_json, read_document};

/// The longest id of a new point or party, in characters.
const ID_MAX: usize = 128;
/// The longest case name, party name or import source name, in characters.
const NAME_MAX: usize = 200;
/// The longest case description, in characters.
const DESCRIPTION_MAX: usize = 20_000;
/// The most frontier vectors an analysis lists (those of highest welfare); `frontier_size`
/// still counts them all.
const FRONTIER_LISTED: usize = 200;

// ---------------------------------------------------------------------------------------
// Import.

/// What a case is imported from.
#[derive(Debug, Clone)]
pub enum ImportInput {
    /// A case file (docs/case-format.md), TOML or JSON.
    CaseFile {
        /// How it is spelled.
        format: CaseFormat,
        /// Its text.
        text: String,
    },
    /// The files of a GENIUS XML or GeniusWeb JSON domain folder; its first three profiles
    /// by file name become the parties, as `accord analyze FOLDER` chooses them.
    Folder(Vec<FolderFile>),
}

/// A case read from a file, as rows ready to store.
struct Imported {
    case: CaseRow,
    points: Vec<PointRow>,
    parties: Vec<PartyRow>,
    positions: Vec<(String, String)>,
    draft: DraftText,
}

/// Splits the case file document written by `write_case` into rows.
fn rows_of(case: &Case) -> ApiResult<Imported> {
    let doc: Value =
        serde_json::from_str(&write_case(case, CaseFormat::Json)).map_err(ApiError::internal)?;
    let mut points = Vec::new();
    let mut draft_points = Vec::new();
    for (k, point) in doc["points"].as_array().into_iter().flatten().enumerate() {
        let mut table = point.as_object().cloned().unwrap_or_default();
        let id = text_of(&table, "id");
        let title = text_of(&table, "title");
        let text = table
            .remove("text")
            .and_then(|t| t.as_str().map(str::to_string))
            .unwrap_or_default();
        draft_points.push(DraftPoint {
            point: id.clone(),
            title,
            text,
        });
        points.push(PointRow {
            point_id: id,
            seq: k as i64,
            body: Value::Object(table).to_string(),
        });
    }
    let mut parties = Vec::new();
    let mut positions = Vec::new();
    for (k, party) in doc["parties"].as_array().into_iter().flatten().enumerate() {
        let mut table = party.as_object().cloned().unwrap_or_default();
        let id = text_of(&table, "id");
        if let Some(position) = table.remove("position") {
            positions.push((id.clone(), position.to_string()));
        }
        let name = match text_of(&table, "name") {
            name if name.is_empty() => id.clone(),
            name => name,
        };
        let role = match text_of(&table, "role") {
            role if role.is_empty() => "party".to_string(),
            role => role,
        };
        let delegates = table.get("delegates").cloned().unwrap_or_else(|| json!([]));
        parties.push(PartyRow {
            party_id: id,
            seq: k as i64,
            name,
            role,
            delegates: delegates.to_string(),
        });
    }
    let package = doc["draft"]
        .as_object()
        .map(|map| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    Ok(Imported {
        case: CaseRow {
            id: new_id(),
            name: case.name().to_string(),
            description: case.description().to_string(),
            created_ms: accord_store::now_ms(),
        },
        points,
        parties,
        positions,
        draft: DraftText {
            points: draft_points,
            package,
        },
    })
}

fn text_of(table: &Map<String, Value>, key: &str) -> String {
    table
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Imports a case file or a domain folder as a new case and returns its id. `source` names
/// the input in error messages (and is the case's name for a folder). Problems in the
/// input are a 422 naming every problem's field, line and column (request field `text`
/// or `files`). `by` is the account importing it (`None`: the server itself).
pub async fn import_case(
    state: &AppState,
    by: Option<&Viewer>,
    source: &str,
    input: ImportInput,
) -> ApiResult<String> {
    let case = match input {
        ImportInput::CaseFile { format, text } => {
            read_case(source, &text, format).map_err(|e| ApiError::from_format("text", &e))?
        }
        ImportInput::Folder(files) => {
            let folder = read_domain_folder(source, files)
                .map_err(|e| ApiError::from_format("files", &e))?;
            folder
                .case(&folder.default_profiles())
                .map_err(|e| ApiError::from_format("files", &e))?
        }
    };
    let imported = rows_of(&case)?;
    let case_id = imported.case.id.clone();
    let author = by.map_or_else(|| "server".to_string(), |v| v.account.id.clone());
    let mut tx = state.store.begin().await?;
    tx.insert_case(&imported.case).await?;
    for point in &imported.points {
        tx.put_point(&case_id, point).await?;
    }
    for party in &imported.parties {
        tx.put_party(&case_id, party).await?;
    }
    for (party, body) in &imported.positions {
        tx.put_position(&case_id, party, body, &author).await?;
    }
    let body = serde_json::to_string(&imported.draft).map_err(ApiError::internal)?;
    tx.insert_draft(&case_id, &author, &format!("imported from {source}"), &body)
        .await?;
    // The detail counts what came in; it never holds a position.
    let detail = json!({
        "source": source,
        "points": imported.points.len(),
        "parties": imported.parties.len(),
        "positions": imported.positions.len(),
    });
    let subject = format!("case/{case_id}");
    let entry = match by {
        Some(viewer) => viewer.audit(Some(&case_id), "case.import", subject, &detail),
        None => AuditEntry {
            account_id: None,
            case_id: Some(case_id.clone()),
            action: "case.import".to_string(),
            subject,
            detail: detail.to_string(),
        },
    };
    tx.audit(&entry).await?;
    tx.commit().await?;
    Ok(case_id)
}

// ---------------------------------------------------------------------------------------
// Wire types.

/// A case to import: a case file's text, or a domain folder's files.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCase {
    /// `toml` or `json` (a case file in `text`), or `folder` (a GENIUS or GeniusWeb domain
    /// folder in `files`).
    pub(crate) format: String,
    /// The case file's text.
    #[serde(default)]
    pub(crate) text: Option<String>,
    /// The folder's files.
    #[serde(default)]
    pub(crate) files: Option<Vec<UploadedFile>>,
    /// A name for the input in error messages (default `upload.toml`, `upload.json` or
    /// `upload`); a folder's case is named after it.
    #[serde(default)]
    pub(crate) source: Option<String>,
}

/// One file of a domain folder.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UploadedFile {
    /// Its file name (no directory), e.g. `laptop_domain.xml`.
    pub(crate) name: String,
    /// Its content, as text.
    pub(crate) content: String,
}

/// A case in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct CaseItem {
    /// Random id.
    pub(crate) id: String,
    /// Its name.
    pub(crate) name: String,
    /// Free text.
    pub(crate) description: String,
    /// When it was created.
    pub(crate) created_ms: i64,
}

/// A delegate of a party.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DelegateView {
    /// Name.
    pub(crate) name: String,
    /// Title or function.
    #[serde(default)]
    pub(crate) title: String,
}

/// A party's public facts (never its position).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct PartyView {
    /// The party's id within its case.
    pub(crate) id: String,
    /// Display name.
    pub(crate) name: String,
    /// `party`, `mediator` or `observer`.
    pub(crate) role: String,
    /// Its delegation.
    pub(crate) delegates: Vec<DelegateView>,
}

/// The viewer's standing in a case.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct YouView {
    /// `mediator`, `party` or `observer`.
    pub(crate) role: String,
    /// A party member's party.
    pub(crate) party: Option<String>,
}

/// A case as its viewer may see it; never any position data.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct CaseSummary {
    /// Random id.
    pub(crate) id: String,
    /// Its name.
    pub(crate) name: String,
    /// Free text.
    pub(crate) description: String,
    /// When it was created.
    pub(crate) created_ms: i64,
    /// Its parties, in order.
    pub(crate) parties: Vec<PartyView>,
    /// How many points it has.
    pub(crate) n_points: usize,
    /// The latest draft version the viewer may read, if any.
    pub(crate) latest_draft: Option<i64>,
    /// The viewer's standing.
    pub(crate) you: YouView,
}

/// Changes to a case; fields left out stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseChange {
    /// New name (1 to 200 characters).
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// New description.
    #[serde(default)]
    pub(crate) description: Option<String>,
}

/// A new party.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewParty {
    /// Its id within the case: 1 to 128 characters, no spaces or `/`.
    pub(crate) id: String,
    /// Display name (default: the id).
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// `party` (default), `mediator` or `observer`.
    #[serde(default)]
    pub(crate) role: Option<String>,
    /// Its delegation.
    #[serde(default)]
    pub(crate) delegates: Vec<DelegateView>,
}

/// Changes to a party; fields left out stay. Its position is not touched.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PartyChange {
    /// The party's id: must match the path when given.
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// `party`, `mediator` or `observer`.
    #[serde(default)]
    pub(crate) role: Option<String>,
    /// Its delegation (replaces the old one).
    #[serde(default)]
    pub(crate) delegates: Option<Vec<DelegateView>>,
}

/// A party's position, seen by its own members and the mediator.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct PositionView {
    /// The party.
    pub(crate) party: String,
    /// The case file's position table (weights, ratings, red lines, reservation value).
    #[schema(value_type = Object)]
    pub(crate) position: Value,
    /// When it last changed.
    pub(crate) updated_ms: i64,
}

#[derive(Debug, Deserialize)]
struct ExportQuery {
    format: Option<String>,
}

/// A party's own analysis: computed from its own position alone.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct OwnAnalysis {
    /// Always `own`.
    pub(crate) scope: String,
    /// The party.
    pub(crate) party: String,
    /// Whether the party has a position (without one, the rest is empty).
    pub(crate) has_position: bool,
    /// Its reservation value.
    pub(crate) reservation_value: Option<f64>,
    /// How the latest draft it may read that proposes a package fares for it.
    pub(crate) draft: Option<OwnDraft>,
    /// Its best package: the highest utility among the packages that cross none of its
    /// red lines.
    pub(crate) best: Option<OwnBest>,
}

/// How a draft's package fares for one party.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct OwnDraft {
    /// The draft version.
    pub(crate) version: i64,
    /// Its package.
    #[schema(value_type = Object)]
    pub(crate) package: Value,
    /// The party's utility for it.
    pub(crate) utility: f64,
    /// The party's red lines the package crosses.
    pub(crate) crossed_red_lines: Vec<CrossedRedLine>,
    /// Whether the party can accept it: no red line crossed and at least its reservation
    /// value.
    pub(crate) accepts: bool,
}

/// One red line of the party's own position.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct CrossedRedLine {
    /// Its index in the position's `red_lines`.
    pub(crate) index: usize,
    /// The red line as the position states it.
    #[schema(value_type = Object)]
    pub(crate) red_line: Value,
}

/// A party's best package.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct OwnBest {
    /// One package with the best utility.
    #[schema(value_type = Object)]
    pub(crate) package: Value,
    /// Its utility.
    pub(crate) utility: f64,
    /// How many packages share this utility.
    pub(crate) n_packages: u64,
    /// Whether it reaches the reservation value.
    pub(crate) meets_reservation_value: bool,
}

// ---------------------------------------------------------------------------------------
// Helpers.

/// No draft: a document without wording or package.
fn no_draft() -> DraftText {
    DraftText {
        points: Vec::new(),
        package: None,
    }
}

fn check_id(field: &str, id: &str) -> ApiResult<()> {
    let ok = !id.is_empty()
        && id.chars().count() <= ID_MAX
        && !id
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '/');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("`{id}` is not an id: use 1 to {ID_MAX} characters without spaces or `/`"),
        ))
    }
}

fn check_length(field: &str, text: &str, min: usize, max: usize) -> ApiResult<()> {
    let n = text.chars().count();
    if n < min {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if n > max {
        return Err(ApiError::invalid(
            field,
            format!("{n} characters is over the limit of {max}"),
        ));
    }
    Ok(())
}

fn check_role(role: &str) -> ApiResult<()> {
    if ["party", "mediator", "observer"].contains(&role) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "role",
            format!("`{role}` is not a role: use party, mediator or observer"),
        ))
    }
}

/// The problems of a document assembled from the request, without line and column (they
/// would point into the assembled document, not the request). The first problem's field
/// is the error's field.
fn document_error(error: &FormatError, map_field: impl Fn(&str) -> String) -> ApiError {
    let problems: Vec<Problem> = error
        .problems
        .iter()
        .map(|p| Problem::at("body", None, map_field(&p.field), p.kind, p.message.clone()))
        .collect();
    let field = problems
        .first()
        .map(|p| p.field.clone())
        .unwrap_or_default();
    ApiError::from_format(&field, &FormatError { problems })
}

fn party_view(row: &PartyRow) -> ApiResult<PartyView> {
    Ok(PartyView {
        id: row.party_id.clone(),
        name: row.name.clone(),
        role: row.role.clone(),
        delegates: parse_json("delegates", &row.delegates)?,
    })
}

fn you(standing: &Standing) -> YouView {
    let role = match standing {
        Standing::Mediator => "mediator",
        Standing::Member(_) => "party",
        Standing::Observer => "observer",
    };
    YouView {
        role: role.to_string(),
        party: standing.party().map(str::to_string),
    }
}

/// The drafts the viewer may read, oldest first.
async fn readable_drafts(
    state: &AppState,
    case_id: &str,
    standing: &Standing,
) -> ApiResult<Vec<DraftRow>> {
    let drafts = state.store.drafts(case_id).await?;
    Ok(drafts
        .into_iter()
        .filter(|d| standing.may_read_draft(d))
        .collect())
}

async fn summary(state: &AppState, case: CaseRow, standing: &Standing) -> ApiResult<CaseSummary> {
    // Three independent reads, run side by side on the pool.
    let (parties, n_points, drafts) = tokio::try_join!(
        state.store.parties(&case.id),
        state.store.point_count(&case.id),
        state.store.draft_list(&case.id),
    )?;
    let n_points = usize::try_from(n_points).unwrap_or(0);
    let latest_draft = drafts
        .iter()
        .filter(|d| standing.may_read_draft(d))
        .map(|d| d.version)
        .next_back();
    Ok(CaseSummary {
        id: case.id,
        name: case.name,
        description: case.description,
        created_ms: case.created_ms,
        parties: parties.iter().map(party_view).collect::<ApiResult<_>>()?,
        n_points,
        latest_draft,
        you: you(standing),
    })
}

/// The index of an entry with `id` in an array of the document.
fn index_of(doc: &Value, array: &str, id: &str) -> Option<usize> {
    doc[array]
        .as_array()?
        .iter()
        .position(|entry| entry["id"].as_str() == Some(id))
}

fn array_mut<'d>(doc: &'d mut Value, array: &str) -> ApiResult<&'d mut Vec<Value>> {
    doc.get_mut(array)
        .and_then(Value::as_array_mut)
        .ok_or_else(|| ApiError::internal(format!("the case document has no `{array}` array")))
}

/// The case of `rows` with the wording and package of `rows.latest`. A package that no
/// longer fits the points (they changed after the draft was written) is left out, with a
/// warning.
fn case_with_draft(rows: &CaseRows, positions: bool) -> ApiResult<(Case, Vec<String>)> {
    let mut doc = rows.document(positions, None)?;
    let first = match read_document(&rows.case.id, &doc) {
        Ok(case) => return Ok((case, Vec::new())),
        Err(error) => error,
    };
    let dropped = doc
        .as_object_mut()
        .and_then(|m| m.remove("draft"))
        .is_some();
    if dropped && let Ok(case) = read_document(&rows.case.id, &doc) {
        let version = rows.latest.as_ref().map_or(0, |d| d.version);
        return Ok((
            case,
            vec![format!(
                "the package of draft {version} does not fit the points any more, so it is left out"
            )],
        ));
    }
    Err(ApiError::internal(format!(
        "stored case `{}` does not read: {first}",
        rows.case.id
    )))
}

// ---------------------------------------------------------------------------------------
// Handlers: cases.

/// The cases the viewer may see.
#[utoipa::path(get, path = "/api/cases", tag = "cases",
    responses(
        (status = 200, description = "the cases", body = Vec<CaseItem>),
        (status = 401, description = "not logged in", body = ErrorBody),
    ))]
pub(crate) async fn list_cases(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<axum::Json<Vec<CaseItem>>> {
    let cases = state.store.cases().await?;
    Ok(axum::Json(
        cases
            .into_iter()
            .filter(|c| viewer.may_see_case(&c.id))
            .map(|c| CaseItem {
                id: c.id,
                name: c.name,
                description: c.description,
                created_ms: c.created_ms,
            })
            .collect(),
    ))
}

/// Imports a case (mediator only): a case file (`format` `toml` or `json`, in `text`) or a
/// GENIUS / GeniusWeb domain folder (`format` `folder`, in `files`). The point tables,
/// parties and positions are stored, and draft version 1 holds the wording of every point
/// and the case file's `draft` package.
#[utoipa::path(post, path = "/api/cases", tag = "cases",
    request_body = NewCase,
    responses(
        (status = 201, description = "imported", body = CaseSummary),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 413, description = "the body is over the limit", body = ErrorBody),
        (status = 422, description = "an unknown format, or the file does not read: every problem with its field, line and column", body = ErrorBody),
    ))]
async fn post_case(
    State(state): State<AppState>,
    viewer: Viewer,
    Body(request): Body<NewCase>,
) -> ApiResult<(StatusCode, axum::Json<CaseSummary>)> {
    viewer.require_mediator()?;
    let (input, default_source) = match (request.format.as_str(), request.text, request.files) {
        ("toml" | "json", Some(text), None) => {
            let (format, source) = if request.format == "toml" {
                (CaseFormat::Toml, "upload.toml")
            } else {
                (CaseFormat::Json, "upload.json")
            };
            (ImportInput::CaseFile { format, text }, source)
        }
        ("toml" | "json", None, _) => {
            return Err(ApiError::invalid("text", "a case file needs its `text`"));
        }
        ("toml" | "json", Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "files",
                "a case file comes in `text`, not `files`",
            ));
        }
        ("folder", None, Some(files)) => {
            let files = files
                .into_iter()
                .map(|f| FolderFile {
                    name: f.name,
                    bytes: f.content.into_bytes(),
                })
                .collect();
            (ImportInput::Folder(files), "upload")
        }
        ("folder", _, None) => {
            return Err(ApiError::invalid("files", "a folder needs its `files`"));
        }
        ("folder", Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "text",
                "a folder comes in `files`, not `text`",
            ));
        }
        (other, _, _) => {
            return Err(ApiError::invalid(
                "format",
                format!("`{other}` is not a format: use toml, json or folder"),
            ));
        }
    };
    let source = request.source.unwrap_or_else(|| default_source.to_string());
    check_length("source", &source, 1, NAME_MAX)?;
    if source.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "source",
            "a source name has no control characters",
        ));
    }
    let case_id = import_case(&state, Some(&viewer), &source, input).await?;
    let (case, standing) = viewer.standing(&state.store, &case_id).await?;
    let summary = summary(&state, case, &standing).await?;
    Ok((StatusCode::CREATED, axum::Json(summary)))
}

/// A case: its parties' public facts, how many points, the latest draft the viewer may
/// read, and the viewer's standing. No position data.
#[utoipa::path(get, path = "/api/cases/{case}", tag = "cases",
    params(("case" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "the case", body = CaseSummary),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such case, or not visible to the viewer", body = ErrorBody),
    ))]
pub(crate) async fn get_case(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
) -> ApiResult<axum::Json<CaseSummary>> {
    let (case, standing) = viewer.standing(&state.store, &case_id).await?;
    Ok(axum::Json(summary(&state, case, &standing).await?))
}

/// Renames a case or changes its description (mediator only).
#[utoipa::path(patch, path = "/api/cases/{case}", tag = "cases",
    params(("case" = String, Path, description = "case id")),
    request_body = CaseChange,
    responses(
        (status = 200, description = "changed", body = CaseSummary),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 422, description = "an empty or too long name or description", body = ErrorBody),
    ))]
async fn patch_case(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    Body(change): Body<CaseChange>,
) -> ApiResult<axum::Json<CaseSummary>> {
    let (mut case, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    if let Some(name) = change.name {
        check_length("name", &name, 1, NAME_MAX)?;
        case.name = name;
    }
    if let Some(description) = change.description {
        check_length("description", &description, 0, DESCRIPTION_MAX)?;
        case.description = description;
    }
    let mut tx = state.store.begin().await?;
    tx.update_case(&case).await?;
    tx.audit(&viewer.audit(
        Some(&case.id),
        "case.update",
        format!("case/{}", case.id),
        &json!({ "name": case.name }),
    ))
    .await?;
    tx.commit().await?;
    Ok(axum::Json(summary(&state, case, &standing).await?))
}

// ---------------------------------------------------------------------------------------
// Handlers: points.

/// The points' definitions in order, as the case file's point tables (their wording is
/// in the drafts). Not for observers.
#[utoipa::path(get, path = "/api/cases/{case}/points", tag = "cases",
    params(("case" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "the point tables", body = Vec<Object>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such case, or not visible to the viewer", body = ErrorBody),
    ))]
pub(crate) async fn list_points(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
) -> ApiResult<axum::Json<Vec<Value>>> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    if !standing.may_read_points() {
        return Err(ApiError::forbidden(
            "observers see the points through published drafts",
        ));
    }
    let points = state.store.points(&case_id).await?;
    Ok(axum::Json(
        points
            .iter()
            .map(|p| parse_json("point", &p.body))
            .collect::<ApiResult<_>>()?,
    ))
}

/// Checks a point table from a request: an object with an id and no wording.
fn point_table(body: &Map<String, Value>, path_id: Option<&str>) -> ApiResult<String> {
    if body.contains_key("text") {
        return Err(ApiError::invalid(
            "text",
            "a point's wording is kept in the drafts: write a new draft to change it",
        ));
    }
    match (body.get("id"), path_id) {
        (Some(Value::String(id)), Some(path)) if id != path => Err(ApiError::invalid(
            "id",
            format!("`{id}` is not the point of the path, `{path}`"),
        )),
        (Some(Value::String(id)), _) => {
            check_id("id", id)?;
            Ok(id.clone())
        }
        (None, Some(path)) => Ok(path.to_string()),
        (None, None) => Err(ApiError::invalid("id", "a point needs its `id`")),
        (Some(_), _) => Err(ApiError::invalid("id", "a point's id is a string")),
    }
}

/// Reads the case with one point added or replaced, against every position.
fn check_points(rows: &CaseRows, point: &Map<String, Value>, id: &str) -> ApiResult<()> {
    // Without the draft: its package was written for the old points, and a new draft
    // follows the change.
    let mut doc = rows.document(true, Some(&no_draft()))?;
    let index = index_of(&doc, "points", id);
    let points = array_mut(&mut doc, "points")?;
    match index {
        Some(k) => points[k] = Value::Object(point.clone()),
        None => points.push(Value::Object(point.clone())),
    }
    read_document(&rows.case.id, &doc)
        .map(|_| ())
        .map_err(|error| document_error(&error, str::to_string))
}

/// Adds a point at the end (mediator only). The body is a case-file point table (`id`,
/// `title`, `options` or `range`); a `text` is refused with a 422, since wording belongs to
/// drafts. The case, with every position, must still read.
#[utoipa::path(post, path = "/api/cases/{case}/points", tag = "cases",
    params(("case" = String, Path, description = "case id")),
    request_body = Object,
    responses(
        (status = 201, description = "added", body = Object),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 409, description = "a point with this id exists", body = ErrorBody),
        (status = 422, description = "the point, or a position with it, does not read: every problem with its field", body = ErrorBody),
    ))]
async fn post_point(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    Body(body): Body<Map<String, Value>>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    let id = point_table(&body, None)?;
    let _case_lock = state.lock_case(&case_id).await;
    let rows = CaseRows::load(&state.store, &case_id).await?;
    if rows.points.iter().any(|p| p.point_id == id) {
        return Err(ApiError::conflict(format!("point `{id}` exists already")));
    }
    check_points(&rows, &body, &id)?;
    let seq = rows.points.iter().map(|p| p.seq).max().map_or(0, |s| s + 1);
    let row = PointRow {
        point_id: id.clone(),
        seq,
        body: Value::Object(body.clone()).to_string(),
    };
    let mut tx = state.store.begin().await?;
    tx.put_point(&case_id, &row).await?;
    tx.audit(&viewer.audit(
        Some(&case_id),
        "point.create",
        format!("point/{id}"),
        &json!({ "point": id }),
    ))
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(Value::Object(body))))
}

/// Replaces a point's definition (mediator only); the body's `id`, if given, must be the
/// path's. The case, with every position, must still read: a problem may name a party's
/// position that no longer fits.
#[utoipa::path(put, path = "/api/cases/{case}/points/{point}", tag = "cases",
    params(("case" = String, Path, description = "case id"),
           ("point" = String, Path, description = "point id")),
    request_body = Object,
    responses(
        (status = 200, description = "replaced", body = Object),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case or point", body = ErrorBody),
        (status = 422, description = "the point, or a position with it, does not read: every problem with its field", body = ErrorBody),
    ))]
async fn put_point(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, point_id)): Path<(String, String)>,
    Body(mut body): Body<Map<String, Value>>,
) -> ApiResult<axum::Json<Value>> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    let _case_lock = state.lock_case(&case_id).await;
    let rows = CaseRows::load(&state.store, &case_id).await?;
    let Some(old) = rows.points.iter().find(|p| p.point_id == point_id) else {
        return Err(ApiError::not_found(format!("point `{point_id}`")));
    };
    let id = point_table(&body, Some(&point_id))?;
    if !body.contains_key("id") {
        // The id first, as the case file writes it.
        let mut with_id = Map::new();
        with_id.insert("id".into(), Value::String(id.clone()));
        with_id.extend(body);
        body = with_id;
    }
    check_points(&rows, &body, &id)?;
    let row = PointRow {
        point_id: id.clone(),
        seq: old.seq,
        body: Value::Object(body.clone()).to_string(),
    };
    let mut tx = state.store.begin().await?;
    tx.put_point(&case_id, &row).await?;
    tx.audit(&viewer.audit(
        Some(&case_id),
        "point.update",
        format!("point/{id}"),
        &json!({ "point": id }),
    ))
    .await?;
    tx.commit().await?;
    Ok(axum::Json(Value::Object(body)))
}

// ---------------------------------------------------------------------------------------
// Handlers: parties.

/// The parties' public facts, in order.
#[utoipa::path(get, path = "/api/cases/{case}/parties", tag = "cases",
    params(("case" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "the parties", body = Vec<PartyView>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such case, or not visible to the viewer", body = ErrorBody),
    ))]
pub(crate) async fn list_parties(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
) -> ApiResult<axum::Json<Vec<PartyView>>> {
    viewer.standing(&state.store, &case_id).await?;
    let parties = state.store.parties(&case_id).await?;
    Ok(axum::Json(
        parties.iter().map(party_view).collect::<ApiResult<_>>()?,
    ))
}

/// Reads the case with one party added or replaced (its position kept).
fn check_parties(rows: &CaseRows, party: &PartyRow) -> ApiResult<()> {
    let mut doc = rows.document(true, Some(&no_draft()))?;
    let index = index_of(&doc, "parties", &party.party_id);
    let parties = array_mut(&mut doc, "parties")?;
    let mut entry = json!({ "id": party.party_id, "name": party.name, "role": party.role });
    let delegates: Value = parse_json("delegates", &party.delegates)?;
    if delegates.as_array().is_some_and(|d| !d.is_empty()) {
        entry["delegates"] = delegates;
    }
    match index {
        Some(k) => {
            if let Some(position) = parties[k].get("position").cloned() {
                entry["position"] = position;
            }
            parties[k] = entry;
        }
        None => parties.push(entry),
    }
    read_document(&rows.case.id, &doc)
        .map(|_| ())
        .map_err(|error| document_error(&error, str::to_string))
}

fn delegates_json(delegates: &[DelegateView]) -> ApiResult<String> {
    for (k, delegate) in delegates.iter().enumerate() {
        check_length(&format!("delegates[{k}].name"), &delegate.name, 1, NAME_MAX)?;
        check_length(
            &format!("delegates[{k}].title"),
            &delegate.title,
            0,
            NAME_MAX,
        )?;
    }
    serde_json::to_string(delegates).map_err(ApiError::internal)
}

/// Adds a party (mediator only), without a position.
#[utoipa::path(post, path = "/api/cases/{case}/parties", tag = "cases",
    params(("case" = String, Path, description = "case id")),
    request_body = NewParty,
    responses(
        (status = 201, description = "added", body = PartyView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 409, description = "a party with this id exists", body = ErrorBody),
        (status = 422, description = "an invalid id, name, role or delegate", body = ErrorBody),
    ))]
async fn post_party(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    Body(request): Body<NewParty>,
) -> ApiResult<(StatusCode, axum::Json<PartyView>)> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    check_id("id", &request.id)?;
    let name = request.name.unwrap_or_else(|| request.id.clone());
    check_length("name", &name, 1, NAME_MAX)?;
    let role = request.role.unwrap_or_else(|| "party".to_string());
    check_role(&role)?;
    let _case_lock = state.lock_case(&case_id).await;
    let rows = CaseRows::load(&state.store, &case_id).await?;
    if rows.parties.iter().any(|p| p.party_id == request.id) {
        return Err(ApiError::conflict(format!(
            "party `{}` exists already",
            request.id
        )));
    }
    let row = PartyRow {
        party_id: request.id.clone(),
        seq: rows
            .parties
            .iter()
            .map(|p| p.seq)
            .max()
            .map_or(0, |s| s + 1),
        name,
        role,
        delegates: delegates_json(&request.delegates)?,
    };
    check_parties(&rows, &row)?;
    let mut tx = state.store.begin().await?;
    tx.put_party(&case_id, &row).await?;
    tx.audit(&viewer.audit(
        Some(&case_id),
        "party.create",
        format!("party/{}", row.party_id),
        &json!({ "party": row.party_id, "name": row.name, "role": row.role }),
    ))
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(party_view(&row)?)))
}

/// Changes a party's name, role or delegation (mediator only); its position stays.
#[utoipa::path(put, path = "/api/cases/{case}/parties/{party}", tag = "cases",
    params(("case" = String, Path, description = "case id"),
           ("party" = String, Path, description = "party id")),
    request_body = PartyChange,
    responses(
        (status = 200, description = "changed", body = PartyView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such case or party", body = ErrorBody),
        (status = 422, description = "an invalid name, role or delegate, or a role that cannot hold the party's position", body = ErrorBody),
    ))]
async fn put_party(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, party_id)): Path<(String, String)>,
    Body(change): Body<PartyChange>,
) -> ApiResult<axum::Json<PartyView>> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_mediator()?;
    let _case_lock = state.lock_case(&case_id).await;
    let rows = CaseRows::load(&state.store, &case_id).await?;
    let Some(old) = rows.parties.iter().find(|p| p.party_id == party_id) else {
        return Err(ApiError::not_found(format!("party `{party_id}`")));
    };
    if let Some(id) = &change.id
        && *id != party_id
    {
        return Err(ApiError::invalid(
            "id",
            format!("`{id}` is not the party of the path, `{party_id}`"),
        ));
    }
    let mut row = old.clone();
    if let Some(name) = change.name {
        check_length("name", &name, 1, NAME_MAX)?;
        row.name = name;
    }
    if let Some(role) = change.role {
        check_role(&role)?;
        row.role = role;
    }
    if let Some(delegates) = &change.delegates {
        row.delegates = delegates_json(delegates)?;
    }
    check_parties(&rows, &row)?;
    let mut tx = state.store.begin().await?;
    tx.put_party(&case_id, &row).await?;
    tx.audit(&viewer.audit(
        Some(&case_id),
        "party.update",
        format!("party/{party_id}"),
        &json!({ "party": party_id, "name": row.name, "role": row.role }),
    ))
    .await?;
    tx.commit().await?;
    Ok(axum::Json(party_view(&row)?))
}

// ---------------------------------------------------------------------------------------
// Handlers: positions.

/// A party's position: its own members and the mediator only.
#[utoipa::path(get, path = "/api/cases/{case}/parties/{party}/position", tag = "positions",
    params(("case" = String, Path, description = "case id"),
           ("party" = String, Path, description = "party id")),
    responses(
        (status = 200, description = "the position", body = PositionView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "another party's position, or an observer", body = ErrorBody),
        (status = 404, description = "no such case or party, or no position yet", body = ErrorBody),
    ))]
pub(crate) async fn get_position(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, party_id)): Path<(String, String)>,
) -> ApiResult<axum::Json<PositionView>> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    // Authorisation before existence: a member learns nothing of other parties.
    standing.require_position(&party_id)?;
    let parties = state.store.parties(&case_id).await?;
    if !parties.iter().any(|p| p.party_id == party_id) {
        return Err(ApiError::not_found(format!("party `{party_id}`")));
    }
    let Some(row) = state.store.position(&case_id, &party_id).await? else {
        return Err(ApiError::not_found(format!(
            "position of party `{party_id}` yet"
        )));
    };
    Ok(axum::Json(PositionView {
        party: party_id,
        position: parse_json("position", &row.body)?,
        updated_ms: row.updated_ms,
    }))
}

/// Checks a position for a party against the points alone, without saving it: 404 for an
/// unknown party, 422 naming every problem's field as `position.weights.x`. The caller
/// has asked `Standing::require_position` first.
pub(crate) fn check_position(
    rows: &CaseRows,
    party_id: &str,
    body: &Map<String, Value>,
) -> ApiResult<()> {
    // No other position and no draft: a problem can only be about this position.
    let mut doc = rows.document(false, Some(&no_draft()))?;
    let Some(k) = index_of(&doc, "parties", party_id) else {
        return Err(ApiError::not_found(format!("party `{party_id}`")));
    };
    array_mut(&mut doc, "parties")?[k]["position"] = Value::Object(body.clone());
    let prefix = format!("parties[{k}].");
    read_document(&rows.case.id, &doc).map_err(|error| {
        document_error(&error, |field| {
            field
                .strip_prefix(&prefix)
                .filter(|f| f.starts_with("position"))
                .map_or_else(|| "position".to_string(), str::to_string)
        })
    })?;
    Ok(())
}

/// Sets a party's position: its own members and the mediator only. The body is a case
/// file's position table (docs/case-format.md); it is checked against the points alone,
/// and a problem names its field as `position.weights.x`.
#[utoipa::path(put, path = "/api/cases/{case}/parties/{party}/position", tag = "positions",
    params(("case" = String, Path, description = "case id"),
           ("party" = String, Path, description = "party id")),
    request_body = Object,
    responses(
        (status = 200, description = "set", body = PositionView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "another party's position, or an observer", body = ErrorBody),
        (status = 404, description = "no such case or party", body = ErrorBody),
        (status = 422, description = "the position does not read: every problem with its field", body = ErrorBody),
    ))]
pub(crate) async fn put_position(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, party_id)): Path<(String, String)>,
    Body(body): Body<Map<String, Value>>,
) -> ApiResult<axum::Json<PositionView>> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    standing.require_position(&party_id)?;
    let _case_lock = state.lock_case(&case_id).await;
    let rows = CaseRows::load(&state.store, &case_id).await?;
    check_position(&rows, &party_id, &body)?;
    let text = Value::Object(body.clone()).to_string();
    let mut tx = state.store.begin().await?;
    tx.put_position(&case_id, &party_id, &text, &viewer.account.id)
        .await?;
    // Never the position's content: the log tells only that it changed.
    tx.audit(&viewer.audit(
        Some(&case_id),
        "position.update",
        format!("party/{party_id}"),
        &json!({ "party": party_id }),
    ))
    .await?;
    let updated_ms = tx.now_ms();
    tx.commit().await?;
    Ok(axum::Json(PositionView {
        party: party_id,
        position: Value::Object(body),
        updated_ms,
    }))
}

// ---------------------------------------------------------------------------------------
// Handlers: export and analysis.

/// The case as a case file (`format` `toml`, the default, or `json`) with the wording and
/// package of the latest draft the viewer may read. The mediator's export holds every
/// position; a party member's holds none. Not for observers.
#[utoipa::path(get, path = "/api/cases/{case}/export", tag = "cases",
    params(("case" = String, Path, description = "case id"),
           ("format" = Option<String>, Query, description = "`toml` (default) or `json`")),
    responses(
        (status = 200, description = "the case file", content(
            (String = "application/toml"),
            (String = "application/json"),
        )),
        (status = 400, description = "a malformed query", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such case, or not visible to the viewer", body = ErrorBody),
        (status = 422, description = "an unknown format", body = ErrorBody),
    ))]
async fn export_case(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> ApiResult<([(axum::http::HeaderName, &'static str); 1], String)> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    if !standing.may_read_points() {
        return Err(ApiError::forbidden(
            "observers see the case through published drafts",
        ));
    }
    let (format, content_type) = match query.format.as_deref() {
        None | Some("toml") => (CaseFormat::Toml, "application/toml"),
        Some("json") => (CaseFormat::Json, "application/json"),
        Some(other) => {
            return Err(ApiError::invalid(
                "format",
                format!("`{other}` is not a format: use toml or json"),
            ));
        }
    };
    let mut rows = CaseRows::load(&state.store, &case_id).await?;
    rows.latest = readable_drafts(&state, &case_id, &standing).await?.pop();
    let (case, _) = case_with_draft(&rows, standing.is_mediator())?;
    Ok(([(CONTENT_TYPE, content_type)], write_case(&case, format)))
}

/// The analysis the viewer may have. The mediator gets the whole analysis of the case with
/// the latest draft (the JSON document of `accord analyze --json`, docs/analysis-json.md;
/// the same settings as the CLI's, so the same numbers, and at most 200 frontier vectors
/// are listed, those of highest welfare, with `frontier_listed`). A
/// party member gets its own view, computed from its own position alone: how the latest
/// draft it may read that proposes a package fares for it, and its best package. Not for
/// observers.
#[utoipa::path(get, path = "/api/cases/{case}/analysis", tag = "cases",
    params(("case" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "the mediator's analysis document, or a party's own view (OwnAnalysis)", body = Object),
        (status = 422, description = "the analysis is over the server's time for one request (`too_large`, saying what to ask instead)", body = ErrorBody),
        (status = 429, description = "the account's share of heavy work is in use: `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "every core for analyses is busy: `Retry-After` says when to try again", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such case, or not visible to the viewer", body = ErrorBody),
        (status = 409, description = "the party's position no longer fits the points", body = ErrorBody),
    ))]
pub(crate) async fn get_analysis(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    match standing.analysis_scope() {
        AnalysisScope::None => Err(ApiError::forbidden(
            "observers see no analysis, only what the mediator publishes",
        )),
        AnalysisScope::Full => {
            // One analysis of a case at a time: requests that come while it runs wait
            // (no work of their own), then take its result (or its stopping) from the
            // cache.
            let _analysing = state.lock_analysis(&case_id).await;
            let rows = CaseRows::load(&state.store, &case_id).await?;
            let document = rows.document(true, None)?.to_string();
            if let Some(cached) = state.cached_analysis(&case_id, &document) {
                return cached
                    .map(|analysis| axum::Json(analysis.as_ref().clone()))
                    .map_err(ApiError::too_much_work);
            }
            let _share = state.heavy_share(&viewer.account.id)?;
            let _slot = state.analysis_slot().await?;
            match full_analysis(&state, &rows).await {
                Ok(analysis) => {
                    let analysis = Arc::new(analysis);
                    state.cache_analysis(&case_id, document, Ok(Arc::clone(&analysis)));
                    Ok(axum::Json(analysis.as_ref().clone()))
                }
                Err(error) if error.code() == "too_large" => {
                    state.cache_analysis(&case_id, document, Err(error.message().to_string()));
                    Err(error)
                }
                Err(error) => Err(error),
            }
        }
        AnalysisScope::Own(party) => {
            let _share = state.heavy_share(&viewer.account.id)?;
            let rows = CaseRows::load(&state.store, &case_id).await?;
            let drafts = readable_drafts(&state, &case_id, &standing).await?;
            let _slot = state.analysis_slot().await?;
            let own = own_analysis(&state, &rows, &party, &drafts).await?;
            Ok(axum::Json(
                serde_json::to_value(own).map_err(ApiError::internal)?,
            ))
        }
    }
}

/// The mediator's analysis: the insight into the case with every position, stopped after
/// the server's analysis time.
async fn full_analysis(state: &AppState, rows: &CaseRows) -> ApiResult<Value> {
    let (case, warnings) = case_with_draft(rows, true)?;
    let source = Source {
        format: "workbench".to_string(),
        path: rows.case.id.clone(),
        warnings,
    };
    state
        .analyse("the analysis", move || {
            let parties = case.negotiating_parties();
            let mut found = insight(&case, &parties, &InsightOptions::default());
            // Listing every frontier vector of a large case would make a response of tens of
            // megabytes; cut before writing the JSON, which costs time of its own.
            let trimmed = trim_frontier(&mut found.analysis);
            let relaxed_trimmed = found
                .relaxed
                .as_mut()
                .and_then(|r| trim_frontier(&mut r.insight.analysis));
            let mut doc = analysis_to_json(&case, &found, &source);
            note_trimmed(&mut doc, trimmed.as_ref());
            if doc["relaxed"].is_object() {
                note_trimmed(&mut doc["relaxed"], relaxed_trimmed.as_ref());
            }
            doc
        })
        .await
}

/// The size and package count of a frontier cut to its [`FRONTIER_LISTED`] vectors of
/// highest welfare (kept in their order), when it had more.
struct Trimmed {
    size: usize,
    n_packages: u64,
}

fn trim_frontier(analysis: &mut Analysis) -> Option<Trimmed> {
    let frontier = &mut analysis.result.as_mut().ok()?.scan.frontier;
    if frontier.len() <= FRONTIER_LISTED {
        return None;
    }
    let trimmed = Trimmed {
        size: frontier.len(),
        n_packages: frontier
            .iter()
            .map(|f| f.n_packages)
            .fold(0, u64::saturating_add),
    };
    let welfare: Vec<f64> = frontier.iter().map(|f| f.utilities.iter().sum()).collect();
    let mut order: Vec<usize> = (0..frontier.len()).collect();
    order.sort_by(|&a, &b| welfare[b].total_cmp(&welfare[a]).then(a.cmp(&b)));
    let mut keep = vec![false; frontier.len()];
    for &k in &order[..FRONTIER_LISTED] {
        keep[k] = true;
    }
    let mut k = 0;
    frontier.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    Some(trimmed)
}

/// Writes the full frontier's counts over those of the listed part, and how many are
/// listed.
fn note_trimmed(doc: &mut Value, trimmed: Option<&Trimmed>) {
    let Some(listed) = doc["frontier"].as_array().map(Vec::len) else {
        return;
    };
    if let Some(trimmed) = trimmed {
        doc["frontier_size"] = json!(trimmed.size);
        // A traced frontier counts no package (null): it stays so.
        if !doc["frontier_n_packages"].is_null() {
            doc["frontier_n_packages"] = json!(trimmed.n_packages);
        }
    }
    doc["frontier_listed"] = json!(listed);
}

/// A party's own view, from a case that holds its position and no other.
async fn own_analysis(
    state: &AppState,
    rows: &CaseRows,
    party: &str,
    drafts: &[DraftRow],
) -> ApiResult<OwnAnalysis> {
    let empty = OwnAnalysis {
        scope: "own".to_string(),
        party: party.to_string(),
        has_position: false,
        reservation_value: None,
        draft: None,
        best: None,
    };
    let Some(position) = rows.positions.iter().find(|p| p.party_id == party) else {
        return Ok(empty);
    };
    let position: Value = parse_json("position", &position.body)?;
    let mut doc = rows.document(false, Some(&no_draft()))?;
    let Some(k) = index_of(&doc, "parties", party) else {
        return Err(ApiError::not_found(format!("party `{party}`")));
    };
    array_mut(&mut doc, "parties")?[k]["position"] = position.clone();
    let case = read_document(&rows.case.id, &doc).map_err(|_| {
        ApiError::conflict(format!(
            "the position of party `{party}` does not fit the points any more; update it"
        ))
    })?;
    // The latest readable draft that proposes a package, and that package if it still
    // fits the points.
    let mut proposal = None;
    for draft in drafts.iter().rev() {
        let text: DraftText = parse_json("draft", &draft.body)?;
        if let Some(package) = text.package {
            let package_text = serde_json::to_string(&package).map_err(ApiError::internal)?;
            proposal = read_package("draft", &package_text, CaseFormat::Json, &case)
                .ok()
                .map(|p| (draft.version, p));
            break;
        }
    }
    let red_lines = position["red_lines"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let party = party.to_string();
    state
        .analyse("your analysis", move || {
            own_view(&case, &party, proposal, &red_lines).unwrap_or(empty)
        })
        .await
}

fn own_view(
    case: &Case,
    party: &str,
    proposal: Option<(i64, Package)>,
    red_lines: &[Value],
) -> Option<OwnAnalysis> {
    let idx: PartyIdx = case.party_idx(party)?;
    let position = case.position(idx)?;
    let reservation_value = position.reservation_value;
    let draft = proposal.map(|(version, package)| {
        let utility = position.utility(&package);
        let crossed: Vec<CrossedRedLine> = position
            .red_lines
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_crossed_by(&package))
            .map(|(index, _)| CrossedRedLine {
                index,
                red_line: red_lines.get(index).cloned().unwrap_or(Value::Null),
            })
            .collect();
        OwnDraft {
            version,
            package: package_to_json(case, &package),
            utility,
            accepts: crossed.is_empty() && utility >= reservation_value - EQUAL_EPS,
            crossed_red_lines: crossed,
        }
    });
    // With one party, the frontier is its best utility over the packages that clear its
    // red lines.
    let analysis = analyze_with(case, &[idx], &AnalysisOptions::default());
    let best = analysis.result.ok().and_then(|exact| {
        exact.scan.frontier.last().map(|best| {
            let utility = best.utilities.first().copied().unwrap_or(0.0);
            OwnBest {
                package: package_to_json(case, &best.package),
                utility,
                n_packages: best.n_packages,
                meets_reservation_value: utility >= reservation_value - EQUAL_EPS,
            }
        })
    });
    Some(OwnAnalysis {
        scope: "own".to_string(),
        party: party.to_string(),
        has_position: true,
        reservation_value: Some(reservation_value),
        draft,
        best,
    })
}

/// The cases routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, post_case))
        .routes(routes!(get_case, patch_case))
        .routes(routes!(list_points, post_point))
        .routes(routes!(put_point))
        .routes(routes!(list_parties, post_party))
        .routes(routes!(put_party))
        .routes(routes!(get_position, put_position))
        .routes(routes!(export_case))
        .routes(routes!(get_analysis))
}
