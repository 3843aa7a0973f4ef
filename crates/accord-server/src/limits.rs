//! What keeps one busy or hostile client from stalling the server for everyone else:
//! the [`Settings`] a deployment may change, heavy work (analyses) bounded per account, per
//! core and in time, and throttles on password guessing.
//!
//! - An analysis runs on a blocking thread under an [`accord_core::Interrupt`], raised when
//!   it has run [`Settings::analysis_time`] (the answer is then a 422 saying the case is
//!   too large to analyse here) or when its client goes away (the request's future is
//!   dropped), so that no work goes on for nobody.
//! - One account may have [`Settings::analyses_per_account`] analyses running or waiting for a core;
//!   more get a 429 with `Retry-After`.
//! - Analyses run on [`Settings::analysis_threads`] cores at most (by default all), in a
//!   thread pool of their own whose threads have a lower scheduling priority
//!   ([`ANALYSIS_NICE`]): light requests come first whenever they want a core, and
//!   analyses take what is left.
//! - Failed logins of one username and failed password changes of one account are
//!   throttled ([`Throttle`]), whatever address they come from.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use accord_core::Interrupt;

use crate::error::ApiError;

/// The limits of a server; [`Settings::default`] holds the defaults of `accord serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The longest one analysis may run before it is stopped and answered "too large".
    pub analysis_time: Duration,
    /// The most analyses one account may have running or waiting for a core at once.
    pub analyses_per_account: usize,
    /// The cores analyses may use at once (by default all): as many analyses run side by
    /// side, on a pool of this many threads at a lower priority ([`ANALYSIS_NICE`]), their
    /// parallel parts on the same pool; more wait for a free thread.
    pub analysis_threads: usize,
    /// Whether the session cookie is marked `Secure` (sent over HTTPS only): set it when
    /// the server is reached over HTTPS, directly or behind a proxy.
    pub secure_cookies: bool,
    /// How long a connection may take to send a request's headers, and stay idle between
    /// requests, before it is closed.
    pub header_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            analysis_time: Duration::from_secs(30),
            analyses_per_account: 2,
            analysis_threads: std::thread::available_parallelism()
                .map_or(1, std::num::NonZero::get),
            secure_cookies: false,
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// The nice value of the analysis threads: under contention the scheduler gives them about
/// a tenth of what a request's thread gets, so that light requests (reading a case, saving
/// a position) stay fast while analyses run, and analyses still take every cycle left
/// idle. (A core kept free of analyses instead would slow every analysis and help light
/// requests less: docs/benchmarks.md, "Workbench server load".)
pub const ANALYSIS_NICE: i32 = 10;

/// The threads analyses run on, and their ids, to tell an analysis stopped for its size
/// from one starved of cores ([`ThreadTimes::starved_until`]).
pub(crate) struct AnalysisPool {
    pool: rayon::ThreadPool,
    thread_ids: Arc<Mutex<Vec<i32>>>,
}

/// The pool analyses run on: `threads` threads at [`ANALYSIS_NICE`]; `None` when the
/// system refuses to start them (analyses then run on the blocking thread).
pub(crate) fn analysis_pool(threads: usize) -> Option<Arc<AnalysisPool>> {
    let thread_ids = Arc::new(Mutex::new(Vec::new()));
    let ids = Arc::clone(&thread_ids);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|k| format!("accord-analysis-{k}"))
        .start_handler(move |_| {
            lower_priority();
            #[cfg(target_os = "linux")]
            ids.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(rustix::thread::gettid().as_raw_nonzero().get());
            #[cfg(not(target_os = "linux"))]
            let _ = &ids;
        })
        .build()
        .ok()?;
    // Every thread has started (and said its id) once each has run a job.
    pool.broadcast(|_| ());
    Some(Arc::new(AnalysisPool { pool, thread_ids }))
}

/// How long a set of threads has run and waited for a core, in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ThreadTimes {
    running: Duration,
    waiting: Duration,
}

impl AnalysisPool {
    /// How long the pool's threads have run and have waited, runnable, for a core
    /// (Linux's per-thread scheduler statistics); `None` where they cannot be read.
    pub(crate) fn times(&self) -> Option<ThreadTimes> {
        let ids = self
            .thread_ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if ids.is_empty() {
            return None;
        }
        let mut total = ThreadTimes::default();
        for id in ids {
            let text = std::fs::read_to_string(format!("/proc/self/task/{id}/schedstat")).ok()?;
            let mut fields = text.split_whitespace().map(str::parse::<u64>);
            let (Some(Ok(running)), Some(Ok(waiting))) = (fields.next(), fields.next()) else {
                return None;
            };
            total.running += Duration::from_nanos(running);
            total.waiting += Duration::from_nanos(waiting);
        }
        Some(total)
    }
}

impl ThreadTimes {
    /// Whether threads were starved from `self` to `then` (work allowed `limit`): they
    /// waited for a core longer than they ran, and for a quarter of `limit` and a quarter
    /// of a second at least (so that the waits of a few wake-ups never count). Work
    /// stopped then was stopped by the load on the machine, not by its size.
    pub(crate) fn starved_until(self, then: Self, limit: Duration) -> bool {
        let running = then.running.saturating_sub(self.running);
        let waiting = then.waiting.saturating_sub(self.waiting);
        waiting > running && waiting >= (limit / 4).max(Duration::from_millis(250))
    }
}

/// Lowers the calling thread's scheduling priority to [`ANALYSIS_NICE`] (Linux keeps a
/// nice value per thread); elsewhere, or where the system refuses, nothing changes.
pub(crate) fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let thread = rustix::thread::gettid();
        if let Err(error) = rustix::process::setpriority_process(Some(thread), ANALYSIS_NICE) {
            tracing::debug!("analysis thread keeps its priority: {error}");
        }
    }
}

/// Analyses running or waiting for a core, per account.
#[derive(Debug, Default)]
pub(crate) struct HeavyWork {
    per_account: Mutex<HashMap<String, usize>>,
}

/// One account's share of heavy work, given back when dropped.
pub(crate) struct Share {
    work: Arc<HeavyWork>,
    account: String,
}

impl Drop for Share {
    fn drop(&mut self) {
        let mut map = self
            .work
            .per_account
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.account) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.account);
            }
        }
    }
}

impl HeavyWork {
    /// A share for `account`, or a 429 when it already has `max` analyses going.
    pub(crate) fn share(
        work: &Arc<HeavyWork>,
        account: &str,
        max: usize,
    ) -> Result<Share, ApiError> {
        let mut map = work
            .per_account
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let n = map.entry(account.to_string()).or_default();
        if *n >= max {
            return Err(ApiError::too_many_requests(
                format!(
                    "this account already has {max} analyses running or waiting for a core; try again when one has answered"
                ),
                RETRY_HEAVY_S,
            ));
        }
        *n += 1;
        Ok(Share {
            work: Arc::clone(work),
            account: account.to_string(),
        })
    }
}

/// The `Retry-After` of a refused analysis, in seconds.
const RETRY_HEAVY_S: u64 = 5;

/// Runs `work` on a blocking thread (inside `pool` when given, so that its parallel parts
/// use that pool's threads and no others) under an interrupt raised after `limit` or when
/// the returned future is dropped (the client went away); `what` names the work in the
/// answer when it is stopped.
pub(crate) async fn bounded<R: Send + 'static>(
    pool: Option<Arc<AnalysisPool>>,
    limit: Duration,
    what: &str,
    work: impl FnOnce() -> R + Send + 'static,
) -> Result<R, ApiError> {
    /// Raises the interrupt when the request's future is dropped before the work is done.
    struct RaiseOnDrop(Option<Interrupt>);
    impl Drop for RaiseOnDrop {
        fn drop(&mut self) {
            if let Some(interrupt) = &self.0 {
                interrupt.raise();
            }
        }
    }
    let interrupt = Interrupt::new();
    let mut on_drop = RaiseOnDrop(Some(interrupt.clone()));
    let watched = interrupt.clone();
    let before = pool.as_ref().and_then(|p| p.times());
    let on = pool.clone();
    // The interrupt is the running thread's: set on the pool's thread that does the work.
    let mut task = tokio::task::spawn_blocking(move || match on {
        Some(on) => on.pool.install(move || watched.watch(work)),
        None => watched.watch(work),
    });
    let mut starved = false;
    let done = if let Ok(done) = tokio::time::timeout(limit, &mut task).await {
        done
    } else {
        // Over the time allowed, not the time the work then takes to notice it is stopped.
        if let (Some(before), Some(now)) = (before, pool.as_ref().and_then(|p| p.times())) {
            starved = before.starved_until(now, limit);
        }
        interrupt.raise();
        task.await
    };
    // Done (or stopped): nothing is left to raise on drop.
    on_drop.0 = None;
    let done = done.map_err(ApiError::internal)?;
    if interrupt.is_raised() {
        // Out of time because the cores were taken, not because the work is large: no
        // verdict on the case (which would be kept until it changes), but "try again".
        if starved {
            return Err(ApiError::busy(
                format!(
                    "{what} could not finish in {} s because the server was busy; try again shortly",
                    limit.as_secs_f64()
                ),
                RETRY_HEAVY_S,
            ));
        }
        return Err(too_long(what, limit));
    }
    Ok(done)
}

/// The answer to work stopped after `limit`.
pub(crate) fn too_long(what: &str, limit: Duration) -> ApiError {
    ApiError::too_much_work(format!(
        "{what} took longer than {} s and was stopped: the case is too large to analyse here; export it and run `accord analyze` on the file, which may take longer",
        limit.as_secs_f64()
    ))
}

/// A token bucket per key: `burst` attempts at once, one more every `refill`. Only
/// failures are counted, so that a legitimate user who types the right password is never
/// slowed.
#[derive(Debug)]
pub(crate) struct Throttle {
    burst: f64,
    refill: Duration,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Throttle {
    pub(crate) fn new(burst: u32, refill: Duration) -> Self {
        Self {
            burst: f64::from(burst),
            refill,
            buckets: Mutex::default(),
        }
    }

    /// `Err(seconds to wait)` when `key` has no attempt left.
    pub(crate) fn check(&self, key: &str) -> Result<(), u64> {
        let buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        match buckets.get(key) {
            Some(&(tokens, at)) => {
                let tokens = self.refilled(tokens, at);
                if tokens >= 1.0 {
                    Ok(())
                } else {
                    let wait = (1.0 - tokens) * self.refill.as_secs_f64();
                    Err(wait.ceil().max(1.0) as u64)
                }
            }
            None => Ok(()),
        }
    }

    /// Counts a failed attempt of `key`.
    pub(crate) fn fail(&self, key: &str) {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= 100_000 {
            // Full buckets need no entry.
            let (burst, refill) = (self.burst, self.refill);
            buckets.retain(|_, &mut (tokens, at)| refilled(burst, refill, tokens, at) < burst);
        }
        let now = Instant::now();
        let (tokens, at) = buckets.get(key).copied().unwrap_or((self.burst, now));
        let tokens = self.refilled(tokens, at);
        buckets.insert(key.to_string(), ((tokens - 1.0).max(0.0), now));
    }

    fn refilled(&self, tokens: f64, at: Instant) -> f64 {
        refilled(self.burst, self.refill, tokens, at)
    }
}

fn refilled(burst: f64, refill: Duration, tokens: f64, at: Instant) -> f64 {
    (tokens + at.elapsed().as_secs_f64() / refill.as_secs_f64()).min(burst)
}

/// The whole seconds to wait after the login rate limit refuses a request: the limiter
/// gives the wait rounded down (0 for less than a second), so one more second, never
/// an answer that sends the client back too early.
pub(crate) fn login_wait(wait_time: u64) -> u64 {
    wait_time.saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_refuses_after_the_burst_and_only_that_key() {
        let throttle = Throttle::new(3, Duration::from_hours(1));
        for _ in 0..3 {
            assert_eq!(throttle.check("alice"), Ok(()));
            throttle.fail("alice");
        }
        let wait = throttle.check("alice").unwrap_err();
        assert!((3000..=3600).contains(&wait), "{wait}");
        assert_eq!(throttle.check("bob"), Ok(()));
    }

    #[test]
    fn shares_of_heavy_work_are_bounded_per_account_and_given_back() {
        let work = Arc::new(HeavyWork::default());
        let first = HeavyWork::share(&work, "a", 2).unwrap();
        let _second = HeavyWork::share(&work, "a", 2).unwrap();
        let refused = HeavyWork::share(&work, "a", 2).err().unwrap();
        assert_eq!(refused.status().as_u16(), 429);
        assert!(HeavyWork::share(&work, "b", 2).is_ok());
        drop(first);
        assert!(HeavyWork::share(&work, "a", 2).is_ok());
    }

    /// Work that spins until the interrupt it runs under is raised, then says so.
    fn spin(done: std::sync::mpsc::Sender<()>) -> impl FnOnce() + Send + 'static {
        move || {
            let interrupt = Interrupt::current().expect("bounded work runs under an interrupt");
            while !interrupt.is_raised() {
                std::thread::sleep(Duration::from_millis(2));
            }
            let _ = done.send(());
        }
    }

    #[tokio::test]
    async fn bounded_work_is_stopped_after_its_time_and_says_so() {
        let (done, stopped) = std::sync::mpsc::channel();
        let error = bounded(None, Duration::from_millis(20), "the analysis", spin(done))
            .await
            .unwrap_err();
        assert_eq!(error.status().as_u16(), 422);
        assert!(
            error
                .message()
                .starts_with("the analysis took longer than 0.02 s")
        );
        assert!(
            stopped.try_recv().is_ok(),
            "the work ended before the answer"
        );
        // Work that ends in time is answered.
        assert_eq!(
            bounded(None, Duration::from_mins(1), "x", || 7)
                .await
                .unwrap(),
            7
        );
    }

    /// The nice value of the calling thread.
    #[cfg(target_os = "linux")]
    fn nice() -> i32 {
        rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap()
    }

    #[tokio::test]
    async fn bounded_work_runs_on_its_pool_under_its_interrupt() {
        let pool = analysis_pool(3).unwrap();
        let (threads, interrupted, on_pool) =
            bounded(Some(pool), Duration::from_mins(1), "x", || {
                (
                    rayon::current_num_threads(),
                    Interrupt::current().is_some(),
                    rayon::current_thread_index().is_some(),
                )
            })
            .await
            .unwrap();
        assert_eq!((threads, interrupted, on_pool), (3, true, true));
        // Stopped after its time on the pool too.
        let pool = analysis_pool(1).unwrap();
        let (done, stopped) = std::sync::mpsc::channel();
        let error = bounded(
            Some(pool),
            Duration::from_millis(20),
            "the analysis",
            spin(done),
        )
        .await
        .unwrap_err();
        assert_eq!(error.status().as_u16(), 422);
        assert!(stopped.try_recv().is_ok());
    }

    /// Analyses run at a lower priority than the threads that answer requests (a process
    /// already at a nicer value than [`ANALYSIS_NICE`] keeps it: a thread may not raise
    /// its own priority).
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn analyses_run_at_a_lower_priority_than_requests() {
        let here = nice();
        let pool = analysis_pool(2).unwrap();
        let there = bounded(Some(pool), Duration::from_mins(1), "x", nice)
            .await
            .unwrap();
        assert_eq!(there, here.max(ANALYSIS_NICE), "here {here}");
        assert_eq!(nice(), here, "the caller's own priority is unchanged");
    }

    /// Work stopped while requests took every core is answered "busy, try again" (503),
    /// not "too large": that verdict would be kept until the case changes.
    #[cfg(target_os = "linux")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_starved_of_cores_is_answered_busy_not_too_large() {
        let pool = analysis_pool(1).unwrap();
        // Requests at the normal priority: more busy threads than cores, for longer than
        // the work's time.
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let load: Vec<_> = (0..2 * cores)
            .map(|_| {
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                })
            })
            .collect();
        let burn = || {
            let interrupt = Interrupt::current().expect("under an interrupt");
            while !interrupt.is_raised() {
                std::hint::spin_loop();
            }
        };
        let starved = bounded(Some(Arc::clone(&pool)), Duration::from_secs(1), "x", burn).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for thread in load {
            thread.join().unwrap();
        }
        let error = starved.unwrap_err();
        assert_eq!(error.status().as_u16(), 503, "{}", error.message());
        assert!(error.message().contains("busy"), "{}", error.message());
        // The same work on an idle machine: too large.
        let error = bounded(Some(pool), Duration::from_millis(100), "x", burn)
            .await
            .unwrap_err();
        assert_eq!(error.status().as_u16(), 422, "{}", error.message());
    }

    #[tokio::test]
    async fn bounded_work_stops_when_its_request_is_dropped() {
        let (done, stopped) = std::sync::mpsc::channel();
        let request = tokio::spawn(bounded(None, Duration::from_hours(1), "x", spin(done)));
        tokio::time::sleep(Duration::from_millis(20)).await;
        request.abort();
        // Well within the hour of its time limit: the dropped request stopped it.
        let ended = async {
            while stopped.try_recv().is_err() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(Duration::from_mins(1), ended)
            .await
            .expect("the work stops once its request is gone");
    }
}
