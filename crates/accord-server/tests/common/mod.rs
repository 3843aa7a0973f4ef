//! A client for the server's tests: the whole router, driven without a socket, on every
//! backend the environment offers (SQLite always, PostgreSQL with
//! `ACCORD_TEST_DATABASE_URL`).
#![allow(dead_code, unreachable_pub)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use accord_server::auth::{NewAccount, create_account};
use accord_server::{AppState, Settings, router};
use accord_store::testing::{self, Scratch};

/// The peace-framework example, the case most tests load.
pub const PEACE: &str = include_str!("../../../../examples/peace-framework.toml");
/// The labour-contract example: two parties, small.
pub const LABOUR: &str = include_str!("../../../../examples/labour-contract.toml");
/// The union's elicitation answers for the labour example.
pub const LABOUR_ANSWERS: &str = include_str!("../../../../examples/labour-answers.toml");

/// The union's example answers as the API takes them.
pub fn labour_answers() -> Value {
    use accord_formats::answers::{answers_json, read_answers};
    use accord_formats::case_file::{CaseFormat, read_case};
    let case = read_case("labour", LABOUR, CaseFormat::Toml).expect("the example reads");
    let (answers, _) = read_answers("answers", LABOUR_ANSWERS, CaseFormat::Toml, &case)
        .expect("the example answers read");
    answers_json(&case, &answers)
}

/// A router over a scratch store, with a mediator logged in.
pub struct App {
    pub router: Router,
    pub state: AppState,
    /// The mediator's token.
    pub mediator: String,
    pub scratch: Scratch,
}

/// An answer: its status and JSON body (`Value::Null` when empty, a string when not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl App {
    /// One app per backend: SQLite, and PostgreSQL when configured.
    pub async fn all() -> Vec<Self> {
        Self::all_with(&Settings::default()).await
    }

    /// One app per backend, with these limits.
    pub async fn all_with(settings: &Settings) -> Vec<Self> {
        let mut apps = Vec::new();
        for scratch in testing::all().await.expect("scratch databases") {
            apps.push(Self::on(scratch, settings).await);
        }
        apps
    }

    /// An app on SQLite only.
    pub async fn sqlite() -> Self {
        Self::on(
            testing::sqlite().await.expect("scratch SQLite"),
            &Settings::default(),
        )
        .await
    }

    async fn on(scratch: Scratch, settings: &Settings) -> Self {
        let state = AppState::with_settings(scratch.store.clone(), settings.clone());
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
        let router = router(state.clone());
        let mut app = Self {
            router,
            state,
            mediator: String::new(),
            scratch,
        };
        app.mediator = app.login("mediator", "mediator-password").await;
        app
    }

    /// Which backend this app runs on, for assertion messages.
    pub fn backend(&self) -> String {
        format!("{:?}", self.state.store.backend())
    }

    /// Sends a request; `token` logs it in, `body` is sent as JSON.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .expect("request");
        self.send_raw(request).await
    }

    /// Sends a request built by the caller.
    pub async fn send_raw(&self, request: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible router");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// Logs in and returns the token; panics unless it succeeds.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let answer = self
            .send(
                Method::POST,
                "/api/login",
                None,
                Some(&json!({ "username": username, "password": password })),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "login {username}: {:?}",
            answer.body
        );
        answer.body["token"].as_str().expect("token").to_string()
    }

    /// Imports a TOML case file as the mediator; returns the case id.
    pub async fn import(&self, text: &str) -> String {
        let answer = self
            .post(
                "/api/cases",
                &self.mediator,
                &json!({ "format": "toml", "text": text }),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::CREATED,
            "{}: {:?}",
            self.backend(),
            answer.body
        );
        answer.body["id"].as_str().expect("case id").to_string()
    }

    /// Creates an account (as the mediator) and logs it in; returns its token.
    pub async fn account(
        &self,
        username: &str,
        role: &str,
        case: Option<&str>,
        party: Option<&str>,
    ) -> String {
        let password = format!("{username}-password");
        let answer = self
            .post(
                "/api/accounts",
                &self.mediator,
                &json!({ "username": username, "role": role, "case": case, "party": party,
                         "password": password }),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::CREATED,
            "create {username}: {:?}",
            answer.body
        );
        self.login(username, &password).await
    }

    /// Sends a page request with the session cookie of `token` (if any) and a form body
    /// (if any), as a browser does.
    pub async fn page(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        form: Option<&[(&str, &str)]>,
    ) -> PageReply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::COOKIE, format!("accord_session={token}"));
        }
        let request = match form {
            Some(fields) => request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form_encode(fields))),
            None => request.body(Body::empty()),
        }
        .expect("request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible router");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        PageReply {
            status,
            location: headers
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// A page's answer: status, headers and HTML.
#[derive(Debug)]
pub struct PageReply {
    pub status: StatusCode,
    /// Where a redirect points.
    pub location: Option<String>,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl PageReply {
    /// Where a redirect points (empty when it is none).
    pub fn location(&self) -> &str {
        self.location.as_deref().unwrap_or_default()
    }
}

/// A form body, `application/x-www-form-urlencoded`.
pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
