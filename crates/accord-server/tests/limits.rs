//! The server's limits: an analysis over its time is stopped and answered in words (once
//! per state of the case), heavy work is bounded per account, failed logins and password
//! changes are throttled per account, the cookie can be `Secure`, and stalled or idle
//! connections are closed.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use accord_server::Settings;
use common::{App, LABOUR, PEACE, labour_answers};

fn settings(analysis_time: Duration, analyses_per_account: usize) -> Settings {
    Settings {
        analysis_time,
        analyses_per_account,
        ..Settings::default()
    }
}

#[tokio::test]
async fn an_analysis_over_its_time_is_stopped_and_answered_too_large_once_per_state_of_the_case() {
    for app in App::all_with(&settings(Duration::from_millis(5), 2)).await {
        let backend = app.backend();
        let case = app.import(PEACE).await;
        let path = format!("/api/cases/{case}/analysis");
        let stopped = app.get(&path, &app.mediator).await;
        assert_eq!(
            stopped.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {:?}",
            stopped.body
        );
        assert_eq!(stopped.body["error"]["code"], "too_large", "{backend}");
        let message = stopped.body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("the analysis took longer than 0.005 s and was stopped"),
            "{backend}: {message}"
        );
        // Asked again for the same state of the case: the same answer, not a new run.
        let again = app.get(&path, &app.mediator).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(again.body, stopped.body, "{backend}");

        // A party member's own view is bounded the same way, in its own words.
        let member = app
            .account("kyiv", "party", Some(&case), Some("ukraine"))
            .await;
        let own = app.get(&path, &member).await;
        if own.status != StatusCode::OK {
            assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
            assert!(
                own.body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("your analysis took longer than"),
                "{backend}: {:?}",
                own.body
            );
        }
    }
}

#[tokio::test]
async fn the_mediators_panel_says_why_there_is_no_analysis() {
    let stopped = App::all_with(&settings(Duration::from_millis(5), 2))
        .await
        .remove(0);
    let case = stopped.import(PEACE).await;
    let request = Request::builder()
        .uri(format!("/cases/{case}/analysis-panel"))
        .header(
            header::COOKIE,
            format!("accord_session={}", stopped.mediator),
        )
        .header("hx-request", "true")
        .body(Body::empty())
        .unwrap();
    let panel = stopped.send_raw(request).await;
    // htmx swaps in successful answers only: the reason comes as one.
    assert_eq!(panel.status, StatusCode::OK);
    let text = panel.body.as_str().unwrap();
    assert!(
        text.contains("No analysis: the analysis took longer than 0.005 s"),
        "{text}"
    );
}

#[tokio::test]
async fn one_account_may_have_only_so_many_analyses_going() {
    for app in App::all_with(&settings(Duration::from_mins(10), 1)).await {
        let backend = app.backend();
        let mut paths = Vec::new();
        for _ in 0..3 {
            let case = app.import(PEACE).await;
            paths.push(format!("/api/cases/{case}/analysis"));
        }
        // Three cases at once from one account: the first runs (about a second), the
        // others come while it does. (Requests for one case share its one analysis and
        // are not refused: `races.rs`.)
        let (a, b, c) = tokio::join!(
            app.get(&paths[0], &app.mediator),
            app.get(&paths[1], &app.mediator),
            app.get(&paths[2], &app.mediator)
        );
        let answers = [a, b, c];
        let ok = answers
            .iter()
            .filter(|a| a.status == StatusCode::OK)
            .count();
        let refused: Vec<_> = answers
            .iter()
            .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
            .collect();
        assert_eq!(ok + refused.len(), 3, "{backend}: {answers:?}");
        assert!(ok >= 1 && !refused.is_empty(), "{backend}: {answers:?}");
        for answer in refused {
            assert_eq!(answer.body["error"]["code"], "too_many_requests");
            assert!(
                answer.headers.contains_key(header::RETRY_AFTER),
                "{backend}"
            );
        }
        // Another account is not held back by this one's share.
        let other = app.account("second", "mediator", None, None).await;
        assert_eq!(app.get(&paths[2], &other).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn fitting_answers_and_the_tallys_proposals_count_in_the_accounts_share_of_heavy_work() {
    for app in App::all_with(&settings(Duration::from_mins(10), 1)).await {
        let backend = app.backend();
        let peace = app.import(PEACE).await;
        let labour = app.import(LABOUR).await;
        let table = format!("/api/cases/{labour}/drafts/1/table");
        let tabled = app
            .send(Method::POST, &table, Some(&app.mediator), None)
            .await;
        assert_eq!(
            tabled.status,
            StatusCode::OK,
            "{backend}: {:?}",
            tabled.body
        );
        let tally = format!("/api/cases/{labour}/drafts/1/tally");
        let fit = format!("/api/cases/{labour}/parties/union/elicitation/fit");
        let body = json!({ "answers": labour_answers() });
        let analysis = format!("/api/cases/{peace}/analysis");
        // The mediator fits the union's answers and reads the tally while its analysis
        // (about a second) runs.
        let (analysis, (busy, counted)) = tokio::join!(app.get(&analysis, &app.mediator), async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            tokio::join!(
                app.post(&fit, &app.mediator, &body),
                app.get(&tally, &app.mediator)
            )
        });
        assert_eq!(analysis.status, StatusCode::OK, "{backend}");
        assert_eq!(
            busy.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{backend}: {:?}",
            busy.body
        );
        assert!(busy.headers.contains_key(header::RETRY_AFTER), "{backend}");
        // The tally stands, without its proposals, and says why.
        assert_eq!(
            counted.status,
            StatusCode::OK,
            "{backend}: {:?}",
            counted.body
        );
        assert_eq!(counted.body["proposals"], json!([]), "{backend}");
        let note = counted.body["proposals_note"].as_str().unwrap_or_default();
        assert!(note.contains("analyses running"), "{backend}: {note}");

        // Its share back, the same fit goes through, and the tally weighs its amendments.
        let fitted = app.post(&fit, &app.mediator, &body).await;
        assert_eq!(
            fitted.status,
            StatusCode::OK,
            "{backend}: {:?}",
            fitted.body
        );
        let later = app.get(&tally, &app.mediator).await;
        assert_eq!(later.status, StatusCode::OK, "{backend}");
        let note = later.body["proposals_note"].as_str().unwrap_or_default();
        assert!(!note.contains("analyses running"), "{backend}: {note}");
    }
}

#[tokio::test]
async fn the_api_document_says_which_routes_answer_429_and_503() {
    let app = App::sqlite().await;
    let document = app.get("/openapi.json", &app.mediator).await.body;
    // Every route whose work counts in an account's share of heavy work.
    for (path, method) in [
        ("/api/cases/{case}/analysis", "get"),
        ("/api/cases/{case}/parties/{party}/elicitation/fit", "post"),
        (
            "/api/cases/{case}/parties/{party}/elicitation/suggest",
            "post",
        ),
        (
            "/api/cases/{case}/parties/{party}/elicitation/confirm",
            "post",
        ),
        ("/api/cases/{case}/ingest", "post"),
    ] {
        let responses = &document["paths"][path][method]["responses"];
        for status in ["422", "429", "503"] {
            assert!(
                responses.get(status).is_some(),
                "{method} {path}: no {status} in {responses}"
            );
        }
    }
}

#[tokio::test]
async fn with_one_analysis_thread_analyses_wait_their_turn_and_reads_go_on() {
    let settings = Settings {
        analysis_threads: 1,
        ..settings(Duration::from_mins(10), 2)
    };
    for app in App::all_with(&settings).await {
        let backend = app.backend();
        let other = app.account("second", "mediator", None, None).await;
        let (first, second) = (app.import(PEACE).await, app.import(PEACE).await);
        let (first_path, second_path, read_path) = (
            format!("/api/cases/{first}/analysis"),
            format!("/api/cases/{second}/analysis"),
            format!("/api/cases/{first}"),
        );
        // Two accounts, two cases at once on one thread: the second waits for the first
        // (well within the 20 s a request waits for a slot), and a light read made
        // meanwhile is answered.
        let (a, b, read) = tokio::join!(
            app.get(&first_path, &app.mediator),
            app.get(&second_path, &other),
            app.get(&read_path, &app.mediator)
        );
        for answer in [&a, &b, &read] {
            assert_eq!(answer.status, StatusCode::OK, "{backend}: {answer:?}");
        }
        // Both are the whole analysis of copies of one case, so they agree.
        assert!(
            a.body["relaxed"]["nash"].is_object(),
            "{backend}: {:?}",
            a.body
        );
        assert_eq!(
            a.body["relaxed"]["nash"], b.body["relaxed"]["nash"],
            "{backend}"
        );
    }
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_per_account() {
    let app = App::sqlite().await;
    let token = app.account("alice", "observer", None, None).await;
    let change = |current: &str| json!({ "current": current, "new": "a-new-long-password" });
    for _ in 0..10 {
        let wrong = app.put("/api/me/password", &token, &change("not-it")).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong:?}");
    }
    // Even the right one now waits: guessing stops here.
    let throttled = app
        .put("/api/me/password", &token, &change("alice-password"))
        .await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{throttled:?}"
    );
    assert!(throttled.headers.contains_key(header::RETRY_AFTER));
    // Another account is not held back.
    let bob = app.account("bob", "observer", None, None).await;
    let changed = app
        .put(
            "/api/me/password",
            &bob,
            &json!({ "current": "bob-password", "new": "a-new-long-password" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{changed:?}");
}

#[tokio::test]
async fn failed_logins_are_throttled_per_username_whatever_the_address() {
    let app = App::sqlite().await;
    app.account("carol", "observer", None, None).await;
    let login =
        |address: [u8; 4], password: &str| {
            let mut request = Request::builder()
                .method(Method::POST)
                .uri("/api/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({ "username": "Carol", "password": password }).to_string(),
                ))
                .unwrap();
            // Each attempt from another address: the per-address limit never applies.
            request.extensions_mut().insert(axum::extract::ConnectInfo(
                std::net::SocketAddr::from((address, 40_000)),
            ));
            request
        };
    for k in 0..10 {
        let wrong = app.send_raw(login([10, 0, 0, k], "wrong")).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{wrong:?}");
    }
    let throttled = app.send_raw(login([10, 0, 1, 0], "carol-password")).await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{throttled:?}"
    );
    assert!(
        throttled.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("for this username"),
        "{throttled:?}"
    );
    // Other usernames log in.
    app.account("dave", "observer", None, None).await;
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_server_is_set_so() {
    for secure in [false, true] {
        let settings = Settings {
            secure_cookies: secure,
            ..Settings::default()
        };
        let app = App::all_with(&settings).await.remove(0);
        app.account("erin", "observer", None, None).await;
        let request = Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("username=erin&password=erin-password"))
            .unwrap();
        let answer = app.send_raw(request).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        let cookie = answer.headers[header::SET_COOKIE].to_str().unwrap();
        assert_eq!(cookie.contains("; Secure"), secure, "{cookie}");
    }
}

/// Serves `app` on a local port with a header timeout of 200 ms; returns its address and
/// the handle that stops it.
async fn serve(app: &App) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = app.router.clone();
    tokio::spawn(async move {
        accord_server::serve_until(listener, router, Duration::from_millis(200), async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (address, stop)
}

/// Reads until the server closes the connection; what it sent.
async fn until_closed(stream: &mut tokio::net::TcpStream) -> String {
    let mut seen = Vec::new();
    // Far longer than the timeout: the connection must have been closed by then.
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut seen))
        .await
        .expect("the server closes the connection")
        .expect("read");
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn stalled_and_idle_connections_are_closed() {
    let app = App::sqlite().await;
    let (address, stop) = serve(&app).await;

    // Headers that never end.
    let mut stalled = tokio::net::TcpStream::connect(address).await.unwrap();
    stalled
        .write_all(b"GET /api/me HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let seen = until_closed(&mut stalled).await;
    assert!(!seen.contains("200 OK"), "{seen}");

    // A request answered, then nothing: the idle connection is closed too.
    let mut idle = tokio::net::TcpStream::connect(address).await.unwrap();
    idle.write_all(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let seen = until_closed(&mut idle).await;
    assert!(seen.starts_with("HTTP/1.1 200 OK"), "{seen}");

    // The server still answers new connections.
    let mut fresh = tokio::net::TcpStream::connect(address).await.unwrap();
    fresh
        .write_all(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(
        until_closed(&mut fresh)
            .await
            .starts_with("HTTP/1.1 200 OK")
    );
    stop.send(()).unwrap();
}

#[tokio::test]
async fn a_party_page_shows_why_its_utility_is_missing_and_everything_else() {
    let app = App::all_with(&settings(Duration::ZERO, 2)).await.remove(0);
    let case = app.import(PEACE).await;
    let member = app
        .account("kyiv", "party", Some(&case), Some("ukraine"))
        .await;
    // The member's own view is stopped at once: the page still comes, and says why.
    let own = app
        .get(&format!("/api/cases/{case}/analysis"), &member)
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "{own:?}");
    let request = Request::builder()
        .uri(format!("/cases/{case}"))
        .header(header::COOKIE, format!("accord_session={member}"))
        .body(Body::empty())
        .unwrap();
    let page = app.send_raw(request).await;
    assert_eq!(page.status, StatusCode::OK, "{page:?}");
    let text = page.body.as_str().unwrap();
    assert!(
        text.contains("your analysis took longer than 0 s"),
        "{text}"
    );
}
