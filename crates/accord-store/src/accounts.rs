//! Accounts and their login sessions.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, Tx};

/// What an account may do; the server's access policy reads it on every request, so a
/// change takes effect at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Runs the cases: sees and edits everything.
    Mediator,
    /// A member of one party's delegation: sees its own position, never another's.
    Party,
    /// Sees only what the mediator has published.
    Observer,
}

impl Role {
    /// The name stored and shown (`mediator`, `party`, `observer`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mediator => "mediator",
            Self::Party => "party",
            Self::Observer => "observer",
        }
    }

    /// The role a name stands for.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "mediator" => Some(Self::Mediator),
            "party" => Some(Self::Party),
            "observer" => Some(Self::Observer),
            _ => None,
        }
    }
}

/// One account. A party member's account names its case and party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Random id.
    pub id: String,
    /// Unique login name.
    pub username: String,
    /// Argon2 hash in PHC string form.
    pub password_hash: String,
    /// What the account may do.
    pub role: Role,
    /// A party member's case.
    pub case_id: Option<String>,
    /// A party member's party within that case.
    pub party_id: Option<String>,
    /// Whether it may log in.
    pub active: bool,
    /// When it was created (milliseconds).
    pub created_ms: i64,
}

const ACCOUNT_COLUMNS: &str =
    "id, username, password_hash, role, case_id, party_id, active, created_ms";

fn account(row: &AnyRow) -> Result<Account, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(Account {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        role: Role::parse(&role).unwrap_or(Role::Observer),
        case_id: row.try_get("case_id")?,
        party_id: row.try_get("party_id")?,
        active: row.try_get::<i64, _>("active")? != 0,
        created_ms: row.try_get("created_ms")?,
    })
}

impl Store {
    /// Every account, by username.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query(sql!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY username"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(account).collect()
    }

    /// The account with this id.
    pub async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(sql!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(account).transpose()
    }

    /// The account with this username.
    pub async fn account_by_username(&self, username: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(sql!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(account).transpose()
    }

    /// The active account behind a live (unrevoked) session, by the token's hash.
    pub async fn session_account(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.username, a.password_hash, a.role, a.case_id, a.party_id, \
             a.active, a.created_ms FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.revoked_ms IS NULL AND a.active = 1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(account).transpose()
    }

    /// How many accounts exist.
    pub async fn account_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM accounts")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }
}

impl Tx {
    /// Adds an account; a taken username is a [`StoreError::Conflict`].
    pub async fn insert_account(&mut self, account: &Account) -> Result<(), StoreError> {
        let result = sqlx::query(sql!(
            "INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&account.id)
        .bind(&account.username)
        .bind(&account.password_hash)
        .bind(account.role.as_str())
        .bind(account.case_id.as_deref())
        .bind(account.party_id.as_deref())
        .bind(i64::from(account.active))
        .bind(account.created_ms)
        .execute(self.conn())
        .await;
        match result.map_err(StoreError::from) {
            Err(StoreError::Conflict(_)) => Err(StoreError::Conflict(format!(
                "username `{}`",
                account.username
            ))),
            other => other.map(|_| ()),
        }
    }

    /// Replaces an account's role, party, password hash and active flag.
    pub async fn update_account(&mut self, account: &Account) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE accounts SET password_hash = $2, role = $3, case_id = $4, party_id = $5, \
             active = $6 WHERE id = $1",
        )
        .bind(&account.id)
        .bind(&account.password_hash)
        .bind(account.role.as_str())
        .bind(account.case_id.as_deref())
        .bind(account.party_id.as_deref())
        .bind(i64::from(account.active))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Records a new session under the hash of its token.
    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        account_id: &str,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, created_ms) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Revokes one session; false when it was not live.
    pub async fn revoke_session(&mut self, token_hash: &str) -> Result<bool, StoreError> {
        let now = self.now_ms();
        let done = sqlx::query(
            "UPDATE sessions SET revoked_ms = $2 WHERE token_hash = $1 AND revoked_ms IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Revokes every live session of an account; returns how many.
    pub async fn revoke_sessions(&mut self, account_id: &str) -> Result<u64, StoreError> {
        let now = self.now_ms();
        let done = sqlx::query(
            "UPDATE sessions SET revoked_ms = $2 WHERE account_id = $1 AND revoked_ms IS NULL",
        )
        .bind(account_id)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected())
    }
}
