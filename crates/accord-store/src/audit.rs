//! The append-only audit log: who changed what, and when.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, Tx, ordered_id};

/// What a write appends to the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The account that made the change (`None` for the server itself).
    pub account_id: Option<String>,
    /// The case changed, if any.
    pub case_id: Option<String>,
    /// What was done, e.g. `position.update`.
    pub action: String,
    /// What it was done to, e.g. `party/ukraine`.
    pub subject: String,
    /// Details as JSON text (never a password, token or position).
    pub detail: String,
}

/// One record of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Sorts in time order.
    pub id: String,
    /// When (milliseconds).
    pub at_ms: i64,
    /// The entry.
    pub entry: AuditEntry,
}

fn record(row: &AnyRow) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        id: row.try_get("id")?,
        at_ms: row.try_get("at_ms")?,
        entry: AuditEntry {
            account_id: row.try_get("account_id")?,
            case_id: row.try_get("case_id")?,
            action: row.try_get("action")?,
            subject: row.try_get("subject")?,
            detail: row.try_get("detail")?,
        },
    })
}

impl Store {
    /// The audit log of a case (or, with `None`, the whole log), oldest first, at most
    /// `limit` records after the record `after` (an id), if given.
    pub async fn audit(
        &self,
        case_id: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at_ms, account_id, case_id, action, subject, detail FROM audit \
             WHERE ($1 IS NULL OR case_id = $1) AND ($2 IS NULL OR id > $2) \
             ORDER BY id LIMIT $3",
        )
        .bind(case_id)
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(record).collect()
    }
}

impl Tx {
    /// Appends a record to the audit log, in this transaction.
    pub async fn audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError> {
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO audit (id, at_ms, account_id, case_id, action, subject, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(ordered_id(now))
        .bind(now)
        .bind(entry.account_id.as_deref())
        .bind(entry.case_id.as_deref())
        .bind(&entry.action)
        .bind(&entry.subject)
        .bind(&entry.detail)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
