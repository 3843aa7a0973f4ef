//! One round of the one-text procedure on the peace-framework example, through the HTTP
//! API, on every backend: a mediator, two party members and an observer; the case loaded,
//! a draft tabled, responses given and tallied, a meeting logged; and what each role sees.

mod common;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use common::{App, PEACE};

async fn ok(app: &App, method: Method, path: &str, token: &str, body: Option<&Value>) -> Value {
    let answer = app.send(method.clone(), path, Some(token), body).await;
    assert!(
        answer.status.is_success(),
        "{method} {path}: {} {:?}",
        answer.status,
        answer.body
    );
    answer.body
}

#[tokio::test]
async fn one_round_of_the_one_text_procedure() {
    for app in App::all().await {
        let backend = app.backend();
        let m = app.mediator.clone();
        let case = ok(
            &app,
            Method::POST,
            "/api/cases",
            &m,
            Some(&json!({ "format": "toml", "text": PEACE })),
        )
        .await;
        let case = case["id"].as_str().unwrap().to_string();
        let c = format!("/api/cases/{case}");
        let ukraine = app
            .account("kyiv", "party", Some(&case), Some("ukraine"))
            .await;
        let russia = app
            .account("moscow", "party", Some(&case), Some("russia"))
            .await;
        let observer = app.account("press", "observer", None, None).await;

        // The mediator revises the imported text: new wording for one point, the same
        // package, and tables it.
        let first = ok(&app, Method::GET, &format!("{c}/drafts/1"), &m, None).await;
        let mut points = first["points"].as_array().unwrap().clone();
        points[0]["text"] = json!("The sovereignty of Ukraine is confirmed by all signatories.");
        let second = ok(
            &app,
            Method::POST,
            &format!("{c}/drafts"),
            &m,
            Some(&json!({
            "note": "sovereignty reworded", "points": points, "package": first["package"] })),
        )
        .await;
        assert_eq!(second["version"], 2, "{backend}");
        ok(&app, Method::POST, &format!("{c}/drafts/2/table"), &m, None).await;
        let diff = ok(&app, Method::GET, &format!("{c}/drafts/1/diff/2"), &m, None).await;
        assert_eq!(diff["summary"]["wording_changed"], 1, "{diff}");

        // Each party answers; before publication neither sees the other's answer.
        ok(&app, Method::PUT, &format!("{c}/drafts/2/responses/ukraine"), &ukraine, Some(&json!({
            "points": { "sovereignty": { "verdict": "accept" },
                        "army-cap": { "verdict": "amend", "amendment": { "value": 800_000 }, "comment": "our floor" } } }))).await;
        ok(&app, Method::PUT, &format!("{c}/drafts/2/responses/russia"), &russia, Some(&json!({
            "points": { "sovereignty": { "verdict": "reject", "comment": "within agreed lines" } } }))).await;
        assert_eq!(
            app.get(&format!("{c}/drafts/2/responses/russia"), &ukraine)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&format!("{c}/drafts/2/tally"), &ukraine)
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        // The mediator's tally: the counts, and proposals from the analysis engine.
        let tally = ok(&app, Method::GET, &format!("{c}/drafts/2/tally"), &m, None).await;
        let sovereignty = tally["points"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["point"] == "sovereignty")
            .unwrap();
        assert_eq!(
            (
                sovereignty["accept"].as_u64(),
                sovereignty["reject"].as_u64()
            ),
            (Some(1), Some(1)),
            "{backend}"
        );
        assert!(tally.get("proposals").is_some(), "{tally}");

        // A meeting in a bilateral channel, with a statement, published to observers.
        let channel = ok(
            &app,
            Method::POST,
            &format!("{c}/channels"),
            &m,
            Some(&json!({ "name": "Geneva track", "parties": ["ukraine", "united-states"] })),
        )
        .await;
        let meeting = ok(
            &app,
            Method::POST,
            &format!("{c}/meetings"),
            &m,
            Some(&json!({
            "channel": channel["id"], "date": "2026-11-27", "summary": "draft 2 discussed",
            "participants": [{ "party": "ukraine", "name": "Chief negotiator" }], "tabled": [2] })),
        )
        .await;
        let meeting = meeting["id"].as_str().unwrap().to_string();
        ok(
            &app,
            Method::POST,
            &format!("{c}/meetings/{meeting}/statements"),
            &m,
            Some(&json!({ "speaker": "Chief negotiator", "quote": "We can work with this text." })),
        )
        .await;

        // Who sees what, before anything is published.
        assert_eq!(
            app.get(&format!("{c}/meetings/{meeting}"), &ukraine)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.get(&format!("{c}/meetings/{meeting}"), &russia)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("{c}/meetings/{meeting}"), &observer)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("{c}/drafts/2"), &observer).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("{c}/parties/russia/position"), &ukraine)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&format!("{c}/parties/ukraine/position"), &ukraine)
                .await
                .status,
            StatusCode::OK
        );
        let own = ok(&app, Method::GET, &format!("{c}/analysis"), &ukraine, None)
            .await
            .to_string();
        assert!(
            !own.contains("russia") && !own.contains("united-states"),
            "{own}"
        );

        // The mediator publishes the draft, the responses and the meeting.
        ok(
            &app,
            Method::POST,
            &format!("{c}/drafts/2/publish"),
            &m,
            None,
        )
        .await;
        ok(
            &app,
            Method::POST,
            &format!("{c}/drafts/2/responses/publish"),
            &m,
            None,
        )
        .await;
        ok(
            &app,
            Method::POST,
            &format!("{c}/meetings/{meeting}/publish"),
            &m,
            None,
        )
        .await;
        for token in [&ukraine, &russia, &observer] {
            let tally = ok(
                &app,
                Method::GET,
                &format!("{c}/drafts/2/tally"),
                token,
                None,
            )
            .await;
            assert!(tally.get("proposals").is_none(), "{backend}: {tally}");
            assert_eq!(tally["answered"], json!(["ukraine", "russia"]), "{tally}");
        }
        let seen = ok(
            &app,
            Method::GET,
            &format!("{c}/meetings/{meeting}"),
            &observer,
            None,
        )
        .await;
        assert_eq!(
            seen["statements"][0]["quote"],
            "We can work with this text."
        );
        assert_eq!(
            app.get(&format!("{c}/meetings/{meeting}"), &russia)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("{c}/parties/ukraine/position"), &observer)
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        // Every change is in the audit log, in order.
        let audit = ok(
            &app,
            Method::GET,
            &format!("{c}/audit?limit=1000"),
            &m,
            None,
        )
        .await;
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap())
            .collect();
        for action in [
            "case.import",
            "draft.create",
            "draft.table",
            "response.submit",
            "channel.create",
            "meeting.create",
            "statement.create",
            "meeting.publish",
        ] {
            assert!(
                actions.contains(&action),
                "{backend}: {action} missing from {actions:?}"
            );
        }
        let position = actions.iter().position(|a| *a == "draft.table").unwrap();
        let response = actions
            .iter()
            .position(|a| *a == "response.submit")
            .unwrap();
        assert!(position < response, "{actions:?}");
    }
}
