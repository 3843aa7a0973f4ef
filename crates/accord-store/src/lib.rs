//! The workbench's store: accounts and sessions, cases with their points, parties and
//! confidential positions, versioned drafts and the responses to them, channels, meetings
//! and statements, and an append-only audit log.
//!
//! One code path serves both backends through sqlx's `Any` driver: an SQLite file by
//! default (`sqlite:accord.db`), PostgreSQL when given a `postgres://` URL. The one set of
//! migrations in `migrations/` is portable SQL: ids and JSON are `TEXT`, times are `BIGINT`
//! milliseconds.
//!
//! Every write goes through a [`Tx`], which appends its audit record in the same
//! transaction; a write is acknowledged only after [`Tx::commit`] returns, and SQLite runs
//! with `synchronous=FULL`, so an acknowledged write survives a crash.
//!
//! Cases, parties and drafts, which every page reads and few requests write, are kept in
//! memory between commits (`cache`): a commit drops them all, so a read never returns rows
//! older than the last write this process acknowledged.
//!
//! The store does not decide who may see what: the server's access policy does, in one
//! place. JSON columns are handed over as text for the server to parse.
//!
//! ```no_run
//! # async fn demo() -> Result<(), accord_store::StoreError> {
//! let store = accord_store::Store::open("sqlite:accord.db").await?;
//! let cases = store.cases().await?;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

/// A query built from constant parts only (column lists, a column name picked by a
/// `match`), never from user input, which is always bound as a parameter.
macro_rules! sql {
    ($($format:tt)*) => {
        sqlx::AssertSqlSafe(format!($($format)*))
    };
}

mod accounts;
mod audit;
mod cache;
mod cases;
mod drafts;
mod elicitations;
mod meetings;
pub mod testing;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngExt;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use accounts::{Account, Role};
pub use audit::{AuditEntry, AuditRecord};
pub use cache::READ_CACHE_TTL;
pub use cases::{CaseRow, PartyRow, PointRow, PositionRow};
pub use drafts::{DraftRow, DraftStamp, ResponseRow};
pub use elicitations::ElicitationRow;
pub use meetings::{ChannelRow, MeetingRow, StatementRow};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The URL names no supported database.
    #[error(
        "unsupported database URL `{0}`\nhint: use sqlite:FILE or postgres://USER@HOST:PORT/DB"
    )]
    BadUrl(String),
    /// A record with the same key exists already.
    #[error("{0} exists already")]
    Conflict(String),
    /// Applying the migrations failed.
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database reported an error.
    #[error("database: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Conflict("a record with this key".to_string())
            }
            _ => Self::Database(error),
        }
    }
}

/// The database behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A connection pool to the workbench database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    // SQLite allows one writer at a time; taking turns here rather than in SQLite's
    // busy handler keeps writers from failing with "database is locked".
    write_lock: Option<Arc<Mutex<()>>>,
    cache: Arc<cache::ReadCache>,
}

impl Store {
    /// Opens (creating it if needed) the database at `url` and applies the migrations.
    ///
    /// `url` is `sqlite:PATH` (the file is created), `sqlite::memory:` (a private
    /// database, for tests), or `postgres://...`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        let pool = match backend {
            Backend::Sqlite => {
                let memory = url.contains(":memory:");
                let url = if memory || url.contains('?') {
                    url.to_string()
                } else {
                    format!("{url}?mode=rwc")
                };
                AnyPoolOptions::new()
                    // An in-memory database exists once per connection.
                    .max_connections(if memory { 1 } else { 16 })
                    // A file connection does not go stale; a ping before each query would
                    // double the round trips to SQLite's connection threads.
                    .test_before_acquire(false)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .connect(url)
                    .await?
            }
        };
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self {
            pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            cache: Arc::default(),
        })
    }

    /// The database behind this store.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write transaction. Nothing it writes is visible, or durable, until
    /// [`Tx::commit`].
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let guard = match &self.write_lock {
            Some(lock) => Some(Arc::clone(lock).lock_owned().await),
            None => None,
        };
        let inner = match self.backend {
            // Takes SQLite's write lock at once (waiting its busy timeout for it), so that
            // a transaction that reads before it writes never fails to upgrade with
            // "database is locked" when another connection wrote in between.
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx {
            inner,
            _guard: guard,
            now_ms: now_ms(),
            cache: Arc::clone(&self.cache),
        })
    }

    /// Closes every connection; waits for running queries.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn cache(&self) -> &cache::ReadCache {
        &self.cache
    }
}

/// One write transaction. Its audit record goes in with it ([`Tx::audit`]).
pub struct Tx {
    inner: Transaction<'static, Any>,
    _guard: Option<OwnedMutexGuard<()>>,
    now_ms: i64,
    cache: Arc<cache::ReadCache>,
}

impl Tx {
    /// Commits every write of the transaction; once this returns, they are durable.
    pub async fn commit(self) -> Result<(), StoreError> {
        let committed = self.inner.commit().await;
        // Even a commit that reports an error may have landed.
        self.cache.invalidate();
        committed?;
        Ok(())
    }

    /// The time this transaction stamps on what it writes (milliseconds since the epoch).
    #[must_use]
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

/// Milliseconds since the Unix epoch.
#[must_use]
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A fresh id, unique and sorting in creation order (27 lowercase hex digits).
#[must_use]
pub fn new_id() -> String {
    ordered_id(now_ms())
}

/// An id that sorts in creation order within this process, and after every id made
/// earlier by a clock that has not gone back: the millisecond, the nanoseconds within it,
/// then randomness (27 lowercase hex digits), so that records made in the same millisecond
/// still list in the order they were made. No counter: an id tells when it was made, not
/// how many records (confidential ones included) were made before it.
pub(crate) fn ordered_id(now_ms: i64) -> String {
    static LAST: std::sync::Mutex<(i64, u32)> = std::sync::Mutex::new((0, 0));
    let within = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() % 1_000_000);
    let (ms, ns) = {
        let mut last = LAST
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Strictly after the last id: the clock's reading, or one nanosecond on.
        let next = if (now_ms, within) > *last {
            (now_ms, within)
        } else if last.1 < 999_999 {
            (last.0, last.1 + 1)
        } else {
            (last.0 + 1, 0)
        };
        *last = next;
        next
    };
    let random: u32 = rand::rng().random();
    format!("{ms:013x}{ns:06x}{random:08x}")
}

/// Random bytes from the operating system's generator, as lowercase hex.
#[must_use]
pub fn random_hex(n_bytes: usize) -> String {
    let mut bytes = vec![0u8; n_bytes];
    rand::rng().fill(&mut bytes[..]);
    hex(&bytes)
}

/// Bytes as lowercase hex.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut text, b| {
            let _ = write!(text, "{b:02x}");
            text
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_in_creation_order_and_count_nothing() {
        let ids: Vec<String> = (0..10_000).map(|_| new_id()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "strictly increasing");
        assert!(ids.iter().all(|id| id.len() == 27));
        // The digits after the millisecond are nanoseconds within it, not a count of the
        // ids made so far: consecutive ids in one millisecond are mostly more than one
        // apart (a counter would step by exactly one).
        let parts: Vec<(&str, u32)> = ids
            .iter()
            .map(|id| (&id[..13], u32::from_str_radix(&id[13..19], 16).unwrap()))
            .collect();
        assert!(parts.iter().all(|p| p.1 < 1_000_000));
        let steps: Vec<u32> = parts
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| w[1].1 - w[0].1)
            .collect();
        let ones = steps.iter().filter(|&&s| s == 1).count();
        assert!(
            ones * 2 < steps.len(),
            "{ones} of {} steps are 1",
            steps.len()
        );
    }
}
