//! The server's JSON request bodies, through the whole router over a scratch SQLite store.
//!
//! The first byte of the input chooses a route that takes a JSON body (`server_routes.rs`,
//! shared with the server's replay test); the rest
//! is the body, sent with `Content-Type: application/json` and the bearer token of the
//! account the route is meant for. Any 4xx is the expected answer to garbage and any 2xx is
//! fine; a status of 500 or more (or a panic) is a finding.
//!
//! The fixture (an app with a mediator, a member of the union, an observer, the
//! labour-contract example imported with its first draft tabled, one channel and one
//! meeting with one statement) is built once, and built anew every [`REBUILD_EVERY`] inputs, so that imported
//! cases, accounts and the login limiter's per-address state do not pile up without
//! bound; and right after a request that may have taken away one of the fixture's own
//! objects (a point or party renamed, an account changed, a password changed), so that
//! the next inputs find the fixture whole.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Mutex, OnceLock, PoisonError};

use accord_server::auth::{NewAccount, create_account};
use accord_server::{AppState, router};
use accord_store::testing::{self, Scratch};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use tower::ServiceExt as _;

#[path = "../server_routes.rs"]
mod server_routes;
use server_routes::{MEMBER, OBSERVER, Targets, Who};

const LABOUR: &str = include_str!("../../examples/labour-contract.toml");

/// Inputs between two rebuilds of the fixture.
const REBUILD_EVERY: u64 = 5_000;

/// The app and what the routes refer to.
struct Fixture {
    router: Router,
    store: accord_store::Store,
    /// Holds the SQLite file; removing it when the fixture is replaced.
    _scratch: Scratch,
    mediator: String,
    member: String,
    observer: String,
    observer_id: String,
    case: String,
    version: i64,
    channel: String,
    meeting: String,
    /// Requests sent, which also numbers their client addresses.
    sent: u64,
}

impl Fixture {
    async fn build() -> Self {
        let scratch = testing::sqlite().await.expect("scratch SQLite");
        let state = AppState::new(scratch.store.clone());
        create_account(
            &state,
            None,
            NewAccount {
                username: "mediator".into(),
                role: "mediator".into(),
                case: None,
                party: None,
                password: Some("mediator-password".into()),
            },
        )
        .await
        .expect("first mediator");
        let mut fixture = Self {
            store: scratch.store.clone(),
            router: router(state),
            _scratch: scratch,
            mediator: String::new(),
            member: String::new(),
            observer: String::new(),
            observer_id: String::new(),
            case: String::new(),
            version: 0,
            channel: String::new(),
            meeting: String::new(),
            sent: 0,
        };
        fixture.mediator = fixture.login("mediator", "mediator-password").await;
        let imported = fixture
            .expect(
                Method::POST,
                "/api/cases",
                &json!({ "format": "toml", "text": LABOUR }),
                StatusCode::CREATED,
            )
            .await;
        fixture.case = imported["id"].as_str().expect("case id").to_string();
        let drafts = fixture
            .call(
                Method::GET,
                &format!("/api/cases/{}/drafts", fixture.case),
                Some(&fixture.mediator.clone()),
                None,
            )
            .await;
        fixture.version = drafts.1[0]["version"].as_i64().expect("draft version");
        fixture
            .expect(
                Method::POST,
                &format!(
                    "/api/cases/{}/drafts/{}/table",
                    fixture.case, fixture.version
                ),
                &Value::Null,
                StatusCode::OK,
            )
            .await;
        let case = fixture.case.clone();
        fixture
            .expect(
                Method::POST,
                "/api/accounts",
                &json!({ "username": MEMBER.0, "role": "party", "case": case,
                         "party": "union", "password": MEMBER.1 }),
                StatusCode::CREATED,
            )
            .await;
        fixture.member = fixture.login(MEMBER.0, MEMBER.1).await;
        let observer = fixture
            .expect(
                Method::POST,
                "/api/accounts",
                &json!({ "username": OBSERVER.0, "role": "observer", "password": OBSERVER.1 }),
                StatusCode::CREATED,
            )
            .await;
        fixture.observer_id = observer["account"]["id"]
            .as_str()
            .expect("account id")
            .to_string();
        fixture.observer = fixture.login(OBSERVER.0, OBSERVER.1).await;
        let channel = fixture
            .expect(
                Method::POST,
                &format!("/api/cases/{case}/channels"),
                &json!({ "name": "Union-Employer", "parties": ["union", "employer"] }),
                StatusCode::CREATED,
            )
            .await;
        fixture.channel = channel["id"].as_str().expect("channel id").to_string();
        let meeting = fixture
            .expect(
                Method::POST,
                &format!("/api/cases/{case}/meetings"),
                &json!({ "channel": fixture.channel, "date": "2026-12-06", "summary": "first round" }),
                StatusCode::CREATED,
            )
            .await;
        fixture.meeting = meeting["id"].as_str().expect("meeting id").to_string();
        let meeting = fixture.meeting.clone();
        fixture
            .expect(
                Method::POST,
                &format!("/api/cases/{case}/meetings/{meeting}/statements"),
                &json!({ "speaker": "Union delegate", "quote": "we are here to listen" }),
                StatusCode::CREATED,
            )
            .await;
        fixture
    }

    /// Sends a request from a client address of its own (so that the login limiter, keyed
    /// by address, lets fuzzed logins reach the handler); returns the status and the body
    /// (JSON, or `Null`).
    async fn call(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> (StatusCode, Value) {
        self.sent += 1;
        let address = IpAddr::V4(Ipv4Addr::from(
            0x0a00_0000 | (self.sent as u32 & 0x00ff_ffff),
        ));
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let mut request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body)),
            None => request.body(Body::empty()),
        }
        .expect("request");
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(address, 40_000)));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible router");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("the body of an answer")
            .to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A setup request as the mediator, which must answer `status`.
    async fn expect(
        &mut self,
        method: Method,
        path: &str,
        body: &Value,
        status: StatusCode,
    ) -> Value {
        let token = self.mediator.clone();
        let body = (!body.is_null()).then(|| body.to_string().into_bytes());
        let answer = self.call(method, path, Some(&token), body).await;
        assert_eq!(answer.0, status, "fixture {path}: {:?}", answer.1);
        answer.1
    }

    async fn login(&mut self, username: &str, password: &str) -> String {
        let body = json!({ "username": username, "password": password });
        let (status, answer) = self
            .call(
                Method::POST,
                "/api/login",
                None,
                Some(body.to_string().into_bytes()),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "fixture login {username}: {answer:?}"
        );
        answer["token"].as_str().expect("token").to_string()
    }

    /// Closes the store's connections before the SQLite file goes.
    async fn close(self) {
        self.store.close().await;
    }

    /// Sends one fuzz input; returns whether the fixture must be rebuilt.
    async fn send(&mut self, data: &[u8]) -> bool {
        let Some((route, body)) = server_routes::split(data) else {
            return false;
        };
        let path = route.path(&Targets {
            case: &self.case,
            version: self.version,
            channel: &self.channel,
            meeting: &self.meeting,
            account: &self.observer_id,
        });
        let token = match route.who {
            Who::Nobody => None,
            Who::Mediator => Some(self.mediator.clone()),
            Who::Member => Some(self.member.clone()),
            Who::Observer => Some(self.observer.clone()),
        };
        let (status, answer) = self
            .call(
                route.method.clone(),
                &path,
                token.as_deref(),
                Some(body.to_vec()),
            )
            .await;
        assert!(
            status.as_u16() < 500,
            "{} {path} answered {status}: {answer}",
            route.method
        );
        route.damages && status.is_success()
    }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    fixture: Mutex<Option<Fixture>>,
    inputs: Mutex<u64>,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| Harness {
        runtime: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime"),
        fixture: Mutex::new(None),
        inputs: Mutex::new(0),
    })
}

fuzz_target!(|data: &[u8]| {
    let harness = harness();
    let mut inputs = harness
        .inputs
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let mut fixture = harness
        .fixture
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    *inputs += 1;
    let rebuild = *inputs % REBUILD_EVERY == 0;
    harness.runtime.block_on(async {
        if rebuild && let Some(old) = fixture.take() {
            old.close().await;
        }
        let current = match fixture.as_mut() {
            Some(current) => current,
            None => fixture.insert(Fixture::build().await),
        };
        if current.send(data).await
            && let Some(old) = fixture.take()
        {
            old.close().await;
        }
    });
});
