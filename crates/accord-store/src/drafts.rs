//! Draft versions and the parties' responses to tabled drafts.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::cache::Key;
use crate::{Store, StoreError, Tx};

/// One immutable draft version; only its tabled and published stamps change later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRow {
    /// 1, 2, ... within its case.
    pub version: i64,
    /// The account that wrote it.
    pub author: String,
    /// When (milliseconds).
    pub created_ms: i64,
    /// The author's note on what changed.
    pub note: String,
    /// JSON: `{points: [{point, title, text}], package: {point: value} | null}`.
    pub body: String,
    /// When the mediator tabled it for the parties' responses.
    pub tabled_ms: Option<i64>,
    /// When the mediator published it to observers.
    pub published_ms: Option<i64>,
    /// When the mediator published the responses to it.
    pub responses_published_ms: Option<i64>,
    /// The author's username, when the account still exists.
    pub author_name: Option<String>,
}

/// A party's response to a tabled draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRow {
    /// The draft version answered.
    pub version: i64,
    /// The party answering.
    pub party_id: String,
    /// JSON: per point a verdict (accept, reject, amend), an amendment and a comment.
    pub body: String,
    /// When (milliseconds).
    pub submitted_ms: i64,
    /// The account that answered.
    pub submitted_by: String,
}

const DRAFT_COLUMNS: &str = "d.version, d.author, d.created_ms, d.note, d.body, d.tabled_ms, \
     d.published_ms, d.responses_published_ms, a.username AS author_name";

/// The same without the text, for lists.
const DRAFT_META_COLUMNS: &str = "d.version, d.author, d.created_ms, d.note, '' AS body, \
     d.tabled_ms, d.published_ms, d.responses_published_ms, a.username AS author_name";

/// Drafts with their authors' usernames.
const DRAFTS_FROM: &str = "drafts d LEFT JOIN accounts a ON a.id = d.author";

fn draft_row(row: &AnyRow) -> Result<DraftRow, StoreError> {
    Ok(DraftRow {
        version: row.try_get("version")?,
        author: row.try_get("author")?,
        created_ms: row.try_get("created_ms")?,
        note: row.try_get("note")?,
        body: row.try_get("body")?,
        tabled_ms: row.try_get("tabled_ms")?,
        published_ms: row.try_get("published_ms")?,
        responses_published_ms: row.try_get("responses_published_ms")?,
        author_name: row.try_get("author_name")?,
    })
}

fn response_row(row: &AnyRow) -> Result<ResponseRow, StoreError> {
    Ok(ResponseRow {
        version: row.try_get("version")?,
        party_id: row.try_get("party_id")?,
        body: row.try_get("body")?,
        submitted_ms: row.try_get("submitted_ms")?,
        submitted_by: row.try_get("submitted_by")?,
    })
}

/// Which of a draft's stamps to set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftStamp {
    /// Tabled for responses.
    Tabled,
    /// Published to observers.
    Published,
    /// Its responses published.
    ResponsesPublished,
}

impl Store {
    /// A case's drafts, oldest first.
    pub async fn drafts(&self, case_id: &str) -> Result<Vec<DraftRow>, StoreError> {
        let rows = sqlx::query(sql!(
            "SELECT {DRAFT_COLUMNS} FROM {DRAFTS_FROM} WHERE d.case_id = $1 ORDER BY d.version"
        ))
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(draft_row).collect()
    }

    /// A case's drafts, oldest first, without their text (`body` is empty): for lists.
    pub async fn draft_list(&self, case_id: &str) -> Result<Vec<DraftRow>, StoreError> {
        self.cache()
            .get_or_read(Key::new("draft_list", case_id, 0), async {
                let rows = sqlx::query(sql!(
                    "SELECT {DRAFT_META_COLUMNS} FROM {DRAFTS_FROM} WHERE d.case_id = $1 \
                 ORDER BY d.version"
                ))
                .bind(case_id)
                .fetch_all(self.pool())
                .await?;
                rows.iter().map(draft_row).collect()
            })
            .await
    }

    /// One draft version.
    pub async fn draft(&self, case_id: &str, version: i64) -> Result<Option<DraftRow>, StoreError> {
        self.cache()
            .get_or_read(Key::new("draft", case_id, version), async {
                let row = sqlx::query(sql!(
                "SELECT {DRAFT_COLUMNS} FROM {DRAFTS_FROM} WHERE d.case_id = $1 AND d.version = $2"
            ))
            .bind(case_id)
            .bind(version)
            .fetch_optional(self.pool())
            .await?;
                row.as_ref().map(draft_row).transpose()
            })
            .await
    }

    /// The latest draft version of a case.
    pub async fn latest_draft(&self, case_id: &str) -> Result<Option<DraftRow>, StoreError> {
        let row = sqlx::query(sql!(
            "SELECT {DRAFT_COLUMNS} FROM {DRAFTS_FROM} WHERE d.case_id = $1 \
             ORDER BY d.version DESC LIMIT 1"
        ))
        .bind(case_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(draft_row).transpose()
    }

    /// The responses to one draft version, by party.
    pub async fn responses(
        &self,
        case_id: &str,
        version: i64,
    ) -> Result<Vec<ResponseRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, party_id, body, submitted_ms, submitted_by FROM responses \
             WHERE case_id = $1 AND version = $2 ORDER BY party_id",
        )
        .bind(case_id)
        .bind(version)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(response_row).collect()
    }

    /// One party's response to one draft version.
    pub async fn response(
        &self,
        case_id: &str,
        version: i64,
        party_id: &str,
    ) -> Result<Option<ResponseRow>, StoreError> {
        let row = sqlx::query(
            "SELECT version, party_id, body, submitted_ms, submitted_by FROM responses \
             WHERE case_id = $1 AND version = $2 AND party_id = $3",
        )
        .bind(case_id)
        .bind(version)
        .bind(party_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(response_row).transpose()
    }
}

impl Tx {
    /// One draft version, read inside this transaction (so that a check on its stamps
    /// and the write that depends on it see the same row; on SQLite writers take turns).
    pub async fn draft(
        &mut self,
        case_id: &str,
        version: i64,
    ) -> Result<Option<DraftRow>, StoreError> {
        let row = sqlx::query(sql!(
            "SELECT {DRAFT_COLUMNS} FROM {DRAFTS_FROM} WHERE d.case_id = $1 AND d.version = $2"
        ))
        .bind(case_id)
        .bind(version)
        .fetch_optional(self.conn())
        .await?;
        row.as_ref().map(draft_row).transpose()
    }

    /// Adds the next draft version of a case (stamped now) and returns its number.
    pub async fn insert_draft(
        &mut self,
        case_id: &str,
        author: &str,
        note: &str,
        body: &str,
    ) -> Result<i64, StoreError> {
        let row =
            sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM drafts WHERE case_id = $1")
                .bind(case_id)
                .fetch_one(self.conn())
                .await?;
        let version: i64 = row.try_get::<i64, _>("v")? + 1;
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO drafts (case_id, version, author, created_ms, note, body) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(case_id)
        .bind(version)
        .bind(author)
        .bind(now)
        .bind(note)
        .bind(body)
        .execute(self.conn())
        .await?;
        Ok(version)
    }

    /// Sets one of a draft's stamps to now, unless it is set already; returns whether it
    /// changed.
    pub async fn stamp_draft(
        &mut self,
        case_id: &str,
        version: i64,
        stamp: DraftStamp,
    ) -> Result<bool, StoreError> {
        let column = match stamp {
            DraftStamp::Tabled => "tabled_ms",
            DraftStamp::Published => "published_ms",
            DraftStamp::ResponsesPublished => "responses_published_ms",
        };
        let now = self.now_ms();
        let done = sqlx::query(sql!(
            "UPDATE drafts SET {column} = $3 WHERE case_id = $1 AND version = $2 \
             AND {column} IS NULL"
        ))
        .bind(case_id)
        .bind(version)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Sets (or replaces) a party's response to a draft version.
    pub async fn put_response(
        &mut self,
        case_id: &str,
        version: i64,
        party_id: &str,
        body: &str,
        account_id: &str,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        sqlx::query("DELETE FROM responses WHERE case_id = $1 AND version = $2 AND party_id = $3")
            .bind(case_id)
            .bind(version)
            .bind(party_id)
            .execute(self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO responses (case_id, version, party_id, body, submitted_ms, submitted_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(case_id)
        .bind(version)
        .bind(party_id)
        .bind(body)
        .bind(now)
        .bind(account_id)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
