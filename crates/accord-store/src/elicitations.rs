//! A party's answers to the elicitation questions: the ones in progress and the ones
//! behind its confirmed position. Confidential like the position.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, Tx};

/// A party's elicitation answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElicitationRow {
    /// The party.
    pub party_id: String,
    /// The answers given so far (JSON in the answers file's form).
    pub draft: String,
    /// The answers behind the position the party last confirmed; empty when none.
    pub confirmed: String,
    /// When the answers last changed (milliseconds).
    pub updated_ms: i64,
    /// The account that last changed them.
    pub updated_by: String,
    /// When a position was last confirmed from them (milliseconds).
    pub confirmed_ms: Option<i64>,
}

fn elicitation_row(row: &AnyRow) -> Result<ElicitationRow, StoreError> {
    Ok(ElicitationRow {
        party_id: row.try_get("party_id")?,
        draft: row.try_get("draft")?,
        confirmed: row.try_get("confirmed")?,
        updated_ms: row.try_get("updated_ms")?,
        updated_by: row.try_get("updated_by")?,
        confirmed_ms: row.try_get("confirmed_ms")?,
    })
}

impl Store {
    /// One party's elicitation answers.
    pub async fn elicitation(
        &self,
        case_id: &str,
        party_id: &str,
    ) -> Result<Option<ElicitationRow>, StoreError> {
        let row = sqlx::query(
            "SELECT party_id, draft, confirmed, updated_ms, updated_by, confirmed_ms \
             FROM elicitations WHERE case_id = $1 AND party_id = $2",
        )
        .bind(case_id)
        .bind(party_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(elicitation_row).transpose()
    }
}

impl Tx {
    /// Keeps a party's answers in progress (stamped with this transaction's time and
    /// `account_id`); the confirmed answers stay.
    pub async fn put_elicitation_draft(
        &mut self,
        case_id: &str,
        party_id: &str,
        draft: &str,
        account_id: &str,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        let updated = sqlx::query(
            "UPDATE elicitations SET draft = $3, updated_ms = $4, updated_by = $5 \
             WHERE case_id = $1 AND party_id = $2",
        )
        .bind(case_id)
        .bind(party_id)
        .bind(draft)
        .bind(now)
        .bind(account_id)
        .execute(self.conn())
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO elicitations (case_id, party_id, draft, updated_ms, updated_by) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(case_id)
            .bind(party_id)
            .bind(draft)
            .bind(now)
            .bind(account_id)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Records the answers a position was confirmed from: they become both the answers in
    /// progress and the confirmed ones.
    pub async fn confirm_elicitation(
        &mut self,
        case_id: &str,
        party_id: &str,
        answers: &str,
        account_id: &str,
    ) -> Result<(), StoreError> {
        self.put_elicitation_draft(case_id, party_id, answers, account_id)
            .await?;
        let now = self.now_ms();
        sqlx::query(
            "UPDATE elicitations SET confirmed = $3, confirmed_ms = $4 \
             WHERE case_id = $1 AND party_id = $2",
        )
        .bind(case_id)
        .bind(party_id)
        .bind(answers)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
