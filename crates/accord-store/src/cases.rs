//! Cases, their points and parties, and the parties' confidential positions.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::cache::Key;
use crate::{Store, StoreError, Tx};

/// A case's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    /// Random id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// When it was created (milliseconds).
    pub created_ms: i64,
}

/// A point: its definition as the case file spells it (JSON text, without wording).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointRow {
    /// The point's id within its case.
    pub point_id: String,
    /// Its place in the case's order of points.
    pub seq: i64,
    /// The case file's point table, as JSON.
    pub body: String,
}

/// A party of a case, without its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    /// The party's id within its case.
    pub party_id: String,
    /// Its place in the case's order of parties.
    pub seq: i64,
    /// Display name.
    pub name: String,
    /// `party`, `mediator` or `observer` (the case file's party roles).
    pub role: String,
    /// JSON array of `{name, title}`.
    pub delegates: String,
}

/// A party's confidential position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionRow {
    /// The party.
    pub party_id: String,
    /// The case file's position table, as JSON.
    pub body: String,
    /// When it last changed (milliseconds).
    pub updated_ms: i64,
    /// The account that last changed it.
    pub updated_by: String,
}

fn case_row(row: &AnyRow) -> Result<CaseRow, StoreError> {
    Ok(CaseRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        created_ms: row.try_get("created_ms")?,
    })
}

fn point_row(row: &AnyRow) -> Result<PointRow, StoreError> {
    Ok(PointRow {
        point_id: row.try_get("point_id")?,
        seq: row.try_get("seq")?,
        body: row.try_get("body")?,
    })
}

fn party_row(row: &AnyRow) -> Result<PartyRow, StoreError> {
    Ok(PartyRow {
        party_id: row.try_get("party_id")?,
        seq: row.try_get("seq")?,
        name: row.try_get("name")?,
        role: row.try_get("role")?,
        delegates: row.try_get("delegates")?,
    })
}

fn position_row(row: &AnyRow) -> Result<PositionRow, StoreError> {
    Ok(PositionRow {
        party_id: row.try_get("party_id")?,
        body: row.try_get("body")?,
        updated_ms: row.try_get("updated_ms")?,
        updated_by: row.try_get("updated_by")?,
    })
}

impl Store {
    /// Every case, oldest first.
    pub async fn cases(&self) -> Result<Vec<CaseRow>, StoreError> {
        self.cache()
            .get_or_read(Key::new("cases", "", 0), async {
                let rows = sqlx::query(
                    "SELECT id, name, description, created_ms FROM cases ORDER BY created_ms, id",
                )
                .fetch_all(self.pool())
                .await?;
                rows.iter().map(case_row).collect()
            })
            .await
    }

    /// One case.
    pub async fn case(&self, case_id: &str) -> Result<Option<CaseRow>, StoreError> {
        self.cache()
            .get_or_read(Key::new("case", case_id, 0), async {
                let row = sqlx::query(
                    "SELECT id, name, description, created_ms FROM cases WHERE id = $1",
                )
                .bind(case_id)
                .fetch_optional(self.pool())
                .await?;
                row.as_ref().map(case_row).transpose()
            })
            .await
    }

    /// A case's points, in order.
    pub async fn points(&self, case_id: &str) -> Result<Vec<PointRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT point_id, seq, body FROM points WHERE case_id = $1 ORDER BY seq, point_id",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(point_row).collect()
    }

    /// How many points a case has.
    pub async fn point_count(&self, case_id: &str) -> Result<i64, StoreError> {
        self.cache()
            .get_or_read(Key::new("point_count", case_id, 0), async {
                let row = sqlx::query("SELECT COUNT(*) AS n FROM points WHERE case_id = $1")
                    .bind(case_id)
                    .fetch_one(self.pool())
                    .await?;
                Ok(row.try_get("n")?)
            })
            .await
    }

    /// A case's parties, in order.
    pub async fn parties(&self, case_id: &str) -> Result<Vec<PartyRow>, StoreError> {
        self.cache()
            .get_or_read(Key::new("parties", case_id, 0), async {
                let rows = sqlx::query(
                    "SELECT party_id, seq, name, role, delegates FROM parties WHERE case_id = $1 \
                 ORDER BY seq, party_id",
                )
                .bind(case_id)
                .fetch_all(self.pool())
                .await?;
                rows.iter().map(party_row).collect()
            })
            .await
    }

    /// Every position of a case. Only the mediator's views and the analysis may use this.
    pub async fn positions(&self, case_id: &str) -> Result<Vec<PositionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT party_id, body, updated_ms, updated_by FROM positions WHERE case_id = $1 \
             ORDER BY party_id",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(position_row).collect()
    }

    /// One party's position.
    pub async fn position(
        &self,
        case_id: &str,
        party_id: &str,
    ) -> Result<Option<PositionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT party_id, body, updated_ms, updated_by FROM positions \
             WHERE case_id = $1 AND party_id = $2",
        )
        .bind(case_id)
        .bind(party_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(position_row).transpose()
    }
}

impl Tx {
    /// Adds a case.
    pub async fn insert_case(&mut self, case: &CaseRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO cases (id, name, description, created_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(&case.id)
        .bind(&case.name)
        .bind(&case.description)
        .bind(case.created_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Changes a case's name and description.
    pub async fn update_case(&mut self, case: &CaseRow) -> Result<(), StoreError> {
        sqlx::query("UPDATE cases SET name = $2, description = $3 WHERE id = $1")
            .bind(&case.id)
            .bind(&case.name)
            .bind(&case.description)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Adds a point, or replaces the one with the same id.
    pub async fn put_point(&mut self, case_id: &str, point: &PointRow) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM points WHERE case_id = $1 AND point_id = $2")
            .bind(case_id)
            .bind(&point.point_id)
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO points (case_id, point_id, seq, body) VALUES ($1, $2, $3, $4)")
            .bind(case_id)
            .bind(&point.point_id)
            .bind(point.seq)
            .bind(&point.body)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Adds a party, or replaces the one with the same id (its position stays).
    pub async fn put_party(&mut self, case_id: &str, party: &PartyRow) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE parties SET seq = $3, name = $4, role = $5, delegates = $6 \
             WHERE case_id = $1 AND party_id = $2",
        )
        .bind(case_id)
        .bind(&party.party_id)
        .bind(party.seq)
        .bind(&party.name)
        .bind(&party.role)
        .bind(&party.delegates)
        .execute(self.conn())
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO parties (case_id, party_id, seq, name, role, delegates) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(case_id)
            .bind(&party.party_id)
            .bind(party.seq)
            .bind(&party.name)
            .bind(&party.role)
            .bind(&party.delegates)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Sets a party's position (stamped with this transaction's time and `account_id`).
    pub async fn put_position(
        &mut self,
        case_id: &str,
        party_id: &str,
        body: &str,
        account_id: &str,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        let updated = sqlx::query(
            "UPDATE positions SET body = $3, updated_ms = $4, updated_by = $5 \
             WHERE case_id = $1 AND party_id = $2",
        )
        .bind(case_id)
        .bind(party_id)
        .bind(body)
        .bind(now)
        .bind(account_id)
        .execute(self.conn())
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO positions (case_id, party_id, body, updated_ms, updated_by) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(case_id)
            .bind(party_id)
            .bind(body)
            .bind(now)
            .bind(account_id)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Removes a party's position (the party then takes no part in the analysis).
    pub async fn delete_position(
        &mut self,
        case_id: &str,
        party_id: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM positions WHERE case_id = $1 AND party_id = $2")
            .bind(case_id)
            .bind(party_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
