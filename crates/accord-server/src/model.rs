//! From stored rows to the core model: a case is assembled as a case-file document (the
//! schema `accord_formats::case_file` reads) and read with the same checks as a file, so
//! the server never accepts a case, point or position that the CLI would reject.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use accord_core::Case;
use accord_formats::FormatError;
use accord_formats::case_file::{CaseFormat, read_case};
use accord_store::{CaseRow, DraftRow, PartyRow, PointRow, PositionRow, Store};

use crate::error::{ApiError, ApiResult};

/// The text of a draft version: every point's wording, and optionally the package it
/// proposes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftText {
    /// The points in order, with their wording.
    pub points: Vec<DraftPoint>,
    /// The proposed package: a value (option id or number) for every point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub package: Option<IndexMap<String, Value>>,
}

/// One point of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftPoint {
    /// The point's id.
    pub point: String,
    /// Its title.
    #[serde(default)]
    pub title: String,
    /// Its wording in this draft.
    #[serde(default)]
    pub text: String,
}

/// Everything stored about a case, in rows.
pub(crate) struct CaseRows {
    pub(crate) case: CaseRow,
    pub(crate) points: Vec<PointRow>,
    pub(crate) parties: Vec<PartyRow>,
    pub(crate) positions: Vec<PositionRow>,
    pub(crate) latest: Option<DraftRow>,
}

impl CaseRows {
    /// Reads every row of a case (404 when there is none).
    pub(crate) async fn load(store: &Store, case_id: &str) -> ApiResult<Self> {
        let case = store
            .case(case_id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("case `{case_id}`")))?;
        Ok(Self {
            points: store.points(case_id).await?,
            parties: store.parties(case_id).await?,
            positions: store.positions(case_id).await?,
            latest: store.latest_draft(case_id).await?,
            case,
        })
    }

    /// The case as a case-file document. Positions are included only when `positions`
    /// is true; the wording and the package come from `draft` (else the latest draft).
    pub(crate) fn document(&self, positions: bool, draft: Option<&DraftText>) -> ApiResult<Value> {
        let latest = match (&self.latest, draft) {
            (_, Some(_)) | (None, None) => None,
            (Some(row), None) => Some(parse_json::<DraftText>("draft", &row.body)?),
        };
        let draft = draft.or(latest.as_ref());
        let mut points = Vec::new();
        for row in &self.points {
            let mut point: Map<String, Value> = parse_json("point", &row.body)?;
            if let Some(text) =
                draft.and_then(|d| d.points.iter().find(|p| p.point == row.point_id))
            {
                if !text.title.is_empty() {
                    point.insert("title".into(), Value::String(text.title.clone()));
                }
                if !text.text.is_empty() {
                    point.insert("text".into(), Value::String(text.text.clone()));
                }
            }
            points.push(Value::Object(point));
        }
        let mut parties = Vec::new();
        for row in &self.parties {
            let delegates: Value = parse_json("delegates", &row.delegates)?;
            let mut party = json!({ "id": row.party_id, "name": row.name, "role": row.role });
            if delegates.as_array().is_some_and(|d| !d.is_empty()) {
                party["delegates"] = delegates;
            }
            let position = self.positions.iter().find(|p| p.party_id == row.party_id);
            if let Some(position) = position.filter(|_| positions) {
                party["position"] = parse_json("position", &position.body)?;
            }
            parties.push(party);
        }
        let mut doc = json!({ "name": self.case.name, "points": points, "parties": parties });
        if !self.case.description.is_empty() {
            doc["description"] = Value::String(self.case.description.clone());
        }
        if let Some(package) = draft.and_then(|d| d.package.as_ref()) {
            doc["draft"] = serde_json::to_value(package).map_err(ApiError::internal)?;
        }
        Ok(doc)
    }

    /// The case in the core model without any position: its points, parties and
    /// delegates, for what needs no position (reading answers or reports).
    pub(crate) fn case_without_positions(&self) -> ApiResult<Case> {
        let doc = self.document(false, None)?;
        read_document(&self.case.id, &doc).map_err(|error| {
            ApiError::internal(format!(
                "stored case `{}` does not read: {error}",
                self.case.id
            ))
        })
    }

    /// The case in the core model, with every position, for the analysis.
    pub(crate) fn core_case(&self, draft: Option<&DraftText>) -> ApiResult<Case> {
        let doc = self.document(true, draft)?;
        read_document(&self.case.id, &doc).map_err(|error| {
            ApiError::internal(format!(
                "stored case `{}` does not read: {error}",
                self.case.id
            ))
        })
    }
}

/// Reads a case-file document with the case file's checks.
pub(crate) fn read_document(source: &str, doc: &Value) -> Result<Case, FormatError> {
    read_case(source, &doc.to_string(), CaseFormat::Json)
}

/// Parses a JSON column; a column that does not parse is a server fault.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> ApiResult<T> {
    serde_json::from_str(text)
        .map_err(|e| ApiError::internal(format!("stored {what} does not parse: {e}")))
}
