//! The web UI: server-rendered pages (askama templates in `templates/`) over the same
//! logic and access policy as the API, with htmx served as a static file for editing.
//! Every page reads without JavaScript; the session is the `accord_session` cookie.
//!
//! Pages call the API's handlers as plain functions, so every page asks
//! [`crate::access`] exactly as the API does. Routes (not in the `OpenAPI` document):
//! - `GET /login`, `POST /login` (form `username`, `password`; rate-limited with the API's
//!   login), `POST /logout`;
//! - `GET /`: the cases the account may see;
//! - `GET /cases/{case}`: the mediator's dashboard ([`mediator`]), a party member's view
//!   or an observer's view ([`party`]), by the viewer's standing;
//! - the party pages of [`party`] and the mediator pages of [`mediator`];
//! - `/accounts` and `/accounts/{account}/...`: the mediator's account management
//!   ([`accounts`]), linked from the header of every page a mediator sees;
//! - `/cases/{case}/channels`, `/cases/{case}/meetings/...`: the mediator's record of
//!   every channel, meeting and statement, and `/cases/{case}/timeline`, everyone's view
//!   of the whole process ([`record`]);
//! - `GET /static/htmx.min.js`, `GET /static/style.css`, embedded in the binary.
//!
//! Path parameters are named as in the API (`{case}`, `{version}`, `{party}`), since
//! routes sharing a prefix must name a segment alike.

mod accounts;
mod elicit;
mod ingest;
mod mediator;
mod party;
mod record;

use std::fmt::Write as _;

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRef, FromRequestParts, Path, Query, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue, REFERRER_POLICY, SET_COOKIE,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, middleware};
use serde::Deserialize;
use tower_governor::GovernorError;

use crate::AppState;
use crate::access::Standing;
use crate::auth::{self, LoginRequest, SESSION_COOKIE, Viewer};
use crate::error::ApiError;
use crate::json::Body;

/// htmx 2.0.11 (`scripts/sync-htmx.sh` refreshes it from npm).
const HTMX: &[u8] = include_bytes!("../../static/htmx.min.js");
/// The one stylesheet.
const STYLE: &str = include_str!("../../static/style.css");
const ELICIT_JS: &[u8] = include_bytes!("../../static/elicit.js");
/// How long browsers may keep the static files.
const STATIC_CACHE: &str = "public, max-age=86400";
/// Scripts from this server only (htmx); styles too, plus the inline `style` attributes of
/// SVG plots; no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; \
                   base-uri 'none'";

/// Every page route, except the rate-limited `POST /login` ([`login_routes`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form))
        .route("/logout", post(logout))
        .route("/", get(home))
        .route("/cases/{case}", get(case_page))
        .route("/static/htmx.min.js", get(htmx))
        .route("/static/style.css", get(style))
        .route("/static/elicit.js", get(elicit_js))
        .merge(elicit::routes())
        .merge(ingest::routes())
        .merge(party::routes())
        .merge(mediator::routes())
        .merge(accounts::routes())
        .merge(record::routes())
        .layer(middleware::map_response(page_headers))
}

/// `POST /login`, to be wrapped in the login rate limit.
pub(crate) fn login_routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .layer(middleware::map_response(page_headers))
}

/// The answer to a login beyond the rate limit: the login form with the reason.
pub(crate) fn too_many_logins(error: GovernorError) -> Response {
    let message = match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            let wait = crate::limits::login_wait(wait_time);
            format!("too many login attempts; try again in {wait} s")
        }
        other => return ApiError::internal(format!("{other:?}")).into_response(),
    };
    let page = LoginPage {
        layout: Layout::anonymous("Log in"),
        username: String::new(),
        error: Some(message),
    };
    render(StatusCode::TOO_MANY_REQUESTS, &page)
}

/// Headers on every page: no caching of confidential pages, a content security policy,
/// no sniffing, no framing.
async fn page_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

// ---------------------------------------------------------------------------------------
// The session of a page.

/// The logged-in account behind a page request; without a session, a redirect to the
/// login page instead of a JSON 401.
#[derive(Debug, Clone)]
pub(crate) struct Page(pub(crate) Viewer);

impl<S> FromRequestParts<S> for Page
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Viewer::from_request_parts(parts, state).await {
            Ok(viewer) => Ok(Self(viewer)),
            Err(error) if error.status() == StatusCode::UNAUTHORIZED => {
                Err(Redirect::to("/login").into_response())
            }
            Err(error) => Err(error_page(&error)),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Shared pieces of every page.

/// What `base.html` shows around a page: its title, who is logged in, the case it belongs
/// to, and a notice (e.g. "saved"). Every page template has a `layout: Layout` field.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The page's title (the `<title>` adds "accord").
    pub(crate) title: String,
    /// The account logged in (none on the login page and error pages).
    pub(crate) user: Option<UserBadge>,
    /// The case the page belongs to, linked in the header.
    pub(crate) case: Option<CaseLink>,
    /// A short message on what just happened, shown in a status region.
    pub(crate) notice: Option<String>,
}

/// The account logged in, as the header shows it.
#[derive(Debug, Clone)]
pub(crate) struct UserBadge {
    /// Login name.
    pub(crate) username: String,
    /// `mediator`, `party` or `observer`.
    pub(crate) role: String,
    /// A party member's party.
    pub(crate) party: Option<String>,
}

/// A link to a case.
#[derive(Debug, Clone)]
pub(crate) struct CaseLink {
    /// `/cases/{case}`.
    pub(crate) href: String,
    /// The case's name.
    pub(crate) name: String,
}

impl Layout {
    /// The layout of a page seen by `page`'s account.
    pub(crate) fn new(title: impl Into<String>, page: &Page) -> Self {
        let account = &page.0.account;
        Self {
            title: title.into(),
            user: Some(UserBadge {
                username: account.username.clone(),
                role: account.role.as_str().to_string(),
                party: account.party_id.clone(),
            }),
            case: None,
            notice: None,
        }
    }

    /// The layout of a page without a session.
    pub(crate) fn anonymous(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            user: None,
            case: None,
            notice: None,
        }
    }

    /// The same layout, within a case.
    #[must_use]
    pub(crate) fn in_case(mut self, case_id: &str, name: &str) -> Self {
        self.case = Some(CaseLink {
            href: case_href(case_id),
            name: name.to_string(),
        });
        self
    }

    /// The same layout with a notice.
    #[must_use]
    pub(crate) fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice.map(|n| prose(&n));
        self
    }
}

/// A message of the API as a page says it: the API's `code` quotes (backticks) become
/// typographic quotes, as in every other text people read.
pub(crate) fn prose(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut open = false;
    for c in message.chars() {
        if c == '`' {
            out.push(if open { '\u{201d}' } else { '\u{201c}' });
            open = !open;
        } else {
            out.push(c);
        }
    }
    out
}

/// A template rendered as a page with a status; a template that fails to render is a 500.
pub(crate) fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => error_page(&ApiError::internal(format!(
            "a page failed to render: {error}"
        ))),
    }
}

/// The error page's template: `base.html` with the status and the message.
#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% extends "base.html" %}
{% block content %}
<h1>{{ status }} {{ reason }}</h1>
<p class="error-message">{{ message }}{% if let Some(field) = field %} (field <code>{{ field }}</code>){% endif %}</p>
<p><a href="/">Back to your cases</a></p>
{% endblock %}"#
)]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    reason: &'a str,
    message: &'a str,
    field: Option<&'a str>,
}

/// An error shown as a page: the status, and the message in plain HTML.
pub(crate) fn error_page(error: &ApiError) -> Response {
    let status = error.status();
    let reason = status.canonical_reason().unwrap_or("Error");
    let message = prose(error.message());
    let page = ErrorPage {
        layout: Layout::anonymous(reason),
        status: status.as_u16(),
        reason,
        message: &message,
        field: error.field(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        // The error page itself failed: plain text, never a loop.
        Err(_) => (status, error.message().to_string()).into_response(),
    }
}

/// A 303 to `location` (after a form was posted).
pub(crate) fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

/// The error of a form that did not parse.
pub(crate) fn form_error(rejection: &FormRejection) -> ApiError {
    ApiError::bad_request(format!("the form did not read: {}", rejection.body_text()))
}

/// A path segment, percent-encoded (ids may hold any character but `/` and spaces).
pub(crate) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The page of a case.
pub(crate) fn case_href(case_id: &str) -> String {
    format!("/cases/{}", segment(case_id))
}

/// A time (milliseconds since the epoch) as `YYYY-MM-DD HH:MM UTC`.
pub(crate) fn when(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        of_day / 3600,
        of_day % 3600 / 60
    )
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A utility or share with `digits` decimals.
pub(crate) fn decimal(value: f64, digits: usize) -> String {
    format!("{value:.digits$}")
}

// ---------------------------------------------------------------------------------------
// Login and logout.

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    error: Option<String>,
}

/// The login form; an account already logged in goes to its cases.
async fn login_form(viewer: Result<Viewer, ApiError>) -> Response {
    if viewer.is_ok() {
        return see_other("/");
    }
    let page = LoginPage {
        layout: Layout::anonymous("Log in"),
        username: String::new(),
        error: None,
    };
    render(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// Logs in through the API's login: sets the session cookie and goes to `/`, or shows
/// the form again with the error.
async fn login(
    State(state): State<AppState>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    let username = form.username.trim().to_string();
    let request = LoginRequest {
        username: username.clone(),
        password: form.password,
    };
    let secure = cookie_secure(&state);
    match auth::login(State(state), Body(request)).await {
        Ok(axum::Json(session)) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/{secure}",
                session.token
            );
            let mut response = see_other("/");
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(SET_COOKIE, value);
            }
            response
        }
        Err(error) => {
            let page = LoginPage {
                layout: Layout::anonymous("Log in"),
                username,
                error: Some(error.message().to_string()),
            };
            render(error.status(), &page)
        }
    }
}

/// The cookie attribute that keeps it to HTTPS, where the server is set so.
fn cookie_secure(state: &AppState) -> &'static str {
    if state.settings().secure_cookies {
        "; Secure"
    } else {
        ""
    }
}

/// Revokes the session (if any), clears the cookie and goes to the login page.
async fn logout(State(state): State<AppState>, viewer: Result<Viewer, ApiError>) -> Response {
    let secure = cookie_secure(&state);
    if let Ok(viewer) = viewer
        && let Err(error) = auth::logout(State(state), viewer).await
    {
        return error_page(&error);
    }
    let mut response = see_other("/login");
    let cookie = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

// ---------------------------------------------------------------------------------------
// The case list and the case page.

/// A case in the list.
struct CaseEntry {
    href: String,
    name: String,
    description: String,
    created: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    layout: Layout,
    cases: Vec<CaseEntry>,
}

/// The cases the account may see.
async fn home(State(state): State<AppState>, page: Page) -> Response {
    let cases = match crate::cases::list_cases(State(state), page.0.clone()).await {
        Ok(axum::Json(cases)) => cases,
        Err(error) => return error_page(&error),
    };
    let cases = cases
        .into_iter()
        .map(|case| CaseEntry {
            href: case_href(&case.id),
            name: case.name,
            description: case.description,
            created: when(case.created_ms),
        })
        .collect();
    let page = CasesPage {
        layout: Layout::new("Cases", &page),
        cases,
    };
    render(StatusCode::OK, &page)
}

/// A case: the mediator's dashboard, a party member's view or an observer's view.
async fn case_page(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    uri: Uri,
) -> Response {
    let standing = match page.0.standing(&state.store, &case_id).await {
        Ok((_, standing)) => standing,
        Err(error) => return error_page(&error),
    };
    match standing {
        Standing::Mediator => match Query::<mediator::DashboardQuery>::try_from_uri(&uri) {
            Ok(Query(query)) => mediator::dashboard(&state, &page, &case_id, query).await,
            Err(rejection) => error_page(&ApiError::bad_request(rejection.body_text())),
        },
        Standing::Member(party) => party::party_view(&state, &page, &case_id, &party, &uri).await,
        Standing::Observer => party::observer_view(&state, &page, &case_id).await,
    }
}

// ---------------------------------------------------------------------------------------
// Static files.

async fn htmx() -> Response {
    static_file("text/javascript; charset=utf-8", HTMX)
}

async fn elicit_js() -> Response {
    static_file("text/javascript; charset=utf-8", ELICIT_JS)
}

async fn style() -> Response {
    static_file("text/css; charset=utf-8", STYLE.as_bytes())
}

fn static_file(content_type: &'static str, bytes: &'static [u8]) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CACHE_CONTROL, HeaderValue::from_static(STATIC_CACHE)),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ms: i64, expected: &str) {
        assert_eq!(when(ms), expected);
    }

    #[test]
    fn times_read_as_utc_dates() {
        check(0, "1970-01-01 00:00 UTC");
        check(951_782_400_000, "2000-02-29 00:00 UTC");
        check(1_764_201_600_000 + 3_723_000, "2025-11-27 01:02 UTC");
        check(-86_400_000, "1969-12-31 00:00 UTC");
    }

    #[test]
    fn code_quotes_become_typographic_quotes() {
        assert_eq!(
            prose("`x` is not a number; use `1`"),
            "\u{201c}x\u{201d} is not a number; use \u{201c}1\u{201d}"
        );
        assert_eq!(prose("no quotes"), "no quotes");
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(segment("army-cap"), "army-cap");
        assert_eq!(segment("a b/c%"), "a%20b%2Fc%25");
    }
}
