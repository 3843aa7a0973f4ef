//! The accord workbench server: an HTTP/JSON API over the store, documented by an `OpenAPI`
//! document at `/openapi.json`.
//!
//! - [`router`] builds the whole application from an [`AppState`]; tests drive it with
//!   `tower::ServiceExt::oneshot`, `accord serve` binds it to a socket with [`serve`].
//! - Authorisation is decided in one place, [`access`]; every handler asks it first.
//! - Every error is an [`error::ApiError`]: a status and a JSON body naming the field.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let store = accord_store::Store::open("sqlite:accord.db").await?;
//! let app = accord_server::router(accord_server::AppState::new(store));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! accord_server::serve(listener, app, std::time::Duration::from_secs(10)).await?;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod access;
pub mod auth;
mod cases;
mod drafts;
mod elicit;
pub mod error;
mod ingest;
pub mod json;
pub mod limits;
mod meetings;
pub mod model;
mod openapi;
mod timeline;
mod ui;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::http::Request;
use axum::response::IntoResponse;
use tower_governor::GovernorError;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use utoipa_axum::router::OpenApiRouter;

use accord_store::Store;

pub use cases::{ImportInput, import_case};
pub use limits::{ANALYSIS_NICE, Settings};

use crate::error::ApiError;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The mediator's last analysis of each case, with the case document it was computed
    /// from: a case's analysis takes seconds, and is asked for again until the case
    /// changes.
    analyses: Arc<Mutex<HashMap<String, CachedAnalysis>>>,
    /// Accounts behind recent session tokens (by the token's hash), so that a burst of
    /// requests does not look the session up each time. Emptied by every change to an
    /// account or a session made through this server, so such a change takes effect at
    /// once; a change made through another server on the same PostgreSQL database takes
    /// effect within [`SESSION_CACHE_TTL`].
    sessions: Arc<Mutex<HashMap<String, (accord_store::Account, Instant)>>>,
    /// One lock per case, held by every write that checks the case still reads (points,
    /// parties, positions, drafts, responses) from its reading to its commit, so that two
    /// such writes cannot each pass against the case the other is changing.
    case_writes: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// One lock per case for its analysis: concurrent requests for the same case wait for
    /// the first, then find its result in `analyses`.
    case_analyses: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Analyses running at once, at most [`Settings::analysis_threads`]: more wait, up to
    /// [`ANALYSIS_WAIT`], then get a 503 with `Retry-After`.
    analysis_slots: Arc<tokio::sync::Semaphore>,
    /// The threads analyses run on, [`Settings::analysis_threads`] of them (`None` when
    /// the system refused to start them: analyses then run on the blocking thread).
    analysis_pool: Option<Arc<limits::AnalysisPool>>,
    /// Analyses running or waiting for a core, per account.
    heavy: Arc<limits::HeavyWork>,
    /// Failed logins per username, and failed password changes per account.
    pub(crate) login_failures: Arc<limits::Throttle>,
    /// The limits of this server.
    pub(crate) settings: Arc<Settings>,
}

/// Failed logins of one username (or password changes of one account) allowed in a burst,
/// and the pause that earns one more: ten, then one a minute.
const FAILURE_BURST: u32 = 10;
const FAILURE_REFILL: Duration = Duration::from_mins(1);

/// How long a request for an analysis waits for a free slot before it is told to retry.
pub const ANALYSIS_WAIT: Duration = Duration::from_secs(20);

/// The lock of `key` in `locks`, made on first use; locks nobody holds go when the map
/// grows.
fn keyed_lock(
    locks: &Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    key: &str,
) -> Arc<tokio::sync::Mutex<()>> {
    let mut locks = locks.lock().unwrap_or_else(PoisonError::into_inner);
    if locks.len() >= 10_000 {
        locks.retain(|_, lock| Arc::strong_count(lock) > 1);
    }
    Arc::clone(locks.entry(key.to_string()).or_default())
}

/// A case's analysis (or why it was stopped: too long) and the case document it was
/// computed from.
type CachedAnalysis = (String, Result<Arc<serde_json::Value>, String>);

/// How long a looked-up session is trusted without asking the store again.
pub const SESSION_CACHE_TTL: Duration = Duration::from_secs(1);

impl AppState {
    /// The state over a store, with the default [`Settings`].
    #[must_use]
    pub fn new(store: Store) -> Self {
        Self::with_settings(store, Settings::default())
    }

    /// The state over a store, with these limits.
    #[must_use]
    pub fn with_settings(store: Store, settings: Settings) -> Self {
        Self {
            store,
            analyses: Arc::default(),
            sessions: Arc::default(),
            case_writes: Arc::default(),
            case_analyses: Arc::default(),
            analysis_slots: Arc::new(tokio::sync::Semaphore::new(settings.analysis_threads)),
            analysis_pool: limits::analysis_pool(settings.analysis_threads),
            heavy: Arc::default(),
            login_failures: Arc::new(limits::Throttle::new(FAILURE_BURST, FAILURE_REFILL)),
            settings: Arc::new(settings),
        }
    }

    /// The limits of this server.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A share of heavy work for `account`, or a 429 when it has its fill.
    pub(crate) fn heavy_share(&self, account: &str) -> Result<limits::Share, error::ApiError> {
        limits::HeavyWork::share(&self.heavy, account, self.settings.analyses_per_account)
    }

    /// Runs `work` as an analysis: on the analysis threads, stopped after the server's
    /// analysis time or when the request is dropped ([`limits::bounded`]).
    pub(crate) async fn analyse<R: Send + 'static>(
        &self,
        what: &str,
        work: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, error::ApiError> {
        limits::bounded(
            self.analysis_pool.clone(),
            self.settings.analysis_time,
            what,
            work,
        )
        .await
    }

    /// Runs `work`, lighter than an analysis but of a size a request sets (fitting a
    /// party's answers, suggesting packages, the tally's proposals, reading a meeting
    /// report): on a blocking thread at the requests' priority (the person is waiting for
    /// it, and it should not queue behind analyses), counted in `account`'s share of heavy
    /// work (429 past it), and stopped after the server's analysis time or when the request
    /// is dropped ([`limits::bounded`]).
    pub(crate) async fn compute<R: Send + 'static>(
        &self,
        account: &str,
        what: &str,
        work: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, error::ApiError> {
        let _share = self.heavy_share(account)?;
        limits::bounded(None, self.settings.analysis_time, what, work).await
    }

    /// Waits for the case's write lock: hold it from reading the case to committing a
    /// write checked against it.
    pub(crate) async fn lock_case(&self, case_id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        keyed_lock(&self.case_writes, case_id).lock_owned().await
    }

    /// Waits for the case's analysis lock (one analysis of a case at a time).
    pub(crate) async fn lock_analysis(&self, case_id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        keyed_lock(&self.case_analyses, case_id).lock_owned().await
    }

    /// A slot to run an analysis in, or a 503 after [`ANALYSIS_WAIT`].
    pub(crate) async fn analysis_slot(
        &self,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, error::ApiError> {
        let slots = Arc::clone(&self.analysis_slots);
        match tokio::time::timeout(ANALYSIS_WAIT, slots.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(error::ApiError::busy(
                "every core for analyses is busy; try again shortly",
                ANALYSIS_WAIT.as_secs(),
            )),
        }
    }

    /// The account of a live session, from the cache while it is fresh.
    pub(crate) async fn session_account(
        &self,
        token_hash: &str,
    ) -> Result<Option<accord_store::Account>, accord_store::StoreError> {
        {
            let cache = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((account, at)) = cache.get(token_hash)
                && at.elapsed() < SESSION_CACHE_TTL
            {
                return Ok(Some(account.clone()));
            }
        }
        let account = self.store.session_account(token_hash).await?;
        let mut cache = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        match &account {
            Some(account) => {
                // Old entries go when the cache grows, not one by one.
                if cache.len() >= 10_000 {
                    cache.retain(|_, (_, at)| at.elapsed() < SESSION_CACHE_TTL);
                }
                cache.insert(token_hash.to_string(), (account.clone(), Instant::now()));
            }
            None => {
                cache.remove(token_hash);
            }
        }
        Ok(account)
    }

    /// Forgets every cached session: called after any change to accounts or sessions.
    pub(crate) fn forget_sessions(&self) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The analysis cached for a case (or the message of its stopping), if it was computed
    /// from this very document.
    pub(crate) fn cached_analysis(
        &self,
        case_id: &str,
        document: &str,
    ) -> Option<Result<Arc<serde_json::Value>, String>> {
        let cache = self.analyses.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .get(case_id)
            .filter(|(cached, _)| cached == document)
            .map(|(_, analysis)| analysis.clone())
    }

    /// Keeps a case's analysis, replacing the one of an earlier state of the case.
    pub(crate) fn cache_analysis(
        &self,
        case_id: &str,
        document: String,
        analysis: Result<Arc<serde_json::Value>, String>,
    ) {
        let mut cache = self.analyses.lock().unwrap_or_else(PoisonError::into_inner);
        cache.insert(case_id.to_string(), (document, analysis));
    }
}

/// Login attempts allowed in a burst from one address, and the pause that earns one more.
const LOGIN_BURST: u32 = 10;
const LOGIN_REFILL: Duration = Duration::from_secs(3);

/// The client address for the login rate limit: the socket's peer, or (in tests driven
/// without a socket) one shared key.
#[derive(Debug, Clone, Copy)]
struct PeerOrLocal;

impl KeyExtractor for PeerOrLocal {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<Self::Key, GovernorError> {
        Ok(request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |info| info.0.ip()))
    }
}

/// The application: every API route, `/openapi.json`, and their limits.
pub fn router(state: AppState) -> Router {
    let config = GovernorConfigBuilder::default()
        .key_extractor(PeerOrLocal)
        .period(LOGIN_REFILL)
        .burst_size(LOGIN_BURST)
        .finish()
        .expect("the login rate limit's period and burst are positive");
    // One limiter for the API's login and the login page's form.
    let config = Arc::new(config);
    let ui_limit = GovernorLayer::new(Arc::clone(&config)).error_handler(ui::too_many_logins);
    let limit = GovernorLayer::new(config).error_handler(|error| match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            let wait = limits::login_wait(wait_time);
            ApiError::too_many_requests(
                format!("too many login attempts; try again in {wait} s"),
                wait,
            )
            .into_response()
        }
        other => ApiError::internal(format!("{other:?}")).into_response(),
    });
    let login = auth::login_routes().layer(limit);
    let (api, document) = OpenApiRouter::with_openapi(openapi::base())
        .merge(login)
        .merge(auth::routes())
        .merge(cases::routes())
        .merge(elicit::routes())
        .merge(ingest::routes())
        .merge(drafts::routes())
        .merge(meetings::routes())
        .merge(timeline::routes())
        .split_for_parts();
    let document = Arc::new(document);
    api.merge(ui::routes())
        .merge(ui::login_routes().layer(ui_limit))
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let document = Arc::clone(&document);
                async move { axum::Json(document.as_ref().clone()) }
            }),
        )
        .fallback(|| async { ApiError::not_found("such route") })
        .layer(DefaultBodyLimit::max(json::BODY_LIMIT))
        .layer(axum::middleware::from_fn(guard))
        .with_state(state)
}

/// Two guards on every request:
///
/// - A write that a browser sends with the session cookie (no `Authorization` header) must
///   come from this server's own pages: `Sec-Fetch-Site` same-origin (or none, typed by
///   the user), or else an `Origin` whose host is the request's `Host`. A page elsewhere
///   cannot make a logged-in browser write (cross-site request forgery); clients that send
///   `Authorization: Bearer` carry no ambient credential and pass.
/// - API answers are never stored by caches (`Cache-Control: no-store`): they carry
///   positions and unpublished work.
async fn guard(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, COOKIE, HOST, ORIGIN};
    let headers = request.headers();
    let unsafe_method = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let by_cookie = !headers.contains_key(AUTHORIZATION)
        && headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(auth::SESSION_COOKIE));
    if unsafe_method && by_cookie {
        let site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase);
        let origin_host = headers
            .get(ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(|origin| {
                origin
                    .split_once("://")
                    .map_or(origin, |(_, rest)| rest)
                    .to_string()
            });
        let host = headers.get(HOST).and_then(|v| v.to_str().ok());
        let foreign = match (site.as_deref(), origin_host) {
            (Some(site), _) => !matches!(site, "same-origin" | "none"),
            (None, Some(origin)) => Some(origin.as_str()) != host,
            (None, None) => false,
        };
        if foreign {
            return ApiError::forbidden(
                "a write with the session cookie must come from this server's pages (its Origin differs); other clients send `Authorization: Bearer TOKEN`",
            )
            .into_response();
        }
    }
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if api && !response.headers().contains_key(CACHE_CONTROL) {
        response.headers_mut().insert(
            CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
    response
}

/// How long requests in flight may take to finish once shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves the application on a bound listener until Ctrl-C or SIGTERM; requests in flight
/// finish first (up to 10 s). A connection that takes longer than `header_timeout` to send
/// a request's headers, or stays idle that long between requests, is closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    header_timeout: Duration,
) -> std::io::Result<()> {
    serve_until(listener, app, header_timeout, shutdown()).await
}

/// [`serve`] until `stop` completes.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    app: Router,
    header_timeout: Duration,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, do not spin or stop.
                    tracing::warn!("accepting a connection: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                let mut app = app.clone();
                async move {
                    use tower::Service as _;
                    app.call(request.map(axum::body::Body::new)).await
                }
            });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A closed or timed-out connection is the client's business, not an error.
            let _ = connection.await;
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {SHUTDOWN_GRACE:?}; stopping anyway");
    }
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
