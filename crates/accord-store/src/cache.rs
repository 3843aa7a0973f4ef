//! The rows every page and API read asks for (cases, parties, drafts), kept in memory
//! between writes.
//!
//! Every [`Tx::commit`](crate::Tx::commit) moves the cache to a new generation, which
//! drops what it holds: a read that follows a write, from anyone, goes to the database.
//! A row read before a commit is filed under the generation read before the query, so it
//! is never served after that commit, however the read and the commit interleave. Another
//! process writing to the same database is seen within [`READ_CACHE_TTL`]. Positions are
//! never kept here.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::{CaseRow, DraftRow, PartyRow, StoreError};

/// How long a cached row is served without asking the database again, when nothing
/// this process commits has changed it meanwhile.
pub const READ_CACHE_TTL: Duration = Duration::from_secs(1);

/// What the cache may hold in all, in bytes of text (approximately); past it, it starts
/// afresh.
const BUDGET_BYTES: usize = 64 << 20;

/// One read: its query and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub query: &'static str,
    pub case_id: String,
    pub n: i64,
}

impl Key {
    pub(crate) fn new(query: &'static str, case_id: &str, n: i64) -> Self {
        Self {
            query,
            case_id: case_id.to_string(),
            n,
        }
    }
}

struct Entry {
    generation: u64,
    at: Instant,
    bytes: usize,
    value: Arc<dyn Any + Send + Sync>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Entry>,
    bytes: usize,
}

/// Rows kept between writes (module docs).
#[derive(Default)]
pub(crate) struct ReadCache {
    generation: AtomicU64,
    entries: Mutex<Entries>,
    /// One lock per key being read: concurrent misses of one key make one query, not one
    /// each (after a commit, every client asks again at once).
    reading: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

impl ReadCache {
    /// The rows of `key`: kept ones if nothing was committed since they were read, else
    /// those `read` gives, which are then kept.
    pub(crate) async fn get_or_read<T, F>(&self, key: Key, read: F) -> Result<T, StoreError>
    where
        T: Clone + Weigh + Send + Sync + 'static,
        F: Future<Output = Result<T, StoreError>>,
    {
        let generation = self.generation.load(Ordering::Acquire);
        if let Some(value) = self.lookup::<T>(&key, generation) {
            return Ok(value);
        }
        let turn = self.reading_lock(&key);
        let _turn = turn.lock().await;
        // Whoever read while this waited has kept the rows, unless a commit came between.
        let generation = self.generation.load(Ordering::Acquire);
        if let Some(value) = self.lookup::<T>(&key, generation) {
            return Ok(value);
        }
        let value = read.await?;
        self.keep(key, generation, value.clone());
        Ok(value)
    }

    fn reading_lock(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut reading = self.reading.lock().unwrap_or_else(PoisonError::into_inner);
        if reading.len() >= 1_000 {
            reading.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        Arc::clone(reading.entry(key.clone()).or_default())
    }

    fn lookup<T: Clone + 'static>(&self, key: &Key, generation: u64) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.map.get(key)?;
        if entry.generation != generation || entry.at.elapsed() >= READ_CACHE_TTL {
            return None;
        }
        entry.value.downcast_ref::<T>().cloned()
    }

    fn keep<T: Weigh + Send + Sync + 'static>(&self, key: Key, generation: u64, value: T) {
        let bytes = value.weight() + key.case_id.len() + 64;
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        // A commit since the read: these rows may already be out of date.
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.bytes + bytes > BUDGET_BYTES {
            *entries = Entries::default();
            if bytes > BUDGET_BYTES {
                return;
            }
        }
        let entry = Entry {
            generation,
            at: Instant::now(),
            bytes,
            value: Arc::new(value),
        };
        entries.bytes += bytes;
        if let Some(old) = entries.map.insert(key, entry) {
            entries.bytes -= old.bytes;
        }
    }

    /// Called after every commit: nothing read before it is served again.
    pub(crate) fn invalidate(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        *entries = Entries::default();
    }
}

/// About how many bytes a value holds, for the cache's budget.
pub(crate) trait Weigh {
    fn weight(&self) -> usize;
}

impl Weigh for i64 {
    fn weight(&self) -> usize {
        8
    }
}

impl<T: Weigh> Weigh for Option<T> {
    fn weight(&self) -> usize {
        self.as_ref().map_or(0, Weigh::weight)
    }
}

impl<T: Weigh> Weigh for Vec<T> {
    fn weight(&self) -> usize {
        self.iter().map(Weigh::weight).sum()
    }
}

impl Weigh for CaseRow {
    fn weight(&self) -> usize {
        48 + self.id.len() + self.name.len() + self.description.len()
    }
}

impl Weigh for PartyRow {
    fn weight(&self) -> usize {
        64 + self.party_id.len() + self.name.len() + self.role.len() + self.delegates.len()
    }
}

impl Weigh for DraftRow {
    fn weight(&self) -> usize {
        96 + self.author.len()
            + self.note.len()
            + self.body.len()
            + self.author_name.as_ref().map_or(0, String::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(case: &str) -> Key {
        Key::new("test", case, 0)
    }

    async fn read(cache: &ReadCache, case: &str, value: i64) -> i64 {
        cache
            .get_or_read(key(case), async { Ok(value) })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_kept_read_is_served_until_a_commit() {
        let cache = ReadCache::default();
        assert_eq!(read(&cache, "a", 1).await, 1);
        // Served from memory: the second read's value is not asked for.
        assert_eq!(read(&cache, "a", 2).await, 1);
        assert_eq!(read(&cache, "b", 3).await, 3);
        cache.invalidate();
        assert_eq!(read(&cache, "a", 4).await, 4);
        assert_eq!(read(&cache, "b", 5).await, 5);
    }

    #[tokio::test]
    async fn a_read_that_a_commit_overtook_is_not_kept() {
        let cache = ReadCache::default();
        let value = cache
            .get_or_read(key("a"), async {
                // A commit lands while the query runs.
                cache.invalidate();
                Ok(1_i64)
            })
            .await
            .unwrap();
        assert_eq!(value, 1);
        assert_eq!(read(&cache, "a", 2).await, 2);
    }

    #[tokio::test]
    async fn concurrent_misses_of_one_key_make_one_read() {
        let cache = Arc::new(ReadCache::default());
        let reads = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (cache, reads) = (Arc::clone(&cache), Arc::clone(&reads));
                tokio::spawn(async move {
                    cache
                        .get_or_read(key("a"), async {
                            reads.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok(7_i64)
                        })
                        .await
                        .unwrap()
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), 7);
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn failed_reads_are_not_kept() {
        let cache = ReadCache::default();
        let failed: Result<i64, _> = cache
            .get_or_read(key("a"), async {
                Err(StoreError::Conflict("test".to_string()))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(read(&cache, "a", 2).await, 2);
    }

    #[tokio::test]
    async fn kept_reads_expire() {
        let cache = ReadCache::default();
        assert_eq!(read(&cache, "a", 1).await, 1);
        tokio::time::sleep(READ_CACHE_TTL + Duration::from_millis(50)).await;
        assert_eq!(read(&cache, "a", 2).await, 2);
    }

    #[tokio::test]
    async fn the_budget_bounds_what_is_kept() {
        let cache = ReadCache::default();
        let big = || CaseRow {
            id: "x".to_string(),
            name: String::new(),
            description: "d".repeat(BUDGET_BYTES / 3),
            created_ms: 0,
        };
        for case in ["a", "b", "c", "d"] {
            cache
                .get_or_read(key(case), async { Ok(big()) })
                .await
                .unwrap();
        }
        let entries = cache.entries.lock().unwrap();
        assert!(entries.bytes <= BUDGET_BYTES, "{} bytes", entries.bytes);
        assert!(entries.map.len() < 4);
        assert_eq!(
            entries.bytes,
            entries.map.values().map(|e| e.bytes).sum::<usize>()
        );
    }
}
