//! The routes of the `server_json` fuzz target, by an input's first byte: shared by the
//! target and by the server's replay test (`crates/accord-server/tests/fuzz_replay.rs`), so
//! that a saved input means the same request in both.

use axum::http::Method;

/// Who sends a route's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Nobody is logged in (the login route).
    Nobody,
    /// The mediator.
    Mediator,
    /// A member of the party `union`.
    Member,
    /// An observer, whose own password the password route changes.
    Observer,
}

/// A route with a JSON body.
pub struct Route {
    /// Its method.
    pub method: Method,
    /// Its path; `{case}`, `{version}`, `{channel}`, `{meeting}` and `{account}` stand for
    /// the fixture's case, tabled draft, channel, meeting and observer account; the
    /// fixture's meeting has a statement 1.
    pub path: &'static str,
    /// Who sends it.
    pub who: Who,
    /// Whether a success may take away part of the fixture (rename the point `wage` or
    /// the party `union`, change an account or a password).
    pub damages: bool,
}

const fn route(method: Method, path: &'static str, who: Who, damages: bool) -> Route {
    Route {
        method,
        path,
        who,
        damages,
    }
}

/// The routes, chosen by the input's first byte modulo their number.
pub static ROUTES: [Route; 19] = [
    route(Method::POST, "/api/cases", Who::Mediator, false),
    route(Method::PATCH, "/api/cases/{case}", Who::Mediator, false),
    route(
        Method::POST,
        "/api/cases/{case}/points",
        Who::Mediator,
        false,
    ),
    route(
        Method::PUT,
        "/api/cases/{case}/points/wage",
        Who::Mediator,
        true,
    ),
    route(
        Method::POST,
        "/api/cases/{case}/parties",
        Who::Mediator,
        false,
    ),
    route(
        Method::PUT,
        "/api/cases/{case}/parties/union",
        Who::Mediator,
        true,
    ),
    route(
        Method::PUT,
        "/api/cases/{case}/parties/union/position",
        Who::Mediator,
        false,
    ),
    route(
        Method::POST,
        "/api/cases/{case}/drafts",
        Who::Mediator,
        false,
    ),
    route(
        Method::PUT,
        "/api/cases/{case}/drafts/{version}/responses/union",
        Who::Member,
        false,
    ),
    route(
        Method::POST,
        "/api/cases/{case}/channels",
        Who::Mediator,
        false,
    ),
    route(
        Method::POST,
        "/api/cases/{case}/meetings",
        Who::Mediator,
        false,
    ),
    route(
        Method::POST,
        "/api/cases/{case}/meetings/{meeting}/statements",
        Who::Mediator,
        false,
    ),
    route(Method::POST, "/api/login", Who::Nobody, false),
    route(Method::POST, "/api/accounts", Who::Mediator, false),
    route(
        Method::PATCH,
        "/api/accounts/{account}",
        Who::Mediator,
        true,
    ),
    route(Method::PUT, "/api/me/password", Who::Observer, true),
    route(
        Method::PATCH,
        "/api/cases/{case}/channels/{channel}",
        Who::Mediator,
        false,
    ),
    route(
        Method::PATCH,
        "/api/cases/{case}/meetings/{meeting}",
        Who::Mediator,
        false,
    ),
    route(
        Method::PATCH,
        "/api/cases/{case}/meetings/{meeting}/statements/1",
        Who::Mediator,
        false,
    ),
];

/// What the routes' paths refer to.
pub struct Targets<'a> {
    /// The case id.
    pub case: &'a str,
    /// The tabled draft's version.
    pub version: i64,
    /// The channel id.
    pub channel: &'a str,
    /// The meeting id.
    pub meeting: &'a str,
    /// The observer's account id.
    pub account: &'a str,
}

/// An input's route and body; `None` for an empty input.
pub fn split(data: &[u8]) -> Option<(&'static Route, &[u8])> {
    let (&which, body) = data.split_first()?;
    Some((&ROUTES[usize::from(which) % ROUTES.len()], body))
}

impl Route {
    /// The path with the fixture's ids in it.
    pub fn path(&self, targets: &Targets<'_>) -> String {
        self.path
            .replace("{case}", targets.case)
            .replace("{version}", &targets.version.to_string())
            .replace("{channel}", targets.channel)
            .replace("{meeting}", targets.meeting)
            .replace("{account}", targets.account)
    }
}

/// The fixture both build: the labour-contract example, whose first draft is tabled; a
/// member of `union` and an observer (with these passwords); one channel and one meeting
/// with one statement.
pub const MEMBER: (&str, &str) = ("union-member", "union-member-password");
/// The observer's username and password.
pub const OBSERVER: (&str, &str) = ("observer", "observer-password");
