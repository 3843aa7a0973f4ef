//! Channels of talks, their meetings, and the statements made at them.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, Tx};

/// A track of talks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRow {
    /// Random id.
    pub channel_id: String,
    /// Its name, e.g. "Istanbul track".
    pub name: String,
    /// Free text.
    pub description: String,
    /// JSON array of the ids of the parties taking part.
    pub parties: String,
    /// When it was created (milliseconds).
    pub created_ms: i64,
}

/// A dated session in a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRow {
    /// Random id.
    pub meeting_id: String,
    /// The channel it belongs to.
    pub channel_id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// What happened.
    pub summary: String,
    /// JSON array of `{party, name}`.
    pub participants: String,
    /// JSON array of the draft versions tabled.
    pub tabled: String,
    /// When the mediator published it to observers.
    pub published_ms: Option<i64>,
    /// When it was logged (milliseconds).
    pub created_ms: i64,
}

/// A statement made at a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    /// 1, 2, ... within its meeting.
    pub seq: i64,
    /// Who spoke.
    pub speaker: String,
    /// What they said.
    pub quote: String,
    /// When it was logged (milliseconds).
    pub created_ms: i64,
}

fn channel_row(row: &AnyRow) -> Result<ChannelRow, StoreError> {
    Ok(ChannelRow {
        channel_id: row.try_get("channel_id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        parties: row.try_get("parties")?,
        created_ms: row.try_get("created_ms")?,
    })
}

const MEETING_COLUMNS: &str =
    "meeting_id, channel_id, date, summary, participants, tabled, published_ms, created_ms";

fn meeting_row(row: &AnyRow) -> Result<MeetingRow, StoreError> {
    Ok(MeetingRow {
        meeting_id: row.try_get("meeting_id")?,
        channel_id: row.try_get("channel_id")?,
        date: row.try_get("date")?,
        summary: row.try_get("summary")?,
        participants: row.try_get("participants")?,
        tabled: row.try_get("tabled")?,
        published_ms: row.try_get("published_ms")?,
        created_ms: row.try_get("created_ms")?,
    })
}

fn statement_row(row: &AnyRow) -> Result<StatementRow, StoreError> {
    Ok(StatementRow {
        seq: row.try_get("seq")?,
        speaker: row.try_get("speaker")?,
        quote: row.try_get("quote")?,
        created_ms: row.try_get("created_ms")?,
    })
}

impl Store {
    /// A case's channels, oldest first.
    pub async fn channels(&self, case_id: &str) -> Result<Vec<ChannelRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT channel_id, name, description, parties, created_ms FROM channels \
             WHERE case_id = $1 ORDER BY created_ms, channel_id",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(channel_row).collect()
    }

    /// One channel.
    pub async fn channel(
        &self,
        case_id: &str,
        channel_id: &str,
    ) -> Result<Option<ChannelRow>, StoreError> {
        let row = sqlx::query(
            "SELECT channel_id, name, description, parties, created_ms FROM channels \
             WHERE case_id = $1 AND channel_id = $2",
        )
        .bind(case_id)
        .bind(channel_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(channel_row).transpose()
    }

    /// A case's meetings, by date.
    pub async fn meetings(&self, case_id: &str) -> Result<Vec<MeetingRow>, StoreError> {
        let rows = sqlx::query(sql!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE case_id = $1 \
             ORDER BY date, created_ms, meeting_id"
        ))
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(meeting_row).collect()
    }

    /// One meeting.
    pub async fn meeting(
        &self,
        case_id: &str,
        meeting_id: &str,
    ) -> Result<Option<MeetingRow>, StoreError> {
        let row = sqlx::query(sql!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE case_id = $1 AND meeting_id = $2"
        ))
        .bind(case_id)
        .bind(meeting_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(meeting_row).transpose()
    }

    /// The statements of a meeting, in order.
    pub async fn statements(
        &self,
        case_id: &str,
        meeting_id: &str,
    ) -> Result<Vec<StatementRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, speaker, quote, created_ms FROM statements \
             WHERE case_id = $1 AND meeting_id = $2 ORDER BY seq",
        )
        .bind(case_id)
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(statement_row).collect()
    }
}

impl Tx {
    /// Adds a channel.
    pub async fn insert_channel(
        &mut self,
        case_id: &str,
        channel: &ChannelRow,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO channels (case_id, channel_id, name, description, parties, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(case_id)
        .bind(&channel.channel_id)
        .bind(&channel.name)
        .bind(&channel.description)
        .bind(&channel.parties)
        .bind(channel.created_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Adds a meeting.
    pub async fn insert_meeting(
        &mut self,
        case_id: &str,
        meeting: &MeetingRow,
    ) -> Result<(), StoreError> {
        sqlx::query(sql!(
            "INSERT INTO meetings (case_id, {MEETING_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(case_id)
        .bind(&meeting.meeting_id)
        .bind(&meeting.channel_id)
        .bind(&meeting.date)
        .bind(&meeting.summary)
        .bind(&meeting.participants)
        .bind(&meeting.tabled)
        .bind(meeting.published_ms)
        .bind(meeting.created_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Publishes a meeting to observers (now), unless it is already; returns whether it
    /// changed.
    pub async fn publish_meeting(
        &mut self,
        case_id: &str,
        meeting_id: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now_ms();
        let done = sqlx::query(
            "UPDATE meetings SET published_ms = $3 WHERE case_id = $1 AND meeting_id = $2 \
             AND published_ms IS NULL",
        )
        .bind(case_id)
        .bind(meeting_id)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Appends a statement to a meeting and returns its number.
    pub async fn insert_statement(
        &mut self,
        case_id: &str,
        meeting_id: &str,
        speaker: &str,
        quote: &str,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS n FROM statements \
             WHERE case_id = $1 AND meeting_id = $2",
        )
        .bind(case_id)
        .bind(meeting_id)
        .fetch_one(self.conn())
        .await?;
        let seq: i64 = row.try_get::<i64, _>("n")? + 1;
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO statements (case_id, meeting_id, seq, speaker, quote, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(case_id)
        .bind(meeting_id)
        .bind(seq)
        .bind(speaker)
        .bind(quote)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(seq)
    }
}
