//! Channels of talks, their meetings, and the statements made at them.
//!
//! Channels and meetings are edited in place (their audit records keep what they were);
//! a statement the mediator removes is kept with the time of its removal and never read
//! again, so that its number is not given to another.

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
    /// `mediated` (the mediator takes part) or `reported` (the mediator hears of it).
    pub kind: String,
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
    /// `HH:MM`, or empty when not known.
    pub time: String,
    /// Where it was held; may be empty.
    pub place: String,
    /// What happened.
    pub summary: String,
    /// What came of it; may be empty.
    pub outcome: String,
    /// JSON array of `{party, name, title}`.
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
    /// The meeting it was made at.
    pub meeting_id: String,
    /// 1, 2, ... within its meeting.
    pub seq: i64,
    /// Who spoke.
    pub speaker: String,
    /// The party the speaker spoke for; empty when none is given.
    pub party: String,
    /// When it was said: `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, or empty when not known.
    pub time: String,
    /// What they said.
    pub quote: String,
    /// Whether only the mediator may read it.
    pub confidential: bool,
    /// When it was logged (milliseconds).
    pub created_ms: i64,
}

const CHANNEL_COLUMNS: &str = "channel_id, name, description, parties, kind, created_ms";

fn channel_row(row: &AnyRow) -> Result<ChannelRow, StoreError> {
    Ok(ChannelRow {
        channel_id: row.try_get("channel_id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        parties: row.try_get("parties")?,
        kind: row.try_get("kind")?,
        created_ms: row.try_get("created_ms")?,
    })
}

const MEETING_COLUMNS: &str = "meeting_id, channel_id, date, time, place, summary, outcome, \
     participants, tabled, published_ms, created_ms";

fn meeting_row(row: &AnyRow) -> Result<MeetingRow, StoreError> {
    Ok(MeetingRow {
        meeting_id: row.try_get("meeting_id")?,
        channel_id: row.try_get("channel_id")?,
        date: row.try_get("date")?,
        time: row.try_get("time")?,
        place: row.try_get("place")?,
        summary: row.try_get("summary")?,
        outcome: row.try_get("outcome")?,
        participants: row.try_get("participants")?,
        tabled: row.try_get("tabled")?,
        published_ms: row.try_get("published_ms")?,
        created_ms: row.try_get("created_ms")?,
    })
}

const STATEMENT_COLUMNS: &str =
    "meeting_id, seq, speaker, party, date, time, quote, confidential, created_ms";

fn statement_row(row: &AnyRow) -> Result<StatementRow, StoreError> {
    Ok(StatementRow {
        meeting_id: row.try_get("meeting_id")?,
        seq: row.try_get("seq")?,
        speaker: row.try_get("speaker")?,
        party: row.try_get("party")?,
        date: row.try_get("date")?,
        time: row.try_get("time")?,
        quote: row.try_get("quote")?,
        confidential: row.try_get::<i64, _>("confidential")? != 0,
        created_ms: row.try_get("created_ms")?,
    })
}

impl Store {
    /// A case's channels, oldest first.
    pub async fn channels(&self, case_id: &str) -> Result<Vec<ChannelRow>, StoreError> {
        let rows = sqlx::query(sql!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE case_id = $1 \
             ORDER BY created_ms, channel_id"
        ))
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
        let row = sqlx::query(sql!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE case_id = $1 AND channel_id = $2"
        ))
        .bind(case_id)
        .bind(channel_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(channel_row).transpose()
    }

    /// A case's meetings, by date and time.
    pub async fn meetings(&self, case_id: &str) -> Result<Vec<MeetingRow>, StoreError> {
        let rows = sqlx::query(sql!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE case_id = $1 \
             ORDER BY date, time, created_ms, meeting_id"
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

    /// The statements of a meeting, in order, without the removed ones.
    pub async fn statements(
        &self,
        case_id: &str,
        meeting_id: &str,
    ) -> Result<Vec<StatementRow>, StoreError> {
        let rows = sqlx::query(sql!(
            "SELECT {STATEMENT_COLUMNS} FROM statements \
             WHERE case_id = $1 AND meeting_id = $2 AND removed_ms IS NULL ORDER BY seq"
        ))
        .bind(case_id)
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(statement_row).collect()
    }

    /// The statements of every meeting of a case, by meeting and in order, without the
    /// removed ones.
    pub async fn case_statements(&self, case_id: &str) -> Result<Vec<StatementRow>, StoreError> {
        let rows = sqlx::query(sql!(
            "SELECT {STATEMENT_COLUMNS} FROM statements \
             WHERE case_id = $1 AND removed_ms IS NULL ORDER BY meeting_id, seq"
        ))
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(statement_row).collect()
    }

    /// One statement, unless it was removed.
    pub async fn statement(
        &self,
        case_id: &str,
        meeting_id: &str,
        seq: i64,
    ) -> Result<Option<StatementRow>, StoreError> {
        let row = sqlx::query(sql!(
            "SELECT {STATEMENT_COLUMNS} FROM statements \
             WHERE case_id = $1 AND meeting_id = $2 AND seq = $3 AND removed_ms IS NULL"
        ))
        .bind(case_id)
        .bind(meeting_id)
        .bind(seq)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(statement_row).transpose()
    }
}

impl Tx {
    /// Adds a channel.
    pub async fn insert_channel(
        &mut self,
        case_id: &str,
        channel: &ChannelRow,
    ) -> Result<(), StoreError> {
        sqlx::query(sql!(
            "INSERT INTO channels (case_id, {CHANNEL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(case_id)
        .bind(&channel.channel_id)
        .bind(&channel.name)
        .bind(&channel.description)
        .bind(&channel.parties)
        .bind(&channel.kind)
        .bind(channel.created_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Replaces a channel's name, description, parties and kind; returns whether it
    /// exists.
    pub async fn update_channel(
        &mut self,
        case_id: &str,
        channel: &ChannelRow,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE channels SET name = $3, description = $4, parties = $5, kind = $6 \
             WHERE case_id = $1 AND channel_id = $2",
        )
        .bind(case_id)
        .bind(&channel.channel_id)
        .bind(&channel.name)
        .bind(&channel.description)
        .bind(&channel.parties)
        .bind(&channel.kind)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Adds a meeting.
    pub async fn insert_meeting(
        &mut self,
        case_id: &str,
        meeting: &MeetingRow,
    ) -> Result<(), StoreError> {
        sqlx::query(sql!(
            "INSERT INTO meetings (case_id, {MEETING_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(case_id)
        .bind(&meeting.meeting_id)
        .bind(&meeting.channel_id)
        .bind(&meeting.date)
        .bind(&meeting.time)
        .bind(&meeting.place)
        .bind(&meeting.summary)
        .bind(&meeting.outcome)
        .bind(&meeting.participants)
        .bind(&meeting.tabled)
        .bind(meeting.published_ms)
        .bind(meeting.created_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Replaces what a meeting records (its channel, date, time, place, summary, outcome,
    /// participants and tabled drafts; not when it was published); returns whether it
    /// exists.
    pub async fn update_meeting(
        &mut self,
        case_id: &str,
        meeting: &MeetingRow,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE meetings SET channel_id = $3, date = $4, time = $5, place = $6, \
             summary = $7, outcome = $8, participants = $9, tabled = $10 \
             WHERE case_id = $1 AND meeting_id = $2",
        )
        .bind(case_id)
        .bind(&meeting.meeting_id)
        .bind(&meeting.channel_id)
        .bind(&meeting.date)
        .bind(&meeting.time)
        .bind(&meeting.place)
        .bind(&meeting.summary)
        .bind(&meeting.outcome)
        .bind(&meeting.participants)
        .bind(&meeting.tabled)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
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

    /// Appends a statement to its meeting (`statement.meeting_id`) and returns its
    /// number: one after the last, removed ones included, so no number is given twice.
    /// The row's own `seq` is not read.
    pub async fn insert_statement(
        &mut self,
        case_id: &str,
        statement: &StatementRow,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS n FROM statements \
             WHERE case_id = $1 AND meeting_id = $2",
        )
        .bind(case_id)
        .bind(&statement.meeting_id)
        .fetch_one(self.conn())
        .await?;
        let seq: i64 = row.try_get::<i64, _>("n")? + 1;
        sqlx::query(sql!(
            "INSERT INTO statements (case_id, {STATEMENT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(case_id)
        .bind(&statement.meeting_id)
        .bind(seq)
        .bind(&statement.speaker)
        .bind(&statement.party)
        .bind(&statement.date)
        .bind(&statement.time)
        .bind(&statement.quote)
        .bind(i64::from(statement.confidential))
        .bind(statement.created_ms)
        .execute(self.conn())
        .await?;
        Ok(seq)
    }

    /// Replaces what a statement records (speaker, party, date, time, quote and whether
    /// it is confidential), found by its meeting and number; returns whether it exists
    /// and was not removed.
    pub async fn update_statement(
        &mut self,
        case_id: &str,
        statement: &StatementRow,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE statements SET speaker = $4, party = $5, date = $6, time = $7, \
             quote = $8, confidential = $9 \
             WHERE case_id = $1 AND meeting_id = $2 AND seq = $3 AND removed_ms IS NULL",
        )
        .bind(case_id)
        .bind(&statement.meeting_id)
        .bind(statement.seq)
        .bind(&statement.speaker)
        .bind(&statement.party)
        .bind(&statement.date)
        .bind(&statement.time)
        .bind(&statement.quote)
        .bind(i64::from(statement.confidential))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Removes a statement from the record (now): it is kept, and never read again;
    /// returns whether it existed and was not removed already.
    pub async fn remove_statement(
        &mut self,
        case_id: &str,
        meeting_id: &str,
        seq: i64,
    ) -> Result<bool, StoreError> {
        let now = self.now_ms();
        let done = sqlx::query(
            "UPDATE statements SET removed_ms = $4 \
             WHERE case_id = $1 AND meeting_id = $2 AND seq = $3 AND removed_ms IS NULL",
        )
        .bind(case_id)
        .bind(meeting_id)
        .bind(seq)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
