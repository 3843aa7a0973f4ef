//! The committed inputs of the `server_json` libFuzzer target (`fuzz/fuzz_targets/`), through
//! the router over SQLite: its seeds (`fuzz/seeds/server_json`) and the minimised inputs of
//! what it found (`fuzz/regressions/server_json`). The first byte of an input chooses the
//! route, the rest is the JSON body; every answer must be below 500, and the seeds must
//! include successes, so that the replay reaches past the body parser.

mod common;

#[path = "../../../fuzz/server_routes.rs"]
#[allow(
    dead_code,
    unreachable_pub,
    reason = "shared with the fuzz target, which uses every item"
)]
mod server_routes;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use common::{App, LABOUR};
use server_routes::{MEMBER, OBSERVER, Targets, Who};

/// The fixture of the fuzz target: the labour-contract example with its first draft tabled,
/// a member of `union`, an observer, one channel and one meeting with one statement.
struct Fixture {
    app: App,
    member: String,
    observer: String,
    observer_id: String,
    case: String,
    version: i64,
    channel: String,
    meeting: String,
    sent: u32,
}

impl Fixture {
    async fn build() -> Self {
        let app = App::sqlite().await;
        let case = app.import(LABOUR).await;
        let drafts = app
            .get(&format!("/api/cases/{case}/drafts"), &app.mediator)
            .await;
        let version = drafts.body[0]["version"].as_i64().expect("draft version");
        let tabled = app
            .post(
                &format!("/api/cases/{case}/drafts/{version}/table"),
                &app.mediator,
                &Value::Null,
            )
            .await;
        assert_eq!(tabled.status, StatusCode::OK, "{:?}", tabled.body);
        let member = app
            .account(MEMBER.0, "party", Some(&case), Some("union"))
            .await;
        let observer = app.account(OBSERVER.0, "observer", None, None).await;
        let me = app.get("/api/me", &observer).await;
        let observer_id = me.body["id"].as_str().expect("account id").to_string();
        let channel = app
            .post(
                &format!("/api/cases/{case}/channels"),
                &app.mediator,
                &json!({ "name": "Union-Employer", "parties": ["union", "employer"] }),
            )
            .await;
        assert_eq!(channel.status, StatusCode::CREATED, "{:?}", channel.body);
        let meeting = app
            .post(
                &format!("/api/cases/{case}/meetings"),
                &app.mediator,
                &json!({ "channel": channel.body["id"], "date": "2026-12-06",
                         "summary": "first round" }),
            )
            .await;
        assert_eq!(meeting.status, StatusCode::CREATED, "{:?}", meeting.body);
        let statement = app
            .post(
                &format!(
                    "/api/cases/{case}/meetings/{}/statements",
                    meeting.body["id"].as_str().expect("meeting id")
                ),
                &app.mediator,
                &json!({ "speaker": "Union delegate", "quote": "we are here to listen" }),
            )
            .await;
        assert_eq!(
            statement.status,
            StatusCode::CREATED,
            "{:?}",
            statement.body
        );
        Self {
            app,
            member,
            observer,
            observer_id,
            case,
            version,
            channel: channel.body["id"].as_str().expect("channel id").to_string(),
            meeting: meeting.body["id"].as_str().expect("meeting id").to_string(),
            sent: 0,
        }
    }

    /// Sends one input as the fuzz target does (each from a client address of its own, as
    /// the login limit is per address); returns the route, the path and the status.
    async fn send(&mut self, data: &[u8]) -> Option<(bool, String, StatusCode, Value)> {
        let (route, body) = server_routes::split(data)?;
        let path = route.path(&Targets {
            case: &self.case,
            version: self.version,
            channel: &self.channel,
            meeting: &self.meeting,
            account: &self.observer_id,
        });
        let token = match route.who {
            Who::Nobody => None,
            Who::Mediator => Some(&self.app.mediator),
            Who::Member => Some(&self.member),
            Who::Observer => Some(&self.observer),
        };
        self.sent += 1;
        let mut request = Request::builder()
            .method(route.method.clone())
            .uri(&path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let mut request = request.body(Body::from(body.to_vec())).expect("request");
        let address = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | self.sent));
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(address, 40_000)));
        let answer = self.app.send_raw(request).await;
        assert!(
            answer.status.as_u16() < 500,
            "{} {path} answered {}: {:?}",
            route.method,
            answer.status,
            answer.body
        );
        Some((route.damages, path, answer.status, answer.body))
    }
}

/// `fuzz/seeds/server_json` and `fuzz/regressions/server_json`, sorted by name.
fn inputs() -> Vec<(String, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut inputs = Vec::new();
    for folder in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(folder).join("server_json")) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .map(|entry| entry.expect("folder entry").path())
            .filter(|path| path.is_file() && path.extension().is_none_or(|e| e != "md"))
            .collect();
        paths.sort();
        for path in paths {
            let bytes =
                std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            let name = path.file_name().expect("a file name").to_string_lossy();
            inputs.push((format!("fuzz/{folder}/server_json/{name}"), bytes));
        }
    }
    inputs
}

#[tokio::test]
async fn libfuzzer_seeds_and_regressions_answer_below_500() {
    let inputs = inputs();
    assert!(!inputs.is_empty(), "fuzz/seeds/server_json has no inputs");
    let mut fixture = Fixture::build().await;
    let mut successes = 0;
    for (name, bytes) in &inputs {
        let Some((damages, path, status, body)) = fixture.send(bytes).await else {
            continue;
        };
        eprintln!("{name}: {path} {status} {}", body["error"]);
        if status.is_success() {
            successes += 1;
            // As in the fuzz target: an input that may have changed the fixture's own
            // objects is followed by a fresh fixture.
            if damages {
                fixture = Fixture::build().await;
            }
        }
    }
    assert!(
        successes > 0,
        "none of the {} inputs succeeded",
        inputs.len()
    );
}
